/** Handshake outcomes over real sockets (Part 4 §3; security profiles 0-2 on plain ws). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../shared/password.ts';
import type { TestGateway } from './test-support.ts';
import { basicAuth, closed, connect, open, roundTrip, startGateway } from './test-support.ts';
import type { ConnectInfo } from './types.ts';

const PASSWORD = 'secret-password-0001';

describe('OcppGateway handshake', () => {
  let t: TestGateway;
  const connects: ConnectInfo[] = [];

  before(async () => {
    const passwordHash = await hashPassword(PASSWORD, { N: 1024 });
    t = await startGateway({
      stations: {
        OPEN1: { securityProfile: 0 },
        CS1: { securityProfile: 1, passwordHash },
        CS2: { securityProfile: 2, passwordHash },
        CS3: { securityProfile: 3 },
        NOHASH: { securityProfile: 1 },
        'RDAM 123': { securityProfile: 0 },
      },
      authFailure: { baseDelayMs: 1, maxDelayMs: 64 },
    });
    t.gateway.onConnect((_endpoint, info) => connects.push(info));
  });
  after(() => t.close());

  describe('identity (400)', () => {
    it('refuses an empty identity', async () => {
      assert.deepEqual(pick(await connect(t.url('', { raw: true }), 'ocpp2.0.1')), 400);
    });
    it('refuses an identity of 49 characters and accepts 48', async () => {
      assert.equal(pick(await connect(t.url('x'.repeat(49)), 'ocpp2.0.1')), 400);
      // 48 characters pass the identity check and reach the lookup (unknown → 404).
      assert.equal(pick(await connect(t.url('x'.repeat(48)), 'ocpp2.0.1')), 404);
    });
    it("refuses an identity containing ':' (raw or percent-encoded)", async () => {
      assert.equal(pick(await connect(t.url('CS:1', { raw: true }), 'ocpp2.0.1')), 400);
      assert.equal(pick(await connect(t.url('CS%3A1', { raw: true }), 'ocpp2.0.1')), 400);
    });
    it('refuses broken percent-encoding', async () => {
      assert.equal(pick(await connect(t.url('CS%E0%A4%A', { raw: true }), 'ocpp2.0.1')), 400);
    });
    it('percent-decodes the identity (Part 4 §3.1.1 example 2)', async () => {
      const ws = await open(t.url('RDAM 123'), 'ocpp2.0.1');
      assert.equal(connects.at(-1)?.identity, 'RDAM 123');
      ws.close();
      await closed(ws);
    });
  });

  describe('lookup (404)', () => {
    it('answers 404 for an unknown station', async () => {
      assert.equal(pick(await connect(t.url('NOBODY'), 'ocpp2.0.1')), 404);
    });
    it('answers 404 for paths outside the OCPP-J endpoint', async () => {
      assert.equal(pick(await connect(t.url('CS1').replace('/ocpp/', '/other/'), 'ocpp2.0.1')), 404);
    });
    it('admits unknown stations when allowUnknownStations is set', async () => {
      const open2 = await startGateway({ allowUnknownStations: true });
      try {
        const infos: ConnectInfo[] = [];
        open2.gateway.onConnect((_e, info) => infos.push(info));
        const ws = await open(open2.url('STRANGER'), 'ocpp1.6');
        assert.equal(infos[0]?.registered, false);
        assert.equal(infos[0]?.securityProfile, 0);
        assert.equal(infos[0]?.version, 'ocpp1.6');
        ws.close();
        await closed(ws);
      } finally {
        await open2.close();
      }
    });
  });

  describe('lookup failures', () => {
    it('answers 500 when the lookup throws and 503 when it does not answer in time', async () => {
      const failing = await startGateway({ lookup: () => Promise.reject(new Error('database down')) });
      const hanging = await startGateway({ lookup: () => new Promise(() => {}), handshakeTimeoutMs: 50 });
      try {
        assert.equal(pick(await connect(failing.url('CS1'), 'ocpp2.0.1')), 500);
        assert.equal(pick(await connect(hanging.url('CS1'), 'ocpp2.0.1')), 503);
      } finally {
        await Promise.all([failing.close(), hanging.close()]);
      }
    });
    it('passes an AbortSignal to the lookup and answers 503 to handshakes in flight at close()', async () => {
      let signal: AbortSignal | undefined;
      let entered: () => void = () => {};
      const lookupEntered = new Promise<void>((resolve) => (entered = resolve));
      const g = await startGateway({
        lookup: (_identity, handshake) => {
          signal = handshake.signal;
          entered();
          return new Promise(() => {});
        },
      });
      const result = connect(g.url('CS1'), 'ocpp2.0.1');
      await lookupEntered;
      await g.gateway.close();
      assert.equal(pick(await result), 503);
      assert.equal(signal?.aborted, true);
      await g.close();
    });
  });

  describe('security profile 1 (HTTP Basic)', () => {
    it('accepts the right credentials', async () => {
      const ws = await open(t.url('CS1'), 'ocpp2.0.1', { headers: basicAuth('CS1', PASSWORD) });
      assert.equal(connects.at(-1)?.securityProfile, 1);
      ws.close();
      await closed(ws);
    });
    it('answers 401 with a Basic challenge when credentials are missing', async () => {
      const result = await connect(t.url('CS1'), 'ocpp2.0.1');
      assert.equal(pick(result), 401);
      assert.equal(result.kind === 'refused' && result.headers['www-authenticate'], 'Basic realm="Joule"');
    });
    it('answers 401 for a wrong password', async () => {
      assert.equal(pick(await connect(t.url('CS1'), 'ocpp2.0.1', { headers: basicAuth('CS1', 'wrong-password-0001') })), 401);
    });
    it('answers 401 when the username is not the identity, even with the right password', async () => {
      assert.equal(pick(await connect(t.url('CS1'), 'ocpp2.0.1', { headers: basicAuth('OPEN1', PASSWORD) })), 401);
    });
    it('answers 401 for a station without a stored password (fails closed)', async () => {
      assert.equal(pick(await connect(t.url('NOHASH'), 'ocpp2.0.1', { headers: basicAuth('NOHASH', PASSWORD) })), 401);
    });
    it('slows down repeated failures from one address (the Nth delay exceeds the first)', async () => {
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        assert.equal(pick(await connect(t.url('CS1'), 'ocpp2.0.1', { headers: basicAuth('CS1', `wrong-${i}`) })), 401);
        delays.push(t.gateway.authFailureDelay('127.0.0.1'));
      }
      for (let i = 1; i < delays.length; i++) assert.ok((delays[i] as number) > (delays[i - 1] as number), `delays grow: ${delays.join(', ')}`);
      // A station with the right password from the same address is not slowed down or refused.
      const ws = await open(t.url('CS1'), 'ocpp2.0.1', { headers: basicAuth('CS1', PASSWORD) });
      ws.close();
      await closed(ws);
    });
  });

  describe('security profiles 2 and 3 over plain ws', () => {
    it('refuses a profile 2 station over ws:// with 403, even with the right password', async () => {
      const result = await connect(t.url('CS2'), 'ocpp2.0.1', { headers: basicAuth('CS2', PASSWORD) });
      assert.equal(pick(result), 403);
      assert.equal(result.kind === 'refused' && result.headers['www-authenticate'], undefined);
    });
    it('refuses a profile 3 station over ws:// with 403', async () => {
      assert.equal(pick(await connect(t.url('CS3'), 'ocpp2.0.1')), 403);
    });
  });

  describe('after the handshake', () => {
    it('runs a Heartbeat round trip through a real RpcEndpoint', async () => {
      const ws = await open(t.url('OPEN1'), ['ocpp2.0.1']);
      assert.equal(ws.protocol, 'ocpp2.0.1');
      const reply = await roundTrip(ws, [2, 'hb-1', 'Heartbeat', {}]);
      assert.equal(reply[0], 3);
      assert.equal(reply[1], 'hb-1');
      assert.match(String((reply[2] as { currentTime: string }).currentTime), /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(t.gateway.connectedIdentities(), ['OPEN1']);
      assert.equal(t.gateway.endpoint('OPEN1')?.version, 'ocpp2.0.1');
      ws.close();
      await closed(ws);
    });
  });
});

function pick(result: Awaited<ReturnType<typeof connect>>): number | string {
  if (result.kind === 'refused') return result.status;
  if (result.kind === 'open') {
    result.ws.terminate();
    return 'open';
  }
  return `error: ${result.error.message}`;
}
