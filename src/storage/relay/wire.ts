/**
 * What travels between nodes: the channel each node listens on, the notifications (row ids only: NOTIFY payloads
 * are limited to 8000 bytes), and a command's outcome or failure as JSON, turned back on the caller's side into
 * exactly what the target's gateway returned or threw.
 */
import { createHash } from 'node:crypto';
import { CommandError, type CommandFailureKind, type CommandOutcome } from '../../domain/commands/types.ts';
import type { JsonObject, JsonValue } from '../../domain/model.ts';
import { isJsonObject } from '../../shared/json.ts';

/**
 * The channel a node LISTENs on. NOTIFY reaches every session of the database whatever its schema, and several
 * deployments (and test runs) may share one database, so the schema is part of the name; a channel is an
 * identifier of at most 63 bytes and a node id may be longer, hence the hash.
 */
export function nodeChannel(schema: string, nodeId: string): string {
  return channelName('joule_node_', `${schema}/${nodeId}`);
}

/** A channel name: `prefix` and a hash of `key` (a channel is an identifier of at most 63 bytes). */
export function channelName(prefix: string, key: string): string {
  return `${prefix}${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** A request for the target node, or the reply to the node that waits for it; `id` is the command_relay row. */
export interface Notice {
  kind: 'request' | 'reply';
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const noticeText = (notice: Notice): string => `${notice.kind}:${notice.id}`;

export function parseNotice(text: string): Notice | undefined {
  const [kind, id, ...rest] = text.split(':');
  if ((kind !== 'request' && kind !== 'reply') || id === undefined || !UUID.test(id) || rest.length > 0) return undefined;
  return { kind, id };
}

type Rpc = NonNullable<CommandError['rpc']>;

/** The outcome as stored in command_relay.outcome; `status` is null when the answer has none. */
export function packOutcome(outcome: CommandOutcome): JsonObject {
  return { outcome: { calls: outcome.calls, status: outcome.status ?? null, ...(outcome.result === undefined ? {} : { result: outcome.result }) } };
}

/** A CommandError keeps its kind, message and CALLERROR; anything else is an internal error, logged where it happened. */
export function packFailure(error: unknown): JsonObject {
  if (error instanceof CommandError) return { failure: { kind: error.kind, message: error.message, ...(error.rpc ? { rpc: error.rpc } : {}) } };
  return { failure: { kind: 'internal', message: 'internal error (see the log of the node that ran the command)' } };
}

/** Every kind, so that a new one cannot be forgotten here (it would arrive as an internal error). */
const FAILURE_KINDS: Record<CommandFailureKind, true> = { offline: true, timeout: true, rejected: true, invalid: true, 'not-found': true };
const isFailureKind = (kind: JsonValue | undefined): kind is CommandFailureKind => typeof kind === 'string' && Object.hasOwn(FAILURE_KINDS, kind);

/** Returns what the target's gateway returned, or throws what it threw (a CommandError of the same kind). */
export function unpackResult(stored: JsonValue | null, targetNode: string): CommandOutcome {
  const packed = isJsonObject(stored) ? stored : {};
  const outcome = packed.outcome;
  if (isJsonObject(outcome) && Array.isArray(outcome.calls)) {
    // Written by packOutcome from a CommandOutcome: the calls are that outcome's.
    const calls = outcome.calls as CommandOutcome['calls'];
    const status = typeof outcome.status === 'string' ? outcome.status : undefined;
    return isJsonObject(outcome.result) ? { calls, status, result: outcome.result } : { calls, status };
  }
  const failure = isJsonObject(packed.failure) ? packed.failure : {};
  const message = typeof failure.message === 'string' ? failure.message : 'no message';
  if (isFailureKind(failure.kind)) throw new CommandError(failure.kind, message, rpcOf(failure.rpc));
  throw new Error(`command failed on node ${targetNode}: ${message}`);
}

function rpcOf(value: JsonValue | undefined): Rpc | undefined {
  if (!isJsonObject(value) || typeof value.code !== 'string' || typeof value.description !== 'string') return undefined;
  return { code: value.code, description: value.description, details: isJsonObject(value.details) ? value.details : {} };
}
