/** Id tokens: list (with a search by value), add, block / unblock, delete. */
import { api, describeError } from '../api.js';
import { badge, field, fill, h, select, table } from '../dom.js';
import { formatTime, localInputToIso } from '../format.js';
import { aborted, loadError, pageHeader, pager } from './common.js';

const LIMIT = 50;
const TYPES = ['ISO14443', 'ISO15693', 'eMAID', 'Central', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];
const STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeOut', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown'];

export async function renderTokens(main, _params, ctx) {
  const state = { idToken: ctx.query.get('idToken') ?? '', offset: Number(ctx.query.get('offset') ?? 0) || 0 };
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const notice = h('div', { role: 'status', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', name: 'idToken', id: 'token-search', value: state.idToken, autocomplete: 'off' });
  const searchForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find tokens' }, field('Find by value', search, 'Exact value, any type'), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Find')));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    state.idToken = search.value.trim();
    state.offset = 0;
    void load();
  });

  main.append(pageHeader('Id tokens'), addForm(ctx, (message) => {
    fill(notice, h('p', { class: 'notice ok' }, message));
    void load();
  }), searchForm, notice, results);

  async function load() {
    ctx.replaceQuery({ idToken: state.idToken, offset: state.offset || undefined });
    try {
      const page = await api('GET', '/tokens', { query: { idToken: state.idToken, limit: LIMIT, offset: state.offset }, signal: ctx.signal });
      fill(
        results,
        table('Id tokens', ['Id token', 'Type', 'Status', 'Group', 'Expiry', 'Source', 'Updated', 'Actions'], page.items.map(row), state.idToken ? 'No token has this value.' : 'No id tokens yet.'),
        pager(page, page.items.length, (next) => {
          state.offset = next;
          void load();
        }),
      );
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(results, loadError(error));
    }
  }

  function row(t) {
    const blocked = t.status === 'Blocked';
    const toggle = h('button', { type: 'button', class: `button small ${blocked ? '' : 'danger'}`, 'aria-label': `${blocked ? 'Unblock' : 'Block'} ${t.idToken}` }, blocked ? 'Unblock' : 'Block');
    toggle.addEventListener('click', () => act(() => api('PATCH', `/tokens/${t.id}`, { body: { status: blocked ? 'Accepted' : 'Blocked' }, signal: ctx.signal }), `${t.idToken} is now ${blocked ? 'Accepted' : 'Blocked'}.`));
    const remove = h('button', { type: 'button', class: 'button small subtle', 'aria-label': `Delete ${t.idToken}` }, 'Delete');
    remove.addEventListener('click', () => {
      if (globalThis.confirm(`Delete the id token ${t.idToken} (${t.type})?`)) void act(() => api('DELETE', `/tokens/${t.id}`, { signal: ctx.signal }), `${t.idToken} deleted.`);
    });
    return h(
      'tr',
      { 'data-token': t.idToken },
      h('th', { scope: 'row' }, t.idToken),
      h('td', {}, t.type),
      h('td', {}, badge(t.status)),
      h('td', {}, t.groupId ?? '—'),
      h('td', {}, formatTime(t.expiry)),
      h('td', {}, t.source),
      h('td', {}, formatTime(t.updatedAt)),
      h('td', { class: 'row-actions' }, toggle, ' ', remove),
    );
  }

  async function act(request, done) {
    try {
      await request();
      fill(notice, h('p', { class: 'notice ok' }, done));
    } catch (error) {
      fill(notice, h('p', { class: 'notice error', role: 'alert' }, describeError(error)));
    }
    await load();
  }

  await load();
}

function addForm(ctx, onAdded) {
  const idToken = h('input', { name: 'idToken', required: true, maxlength: '255', autocomplete: 'off' });
  const type = select('type', TYPES, 'ISO14443');
  const status = select('status', STATUSES, 'Accepted');
  const groupId = h('input', { name: 'groupId', maxlength: '36', autocomplete: 'off' });
  const expiry = h('input', { name: 'expiry', type: 'datetime-local' });
  const message = h('p', { class: 'form-status', role: 'alert' });
  const form = h(
    'form',
    { class: 'card form-grid', 'aria-labelledby': 'add-token-title' },
    h('h2', { id: 'add-token-title', class: 'span-all' }, 'Add an id token'),
    field('Id token', idToken),
    field('Type', type),
    field('Status', status),
    field('Group id', groupId, 'Optional'),
    field('Expiry', expiry, 'Optional, local time'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Add token')),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = idToken.value.trim();
    if (!value) {
      message.className = 'form-status error';
      message.textContent = 'Enter the id token value.';
      idToken.focus();
      return;
    }
    const body = { idToken: value, type: type.value, status: status.value };
    if (groupId.value.trim()) body.groupId = groupId.value.trim();
    if (expiry.value) body.expiry = localInputToIso(expiry.value);
    try {
      await api('POST', '/tokens', { body, signal: ctx.signal });
      message.textContent = '';
      form.reset();
      onAdded(`Added ${value} (${body.type}, ${body.status}).`);
    } catch (error) {
      message.className = 'form-status error';
      message.textContent = describeError(error);
    }
  });
  return form;
}
