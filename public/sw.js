// The portal's service worker: shows the Web Push alert (a generic sentence, never what the
// document is) and opens the notification centre when it is tapped. It caches nothing.
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
    icon: '/favicon.svg',
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
