/** Credentials handshake both ways, 2.2.1 with base64 tokens and 2.1.1 with plain ones. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import type { EmspVersion } from './support/emsp.ts';
import { serverAndEmsp } from './support/framework.ts';

for (const [version, encoding] of [
  ['2.2.1', 'base64'],
  ['2.1.1', 'plain'],
] as const satisfies readonly [EmspVersion, 'base64' | 'plain'][]) {
  forEachDatabase(`an eMSP registers with Joule (${version}, ${encoding} tokens): Token A, callback, Token C, then A is dead`, async (env, t) => {
    const { joule, emsp } = await serverAndEmsp(t, env, { versions: [version], encoding });
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
    const { joule, emsp } = await serverAndEmsp(t, env, { versions: [version], encoding });
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

