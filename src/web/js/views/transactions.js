/** Transactions: filters (station, state, id token, start time range), paging, live refresh of the first page. */
import { api } from '../api.js';
import { badge, field, fill, h, select, table } from '../dom.js';
import { formatKWh, formatTime, isoToLocalInput, localInputToIso } from '../format.js';
import { aborted, debounce, loadError, pageHeader, pager } from './common.js';

const LIMIT = 50;

export async function renderTransactions(main, _params, ctx) {
  const q = ctx.query;
  const state = { station: q.get('station') ?? '', state: q.get('state') ?? '', idToken: q.get('idToken') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '', offset: Number(q.get('offset') ?? 0) || 0 };
  const inputs = {
    station: h('input', { name: 'station', value: state.station, autocomplete: 'off' }),
    state: select('state', [['', 'Any'], ['active', 'Active'], ['completed', 'Completed']], state.state),
    idToken: h('input', { name: 'idToken', value: state.idToken, autocomplete: 'off' }),
    from: h('input', { name: 'from', type: 'datetime-local', value: isoToLocalInput(state.from) }),
    to: h('input', { name: 'to', type: 'datetime-local', value: isoToLocalInput(state.to) }),
  };
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter transactions' },
    field('Station', inputs.station),
    field('State', inputs.state),
    field('Id token', inputs.idToken),
    field('Started from', inputs.from),
    field('Started before', inputs.to),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Apply'), h('button', { type: 'reset', class: 'button subtle' }, 'Clear')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(state, {
      station: inputs.station.value.trim(),
      state: inputs.state.value,
      idToken: inputs.idToken.value.trim(),
      from: localInputToIso(inputs.from.value) ?? '',
      to: localInputToIso(inputs.to.value) ?? '',
      offset: 0,
    });
    void load();
  });
  form.addEventListener('reset', () => {
    Object.assign(state, { station: '', state: '', idToken: '', from: '', to: '', offset: 0 });
    globalThis.setTimeout(() => void load());
  });
  main.append(pageHeader('Transactions'), form, results);

  async function load() {
    const { offset, ...filters } = state;
    ctx.replaceQuery({ ...filters, offset: offset || undefined });
    try {
      const page = await api('GET', '/transactions', { query: { ...filters, limit: LIMIT, offset }, signal: ctx.signal });
      fill(
        results,
        table(
          'Transactions, newest first',
          ['Transaction', 'Station', 'EVSE / connector', 'Id token', 'State', 'Started', 'Stopped', 'Energy'],
          page.items.map(row),
          'No transaction matches.',
        ),
        pager(page, page.items.length, (next) => {
          state.offset = next;
          void load();
        }),
      );
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(results, loadError(error));
    }
  }

  const reload = debounce(() => void load(), 300);
  ctx.live.listen(['transaction.started', 'transaction.updated', 'transaction.ended'], (event) => {
    // Only the first page changes when a session starts or moves; later pages stay put while being read.
    if (state.offset === 0 && (!state.station || event.stationId === state.station)) reload();
  }, ctx.signal);
  await load();
}

function row(t) {
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, h('a', { href: `#/transactions/${t.id}` }, t.transactionId)),
    h('td', {}, h('a', { href: `#/stations/${encodeURIComponent(t.stationId)}` }, t.stationId)),
    h('td', {}, t.evseId === null ? '—' : `${t.evseId} / ${t.connectorId ?? '—'}`),
    h('td', {}, t.idToken ?? '—'),
    h('td', {}, badge(t.state), t.chargingState ? h('small', {}, ` ${t.chargingState}`) : null),
    h('td', {}, formatTime(t.startedAt)),
    h('td', {}, formatTime(t.stoppedAt)),
    h('td', { class: 'num' }, formatKWh(t.energyKWh)),
  );
}
