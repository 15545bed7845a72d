/**
 * `joule station add` and `joule station list` as real child processes on a PGlite folder: the registration
 * status is set at registration (default Pending), and an identity or a password the API would refuse is refused
 * here too, before anything is stored.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { verifyPassword } from '../../src/shared/password.ts';
import { createRepositories } from '../../src/storage/index.ts';
import { withTestDatabase } from '../support/db.ts';
import { BIN } from './sim-support.ts';

const run = promisify(execFile);

test('joule station add --status sets the registration status; bad identity, password or status is refused; list shows it', () =>
  withTestDatabase('pglite', async (storage) => {
    const dataDir = storage.options.dataDir ?? assert.fail('a PGlite folder');
    const env = { ...process.env, JOULE_DATA_DIR: dataDir, DATABASE_URL: '', JOULE_CONFIG: '' };
    const joule = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, timeout: 110_000 });
    const refused = async (args: string[], message: RegExp) =>
      assert.rejects(joule(...args), (error: { stderr?: string }) => {
        assert.match(error.stderr ?? '', message);
        return true;
      });

    // The refusals stop before the database is opened, so they can run beside the first add.
    const added = joule('station', 'add', 'CLI-OK', '--profile', '1', '--password', 'a-long-random-password-1234', '--status', 'Accepted');
    await Promise.all([
      refused(['station', 'add', 'CLI:BAD', '--profile', '0'], /^joule station: 'CLI:BAD' is not a valid station identity/m),
      refused(['station', 'add', 'CLI-SHORT', '--profile', '1', '--password', 'short'], /^joule station: --password must be 16-40 printable ASCII characters/m),
      refused(['station', 'add', 'CLI-ST', '--profile', '0', '--status', 'Maybe'], /^joule station: --status must be one of Pending, Accepted, Rejected/m),
    ]);
    assert.match((await added).stdout, /station CLI-OK registered \(security profile 1, Accepted\)/);
    await joule('station', 'add', 'CLI-PENDING', '--profile', '0');

    const list = (await joule('station', 'list')).stdout.trim().split('\n').sort();
    assert.deepEqual(list, ['CLI-OK\toffline\tAccepted\tprofile 1\t-', 'CLI-PENDING\toffline\tPending\tprofile 0\t-']);

    const database = await storage.open();
    const stations = createRepositories(database).stations;
    const ok = await stations.get('CLI-OK');
    assert.equal(ok?.registrationStatus, 'Accepted');
    assert.ok(ok.passwordHash !== null && (await verifyPassword('a-long-random-password-1234', ok.passwordHash)), 'the password is stored hashed');
    assert.equal((await stations.get('CLI-PENDING'))?.registrationStatus, 'Pending');
    for (const id of ['CLI:BAD', 'CLI-SHORT', 'CLI-ST']) assert.equal(await stations.get(id), undefined);
    await database.close();
  }));
