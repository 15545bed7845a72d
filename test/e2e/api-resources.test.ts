/** REST API resources on the real app: stations, connectors, device model, tokens, transactions, message log. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../../src/shared/password.ts';
import { items, startApi, type JsonBody, type TestApi } from './api-support.ts';

const PASSWORD = 'correct-horse-battery';
const fieldsOf = (body: JsonBody): string[] => items(body.fields).map((f) => `${String(f.in)}:${String(f.field)}`);

describe('REST API resources', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(() => api.close());

  describe('stations', () => {
    test('register: 201 with Location, the password hashed and never returned', async () => {
      const response = await api.call('POST', '/stations', { body: { id: 'CS-1', password: PASSWORD, securityProfile: 1, allowedVersions: ['ocpp2.0.1', 'ocpp1.6'] } });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('location'), '/api/v1/stations/CS-1');
      assert.equal(response.body.id, 'CS-1');
      assert.equal(response.body.securityProfile, 1);
      assert.equal(response.body.hasPassword, true);
      assert.equal(response.body.connected, false);
      assert.equal(response.body.registrationStatus, 'Pending');
      assert.deepEqual(response.body.allowedVersions, ['ocpp2.0.1', 'ocpp1.6']);
      const text = JSON.stringify(response.body);
      assert.ok(!text.includes(PASSWORD) && !/passwordHash|scrypt/.test(text), 'no password or hash in the response');

      const stored = await api.joule.repos.stations.get('CS-1');
      assert.ok(stored?.passwordHash && (await verifyPassword(PASSWORD, stored.passwordHash)));
    });

    test('register twice: 409 already_exists', async () => {
      await api.call('POST', '/stations', { body: { id: 'CS-dup', securityProfile: 0 } });
      const response = await api.call('POST', '/stations', { body: { id: 'CS-dup', securityProfile: 0 } });
      assert.equal(response.status, 409);
      assert.equal(response.body.error, 'already_exists');
    });

    test('400 lists every failing field, and nothing is stored', async () => {
      const response = await api.call('POST', '/stations', {
        body: { id: 'bad:id', securityProfile: 7, allowedVersions: ['ocpp9'], strictness: 'loose', extra: true },
      });
      assert.equal(response.status, 400);
      assert.equal(response.body.error, 'validation_failed');
      const fields = fieldsOf(response.body);
      for (const f of ['body:id', 'body:securityProfile', 'body:allowedVersions.0', 'body:strictness', 'body:extra']) assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
      assert.equal(await api.joule.repos.stations.get('bad:id'), undefined);
    });

    test('profiles 1 and 2 need a password; passwords have OCPP length rules', async () => {
      const missing = await api.call('POST', '/stations', { body: { id: 'CS-nopw', securityProfile: 2 } });
      assert.equal(missing.status, 400);
      assert.deepEqual(fieldsOf(missing.body), ['body:password']);
      const short = await api.call('POST', '/stations', { body: { id: 'CS-short', securityProfile: 1, password: 'short' } });
      assert.equal(short.status, 400);
      assert.deepEqual(fieldsOf(short.body), ['body:password']);
    });

    test('unreadable bodies: 400 bad_request, wrong content type 415', async () => {
      const broken = await api.call('POST', '/stations', { body: '{"id": ' });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.error, 'bad_request');
      const text = await api.call('POST', '/stations', { body: 'id=x', headers: { 'content-type': 'text/plain' } });
      assert.equal(text.status, 415);
      assert.equal(text.body.error, 'unsupported_media_type');
    });

    test('detail with EVSEs and connectors; connectors list; 404 for unknown stations', async () => {
      await api.call('POST', '/stations', { body: { id: 'CS-evse', securityProfile: 0 } });
      const at = new Date('2025-01-01T10:00:00Z');
      await api.joule.repos.stations.updateConnectorStatus('CS-evse', { evseId: 1, connectorId: 1, status: 'Occupied', ocppStatus: 'Charging', at });
      await api.joule.repos.stations.updateConnectorStatus('CS-evse', { evseId: 2, connectorId: 1, status: 'Available', ocppStatus: 'Available', at });
      const detail = await api.call('GET', '/stations/CS-evse');
      assert.equal(detail.status, 200);
      const evses = items(detail.body.evses);
      assert.deepEqual(
        evses.map((e) => [e.evseId, items(e.connectors).map((c) => [c.connectorId, c.status, c.ocppStatus])]),
        [
          [1, [[1, 'Occupied', 'Charging']]],
          [2, [[1, 'Available', 'Available']]],
        ],
      );
      const connectors = await api.call('GET', '/stations/CS-evse/connectors');
      assert.equal(connectors.status, 200);
      assert.equal(items(connectors.body.items).length, 2);
      assert.equal(items(connectors.body.items)[0]?.updatedAt, at.toISOString());

      for (const path of ['/stations/nope', '/stations/nope/connectors', '/stations/nope/variables']) {
        const response = await api.call('GET', path);
        assert.equal(response.status, 404, path);
        assert.equal(response.body.error, 'not_found');
      }
    });

    test('update: accept a Pending station, rotate the password, clear the fallback; validation', async () => {
      await api.call('POST', '/stations', { body: { id: 'CS-upd', securityProfile: 1, password: PASSWORD, fallbackVersion: 'ocpp1.6' } });
      const before = await api.joule.repos.stations.get('CS-upd');
      const response = await api.call('PATCH', '/stations/CS-upd', { body: { registrationStatus: 'Accepted', password: 'another-password-123', fallbackVersion: null } });
      assert.equal(response.status, 200);
      assert.equal(response.body.registrationStatus, 'Accepted');
      assert.equal(response.body.fallbackVersion, null);
      const after = await api.joule.repos.stations.get('CS-upd');
      assert.ok(after?.passwordHash && after.passwordHash !== before?.passwordHash);
      assert.ok(await verifyPassword('another-password-123', after.passwordHash));

      assert.equal((await api.call('PATCH', '/stations/CS-upd', { body: {} })).status, 400);
      const bad = await api.call('PATCH', '/stations/CS-upd', { body: { registrationStatus: 'Maybe' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(fieldsOf(bad.body), ['body:registrationStatus']);
      assert.equal((await api.call('PATCH', '/stations/nope', { body: { registrationStatus: 'Accepted' } })).status, 404);

      // Raising a station without a password to profile 2 needs one.
      await api.call('POST', '/stations', { body: { id: 'CS-p0', securityProfile: 0 } });
      const raise = await api.call('PATCH', '/stations/CS-p0', { body: { securityProfile: 2 } });
      assert.equal(raise.status, 400);
      assert.deepEqual(fieldsOf(raise.body), ['body:password']);
      assert.equal((await api.call('PATCH', '/stations/CS-p0', { body: { securityProfile: 2, password: PASSWORD } })).status, 200);
    });

    test('list: pagination, connection filter, query validation', async () => {
      for (let i = 0; i < 5; i++) await api.call('POST', '/stations', { body: { id: `P-${i}`, securityProfile: 0 } });
      const all = items((await api.call('GET', '/stations?limit=500')).body.items).map((s) => String(s.id));
      const page1 = await api.call('GET', '/stations?limit=2');
      assert.equal(page1.status, 200);
      assert.deepEqual(items(page1.body.items).map((s) => s.id), all.slice(0, 2));
      assert.equal(page1.body.limit, 2);
      assert.equal(page1.body.nextOffset, 2);
      const last = await api.call('GET', `/stations?limit=2&offset=${all.length - 1}`);
      assert.deepEqual(items(last.body.items).map((s) => s.id), all.slice(-1));
      assert.equal(last.body.nextOffset, null);

      const offline = await api.call('GET', '/stations?connected=false&limit=500');
      assert.equal(items(offline.body.items).length, all.length);
      assert.equal(items((await api.call('GET', '/stations?connected=true')).body.items).length, 0);

      for (const query of ['limit=0', 'limit=abc', 'limit=501', 'offset=-1', 'connected=maybe', 'color=red']) {
        const response = await api.call('GET', `/stations?${query}`);
        assert.equal(response.status, 400, query);
        assert.equal(items(response.body.fields)[0]?.in, 'query', query);
      }
    });

    test('delete: 204, then 404', async () => {
      await api.call('POST', '/stations', { body: { id: 'CS-del', securityProfile: 0 } });
      assert.equal((await api.call('DELETE', '/stations/CS-del')).status, 204);
      assert.equal((await api.call('GET', '/stations/CS-del')).status, 404);
      assert.equal((await api.call('DELETE', '/stations/CS-del')).status, 404);
    });

    test('device model variables with filters', async () => {
      await api.call('POST', '/stations', { body: { id: 'CS-dm', securityProfile: 0 } });
      await api.joule.repos.deviceModel.upsert('CS-dm', [
        { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300', mutability: 'ReadWrite' },
        { component: 'SecurityCtrlr', variable: 'SecurityProfile', value: '1', mutability: 'ReadOnly' },
      ]);
      const all = await api.call('GET', '/stations/CS-dm/variables');
      assert.equal(all.status, 200);
      assert.equal(items(all.body.items).length, 2);
      const one = await api.call('GET', '/stations/CS-dm/variables?component=SecurityCtrlr');
      assert.deepEqual(items(one.body.items).map((v) => [v.variable, v.value, v.mutability, v.attributeType]), [['SecurityProfile', '1', 'ReadOnly', 'Actual']]);
    });
  });

  describe('tokens', () => {
    test('CRUD with 400s and 404s', async () => {
      const created = await api.call('POST', '/tokens', { body: { idToken: 'AABBCCDD', status: 'Accepted', groupId: 'fleet-1', expiry: '2030-01-01T00:00:00Z' } });
      assert.equal(created.status, 201);
      assert.equal(created.body.type, 'ISO14443');
      assert.equal(created.body.source, 'local');
      assert.equal(created.body.expiry, '2030-01-01T00:00:00.000Z');
      const id = Number(created.body.id);
      assert.equal(created.headers.get('location'), `/api/v1/tokens/${id}`);

      assert.equal((await api.call('POST', '/tokens', { body: { idToken: 'AABBCCDD', status: 'Blocked' } })).status, 409);
      const bad = await api.call('POST', '/tokens', { body: { idToken: '', status: 'Fine', expiry: 'tomorrow' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(fieldsOf(bad.body).sort(), ['body:expiry', 'body:idToken', 'body:status']);

      const got = await api.call('GET', `/tokens/${id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.idToken, 'AABBCCDD');

      const patched = await api.call('PATCH', `/tokens/${id}`, { body: { status: 'Blocked', groupId: null } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.status, 'Blocked');
      assert.equal(patched.body.groupId, null);
      assert.equal(patched.body.expiry, '2030-01-01T00:00:00.000Z');
      assert.equal((await api.call('PATCH', `/tokens/${id}`, { body: { idToken: 'other' } })).status, 400);

      const byValue = await api.call('GET', '/tokens?idToken=AABBCCDD');
      assert.deepEqual(items(byValue.body.items).map((t) => t.id), [id]);

      assert.equal((await api.call('DELETE', `/tokens/${id}`)).status, 204);
      assert.equal((await api.call('GET', `/tokens/${id}`)).status, 404);
      assert.equal((await api.call('DELETE', `/tokens/${id}`)).status, 404);
      assert.equal((await api.call('PATCH', `/tokens/${id}`, { body: { status: 'Accepted' } })).status, 404);
      assert.equal((await api.call('GET', '/tokens/abc')).status, 400);
    });

    test('list pagination', async () => {
      for (let i = 0; i < 3; i++) await api.call('POST', '/tokens', { body: { idToken: `PAGE${i}`, type: 'Central', status: 'Accepted' } });
      const first = await api.call('GET', '/tokens?limit=2');
      assert.equal(items(first.body.items).length, 2);
      assert.equal(first.body.nextOffset, 2);
      const rest = await api.call('GET', `/tokens?limit=2&offset=2`);
      assert.ok(items(rest.body.items).length >= 1);
    });
  });

  describe('transactions and message log', () => {
    before(async () => {
      await api.call('POST', '/stations', { body: { id: 'CS-tx', securityProfile: 0 } });
      const { transactions } = api.joule.repos;
      const t0 = new Date('2025-03-01T10:00:00Z');
      const t1 = new Date('2025-03-01T11:00:00Z');
      await transactions.applyEvent({
        stationId: 'CS-tx',
        transactionId: 'tx-1',
        seqNo: 0,
        eventType: 'Started',
        timestamp: t0,
        startedAt: t0,
        payload: { eventType: 'Started' },
        evseId: 1,
        connectorId: 1,
        idToken: 'AABBCCDD',
        idTokenType: 'ISO14443',
        energy: [{ timestamp: t0, wh: 1000.5 }],
        meterValues: [{ stationId: 'CS-tx', timestamp: t0, value: 1000.5, unit: 'Wh' }],
      });
      await transactions.applyEvent({
        stationId: 'CS-tx',
        transactionId: 'tx-1',
        seqNo: 1,
        eventType: 'Ended',
        timestamp: t1,
        stoppedAt: t1,
        stopReason: 'Local',
        payload: { eventType: 'Ended' },
        energy: [{ timestamp: t1, wh: 13346.25 }],
        meterValues: [{ stationId: 'CS-tx', timestamp: t1, value: 13.34625, unit: 'kWh' }],
      });
      await transactions.applyEvent({
        stationId: 'CS-tx',
        transactionId: 'tx-2',
        seqNo: 0,
        eventType: 'Started',
        timestamp: t1,
        startedAt: t1,
        payload: { eventType: 'Started' },
        idToken: 'OTHER',
      });
      await api.joule.repos.messageLog.append(
        Array.from({ length: 5 }, (_, i) => ({
          stationId: 'CS-tx',
          direction: 'in' as const,
          messageType: 2,
          messageId: `m${i}`,
          action: i % 2 === 0 ? 'Heartbeat' : 'StatusNotification',
          payload: {},
          // m4: a CALL of the station with our answer, one exchange.
          response: i === 4 ? { messageType: 3, payload: { currentTime: t1.toISOString() }, createdAt: t1 } : null,
        })),
      );
    });

    test('list with filters; detail with meter values, events and energy in Wh and kWh', async () => {
      const all = await api.call('GET', '/transactions?station=CS-tx');
      assert.equal(all.status, 200);
      assert.deepEqual(items(all.body.items).map((t) => t.transactionId), ['tx-2', 'tx-1']);
      const completed = await api.call('GET', '/transactions?station=CS-tx&state=completed');
      assert.deepEqual(items(completed.body.items).map((t) => t.transactionId), ['tx-1']);
      const byToken = await api.call('GET', '/transactions?idToken=OTHER');
      assert.deepEqual(items(byToken.body.items).map((t) => t.transactionId), ['tx-2']);
      const window = await api.call('GET', `/transactions?station=CS-tx&from=${encodeURIComponent('2025-03-01T10:30:00Z')}&to=${encodeURIComponent('2025-03-02T00:00:00Z')}`);
      assert.deepEqual(items(window.body.items).map((t) => t.transactionId), ['tx-2']);
      const paged = await api.call('GET', '/transactions?station=CS-tx&limit=1');
      assert.equal(items(paged.body.items).length, 1);
      assert.equal(paged.body.nextOffset, 1);

      const id = Number(items(completed.body.items)[0]?.id);
      const detail = await api.call('GET', `/transactions/${id}`);
      assert.equal(detail.status, 200);
      assert.equal(detail.body.state, 'completed');
      assert.equal(detail.body.energyWh, 12345.75);
      assert.equal(detail.body.energyKWh, 12.34575);
      assert.equal(detail.body.stopReason, 'Local');
      assert.deepEqual(items(detail.body.meterValues).map((m) => [m.value, m.unit]), [
        [1000.5, 'Wh'],
        [13.34625, 'kWh'],
      ]);
      assert.deepEqual(items(detail.body.events).map((e) => [e.seqNo, e.eventType]), [
        [0, 'Started'],
        [1, 'Ended'],
      ]);

      const scoped = await api.call('GET', '/stations/CS-tx/transactions/tx-1');
      assert.equal(scoped.status, 200);
      assert.equal(scoped.body.id, id);
      assert.equal((await api.call('GET', '/stations/CS-tx/transactions/nope')).status, 404);
      assert.equal((await api.call('GET', '/transactions/999999')).status, 404);
      assert.equal((await api.call('GET', '/transactions/0')).status, 400);
      const badQuery = await api.call('GET', '/transactions?state=paused&from=yesterday');
      assert.equal(badQuery.status, 400);
      assert.deepEqual(fieldsOf(badQuery.body).sort(), ['query:from', 'query:state']);
    });

    test('message log: filters and cursor pagination', async () => {
      const heartbeats = await api.call('GET', '/messages?station=CS-tx&action=Heartbeat');
      assert.equal(heartbeats.status, 200);
      assert.equal(items(heartbeats.body.items).length, 3);
      assert.ok(items(heartbeats.body.items).every((m) => [m.action, m.direction, m.stationId].join() === 'Heartbeat,in,CS-tx'));
      assert.deepEqual(
        items(heartbeats.body.items).map((m) => m.response),
        [{ messageType: 3, payload: { currentTime: '2025-03-01T11:00:00.000Z' }, createdAt: '2025-03-01T11:00:00.000Z' }, null, null],
        'the answer of an exchange, null without one',
      );

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.call('GET', `/messages?station=CS-tx&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        seen.push(...items(page.body.items).map((m) => String(m.messageId)));
        cursor = page.body.nextCursor === null ? null : String(page.body.nextCursor);
      } while (cursor);
      assert.deepEqual(seen, ['m4', 'm3', 'm2', 'm1', 'm0']);

      const future = await api.call('GET', `/messages?station=CS-tx&from=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
      assert.equal(items(future.body.items).length, 0);
      assert.equal((await api.call('GET', '/messages?cursor=abc')).status, 400);
      assert.equal((await api.call('GET', '/messages?action=Bad%20Action')).status, 400);
    });
  });
});
