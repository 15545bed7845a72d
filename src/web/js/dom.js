/* global document */
/**
 * Building DOM without innerHTML: every value from the API goes in as text, so nothing a station or operator
 * typed can become markup (and the Content-Security-Policy forbids inline code anyway).
 */

/**
 * h('a', { href: '#/x', class: 'link', onclick: fn }, 'text', child, [more]) → element.
 * Attributes that are false/null/undefined are left out; `true` sets an empty (boolean) attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in el) el.value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
}

/**
 * Replaces the children of `el`. When keyboard focus was inside, it moves to the new element that matches the
 * focused one (same tag, link, label and text), so a live refresh does not throw a keyboard user back to the top.
 */
export function fill(el, ...children) {
  const active = document.activeElement;
  const key = active && active !== el && el.contains(active) ? focusKey(active) : null;
  el.replaceChildren();
  append(el, children);
  if (key) [...el.querySelectorAll(key.tag)].find((candidate) => focusKey(candidate).same(key))?.focus({ preventScroll: true });
  return el;
}

function focusKey(node) {
  const key = { tag: node.tagName, href: node.getAttribute('href'), label: node.getAttribute('aria-label'), text: node.textContent };
  key.same = (other) => other.tag === key.tag && other.href === key.href && other.label === key.label && other.text === key.text;
  return key;
}

/** A labelled form field: label above the control, hint below; `control` gets the id. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** <select> with `options` as [value, label] pairs or plain strings. */
export function select(name, options, selected, attrs = {}) {
  return h(
    'select',
    { name, ...attrs },
    options.map((o) => {
      const [value, label] = Array.isArray(o) ? o : [o, o];
      return h('option', { value, selected: value === selected }, label);
    }),
  );
}

/** A table with a caption (for screen readers), header cells and one row per item; `empty` when none. */
export function table(caption, columns, rows, empty = 'Nothing to show.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows),
    ),
  );
}

/** A status pill: the text always says the state (colour is only a hint). */
export function badge(text, tone = toneOf(text)) {
  return h('span', { class: `badge ${tone}` }, text ?? '—');
}

const TONES = {
  ok: ['Available', 'Accepted', 'Online', 'Operative', 'completed', 'Completed', 'Idle'],
  busy: ['Occupied', 'Charging', 'Preparing', 'active', 'EVConnected', 'Finishing', 'SuspendedEV', 'SuspendedEVSE', 'sent', 'pending'],
  warn: ['Pending', 'Reserved', 'Unknown', 'Expired', 'timeout', 'RebootRequired', 'Scheduled'],
  bad: ['Faulted', 'Rejected', 'Blocked', 'Invalid', 'failed', 'Unavailable', 'Inoperative', 'NotSupported', 'NoCredit'],
};

export function toneOf(text) {
  for (const [tone, words] of Object.entries(TONES)) if (words.includes(text)) return tone;
  return 'neutral';
}

/** Pretty JSON in a <pre>, for payloads and answers. */
export function jsonBlock(value, label) {
  return h('pre', { class: 'json', tabindex: '0', 'aria-label': label ?? 'JSON' }, JSON.stringify(value, null, 2));
}
