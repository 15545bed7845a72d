/**
 * The CSMS as benchmarked by bench/csms.ts: the complete Joule (startJoule: storage, domain, OCPP handlers,
 * gateway, REST API) in its own process, on 127.0.0.1 and a port the OS picks, with `--stations N` stations
 * registered as Accepted (security profile 0) and their drivers' tokens `TOKEN{n}` as Accepted local tokens.
 * Storage: `--db-url URL --schema S` (PostgreSQL) or `--data-dir DIR` (the embedded database). The run asks it for row counts (`counts`) to verify what was acknowledged.
 * `--without-roaming-sync` (diagnosis only) stops the roaming sessions' transaction follower before the run.
 */
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { sql } from 'kysely';
import { startJoule } from '../../src/app.ts';
import { loadConfig } from '../../src/shared/config.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { serveBenchControl } from '../lib/child.ts';
import { numberOption, stringOption } from '../lib/report.ts';

const stations = numberOption('stations', 1000);
const databaseUrl = stringOption('db-url', '');
const schema = stringOption('schema', 'public');
const dataDir = stringOption('data-dir', 'memory://');
const compression = process.argv.includes('--compression');
/** Diagnosis: stop the roaming use case that follows every transaction event, to see what it costs. */
const withoutRoamingSync = process.argv.includes('--without-roaming-sync');
/** `--node-id X --no-seed`: a further node on the same schema (`--nodes` of bench/csms.ts); the first one seeds. */
const nodeId = stringOption('node-id', '');
const seed = !process.argv.includes('--no-seed');

const config = loadConfig({
  env: {},
  overrides: {
    port: 0,
    host: '127.0.0.1',
    'log.level': 'silent',
    'ocpp.compression.enabled': compression,
    'storage.databaseUrl': databaseUrl === '' ? null : databaseUrl,
    'storage.dataDir': dataDir,
    ...(nodeId === '' ? {} : { nodeId }),
  },
});
const joule = await startJoule(config, { logger: silentLogger(), ...(databaseUrl === '' ? {} : { databaseSchema: schema }) });
if (withoutRoamingSync) await joule.roaming.sessions.close();
for (let i = 0; seed && i < stations; i += 1) {
  await joule.repos.stations.create({ id: stationId(i), securityProfile: 0, registrationStatus: 'Accepted' });
  // Each station's driver has a valid local token, as in a real fleet (an unknown one would go to roaming partners).
  await joule.repos.tokens.upsert({ idToken: `TOKEN${i}`, type: 'ISO14443', status: 'Accepted' });
}

/** The identity of bench station `index` (shared with bench/csms.ts). */
function stationId(index: number): string {
  return `BENCH-${String(index).padStart(5, '0')}`;
}

async function count(table: 'transactions' | 'transaction_events' | 'meter_values'): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(joule.database.db);
  return result.rows[0]?.n ?? 0;
}

/** Old-generation collections (wall-clock start in ms since the epoch, pause in ms), for `--timeline`. */
const majorCollections: Array<{ at: number; ms: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // A 'gc' entry's detail says which collector ran (@types/node does not declare it on PerformanceEntry).
    if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
      majorCollections.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration });
    }
  }
}).observe({ entryTypes: ['gc'] });

/**
 * The event loop's delay, second by second (wall-clock end of the second, p99 and max in ms), for `--timeline`: a
 * turn of the loop that runs long holds up every answer due in it.
 */
const loopDelays: Array<{ at: number; p99: number; max: number }> = [];
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
setInterval(() => {
  loopDelays.push({ at: Date.now(), p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 });
  loopDelay.reset();
}, 1000).unref();

/**
 * BENCH_PROMOTED_PROF=<file> (diagnosis): a sampling heap profile of what survived young-generation collections, i.e.
 * was promoted to the old generation, and was then collected by a major GC, or is still alive at the end; written
 * when the server stops (open it in Chrome DevTools' Memory tab).
 */
const promotedProfile = process.env.BENCH_PROMOTED_PROF;
const inspector = promotedProfile ? new Session() : undefined;
if (inspector) {
  inspector.connect();
  inspector.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true });
}
async function writePromotedProfile(): Promise<void> {
  if (!inspector || !promotedProfile) return;
  const profile = await new Promise<unknown>((resolve, reject) =>
    inspector.post('HeapProfiler.stopSampling', (err, result) => (err ? reject(err) : resolve(result.profile))),
  );
  writeFileSync(promotedProfile, JSON.stringify(profile));
}

serveBenchControl(joule.port, () => joule.gateway.connectedIdentities().length, {
  custom: {
    counts: async () => ({ transactions: await count('transactions'), transactionEvents: await count('transaction_events'), meterValues: await count('meter_values') }),
    backend: () => joule.database.kind,
    majorCollections: () => majorCollections,
    loopDelays: () => loopDelays,
  },
  onStop: async () => {
    await writePromotedProfile();
    await joule.close();
  },
});
