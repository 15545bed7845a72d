/**
 * Stations: connection state, OCPP version, vendor / model / firmware, last seen and registration status, kept
 * current by the live stream; a form to register a new station.
 */
import { api, describeError } from '../api.js';
import { badge, fill, field, h, select, table } from '../dom.js';
import { formatAgo, formatTime } from '../format.js';
import { aborted, debounce, loadError, pageHeader, pager, refreshEvery } from './common.js';

const LIMIT = 50;
const REFRESH_MS = 30_000;
const STATION_EVENTS = ['station.connected', 'station.disconnected', 'station.booted'];

export async function renderStations(main, _params, ctx) {
  const state = { connected: ctx.query.get('connected') ?? '', offset: Number(ctx.query.get('offset') ?? 0) || 0 };
  const results = h('div', { class: 'results', 'aria-live': 'polite', 'aria-busy': 'true' });
  const filter = select('connected', [['', 'All stations'], ['true', 'Online'], ['false', 'Offline']], state.connected, { id: 'station-filter' });
  filter.addEventListener('change', () => {
    state.connected = filter.value;
    state.offset = 0;
    void load();
  });
  const registerBox = h('div');
  const registerButton = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false', 'aria-controls': 'register-station' }, 'Register a station');
  registerButton.addEventListener('click', () => {
    const open = registerButton.getAttribute('aria-expanded') !== 'true';
    registerButton.setAttribute('aria-expanded', String(open));
    fill(registerBox, open ? registerForm(ctx, () => void load()) : null);
    registerBox.querySelector('input')?.focus();
  });

  main.append(
    pageHeader('Stations', registerButton),
    registerBox,
    h('div', { class: 'toolbar' }, field('Show', filter)),
    results,
  );

  async function load() {
    ctx.replaceQuery({ connected: state.connected, offset: state.offset || undefined });
    results.setAttribute('aria-busy', 'true');
    try {
      const page = await api('GET', '/stations', { query: { connected: state.connected, limit: LIMIT, offset: state.offset }, signal: ctx.signal });
      fill(
        results,
        table(
          'Stations',
          ['Station', 'Connection', 'Registration', 'OCPP', 'Vendor / model', 'Firmware', 'Last seen'],
          page.items.map(stationRow),
          state.connected ? 'No station matches this filter.' : 'No stations yet. Register one, then point it at ws://HOST:PORT/ocpp/{id}.',
        ),
        pager(page, page.items.length, (offset) => {
          state.offset = offset;
          void load();
        }),
      );
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(results, loadError(error));
    } finally {
      results.setAttribute('aria-busy', 'false');
    }
  }

  ctx.live.listen(STATION_EVENTS, debounce(() => void load()), ctx.signal);
  // Heartbeats move "last seen" without an event: refresh the list now and then while it is open.
  refreshEvery(REFRESH_MS, () => void load(), ctx.signal, [results]);
  await load();
}

function stationRow(s) {
  return h(
    'tr',
    { 'data-station': s.id },
    h('th', { scope: 'row' }, h('a', { href: `#/stations/${encodeURIComponent(s.id)}` }, s.id)),
    h('td', {}, badge(s.connected ? 'Online' : 'Offline', s.connected ? 'ok' : 'neutral')),
    h('td', {}, badge(s.registrationStatus)),
    h('td', {}, s.ocppVersion ?? '—'),
    h('td', {}, [s.vendor, s.model].filter(Boolean).join(' / ') || '—'),
    h('td', {}, s.firmwareVersion ?? '—'),
    h('td', { title: formatTime(s.lastSeenAt) }, formatAgo(s.lastSeenAt)),
  );
}

function registerForm(ctx, onCreated) {
  const id = h('input', { name: 'id', required: true, maxlength: '48', pattern: '[^:]+', autocomplete: 'off' });
  const profile = select('securityProfile', [['1', '1 — Basic auth (ws)'], ['2', '2 — Basic auth over TLS'], ['3', '3 — TLS client certificate'], ['0', '0 — none (test setups only)']], '1');
  const password = h('input', { name: 'password', type: 'password', minlength: '16', maxlength: '40', autocomplete: 'new-password' });
  const status = select('registrationStatus', ['Accepted', 'Pending', 'Rejected'], 'Accepted');
  const message = h('p', { class: 'form-status', role: 'alert' });
  const form = h(
    'form',
    { class: 'card form-grid', id: 'register-station', 'aria-label': 'Register a station' },
    field('Station id', id, 'The last path segment the station connects with.'),
    field('Security profile', profile),
    field('Password', password, 'Profiles 1 and 2: 16–40 printable characters; stored hashed.'),
    field('Registration', status),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Register')),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { id: id.value.trim(), securityProfile: Number(profile.value), registrationStatus: status.value };
    if (password.value) body.password = password.value;
    try {
      const created = await api('POST', '/stations', { body, signal: ctx.signal });
      message.className = 'form-status ok';
      message.textContent = `Registered ${created.id}.`;
      form.reset();
      onCreated();
    } catch (error) {
      message.className = 'form-status error';
      message.textContent = describeError(error);
    }
  });
  return form;
}
