// Alerts on this phone: subscribes this browser to Web Push with the portal's public key and
// tells the server; or undoes it. The texts come from the page (already translated).
const section = document.getElementById('push-settings');
const supported = section && 'serviceWorker' in navigator && 'PushManager' in window
  && 'Notification' in window;

if (supported) {
  const part = (name) => section.querySelector(`[data-push="${name}"]`);
  const on = part('on');
  const off = part('off');
  const status = part('status');
  part('unsupported').hidden = true;

  const decodeKey = (text) => {
    const padded = (text + '='.repeat((4 - (text.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const current = async () => {
    const registration = await navigator.serviceWorker.getRegistration('/');
    return registration ? registration.pushManager.getSubscription() : null;
  };
  const show = async () => {
    const subscription = await current();
    on.hidden = Boolean(subscription);
    off.hidden = !subscription;
  };
  const post = (path, body) => fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });

  on.addEventListener('click', async () => {
    try {
      if (await Notification.requestPermission() !== 'granted') {
        status.textContent = section.dataset.denied;
        return;
      }
      const registration = await navigator.serviceWorker.register('/sw.js');
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: decodeKey(section.dataset.vapidKey),
      });
      const answer = await post('/account/push/subscribe', subscription.toJSON());
      status.textContent = answer.ok ? section.dataset.on : section.dataset.failed;
    } catch (_) {
      status.textContent = section.dataset.failed;
    }
    await show();
  });

  off.addEventListener('click', async () => {
    const subscription = await current();
    if (subscription) {
      await post('/account/push/unsubscribe', { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    status.textContent = section.dataset.off;
    await show();
  });

  show();
}
