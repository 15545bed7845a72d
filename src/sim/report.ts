/** Text for people: the live progress line and the final summary of `joule sim`. */
import type { SimulationProgress, SimulationSummary } from './plan.ts';

const number = new Intl.NumberFormat('en-US');

function ms(value: number): string {
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}

export function formatProgress(p: SimulationProgress, total: number): string {
  const errors = p.callErrors + p.timeouts;
  return [
    `${p.elapsedS.toFixed(0).padStart(4)}s`,
    `connected ${number.format(p.connected)}/${number.format(total)}`,
    `accepted ${number.format(p.accepted)}`,
    `charging ${number.format(p.charging)}`,
    `${number.format(Math.round(p.messagesPerSecond))} msg/s`,
    `errors ${number.format(errors)}${p.timeouts > 0 ? ` (${number.format(p.timeouts)} timeouts)` : ''}`,
  ].join('  ');
}

export function formatSummary(s: SimulationSummary): string {
  const codes = Object.entries(s.callErrors);
  const lines = [
    'joule sim: summary',
    `  stations         ${number.format(s.stations)} (connected ${number.format(s.connected)}, accepted ${number.format(s.accepted)} at the end)`,
    `  duration         ${s.durationS.toFixed(1)} s`,
    `  sessions         ${number.format(s.sessionsStarted)} started, ${number.format(s.sessionsCompleted)} completed`,
    `  messages sent    ${number.format(s.messagesSent)}`,
    `  answered         ${number.format(s.messagesAnswered)}`,
    `  received         ${number.format(s.messagesReceived)} (CALLs from the CSMS)`,
    `  CALLERRORs       ${number.format(s.callErrorCount)}${codes.length > 0 ? ` (${codes.map(([code, count]) => `${code} ${number.format(count)}`).join(', ')})` : ''}`,
    `  timeouts         ${number.format(s.timeouts)}`,
    `  latency          p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)}`,
  ];
  if (s.connectFailures > 0) lines.push(`  connect failures ${number.format(s.connectFailures)}`);
  if (s.droppedTxMessages > 0) lines.push(`  dropped tx msgs  ${number.format(s.droppedTxMessages)}`);
  if (s.signedVerified > 0) lines.push(`  signed verified  ${number.format(s.signedVerified)}`);
  if (s.stationErrors > 0) lines.push(`  station errors   ${number.format(s.stationErrors)}`);
  return lines.join('\n');
}
