/**
 * The command_relay table (migration 008): a row per command on its way to another node. Posting and completing
 * send their NOTIFY in the same statement, so the notification goes out exactly when the row is committed.
 */
import { sql, type Kysely } from 'kysely';
import type { OperatorCommand } from '../../domain/commands/types.ts';
import type { JsonObject, JsonValue } from '../../domain/model.ts';
import type { DB } from '../schema.ts';
import { isAliveSql } from './nodes.ts';

export interface RelayRequest {
  id: string;
  targetNode: string;
  replyNode: string;
  stationId: string;
  command: OperatorCommand;
  timeoutMs: number;
}

/** A request this node took on: it runs it within `remainingMs`, what is left of the caller's timeout. */
export interface ClaimedRequest {
  id: string;
  replyNode: string;
  stationId: string;
  command: OperatorCommand;
  remainingMs: number;
}

/** Rows older than their deadline by this much were left by a caller that died (a live one deletes its own). */
const ABANDONED_AFTER = '1 minute';

export interface Mailbox {
  /**
   * Stores the request and NOTIFYs `channel` with `notice`, only when the target node has a heartbeat younger
   * than `staleAfterMs`; returns whether it did (a dead node would never answer).
   */
  post(request: RelayRequest, channel: string, notice: string, staleAfterMs: number): Promise<boolean>;
  /** Takes on one request addressed to `nodeId`, if it is still pending and within its deadline. */
  claim(id: string, nodeId: string): Promise<ClaimedRequest | undefined>;
  /** Takes on every pending request addressed to `nodeId` that is within its deadline. */
  claimPending(nodeId: string): Promise<ClaimedRequest[]>;
  /** Stores the result and NOTIFYs the caller; does nothing when the caller gave up meanwhile (the row is gone). */
  complete(id: string, result: JsonObject, channel: string, notice: string): Promise<void>;
  /** Deletes and returns those of `ids` that are done. */
  takeFinished(ids: readonly string[]): Promise<{ id: string; result: JsonValue | null }[]>;
  /** The caller gives up: deletes the row; returns its result when it was done meanwhile. */
  withdraw(id: string): Promise<{ done: boolean; result: JsonValue | null } | undefined>;
  /** Deletes the rows of callers that died; returns how many. */
  purgeAbandoned(): Promise<number>;
}

interface ClaimedRow {
  id: string;
  reply_node: string;
  station_id: string;
  command: JsonValue;
  remaining_ms: number;
}

function toClaimed(row: ClaimedRow): ClaimedRequest {
  // Written by post() from an OperatorCommand (the API validated it on the caller's node).
  return { id: row.id, replyNode: row.reply_node, stationId: row.station_id, command: row.command as unknown as OperatorCommand, remainingMs: row.remaining_ms };
}

export function createMailbox(db: Kysely<DB>): Mailbox {
  /** The fields a claim returns; remaining_ms on the database clock, like the deadline. */
  const claimed = sql<ClaimedRow>`id, reply_node, station_id, command, ceil(extract(epoch from deadline - now()) * 1000)::int as remaining_ms`;

  return {
    async post(request, channel, notice, staleAfterMs) {
      const { rows } = await sql`
        with posted as (
          insert into command_relay (id, target_node, reply_node, station_id, command, deadline)
          select ${request.id}, ${request.targetNode}, ${request.replyNode}, ${request.stationId}, ${JSON.stringify(request.command)},
                 now() + ${request.timeoutMs}::int * interval '1 millisecond'
          where ${isAliveSql(request.targetNode, staleAfterMs)}
          returning id
        )
        select pg_notify(${channel}, ${notice}) from posted
      `.execute(db);
      return rows.length > 0;
    },

    async claim(id, nodeId) {
      const { rows } = await sql<ClaimedRow>`
        update command_relay set status = 'running'
        where id = ${id} and target_node = ${nodeId} and status = 'pending' and deadline > now()
        returning ${claimed}
      `.execute(db);
      return rows[0] && toClaimed(rows[0]);
    },

    async claimPending(nodeId) {
      const { rows } = await sql<ClaimedRow>`
        update command_relay set status = 'running'
        where target_node = ${nodeId} and status = 'pending' and deadline > now()
        returning ${claimed}
      `.execute(db);
      return rows.map(toClaimed);
    },

    async complete(id, result, channel, notice) {
      await sql`
        with done as (
          update command_relay set status = 'done', outcome = ${JSON.stringify(result)} where id = ${id} and status = 'running' returning id
        )
        select pg_notify(${channel}, ${notice}) from done
      `.execute(db);
    },

    async takeFinished(ids) {
      if (ids.length === 0) return [];
      const { rows } = await sql<{ id: string; outcome: JsonValue | null }>`
        delete from command_relay where id = any(${ids}::uuid[]) and status = 'done' returning id, outcome
      `.execute(db);
      return rows.map((row) => ({ id: row.id, result: row.outcome }));
    },

    async withdraw(id) {
      const row = await db.deleteFrom('command_relay').where('id', '=', id).returning(['status', 'outcome']).executeTakeFirst();
      return row && { done: row.status === 'done', result: row.outcome };
    },

    async purgeAbandoned() {
      const result = await sql`delete from command_relay where deadline < now() - ${ABANDONED_AFTER}::interval`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}
