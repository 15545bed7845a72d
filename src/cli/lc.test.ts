/** `joule lc` option parsing: what the flags turn into, and the combinations refused (the LC itself runs in test/e2e/lc-cli*.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lcOptions } from './lc.ts';

const UPSTREAM = 'ws://csms.example.com/ocpp';

describe('joule lc options', () => {
  it('defaults: port 8181 on all addresses, passthrough auth, compression on both sides, no site limit', () => {
    const { options, port, host, logLevel } = lcOptions({ upstream: UPSTREAM });
    assert.deepEqual([port, host, logLevel], [8181, '0.0.0.0', 'info']);
    assert.equal(options.upstreamUrl, UPSTREAM);
    assert.equal(options.upstreamAuth, undefined);
    assert.equal(options.authorizeStation, undefined);
    assert.deepEqual(options.compression, { stations: { enabled: true }, upstream: true });
    assert.equal(options.siteLimit, undefined);
    assert.equal(options.ownConnection, undefined);
  });

  it('site limit, no compression, ping interval, own connection', () => {
    const { options } = lcOptions({ upstream: UPSTREAM, 'site-limit': '32', 'site-limit-unit': 'A', 'no-compression': true, 'ping-interval': '5', 'own-id': 'LC-1', 'own-version': 'ocpp1.6' });
    assert.deepEqual(options.siteLimit, { limit: 32, unit: 'A' });
    assert.deepEqual(options.compression, { stations: { enabled: false }, upstream: false });
    assert.equal(options.pingIntervalMs, 5000);
    assert.deepEqual(options.ownConnection, { identity: 'LC-1', protocols: ['ocpp1.6'] });
    assert.ok(options.validator, 'the own connection validates its messages');
  });

  it('own upstream credentials: the password per station, and the LC checks the stations itself', async () => {
    const { options } = lcOptions({ upstream: UPSTREAM, auth: 'own', 'upstream-password': 'lc-{id}-secret', 'station-password': 'st-{id}-pw' });
    const auth = options.upstreamAuth;
    assert.equal(auth?.mode, 'own');
    assert.equal(auth.mode === 'own' && typeof auth.password === 'function' ? auth.password('CS-7') : undefined, 'lc-CS-7-secret');
    const check = options.authorizeStation ?? assert.fail('authorizeStation');
    const request = (username: string, password: string): Parameters<typeof check>[0] => ({ identity: 'CS-7', credentials: { username, password }, secure: false, remoteAddress: '127.0.0.1' });
    assert.equal(await check(request('CS-7', 'st-CS-7-pw')), true);
    assert.equal(await check(request('CS-7', 'st-CS-8-pw')), false);
    assert.equal(await check(request('CS-8', 'st-CS-7-pw')), false, 'the user name must be the identity');
    assert.equal(await check({ identity: 'CS-7', credentials: undefined, secure: false, remoteAddress: '127.0.0.1' }), false);
  });

  it('refuses what cannot work or would be unsafe', () => {
    const refused: Array<[Parameters<typeof lcOptions>[0], RegExp]> = [
      [{}, /--upstream URL is required/],
      [{ upstream: 'http://csms/ocpp' }, /ws:\/\/ or wss:\/\//],
      [{ upstream: UPSTREAM, 'tls-cert': 'c.pem' }, /--tls-cert and --tls-key go together/],
      [{ upstream: UPSTREAM, 'upstream-key': 'k.pem' }, /--upstream-cert and --upstream-key go together/],
      [{ upstream: UPSTREAM, auth: 'own', 'station-password': 's' }, /--auth own needs --upstream-password/],
      [{ upstream: UPSTREAM, auth: 'own', 'upstream-password': 'p' }, /--auth own needs --station-password or --tls-ca/],
      [{ upstream: UPSTREAM, 'upstream-password': 'p' }, /needs --auth own/],
      [{ upstream: UPSTREAM, auth: 'mine' }, /passthrough or own/],
      [{ upstream: UPSTREAM, 'site-limit': '-1' }, /--site-limit/],
      [{ upstream: UPSTREAM, 'site-limit-unit': 'kW' }, /W or A/],
      [{ upstream: UPSTREAM, port: '70000' }, /--port/],
      [{ upstream: UPSTREAM, 'own-password': 'p' }, /need --own-id/],
      [{ upstream: UPSTREAM, 'log-level': 'loud' }, /--log-level/],
    ];
    for (const [values, message] of refused) assert.throws(() => lcOptions(values), message, JSON.stringify(values));
  });
});
