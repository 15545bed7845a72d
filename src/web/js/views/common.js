/** Pieces several views share: page header, paging, load errors, debounced live refresh. */
import { describeError } from '../api.js';
import { h } from '../dom.js';

export function pageHeader(title, ...extra) {
  return h('div', { class: 'page-header' }, h('h1', {}, title), extra.length ? h('div', { class: 'page-actions' }, extra) : null);
}

/** Previous / next buttons for `{offset, limit, nextOffset}` lists. */
export function pager(page, shown, onOffset) {
  const from = shown === 0 ? 0 : page.offset + 1;
  const to = page.offset + shown;
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    h('button', { type: 'button', class: 'button subtle', disabled: page.offset === 0, onclick: () => onOffset(Math.max(0, page.offset - page.limit)) }, '← Previous'),
    h('span', { class: 'pager-range' }, shown === 0 ? 'No rows' : `Rows ${from}–${to}`),
    h('button', { type: 'button', class: 'button subtle', disabled: page.nextOffset === null, onclick: () => onOffset(page.nextOffset) }, 'Next →'),
  );
}

export function loadError(error) {
  return h('p', { class: 'notice error', role: 'alert' }, `Could not load: ${describeError(error)}`);
}

/** Runs `fn` once, `ms` after the last call (many live events → one reload). */
export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => {
    globalThis.clearTimeout(timer);
    timer = globalThis.setTimeout(() => fn(...args), ms);
  };
}

/** True for an AbortError (the view was left while a request was running). */
export function aborted(error, signal) {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError');
}

/**
 * Calls `fn` every `ms` until `signal` aborts, skipping a round while keyboard focus is inside one of `regions`
 * (re-rendering them would throw the focus away).
 */
export function refreshEvery(ms, fn, signal, regions) {
  const timer = globalThis.setInterval(() => {
    const focused = globalThis.document.activeElement;
    if (!regions.some((region) => region.contains(focused))) fn();
  }, ms);
  signal.addEventListener('abort', () => globalThis.clearInterval(timer));
}
