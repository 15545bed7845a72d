// Tokens, API keys, device model, reservations, charging profiles and command jobs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { forEachDatabase } from '../../test/support/db.ts';
import { NotFoundError } from '../domain/errors.ts';
import { OCPP16_CONFIG_COMPONENT } from '../domain/model.ts';
import { createRepositories } from './index.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

forEachDatabase('catalog repositories', async (env, t) => {
  const repos = createRepositories(await env.open());
  await repos.stations.create({ id: 'CS-K' });

  await t.test('id tokens: upsert, lookup by value and type', async () => {
    const expiry = new Date('2030-01-01T00:00:00Z');
    const token = await repos.tokens.upsert({ idToken: 'AABBCC', type: 'ISO14443', status: 'Accepted', expiry, groupId: 'G1' });
    assert.equal(token.source, 'local');
    assert.deepEqual(token.expiry, expiry);
    await repos.tokens.upsert({ idToken: 'AABBCC', type: 'eMAID', status: 'Blocked', source: 'ocpi:NL-ABC' });
    const blocked = await repos.tokens.upsert({ idToken: 'AABBCC', type: 'ISO14443', status: 'Blocked', groupId: 'G1' });
    assert.equal(blocked.id, token.id, 'same key updates in place');
    assert.equal(blocked.status, 'Blocked');
    assert.equal(blocked.expiry, null);
    assert.equal((await repos.tokens.get('AABBCC', 'ISO14443'))?.status, 'Blocked');
    assert.equal(await repos.tokens.get('AABBCC', 'Central'), undefined);
    assert.deepEqual((await repos.tokens.findByValue('AABBCC')).map((x) => x.source), ['local', 'ocpi:NL-ABC']);
    assert.deepEqual(await repos.tokens.findByValue('nope'), []);
    assert.equal((await repos.tokens.getById(token.id))?.idToken, 'AABBCC');
    assert.deepEqual((await repos.tokens.list({ source: 'ocpi:NL-ABC' })).map((x) => x.type), ['eMAID']);
    assert.deepEqual((await repos.tokens.list({ groupId: 'G1' })).map((x) => x.type), ['ISO14443']);
    assert.equal(await repos.tokens.delete('AABBCC', 'eMAID'), true);
    assert.equal(await repos.tokens.delete('AABBCC', 'eMAID'), false);
  });

  await t.test('api keys: stored hashed, found by hash', async () => {
    assert.equal(await repos.apiKeys.count(), 0);
    const key = await repos.apiKeys.create({ name: 'ops', hash: sha256('secret-1') });
    assert.match(key.id, /^[0-9a-f-]{36}$/);
    assert.equal(key.lastUsedAt, null);
    assert.equal((await repos.apiKeys.findByHash(sha256('secret-1')))?.id, key.id);
    assert.equal(await repos.apiKeys.findByHash(sha256('wrong')), undefined);
    const used = new Date('2025-05-05T05:05:05Z');
    await repos.apiKeys.markUsed(key.id, used);
    assert.deepEqual((await repos.apiKeys.findByHash(sha256('secret-1')))?.lastUsedAt, used);
    await repos.apiKeys.create({ name: 'ci', hash: sha256('secret-2') });
    assert.equal(await repos.apiKeys.count(), 2);
    assert.deepEqual((await repos.apiKeys.list()).map((k) => k.name).sort(), ['ci', 'ops']);
    assert.equal(await repos.apiKeys.delete('not-a-uuid'), false);
    assert.equal(await repos.apiKeys.delete(key.id), true);
    assert.equal(await repos.apiKeys.findByHash(sha256('secret-1')), undefined);
  });

  await t.test('device model: 2.0.1 variables and 1.6 configuration keys', async () => {
    await repos.deviceModel.upsert('CS-K', [
      { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300', mutability: 'ReadWrite', data: { dataType: 'integer' } },
      { component: 'EVSE', evseId: 1, variable: 'Power', attributeType: 'MaxSet', value: '22000' },
      { component: OCPP16_CONFIG_COMPONENT, variable: 'MeterValueSampleInterval', value: '60', mutability: 'ReadWrite' },
      { component: OCPP16_CONFIG_COMPONENT, variable: 'MeterValueSampleInterval', value: '30', mutability: 'ReadWrite' },
    ]);
    await repos.deviceModel.upsert('CS-K', [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '600' }]);
    const hb = await repos.deviceModel.get('CS-K', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' });
    assert.equal(hb?.value, '600');
    assert.equal(hb?.mutability, 'ReadWrite', 'kept when the update does not say');
    assert.deepEqual(hb?.data, { dataType: 'integer' });
    assert.equal(hb?.evseId, null);
    assert.equal(hb?.componentInstance, null);
    const power = await repos.deviceModel.get('CS-K', { component: 'EVSE', evseId: 1, variable: 'Power', attributeType: 'MaxSet' });
    assert.equal(power?.value, '22000');
    assert.equal(power?.evseId, 1);
    assert.equal(await repos.deviceModel.get('CS-K', { component: 'EVSE', evseId: 1, variable: 'Power' }), undefined, 'Actual is another attribute');
    assert.deepEqual((await repos.deviceModel.list('CS-K', { component: OCPP16_CONFIG_COMPONENT })).map((v) => [v.variable, v.value]), [['MeterValueSampleInterval', '30']]);
    assert.equal((await repos.deviceModel.list('CS-K')).length, 3);
    await assert.rejects(repos.deviceModel.upsert('ghost', [{ component: 'X', variable: 'Y' }]), NotFoundError);
    assert.equal(await repos.deviceModel.clear('CS-K'), 3);
  });

  await t.test('reservations: ids assigned, status and expiry', async () => {
    const now = new Date('2025-03-01T10:00:00Z');
    const r1 = await repos.reservations.create({ stationId: 'CS-K', evseId: 1, idToken: 'TAG', expiry: new Date('2025-03-01T10:15:00Z') });
    const r2 = await repos.reservations.create({ stationId: 'CS-K', idToken: 'TAG', expiry: new Date('2025-03-01T09:59:00Z') });
    assert.equal(r1.status, 'Pending');
    assert.equal(r2.id, r1.id + 1);
    assert.equal((await repos.reservations.setStatus(r1.id, 'Accepted'))?.status, 'Accepted');
    assert.deepEqual((await repos.reservations.listActive('CS-K')).map((r) => r.id), [r1.id, r2.id]);
    assert.deepEqual((await repos.reservations.expire(now)).map((r) => [r.id, r.status]), [[r2.id, 'Expired']]);
    assert.deepEqual((await repos.reservations.listActive('CS-K')).map((r) => r.id), [r1.id]);
    assert.equal((await repos.reservations.get(r2.id))?.status, 'Expired');
    assert.equal(await repos.reservations.setStatus(999_999, 'Used'), undefined);
  });

  await t.test('charging profiles: replace by id, clear by criteria', async () => {
    const base = { stationId: 'CS-K', evseId: 1, stackLevel: 0, purpose: 'TxDefaultProfile', kind: 'Absolute', profile: { id: 1, chargingSchedule: [{ chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] }] } };
    await repos.chargingProfiles.upsert({ ...base, profileId: 1 });
    const replaced = await repos.chargingProfiles.upsert({ ...base, profileId: 1, stackLevel: 2 });
    assert.equal(replaced.stackLevel, 2);
    assert.deepEqual(replaced.profile, base.profile);
    await repos.chargingProfiles.upsert({ ...base, profileId: 2, evseId: 0, purpose: 'ChargingStationMaxProfile' });
    await repos.chargingProfiles.setStatus('CS-K', 2, 'Accepted');
    assert.deepEqual((await repos.chargingProfiles.list('CS-K')).map((p) => [p.profileId, p.status]), [
      [2, 'Accepted'],
      [1, 'Pending'],
    ]);
    assert.deepEqual((await repos.chargingProfiles.list('CS-K', { purpose: 'TxDefaultProfile' })).map((p) => p.profileId), [1]);
    assert.equal(await repos.chargingProfiles.delete('CS-K', { evseId: 1, stackLevel: 2 }), 1);
    assert.equal(await repos.chargingProfiles.delete('CS-K'), 1);
  });

  await t.test('command jobs', async () => {
    const job = await repos.commandJobs.create({ stationId: 'CS-K', action: 'Reset', request: { type: 'Immediate' }, webhookUrl: 'http://127.0.0.1:9/hook' });
    assert.equal(job.status, 'pending');
    assert.deepEqual(job.request, { type: 'Immediate' });
    const done = await repos.commandJobs.update(job.id, { status: 'completed', response: { status: 'Accepted' } });
    assert.deepEqual(done?.response, { status: 'Accepted' });
    assert.equal(done?.error, null);
    const failed = await repos.commandJobs.create({ id: '11111111-2222-4333-8444-555555555555', stationId: 'CS-K', action: 'Reset', request: [] });
    assert.deepEqual(failed.request, [], 'a JSON array stays a JSON array');
    await repos.commandJobs.update(failed.id, { status: 'failed', error: { code: 'NotSupported', description: 'no' } });
    assert.deepEqual((await repos.commandJobs.get(failed.id))?.error, { code: 'NotSupported', description: 'no' });
    assert.equal(await repos.commandJobs.get('nope'), undefined);
    assert.deepEqual((await repos.commandJobs.list({ status: ['failed'] })).map((j) => j.id), [failed.id]);
    assert.equal((await repos.commandJobs.list({ stationId: 'CS-K' })).length, 2);
    await assert.rejects(repos.commandJobs.create({ stationId: 'ghost', action: 'Reset', request: {} }), NotFoundError);
  });
});
