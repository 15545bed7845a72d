/**
 * One station: identity and registration, EVSEs and connectors with their live status, commands, recent
 * transactions, the device model (or 1.6 configuration) and the tail of its OCPP message log. Each section loads
 * and refreshes on its own, so a live update never resets a command being typed.
 */
import { api, describeError } from '../api.js';
import { badge, fill, h, jsonBlock, table } from '../dom.js';
import { formatAgo, formatKWh, formatTime } from '../format.js';
import { commandPanel } from './commands.js';
import { aborted, debounce, loadError, refreshEvery } from './common.js';

const STATION_EVENTS = ['station.connected', 'station.disconnected', 'station.booted', 'connector.status'];
const TRANSACTION_EVENTS = ['transaction.started', 'transaction.updated', 'transaction.ended'];

export async function renderStation(main, [id], ctx) {
  const path = `/stations/${encodeURIComponent(id)}`;
  const mine = (event) => event.stationId === id;
  const header = h('div', { class: 'page-header' }, h('h1', {}, `Station ${id}`));
  const summary = h('div', { 'aria-live': 'polite' });
  const evses = h('div', { class: 'evses', 'aria-live': 'polite' });
  const transactions = h('div');
  const variables = h('div');
  const messages = h('div');
  const section = (title, body, ...extra) =>
    h('section', { class: 'card', 'aria-labelledby': slug(title) }, h('div', { class: 'section-header' }, h('h2', { id: slug(title) }, title), extra), body);

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/stations' }, '← All stations')),
    header,
    summary,
    h(
      'div',
      { class: 'columns' },
      section('EVSEs and connectors', evses),
      section('Commands', commandPanel(id, ctx, { onDone: () => void loadMessages() })),
    ),
    section('Recent transactions', transactions, h('a', { href: `#/transactions?station=${encodeURIComponent(id)}` }, 'All transactions of this station')),
    section('Device model and configuration', variables),
    section('Message log', messages, h('button', { type: 'button', class: 'button subtle', onclick: () => void loadMessages() }, 'Refresh')),
  );

  async function loadStation() {
    try {
      const station = await api('GET', path, { signal: ctx.signal });
      fill(header, h('h1', {}, `Station ${station.id}`), h('div', { class: 'page-actions' }, stationBadges(station), registrationActions(station)));
      fill(summary, stationFacts(station));
      fill(evses, evseCards(station.evses));
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(summary, loadError(error));
    }
  }

  function registrationActions(station) {
    if (station.registrationStatus === 'Accepted') return null;
    const accept = h('button', { type: 'button', class: 'button primary' }, 'Accept registration');
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        await api('PATCH', path, { body: { registrationStatus: 'Accepted' }, signal: ctx.signal });
        await loadStation();
      } catch (error) {
        accept.replaceWith(h('span', { class: 'notice error', role: 'alert' }, describeError(error)));
      }
    });
    return accept;
  }

  async function loadTransactions() {
    try {
      const page = await api('GET', '/transactions', { query: { station: id, limit: 10 }, signal: ctx.signal });
      fill(
        transactions,
        table(
          'Recent transactions',
          ['Transaction', 'EVSE', 'Id token', 'State', 'Started', 'Energy'],
          page.items.map((t) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, h('a', { href: `#/transactions/${t.id}` }, t.transactionId)),
              h('td', {}, t.evseId === null ? '—' : `${t.evseId}/${t.connectorId ?? '—'}`),
              h('td', {}, t.idToken ?? '—'),
              h('td', {}, badge(t.state), t.chargingState ? ` ${t.chargingState}` : ''),
              h('td', {}, formatTime(t.startedAt)),
              h('td', { class: 'num' }, formatKWh(t.energyKWh)),
            ),
          ),
          'No transactions yet.',
        ),
      );
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(transactions, loadError(error));
    }
  }

  /** The newest page of the log (cursor undefined), or the next older one appended to what is shown. */
  let shownMessages = [];
  async function loadMessages(cursor) {
    try {
      const page = await api('GET', '/messages', { query: { station: id, limit: 30, cursor }, signal: ctx.signal });
      shownMessages = cursor === undefined ? page.items : [...shownMessages, ...page.items];
      fill(
        messages,
        table('Message log, newest first', ['Time', 'Direction', 'Type', 'Action', 'Payload and answer'], shownMessages.map(messageRow), 'No messages logged.'),
        page.nextCursor === null
          ? null
          : h('div', { class: 'pager' }, h('button', { type: 'button', class: 'button subtle', onclick: () => void loadMessages(page.nextCursor) }, 'Older messages')),
      );
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(messages, loadError(error));
    }
  }

  // Filter first, then debounce: a burst of events from other stations must not swallow one of ours.
  const onlyMine = (reload) => (event) => mine(event) && reload();
  ctx.live.listen(STATION_EVENTS, onlyMine(debounce(() => void loadStation(), 150)), ctx.signal);
  ctx.live.listen(TRANSACTION_EVENTS, onlyMine(debounce(() => void loadTransactions(), 300)), ctx.signal);
  // Anything the station does is logged: refresh the tail after a burst of its events.
  ctx.live.listen([...STATION_EVENTS, ...TRANSACTION_EVENTS, 'command.completed'], onlyMine(debounce(() => void loadMessages(), 1000)), ctx.signal);

  // Heartbeats move "last seen" without an event: refresh the facts now and then while the page is open.
  refreshEvery(30_000, () => void loadStation(), ctx.signal, [header, summary, evses]);
  fill(variables, variablesPanel(path, ctx));
  await Promise.all([loadStation(), loadTransactions(), loadMessages()]);
}

const MESSAGE_TYPES = { 2: 'CALL', 3: 'CALLRESULT', 4: 'CALLERROR', 5: 'CALLRESULTERROR', 6: 'SEND' };

const typeName = (messageType) => MESSAGE_TYPES[messageType] ?? String(messageType);

/** One entry; a CALL of the station comes with the answer we gave to it (an exchange), other entries have none. */
function messageRow(m) {
  return h(
    'tr',
    {},
    h('td', { class: 'time' }, formatTime(m.createdAt)),
    h('td', {}, m.direction === 'in' ? 'station → CSMS' : 'CSMS → station'),
    h('td', {}, typeName(m.messageType)),
    h('td', {}, m.action ?? '—'),
    h('td', {}, payloadDetails(preview(m.payload), m.payload, 'Payload'), m.response ? answerDetails(m.response) : null),
  );
}

/** Under the request: the type of our answer and its payload. */
function answerDetails(response) {
  const type = `↳ ${typeName(response.messageType)} `;
  return payloadDetails(type + preview(response.payload, PREVIEW_LENGTH - type.length), response.payload, 'Answer payload', 'answer');
}

function payloadDetails(summary, payload, label, kind) {
  return h('details', { class: kind }, h('summary', {}, summary), jsonBlock(payload, label));
}

function slug(text) {
  return `s-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

const PREVIEW_LENGTH = 60;

function preview(payload, length = PREVIEW_LENGTH) {
  const text = JSON.stringify(payload) ?? '';
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function stationBadges(s) {
  return h(
    'span',
    { class: 'badges' },
    badge(s.connected ? 'Online' : 'Offline', s.connected ? 'ok' : 'neutral'),
    ' ',
    badge(s.registrationStatus),
  );
}

function stationFacts(s) {
  const facts = [
    ['OCPP version', s.ocppVersion ?? '—'],
    ['Vendor', s.vendor ?? '—'],
    ['Model', s.model ?? '—'],
    ['Serial number', s.serialNumber ?? '—'],
    ['Firmware', s.firmwareVersion ?? '—'],
    ['Security profile', String(s.securityProfile)],
    ['Last seen', s.lastSeenAt ? `${formatAgo(s.lastSeenAt)} (${formatTime(s.lastSeenAt)})` : 'never'],
    ['Allowed versions', s.allowedVersions.length ? s.allowedVersions.join(', ') : 'any'],
  ];
  return h('dl', { class: 'facts card' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

function evseCards(evses) {
  if (evses.length === 0) return h('p', { class: 'empty' }, 'The station has not reported any connector yet.');
  return evses.map((e) =>
    h(
      'div',
      { class: 'evse', 'data-evse': e.evseId },
      h('h3', {}, e.evseId === 0 ? 'Station' : `EVSE ${e.evseId}`, ' ', e.availability === 'Operative' ? null : badge(e.availability)),
      h(
        'ul',
        { class: 'connectors' },
        e.connectors.map((c) =>
          h(
            'li',
            { 'data-connector': `${c.evseId}/${c.connectorId}` },
            h('span', { class: 'connector-name' }, `Connector ${c.connectorId}`),
            badge(c.status),
            c.ocppStatus && c.ocppStatus !== c.status ? h('small', {}, ` (${c.ocppStatus})`) : null,
            c.errorCode && c.errorCode !== 'NoError' ? h('small', { class: 'error-text' }, ` ${c.errorCode}`) : null,
            h('small', { class: 'muted', title: formatTime(c.updatedAt) }, ` updated ${formatAgo(c.updatedAt)}`),
          ),
        ),
      ),
    ),
  );
}

/** The device model, loaded when opened (it can be long), with a text filter. */
function variablesPanel(path, ctx) {
  const filter = h('input', { type: 'search', id: 'variable-filter', placeholder: 'Filter by component or variable', 'aria-label': 'Filter the device model' });
  const body = h('div');
  const details = h('details', {}, h('summary', {}, 'Show the stored device model'), h('div', { class: 'toolbar' }, filter), body);
  let rows = null;
  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rows.filter((v) => !q || `${v.component} ${v.variable} ${v.value ?? ''}`.toLowerCase().includes(q));
    fill(
      body,
      table(
        'Device model',
        ['Component', 'Variable', 'Attribute', 'Value', 'Mutability', 'Updated'],
        shown.slice(0, 500).map((v) =>
          h(
            'tr',
            {},
            h('td', {}, v.component, v.componentInstance ? `.${v.componentInstance}` : '', v.evseId !== null ? ` (EVSE ${v.evseId}${v.connectorId !== null ? `/${v.connectorId}` : ''})` : ''),
            h('td', {}, v.variable, v.variableInstance ? `.${v.variableInstance}` : ''),
            h('td', {}, v.attributeType ?? '—'),
            h('td', { class: 'value' }, v.value ?? '—'),
            h('td', {}, v.mutability ?? '—'),
            h('td', {}, formatTime(v.updatedAt)),
          ),
        ),
        rows.length === 0 ? 'Nothing stored yet: run Get base report (2.x) or Get variables (1.6).' : 'No variable matches the filter.',
      ),
    );
  };
  details.addEventListener('toggle', async () => {
    if (!details.open || rows) return;
    fill(body, h('p', { class: 'pending' }, 'Loading…'));
    try {
      rows = (await api('GET', `${path}/variables`, { signal: ctx.signal })).items;
      render();
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(body, loadError(error));
    }
  });
  filter.addEventListener('input', () => rows && render());
  return details;
}
