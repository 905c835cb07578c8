// @ts-check
// Draws the page the address names, after sign-in.
import { ApiError, currentKey, setKey, takeKeyFromFragment } from './api.js';
import { renderComparePage } from './compare-page.js';
import { renderExperimentPage } from './experiment-page.js';
import { renderListPage } from './list-page.js';
import { h } from './tables.js';

/** @param {HTMLElement} root @param {unknown} error */
function showError(root, error) {
  const message = error instanceof ApiError ? error.message : 'Something went wrong while drawing this page.';
  const hint =
    error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')
      ? 'Results need an ANALYST or ADMIN key: SDK keys cannot read them. Paste a key above.'
      : error instanceof ApiError && error.code === 'NOT_FOUND'
        ? 'Check the address, or go back to the list of experiments.'
        : '';
  root.replaceChildren(h('div', { class: 'error', role: 'alert', 'data-testid': 'page-error' }, [h('p', {}, [h('strong', {}, [message])]), hint ? h('p', {}, [hint]) : '', h('p', {}, [h('a', { href: '/results' }, ['All experiments'])])]));
  if (!(error instanceof ApiError)) console.error(error);
}

function signInBox() {
  const box = /** @type {HTMLElement} */ (document.getElementById('sign-in'));
  if (currentKey()) {
    const out = h('button', { type: 'button', class: 'small' }, ['Sign out']);
    out.addEventListener('click', () => {
      setKey(null);
      location.reload();
    });
    box.replaceChildren(h('span', { class: 'muted small' }, ['Signed in ']), out);
    return;
  }
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'password', id: 'api-key', autocomplete: 'off', placeholder: 'ANALYST or ADMIN key' }));
  const form = h('form', { class: 'sign-in' }, [h('label', { for: 'api-key' }, ['API key ']), input, h('button', { type: 'submit', class: 'small' }, ['Sign in'])]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setKey(input.value.trim());
    location.reload();
  });
  box.replaceChildren(form);
}

async function main() {
  takeKeyFromFragment();
  signInBox();
  const root = /** @type {HTMLElement} */ (document.getElementById('page'));
  const path = location.pathname.replace(/\/+$/, '');
  const experimentMatch = /^\/results\/experiments\/([^/]+)$/.exec(path);
  try {
    if (experimentMatch) await renderExperimentPage(root, decodeURIComponent(experimentMatch[1]));
    else if (path === '/results/compare') await renderComparePage(root);
    else await renderListPage(root);
    document.body.dataset.ready = 'true';
  } catch (error) {
    showError(root, error);
    document.body.dataset.ready = 'error';
  }
}

main();
