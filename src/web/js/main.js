/* global document, window, AbortController, URLSearchParams */
/**
 * The dashboard's shell: login, the hash router (#/stations, #/stations/{id}, #/transactions, #/transactions/{id},
 * #/tokens), the live-stream indicator. Each view renders into <main> and gets a scope whose AbortSignal ends
 * its requests and event listeners when the operator navigates away.
 */
import { clearKey, getKey, onUnauthorized } from './api.js';
import { h } from './dom.js';
import { LiveEvents } from './events.js';
import { renderLogin } from './views/login.js';
import { renderStation } from './views/station.js';
import { renderStations } from './views/stations.js';
import { renderTokens } from './views/tokens.js';
import { renderTransaction } from './views/transaction.js';
import { renderTransactions } from './views/transactions.js';

const main = document.getElementById('main');
const nav = document.querySelector('.mainnav');
const session = document.querySelector('.session');
const liveText = document.querySelector('.live-text');
const liveBox = document.querySelector('.live');
const live = new LiveEvents();

const ROUTES = [
  { pattern: /^\/stations\/?$/, section: 'stations', render: renderStations },
  { pattern: /^\/stations\/([^/]+)$/, section: 'stations', render: renderStation },
  { pattern: /^\/transactions\/?$/, section: 'transactions', render: renderTransactions },
  { pattern: /^\/transactions\/(\d+)$/, section: 'transactions', render: renderTransaction },
  { pattern: /^\/tokens\/?$/, section: 'tokens', render: renderTokens },
];

const LIVE_LABELS = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline' };

let current = null;

/** Splits `#/path?query` into the path and its URLSearchParams. */
function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/stations';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

/** Changes the query of the current view without a new history entry or re-render (filters, paging). */
function replaceQuery(query) {
  const { path } = parseHash();
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  window.history.replaceState(null, '', `#${path}${qs ? `?${qs}` : ''}`);
}

function endView() {
  current?.abort();
  current = null;
}

async function route() {
  endView();
  if (!getKey()) return showLogin();
  showShell(true);
  const { path, query } = parseHash();
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  for (const link of nav.querySelectorAll('a')) {
    if (match && link.dataset.section === match.r.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const controller = new AbortController();
  current = controller;
  const ctx = { signal: controller.signal, live, query, replaceQuery };
  main.replaceChildren();
  // Hash routes do not scroll by themselves: a new page starts at its top.
  window.scrollTo(0, 0);
  if (!match) {
    main.append(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: '#/stations' }, 'Go to the stations')));
  } else {
    try {
      await match.r.render(main, match.m.slice(1).map(decodeURIComponent), ctx);
    } catch (error) {
      if (controller.signal.aborted) return;
      main.append(h('p', { class: 'notice error', role: 'alert' }, `This page could not be shown: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  if (controller.signal.aborted) return;
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  const heading = main.querySelector('h1');
  if (heading && document.activeElement !== heading && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function showShell(visible) {
  nav.hidden = !visible;
  session.hidden = !visible;
}

function showLogin(message) {
  endView();
  live.stop();
  showShell(false);
  renderLogin(main, {
    message,
    onLogin: () => {
      live.start();
      void route();
    },
  });
}

live.addEventListener('state', (event) => {
  liveText.textContent = LIVE_LABELS[event.detail] ?? event.detail;
  liveBox.dataset.state = event.detail;
});
live.addEventListener('unauthorized', () => {
  clearKey();
  showLogin('The server no longer accepts this API key (401 unauthorized). Paste a valid key to continue.');
});
onUnauthorized((message) => showLogin(message));

document.getElementById('logout').addEventListener('click', () => {
  clearKey();
  showLogin('You are logged out.');
});
window.addEventListener('hashchange', () => void route());

if (getKey()) live.start();
void route();
