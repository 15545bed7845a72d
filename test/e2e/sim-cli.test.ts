/**
 * `joule sim` as a real child process against a started Joule: scenario files in JSON and YAML (scripted sessions
 * on 2.0.1 and 1.6), the summary it prints (text and --json), and exit code 0 (sim-cli-exit.test.ts: the other
 * exit codes). What the stations did is checked in Joule's storage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { stringify } from 'yaml';
import type { Joule } from '../../src/app.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { testBackends, withTestDatabase } from '../support/db.ts';
import { startApp, withApp } from './scenario-support.ts';
import { CliProcess, killChildren } from './sim-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-sim-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killChildren);

const PASSWORD = 'sim-cli-password-0123456789';

/** A session of about a second, every step in the file. */
const SCRIPT = [
  { action: 'waitOnline', timeout: 30 },
  { action: 'start', evse: 1, idToken: 'CLI-TAG' },
  { action: 'wait', seconds: 1.2 },
  { action: 'stop', evse: 1, reason: 'Local' },
  { action: 'wait', seconds: 0.3 },
];

async function register(app: Joule, ids: string[], extra: { signedMessages?: boolean } = {}): Promise<void> {
  const passwordHash = await hashPassword(PASSWORD, { N: 1024 });
  for (const id of ids) await app.repos.stations.create({ id, securityProfile: 1, passwordHash, registrationStatus: 'Accepted', ...extra });
}

function scenario(app: Joule, fields: Record<string, unknown>): Record<string, unknown> {
  return { url: `ws://127.0.0.1:${app.port}/ocpp`, auth: { password: PASSWORD }, meterInterval: 0.3, rampUp: { batch: 10, interval: 0 }, ...fields };
}

// One backend (PostgreSQL when there is one): the runs are slow child processes, and storage is covered elsewhere.
const backend = testBackends().at(-1) ?? 'pglite';

test(`joule sim runs scenario files (JSON on 2.0.1, YAML on 1.6) and prints the summary; exit code 0 [${backend}]`, () => withTestDatabase(backend, async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    await app.repos.tokens.upsert({ idToken: 'CLI-TAG', type: 'ISO14443', status: 'Accepted' });
    await register(app, ['CLIJ-0001', 'CLIJ-0002', 'CLIY-0001']);
    const jsonFile = join(dir, `v201-${env.backend}.json`);
    writeFileSync(jsonFile, JSON.stringify(scenario(app, { stations: 2, idPrefix: 'CLIJ-', version: 'ocpp2.0.1', evses: 2, charging: { mode: 'script', steps: SCRIPT } })));
    const yamlFile = join(dir, `v16-${env.backend}.yaml`);
    writeFileSync(yamlFile, stringify(scenario(app, { stations: 1, idPrefix: 'CLIY-', version: 'ocpp1.6', charging: { mode: 'script', steps: SCRIPT } })));

    const json = new CliProcess(['sim', '--scenario', jsonFile, '--quiet']);
    const yaml = new CliProcess(['sim', '--scenario', yamlFile, '--json', '--progress-interval', '0.2']);
    assert.equal(await json.exitCode(), 0, json.stdout + json.stderr);
    assert.equal(await yaml.exitCode(), 0, yaml.stdout + yaml.stderr);

    // The text summary.
    assert.match(json.stdout, /joule sim: summary/);
    assert.match(json.stdout, /stations\s+2 \(connected 2, accepted 2 at the end\)/);
    assert.match(json.stdout, /sessions\s+2 started, 2 completed/);
    assert.match(json.stdout, /CALLERRORs\s+0\n/);
    assert.match(json.stdout, /timeouts\s+0\n/);
    assert.match(json.stdout, /latency\s+p50 [\d.]+ ms, p99 [\d.]+ ms/);
    assert.equal(json.stderr, '', '--quiet: no progress line');

    // The JSON summary: every CALL answered.
    const summary = JSON.parse(yaml.stdout) as { stations: number; sessionsStarted: number; sessionsCompleted: number; messagesSent: number; messagesAnswered: number; callErrorCount: number; exitCode: number };
    assert.deepEqual([summary.stations, summary.sessionsStarted, summary.sessionsCompleted, summary.callErrorCount, summary.exitCode], [1, 1, 1, 0, 0]);
    assert.ok(summary.messagesSent >= 5, 'boot, statuses, authorize, start, meter values, stop');
    assert.equal(summary.messagesAnswered, summary.messagesSent);
    assert.match(yaml.stderr, /connected 1\/1/, 'the progress line');

    // What Joule stored: one completed transaction per station, with energy.
    for (const id of ['CLIJ-0001', 'CLIJ-0002', 'CLIY-0001']) {
      const transactions = await app.repos.transactions.list({ stationId: id });
      assert.equal(transactions.length, 1, id);
      const [tx] = transactions;
      assert.equal(tx?.state, 'completed', id);
      assert.equal(tx?.idToken, 'CLI-TAG', id);
      assert.ok((tx?.energyWh ?? 0) > 0, `${id}: energy`);
      assert.equal(tx?.stopReason, 'Local', id);
    }
    const station = await app.repos.stations.get('CLIY-0001');
    assert.equal(station?.ocppVersion, 'ocpp1.6');
    assert.equal(station?.vendor, 'Joule');
  });
}));
