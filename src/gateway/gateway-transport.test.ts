/** After the handshake: compression, size limit, binary frames, replacement, keepalive, shutdown (Part 4 §3.3, §5). */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { OfflineError } from '../protocol/errors.ts';
import type { TestGateway } from './test-support.ts';
import { closed, open, rawUpgrade, readCloseFrame, roundTrip, startGateway } from './test-support.ts';

/** Bytes the client has received on the wire so far. */
function bytesRead(ws: WebSocket): number {
  return (ws as unknown as { _socket: Socket })._socket.bytesRead;
}

/** Answers every CALL the station receives with `payload`. */
function answerCalls(ws: WebSocket, payload: object): void {
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as unknown[];
    if (frame[0] === 2) ws.send(JSON.stringify([3, frame[1], payload]));
  });
}

describe('OcppGateway transport', () => {
  let t: TestGateway;
  const events: string[] = [];

  before(async () => {
    t = await startGateway({ allowUnknownStations: true, maxPayloadBytes: 4096 });
    t.gateway.onConnect((endpoint) => events.push(`connect ${endpoint.identity}`));
    t.gateway.onDisconnect((identity, code) => events.push(`disconnect ${identity} ${code}`));
  });
  after(() => t.close());

  describe('permessage-deflate (RFC 7692; the CSMS SHALL support it, Part 4 §3.3)', () => {
    it('is negotiated when the station offers it', async () => {
      const ws = await open(t.url('COMP1'), 'ocpp2.0.1'); // the ws client offers permessage-deflate by default
      assert.equal(ws.extensions, 'permessage-deflate');
      assert.equal(t.gateway.connectionInfo('COMP1')?.compression, true);
      ws.close();
      await closed(ws);
    });

    it('asks for small windows on both sides', async () => {
      const upgrade = await rawUpgrade(t.url('COMP0'), {
        'Sec-WebSocket-Protocol': 'ocpp2.0.1',
        'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
      });
      assert.equal(upgrade.status, 101);
      assert.equal(upgrade.headers['sec-websocket-extensions'], 'permessage-deflate; client_max_window_bits=10; server_max_window_bits=10');
      upgrade.socket.destroy();
    });

    it('inflates what the station compresses, and by default sends our messages uncompressed', async () => {
      const ws = await open(t.url('COMP2'), 'ocpp2.0.1');
      answerCalls(ws, { status: 'Accepted', data: 'y'.repeat(3000) }); // the ws client compresses this
      const before = bytesRead(ws);
      const reply = await t.gateway.call('COMP2', 'DataTransfer', { vendorId: 'joule', data: 'x'.repeat(3000) });
      assert.equal(reply.data, 'y'.repeat(3000));
      assert.ok(bytesRead(ws) - before > 3000, `3 kB CALL arrived in ${bytesRead(ws) - before} bytes`);
      ws.close();
      await closed(ws);
    });

    it('compresses our messages from `threshold` characters on with compressOutgoing', async () => {
      const g = await startGateway({ allowUnknownStations: true, compression: { compressOutgoing: true, threshold: 256 } });
      try {
        const ws = await open(g.url('COMP3'), 'ocpp2.0.1');
        answerCalls(ws, { status: 'Accepted', data: 'y'.repeat(3000) });
        let before = bytesRead(ws);
        const reply = await g.gateway.call('COMP3', 'DataTransfer', { vendorId: 'joule', data: 'x'.repeat(3000) });
        assert.equal(reply.data, 'y'.repeat(3000));
        assert.ok(bytesRead(ws) - before < 500, `3 kB CALL arrived in ${bytesRead(ws) - before} bytes`);
        // Below the threshold: sent as is (a 2-byte header plus the text).
        const small = JSON.stringify({ vendorId: 'joule', data: 'x'.repeat(100) });
        before = bytesRead(ws);
        await g.gateway.call('COMP3', 'DataTransfer', JSON.parse(small) as { vendorId: string });
        assert.ok(bytesRead(ws) - before > small.length, `small CALL arrived in ${bytesRead(ws) - before} bytes`);
        ws.close();
        await closed(ws);
      } finally {
        await g.close();
      }
    });

    it('is not negotiated when the station does not offer it, and the station works uncompressed', async () => {
      const ws = await open(t.url('PLAIN1'), 'ocpp2.0.1', { perMessageDeflate: false });
      assert.equal(ws.extensions, '');
      assert.equal(t.gateway.connectionInfo('PLAIN1')?.compression, false);
      const reply = await roundTrip(ws, [2, 'p1', 'Heartbeat', {}]);
      assert.equal(reply[0], 3);
      ws.close();
      await closed(ws);
    });

    it('also compresses with stations that cannot be asked for a small window, unless told not to', async () => {
      const upgrade = await rawUpgrade(t.url('NOBITS'), { 'Sec-WebSocket-Protocol': 'ocpp2.0.1', 'Sec-WebSocket-Extensions': 'permessage-deflate' });
      assert.equal(upgrade.status, 101);
      assert.equal(upgrade.headers['sec-websocket-extensions'], 'permessage-deflate; server_max_window_bits=10');
      upgrade.socket.destroy();

      const strict = await startGateway({ allowUnknownStations: true, compression: { acceptUnboundedClientWindow: false } });
      try {
        const refused = await rawUpgrade(strict.url('NOBITS'), { 'Sec-WebSocket-Protocol': 'ocpp2.0.1', 'Sec-WebSocket-Extensions': 'permessage-deflate' });
        assert.equal(refused.status, 101);
        assert.equal(refused.headers['sec-websocket-extensions'], undefined);
        refused.socket.destroy();
      } finally {
        await strict.close();
      }
    });

    it('is not offered when disabled', async () => {
      const off = await startGateway({ allowUnknownStations: true, compression: { enabled: false } });
      try {
        const ws = await open(off.url('X'), 'ocpp2.0.1');
        assert.equal(ws.extensions, '');
        ws.close();
        await closed(ws);
      } finally {
        await off.close();
      }
    });
  });

  describe('limits', () => {
    it('closes with 1009 when a message exceeds maxPayloadBytes', async () => {
      const ws = await open(t.url('BIG1'), 'ocpp2.0.1', { perMessageDeflate: false });
      ws.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'v', data: 'z'.repeat(5000) }]));
      assert.equal((await closed(ws)).code, 1009);
    });

    it('closes with 1009 when a compressed message inflates beyond maxPayloadBytes', async () => {
      const ws = await open(t.url('BOMB1'), 'ocpp2.0.1');
      ws.send(JSON.stringify([2, 'bomb', 'DataTransfer', { vendorId: 'v', data: 'z'.repeat(200_000) }]));
      assert.equal((await closed(ws)).code, 1009);
    });

    it('closes with 1003 on a binary frame (OCPP-J is text)', async () => {
      const ws = await open(t.url('BIN1'), 'ocpp2.0.1');
      ws.send(Buffer.from(JSON.stringify([2, 'bin', 'Heartbeat', {}])));
      assert.deepEqual(await closed(ws), { code: 1003, reason: 'Binary frames are not supported' });
    });
  });

  describe('duplicate identity', () => {
    it('replaces the old connection: 4001 to the old socket, its pending call fails with OfflineError', async () => {
      events.length = 0;
      const first = await open(t.url('DUP'), 'ocpp2.0.1');
      const firstClosed = closed(first);
      // The first station never answers; observe the outcome at once so the rejection is never unhandled.
      const pending = t.gateway.call('DUP', 'Reset', { type: 'Immediate' }).then(() => undefined, (error: unknown) => error);
      const second = await open(t.url('DUP'), 'ocpp2.0.1');
      assert.ok((await pending) instanceof OfflineError);
      assert.deepEqual(await firstClosed, { code: 4001, reason: 'Replaced by a new connection' });
      assert.deepEqual(events.filter((e) => e.endsWith(' DUP') || e.includes(' DUP ')), ['connect DUP', 'disconnect DUP 4001', 'connect DUP']);
      // The old socket closing late must not unregister its successor.
      assert.deepEqual(t.gateway.connectedIdentities().filter((id) => id === 'DUP'), ['DUP']);
      answerCalls(second, { status: 'Accepted' });
      assert.deepEqual(await t.gateway.call('DUP', 'Reset', { type: 'Immediate' }), { status: 'Accepted' });
      second.close();
      await closed(second);
    });

    it('rejects calls to stations that are not connected with OfflineError', async () => {
      await assert.rejects(t.gateway.call('NOT-HERE', 'Reset', { type: 'Immediate' }), (error) => error instanceof OfflineError);
    });
  });

  describe('keepalive (Part 4 §5.2)', () => {
    it('pings, keeps a station that answers and terminates one that does not', async () => {
      const k = await startGateway({ allowUnknownStations: true, pingIntervalMs: 40, pongTimeoutMs: 80 });
      const reasons: string[] = [];
      let muteGone: () => void = () => {};
      const muteDisconnected = new Promise<void>((resolve) => (muteGone = resolve));
      k.gateway.onDisconnect((identity, code, reason) => {
        reasons.push(`${identity} ${code} ${reason}`);
        if (identity === 'MUTE') muteGone();
      });
      try {
        const alive = await open(k.url('ALIVE'), 'ocpp2.0.1');
        const mute = await open(k.url('MUTE'), 'ocpp2.0.1', { autoPong: false });
        let pings = 0;
        alive.on('ping', () => (pings += 1));
        assert.equal((await closed(mute)).code, 1006);
        await muteDisconnected;
        assert.deepEqual(reasons, ['MUTE 1006 Pong timeout']);
        // Several ping periods have passed; the station that answers is still there.
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.ok(pings >= 2, `pings seen: ${pings}`);
        assert.equal(alive.readyState, alive.OPEN);
        assert.deepEqual(k.gateway.connectedIdentities(), ['ALIVE']);
        alive.close();
        await closed(alive);
      } finally {
        await k.close();
      }
    });
  });

  describe('close()', () => {
    it('closes every station with 1001, fails pending calls and refuses new handshakes', async () => {
      const g = await startGateway({ allowUnknownStations: true });
      const disconnects: string[] = [];
      g.gateway.onDisconnect((identity, code) => disconnects.push(`${identity} ${code}`));
      const ws = await open(g.url('SHUT'), 'ocpp2.0.1');
      const wsClosed = closed(ws);
      const pending = g.gateway.call('SHUT', 'Reset', { type: 'Immediate' }).then(() => undefined, (error: unknown) => error);
      const closing = g.gateway.close();
      assert.ok((await pending) instanceof OfflineError);
      assert.deepEqual(await wsClosed, { code: 1001, reason: 'Server shutting down' });
      await closing;
      assert.deepEqual(disconnects, ['SHUT 1001']);
      assert.deepEqual(g.gateway.connectedIdentities(), []);
      await g.close();
    });
  });

  it('answers the handshake of a mismatched station with a close frame, not a reset', async () => {
    const upgrade = await rawUpgrade(t.url('MISMATCH'), { 'Sec-WebSocket-Protocol': 'ocpp1.2' });
    assert.equal((await readCloseFrame(upgrade)).code, 1002);
    upgrade.socket.destroy();
  });
});
