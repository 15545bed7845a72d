/**
 * Opens the database: PostgreSQL through a bounded pg pool when a URL is given, otherwise embedded PGlite in a
 * data folder (or in memory). Both speak the same SQL, run the same migrations and return the same JS types.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import { migrateToLatest } from './migrate.ts';
import { pooledCopyFrom, type CopyFrom } from './pg-copy.ts';
import { preparingPool } from './pg-prepared.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { withScopedIntrospection } from './scoped-introspector.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface OpenDatabaseOptions {
  /** postgres://… — use PostgreSQL. Without it, PGlite. */
  url?: string;
  /** PGlite data folder (default ./data); 'memory://' keeps everything in memory. */
  dataDir?: string;
  /** PostgreSQL schema that holds every table (created if missing); default 'public'. */
  schema?: string;
  /** Most pooled PostgreSQL connections (default 10). */
  poolSize?: number;
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  logger?: Logger;
}

export interface Database {
  readonly kind: DatabaseKind;
  readonly schema: string;
  readonly db: Kysely<DB>;
  /** PostgreSQL only: `COPY … FROM STDIN` on a pooled connection of its own, outside any transaction. */
  readonly copyFrom?: CopyFrom;
  /** Registers work to do before the connection closes (flushing write-behind buffers). */
  onClose(hook: () => Promise<void>): void;
  /** Runs the close hooks, then closes the pool or PGlite. Safe to call twice. */
  close(): Promise<void>;
}

const INT8_OID = 20;
/** pg returns int8 as a string, PGlite as a number: both become numbers (ids and counts stay far below 2^53). */
const parseInt8 = (value: string): number => Number(value);

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`);

  const { kind, dialect, copyFrom } = options.url ? postgresDialect(options.url, schema, options.poolSize ?? 10, options.logger) : await pgliteDialect(options.dataDir ?? './data', schema);
  const db = new Kysely<DB>({ dialect: withScopedIntrospection(dialect, schema) });
  const hooks: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        for (const hook of hooks) await hook();
      } finally {
        await db.destroy();
      }
    })());

  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    if (options.migrate ?? true) await migrateToLatest(db, schema, options.logger);
  } catch (err) {
    await db.destroy();
    throw err;
  }

  return { kind, schema, db, copyFrom, onClose: (hook) => void hooks.push(hook), close };
}

interface Backend {
  kind: DatabaseKind;
  dialect: Dialect;
  copyFrom?: CopyFrom;
}

function postgresDialect(url: string, schema: string, poolSize: number, logger?: Logger): Backend {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: 'joule',
    // Fail a query instead of waiting forever when the server is unreachable or every connection is busy.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // search_path is a startup parameter: no extra round trip per connection.
    options: `-c search_path=${schema}`,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // A connection the server drops (a restart, pg_terminate_backend) makes pg emit 'error' on its client, idle or
  // checked out (the pool listens only while it is idle); unhandled, that ends the process. Every client gets this
  // listener once, when the pool opens it: work on a lost connection fails on its own and the pool discards it.
  pool.on('connect', (client) => client.on('error', (err) => logger?.warn({ err }, 'database connection lost')));
  // The pool repeats an idle client's error on itself: already logged by the client's listener.
  pool.on('error', () => undefined);
  return { kind: 'postgres', dialect: new PostgresDialect({ pool: preparingPool(pool) }), copyFrom: pooledCopyFrom(pool) };
}

async function pgliteDialect(dataDir: string, schema: string): Promise<Backend> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { parsers: { [INT8_OID]: parseInt8 } });
  // One session for the life of the process, so setting search_path once is enough (name validated above).
  await pglite.exec(`create schema if not exists ${schema}; set search_path to ${schema}`);
  return { kind: 'pglite', dialect: new PGliteDialect(pglite) };
}
