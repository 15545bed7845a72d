/** One transaction: summary, energy, an energy chart, meter values and the station's transaction events. */
import { api } from '../api.js';
import { badge, fill, h, jsonBlock, table } from '../dom.js';
import { formatKWh, formatNumber, formatTime } from '../format.js';
import { commandPanel } from './commands.js';
import { aborted, debounce, loadError } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';

export async function renderTransaction(main, [id], ctx) {
  const body = h('div');
  main.append(h('p', { class: 'crumbs' }, h('a', { href: '#/transactions' }, '← All transactions')), h('h1', {}, `Transaction ${id}`), body);

  let stopPanel = null;
  async function load() {
    try {
      const t = await api('GET', `/transactions/${encodeURIComponent(id)}`, { signal: ctx.signal });
      const heading = main.querySelector('h1');
      heading.textContent = `Transaction ${t.transactionId}`;
      // The stop form survives refreshes (the operator may be using it) and goes away once the session ends.
      if (t.state === 'active') stopPanel ??= commandPanel(t.stationId, ctx, { initial: 'stop-transaction', defaults: { transactionId: t.transactionId } });
      else stopPanel = null;
      fill(body, ...view(t, stopPanel));
    } catch (error) {
      if (!aborted(error, ctx.signal)) fill(body, loadError(error));
    }
  }
  const reload = debounce(() => void load(), 300);
  ctx.live.listen(['transaction.updated', 'transaction.ended'], (event) => String(event.transaction?.id) === id && reload(), ctx.signal);
  await load();
}

function view(t, stopPanel) {
  const facts = [
    ['Station', h('a', { href: `#/stations/${encodeURIComponent(t.stationId)}` }, t.stationId)],
    ['State', h('span', {}, badge(t.state), t.chargingState ? ` ${t.chargingState}` : '')],
    ['EVSE / connector', t.evseId === null ? '—' : `${t.evseId} / ${t.connectorId ?? '—'}`],
    ['Id token', t.idToken ? `${t.idToken}${t.idTokenType ? ` (${t.idTokenType})` : ''}` : '—'],
    ['Started', formatTime(t.startedAt)],
    ['Stopped', formatTime(t.stoppedAt)],
    ['Stop reason', t.stopReason ?? '—'],
    ['Meter start', t.meterStartWh === null ? '—' : `${formatNumber(t.meterStartWh)} Wh`],
    ['Meter stop', t.meterStopWh === null ? '—' : `${formatNumber(t.meterStopWh)} Wh`],
  ];
  const energy = h('div', { class: 'energy card' }, h('span', { class: 'energy-label' }, 'Energy delivered'), h('span', { class: 'energy-value' }, formatKWh(t.energyKWh)), t.energyWh === null ? null : h('small', {}, `${formatNumber(t.energyWh)} Wh`));
  const registers = t.meterValues.filter((m) => m.measurand === 'Energy.Active.Import.Register' && !m.phase);
  return [
    h('div', { class: 'columns' }, energy, h('dl', { class: 'facts card' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))))),
    stopPanel ? h('section', { class: 'card', 'aria-labelledby': 'stop-title' }, h('h2', { id: 'stop-title' }, 'Stop this session'), stopPanel) : null,
    registers.length > 1 ? h('section', { class: 'card', 'aria-labelledby': 'chart-title' }, h('h2', { id: 'chart-title' }, 'Energy register'), energyChart(registers)) : null,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'mv-title' },
      h('h2', { id: 'mv-title' }, `Meter values (${t.meterValues.length})`),
      table(
        'Meter values',
        ['Time', 'Measurand', 'Phase', 'Value', 'Unit', 'Context', 'Location'],
        t.meterValues.map((m) =>
          h(
            'tr',
            {},
            h('td', {}, formatTime(m.timestamp)),
            h('td', {}, m.measurand ?? 'Energy.Active.Import.Register'),
            h('td', {}, m.phase ?? '—'),
            h('td', { class: 'num' }, formatNumber(m.value)),
            h('td', {}, m.unit ?? '—'),
            h('td', {}, m.context ?? '—'),
            h('td', {}, m.location ?? '—'),
          ),
        ),
        'No meter values.',
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'ev-title' },
      h('h2', { id: 'ev-title' }, `Transaction events (${t.events.length})`),
      table(
        'Transaction events',
        ['Seq', 'Event', 'Trigger', 'Time', 'Offline', 'Payload'],
        t.events.map((e) =>
          h(
            'tr',
            {},
            h('td', { class: 'num' }, String(e.seqNo ?? '—')),
            h('td', {}, e.eventType),
            h('td', {}, e.triggerReason ?? '—'),
            h('td', {}, formatTime(e.timestamp)),
            h('td', {}, e.offline ? 'yes' : 'no'),
            h('td', {}, h('details', {}, h('summary', {}, 'Show'), jsonBlock(e.payload, 'Payload'))),
          ),
        ),
        'No transaction events (1.6 sessions have start and stop only).',
      ),
    ),
  ];
}

/** A line of the energy register over time (kWh), drawn as SVG; the table below has the exact values. */
function energyChart(samples) {
  const points = samples.map((m) => ({ t: new Date(m.timestamp).getTime(), kwh: m.unit === 'kWh' ? m.value : m.value / 1000 })).sort((a, b) => a.t - b.t);
  const [w, h0, pad] = [640, 200, 36];
  const t0 = points[0].t;
  const t1 = Math.max(points.at(-1).t, t0 + 1);
  const v0 = Math.min(...points.map((p) => p.kwh));
  const v1 = Math.max(Math.max(...points.map((p) => p.kwh)), v0 + 0.001);
  const x = (t) => pad + ((t - t0) / (t1 - t0)) * (w - 2 * pad);
  const y = (v) => h0 - pad - ((v - v0) / (v1 - v0)) * (h0 - 2 * pad);
  const svg = svgEl('svg', { viewBox: `0 0 ${w} ${h0}`, role: 'img', class: 'chart', 'aria-label': `Energy register from ${formatNumber(v0)} to ${formatNumber(v1)} kWh` });
  svg.append(
    svgEl('line', { x1: pad, y1: h0 - pad, x2: w - pad, y2: h0 - pad, class: 'axis' }),
    svgEl('polyline', { points: points.map((p) => `${x(p.t).toFixed(1)},${y(p.kwh).toFixed(1)}`).join(' '), class: 'series' }),
    svgEl('text', { x: pad, y: pad - 10, class: 'label' }, `${formatNumber(v1)} kWh`),
    svgEl('text', { x: pad, y: h0 - 10, class: 'label' }, `${formatNumber(v0)} kWh`),
  );
  return svg;
}

function svgEl(tag, attrs, text) {
  const el = globalThis.document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}
