/** Station client RPC over a real socket: round trips, CSMS-initiated calls, crossing calls, SEND, close. */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HandlerRegistry } from '../protocol/handlers.ts';
import { OfflineError, RpcError } from '../protocol/errors.ts';
import type { FrameEvent } from '../protocol/endpoint.ts';
import { CsmsPeer } from './testing/peer.ts';
import { clientFor, closeAllClients, nextEvent, schemaValidator, settle } from './testing/fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('StationClient RPC', () => {
  let peer: CsmsPeer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(async () => {
    schemaValidator();
    peer = await CsmsPeer.start();
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await peer.stop();
  });
  beforeEach(() => {
    unhandled.length = 0;
    peer.reset();
  });
  afterEach(async () => {
    await closeAllClients();
    await settle();
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  test('call round trip with a UUID message id', async () => {
    const frames: FrameEvent[] = [];
    const client = clientFor(peer, { onFrame: (event) => frames.push(event) });
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    const response = client.call('Heartbeat', {});
    const [type, id, action, payload] = await connection.nextFrame();
    assert.deepEqual([type, action, payload], [2, 'Heartbeat', {}]);
    assert.match(String(id), UUID);
    connection.send([3, id, { currentTime: '2025-01-01T00:00:00Z' }]);
    assert.deepEqual(await response, { currentTime: '2025-01-01T00:00:00Z' });
    assert.deepEqual(
      frames.map((f) => [f.direction, f.messageType, f.action]),
      [
        ['out', 2, 'Heartbeat'],
        ['in', 3, 'Heartbeat'],
      ],
    );
  });

  test('a CALLERROR rejects the call with RpcError', async () => {
    const client = clientFor(peer);
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    const response = client.call('Heartbeat', {});
    const [, id] = await connection.nextFrame();
    connection.send([4, id, 'NotSupported', 'no heartbeats here', {}]);
    await assert.rejects(response, (error: unknown) => error instanceof RpcError && error.code === 'NotSupported');
  });

  test('an invalid outgoing payload is refused before it reaches the wire', async () => {
    const client = clientFor(peer);
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    await assert.rejects(client.callRaw('Heartbeat', { unexpected: true }), { name: 'InvalidRequestError' });
    await settle();
    assert.equal(connection.unreadFrames, 0);
  });

  test('a CSMS-initiated CALL is answered by the registered handler; unknown ones by the endpoint', async () => {
    const handlers = new HandlerRegistry().on('ocpp2.0.1', 'Reset', (request) => ({ status: request.type === 'Immediate' ? ('Accepted' as const) : ('Scheduled' as const) }));
    const client = clientFor(peer, { handlers });
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    connection.send([2, 'csms-1', 'Reset', { type: 'Immediate' }]);
    assert.deepEqual(await connection.nextFrame(), [3, 'csms-1', { status: 'Accepted' }]);
    connection.send([2, 'csms-2', 'ClearCache', {}]);
    assert.deepEqual((await connection.nextFrame()).slice(0, 3), [4, 'csms-2', 'NotSupported']);
    connection.send([2, 'csms-3', 'NoSuchAction', {}]);
    assert.deepEqual((await connection.nextFrame()).slice(0, 3), [4, 'csms-3', 'NotImplemented']);
  });

  test('crossing CALLs: both sides call at once and both get answered', async () => {
    const handlers = new HandlerRegistry().on('ocpp2.0.1', 'DataTransfer', (request) => ({ status: 'Accepted' as const, data: `echo:${String(request.data)}` }));
    const client = clientFor(peer, { handlers });
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;

    const stationCall = client.call('DataTransfer', { vendorId: 'org.joule', data: 'from-station' });
    const [, stationId, action] = await connection.nextFrame();
    assert.equal(action, 'DataTransfer');
    // The CSMS sends its own CALL before answering ours: the station must answer it while its CALL is outstanding.
    connection.send([2, 'csms-cross', 'DataTransfer', { vendorId: 'org.joule', data: 'from-csms' }]);
    assert.deepEqual(await connection.nextFrame(), [3, 'csms-cross', { status: 'Accepted', data: 'echo:from-csms' }]);
    connection.send([3, stationId, { status: 'Accepted', data: 'ok' }]);
    assert.deepEqual(await stationCall, { status: 'Accepted', data: 'ok' });
  });

  test('one CALL at a time: the second waits until the first is answered (§4.1.1)', async () => {
    const client = clientFor(peer);
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    const first = client.call('Heartbeat', {});
    const second = client.call('StatusNotification', { timestamp: '2025-01-01T00:00:00Z', connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    const [, firstId, firstAction] = await connection.nextFrame();
    assert.equal(firstAction, 'Heartbeat');
    await settle();
    assert.equal(connection.unreadFrames, 0, 'nothing else on the wire while the first is outstanding');
    assert.equal(client.queuedCalls, 1);
    connection.send([3, firstId, { currentTime: '2025-01-01T00:00:00Z' }]);
    const [, secondId, secondAction] = await connection.nextFrame();
    assert.equal(secondAction, 'StatusNotification');
    connection.send([3, secondId, {}]);
    await Promise.all([first, second]);
  });

  test('SEND on ocpp2.1 goes out as message type 6 and is never awaited', async () => {
    const client = clientFor<'ocpp2.1'>(peer, { protocols: ['ocpp2.1'] });
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    const outstanding = client.call('Heartbeat', {});
    const [, callId] = await connection.nextFrame();
    // SEND is allowed while a CALL is outstanding (2.1 §4.2.5).
    client.send('NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: '2025-01-01T00:00:00Z', data: [{ t: 0, v: '1' }] });
    const [type, sendId, action] = await connection.nextFrame();
    assert.deepEqual([type, action], [6, 'NotifyPeriodicEventStream']);
    assert.match(String(sendId), UUID);
    connection.send([3, callId, { currentTime: '2025-01-01T00:00:00Z' }]);
    await outstanding;
  });

  test('SEND while offline throws OfflineError', () => {
    const client = clientFor<'ocpp2.1'>(peer, { protocols: ['ocpp2.1'] });
    assert.throws(() => client.send('NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: '2025-01-01T00:00:00Z', data: [{ t: 0, v: '1' }] }), OfflineError);
  });

  test('close() with calls outstanding and queued: all fail with OfflineError, no unhandled rejection, no reconnect', async () => {
    const client = clientFor(peer);
    const accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    let reconnects = 0;
    client.on('reconnecting', () => (reconnects += 1));
    const closeEvent = nextEvent(client, 'close');
    const calls = [client.call('Heartbeat', {}), client.call('Heartbeat', {}), client.call('Heartbeat', {})];
    const settled = Promise.allSettled(calls);
    await connection.nextFrame();
    await client.close();
    const results = await settled;
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof OfflineError, String(result.reason));
    }
    assert.deepEqual(await closeEvent, [1000, '']);
    assert.deepEqual(await connection.closed, { code: 1000, reason: '' });
    await assert.rejects(client.call('Heartbeat', {}), OfflineError);
    await settle(50);
    assert.equal(reconnects, 0);
  });

  test('close() before the first connect fails queued calls and a pending connect()', async () => {
    const client = clientFor(peer);
    const queued = assert.rejects(client.call('Heartbeat', {}), OfflineError);
    const connecting = assert.rejects(client.connect(), { name: 'ConnectError' });
    await client.close();
    await Promise.all([queued, connecting]);
  });
});
