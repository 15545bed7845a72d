import assert from 'node:assert/strict';
import { forEachDatabase } from '../../test/support/db.ts';
import { AlreadyExistsError, NotFoundError } from '../domain/errors.ts';
import { createRepositories } from './index.ts';

forEachDatabase('stations', async (env, t) => {
  const { stations } = createRepositories(await env.open());

  await t.test('create, get, update, list, delete', async () => {
    const created = await stations.create({ id: 'CS-A', securityProfile: 2, passwordHash: 'h', allowedVersions: ['ocpp2.0.1', 'ocpp1.6'], strictness: 'lenient' });
    assert.equal(created.registrationStatus, 'Pending');
    assert.deepEqual(created.allowedVersions, ['ocpp2.0.1', 'ocpp1.6']);
    assert.equal(created.connected, false);
    assert.equal(created.ocppVersion, null);
    await assert.rejects(stations.create({ id: 'CS-A' }), AlreadyExistsError);

    const updated = await stations.update('CS-A', { vendor: 'ACME', model: 'X1', serialNumber: 'S1', firmwareVersion: '1.0', registrationStatus: 'Accepted', fallbackVersion: 'ocpp1.6' });
    assert.equal(updated?.vendor, 'ACME');
    assert.equal(updated?.registrationStatus, 'Accepted');
    assert.equal(updated?.securityProfile, 2, 'fields not in the patch are kept');
    assert.equal(updated?.passwordHash, 'h');
    assert.ok(updated && updated.updatedAt >= created.updatedAt);
    assert.equal(await stations.update('nope', { vendor: 'x' }), undefined);

    await stations.create({ id: 'CS-B' });
    assert.deepEqual(
      (await stations.list()).map((s) => s.id),
      ['CS-A', 'CS-B'],
    );
    assert.deepEqual(
      (await stations.list({ limit: 1, offset: 1 })).map((s) => s.id),
      ['CS-B'],
    );
    assert.equal(await stations.delete('CS-B'), true);
    assert.equal(await stations.delete('CS-B'), false);
    assert.equal(await stations.get('CS-B'), undefined);
  });

  await t.test('connection state', async () => {
    await stations.create({ id: 'CS-C' });
    const at = new Date('2025-03-01T10:00:00Z');
    await stations.markConnected('CS-C', 'node-1', 'ocpp2.0.1', at);
    let s = await stations.get('CS-C');
    assert.equal(s?.connected, true);
    assert.equal(s?.nodeId, 'node-1');
    assert.equal(s?.ocppVersion, 'ocpp2.0.1');
    assert.deepEqual(s?.lastSeenAt, at);
    assert.deepEqual((await stations.list({ connected: true })).map((x) => x.id), ['CS-C']);

    // It reconnected on node-2 before node-1 noticed the old socket close.
    await stations.markConnected('CS-C', 'node-2', 'ocpp2.0.1', at);
    await stations.markDisconnected('CS-C', 'node-1', at);
    assert.equal((await stations.get('CS-C'))?.connected, true);

    await stations.touch(['CS-C', 'CS-A'], new Date('2025-03-01T10:05:00Z'));
    await stations.touch(['CS-C'], new Date('2025-03-01T10:01:00Z'));
    s = await stations.get('CS-C');
    assert.deepEqual(s?.lastSeenAt, new Date('2025-03-01T10:05:00Z'), 'last seen never goes back');

    assert.equal(await stations.disconnectAll('node-2'), 1);
    assert.equal((await stations.get('CS-C'))?.connected, false);
  });

  await t.test('connector status: newest report wins, EVSEs are created on the way', async () => {
    await stations.create({ id: 'CS-D' });
    const t1 = new Date('2025-03-01T10:00:00Z');
    const t2 = new Date('2025-03-01T10:01:00Z');
    assert.equal(await stations.updateConnectorStatus('CS-D', { evseId: 1, connectorId: 1, status: 'Occupied', ocppStatus: 'Charging', at: t2 }), true);
    // A replayed older report arrives late: ignored.
    assert.equal(await stations.updateConnectorStatus('CS-D', { evseId: 1, connectorId: 1, status: 'Available', at: t1 }), false);
    assert.equal(await stations.updateConnectorStatus('CS-D', { evseId: 2, connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', at: t1 }), true);
    const connectors = await stations.listConnectors('CS-D');
    assert.deepEqual(
      connectors.map((c) => [c.evseId, c.connectorId, c.status, c.ocppStatus, c.errorCode]),
      [
        [1, 1, 'Occupied', 'Charging', null],
        [2, 1, 'Faulted', null, 'GroundFailure'],
      ],
    );
    assert.deepEqual(connectors[0]?.updatedAt, t2);
    assert.deepEqual((await stations.listEvses('CS-D')).map((e) => [e.evseId, e.availability]), [
      [1, 'Operative'],
      [2, 'Operative'],
    ]);
    await stations.setEvseAvailability('CS-D', 2, 'Inoperative');
    await stations.setEvseAvailability('CS-D', 3, 'Inoperative');
    assert.deepEqual((await stations.listEvses('CS-D')).map((e) => [e.evseId, e.availability]), [
      [1, 'Operative'],
      [2, 'Inoperative'],
      [3, 'Inoperative'],
    ]);
    await assert.rejects(stations.updateConnectorStatus('ghost', { evseId: 1, connectorId: 1, status: 'Available', at: t1 }), NotFoundError);
    await assert.rejects(stations.setEvseAvailability('ghost', 1, 'Operative'), NotFoundError);

    assert.equal(await stations.delete('CS-D'), true);
    assert.deepEqual(await stations.listConnectors('CS-D'), [], 'connectors go with their station');
  });
});
