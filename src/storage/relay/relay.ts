/**
 * Commands between nodes on one PostgreSQL database: the domain's CommandRelay port, over the command_relay
 * mailbox (migration 008) and LISTEN/NOTIFY, one channel per node.
 *
 * - The node the operator asked (forward): posts the command with the caller's deadline, which NOTIFYs the
 *   target's channel with the row id, and waits for the reply notification. At the deadline it withdraws the row
 *   and answers 'timeout', unless the outcome had been stored unnoticed (then that is the answer).
 * - The node holding the station (serve): on a request notification, and for every pending row addressed to it
 *   after its listener (re)connects, claims the row, runs the command on its own connections only, stores the
 *   outcome and NOTIFYs the caller.
 *
 * A target without a fresh heartbeat in the node registry (nodes.ts) is dead: the command is not posted and the
 * station is offline at once, rather than at the timeout. A target that dies while a command waits on it is found
 * the same way, by a check of the waited-on nodes every third of the staleness: the command is withdrawn and the
 * station is offline then, not at the caller's deadline.
 *
 * Notifications are hints, the rows are the truth: a request lost while the target was not listening is found when
 * it listens again, a reply lost while the caller was not listening when the caller listens again (or at the
 * deadline). A row is run at most once (claimed pending → running) and never after its deadline.
 */
import { randomUUID } from 'node:crypto';
import type { CommandOutcome, CommandRelay, StationCommandGateway } from '../../domain/commands/types.ts';
import { CommandError } from '../../domain/commands/types.ts';
import type { JsonObject, JsonValue } from '../../domain/model.ts';
import { createChannelListener, type NodeChannelOptions } from './listener.ts';
import { createMailbox, type ClaimedRequest } from './mailbox.ts';
import { aliveNodes, DEFAULT_STALE_AFTER_MS } from './nodes.ts';
import { nodeChannel, noticeText, packFailure, packOutcome, parseNotice, unpackResult } from './wire.ts';

export interface CommandRelayOptions extends NodeChannelOptions {
  /** Runs commands other nodes send here, on this node's connections only (it must never forward them again). */
  local: StationCommandGateway;
  /** A target node whose heartbeat is older than this is dead (default: the registry's). */
  staleAfterMs?: number;
}

export interface NodeCommandRelay extends CommandRelay {
  /** Starts listening; resolves once listening or once the first attempt failed (it keeps trying). */
  start(): Promise<void>;
  /** Stops listening, finishes the commands it is running for other nodes, and gives up those it waits for. */
  close(): Promise<void>;
}

/** A forwarded command waiting for its outcome. */
interface Waiter {
  targetNode: string;
  finish(result: JsonValue | null): void;
  /** Withdraws the request and settles with its outcome if it was stored meanwhile, else as `reason` says. */
  giveUp(reason?: 'timeout' | 'target-dead'): Promise<void>;
}

export function createCommandRelay(options: CommandRelayOptions): NodeCommandRelay {
  const { nodeId, logger } = options;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const mailbox = createMailbox(options.db);
  const channelOf = (node: string): string => nodeChannel(options.schema, node);
  const waiting = new Map<string, Waiter>();
  /** Work started by notifications (serving requests, collecting replies), so close() can wait for it. */
  const busy = new Set<Promise<void>>();

  /** Checks the nodes that commands wait on while any do; gives up on those of nodes found dead. */
  let watch: NodeJS.Timeout | undefined;
  function watchTargets(): void {
    if (watch !== undefined || waiting.size === 0) return;
    watch = setInterval(() => {
      if (waiting.size === 0) {
        clearInterval(watch);
        watch = undefined;
        return;
      }
      track('checking the nodes commands wait on', giveUpOnDeadTargets());
    }, Math.max(100, Math.floor(staleAfterMs / 3)));
    watch.unref();
  }

  async function giveUpOnDeadTargets(): Promise<void> {
    const targets = new Set([...waiting.values()].map((waiter) => waiter.targetNode));
    const alive = await aliveNodes(options.db, [...targets], staleAfterMs);
    await Promise.all([...waiting.values()].filter((waiter) => !alive.has(waiter.targetNode)).map((waiter) => waiter.giveUp('target-dead')));
  }

  function track(what: string, work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => logger.error({ err: error }, `command relay: ${what} failed`)).finally(() => busy.delete(tracked));
    busy.add(tracked);
  }

  async function serve(request: ClaimedRequest): Promise<void> {
    let result: JsonObject;
    try {
      result = packOutcome(await options.local.execute(request.stationId, request.command, { timeoutMs: request.remainingMs }));
    } catch (error) {
      if (!(error instanceof CommandError)) logger.error({ err: error, station: request.stationId }, 'relayed command failed');
      result = packFailure(error);
    }
    await mailbox.complete(request.id, result, channelOf(request.replyNode), noticeText({ kind: 'reply', id: request.id }));
  }

  async function collect(ids: readonly string[]): Promise<void> {
    const mine = ids.filter((id) => waiting.has(id));
    for (const { id, result } of await mailbox.takeFinished(mine)) waiting.get(id)?.finish(result);
  }

  /** After a (re)connect: what was notified while nobody listened. */
  async function catchUp(): Promise<void> {
    await collect([...waiting.keys()]);
    const purged = await mailbox.purgeAbandoned();
    if (purged > 0) logger.info({ purged }, 'command relay: removed requests whose caller went away');
    await Promise.all((await mailbox.claimPending(nodeId)).map(serve));
  }

  const listener = createChannelListener({
    url: options.url,
    channel: channelOf(nodeId),
    logger,
    ...options.listener,
    onNotification(text) {
      const notice = parseNotice(text);
      if (!notice) return void logger.warn({ notice: text }, 'command relay: unreadable notification ignored');
      if (notice.kind === 'reply') return track('collecting a reply', collect([notice.id]));
      track(
        'serving a request',
        mailbox.claim(notice.id, nodeId).then((request) => request && serve(request)),
      );
    },
    onListening: () => track('catching up', catchUp()),
  });

  return {
    start: () => listener.start(),

    forward(targetNode, stationId, command, { timeoutMs }): Promise<CommandOutcome> {
      const id = randomUUID();
      return new Promise<CommandOutcome>((resolve, reject) => {
        const settle = (outcome: () => CommandOutcome): void => {
          if (!waiting.delete(id)) return;
          clearTimeout(timer);
          try {
            resolve(outcome());
          } catch (error) {
            reject(error);
          }
        };
        const timeout = (): CommandOutcome => {
          throw new CommandError('timeout', `station ${stationId}: no answer through node ${targetNode} within ${timeoutMs} ms`);
        };
        const targetDead = (): CommandOutcome => {
          throw new CommandError('offline', `station ${stationId} is not connected: node ${targetNode}, which its record names, is not running`);
        };
        const waiter: Waiter = {
          targetNode,
          finish: (result) => settle(() => unpackResult(result, targetNode)),
          async giveUp(reason = 'timeout') {
            const row = await mailbox.withdraw(id).catch((error: unknown) => void logger.warn({ err: error, station: stationId }, 'command relay: could not withdraw a request'));
            settle(row?.done ? () => unpackResult(row.result, targetNode) : reason === 'target-dead' ? targetDead : timeout);
          },
        };
        // Registered before the row exists: the reply may come before post() resolves.
        waiting.set(id, waiter);
        watchTargets();
        const timer = setTimeout(() => void waiter.giveUp(), timeoutMs);
        logger.debug({ station: stationId, node: targetNode, command: command.name }, 'command relayed to the node holding the station');
        mailbox
          .post({ id, targetNode, replyNode: nodeId, stationId, command, timeoutMs }, channelOf(targetNode), noticeText({ kind: 'request', id }), staleAfterMs)
          .then(
            (posted) => {
              if (!posted) settle(targetDead);
            },
            (error: unknown) =>
              settle(() => {
                throw error;
              }),
          );
      });
    },

    async close() {
      clearInterval(watch);
      watch = undefined;
      await listener.close();
      // Normally none: the app closes the relay after its HTTP server and command jobs.
      await Promise.all([...waiting.values()].map((waiter) => waiter.giveUp()));
      while (busy.size > 0) await Promise.all([...busy]);
    },
  };
}
