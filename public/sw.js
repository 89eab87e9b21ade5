// The portal's service worker.
//
// It caches the app shell only: the style sheet, the WebAssembly and its loader, the page
// texts (/i18n), the icons and the offline page. Never a document, never a page: every page of
// an applicant's space carries personal data, and a shared phone must not keep it. Pages always
// come from the network; when there is none, the offline page says so.
//
// It also shows the Web Push alert (a generic sentence, never what the document is) and opens
// the notification centre when it is tapped.

const SHELL_CACHE = 'shell-v1';
const PRECACHED = ['/offline', '/favicon.svg', '/manifest.webmanifest', '/icons/icon-192.png'];
// Static files only: fetched from the network first (a new release must not meet an old
// WebAssembly), kept for when the network is gone.
const SHELL_PREFIXES = ['/pkg/', '/icons/'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHED)));
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL_CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

function isShellFile(url) {
  return url.origin === self.location.origin
    && (PRECACHED.includes(url.pathname) || SHELL_PREFIXES.some((prefix) => url.pathname.startsWith(prefix)));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (request.mode === 'navigate') {
    // The page itself is never stored; only its absence is answered, at the offline page's own
    // address (so that the page hydrates as what it is).
    event.respondWith(fetch(request).catch(() => (url.pathname === '/offline'
      ? caches.match('/offline', { ignoreVary: true })
      : Response.redirect('/offline', 303))));
    return;
  }
  if (!isShellFile(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && response.type === 'basic') {
          const copy = response.clone();
          event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(request).then((cached) => cached || Response.error())),
  );
});

self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (_) {
    message = {};
  }
  const title = message.title || 'Espace usager';
  event.waitUntil(self.registration.showNotification(title, {
    body: message.body || '',
    icon: '/icons/icon-192.png',
    tag: 'espace-usager',
    data: { url: message.url || '/account/notifications' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data.url, self.location.origin);
  // Only the portal's own pages.
  const target = url.origin === self.location.origin ? url.href : '/account/notifications';
  event.waitUntil(self.clients.openWindow(target));
});
