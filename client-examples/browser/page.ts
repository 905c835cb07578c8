/**
 * A browser page on the SDK with a CLIENT key (public: it reads only what this one user's
 * evaluation needs, never another user's id). It evaluates in the browser (local mode): the
 * checkout button follows the `new-checkout` flag, its label is the payload of the user's
 * variant of `checkout-copy` (reading it logs the exposure), and a click is tracked as an event.
 * serve.ts bundles it as an app's bundler would, with Uplift's address and the key put in.
 */
import { LocalUpliftClient } from '@uplift/sdk';

declare const UPLIFT_URL: string;
declare const UPLIFT_CLIENT_KEY: string;

/** A signed-in app knows its user; this page takes `?user=`, or keeps an anonymous id in the browser. */
function currentUserId(): string {
  const named = new URLSearchParams(location.search).get('user');
  if (named) return named;
  const kept = localStorage.getItem('uplift-example-user') ?? `anonymous-${crypto.randomUUID()}`;
  localStorage.setItem('uplift-example-user', kept);
  return kept;
}

async function main() {
  const root = document.getElementById('app')!;
  const userId = currentUserId();
  // CLIENT keys name their user: the configuration then carries that user's forced assignments only.
  const uplift = new LocalUpliftClient({ url: UPLIFT_URL, key: UPLIFT_CLIENT_KEY, userId, onError: (error) => console.warn(`uplift: ${error.code}`) });
  // Never rejects: without a configuration within 3 s, every answer below is its default.
  await uplift.ready(3_000);
  const user = { id: userId };
  const newCheckout = uplift.flag(user, 'new-checkout', false);
  const copy = uplift.experiment(user, 'checkout-copy');
  const payload = copy.payload as { label?: unknown } | null;
  const button = document.createElement('button');
  button.textContent = typeof payload?.label === 'string' ? payload.label : 'Buy now';
  button.dataset.checkout = newCheckout.value ? 'new' : 'classic';
  button.addEventListener('click', async () => {
    uplift.track({ userId, type: 'checkout_click', properties: { checkout: button.dataset.checkout ?? '' } });
    await uplift.flush(); // so that the page can say it was sent; batching would send it soon anyway
    root.dataset.tracked = 'true';
  });
  root.replaceChildren(button);
  root.dataset.ready = 'true';
  // Sends what is still queued when the user leaves.
  addEventListener('pagehide', () => void uplift.close());
}

main();
