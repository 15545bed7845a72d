/**
 * Periodic storage upkeep: the message log's retention, and on PGlite what PostgreSQL's autovacuum would do.
 *
 * - Message log entries older than the retention are deleted, a bounded chunk per statement, yielding between
 *   chunks so OCPP traffic keeps its share of the database.
 * - PGlite runs PostgreSQL in single-user mode: no autovacuum ever runs there. Without VACUUM the space of deleted
 *   rows is never reused (the retention would not bound the data folder) and without ANALYZE the planner never
 *   gets statistics, so each run ends with VACUUM of the pruned log and ANALYZE of every table. On PostgreSQL the
 *   server's autovacuum does both.
 * - With several nodes on one PostgreSQL database, an advisory lock lets one node prune at a time.
 */
import { sql } from 'kysely';
import type { Logger } from '../shared/logger.ts';
import type { Database } from './db.ts';
import type { Executor } from './repositories/convert.ts';
import { PRUNE_CHUNK, pruneMessageLog } from './repositories/message-log.ts';

export interface MaintenanceOptions {
  database: Database;
  /** Entries older than this many days are deleted; 0 keeps the log forever. */
  retentionDays: number;
  /** Time between runs (default one hour); the first run is one interval after start. */
  intervalMs?: number;
  /** Entries deleted per statement (default PRUNE_CHUNK, 10,000). */
  chunk?: number;
  logger: Logger;
  now?: () => Date;
}

export interface MaintenanceReport {
  pruned: number;
  /** PGlite only: ANALYZE ran, and VACUUM of the log when entries were deleted. */
  vacuumed: boolean;
}

export interface Maintenance {
  /** One run now (also what the timer does); runs never overlap. */
  run(): Promise<MaintenanceReport>;
  /** Stops the timer and waits for a run in progress. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** Advisory lock key of the retention job (any constant unique to it). */
export const PRUNE_LOCK = 0x4a6f_756c;

export function startMaintenance(options: MaintenanceOptions): Maintenance {
  const { database, logger } = options;
  const chunk = options.chunk ?? PRUNE_CHUNK;
  const now = options.now ?? (() => new Date());
  let running: Promise<MaintenanceReport> | undefined;
  let closed = false;

  /** Chunk after chunk until none is full, yielding in between so other statements get their turn. */
  async function pruneAll(db: Executor, olderThan: Date): Promise<number> {
    let pruned = 0;
    for (;;) {
      const deleted = await pruneMessageLog(db, olderThan, chunk);
      pruned += deleted;
      if (deleted < chunk || closed) return pruned;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * PostgreSQL: on one connection that holds a session advisory lock, so that with several nodes one prunes and the
   * others, finding the lock taken, skip. PGlite is one process's alone (and one session: holding a connection
   * would stop every other statement until the prune ends).
   */
  async function prune(olderThan: Date): Promise<number> {
    if (database.kind === 'pglite') return pruneAll(database.db, olderThan);
    return database.db.connection().execute(async (conn) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${PRUNE_LOCK}) as locked`.execute(conn);
      if (rows[0]?.locked !== true) return 0;
      try {
        return await pruneAll(conn, olderThan);
      } finally {
        await sql`select pg_advisory_unlock(${PRUNE_LOCK})`.execute(conn);
      }
    });
  }

  async function runOnce(): Promise<MaintenanceReport> {
    const pruned = options.retentionDays > 0 ? await prune(new Date(now().getTime() - options.retentionDays * DAY_MS)) : 0;
    let vacuumed = false;
    if (database.kind === 'pglite') {
      if (pruned > 0) await sql`vacuum message_log`.execute(database.db);
      await sql`analyze`.execute(database.db);
      vacuumed = true;
    }
    if (pruned > 0) logger.info({ pruned, retentionDays: options.retentionDays }, 'message log entries past their retention deleted');
    return { pruned, vacuumed };
  }

  function run(): Promise<MaintenanceReport> {
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    run().catch((err: unknown) => logger.error({ err }, 'storage maintenance failed'));
  }, options.intervalMs ?? 3_600_000);
  timer.unref();

  return {
    run,
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
