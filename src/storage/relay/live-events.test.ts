/**
 * Live events between two nodes on one PostgreSQL schema, each with its own DomainEvents: a node forwards nothing
 * until another node has live-stream subscribers, then forwards every event, in order, decoded as published; a
 * node never gets its own events back; when the last subscriber goes, the other node stops forwarding after three
 * interest intervals. PostgreSQL only: PGlite is one node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { withTestDatabase } from '../../../test/support/db.ts';
import { DomainEvents, type DomainEvent } from '../../domain/events.ts';
import { silentLogger } from '../../shared/logger.ts';
import type { Database } from '../db.ts';
import { eventsChannel } from './event-wire.ts';
import { createLiveEventRelay, type LiveEventRelay } from './live-events.ts';

const url = process.env.TEST_DATABASE_URL;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const INTEREST_MS = 200;

async function eventually<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const connected = (stationId: string): DomainEvent => ({ type: 'station.connected', stationId, ocppVersion: 'ocpp2.0.1', at: new Date() });

if (url) {
  describe('live events between nodes [postgres]', () => {
    let database: Database;
    let cleanup: (() => Promise<void>) | undefined;
    const relays: LiveEventRelay[] = [];
    /** Every notice on the schema's channel, as a third session sees it. */
    const heard: string[] = [];
    let spy: pg.Client;

    before(async () => {
      await withTestDatabase('postgres', async (env) => void (database = await env.open()), (remove) => (cleanup = remove));
      spy = new pg.Client({ connectionString: url });
      await spy.connect();
      spy.on('notification', (message) => heard.push(message.payload ?? ''));
      await spy.query(`listen ${eventsChannel(database.schema)}`);
    });
    after(async () => {
      for (const relay of relays) await relay.close();
      await spy?.end();
      await cleanup?.();
    });

    async function node(nodeId: string): Promise<{ events: DomainEvents; relay: LiveEventRelay }> {
      const events = new DomainEvents();
      const relay = createLiveEventRelay({ db: database.db, url: url as string, schema: database.schema, nodeId, local: events, logger: silentLogger(), interestIntervalMs: INTEREST_MS });
      relays.push(relay);
      await relay.start();
      return { events, relay };
    }

    test('forwards only while another node has subscribers, in order, never back to the sender', async () => {
      const a = await node('node-a');
      const b = await node('node-b');

      a.events.publish(connected('BEFORE'));
      await sleep(300);
      assert.equal(heard.length, 0, 'nobody subscribed anywhere: not a single notice');

      const onB: DomainEvent[] = [];
      const onA: DomainEvent[] = [];
      const stopB = b.relay.subscribe((event) => onB.push(event));
      a.relay.subscribe((event) => onA.push(event));
      await eventually(() => (heard.some((h) => h.includes('"node-b"')) ? true : undefined), 3000, "B's interest");
      await sleep(100);

      const published: DomainEvent[] = Array.from({ length: 300 }, (_, i) => connected(`CS-${i}`));
      for (const event of published) a.events.publish(event);
      await eventually(() => (onB.length >= published.length ? true : undefined), 5000, 'the events on B');
      assert.deepEqual(onB, published, 'every event, in order, as published');
      assert.deepEqual(onA, [], "A's own events do not come back to it");

      // B's last subscriber leaves: A keeps forwarding for three intervals, then stops.
      stopB();
      await sleep(4 * INTEREST_MS);
      const eventNotices = (): number => heard.filter((notice) => notice.includes('"events"')).length;
      const before = eventNotices();
      a.events.publish(connected('AFTER'));
      await sleep(300);
      assert.equal(eventNotices(), before, 'no events sent once no other node has subscribers');
      assert.ok(!onB.some((event) => event.type === 'station.connected' && event.stationId === 'AFTER'));
    });
  });
}
