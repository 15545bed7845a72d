/**
 * runSimulation: 1 to 50,000 simulated stations against one CSMS URL. Stations are created and connected in
 * batches (the ramp-up), share one validator, one scheduler and one handler table, run their charging plan,
 * report progress about once a second, and at the end leave cleanly (sessions ended, connections closed). The
 * summary counts every CALL sent and answered, CALLERRORs by code, timeouts and the latency percentiles.
 */
import { readFileSync } from 'node:fs';
import type { TlsOptions } from '../station/index.ts';
import { drive, type StationDriver } from './driver.ts';
import { createSimEnvironment } from './environment.ts';
import type { SimulationOptions, SimulationProgress, SimulationSummary } from './plan.ts';
import { MAX_STATIONS } from './scenario.ts';
import type { SimSigning } from './signing.ts';
import { createSimSigning } from './signing.ts';
import { SimulatedStation } from './station.ts';
import type { SimStats } from './stats.ts';
import type { SimEnvironment, StationConfig } from './types.ts';

const DEFAULT_TOKEN = 'JOULE-SIM';

function checkOptions(options: SimulationOptions): void {
  if (!Number.isInteger(options.stations) || options.stations < 1 || options.stations > MAX_STATIONS) {
    throw new RangeError(`stations must be an integer from 1 to ${MAX_STATIONS}, got ${options.stations}`);
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new RangeError(`url ${JSON.stringify(options.url)} is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new RangeError(`url must start with ws:// or wss://, got ${options.url}`);
}

/** TLS of one station: the given options, plus certificate files with `{id}` replaced (read once per path). */
function tlsResolver(options: SimulationOptions): (identity: string) => TlsOptions | undefined {
  const cache = new Map<string, Buffer>();
  const read = (template: string | undefined, identity: string): Buffer | undefined => {
    if (template === undefined) return undefined;
    const path = template.replaceAll('{id}', identity);
    let content = cache.get(path);
    if (!content) {
      content = readFileSync(path);
      if (!template.includes('{id}')) cache.set(path, content);
    }
    return content;
  };
  return (identity) => {
    const base = typeof options.tls === 'function' ? options.tls(identity) : options.tls;
    const files = options.certificates;
    if (!files) return base;
    return {
      ...base,
      ...(files.cert ? { cert: read(files.cert, identity) } : {}),
      ...(files.key ? { key: read(files.key, identity) } : {}),
      ...(files.ca ? { ca: read(files.ca, identity) } : {}),
      ...(files.insecure ? { rejectUnauthorized: false } : {}),
    };
  };
}

function stationConfig(options: SimulationOptions, identity: string, tls: TlsOptions | undefined, signing: SimSigning | undefined): StationConfig {
  return {
    ...signing,
    identity,
    url: options.url,
    version: options.version ?? 'ocpp2.0.1',
    evses: options.evses ?? 1,
    connectorsPerEvse: options.connectorsPerEvse ?? 1,
    password: options.password?.replaceAll('{id}', identity),
    tls,
    compression: options.compression,
    meterIntervalS: options.meterIntervalS,
    heartbeatIntervalS: options.heartbeatIntervalS,
    pingIntervalS: options.pingIntervalS,
    maxPowerW: options.maxPowerW,
    callTimeoutMs: options.callTimeoutMs,
    rebootDelayMs: options.rebootDelayMs,
    backoff: options.backoff,
  };
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise<void>(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  checkOptions(options);
  const env = createSimEnvironment(options);
  const startedAt = env.clock.now();
  const plan = options.charging ?? { mode: 'none' };
  const tokens = options.idTokens && options.idTokens.length > 0 ? options.idTokens : [DEFAULT_TOKEN];
  const tlsFor = tlsResolver(options);
  const signing = options.signing ? createSimSigning(options.signing, env.stats) : undefined;
  const prefix = options.idPrefix ?? 'SIM-';
  const first = options.startIndex ?? 1;
  const width = Math.max(4, String(first + options.stations - 1).length);
  const { batch, intervalMs } = options.rampUp ?? { batch: 100, intervalMs: 100 };
  const stations: SimulatedStation[] = [];
  const drivers: StationDriver[] = [];
  const scripts: Array<Promise<void>> = [];
  let ending = false;

  const launch = (index: number): void => {
    const identity = `${prefix}${String(first + index).padStart(width, '0')}`;
    const station = new SimulatedStation(stationConfig(options, identity, tlsFor(identity), signing), env);
    stations.push(station);
    options.onStation?.(station);
    station.start();
    const driver = drive(station, plan, { idToken: tokens[index % tokens.length] ?? DEFAULT_TOKEN, idTokenType: options.idTokenType ?? 'ISO14443' });
    drivers.push(driver);
    scripts.push(driver.done);
  };
  const rampDone = new Promise<void>((resolve) => {
    const next = (): void => {
      if (ending) return resolve();
      const end = Math.min(options.stations, stations.length + Math.max(1, batch));
      try {
        for (let i = stations.length; i < end; i += 1) launch(i);
      } catch (error) {
        env.stats.stationErrors += 1;
        env.logger.error({ err: error }, 'could not start a simulated station');
        ending = true;
      }
      if (stations.length >= options.stations || ending) resolve();
      else env.scheduler.after(intervalMs, next);
    };
    next();
  });

  const progress = startProgress(options, env, () => stations.length, startedAt);
  const ends: Array<Promise<unknown>> = [untilAborted(options.signal)];
  if (options.durationS !== undefined) ends.push(env.scheduler.sleep(options.durationS * 1000));
  if (plan.mode === 'script') ends.push(rampDone.then(() => Promise.all(scripts)));
  if (options.durationS === undefined && plan.mode !== 'script' && !options.signal) ends.push(rampDone);
  await Promise.race(ends);
  ending = true;
  progress.cancel();
  for (const driver of drivers) driver.stop();
  const connected = env.stats.connected;
  const accepted = env.stats.accepted;
  if (options.stopSessionsAtEnd ?? true) {
    const grace = env.scheduler.sleep(options.endGraceMs ?? 10_000);
    // Authorizations still in flight may start sessions: let them, then stop everything.
    await Promise.race([Promise.all(stations.map((s) => s.sessions.settled())), grace]);
    for (const station of stations) station.sessions.stopAll('Local');
    await Promise.race([Promise.all(stations.map((s) => s.outbox.idle())), grace]);
  }
  const durationS = (env.clock.now() - startedAt) / 1000;
  for (let i = 0; i < stations.length; i += 1000) await Promise.all(stations.slice(i, i + 1000).map((s) => s.stop()));
  env.scheduler.stop();
  return summarize(env.stats, { stations: stations.length, connected, accepted, durationS, tolerateErrors: options.tolerateErrors ?? false });
}

function startProgress(options: SimulationOptions, env: SimEnvironment, started: () => number, startedAt: number): { cancel(): void } {
  const report = options.onProgress;
  if (!report) return { cancel: () => undefined };
  const intervalMs = options.progressIntervalMs ?? 1000;
  let lastSent = 0;
  let lastAt = startedAt;
  return env.scheduler.every(intervalMs, () => {
    const now = env.clock.now();
    const stats = env.stats;
    const rate = now > lastAt ? ((stats.sent - lastSent) * 1000) / (now - lastAt) : 0;
    lastSent = stats.sent;
    lastAt = now;
    const progress: SimulationProgress = {
      elapsedS: (now - startedAt) / 1000,
      started: started(),
      connected: stats.connected,
      accepted: stats.accepted,
      charging: stats.charging,
      sent: stats.sent,
      answered: stats.answered,
      messagesPerSecond: rate,
      callErrors: stats.callErrorCount,
      timeouts: stats.timeouts,
    };
    report(progress);
  });
}

export function summarize(
  stats: SimStats,
  run: { stations: number; connected: number; accepted: number; durationS: number; tolerateErrors: boolean },
): SimulationSummary {
  const callErrors = Object.fromEntries([...stats.callErrors.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const failed = stats.callErrorCount > 0 || stats.timeouts > 0;
  return {
    stations: run.stations,
    connected: run.connected,
    accepted: run.accepted,
    sessionsStarted: stats.sessionsStarted,
    sessionsCompleted: stats.sessionsCompleted,
    messagesSent: stats.sent,
    messagesAnswered: stats.answered,
    messagesReceived: stats.received,
    callErrors,
    callErrorCount: stats.callErrorCount,
    timeouts: stats.timeouts,
    connectFailures: stats.connectFailures,
    droppedTxMessages: stats.droppedTxMessages,
    stationErrors: stats.stationErrors,
    signedVerified: stats.signedVerified,
    latencyMs: { p50: stats.latency.percentile(0.5), p99: stats.latency.percentile(0.99), max: stats.latency.max },
    durationS: run.durationS,
    exitCode: failed && !run.tolerateErrors ? 1 : 0,
  };
}
