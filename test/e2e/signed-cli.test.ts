/**
 * `joule station add --signed --signing-cert FILE` as a real child process: the per-station setting for signed
 * messages (Part 4 §7) is stored with the certificate; a file without a certificate is refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { makeTestKey } from '../../src/protocol/signed/test-keys.ts';
import { createRepositories } from '../../src/storage/index.ts';
import { withTestDatabase } from '../support/db.ts';
import { BIN } from './sim-support.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'joule-signed-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const certificate = makeTestKey('p256', 'SIGNED-CLI').certificatePem;

test('joule station add --signed --signing-cert FILE stores the setting; a file without a certificate is refused', () =>
  withTestDatabase('pglite', async (storage) => {
    const dataDir = storage.options.dataDir ?? assert.fail('a PGlite folder');
    const env = { ...process.env, JOULE_DATA_DIR: dataDir, DATABASE_URL: '', JOULE_CONFIG: '' };
    const certFile = join(dir, 'station.pem');
    writeFileSync(certFile, certificate);
    const notCert = join(dir, 'not-a-cert.pem');
    writeFileSync(notCert, 'hello');
    // At the same time: the refused one stops before it opens the database.
    const added = run(process.execPath, [BIN, 'station', 'add', 'SCLI-1', '--profile', '0', '--signed', '--signing-cert', certFile], { env, timeout: 110_000 });
    await assert.rejects(run(process.execPath, [BIN, 'station', 'add', 'SCLI-2', '--profile', '0', '--signed', '--signing-cert', notCert], { env, timeout: 110_000 }), (error: { stdout?: string; stderr?: string }) => {
      // The CLI says what is wrong on stderr and exits 1.
      assert.match(error.stderr ?? '', /^joule station: .*no PEM certificate/m);
      return true;
    });
    await added;

    const database = await storage.open();
    const stations = createRepositories(database).stations;
    const station = await stations.get('SCLI-1');
    assert.deepEqual([station?.signedMessages, station?.signingCertificate], [true, certificate]);
    assert.equal(await stations.get('SCLI-2'), undefined);
    await database.close();
  }));
