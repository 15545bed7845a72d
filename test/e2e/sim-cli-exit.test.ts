/**
 * `joule sim` exit codes as a real child process against a started Joule: 1 after a CALLERROR (here
 * NotImplemented: the stations sign their CALLs and Joule has signed messages off for them), 0 for the same run
 * with --tolerate-errors (sim-cli-usage.test.ts: exit code 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { makeTestKey } from '../../src/protocol/signed/test-keys.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { withTestDatabase } from '../support/db.ts';
import { startApp, withApp } from './scenario-support.ts';
import { CliProcess, killChildren } from './sim-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-sim-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killChildren);

const PASSWORD = 'sim-cli-password-0123456789';

// The CSMS's storage plays no part in the exit code: one backend is enough (these runs are slow child processes).
test('joule sim: exit code 1 after a CALLERROR unless --tolerate-errors; 2 for a bad scenario', () => withTestDatabase('pglite', async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    // The stations sign their CALLs but Joule has signed messages off for them: every CALL is NotImplemented.
    const passwordHash = await hashPassword(PASSWORD, { N: 1024 });
    for (const id of ['CLIE-0001', 'CLIT-0001']) await app.repos.stations.create({ id, securityProfile: 1, passwordHash, registrationStatus: 'Accepted' });
    const keys = makeTestKey('p256', 'sim-cli');
    const key = join(dir, `key-${env.backend}.pem`);
    const cert = join(dir, `cert-${env.backend}.pem`);
    writeFileSync(key, keys.keyPem);
    writeFileSync(cert, keys.certificatePem);
    const common = ['sim', '--url', `ws://127.0.0.1:${app.port}/ocpp`, '--password', PASSWORD, '--charging', 'none', '--duration', '1.5', '--sign-key', key, '--sign-cert', cert, '--quiet'];

    const failing = new CliProcess([...common, '--id-prefix', 'CLIE-']);
    const tolerant = new CliProcess([...common, '--id-prefix', 'CLIT-', '--tolerate-errors']);
    assert.equal(await failing.exitCode(), 1, failing.stdout + failing.stderr);
    assert.equal(await tolerant.exitCode(), 0, tolerant.stdout + tolerant.stderr);
    for (const run of [failing, tolerant]) assert.match(run.stdout, /CALLERRORs\s+1 \(NotImplemented 1\)/);
  });
}));
