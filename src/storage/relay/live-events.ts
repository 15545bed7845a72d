/**
 * The live event stream across nodes (PostgreSQL): each node's domain events reach the live-stream clients of the
 * others, over NOTIFY on one channel per schema. It is an EventSource of the other nodes' events, to merge with the
 * node's own (mergeEventSources); they are never published on the node's DomainEvents, where OCPI, roaming and
 * webhooks would handle them a second time.
 *
 * Forwarding costs a NOTIFY per few kilobytes of events, at full load thousands per second, so a node forwards only
 * while another node has live-stream clients: a node with subscribers says so on the channel (interest) when the
 * first one comes, every `interestIntervalMs` after and after each reconnect of its listener; the others forward
 * until they have not heard it for three intervals. Best effort, like the stream itself: an event published while
 * no interest was known, or while the database was away, is not sent later; ordering is kept per sending node.
 */
import { sql } from 'kysely';
import { DomainEvents, type DomainEvent, type DomainEventListener, type EventSource } from '../../domain/events.ts';
import { encodeEvent, eventsChannel, interestText, packEvents, parseEventNotice, withoutCommandPayloads } from './event-wire.ts';
import { createChannelListener, type NodeChannelOptions } from './listener.ts';

export interface LiveEventRelayOptions extends NodeChannelOptions {
  /** This node's events, to forward. */
  local: EventSource;
  /** How often a node with subscribers repeats its interest (default 5 000 ms). */
  interestIntervalMs?: number;
}

export interface LiveEventRelay extends EventSource {
  /** Starts listening; resolves once listening or once the first attempt failed (it keeps trying). */
  start(): Promise<void>;
  /** Stops forwarding and listening, after sending what was already queued. */
  close(): Promise<void>;
}

export function createLiveEventRelay(options: LiveEventRelayOptions): LiveEventRelay {
  const { db, nodeId, logger } = options;
  const channel = eventsChannel(options.schema);
  const intervalMs = options.interestIntervalMs ?? 5000;
  const remote = new DomainEvents((error, event) => logger.error({ err: error, event: event.type }, 'live event listener failed'));
  let subscribers = 0;
  let interestTimer: NodeJS.Timeout | undefined;
  /** When another node last said it has subscribers (ms since the epoch). */
  let peersInterestedAt = Number.NEGATIVE_INFINITY;
  let queued: string[] = [];
  let flushScheduled = false;
  /** Sends run one after another, so a node's events arrive in the order it published them. */
  let sending: Promise<void> = Promise.resolve();
  let closed = false;

  const notify = (payloads: readonly string[]): Promise<void> =>
    sql`select pg_notify(${channel}, p) from unnest(${payloads}::text[]) as p`
      .execute(db)
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ err: error, notices: payloads.length }, 'live events not sent to the other nodes'));

  function announceInterest(): void {
    if (closed || subscribers === 0) return;
    sending = sending.then(() => notify([interestText(nodeId)]));
  }

  function flush(): void {
    flushScheduled = false;
    const encoded = queued;
    queued = [];
    const { notices, dropped } = packEvents(nodeId, encoded, withoutCommandPayloads);
    if (dropped > 0) logger.warn({ dropped }, 'live events too large for a notice were not sent to the other nodes');
    if (notices.length > 0) sending = sending.then(() => notify(notices));
  }

  function forward(event: DomainEvent): void {
    if (closed || Date.now() - peersInterestedAt > 3 * intervalMs) return;
    queued.push(encodeEvent(event));
    if (flushScheduled) return;
    flushScheduled = true;
    // The events of one turn of the event loop go together, in as few notices as they fit in.
    setImmediate(flush);
  }

  function received(payload: string): void {
    const notice = parseEventNotice(payload);
    if (!notice || notice.node === nodeId) return;
    if ('interest' in notice) peersInterestedAt = Date.now();
    else for (const event of notice.events) remote.publish(event);
  }

  const unsubscribeLocal = options.local.subscribe(forward);
  const listener = createChannelListener({ url: options.url, channel, logger, onNotification: received, onListening: announceInterest, ...options.listener });

  return {
    subscribe(listener: DomainEventListener) {
      const unsubscribe = remote.subscribe(listener);
      if (++subscribers === 1 && !closed) {
        announceInterest();
        interestTimer = setInterval(announceInterest, intervalMs);
        interestTimer.unref();
      }
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        unsubscribe();
        if (--subscribers === 0) clearInterval(interestTimer);
      };
    },

    start: () => listener.start(),

    async close() {
      if (closed) return;
      closed = true;
      unsubscribeLocal();
      clearInterval(interestTimer);
      if (flushScheduled) flush();
      await sending;
      await listener.close();
    },
  };
}
