/**
 * Runs a test on every database backend: PGlite always, PostgreSQL too when TEST_DATABASE_URL is set. Each test
 * gets storage of its own — a fresh PGlite data folder or a fresh PostgreSQL schema — removed when the test ends.
 * PGlite folders are copies of a template made once (initdb and migrations take seconds, a copy milliseconds),
 * kept in /dev/shm when there is one (data folders are file-heavy and disks slow).
 *
 *   forEachDatabase('stores a station', async (env) => {
 *     const database = await env.open();            // closed automatically
 *     const repos = createRepositories(database);
 *   });
 *
 * `env.open()` may be called again (after closing) to reopen the same storage, e.g. to simulate a restart;
 * `env.options` are the openDatabase options, for code under test that opens the database itself.
 */
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../src/storage/db.ts';

export type Backend = 'pglite' | 'postgres';

export interface TestDatabaseEnv {
  backend: Backend;
  /** What to pass to openDatabase to reach this test's storage. */
  options: OpenDatabaseOptions;
  /** Opens this test's storage (with `extra` options merged in); every handle is closed when the test ends. */
  open(extra?: Partial<OpenDatabaseOptions>): Promise<Database>;
}

/** The backends this run covers. */
export function testBackends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Registers `name [backend]` once per backend. */
export function forEachDatabase(name: string, fn: (env: TestDatabaseEnv, t: TestContext) => Promise<void>): void {
  for (const backend of testBackends()) {
    // Storage goes only after the test's own after-hooks: those stop the apps that still use it (dropping a schema
    // under a running app deadlocked with its background queries). Registered last, so it runs last.
    test(`${name} [${backend}]`, (t) => withTestDatabase(backend, (env) => fn(env, t), (cleanup) => t.after(cleanup)));
  }
}

/**
 * Creates storage for one test, runs `fn`, then closes every handle and removes the storage; with `defer`, that
 * cleanup is handed to it instead of being run at once (forEachDatabase makes it the test's last after-hook).
 */
export async function withTestDatabase<T>(backend: Backend, fn: (env: TestDatabaseEnv) => Promise<T>, defer?: (cleanup: () => Promise<void>) => void): Promise<T> {
  const storage = backend === 'postgres' ? await postgresStorage() : await pgliteStorage();
  const handles: Database[] = [];
  const env: TestDatabaseEnv = {
    backend,
    options: storage.options,
    async open(extra = {}) {
      const database = await openDatabase({ ...storage.options, ...extra });
      handles.push(database);
      return database;
    },
  };
  const cleanup = async (): Promise<void> => {
    for (const handle of handles) await handle.close();
    await storage.remove();
  };
  try {
    return await fn(env);
  } finally {
    if (defer) defer(cleanup);
    else await cleanup();
  }
}

interface Storage {
  options: OpenDatabaseOptions;
  remove(): Promise<void>;
}

async function postgresStorage(): Promise<Storage> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `joule_test_${randomBytes(6).toString('hex')}`;
  return {
    options: { url, schema, poolSize: 4 },
    async remove() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

async function pgliteStorage(): Promise<Storage> {
  const dataDir = mkdtempSync(join(scratchDir(), 'joule-test-'));
  cpSync(await pgliteTemplate(), dataDir, { recursive: true });
  return {
    options: { dataDir },
    async remove() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function scratchDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

let template: Promise<string> | undefined;

/**
 * A migrated PGlite data folder, shared by every test process. Its name hashes the PGlite version and the
 * migration sources, so changing either builds a new one.
 */
function pgliteTemplate(): Promise<string> {
  return (template ??= (async () => {
    const hash = createHash('sha256');
    const pkg = join(dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite'))), '..', 'package.json');
    hash.update((JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version);
    const migrations = fileURLToPath(new URL('../../src/storage/migrations/', import.meta.url));
    for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(join(migrations, name)));
    const dir = join(scratchDir(), `joule-pglite-template-${hash.digest('hex').slice(0, 16)}`);
    if (existsSync(join(dir, 'PG_VERSION'))) return dir;
    // Built aside and renamed into place, so a concurrent test process never sees half a folder.
    const building = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const database = await openDatabase({ dataDir: building });
    await database.close();
    try {
      renameSync(building, dir);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another process got there first
    }
    removeStaleTemplates(dir);
    return dir;
  })());
}

/** Templates of earlier migrations (each tens of MB, in memory on /dev/shm) once nobody can be copying them. */
function removeStaleTemplates(current: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(dirname(current))) {
    const path = join(dirname(current), name);
    if (!name.startsWith('joule-pglite-template-') || path === current) continue;
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}
