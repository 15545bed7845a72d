/**
 * Scenario: 2.0.1 notifications (DataTransfer, NotifyEvent, StatusNotification order, NotifyReport, security).
 * The real app on real storage, driven by the real station client over a socket (see scenario-support.ts).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { RequestOf } from '../../src/protocol/generated/index.ts';
import { HandlerRegistry } from '../../src/protocol/handlers.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from './scenario-fixtures.ts';
import { at, closeAll, connectStation, registerStation, startApp, withApp } from './scenario-support.ts';

afterEach(closeAll);

forEachDatabase('2.0.1 notifications: DataTransfer unknown vendor, NotifyEvent availability, late StatusNotification, NotifyReport, security events (P02, G01, B07, A04)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-N');
    const handlers = new HandlerRegistry().on('ocpp2.0.1', 'GetBaseReport', () => ({ status: 'Accepted' as const }));
    const station = await connectStation(app, 'CS-N', 'ocpp2.0.1', app.port, { handlers });
    await station.boot(BOOT);

    assert.deepEqual(await station.call('DataTransfer', { vendorId: 'com.example.unknown', messageId: 'x', data: { a: 1 } }), { status: 'UnknownVendorId' });

    await station.call('StatusNotification', { timestamp: at(100), connectorStatus: 'Available', evseId: 2, connectorId: 1 });
    // G01.FR.01/03: the NotifyEvent form of a status change.
    await station.call('NotifyEvent', {
      generatedAt: at(200), seqNo: 0,
      eventData: [{ eventId: 1, timestamp: at(200), trigger: 'Delta', actualValue: 'Occupied', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'AvailabilityState' } }],
    });
    // An older report (offline replay) does not overwrite the newer state.
    await station.call('StatusNotification', { timestamp: at(150), connectorStatus: 'Faulted', evseId: 2, connectorId: 1 });
    assert.equal((await app.repos.stations.listConnectors('CS-N')).find((c) => c.evseId === 2)?.status, 'Occupied');

    await station.call('NotifyReport', {
      requestId: 1, generatedAt: at(0), seqNo: 0, tbc: false,
      reportData: [{
        component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' },
        variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite' }],
        variableCharacteristics: { dataType: 'integer', unit: 's', supportsMonitoring: false },
      }],
    });
    const variable = await app.repos.deviceModel.get('CS-N', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' });
    assert.deepEqual([variable?.value, variable?.mutability], ['300', 'ReadWrite']);
    assert.deepEqual(variable?.data, { variableCharacteristics: { dataType: 'integer', unit: 's', supportsMonitoring: false } });

    // B07: the answer to our GetBaseReport(FullInventory), in two parts, replaces the stored model.
    assert.equal((await app.gateway.call('CS-N', 'GetBaseReport', { requestId: 7, reportBase: 'FullInventory' })).status, 'Accepted');
    const part = (seqNo: number, name: string, tbc: boolean): RequestOf<'ocpp2.0.1', 'NotifyReport'> => ({
      requestId: 7, generatedAt: at(1), seqNo, tbc,
      reportData: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name }, variableAttribute: [{ value: 'x', mutability: 'ReadOnly' }] }],
    });
    await station.call('NotifyReport', part(0, 'Power', true));
    await station.call('NotifyReport', part(1, 'AvailabilityState', false));
    const model = await app.repos.deviceModel.list('CS-N');
    assert.deepEqual(model.map((v) => [v.component, v.evseId, v.variable, v.attributeType]), [['EVSE', 1, 'AvailabilityState', 'Actual'], ['EVSE', 1, 'Power', 'Actual']]);

    assert.deepEqual(await station.call('SecurityEventNotification', { type: 'FirmwareUpdated', timestamp: at(0) }), {});
    assert.deepEqual(await station.call('FirmwareStatusNotification', { status: 'Installed', requestId: 3 }), {});
    assert.deepEqual(await station.call('LogStatusNotification', { status: 'Uploaded', requestId: 4 }), {});
    assert.equal((await station.call('SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----' })).status, 'Rejected');
  });
});
