/** Credentials handshake both ways (2.2.1 base64, 2.1.1 plain), update, unregister and their error codes. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { startEmsp, type Emsp, type EmspVersion } from './support/emsp.ts';
import { startOcpiServer, type OcpiServer } from './support/server.ts';

async function setup(t: { after(fn: () => Promise<void>): void }, env: Parameters<typeof startOcpiServer>[0], emspOptions: Parameters<typeof startEmsp>[0] = {}): Promise<{ joule: OcpiServer; emsp: Emsp }> {
  const joule = await startOcpiServer(env);
  const emsp = await startEmsp(emspOptions);
  t.after(async () => {
    await emsp.close();
    await joule.close();
  });
  return { joule, emsp };
}

for (const [version, encoding] of [
  ['2.2.1', 'base64'],
  ['2.1.1', 'plain'],
] as const satisfies readonly [EmspVersion, 'base64' | 'plain'][]) {
  forEachDatabase(`an eMSP registers with Joule (${version}, ${encoding} tokens): Token A, callback, Token C, then A is dead`, async (env, t) => {
    const { joule, emsp } = await setup(t, env, { versions: [version], encoding });
    const { partner, tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true, tokenEncoding: encoding });

    const answer = await emsp.registerWith(joule.versionsUrl, tokenA);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status_code, 1000, answer.body.status_message);
    const ours = answer.body.data as Record<string, unknown>;
    assert.equal(ours.url, joule.versionsUrl);
    assert.notEqual(ours.token, tokenA);
    if (version === '2.2.1') {
      assert.deepEqual(ours.roles, [{ role: 'CPO', business_details: { name: 'Joule' }, party_id: 'JOU', country_code: 'NL' }]);
    } else {
      assert.equal(ours.party_id, 'JOU');
      assert.equal(ours.country_code, 'NL');
      assert.deepEqual(ours.business_details, { name: 'Joule' });
      assert.equal(ours.roles, undefined);
      // 2.1.1 version details carry no role.
      assert.ok(emsp.jouleEndpoints.every((e) => e.role === undefined));
    }
    // The callback used the eMSP's token to read its versions and details.
    const stored = await joule.services.partnerService.get(partner.id);
    assert.equal(stored.status, 'REGISTERED');
    assert.equal(stored.version, version);
    assert.equal(stored.versionsUrl, emsp.versionsUrl);
    assert.ok(stored.endpoints.some((e) => e.identifier === 'locations' && e.role === (version === '2.1.1' ? null : 'RECEIVER')));
    assert.deepEqual(stored.roles.map((r) => `${r.countryCode}/${r.partyId}`), ['DE/EMS']);
    assert.ok(stored.lastSyncAt);

    // Token A is now invalid; Token C works.
    assert.equal((await emsp.call('GET', joule.versionsUrl, undefined, { token: tokenA })).status, 401);
    const mine = await emsp.call('GET', emsp.jouleUrl('credentials'));
    assert.equal(mine.body.status_code, 1000);
    assert.equal((mine.body.data as Record<string, unknown>).token, emsp.jouleToken);
    // POST when registered → 405.
    const again = await emsp.call('POST', emsp.jouleUrl('credentials'), emsp.credentials('x'.repeat(20), version));
    assert.equal(again.status, 405);
    assert.equal(again.body.status_code, 2000);
  });

  forEachDatabase(`Joule registers with an eMSP (${version}, ${encoding} tokens) from its versions URL and Token A`, async (env, t) => {
    const { joule, emsp } = await setup(t, env, { versions: [version], encoding });
    const partner = await joule.services.partnerService.registerWith({ name: 'eMSP', versionsUrl: emsp.versionsUrl, tokenA: emsp.tokenA, allowPlainHttp: true, tokenEncoding: encoding });
    assert.equal(partner.status, 'REGISTERED');
    assert.equal(partner.version, version);
    assert.equal(partner.initiatedBy, 'us');
    assert.deepEqual(partner.roles.map((r) => `${r.role}:${r.countryCode}/${r.partyId}`), ['EMSP:DE/EMS']);
    // The eMSP got our credentials (and called our versions back with the token we gave it).
    assert.ok(emsp.jouleToken);
    const body = emsp.jouleCredentials as Record<string, unknown>;
    assert.equal(body.url, joule.versionsUrl);
    assert.equal(version === '2.2.1' ? Array.isArray(body.roles) : body.party_id === 'JOU', true);
    // Our token works at Joule's credentials endpoint; theirs is what we send.
    const mine = await emsp.call('GET', emsp.jouleUrl('credentials'));
    assert.equal(mine.body.status_code, 1000, mine.body.status_message);
    assert.equal(await joule.services.partnerService.outboundAuth(partner).then((a) => a?.token), emsp.tokenForJoule);
    assert.equal((await joule.services.partnerService.outboundAuth(partner))?.encoding, encoding);
  });
}

forEachDatabase('PUT credentials: re-fetches endpoints, issues a new token; the old one works until the new one is used', async (env, t) => {
  const { joule, emsp } = await setup(t, env);
  const { partner, tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  await emsp.registerWith(joule.versionsUrl, tokenA);
  const oldToken = emsp.jouleToken as string;
  const callbacksBefore = emsp.handshake.length;

  const answer = await emsp.updateCredentials();
  assert.equal(answer.body.status_code, 1000, answer.body.status_message);
  const newToken = emsp.jouleToken as string;
  assert.notEqual(newToken, oldToken);
  // Versions and details fetched again with the new token.
  const callbacks = emsp.handshake.slice(callbacksBefore).filter((r) => r.method === 'GET');
  assert.deepEqual(callbacks.map((r) => r.path), ['/versions', '/2.2.1']);
  assert.equal(await joule.services.partnerService.outboundAuth(partner).then((a) => a?.token), emsp.tokenForJoule);

  // The old token still works until the new one has been used, then it is gone.
  assert.equal((await emsp.call('GET', emsp.jouleUrl('credentials'), undefined, { token: oldToken })).status, 200);
  assert.equal((await emsp.call('GET', emsp.jouleUrl('credentials'), undefined, { token: newToken })).status, 200);
  assert.equal((await emsp.call('GET', emsp.jouleUrl('credentials'), undefined, { token: oldToken })).status, 401);
});

forEachDatabase('DELETE credentials unregisters; afterwards the token is refused and PUT/DELETE with Token A are 405', async (env, t) => {
  const { joule, emsp } = await setup(t, env);
  const { partner, tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  // PUT and DELETE before registering (Token A): 405.
  const credentialsUrl = `${joule.base}/2.2.1/credentials`;
  assert.equal((await emsp.call('PUT', credentialsUrl, emsp.credentials('abc', '2.2.1'), { token: tokenA })).status, 405);
  assert.equal((await emsp.call('DELETE', credentialsUrl, undefined, { token: tokenA })).status, 405);
  await emsp.registerWith(joule.versionsUrl, tokenA);
  const deleted = await emsp.unregister();
  assert.equal(deleted.status, 200);
  assert.equal(deleted.body.status_code, 1000);
  assert.equal((await joule.services.partnerService.get(partner.id)).status, 'UNREGISTERED');
  assert.equal((await emsp.call('GET', credentialsUrl)).status, 401);
  assert.equal(await joule.services.partnerService.outboundAuth(partner), undefined);
});

forEachDatabase('registration errors: 3001 callback fails, 3002 no such version, 3003 required endpoint missing, 2001 missing field, http refused', async (env, t) => {
  const { joule, emsp } = await setup(t, env);
  const service = joule.services.partnerService;
  const credentialsUrl = `${joule.base}/2.2.1/credentials`;

  // 3001: their versions URL does not answer.
  const a1 = await service.createWithTokenA({ name: 'dead', allowPlainHttp: true });
  const dead = await emsp.call('POST', credentialsUrl, { ...emsp.credentials('tokenB1', '2.2.1'), url: 'http://127.0.0.1:1/versions' }, { token: a1.tokenA });
  assert.equal(dead.status, 200);
  assert.equal(dead.body.status_code, 3001);
  // Nothing changed: Token A still valid, partner still pending.
  assert.equal((await service.get(a1.partner.id)).status, 'PENDING');

  // 3002: the eMSP speaks only 2.1.1 but POSTs to our 2.2.1 credentials.
  const old = await startEmsp({ versions: ['2.1.1'], encoding: 'base64' });
  t.after(() => old.close());
  const a2 = await service.createWithTokenA({ name: 'old', allowPlainHttp: true });
  old.tokenForJoule = 'tokenB2';
  const unsupported = await old.call('POST', credentialsUrl, old.credentials('tokenB2', '2.2.1'), { token: a2.tokenA });
  assert.equal(unsupported.body.status_code, 3002);

  // 3003: we require a hubclientinfo SENDER it does not have.
  const a3 = await service.createWithTokenA({ name: 'picky', allowPlainHttp: true, requiredEndpoints: ['tokens:SENDER', 'hubclientinfo:SENDER'] });
  const missing = await emsp.registerWith(joule.versionsUrl, a3.tokenA);
  assert.equal(missing.body.status_code, 3003);
  assert.match(missing.body.status_message ?? '', /hubclientinfo:SENDER/);
  assert.doesNotMatch(missing.body.status_message ?? '', /tokens:SENDER/);

  // 2001 naming the field.
  const a4 = await service.createWithTokenA({ name: 'sloppy', allowPlainHttp: true });
  const noToken = await emsp.call('POST', credentialsUrl, { url: emsp.versionsUrl, roles: [] }, { token: a4.tokenA });
  assert.equal(noToken.status, 200);
  assert.equal(noToken.body.status_code, 2001);
  assert.match(noToken.body.status_message ?? '', /^token /);
  const badRole = await emsp.call('POST', credentialsUrl, { token: 'tok', url: emsp.versionsUrl, roles: [{ role: 'EMSP', party_id: 'EMS', business_details: { name: 'x' } }] }, { token: a4.tokenA });
  assert.equal(badRole.body.status_code, 2001);
  assert.match(badRole.body.status_message ?? '', /^roles\[0\]\.country_code /);

  // Plain http:// refused for a partner without the allowance → 3001, and nothing fetched.
  const a5 = await service.createWithTokenA({ name: 'strict' });
  const before = emsp.handshake.length;
  const insecure = await emsp.call('POST', credentialsUrl, emsp.credentials('tokenB5', '2.2.1'), { token: a5.tokenA });
  assert.equal(insecure.body.status_code, 3001);
  assert.match(insecure.body.status_message ?? '', /https only/);
  assert.equal(emsp.handshake.length, before);

  // We register with them: no mutual version / missing endpoints are refused before we POST.
  await assert.rejects(service.registerWith({ name: 'x', versionsUrl: emsp.versionsUrl, tokenA: emsp.tokenA, allowPlainHttp: true, requiredEndpoints: ['commands:SENDER'] }), /commands:SENDER/);
  assert.equal(emsp.handshake.filter((r) => r.method === 'POST').length, 0);
  assert.deepEqual((await service.list()).filter((p) => p.name === 'x'), []);
});
