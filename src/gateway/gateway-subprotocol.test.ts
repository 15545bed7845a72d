/** Subprotocol negotiation on one port (Part 4 §3.1.2, §3.2) over real sockets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestGateway } from './test-support.ts';
import { closed, open, rawUpgrade, readCloseFrame, roundTrip, startGateway } from './test-support.ts';
import type { ConnectInfo } from './types.ts';

describe('OcppGateway subprotocol negotiation', () => {
  let t: TestGateway;
  const connects: ConnectInfo[] = [];

  before(async () => {
    t = await startGateway({
      stations: {
        ANY: { securityProfile: 0 },
        ONLY16: { securityProfile: 0, allowedVersions: ['ocpp1.6'] },
        OLD16: { securityProfile: 0, fallbackVersion: 'ocpp1.6' },
      },
    });
    t.gateway.onConnect((_endpoint, info) => connects.push(info));
  });
  after(() => t.close());

  it("chooses by the station's preference: 'ocpp2.0.1, ocpp1.6' → ocpp2.0.1", async () => {
    const ws = await open(t.url('ANY'), ['ocpp2.0.1', 'ocpp1.6']);
    assert.equal(ws.protocol, 'ocpp2.0.1');
    assert.equal(t.gateway.endpoint('ANY')?.version, 'ocpp2.0.1');
    ws.close();
    await closed(ws);
  });

  it("follows the station's order, not the server's: 'ocpp1.6, ocpp2.1' → ocpp1.6", async () => {
    const ws = await open(t.url('ANY'), ['ocpp1.6', 'ocpp2.1']);
    assert.equal(ws.protocol, 'ocpp1.6');
    ws.close();
    await closed(ws);
  });

  it('skips versions the station is not allowed: only 1.6 allowed → ocpp1.6', async () => {
    const ws = await open(t.url('ONLY16'), ['ocpp2.0.1', 'ocpp1.6']);
    assert.equal(ws.protocol, 'ocpp1.6');
    const reply = await roundTrip(ws, [2, 'b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }]);
    assert.equal((reply[2] as { status: string }).status, 'Accepted');
    ws.close();
    await closed(ws);
  });

  it('no common subprotocol: completes the handshake without the header, then closes with 1002', async () => {
    const before = connects.length;
    const upgrade = await rawUpgrade(t.url('ONLY16'), { 'Sec-WebSocket-Protocol': 'ocpp2.0.1, ocpp1.5' });
    assert.equal(upgrade.status, 101);
    assert.equal(upgrade.headers['sec-websocket-protocol'], undefined);
    assert.deepEqual(await readCloseFrame(upgrade), { code: 1002, reason: 'No supported OCPP subprotocol' });
    upgrade.socket.destroy();
    assert.equal(connects.length, before, 'onConnect is not called');
    assert.equal(t.gateway.endpoint('ONLY16'), undefined);
  });

  it('no subprotocol at all and no fallback: refused the same way', async () => {
    const upgrade = await rawUpgrade(t.url('ANY'), {});
    assert.equal(upgrade.status, 101);
    assert.equal(upgrade.headers['sec-websocket-protocol'], undefined);
    assert.deepEqual(await readCloseFrame(upgrade), { code: 1002, reason: 'No supported OCPP subprotocol' });
    upgrade.socket.destroy();
  });

  it("no subprotocol at all, but the station has a fallback version: it is used", async () => {
    const ws = await open(t.url('OLD16'), undefined);
    assert.equal(ws.protocol, '');
    const info = connects.at(-1);
    assert.deepEqual({ identity: info?.identity, version: info?.version, fallback: info?.fallbackVersion }, { identity: 'OLD16', version: 'ocpp1.6', fallback: true });
    const reply = await roundTrip(ws, [2, 'hb', 'Heartbeat', {}]);
    assert.equal(reply[0], 3);
    ws.close();
    await closed(ws);
  });

  it('an empty Sec-WebSocket-Protocol header counts as none (fallback applies, no HTTP 400)', async () => {
    const count = connects.length;
    const upgrade = await rawUpgrade(t.url('OLD16'), { 'Sec-WebSocket-Protocol': ' ' });
    assert.equal(upgrade.status, 101);
    assert.equal(upgrade.headers['sec-websocket-protocol'], undefined);
    assert.equal(connects.length, count + 1);
    assert.equal(connects.at(-1)?.fallbackVersion, true);
    upgrade.socket.destroy();
  });

  it('a station with a fallback that offers versions is negotiated normally', async () => {
    const ws = await open(t.url('OLD16'), ['ocpp2.0.1']);
    assert.equal(ws.protocol, 'ocpp2.0.1');
    assert.equal(connects.at(-1)?.fallbackVersion, false);
    ws.close();
    await closed(ws);
  });
});
