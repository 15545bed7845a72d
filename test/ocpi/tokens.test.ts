/**
 * OCPI Tokens (CPO = Receiver) against a real eMSP over HTTP, with real stations authorizing: PUT/GET/PATCH rules
 * (201/200, 2001 on mismatches, 404 for other parties and unknown tokens), whitelist rules, real-time authorization
 * at the eMSP (POST /tokens/{uid}/authorize) for NEVER and unknown tokens, its authorization_reference in the
 * Session, a token known to only one of two eMSPs, the unreachable eMSP, pulling the token list, and the 2.1.1
 * shapes.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { connectStation, registerStation } from '../e2e/scenario-support.ts';
import { setup } from './locations-fixtures.ts';
import { startEmsp } from './support/emsp.ts';
import { charge201 } from './sessions-fixtures.ts';

type Json = Record<string, unknown>;

function token(uid: string, extra: Json = {}): Json {
  return { country_code: 'DE', party_id: 'EMS', uid, type: 'RFID', contract_id: `DE-EMS-C-${uid}`, issuer: 'Test eMSP', valid: true, whitelist: 'ALWAYS', last_updated: '2026-01-01T10:00:00Z', ...extra };
}

forEachDatabase('Tokens 2.2.1: PUT/GET/PATCH rules and whitelist authorization of a 2.0.1 station', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const url = s.url('tokens');
  const put = (uid: string, body: Json, query = '') => s.emsp.call('PUT', `${url}/DE/EMS/${uid}${query}`, body);

  const created = await put('TAG-1', token('TAG-1'));
  assert.deepEqual([created.status, created.body.status_code], [201, 1000]);
  assert.equal(created.body.data, undefined);
  const replaced = await put('TAG-1', token('TAG-1', { visual_number: 'V-1' }));
  assert.deepEqual([replaced.status, replaced.body.status_code], [200, 1000]);
  const got = await s.emsp.call('GET', `${url}/DE/EMS/TAG-1?type=RFID`);
  assert.deepEqual(got.body.data, token('TAG-1', { visual_number: 'V-1' }));
  assert.equal((await s.emsp.call('GET', `${url}/DE/EMS/TAG-1?type=APP_USER`)).status, 404);

  // The URL names the object: mismatches are 2001; a party the partner is not is 404; bad bodies 2001.
  assert.deepEqual([(await put('TAG-2', token('TAG-X'))).body.status_code], [2001]);
  assert.equal((await put('TAG-2', token('TAG-2', { party_id: 'ABC' }))).body.status_code, 2001);
  assert.equal((await put('TAG-2', token('TAG-2', { type: 'APP_USER' }))).body.status_code, 2001);
  const foreign = await s.emsp.call('PUT', `${url}/NL/ABC/TAG-3`, token('TAG-3', { country_code: 'NL', party_id: 'ABC' }));
  assert.equal(foreign.status, 404);
  const missing = await put('TAG-4', { ...token('TAG-4'), whitelist: undefined });
  assert.equal(missing.body.status_code, 2001);
  assert.match(missing.body.status_message ?? '', /whitelist/);
  // A uid that is a local token is not taken over.
  await s.app.repos.tokens.upsert({ idToken: 'LOCAL-1', type: 'ISO14443', status: 'Accepted' });
  assert.equal((await put('LOCAL-1', token('LOCAL-1'))).body.status_code, 2000);

  // PATCH: needs last_updated (2.2.1) and an existing token.
  assert.equal((await s.emsp.call('PATCH', `${url}/DE/EMS/TAG-1`, { valid: false })).body.status_code, 2001);
  assert.equal((await s.emsp.call('PATCH', `${url}/DE/EMS/NOPE`, { valid: false, last_updated: '2026-01-02T00:00:00Z' })).status, 404);

  await registerStation(s.app, 'CS-T');
  const station = await connectStation(s.app, 'CS-T', 'ocpp2.0.1');
  await station.boot(BOOT);
  const authorize = async (idToken: string, type = 'ISO14443'): Promise<string> => ((await station.callRaw('Authorize', { idToken: { idToken, type } })).idTokenInfo as { status: string }).status;
  assert.equal(await authorize('TAG-1'), 'Accepted');
  const patched = await s.emsp.call('PATCH', `${url}/DE/EMS/TAG-1`, { valid: false, last_updated: '2026-01-02T00:00:00Z' });
  assert.deepEqual([patched.status, patched.body.status_code], [200, 1000]);
  assert.equal(await authorize('TAG-1'), 'Blocked');
  assert.equal(((await s.emsp.call('GET', `${url}/DE/EMS/TAG-1`)).body.data as Json).last_updated, '2026-01-02T00:00:00Z');
  await put('APP-1', token('APP-1', { type: 'APP_USER' }), '?type=APP_USER');
  assert.equal(await authorize('APP-1', 'Central'), 'Accepted');
});

forEachDatabase('Tokens 2.2.1: real-time authorization at the eMSP (NEVER, unknown tokens), reference in the Session, eMSP down, pull', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const url = s.url('tokens');
  await s.emsp.call('PUT', `${url}/DE/EMS/NEVER-1`, token('NEVER-1', { whitelist: 'NEVER' }));
  await s.emsp.call('PUT', `${url}/DE/EMS/OFF-1`, token('OFF-1', { whitelist: 'ALLOWED_OFFLINE' }));
  const answers: Record<string, Json | 'unknown'> = {
    'NEVER-1': { allowed: 'NO_CREDIT', token: token('NEVER-1', { whitelist: 'NEVER' }) },
    'OFF-1': { allowed: 'ALLOWED', token: token('OFF-1', { whitelist: 'ALLOWED_OFFLINE' }), authorization_reference: 'REF-OFF' },
    'RT-NEW': { allowed: 'ALLOWED', token: token('RT-NEW', { whitelist: 'NEVER' }), authorization_reference: 'REF-NEW' },
    'RT-UNKNOWN': 'unknown',
  };
  s.emsp.respond = (request) => {
    const match = /^\/2\.2\.1\/tokens\/([^/]+)\/authorize$/.exec(request.path);
    if (request.method === 'POST' && match) {
      const answer = answers[decodeURIComponent(match[1] ?? '')];
      return answer === 'unknown' || answer === undefined ? { http: 404, status: 2004 } : { data: answer };
    }
    if (request.method === 'GET' && request.path === '/2.2.1/tokens') return { data: [token('PULLED-1'), token('PULLED-2', { whitelist: 'ALLOWED' }), token('FOREIGN', { country_code: 'FR', party_id: 'XYZ' })] };
    return undefined;
  };

  await registerStation(s.app, 'CS-RT');
  const station = await connectStation(s.app, 'CS-RT', 'ocpp2.0.1');
  await station.boot(BOOT);
  const authorize = async (idToken: string): Promise<string> => ((await station.callRaw('Authorize', { idToken: { idToken, type: 'ISO14443' } })).idTokenInfo as { status: string }).status;
  assert.equal(await authorize('NEVER-1'), 'NoCredit');
  assert.equal(await authorize('OFF-1'), 'Accepted');
  assert.equal(await authorize('RT-UNKNOWN'), 'Unknown');
  assert.equal(await authorize('RT-NEW'), 'Accepted');
  const asked = s.emsp.requestsTo('tokens').filter((r) => r.method === 'POST');
  assert.deepEqual(asked.map((r) => r.path), ['/2.2.1/tokens/NEVER-1/authorize', '/2.2.1/tokens/OFF-1/authorize', '/2.2.1/tokens/RT-UNKNOWN/authorize', '/2.2.1/tokens/RT-NEW/authorize']);
  assert.equal(asked[0]?.headers['ocpi-to-party-id'], 'EMS');

  // The unknown token the eMSP allowed: its charge is an AUTH_REQUEST session with the eMSP's reference.
  const [started] = charge201('TX-RT', { idToken: 'RT-NEW', type: 'ISO14443' });
  assert.equal(((await station.callRaw('TransactionEvent', started!)).idTokenInfo as { status: string }).status, 'Accepted');
  await s.app.roaming.sessions.idle();
  const session = (await s.app.roaming.sessions.listSessions({ offset: 0, limit: 10 })).items.find((x) => x.tokenUid === 'RT-NEW');
  assert.equal(session?.object.auth_method, 'AUTH_REQUEST');
  assert.equal(session?.object.authorization_reference, 'REF-NEW');
  assert.equal(session?.object.cdr_token.contract_id, 'DE-EMS-C-RT-NEW');

  // The eMSP is down: NEVER is refused, ALLOWED_OFFLINE falls back to the whitelist.
  s.emsp.down = true;
  assert.equal(await authorize('NEVER-1'), 'Invalid');
  assert.equal(await authorize('OFF-1'), 'Accepted');
  s.emsp.down = false;

  // A second eMSP: a token only it knows is asked at both at once and decided by it.
  const second = await startEmsp({ versions: ['2.2.1'], partyId: 'SEC' });
  t.after(() => second.close());
  const { tokenA } = await s.app.ocpi!.partnerService.createWithTokenA({ name: 'second', allowPlainHttp: true });
  assert.equal((await second.registerWith(`http://127.0.0.1:${s.app.port}/ocpi/versions`, tokenA)).body.status_code, 1000);
  second.respond = (request) =>
    request.path === '/2.2.1/tokens/RT-SECOND/authorize' ? { data: { allowed: 'ALLOWED', token: token('RT-SECOND', { party_id: 'SEC', whitelist: 'NEVER' }) } } : undefined;
  assert.equal(await authorize('RT-SECOND'), 'Accepted');
  assert.ok(s.emsp.requestsTo('tokens').some((r) => r.path === '/2.2.1/tokens/RT-SECOND/authorize'), 'the first eMSP was asked too');
  const [startedSecond] = charge201('TX-SEC', { idToken: 'RT-SECOND', type: 'ISO14443' });
  await station.callRaw('TransactionEvent', startedSecond!);
  await s.app.roaming.sessions.idle();
  const secondSession = (await s.app.roaming.sessions.listSessions({ offset: 0, limit: 10 })).items.find((x) => x.tokenUid === 'RT-SECOND');
  assert.deepEqual(secondSession?.emsp, { countryCode: 'DE', partyId: 'SEC' });

  // Pull: the partner's list is stored; a token of a party the partner is not is refused.
  const partnerId = (await s.app.ocpi!.partnerService.list()).find((p) => p.name === 'eMSP')!.id;
  assert.deepEqual(await s.app.roaming.pullTokens!(partnerId), { stored: 2, refused: 1 });
  assert.equal(await authorize('PULLED-2'), 'Accepted');
  assert.equal((await s.app.repos.tokens.get('FOREIGN', 'ISO14443')), undefined);
});

forEachDatabase('Tokens 2.1.1: auth_id, owner from the URL, no type in the URL, 1.6 station authorizes', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(() => s.close());
  const url = s.url('tokens');
  const body = { uid: 'OLD-1', type: 'RFID', auth_id: 'DE-EMS-OLD1', issuer: 'Old eMSP', valid: true, whitelist: 'ALLOWED', last_updated: '2026-01-01T10:00:00Z' };
  const created = await s.emsp.call('PUT', `${url}/DE/EMS/OLD-1`, body);
  assert.deepEqual([created.status, created.body.status_code], [201, 1000]);
  assert.deepEqual((await s.emsp.call('GET', `${url}/DE/EMS/OLD-1`)).body.data, body);
  assert.equal((await s.emsp.call('PUT', `${url}/DE/EMS/OLD-2`, { ...body, uid: 'OLD-2', type: 'APP_USER' })).body.status_code, 2001);
  const stored = await s.app.roaming.tokens.get({ countryCode: 'DE', partyId: 'EMS' }, 'OLD-1', 'RFID');
  assert.equal(stored?.token.contract_id, 'DE-EMS-OLD1');

  await registerStation(s.app, 'CS-16');
  const station = await connectStation(s.app, 'CS-16', 'ocpp1.6');
  await station.callRaw('BootNotification', { chargePointVendor: 'Joule', chargePointModel: 'J-16' });
  assert.equal(((await station.callRaw('Authorize', { idTag: 'OLD-1' })).idTagInfo as { status: string }).status, 'Accepted');
  await s.emsp.call('PATCH', `${url}/DE/EMS/OLD-1`, { valid: false });
  assert.equal(((await station.callRaw('Authorize', { idTag: 'OLD-1' })).idTagInfo as { status: string }).status, 'Blocked');
});
