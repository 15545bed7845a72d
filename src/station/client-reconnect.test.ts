/** Station client reconnection (Part 4 §5.3): back-off through an injected clock, reset, ping, BootNotification. */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { OfflineError } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/types.ts';
import { ConnectError } from './errors.ts';
import { ManualClock } from './testing/manual-clock.ts';
import { CsmsPeer } from './testing/peer.ts';
import { BOOT_201, bootAccepted, clientFor, closeAllClients, nextEvent, schemaValidator, settle, until } from './testing/fixtures.ts';

describe('StationClient reconnect', () => {
  let peer: CsmsPeer;
  before(async () => {
    schemaValidator();
    peer = await CsmsPeer.start();
  });
  after(() => peer.stop());
  beforeEach(() => peer.reset());
  afterEach(() => closeAllClients());

  test('server down: the delays requested follow RetryBackOff* exactly, and close() stops them', async () => {
    const down = await CsmsPeer.start();
    const url = down.url;
    await down.stop();
    const clock = new ManualClock();
    const client = clientFor(peer, { url, clock, random: () => 0.5, backoff: { waitMinimumS: 10, randomRangeS: 15, repeatTimes: 3 } });
    const events: Array<[number, number]> = [];
    client.on('reconnecting', (attempt, delayMs) => events.push([attempt, delayMs]));
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));

    let scheduled = nextEvent(client, 'reconnecting');
    await assert.rejects(client.connect(), (error: unknown) => error instanceof ConnectError && error.failure === 'network');
    for (let i = 0; i < 5; i += 1) {
      await scheduled;
      scheduled = nextEvent(client, 'reconnecting');
      clock.runNext(); // the wait is over: the next attempt starts, and fails
    }
    await scheduled;
    const expected = [17_500, 42_500, 92_500, 192_500, 192_500, 192_500];
    assert.deepEqual(
      events.map(([, delayMs]) => delayMs),
      expected,
    );
    assert.deepEqual(
      events.map(([attempt]) => attempt),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      clock.timers.map((t) => t.ms),
      expected,
      'the only timers requested are the back-off waits',
    );
    assert.equal(errors.length, 6);
    assert.ok(errors.every((e) => e instanceof ConnectError && /ECONNREFUSED/.test(e.message)));

    await client.close();
    assert.equal(clock.pending().length, 0);
    await settle(50);
    assert.equal(events.length, 6, 'no attempt after close()');
  });

  test('the schedule restarts from the first wait after a successful connection', async () => {
    const clock = new ManualClock();
    const client = clientFor(peer, { clock, backoff: { waitMinimumS: 1, randomRangeS: 0, repeatTimes: 5 } });
    await client.connect();

    // Lost connection; the first attempt is refused, the second succeeds.
    peer.refuseWith = 503;
    let scheduled = nextEvent(client, 'reconnecting');
    peer.dropAll();
    assert.deepEqual(await scheduled, [1, 1_000]);
    scheduled = nextEvent(client, 'reconnecting');
    clock.runNext();
    assert.deepEqual(await scheduled, [2, 2_000]);
    peer.refuseWith = undefined;
    const opened = nextEvent(client, 'open');
    clock.runNext();
    assert.deepEqual(await opened, ['ocpp2.0.1']);

    scheduled = nextEvent(client, 'reconnecting');
    peer.dropAll();
    assert.deepEqual(await scheduled, [1, 1_000], 'reset after the successful connection');
  });

  test('RetryBackOff* changed at run time apply to the next wait', async () => {
    const clock = new ManualClock();
    const client = clientFor(peer, { clock, backoff: { waitMinimumS: 1, randomRangeS: 0, repeatTimes: 5 } });
    await client.connect();
    client.configureBackoff({ waitMinimumS: 42 });
    assert.equal(client.backoffSettings.waitMinimumS, 42);
    const scheduled = nextEvent(client, 'reconnecting');
    peer.dropAll();
    assert.deepEqual(await scheduled, [1, 42_000]);
    assert.throws(() => client.configureBackoff({ repeatTimes: -1 }), RangeError);
  });

  test('an unexpected close emits close, then reconnects and resolves nothing twice', async () => {
    const client = clientFor(peer);
    await client.connect();
    const closed = nextEvent(client, 'close');
    const reopened = nextEvent(client, 'open');
    peer.dropAll();
    const [code] = await closed;
    assert.equal(code, 1006);
    assert.deepEqual(await reopened, ['ocpp2.0.1']);
    assert.equal(client.isConnected, true);
  });

  test('client pings; a CSMS that stops answering them is dropped and the client reconnects', async () => {
    const silent = await CsmsPeer.start({ autoPong: false });
    try {
      const clock = new ManualClock();
      const client = clientFor(silent, { clock, pingIntervalMs: 30_000 });
      const accepted = silent.nextConnection();
      await client.connect();
      const connection = await accepted;
      clock.advance(30_000);
      await until(() => connection.pings === 1, 'the CSMS got the ping');
      const reconnecting = nextEvent(client, 'reconnecting');
      clock.advance(30_000); // no pong since the last ping: the link counts as dead
      await reconnecting;
      assert.equal(client.isConnected, false);
      await client.close();
    } finally {
      await silent.stop();
    }
  });

  describe('BootNotification (§5.3: not repeated after a reconnect unless it changed)', () => {
    function boots(): JsonObject[] {
      return peer
        .allFrames()
        .filter((f) => f[0] === 2 && f[2] === 'BootNotification')
        .map((f) => f[3] as JsonObject);
    }

    test('sent on first connect, skipped after a reconnect, sent again once its content changed', async () => {
      const before = boots().length;
      peer.autoAnswer = (action) => (action === 'BootNotification' ? bootAccepted(60) : undefined);
      const client = clientFor(peer);
      await client.connect();
      const first = await client.boot(BOOT_201);
      assert.equal(first.sent, true);
      assert.equal(first.response.status, 'Accepted');
      assert.equal(first.response.interval, 60);

      const reopened = nextEvent(client, 'open');
      peer.dropAll();
      await reopened;
      // Same content with keys in another order: still the same BootNotification.
      const again = await client.boot({ chargingStation: { vendorName: 'Joule', firmwareVersion: '1.0.0', model: 'J-1' }, reason: 'PowerUp' });
      assert.equal(again.sent, false);
      assert.deepEqual(again.response, first.response);
      assert.equal(boots().length - before, 1);

      const upgraded = { ...BOOT_201, chargingStation: { model: 'J-1', vendorName: 'Joule', firmwareVersion: '1.1.0' } };
      const changed = await client.boot(upgraded);
      assert.equal(changed.sent, true);
      assert.equal(boots().length - before, 2);
      assert.deepEqual(boots().at(-1), upgraded);

      const forced = await client.boot(upgraded, { force: true });
      assert.equal(forced.sent, true, 'force: e.g. TriggerMessage(BootNotification)');
      assert.equal(boots().length - before, 3);
    });

    test('Pending: the next boot waits the interval the CSMS gave before it is sent', async () => {
      let answer: JsonObject = { currentTime: new Date().toISOString(), interval: 30, status: 'Pending' };
      peer.autoAnswer = (action) => (action === 'BootNotification' ? answer : undefined);
      const clock = new ManualClock();
      const client = clientFor(peer, { clock });
      const accepted = peer.nextConnection();
      await client.connect();
      const connection = await accepted;

      const pending = await client.boot(BOOT_201);
      assert.equal(pending.response.status, 'Pending');
      assert.equal(client.nextBootAt, 30_000);

      answer = bootAccepted(300);
      let done = false;
      const retry = client.boot(BOOT_201).then((outcome) => {
        done = true;
        return outcome;
      });
      await settle(50);
      assert.equal(done, false);
      assert.equal(connection.frames.length, 1, 'nothing sent before the interval is over');
      assert.deepEqual(
        clock.pending().map((t) => t.ms),
        [30_000],
      );
      clock.advance(30_000);
      const outcome = await retry;
      assert.equal(outcome.sent, true);
      assert.equal(outcome.response.status, 'Accepted');
      assert.equal(client.nextBootAt, undefined);
      assert.equal(connection.frames.length, 2);
    });

    test('bootUntilAccepted stops at maxAttempts; close() cancels a boot that is waiting', async () => {
      peer.autoAnswer = (action) => (action === 'BootNotification' ? { currentTime: new Date().toISOString(), interval: 10, status: 'Rejected' } : undefined);
      const clock = new ManualClock();
      const client = clientFor(peer, { clock });
      await client.connect();
      const sentBefore = boots().length;
      const looping = client.bootUntilAccepted(BOOT_201, 2);
      await until(() => clock.pending().some((t) => t.ms === 10_000), 'the retry waits for the interval');
      clock.advance(10_000);
      const outcome = await looping;
      assert.equal(outcome.response.status, 'Rejected');
      assert.equal(boots().length - sentBefore, 2, 'one try and one retry, then it stops');

      const waiting = assert.rejects(client.boot(BOOT_201), OfflineError);
      await settle(20);
      await client.close();
      await waiting;
      assert.equal(clock.pending().length, 0);
    });
  });
});
