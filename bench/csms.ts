/**
 * `npm run bench:csms`: N simulated stations run transactions with meter values against the complete CSMS, once on
 * the embedded database (PGlite) and once on PostgreSQL; prints transaction messages persisted per second and the
 * p50/p99 latency of their answers.
 *
 * - Joule runs in a child process (bench/servers/csms.ts), so the load generator does not share its event loop;
 *   the stations are raw clients in this process (bench/lib/raw-station.ts: handshake and frames done by hand over
 *   a TCP socket, payloads written as text, answers checked by message id without parsing), over 127.0.0.1 only,
 *   so the generator takes as little of the shared CPU as it can.
 * - Each station boots, then repeats: TransactionEvent Started (with its valid idToken), `--updates` Updated events with a
 *   meter value of three samples, Ended with the final reading; always one CALL outstanding (Part 4 §4.1.1).
 * - "Persisted" = TransactionEvents acknowledged: the CSMS answers one only after it is committed. At the end the
 *   rows in transaction_events and meter_values are counted and compared with what was acknowledged.
 * - PostgreSQL: a fresh schema per run, dropped afterwards; the leg is skipped with a line saying so when the
 *   server cannot be reached. Embedded: a fresh data folder, removed afterwards.
 *
 *   npm run bench:csms -- [--stations 1000] [--seconds 20] [--updates 8] [--backend both|pglite|postgres]
 *                         [--db-url postgres://postgres@127.0.0.1:5432/test] [--compression]
 *                         [--without-roaming-sync]   diagnosis: without the roaming follower of transaction events
 *                         [--timeline]               diagnosis: each phase's answers second by second (count, p50, p99, max),
 *                                                    and the seconds in which the CSMS ran an old-generation GC
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import pg from 'pg';
import { jouleRuntimeFlags, ServerProcess, stopAll } from './lib/child.ts';
import { percentile } from './lib/load.ts';
import { RawStation } from './lib/raw-station.ts';
import { BenchStation, type LoadStation } from './lib/station.ts';
import { machineBusy, machineLine, numberOption, processesCpuMicros, startWatchdog, stringOption } from './lib/report.ts';

const stations = numberOption('stations', 1000);
const seconds = numberOption('seconds', 20);
const updates = numberOption('updates', 8);
const backendOption = stringOption('backend', 'both');
const databaseUrl = stringOption('db-url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const compression = process.argv.includes('--compression');
const withoutRoamingSync = process.argv.includes('--without-roaming-sync');
const timeline = process.argv.includes('--timeline');
/** A call unanswered this long fails (counted as an error) and ends that station's loop. */
const CALL_TIMEOUT_MS = 10_000;

type Backend = 'pglite' | 'postgres';

interface LegResult {
  backend: Backend;
  phases: PhaseResult[];
  /** Seconds the CSMS took to stop after the load ended (it finishes background work first). */
  stopSeconds: number;
  rows: { transactions: number; transactionEvents: number; meterValues: number };
}

function stationId(index: number): string {
  return `BENCH-${String(index).padStart(5, '0')}`;
}

const SAMPLES_PER_METER_VALUE = 3;

/**
 * A TransactionEvent's payload as JSON text, written out instead of built as objects and serialized: this runs
 * 5,000 times a second beside the CSMS. Every value placed in it is a number, an ISO time or a bench identifier,
 * none of which needs escaping. One meter value of three samples.
 */
function transactionEventJson(transactionId: string, seqNo: number, energyWh: number, event: 'Started' | 'Updated' | 'Ended', idToken: string): string {
  const now = new Date().toISOString();
  const info =
    event === 'Ended'
      ? `{"transactionId":"${transactionId}","chargingState":"EVConnected","stoppedReason":"EVDisconnected"}`
      : `{"transactionId":"${transactionId}","chargingState":"Charging"}`;
  const trigger = event === 'Started' ? 'Authorized' : event === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic';
  const token = event === 'Started' ? `"idToken":{"idToken":"${idToken}","type":"ISO14443"},` : '';
  return (
    `{"transactionInfo":${info},"evse":{"id":1,"connectorId":1},"seqNo":${seqNo},"eventType":"${event}","triggerReason":"${trigger}",${token}` +
    `"meterValue":[{"timestamp":"${now}","sampledValue":[` +
    `{"value":${energyWh},"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"Wh"}},` +
    `{"value":7200,"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"W"}},` +
    `{"value":31.4,"measurand":"Current.Import","phase":"L1","unitOfMeasure":{"unit":"A"}}]}],"timestamp":"${now}"}`
  );
}

/** Counters shared by every station of one phase. */
class Tally {
  acknowledged = 0;
  meterValuesSent = 0;
  errors = 0;
  readonly latencies: number[] = [];
  /** When each answered call was sent (ms since the phase began), beside its latency: for `--timeline`. */
  readonly sentAt: number[] = [];
}

/** The transaction a station is in the middle of: the next message's seqNo and how many Updated are still due. */
interface OpenTransaction {
  id: string;
  seqNo: number;
  updatesLeft: number;
}

/** What a station carries from one phase to the next. */
interface StationState {
  index: number;
  client: LoadStation;
  energyWh: number;
  transactions: number;
  /** A phase ends in the middle of transactions: the next phase goes on with them, as a real fleet would. */
  transaction: OpenTransaction | undefined;
  /** False once its connection is gone: the station stops sending. */
  healthy: boolean;
}

/**
 * A station's first transaction is cut short at a random point, so the stations' cycles are spread out and their
 * Started and Ended events (the costlier ones) do not come in bursts every `updates + 2` messages. Later phases
 * continue the open transactions instead of starting new ones together, which would line the cycles up again.
 */
function openTransaction(station: StationState): OpenTransaction {
  station.transactions += 1;
  const updatesLeft = station.transactions === 1 ? Math.floor(Math.random() * (updates + 1)) : updates;
  return { id: `${stationId(station.index)}-${station.transactions}`, seqNo: 0, updatesLeft };
}

/**
 * One station's loop: transactions until the deadline, each message waiting for its answer. With `intervalMs`
 * the station sends at most one message per interval (paced: an open-loop load at a chosen rate, so latency is
 * measured at that rate); without, it sends the next message as soon as the answer is in (closed loop: the
 * highest rate the CSMS sustains, where latency is simply stations ÷ rate).
 */
async function runStation(station: StationState, deadline: number, intervalMs: number, tally: Tally): Promise<void> {
  const { client, index } = station;
  let nextAt = performance.now() + Math.random() * intervalMs;
  /** False when the deadline came before the message was sent, or the connection is gone. */
  const send = async (payloadJson: string): Promise<boolean> => {
    if (intervalMs > 0) {
      // The next slot is past the end: stop now rather than sleep into it (which stretched the phase by up to one
      // interval and so understated the paced rate by ~2 %).
      if (nextAt >= deadline) return false;
      const wait = nextAt - performance.now();
      if (wait > 0) await sleep(wait);
      // Behind schedule (the last answer came late): send now, without a burst to catch up.
      nextAt = Math.max(nextAt, performance.now() - intervalMs) + intervalMs;
    }
    if (performance.now() >= deadline) return false;
    const sentAt = performance.now();
    try {
      await client.call('TransactionEvent', payloadJson, CALL_TIMEOUT_MS);
    } catch {
      // A timeout leaves the connection usable: count it and go on, so an overload does not shrink the fleet.
      tally.errors += 1;
      station.healthy = client.isConnected;
      return station.healthy;
    }
    tally.latencies.push(performance.now() - sentAt);
    tally.sentAt.push(sentAt);
    tally.acknowledged += 1;
    tally.meterValuesSent += SAMPLES_PER_METER_VALUE;
    return true;
  };
  while (station.healthy && performance.now() < deadline) {
    const transaction = (station.transaction ??= openTransaction(station));
    const energyWh = transaction.seqNo === 0 ? station.energyWh : station.energyWh + 250;
    const ending = transaction.seqNo > 0 && transaction.updatesLeft === 0;
    const event = transaction.seqNo === 0 ? 'Started' : ending ? 'Ended' : 'Updated';
    if (!(await send(transactionEventJson(transaction.id, transaction.seqNo, energyWh, event, `TOKEN${index}`)))) return;
    station.energyWh = energyWh;
    if (transaction.seqNo > 0 && !ending) transaction.updatesLeft -= 1;
    transaction.seqNo += 1;
    if (ending) station.transaction = undefined;
  }
}

interface PhaseResult {
  label: string;
  acknowledged: number;
  meterValuesSent: number;
  errors: number;
  seconds: number;
  latenciesMs: Float64Array;
  /** `--timeline`: one line per second of the phase, by when the calls were sent. */
  timeline: string[];
  serverCpuUs: number;
  generatorCpuUs: number;
  /** CPU of the PostgreSQL server's processes on this machine (undefined for PGlite, which runs inside Joule). */
  databaseCpuUs: number | undefined;
  /** Share of the machine's cores busy during the phase (all processes, ours and others'). */
  machineBusy: number;
  /** Seconds the machine took to become quiet after the previous phase, before this one began. */
  settleSeconds?: number;
}

async function runPhase(label: string, backend: Backend, server: ServerProcess, fleet: StationState[], durationMs: number, intervalMs: number): Promise<PhaseResult> {
  const tally = new Tally();
  const databaseCpu = () => (backend === 'postgres' ? processesCpuMicros('postgres') : undefined);
  const databaseBefore = databaseCpu();
  const cpuBefore = await server.cpuMicros();
  const generatorBefore = process.cpuUsage();
  const busy = machineBusy();
  const started = performance.now();
  const startedAt = Date.now();
  const deadline = started + durationMs;
  await Promise.all(fleet.map((station) => runStation(station, deadline, intervalMs, tally)));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = await server.cpuMicros();
  const generator = process.cpuUsage(generatorBefore);
  const databaseAfter = databaseCpu();
  return {
    label,
    acknowledged: tally.acknowledged,
    meterValuesSent: tally.meterValuesSent,
    errors: tally.errors,
    seconds: elapsed,
    latenciesMs: Float64Array.from(tally.latencies).sort(),
    timeline: timeline ? secondBySecond(tally, started, startedAt, (await server.query('majorCollections')) as MajorCollection[], (await server.query('loopDelays')) as LoopDelay[]) : [],
    serverCpuUs: cpuAfter - cpuBefore,
    generatorCpuUs: generator.user + generator.system,
    databaseCpuUs: databaseBefore === undefined || databaseAfter === undefined ? undefined : databaseAfter - databaseBefore,
    machineBusy: busy(),
  };
}

/**
 * Waits until the machine has been quiet (under 20 % busy) for a whole second, in 200 ms windows, at most 15 s;
 * returns the seconds it took. One quiet window is not enough: work left behind (a flush on its timer) can start
 * right after one.
 */
async function settle(): Promise<number> {
  const started = performance.now();
  let quietWindows = 0;
  while (quietWindows < 5 && performance.now() - started < 15_000) {
    const busy = machineBusy();
    await sleep(200);
    quietWindows = busy() < 0.2 ? quietWindows + 1 : 0;
  }
  return (performance.now() - started) / 1000;
}

/** An old-generation garbage collection in the CSMS process: wall-clock start (ms since the epoch), pause in ms. */
interface MajorCollection {
  at: number;
  ms: number;
}

/** The CSMS's event-loop delay in one second that ended at `at` (wall clock, ms since the epoch): p99 and max in ms. */
interface LoopDelay {
  at: number;
  p99: number;
  max: number;
}

/**
 * The phase's answers grouped by the second their call was sent in: where in the phase the slow ones were. A
 * second in which the CSMS ran an old-generation collection says so (its pause, and the concurrent marking on the
 * other core before it, can make that second slow).
 */
function secondBySecond(tally: Tally, started: number, startedAt: number, collections: readonly MajorCollection[], loopDelays: readonly LoopDelay[]): string[] {
  const seconds: number[][] = [];
  tally.sentAt.forEach((at, i) => (seconds[Math.floor((at - started) / 1000)] ??= []).push(tally.latencies[i]!));
  return seconds.map((latencies, second) => {
    const sorted = Float64Array.from(latencies).sort();
    const ms = (p: number) => percentile(sorted, p).toFixed(0).padStart(5);
    const gc = collections
      .filter((c) => c.at >= startedAt + second * 1000 && c.at < startedAt + (second + 1) * 1000)
      .map((c) => `  old-generation GC (${c.ms.toFixed(0)} ms pause)`)
      .join('');
    // The CSMS's own second that ended closest to this one's end (its seconds are not aligned with the phase's).
    const end = startedAt + (second + 1) * 1000;
    const loop = loopDelays.reduce<LoopDelay | undefined>((best, d) => (best === undefined || Math.abs(d.at - end) < Math.abs(best.at - end) ? d : best), undefined);
    const loopText = loop && Math.abs(loop.at - end) < 500 ? `  loop delay p99 ${loop.p99.toFixed(0).padStart(3)} max ${loop.max.toFixed(0).padStart(3)} ms` : '';
    return `${''.padEnd(9)} ${`${second}-${second + 1} s`.padEnd(9)} ${String(sorted.length).padStart(6)} answers  p50 ${ms(50)}  p99 ${ms(99)}  max ${ms(100)} ms${loopText}${gc}`;
  });
}

/** The raw station by default; the `ws` one when compression is asked for, which only it negotiates. */
function connectStation(url: string, identity: string): Promise<LoadStation> {
  return compression ? BenchStation.connect(url, identity, { compression }) : RawStation.connect(url, identity);
}

async function connectStations(port: number, clients: LoadStation[]): Promise<StationState[]> {
  const batch = 100;
  for (let start = 0; start < stations; start += batch) {
    const opening: Promise<LoadStation>[] = [];
    for (let i = start; i < Math.min(stations, start + batch); i += 1) {
      opening.push(
        connectStation(`ws://127.0.0.1:${port}/ocpp`, stationId(i)).then(async (client) => {
          clients.push(client);
          const boot = JSON.stringify({ reason: 'PowerUp', chargingStation: { vendorName: 'Joule', model: 'bench' } });
          const answer = JSON.parse(await client.call('BootNotification', boot, CALL_TIMEOUT_MS)) as { status?: string };
          if (answer.status !== 'Accepted') throw new Error(`${client.identity}: BootNotification ${String(answer.status)}`);
          return client;
        }),
      );
    }
    await Promise.all(opening);
  }
  clients.sort((a, b) => a.identity.localeCompare(b.identity));
  return clients.map((client, index) => ({ index, client, energyWh: 0, transactions: 0, transaction: undefined, healthy: true }));
}

async function runLeg(backend: Backend): Promise<LegResult> {
  const args = ['--stations', String(stations), ...(compression ? ['--compression'] : []), ...(withoutRoamingSync ? ['--without-roaming-sync'] : [])];
  let cleanup: () => Promise<void>;
  if (backend === 'postgres') {
    const schema = `joule_bench_${randomBytes(5).toString('hex')}`;
    args.push('--db-url', databaseUrl, '--schema', schema);
    cleanup = () => dropSchema(schema);
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'joule-bench-'));
    args.push('--data-dir', dataDir);
    cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
  }
  const server = await ServerProcess.start('bench/servers/csms.ts', args, process.env, jouleRuntimeFlags()).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
  const clients: LoadStation[] = [];
  try {
    const fleet = await connectStations(server.port, clients);
    const phaseMs = (seconds * 1000) / 2;
    const rate = backend === 'postgres' ? TARGETS.postgres.rate : TARGETS.pglite.rate;
    const fullSpeed = await runPhase('full speed', backend, server, fleet, phaseMs, 0);
    // The overload leaves background work behind (the message log's buffer, the roaming follower's queue): the
    // paced phase measures latency at the target rate, so it starts once that is done, not while it drains.
    const settleSeconds = await settle();
    const phases = [fullSpeed, { ...(await runPhase(`paced ${rate}/s`, backend, server, fleet, phaseMs, (stations / rate) * 1000)), settleSeconds }];
    const rows = (await server.query('counts')) as LegResult['rows'];
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    const stopping = performance.now();
    await server.stop();
    return { backend, phases, rows, stopSeconds: (performance.now() - stopping) / 1000 };
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await server.stop();
    await cleanup();
  }
}

/** Null when PostgreSQL answers, otherwise why not. */
async function postgresUnreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const TARGETS = {
  postgres: { rate: 5000, p99Ms: 100 as number | undefined, text: '≥ 5,000/s with p99 ≤ 100 ms' },
  pglite: { rate: 2000, p99Ms: undefined as number | undefined, text: '≥ 2,000/s' },
};

function report(result: LegResult): void {
  const target = TARGETS[result.backend];
  let met = false;
  for (const phase of result.phases) {
    const rate = phase.acknowledged / phase.seconds;
    const p99 = percentile(phase.latenciesMs, 99);
    // The paced phase offers exactly the target rate: it meets it when it keeps up (within 2 %) under the p99 bound.
    if (rate >= target.rate * 0.98 && (target.p99Ms === undefined || p99 <= target.p99Ms)) met = true;
    console.log(
      [
        result.backend.padEnd(9),
        phase.label.padEnd(12),
        rate.toFixed(0).padStart(11),
        percentile(phase.latenciesMs, 50).toFixed(1).padStart(8),
        p99.toFixed(1).padStart(8),
        String(phase.acknowledged).padStart(9),
        String(phase.errors).padStart(7),
        (phase.serverCpuUs / Math.max(1, phase.acknowledged)).toFixed(0).padStart(9),
        (phase.generatorCpuUs / Math.max(1, phase.acknowledged)).toFixed(0).padStart(9),
        (phase.databaseCpuUs === undefined ? '-' : (phase.databaseCpuUs / Math.max(1, phase.acknowledged)).toFixed(0)).padStart(9),
        `${(phase.machineBusy * 100).toFixed(0)} %`.padStart(13),
      ].join(' '),
    );
    if (phase.settleSeconds !== undefined) console.log(`${''.padEnd(9)} (began ${phase.settleSeconds.toFixed(1)} s after the previous phase, once the machine was quiet)`);
    for (const line of phase.timeline) console.log(line);
  }
  const acknowledged = result.phases.reduce((sum, phase) => sum + phase.acknowledged, 0);
  const samples = result.phases.reduce((sum, phase) => sum + phase.meterValuesSent, 0);
  const verified = result.rows.transactionEvents === acknowledged && result.rows.meterValues === samples;
  console.log(
    `${''.padEnd(9)} rows: ${result.rows.transactionEvents} events (${acknowledged} acknowledged), ${result.rows.meterValues} samples (${samples} sent), ${result.rows.transactions} transactions: ${verified ? 'match' : 'MISMATCH'}`,
  );
  console.log(`${''.padEnd(9)} stopped ${result.stopSeconds.toFixed(1)} s after the load (background work is finished first)`);
  console.log(`${''.padEnd(9)} target ${target.text}: ${met ? 'met' : 'MISSED'}`);
}

startWatchdog((seconds + 240) * 2 * 1000);
try {
  const legs: Backend[] = backendOption === 'both' ? ['pglite', 'postgres'] : [backendOption as Backend];
  if (!legs.every((leg) => leg === 'pglite' || leg === 'postgres')) throw new Error('--backend must be both, pglite or postgres');
  const machine = machineLine();
  const results: LegResult[] = [];
  const skipped: string[] = [];
  for (const leg of legs) {
    if (leg === 'postgres') {
      const why = await postgresUnreachable();
      if (why !== null) {
        skipped.push(`postgres  skipped: ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')} is not reachable (${why})`);
        continue;
      }
    }
    results.push(await runLeg(leg));
  }
  console.log(`\nCSMS: ${stations} stations, transactions of 1 Started + ${updates} Updated + 1 Ended TransactionEvent (3 samples each)`);
  console.log(`${seconds / 2} s at full speed (each station sends as soon as it has its answer), then ${seconds / 2} s paced at the target rate`);
  console.log(`Joule runs with npm start's flags: ${jouleRuntimeFlags().join(' ')}${process.env.BENCH_NODE_FLAGS ? `, and BENCH_NODE_FLAGS ${process.env.BENCH_NODE_FLAGS}` : ''}`);
  console.log(`${machine}${compression ? ', compression on' : ''}${withoutRoamingSync ? ', WITHOUT the roaming transaction follower (diagnosis)' : ''}\n`);
  console.log('database  load         persisted/s   p50 ms   p99 ms     acked  errors  µs CPU/msg: joule, stations, postgres   machine busy');
  for (const result of results) report(result);
  for (const line of skipped) console.log(line);
} finally {
  stopAll();
}
process.exit(0);
