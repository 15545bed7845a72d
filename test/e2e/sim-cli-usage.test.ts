/**
 * `joule sim` usage errors as a real child process: exit code 2 with every mistake of a scenario named, and for a
 * key file that cannot be read; no CSMS is needed, nothing is sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { stringify } from 'yaml';
import { CliProcess, killChildren } from './sim-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-sim-usage-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killChildren);

test('joule sim: exit code 2 for a bad scenario (each mistake named) and for an unreadable key file', async () => {
  const badFile = join(dir, 'bad.yaml');
  writeFileSync(badFile, stringify({ stations: 0, version: 'ocpp9', charging: { mode: 'script', steps: [{ action: 'fly' }] } }));
  const bad = new CliProcess(['sim', '--scenario', badFile]);
  const missingKey = new CliProcess(['sim', '--url', 'ws://127.0.0.1:9/ocpp', '--sign-key', join(dir, 'missing.pem'), '--sign-cert', join(dir, 'missing-cert.pem'), '--duration', '1']);
  assert.equal(await missingKey.exitCode(), 2);
  assert.match(missingKey.stderr, /missing\.pem/);
  assert.equal(await bad.exitCode(), 2);
  assert.match(bad.stderr, /stations/);
  assert.match(bad.stderr, /version/);
  assert.match(bad.stderr, /action/);
});
