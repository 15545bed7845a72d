/**
 * A dedicated PostgreSQL connection that LISTENs on one channel (the command relay's, the live events'). LISTEN
 * belongs to a session, so it cannot use a pooled connection (handed back, it would listen for whoever takes it next). The connection is opened again
 * whenever it drops, waiting longer after each failed attempt while the server is away, and a periodic query finds
 * a connection that died without a word. Notifications sent while it was down are lost for good: `onListening`
 * runs after every (re)connect so that the owner can look for what it missed.
 *
 * The session's application_name is the channel, so pg_stat_activity shows which node's listener it is.
 */
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../shared/logger.ts';
import type { DB } from '../schema.ts';

/** What a node's part that listens on a channel of its own needs (the command relay, the live events). */
export interface NodeChannelOptions {
  db: Kysely<DB>;
  /** Where the listener connects (its own connection, outside the pool). */
  url: string;
  /** The database schema: channels are per schema. */
  schema: string;
  nodeId: string;
  logger: Logger;
  /** Reconnect and ping timing of the listener (tests). */
  listener?: Pick<ChannelListenerOptions, 'reconnectDelayMs' | 'pingIntervalMs'>;
}

export interface ChannelListenerOptions {
  url: string;
  channel: string;
  logger: Logger;
  onNotification(payload: string): void;
  /** After each successful LISTEN, the first included. */
  onListening(): void;
  /** Wait before the first reconnect attempt, doubled after each failed one up to 10 s (default 250 ms). */
  reconnectDelayMs?: number;
  /** How often the connection is checked with a query (default 15 000 ms). */
  pingIntervalMs?: number;
}

export interface ChannelListener {
  /** Resolves once listening, or once the first attempt failed (it keeps trying in the background). */
  start(): Promise<void>;
  close(): Promise<void>;
}

const MAX_RECONNECT_DELAY_MS = 10_000;
/** Connect, LISTEN and ping each get this long before the connection counts as lost. */
const QUERY_TIMEOUT_MS = 10_000;

export function createChannelListener(options: ChannelListenerOptions): ChannelListener {
  const { url, channel, logger } = options;
  const firstDelayMs = options.reconnectDelayMs ?? 250;
  let delayMs = firstDelayMs;
  let current: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let closed = false;
  /** Clients already given up (a dead client may report 'error' and 'end' both). */
  const retired = new WeakSet<pg.Client>();

  function lost(client: pg.Client, error?: unknown): void {
    if (retired.has(client)) return;
    retired.add(client);
    client.removeAllListeners('notification');
    // Not awaited: on a dead socket the goodbye may never complete. Its 'error' listener stays to swallow the rest.
    client.end().catch(() => undefined);
    if (current === client) {
      current = undefined;
      clearInterval(pingTimer);
    }
    if (closed) return;
    logger.warn({ err: error, channel, retryInMs: delayMs }, 'database listener has no connection: retrying');
    reconnectTimer = setTimeout(() => void connect(), delayMs);
    delayMs = Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS);
  }

  function connect(): Promise<void> {
    return (connecting = (async () => {
      const client = new pg.Client({
        connectionString: url,
        application_name: channel,
        keepAlive: true,
        connectionTimeoutMillis: QUERY_TIMEOUT_MS,
        query_timeout: QUERY_TIMEOUT_MS,
      });
      client.on('error', (error) => lost(client, error));
      client.on('end', () => lost(client));
      client.on('notification', (message) => {
        if (message.channel === channel && message.payload !== undefined) options.onNotification(message.payload);
      });
      try {
        await client.connect();
        await client.query(`listen ${client.escapeIdentifier(channel)}`);
      } catch (error) {
        lost(client, error);
        return;
      }
      if (closed || retired.has(client)) {
        lost(client);
        return;
      }
      current = client;
      delayMs = firstDelayMs;
      pingTimer = setInterval(() => void client.query('select 1').catch((error: unknown) => lost(client, error)), options.pingIntervalMs ?? 15_000);
      logger.debug({ channel }, 'database listener listening');
      options.onListening();
    })().finally(() => (connecting = undefined)));
  }

  return {
    start: () => connect(),

    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      await connecting;
      const client = current;
      current = undefined;
      clearInterval(pingTimer);
      if (client) {
        retired.add(client);
        await client.end().catch(() => undefined);
      }
    },
  };
}
