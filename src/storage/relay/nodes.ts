/**
 * The registry of running nodes (cluster_nodes, migration 009), PostgreSQL with several nodes on one schema:
 *
 * - start: a node inserts its row, or takes over the row of an earlier run of the same node id whose heartbeat is
 *   stale (a crash). Over a fresh row of another instance it waits: when that row's heartbeat moves, a second
 *   process with this node id is running and the start is refused (both would record stations under one id and
 *   commands would reach either); when it goes stale instead, the process had just crashed and is taken over.
 * - every `heartbeatMs`: the node refreshes its heartbeat, then sweeps: the rows of nodes whose heartbeat is older
 *   than `staleAfterMs` go, in the same statement as the stations still recorded as connected to them (marked
 *   disconnected), and relay rows long past their deadline are purged. Every node sweeps; the statements are
 *   idempotent, so several nodes sweeping at once only find nothing left to do.
 * - close: the row goes (its stations were disconnected when the gateway closed).
 *
 * Freshness is measured on the database clock, as the relay's deadlines are: nodes' clocks may differ.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Logger } from '../../shared/logger.ts';
import type { DB } from '../schema.ts';
import { createMailbox } from './mailbox.ts';

export const DEFAULT_HEARTBEAT_MS = 5000;
export const DEFAULT_STALE_AFTER_MS = 20_000;

export interface NodeRegistryOptions {
  db: Kysely<DB>;
  nodeId: string;
  logger: Logger;
  /** Heartbeat and sweep period (default 5000 ms). */
  heartbeatMs?: number;
  /** A node whose last heartbeat is older than this is dead (default 20 000 ms); must exceed heartbeatMs. */
  staleAfterMs?: number;
}

/**
 * What the rest of the node does about the registry's findings. Set with `listen`, after start: the registry starts
 * before the services that react (so that a duplicate node id is refused before anything touches its stations).
 */
export interface NodeRegistryListener {
  /**
   * This node's row had been swept as dead (it could not heartbeat for a while) and the heartbeat put it back: the
   * stations it still holds were marked disconnected meanwhile and should be recorded again.
   */
  rejoined?(): void;
  /**
   * This node's sweep removed dead nodes and disconnected their stations (only the sweep that removed a node reports
   * it): the stations' disconnection is to be announced, as their own node would have.
   */
  swept?(report: SweepReport): void;
}

export interface SweepReport {
  /** Node ids found dead and removed. */
  deadNodes: string[];
  /** Stations that were still recorded as connected to them, now disconnected. */
  disconnectedStations: string[];
  /** Relay rows long past their deadline. */
  purgedRequests: number;
}

export interface NodeRegistry {
  /** Registers this node and starts the heartbeat; throws DuplicateNodeError when a live process has this id. */
  start(): Promise<void>;
  /** Sets what is told of a rejoin or a sweep (replaces the previous listener). */
  listen(listener: NodeRegistryListener): void;
  /** One heartbeat now (the timer's job). */
  heartbeat(): Promise<void>;
  /** One sweep now (the timer's job, after each heartbeat). */
  sweep(): Promise<SweepReport>;
  /** Stops the timer and removes this node's row. */
  close(): Promise<void>;
}

export class DuplicateNodeError extends Error {
  constructor(
    readonly nodeId: string,
    heartbeatAgeMs: number,
    staleAfterMs: number,
  ) {
    super(
      `node id "${nodeId}" is in use by another running Joule process (it kept its heartbeat, last ${heartbeatAgeMs} ms ago, ` +
        `while this one waited up to ${staleAfterMs} ms for it to go stale): give each node its own nodeId (JOULE_NODE_ID)`,
    );
    this.name = 'DuplicateNodeError';
  }
}

/** SQL: the time before which a heartbeat is stale, on the database clock. */
const staleBefore = (staleAfterMs: number): RawBuilder<Date> => sql<Date>`now() - ${staleAfterMs}::int * interval '1 millisecond'`;

/** SQL: `nodeId` has a heartbeat younger than `staleAfterMs` (a node without a row is not alive either). */
export function isAliveSql(nodeId: string, staleAfterMs: number): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from cluster_nodes where node_id = ${nodeId} and heartbeat_at >= ${staleBefore(staleAfterMs)})`;
}

/** Which of `nodeIds` have a heartbeat fresher than `staleAfterMs`. */
export async function aliveNodes(db: Kysely<DB>, nodeIds: readonly string[], staleAfterMs: number): Promise<Set<string>> {
  if (nodeIds.length === 0) return new Set();
  const { rows } = await sql<{ node_id: string }>`select node_id from cluster_nodes where node_id = any(${[...nodeIds]}::text[]) and heartbeat_at >= ${staleBefore(staleAfterMs)}`.execute(db);
  return new Set(rows.map((row) => row.node_id));
}

export function createNodeRegistry(options: NodeRegistryOptions): NodeRegistry {
  const { db, nodeId, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  if (staleAfterMs <= heartbeatMs) throw new Error(`cluster: staleAfterMs (${staleAfterMs}) must exceed heartbeatMs (${heartbeatMs})`);
  const instance = randomUUID();
  const stale = staleBefore(staleAfterMs);
  const mailbox = createMailbox(db);
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let closed = false;
  let listener: NodeRegistryListener = {};

  async function heartbeat(): Promise<void> {
    // No row: a sweep took this node for dead (it could not heartbeat in time); the insert puts it back.
    const { rows } = await sql<{ inserted: boolean }>`
      insert into cluster_nodes (node_id, instance) values (${nodeId}, ${instance})
      on conflict (node_id) do update set heartbeat_at = now() where cluster_nodes.instance = excluded.instance
      returning (xmax = 0) as inserted
    `.execute(db);
    const row = rows[0];
    if (row === undefined) {
      logger.error({ nodeId }, 'node registry: another process has taken over this node id (this node was taken for dead): stop one of them');
    } else if (row.inserted) {
      logger.warn({ nodeId }, 'node registry: this node had been taken for dead (no heartbeat in time) and registered again');
      listener.rejoined?.();
    }
  }

  async function sweep(): Promise<SweepReport> {
    const { rows } = await sql<{ dead: string[]; stations: string[] }>`
      with dead as (
        delete from cluster_nodes where heartbeat_at < ${stale} and node_id <> ${nodeId} returning node_id
      ), disconnected as (
        update stations set connected = false, updated_at = now()
        where connected and node_id in (select node_id from dead)
        returning id
      )
      select array(select node_id from dead) as dead, array(select id from disconnected) as stations
    `.execute(db);
    const report: SweepReport = { deadNodes: rows[0]?.dead ?? [], disconnectedStations: rows[0]?.stations ?? [], purgedRequests: await mailbox.purgeAbandoned() };
    if (report.deadNodes.length > 0) {
      logger.warn({ ...report, disconnectedStations: report.disconnectedStations.length }, 'node registry: nodes without a heartbeat removed, their stations marked disconnected');
      if (report.disconnectedStations.length > 0) listener.swept?.(report);
    }
    else if (report.purgedRequests > 0) logger.info(report, 'command relay: removed requests whose caller went away');
    return report;
  }

  /** Inserts this node's row, or takes over a stale one of its node id; false when a fresh one is there. */
  async function register(): Promise<boolean> {
    const { rows } = await sql<{ node_id: string }>`
      insert into cluster_nodes (node_id, instance) values (${nodeId}, ${instance})
      on conflict (node_id) do update set instance = excluded.instance, started_at = now(), heartbeat_at = now()
        where cluster_nodes.heartbeat_at < ${stale}
      returning node_id
    `.execute(db);
    return rows.length > 0;
  }

  function schedule(): void {
    timer = setTimeout(() => {
      ticking = (async () => {
        try {
          await heartbeat();
          await sweep();
        } catch (error) {
          logger.warn({ err: error }, 'node registry: heartbeat or sweep failed (next try at the next beat)');
        }
      })().finally(() => {
        ticking = undefined;
        if (!closed) schedule();
      });
    }, heartbeatMs);
  }

  return {
    async start() {
      // A fresh row of another instance is either a live duplicate or a process that crashed a moment ago (a
      // supervisor restarts at once, long before the heartbeat is stale). Wait and watch: a live holder heartbeats
      // within heartbeatMs and is refused; a dead one goes stale and is taken over.
      const deadline = Date.now() + staleAfterMs + heartbeatMs;
      let firstBeat: string | undefined;
      while (!(await register())) {
        const holder = (
          await sql<{ beat: string; age_ms: number }>`
            select heartbeat_at::text as beat, floor(extract(epoch from now() - heartbeat_at) * 1000)::int as age_ms
            from cluster_nodes where node_id = ${nodeId}
          `.execute(db)
        ).rows[0];
        if (holder === undefined) continue; // it closed meanwhile: try again at once
        if (firstBeat === undefined) {
          firstBeat = holder.beat;
          logger.warn({ nodeId, heartbeatAgeMs: holder.age_ms, staleAfterMs }, 'node id held by another process: waiting to see whether it is alive (a crash just before this start?)');
        } else if (holder.beat !== firstBeat || Date.now() >= deadline) {
          throw new DuplicateNodeError(nodeId, holder.age_ms, staleAfterMs);
        }
        await sleep(Math.min(Math.max(heartbeatMs / 4, 10), 1000));
      }
      logger.debug({ nodeId, heartbeatMs, staleAfterMs }, 'node registered');
      schedule();
    },

    listen(next) {
      listener = next;
    },

    heartbeat,
    sweep,

    async close() {
      closed = true;
      clearTimeout(timer);
      await ticking;
      await db.deleteFrom('cluster_nodes').where('node_id', '=', nodeId).where('instance', '=', instance).execute();
    },
  };
}
