/**
 * Scenario: 2.0.1 registration (Pending, Rejected, unknown stations) and token decisions.
 * The real app on real storage, driven by the real station client over a socket (see scenario-support.ts).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { HandlerRegistry } from '../../src/protocol/handlers.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT, TAG, addTokens, session } from './scenario-fixtures.ts';
import { at, closeAll, connectStation, isSecurityError, registerStation, startApp, withApp } from './scenario-support.ts';

afterEach(closeAll);

forEachDatabase('2.0.1 Pending: only BootNotification and triggered messages until the operator accepts (B02.FR.09, B01.FR.10, FR.04)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-PEND', { registrationStatus: 'Pending' });
    // The station answers TriggerMessage, as a real one would.
    const handlers = new HandlerRegistry().on('ocpp2.0.1', 'TriggerMessage', () => ({ status: 'Accepted' as const }));
    const station = await connectStation(app, 'CS-PEND', 'ocpp2.0.1', app.port, { handlers });

    const first = await station.boot(BOOT);
    assert.equal(first.response.status, 'Pending');
    await assert.rejects(station.call('Heartbeat', {}), isSecurityError);
    await assert.rejects(station.call('TransactionEvent', session('TX-P')[0]!), isSecurityError);
    await assert.rejects(station.call('StatusNotification', { timestamp: at(0), connectorStatus: 'Available', evseId: 1, connectorId: 1 }), isSecurityError);

    // B01.FR.10: a message the CSMS asked for gets through while Pending.
    const trigger = await app.gateway.call('CS-PEND', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    assert.equal(trigger.status, 'Accepted');
    await station.call('StatusNotification', { timestamp: at(1), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    assert.equal((await app.repos.stations.listConnectors('CS-PEND'))[0]?.status, 'Available');

    // The operator accepts the station; its next BootNotification (after the interval) is Accepted.
    await app.repos.stations.update('CS-PEND', { registrationStatus: 'Accepted' });
    const second = await station.boot(BOOT);
    assert.equal(second.response.status, 'Accepted');
    await station.call('Heartbeat', {});
  });
});

forEachDatabase('2.0.1 Rejected station, unknown station admitted as Pending, token decisions: Unknown, Expired, Blocked, NoAuthorization (B03.FR.07, B02, C01.FR.07, C02.FR.02)', async (env) => {
  const app = await startApp(env, { 'ocpp.allowUnknownStations': true });
  await withApp(app, async () => {
    await registerStation(app, 'CS-REJ', { registrationStatus: 'Rejected' });
    const rejected = await connectStation(app, 'CS-REJ', 'ocpp2.0.1');
    assert.equal((await rejected.boot(BOOT)).response.status, 'Rejected');
    await assert.rejects(rejected.call('Authorize', { idToken: TAG }), isSecurityError);

    // An identity nobody registered, let in by ocpp.allowUnknownStations: it gets a Pending record to accept.
    const stranger = await connectStation(app, 'CS-NEW', 'ocpp2.0.1');
    assert.equal((await stranger.boot(BOOT)).response.status, 'Pending');
    const record = await app.repos.stations.get('CS-NEW');
    assert.deepEqual([record?.registrationStatus, record?.securityProfile, record?.connected], ['Pending', 0, true]);

    await registerStation(app, 'CS-AUTH');
    await addTokens(app);
    const station = await connectStation(app, 'CS-AUTH', 'ocpp2.0.1');
    await station.boot(BOOT);
    const status = async (idToken: string, type: 'ISO14443' | 'NoAuthorization' | 'ISO15693' = 'ISO14443'): Promise<string> =>
      (await station.call('Authorize', { idToken: { idToken, type } })).idTokenInfo.status;
    assert.equal(await status('NOBODY'), 'Unknown');
    assert.equal(await status('OLD'), 'Expired');
    assert.equal(await status('BAD'), 'Blocked');
    assert.equal(await status('TAG-1', 'ISO15693'), 'Unknown'); // C01.FR.25: (idToken, type) is the identity
    assert.equal(await status('', 'NoAuthorization'), 'Accepted');
  });
});
