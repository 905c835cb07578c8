// Uplift's sign-in, shared by every page Uplift serves (GraphiQL first). A browser module, served
// as it is from /assets/sign-in.js: no build step, no inline script (the pages' CSP forbids it).
//
// The key arrives in the URL fragment (`/graphql#key=...`, printed at start-up), which browsers
// never send to a server; it moves into this tab's sessionStorage and leaves the address bar, so it
// is neither in the history nor in a bookmark. Pages ask for it to build their Authorization header.

import { h } from '/assets/dom.js';

const STORAGE_KEY = 'uplift.apiKey';

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage switched off: the key lives only as long as the page
  }
}

let pageKey = null;

/** Moves `#key=...` from the address into session storage and clears the fragment. */
function takeKeyFromFragment() {
  if (!window.location.hash) return;
  const params = new URLSearchParams(window.location.hash.slice(1));
  const key = params.get('key');
  if (key === null) return;
  params.delete('key');
  const rest = params.toString();
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  if (key.trim()) signIn(key);
}

/** The signed-in API key, or null. */
export function currentKey() {
  return storage()?.getItem(STORAGE_KEY) ?? pageKey;
}

/** `Bearer <key>` for the Authorization header, or null when signed out. */
export function authorizationHeader() {
  const key = currentKey();
  return key ? `Bearer ${key}` : null;
}

export function signIn(key) {
  const trimmed = key.trim();
  pageKey = trimmed;
  storage()?.setItem(STORAGE_KEY, trimmed);
}

export function signOut() {
  pageKey = null;
  storage()?.removeItem(STORAGE_KEY);
}

/** What may be shown of a key: Uplift's prefix and 8 characters, never the whole secret. */
export function shownKey(key) {
  return key.startsWith('upl_') ? `${key.slice(0, 12)}…` : `${key.slice(0, 4)}…`;
}

/**
 * Renders the sign-in bar into `container`: who is signed in with a sign-out button, or a field to
 * paste a key. `onChange` runs after signing in or out (pages usually reload).
 */
export function mountSignIn(container, { onChange } = {}) {
  container.replaceChildren();
  container.classList.add('uplift-sign-in');
  const key = currentKey();
  if (key) {
    const button = h('button', { type: 'button' }, ['Sign out']);
    button.addEventListener('click', () => {
      signOut();
      onChange?.();
    });
    container.append(h('span', {}, [`Signed in with ${shownKey(key)}`]), button);
    return;
  }
  const input = h('input', { type: 'password', name: 'api-key', placeholder: 'Paste an API key (upl_…)', autocomplete: 'off', 'aria-label': 'API key' });
  const form = h('form', {}, [h('span', {}, ['Not signed in.']), input, h('button', { type: 'submit' }, ['Sign in'])]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    signIn(input.value);
    onChange?.();
  });
  container.append(form);
}

takeKeyFromFragment();
