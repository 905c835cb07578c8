// @ts-check
// Draws the page the address names, after sign-in.
import { mountSignIn } from '/assets/sign-in.js';
import { ApiError } from './api.js';
import { renderComparePage } from './compare-page.js';
import { renderExperimentPage } from './experiment-page.js';
import { renderListPage } from './list-page.js';
import { h } from '/assets/dom.js';

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

async function main() {
  mountSignIn(/** @type {HTMLElement} */ (document.getElementById('sign-in')), { onChange: () => location.reload() });
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
