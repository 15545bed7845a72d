/**
 * Roaming in the domain, without OCPI transport: partner tokens authorize real stations (1.6 and 2.0.1) by their
 * whitelist rules, and a 2.0.1 transaction becomes a Session and a CDR with the right energy, periods, token and
 * auth method; a credit CDR corrects the CDR.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { AlreadyExistsError } from '../../src/domain/errors.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { at, closeAll, connectStation, registerStation, startApp, withApp } from '../e2e/scenario-support.ts';
import { charge201, partnerToken } from './sessions-fixtures.ts';

afterEach(closeAll);

const ALL_PAGES = { offset: 0, limit: 100 };

forEachDatabase('partner tokens authorize 2.0.1 and 1.6 stations by whitelist rule; a local token is never taken over', async (env) => {
  const app = await startApp(env, { 'ocpi.enabled': false });
  await withApp(app, async () => {
    await registerStation(app, 'CS-A');
    await registerStation(app, 'CS-B');
    const tokens = app.roaming.tokens;
    assert.equal((await tokens.put(partnerToken('EMSP-ALWAYS', 'ALWAYS'))).created, true);
    assert.equal((await tokens.put(partnerToken('EMSP-ALWAYS', 'ALWAYS'))).created, false);
    await tokens.put(partnerToken('EMSP-ALLOWED', 'ALLOWED'));
    await tokens.put(partnerToken('EMSP-BLOCKED', 'ALWAYS', { valid: false }));
    await tokens.put(partnerToken('EMSP-NEVER', 'NEVER'));
    await tokens.put(partnerToken('EMSP-OFFLINE', 'ALLOWED_OFFLINE'));
    await tokens.put(partnerToken('EMSP-APP', 'ALWAYS', { type: 'APP_USER' }));
    await app.repos.tokens.upsert({ idToken: 'LOCAL-1', type: 'ISO14443', status: 'Accepted' });
    await assert.rejects(tokens.put(partnerToken('LOCAL-1', 'ALWAYS')), AlreadyExistsError);
    assert.equal((await app.repos.tokens.get('LOCAL-1', 'ISO14443'))?.source, 'local');
    const stored = await app.repos.tokens.get('EMSP-ALWAYS', 'ISO14443');
    assert.equal(stored?.source, 'ocpi:DE-EMS');

    const v2 = await connectStation(app, 'CS-A', 'ocpp2.0.1');
    await v2.boot(BOOT);
    const status2 = async (idToken: string, type = 'ISO14443'): Promise<string> => ((await v2.callRaw('Authorize', { idToken: { idToken, type } })).idTokenInfo as { status: string }).status;
    assert.equal(await status2('EMSP-ALWAYS'), 'Accepted');
    assert.equal(await status2('EMSP-ALLOWED'), 'Accepted');
    assert.equal(await status2('EMSP-BLOCKED'), 'Blocked');
    // No eMSP reachable: NEVER needs a real-time yes, ALLOWED_OFFLINE falls back to the whitelist.
    assert.equal(await status2('EMSP-NEVER'), 'Invalid');
    assert.equal(await status2('EMSP-OFFLINE'), 'Accepted');
    assert.equal(await status2('EMSP-APP', 'Central'), 'Accepted');
    assert.equal(await status2('NOBODY'), 'Unknown');

    const v16 = await connectStation(app, 'CS-B', 'ocpp1.6');
    await v16.callRaw('BootNotification', { chargePointVendor: 'Joule', chargePointModel: 'J-16' });
    const status16 = async (idTag: string): Promise<string> => ((await v16.callRaw('Authorize', { idTag })).idTagInfo as { status: string }).status;
    assert.equal(await status16('EMSP-ALWAYS'), 'Accepted');
    assert.equal(await status16('EMSP-BLOCKED'), 'Blocked');
    assert.equal(await status16('EMSP-NEVER'), 'Invalid');
    assert.equal(await status16('NOBODY'), 'Invalid'); // 1.6 has no Unknown: Invalid

    // Invalidating the token (valid=false) blocks it at once.
    await tokens.put(partnerToken('EMSP-ALWAYS', 'ALWAYS', { valid: false, last_updated: '2026-01-02T00:00:00Z' }));
    assert.equal(await status2('EMSP-ALWAYS'), 'Blocked');
  });
});

forEachDatabase('a 2.0.1 charge with a whitelisted partner token: ACTIVE then COMPLETED session, one CDR of 12.289 kWh, credit CDR', async (env) => {
  const app = await startApp(env, { 'ocpi.enabled': false });
  await withApp(app, async () => {
    await registerStation(app, 'CS-A');
    await app.roaming.tokens.put(partnerToken('EMSP-1', 'ALWAYS'));
    await app.repos.tokens.upsert({ idToken: 'LOCAL-1', type: 'ISO14443', status: 'Accepted' });
    const station = await connectStation(app, 'CS-A', 'ocpp2.0.1');
    await station.boot(BOOT);

    // A local token's charge is no roaming session.
    for (const event of charge201('TX-LOCAL', { idToken: 'LOCAL-1', type: 'ISO14443' })) await station.callRaw('TransactionEvent', event);
    const [started, updated, ended] = charge201('TX-1', { idToken: 'EMSP-1', type: 'ISO14443' });
    assert.equal(((await station.callRaw('TransactionEvent', started!)).idTokenInfo as { status: string }).status, 'Accepted');
    await app.roaming.sessions.idle();
    const page = await app.roaming.sessions.listSessions(ALL_PAGES);
    assert.equal(page.total, 1);
    const active = page.items[0]!;
    assert.equal(active.status, 'ACTIVE');
    assert.deepEqual(active.emsp, { countryCode: 'DE', partyId: 'EMS' });
    assert.deepEqual(active.object.cdr_token, { country_code: 'DE', party_id: 'EMS', uid: 'EMSP-1', type: 'RFID', contract_id: 'DE-EMS-CEMSP-1' });
    assert.equal(active.object.auth_method, 'WHITELIST');
    assert.deepEqual([active.object.country_code, active.object.party_id], ['NL', 'JOU']);
    assert.deepEqual([active.object.location_id, active.object.evse_uid, active.object.connector_id], ['CS-A', 'CS-A-1', '1']);
    assert.equal(active.object.start_date_time, at(0).replace('.000Z', 'Z'));
    assert.equal(active.object.kwh, 0);

    await station.callRaw('TransactionEvent', updated!);
    await app.roaming.sessions.idle();
    assert.equal((await app.roaming.sessions.getSession(active.id))?.object.kwh, 5.75);
    await station.callRaw('TransactionEvent', ended!);
    await app.roaming.sessions.idle();

    const done = await app.roaming.sessions.getSession(active.id);
    assert.equal(done?.status, 'COMPLETED');
    assert.equal(done?.object.kwh, 12.289);
    assert.equal(done?.object.end_date_time, at(120).replace('.000Z', 'Z'));
    assert.deepEqual(done?.object.charging_periods, [{ start_date_time: at(0).replace('.000Z', 'Z'), dimensions: [{ type: 'ENERGY', volume: 12.289 }, { type: 'TIME', volume: 0.0333 }] }]);

    const cdrs = await app.roaming.sessions.listCdrs(ALL_PAGES);
    assert.equal(cdrs.total, 1);
    const cdr = cdrs.items[0]!;
    assert.equal(cdr.object.id, cdr.id);
    assert.equal(cdr.object.session_id, active.id);
    assert.equal(cdr.object.total_energy, 12.289);
    assert.equal(cdr.object.total_time, 0.0333);
    assert.deepEqual(cdr.object.total_cost, { excl_vat: 0 });
    assert.equal(cdr.object.currency, 'EUR');
    assert.equal(cdr.object.cdr_location.evse_uid, 'CS-A-1');
    assert.deepEqual(cdr.object.cdr_token, active.object.cdr_token);

    // A resent Ended (duplicate) or a late event issues no second CDR.
    await station.callRaw('TransactionEvent', ended!);
    await app.roaming.sessions.idle();
    assert.equal((await app.roaming.sessions.listCdrs(ALL_PAGES)).total, 1);

    const { credit, replacement } = await app.roaming.sessions.correctCdr(cdr.id);
    assert.equal(credit.id, `${cdr.id}-C`);
    assert.equal(credit.object.credit, true);
    assert.equal(credit.object.credit_reference_id, cdr.id);
    assert.equal(credit.object.total_energy, 12.289);
    assert.ok(replacement && replacement.id !== cdr.id && replacement.object.credit === undefined);
    assert.equal(replacement?.object.total_energy, 12.289);
    assert.equal((await app.roaming.sessions.listCdrs(ALL_PAGES)).total, 3);
    await assert.rejects(app.roaming.sessions.correctCdr(credit.id));
    // Only this eMSP's objects are in its lists.
    assert.equal((await app.roaming.sessions.listCdrs({ ...ALL_PAGES, parties: [{ countryCode: 'de', partyId: 'ems' }] })).total, 3);
    assert.equal((await app.roaming.sessions.listCdrs({ ...ALL_PAGES, parties: [{ countryCode: 'NL', partyId: 'XXX' }] })).total, 0);
  });
});
