/**
 * `joule apikey create | list | delete` against an on-disk embedded database (a copy of the migrated test
 * template): `create` through the real executable, the rest in-process (each process start loads tsx and PGlite,
 * which is slow on a busy machine), then the key checked in storage.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { findApiKey } from '../../src/api/keys.ts';
import { apikeyCommand } from '../../src/cli/apikey.ts';
import { extraCommands } from '../../src/cli/commands.ts';
import { createRepositories } from '../../src/storage/index.ts';
import { withTestDatabase } from '../support/db.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/joule.mjs');

/** Runs the command in this process and returns what it printed. */
async function inProcess(args: string[]): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
  try {
    await apikeyCommand.run(args);
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}

test('joule apikey: create prints the key once, list shows it without the key, delete revokes it', async () => {
  assert.ok(extraCommands.includes(apikeyCommand), 'registered as a CLI command');
  await withTestDatabase('pglite', async (storage) => {
    const dataDir = storage.options.dataDir ?? assert.fail('a PGlite folder');
    const env = { ...process.env, JOULE_DATA_DIR: dataDir, DATABASE_URL: '', JOULE_CONFIG: '' };
    const created = (await run(process.execPath, [BIN, 'apikey', 'create', 'ci robot'], { env, timeout: 110_000 })).stdout;
    const key = /(jk_[A-Za-z0-9_-]{43})/.exec(created)?.[1];
    assert.ok(key, created);

    Object.assign(process.env, { JOULE_DATA_DIR: dataDir, DATABASE_URL: '', JOULE_CONFIG: '' });
    const listed = await inProcess(['list']);
    assert.match(listed, /ci robot/);
    assert.ok(!listed.includes(key), 'list never shows the key');
    const id = /^([0-9a-f-]{36})\tci robot/m.exec(listed)?.[1];
    assert.ok(id, listed);

    const database = await storage.open();
    assert.equal((await findApiKey(createRepositories(database).apiKeys, key))?.id, id);
    await database.close();

    assert.match(await inProcess(['delete', id]), /deleted/);
    await assert.rejects(inProcess(['delete', id]), /no API key/);
    await assert.rejects(inProcess(['delete', 'not-a-uuid']), /UUID/);
    await assert.rejects(inProcess(['create']), /needs a name/);
  });
});
