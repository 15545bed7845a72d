/**
 * The operator's entry points to roaming use cases, on the real application with real eMSPs over HTTP: pulling a
 * partner's token list through the REST API and the CLI (two pages followed by Link, a refused foreign token, a
 * station then authorizing with a pulled token) and its error statuses; listing CDRs newest first and correcting
 * one, the credit and replacement CDRs pushed to the eMSP.
 */
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/keys.ts';
import { runOcpi } from '../../src/cli/ocpi.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { connectStation, eventually, registerStation } from '../e2e/scenario-support.ts';
import { DETAILS, setup, TARIFF, TYPE2, type Setup } from './locations-fixtures.ts';
import { charge201 } from './sessions-fixtures.ts';
import { startEmsp, type Emsp, type EmspOptions } from './support/emsp.ts';

type Json = Record<string, unknown>;

interface Rest {
  base: string;
  key: string;
  call(method: string, path: string): Promise<{ status: number; body: Json }>;
}

async function restOf(s: Setup): Promise<Rest> {
  const { key } = await createApiKey(s.app.repos.apiKeys, 'operator-test');
  const base = `http://127.0.0.1:${s.app.port}`;
  return {
    base,
    key,
    async call(method, path) {
      const response = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}` } });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
    },
  };
}

/** Another eMSP registered with the app; returns it and its partner id. */
async function addEmsp(s: Setup, name: string, options: EmspOptions, t: { after(fn: () => Promise<void>): void }): Promise<{ emsp: Emsp; id: string }> {
  const emsp = await startEmsp(options);
  t.after(() => emsp.close());
  const { partner, tokenA } = await s.app.ocpi!.partnerService.createWithTokenA({ name, allowPlainHttp: true });
  assert.equal((await emsp.registerWith(`http://127.0.0.1:${s.app.port}/ocpi/versions`, tokenA)).body.status_code, 1000);
  return { emsp, id: partner.id };
}

function token(uid: string, extra: Json = {}): Json {
  return { country_code: 'DE', party_id: 'EMS', uid, type: 'RFID', contract_id: `DE-EMS-C-${uid}`, issuer: 'Test eMSP', valid: true, whitelist: 'ALWAYS', last_updated: '2026-01-01T10:00:00Z', ...extra };
}

const emspId = async (s: Setup): Promise<string> => (await s.app.ocpi!.partnerService.list()).find((p) => p.name === 'eMSP')!.id;

forEachDatabase('POST /ocpi/partners/{id}/tokens/pull stores two pages of the eMSP’s tokens (Link followed), a station authorizes with one; CLI; 404/409/502', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const rest = await restOf(s);
  const partnerId = await emspId(s);
  const pages: Record<string, { data: Json[]; link?: string }> = {
    '0': { data: [token('PULL-1'), token('PULL-2')], link: `<${s.emsp.base}/2.2.1/tokens?offset=2&limit=2>; rel="next"` },
    '2': { data: [token('PULL-3'), token('ALIEN', { country_code: 'FR', party_id: 'XYZ' })] },
  };
  s.emsp.respond = (request, query) => {
    if (request.method === 'POST' && request.path.endsWith('/authorize')) return { http: 404, status: 2004 };
    if (request.method !== 'GET' || request.path !== '/2.2.1/tokens') return undefined;
    const page = pages[query.get('offset') ?? '0'];
    if (!page) return { http: 404, status: 2000 };
    return { data: page.data, headers: { 'x-total-count': '4', 'x-limit': '2', ...(page.link ? { link: page.link } : {}) } };
  };

  await registerStation(s.app, 'CS-P');
  const station = await connectStation(s.app, 'CS-P', 'ocpp2.0.1');
  await station.boot(BOOT);
  const authorize = async (idToken: string): Promise<string> => ((await station.callRaw('Authorize', { idToken: { idToken, type: 'ISO14443' } })).idTokenInfo as { status: string }).status;
  assert.notEqual(await authorize('PULL-3'), 'Accepted', 'not known before the pull');

  const pulled = await rest.call('POST', `/ocpi/partners/${partnerId}/tokens/pull`);
  assert.equal(pulled.status, 200, JSON.stringify(pulled.body));
  assert.deepEqual(pulled.body, { fetched: 4, stored: 3, refused: 1 });
  assert.equal(s.emsp.requestsTo('tokens').filter((r) => r.method === 'GET').length, 2, 'both pages fetched');
  assert.equal(await authorize('PULL-3'), 'Accepted');
  assert.equal((await s.app.roaming.tokens.get({ countryCode: 'DE', partyId: 'EMS' }, 'PULL-1', 'RFID'))?.token.contract_id, 'DE-EMS-C-PULL-1');
  assert.equal(await s.app.repos.tokens.get('ALIEN', 'ISO14443'), undefined);

  // The same through the CLI (a second pull replaces the tokens: nothing new, nothing lost).
  const lines: string[] = [];
  await runOcpi(['partner', 'pull-tokens', partnerId, '--url', rest.base, '--key', rest.key], (line) => void lines.push(line));
  assert.deepEqual(lines, ['tokens fetched: 4, stored: 3, refused: 1']);

  // Errors: unknown partner, bad id, a partner that has not registered, one without a tokens SENDER endpoint, a failing eMSP.
  const unknown = await rest.call('POST', '/ocpi/partners/00000000-0000-4000-8000-000000000000/tokens/pull');
  assert.deepEqual([unknown.status, unknown.body.error], [404, 'not_found']);
  assert.equal((await rest.call('POST', '/ocpi/partners/not-a-uuid/tokens/pull')).status, 400);
  const { partner: pending } = await s.app.ocpi!.partnerService.createWithTokenA({ name: 'Pending', allowPlainHttp: true });
  const notRegistered = await rest.call('POST', `/ocpi/partners/${pending.id}/tokens/pull`);
  assert.deepEqual([notRegistered.status, notRegistered.body.error], [409, 'ocpi_state']);
  const receiverOnly = await addEmsp(s, 'No tokens', { countryCode: 'FR', partyId: 'XYZ', endpoints: [{ identifier: 'cdrs', role: 'RECEIVER' }] }, t);
  const noSender = await rest.call('POST', `/ocpi/partners/${receiverOnly.id}/tokens/pull`);
  assert.deepEqual([noSender.status, noSender.body.error], [409, 'ocpi_state']);
  assert.match(String(noSender.body.message), /tokens SENDER/);
  s.emsp.failWithStatus = 500;
  const failed = await rest.call('POST', `/ocpi/partners/${partnerId}/tokens/pull`);
  assert.deepEqual([failed.status, failed.body.error], [502, 'ocpi_partner_failed']);
  s.emsp.failWithStatus = undefined;
  await assert.rejects(runOcpi(['partner', 'pull-tokens', pending.id, '--url', rest.base, '--key', rest.key], () => undefined), /HTTP 409 ocpi_state/);

  const doc = await fetch(`${rest.base}/api/v1/openapi.json`).then(async (r) => (await r.json()) as { paths: Record<string, unknown> });
  for (const path of ['/api/v1/ocpi/partners/{id}/tokens/pull', '/api/v1/ocpi/cdrs', '/api/v1/ocpi/cdrs/{id}/correct']) assert.ok(doc.paths[path], path);
});

forEachDatabase('GET /ocpi/cdrs newest first by partner; POST /ocpi/cdrs/{id}/correct pushes the credit and replacement CDRs to the eMSP; CLI; 404s and 409', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const rest = await restOf(s);
  const partnerId = await emspId(s);
  const other = await addEmsp(s, 'Other', { countryCode: 'FR', partyId: 'XYZ', endpoints: [{ identifier: 'cdrs', role: 'RECEIVER' }] }, t);

  // A charge at a published connector with a 0.30/kWh tariff, with a token the eMSP pushed.
  await s.app.catalog.tariffs.put({ ...TARIFF, id: 'T-E', minPrice: null, elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.3, vat: 20, stepSize: 1 }] }] });
  await registerStation(s.app, 'CS-C');
  await s.app.catalog.locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  await s.app.catalog.locations.putEvse('LOC1', { stationId: 'CS-C', evseId: 1, connectors: [{ ...TYPE2, connectorId: 1, tariffIds: ['T-E'] }] });
  assert.equal((await s.emsp.call('PUT', `${s.url('tokens')}/DE/EMS/TAG-C`, token('TAG-C'))).status, 201);
  const station = await connectStation(s.app, 'CS-C', 'ocpp2.0.1');
  await station.boot(BOOT);
  for (const event of charge201('TX-C', { idToken: 'TAG-C', type: 'ISO14443' })) await station.callRaw('TransactionEvent', event);
  await s.app.roaming.sessions.idle();
  const cdrPosts = () => s.emsp.requestsTo('cdrs').filter((r) => r.method === 'POST');
  await eventually(() => (cdrPosts().length === 1 ? true : undefined), 'the CDR push');

  const listed = await rest.call('GET', `/ocpi/cdrs?partnerId=${partnerId}`);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  const [issued] = listed.body.items as Json[];
  assert.equal((listed.body.items as Json[]).length, 1);
  assert.deepEqual(
    [issued?.countryCode, issued?.partyId, issued?.credit, issued?.totalEnergy, issued?.totalCost, issued?.currency],
    ['DE', 'EMS', false, 12.289, { excl_vat: 3.6867, incl_vat: 4.424 }, 'EUR'],
  );
  const cdrId = String(issued?.id);
  assert.equal((cdrPosts()[0]?.body as Json).id, cdrId);

  const corrected = await rest.call('POST', `/ocpi/cdrs/${cdrId}/correct`);
  assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
  const creditId = String(corrected.body.creditCdrId);
  const replacementId = String(corrected.body.replacementCdrId);
  assert.equal(creditId, `${cdrId}-C`);
  assert.ok(replacementId !== cdrId && replacementId !== creditId && replacementId !== 'null');

  // Both pushed to the eMSP: the credit (negative cost, referring to the original) and the replacement.
  const posted = await eventually(() => (cdrPosts().length === 3 ? cdrPosts() : undefined), 'credit and replacement pushes');
  const credit = posted.find((r) => (r.body as Json).id === creditId)?.body as Json | undefined;
  assert.deepEqual([credit?.credit, credit?.credit_reference_id, credit?.total_cost], [true, cdrId, { excl_vat: -3.6867, incl_vat: -4.424 }]);
  assert.equal((posted.find((r) => (r.body as Json).id === replacementId)?.body as Json | undefined)?.total_energy, 12.289);

  // Newest first, paginated; the partner filter keeps other partners' CDRs out.
  const all = await rest.call('GET', '/ocpi/cdrs');
  assert.deepEqual((all.body.items as Json[]).map((c) => c.id), [replacementId, creditId, cdrId]);
  assert.equal((all.body.items as Json[])[1]?.creditReferenceId, cdrId);
  const first = await rest.call('GET', `/ocpi/cdrs?partnerId=${partnerId}&limit=2`);
  assert.deepEqual([(first.body.items as Json[]).map((c) => c.id), first.body.nextOffset], [[replacementId, creditId], 2]);
  const last = await rest.call('GET', `/ocpi/cdrs?partnerId=${partnerId}&limit=2&offset=2`);
  assert.deepEqual([(last.body.items as Json[]).map((c) => c.id), last.body.nextOffset], [[cdrId], null]);
  assert.deepEqual((await rest.call('GET', '/ocpi/cdrs?offset=3')).body.items, []);
  assert.deepEqual((await rest.call('GET', `/ocpi/cdrs?partnerId=${other.id}`)).body.items, []);
  assert.equal((await rest.call('GET', '/ocpi/cdrs?partnerId=00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await rest.call('GET', '/ocpi/cdrs?limit=0')).status, 400);

  // A credit CDR and an unknown id cannot be corrected: 404, nothing issued.
  const ofCredit = await rest.call('POST', `/ocpi/cdrs/${creditId}/correct`);
  assert.deepEqual([ofCredit.status, ofCredit.body.error], [404, 'not_found']);
  assert.equal((await rest.call('POST', '/ocpi/cdrs/NO-SUCH-CDR/correct')).status, 404);
  // Corrected once already: 409 (its replacement is what to correct next).
  const again = await rest.call('POST', `/ocpi/cdrs/${cdrId}/correct`);
  assert.deepEqual([again.status, again.body.error], [409, 'already_exists']);
  assert.match(String(again.body.message), /already corrected/);
  assert.equal((await s.app.roaming.sessions.listCdrs({ offset: 0, limit: 10 })).total, 3, 'nothing issued by the refused corrections');
  assert.equal((await s.app.roaming.sessions.listCdrs({ offset: 0, limit: 10 })).total, 3);

  // The CLI: list, then correct the replacement.
  const lines: string[] = [];
  const flags = ['--url', rest.base, '--key', rest.key];
  await runOcpi(['cdr', 'list', '--partner', partnerId, ...flags], (line) => void lines.push(line));
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', new RegExp(`^${replacementId}\\tDE/EMS\\tcdr\\t.*\\t12\\.289 kWh\\t3\\.6867 EUR$`));
  assert.match(lines[1] ?? '', /\tcredit\t.*\t-3\.6867 EUR$/);
  lines.length = 0;
  await runOcpi(['cdr', 'correct', replacementId, ...flags], (line) => void lines.push(line));
  assert.match(lines.join('\n'), new RegExp(`^credit CDR: ${replacementId}-C\\nreplacement CDR: \\S+$`));
  await eventually(() => (cdrPosts().length === 5 ? true : undefined), 'the second correction pushed');
});
