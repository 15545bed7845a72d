/** Station client handshake (Part 4 §3): URL, subprotocol offer, credentials, compression, refusals. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConnectError } from './errors.ts';
import { ManualClock } from './testing/manual-clock.ts';
import { CsmsPeer } from './testing/peer.ts';
import { clientFor, closeAllClients, nextEvent, schemaValidator } from './testing/fixtures.ts';
import { StationClient } from './client.ts';

describe('StationClient handshake', () => {
  let peer: CsmsPeer;
  before(async () => {
    schemaValidator();
    peer = await CsmsPeer.start({ chooseProtocol: (offered) => (offered.includes('ocpp2.0.1') ? 'ocpp2.0.1' : (offered[0] ?? false)) });
  });
  after(async () => {
    await closeAllClients();
    await peer.stop();
  });

  test('offers the subprotocols in preference order and resolves with the negotiated one', async () => {
    const client = clientFor<'ocpp2.1' | 'ocpp2.0.1' | 'ocpp1.6'>(peer, { protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] });
    const accepted = peer.nextConnection();
    assert.equal(await client.connect(), 'ocpp2.0.1');
    const connection = await accepted;
    const offered = String(connection.request.headers['sec-websocket-protocol']).split(',').map((p) => p.trim());
    assert.deepEqual(offered, ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6']);
    assert.equal(connection.socket.protocol, 'ocpp2.0.1');
    assert.equal(client.version, 'ocpp2.0.1');
    assert.equal(client.isConnected, true);
    await client.close();
    assert.equal(client.isConnected, false);
  });

  test('appends the identity percent-encoded to the endpoint URL (§3.1.1)', async () => {
    const client = clientFor(peer, { identity: 'CS 01/ä#?', url: `${peer.url}/` });
    const accepted = peer.nextConnection();
    await client.connect();
    assert.equal((await accepted).request.url, '/ocpp/CS%2001%2F%C3%A4%23%3F');
    await client.close();
  });

  test('refuses identities a CSMS cannot accept, non-ws URLs and an empty offer', () => {
    assert.throws(() => clientFor(peer, { identity: '' }), RangeError);
    assert.throws(() => clientFor(peer, { identity: 'a:b' }), RangeError);
    assert.throws(() => clientFor(peer, { identity: 'x'.repeat(49) }), RangeError);
    assert.throws(() => clientFor(peer, { url: 'http://127.0.0.1/ocpp' }), RangeError);
    assert.throws(() => clientFor(peer, { url: 'not a url' }), RangeError);
    assert.throws(() => clientFor(peer, { protocols: [] }), RangeError);
  });

  test('sends HTTP Basic credentials with the identity as user name, and none without a password', async () => {
    const withPassword = clientFor(peer, { identity: 'CS-AUTH', password: 's3cret:with colon' });
    let accepted = peer.nextConnection();
    await withPassword.connect();
    const expected = `Basic ${Buffer.from('CS-AUTH:s3cret:with colon').toString('base64')}`;
    assert.equal((await accepted).request.headers.authorization, expected);
    await withPassword.close();

    const without = clientFor(peer);
    accepted = peer.nextConnection();
    await without.connect();
    assert.equal((await accepted).request.headers.authorization, undefined);
    await without.close();
  });

  test('an HTTP 401 rejects connect() with a ConnectError carrying the status', async () => {
    peer.refuseWith = 401;
    try {
      const client = clientFor(peer, { password: 'wrong', reconnect: false });
      await assert.rejects(client.connect(), (error: unknown) => {
        assert.ok(error instanceof ConnectError);
        assert.equal(error.failure, 'http-status');
        assert.equal(error.status, 401);
        return true;
      });
      assert.equal(client.isConnected, false);
      await client.close();
    } finally {
      peer.refuseWith = undefined;
    }
  });

  test('a refused handshake counts as a failed attempt for the back-off', async () => {
    peer.refuseWith = 401;
    const clock = new ManualClock();
    const client = clientFor(peer, { clock, backoff: { waitMinimumS: 10, randomRangeS: 0, repeatTimes: 5 } });
    try {
      const reconnecting = nextEvent(client, 'reconnecting');
      await assert.rejects(client.connect(), ConnectError);
      assert.deepEqual(await reconnecting, [1, 10_000]);
      const second = nextEvent(client, 'reconnecting');
      clock.runNext();
      assert.deepEqual(await second, [2, 20_000]);
    } finally {
      peer.refuseWith = undefined;
      await client.close();
    }
    assert.equal(clock.pending().length, 0, 'close() clears the reconnect timer');
  });

  test('no common subprotocol: the CSMS completes the handshake without one and connect() says so (§3.2)', async () => {
    const picky = await CsmsPeer.start({ chooseProtocol: () => false });
    try {
      const client = clientFor<'ocpp1.6'>(picky, { protocols: ['ocpp1.6'], reconnect: false });
      await assert.rejects(client.connect(), (error: unknown) => {
        assert.ok(error instanceof ConnectError);
        assert.equal(error.failure, 'no-subprotocol');
        assert.match(error.message, /none of the offered OCPP versions \(ocpp1\.6\)/);
        return true;
      });
      await client.close();
    } finally {
      await picky.stop();
    }
  });

  test('an unreachable CSMS rejects with a network ConnectError', async () => {
    const gone = await CsmsPeer.start();
    const url = gone.url;
    await gone.stop();
    const client = new StationClient({ url, identity: 'CS-001', protocols: ['ocpp2.0.1'], validator: schemaValidator(), reconnect: false });
    await assert.rejects(client.connect(), (error: unknown) => error instanceof ConnectError && error.failure === 'network' && /ECONNREFUSED/.test(error.message));
    await client.close();
  });

  describe('permessage-deflate (RFC 7692)', () => {
    let deflating: CsmsPeer;
    before(async () => {
      deflating = await CsmsPeer.start({ perMessageDeflate: true });
    });
    after(() => deflating.stop());

    test('offered by default and negotiated when the CSMS supports it', async () => {
      const client = clientFor(deflating);
      const accepted = deflating.nextConnection();
      await client.connect();
      const connection = await accepted;
      assert.match(String(connection.request.headers['sec-websocket-extensions']), /permessage-deflate/);
      assert.match(connection.socket.extensions, /permessage-deflate/);
      await client.close();
    });

    test('not offered with compression: false', async () => {
      const client = clientFor(deflating, { compression: false });
      const accepted = deflating.nextConnection();
      await client.connect();
      const connection = await accepted;
      assert.equal(connection.request.headers['sec-websocket-extensions'], undefined);
      assert.equal(connection.socket.extensions, '');
      await client.close();
    });

    test('offered to a CSMS without compression: the connection still works uncompressed', async () => {
      const client = clientFor(peer);
      const accepted = peer.nextConnection();
      await client.connect();
      const connection = await accepted;
      assert.match(String(connection.request.headers['sec-websocket-extensions']), /permessage-deflate/);
      assert.equal(connection.socket.extensions, '');
      await client.close();
    });
  });
});
