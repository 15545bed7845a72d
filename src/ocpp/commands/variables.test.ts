/** Device model and local list commands over real sockets; results land in the device model (B05-B07, D01-D02). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CommandTestbed, FakeStation } from '../../../test/support/commands.ts';
import { startCommandTestbed } from '../../../test/support/commands.ts';
import type { JsonObject } from '../../domain/model.ts';

const TIMEOUT = { timeoutMs: 3000 };

describe('device model and local list commands', () => {
  let bed: CommandTestbed;
  let v16: FakeStation;
  let v201: FakeStation;

  before(async () => {
    bed = await startCommandTestbed();
    v16 = await bed.station('VAR16', 'ocpp1.6');
    v201 = await bed.station('VAR201', 'ocpp2.0.1');
  });
  after(() => bed.close());

  const stored = async (stationId: string) =>
    (await bed.repos.deviceModel.list(stationId)).map((v) => [v.component, v.evseId, v.variable, v.variableInstance, v.attributeType, v.value, v.mutability]);

  describe('getVariables (B06) / 1.6 GetConfiguration', () => {
    test('1.6: keys by variable name; known and unknown keys in 2.0.1 terms; values stored under OCPP16', async () => {
      v16.answer('GetConfiguration', {
        configurationKey: [
          { key: 'HeartbeatInterval', readonly: false, value: '300' },
          { key: 'NumberOfConnectors', readonly: true, value: '2' },
        ],
        unknownKey: ['Nope'],
      });
      const outcome = await bed.commands.execute(
        v16.id,
        { name: 'getVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }, { component: 'x', variable: 'NumberOfConnectors' }, { component: 'y', variable: 'Nope' }, { component: 'z', variable: 'HeartbeatInterval' }] },
        TIMEOUT,
      );
      assert.deepEqual(v16.take(), [{ action: 'GetConfiguration', payload: { key: ['HeartbeatInterval', 'NumberOfConnectors', 'Nope'] } }]);
      assert.equal(outcome.status, undefined, 'items differ');
      assert.deepEqual(outcome.result, {
        variables: [
          { component: 'OCPP16', variable: 'HeartbeatInterval', attributeType: 'Actual', status: 'Accepted', value: '300', mutability: 'ReadWrite' },
          { component: 'OCPP16', variable: 'NumberOfConnectors', attributeType: 'Actual', status: 'Accepted', value: '2', mutability: 'ReadOnly' },
          { component: 'OCPP16', variable: 'Nope', attributeType: 'Actual', status: 'UnknownVariable' },
        ],
      });
      assert.deepEqual(await stored(v16.id), [
        ['OCPP16', null, 'HeartbeatInterval', null, 'Actual', '300', 'ReadWrite'],
        ['OCPP16', null, 'NumberOfConnectors', null, 'Actual', '2', 'ReadOnly'],
      ]);
    });

    test('1.6: no variables = every key; at most GetConfigurationMaxKeys keys per request', async () => {
      v16.answer('GetConfiguration', { configurationKey: [{ key: 'GetConfigurationMaxKeys', readonly: true, value: '2' }] });
      const all = await bed.commands.execute(v16.id, { name: 'getVariables', variables: [] }, TIMEOUT);
      assert.deepEqual(v16.take(), [{ action: 'GetConfiguration', payload: {} }]);
      assert.equal(all.status, 'Accepted');
      v16.answer('GetConfiguration', (payload) => ({ configurationKey: ((payload.key ?? []) as string[]).map((key) => ({ key, readonly: false, value: 'v' })) }));
      const outcome = await bed.commands.execute(v16.id, { name: 'getVariables', variables: ['A', 'B', 'C'].map((variable) => ({ component: 'OCPP16', variable })) }, TIMEOUT);
      assert.deepEqual(v16.take().map((r) => r.payload), [{ key: ['A', 'B'] }, { key: ['C'] }]);
      assert.equal(outcome.calls.length, 2);
      assert.equal(outcome.status, 'Accepted');
    });

    test('1.6: the AuthorizationKey value is never stored', async () => {
      v16.answer('GetConfiguration', { configurationKey: [{ key: 'AuthorizationKey', readonly: false, value: '0011223344556677' }] });
      await bed.commands.execute(v16.id, { name: 'getVariables', variables: [{ component: 'OCPP16', variable: 'AuthorizationKey' }] }, TIMEOUT);
      v16.take();
      const key = await bed.repos.deviceModel.get(v16.id, { component: 'OCPP16', variable: 'AuthorizationKey' });
      assert.equal(key?.value, null);
    });

    test('2.0.1: getVariableData with component, evse and instance; Accepted results stored ("" = not set)', async () => {
      v201.answer('GetVariables', {
        getVariableResult: [
          { attributeStatus: 'Accepted', attributeValue: '30', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { attributeStatus: 'Accepted', attributeValue: '', attributeType: 'Target', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power', instance: 'L1' } },
          { attributeStatus: 'UnknownVariable', component: { name: 'Foo' }, variable: { name: 'Bar' } },
        ],
      });
      const outcome = await bed.commands.execute(
        v201.id,
        {
          name: 'getVariables',
          variables: [
            { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' },
            { component: 'EVSE', evseId: 1, variable: 'Power', variableInstance: 'L1', attributeType: 'Target' },
            { component: 'Foo', variable: 'Bar' },
            { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' },
          ],
        },
        TIMEOUT,
      );
      assert.deepEqual(v201.take(), [
        {
          action: 'GetVariables',
          payload: {
            getVariableData: [
              { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
              { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power', instance: 'L1' }, attributeType: 'Target' },
              { component: { name: 'Foo' }, variable: { name: 'Bar' } },
            ],
          },
        },
      ]);
      assert.equal(outcome.status, undefined);
      assert.deepEqual((outcome.result?.variables as JsonObject[]).map((v) => [v.component, v.variable, v.status, v.value]), [
        ['OCPPCommCtrlr', 'HeartbeatInterval', 'Accepted', '30'],
        ['EVSE', 'Power', 'Accepted', ''],
        ['Foo', 'Bar', 'UnknownVariable', undefined],
      ]);
      assert.deepEqual(await stored(v201.id), [
        ['EVSE', 1, 'Power', 'L1', 'Target', null, null],
        ['OCPPCommCtrlr', null, 'HeartbeatInterval', null, 'Actual', '30', null],
      ]);
    });

    test('2.0.1: at least one variable; at most ItemsPerMessageGetVariables per request (B06.FR.05)', async () => {
      await assert.rejects(bed.commands.execute(v201.id, { name: 'getVariables', variables: [] }, TIMEOUT), { kind: 'invalid' });
      await bed.repos.deviceModel.upsert(v201.id, [{ component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', variableInstance: 'GetVariables', value: '2' }]);
      v201.answer('GetVariables', (payload) => ({
        getVariableResult: (payload.getVariableData as JsonObject[]).map((d) => ({ attributeStatus: 'Accepted', attributeValue: '1', component: d.component as JsonObject, variable: d.variable as JsonObject })),
      }));
      const outcome = await bed.commands.execute(v201.id, { name: 'getVariables', variables: ['A', 'B', 'C'].map((variable) => ({ component: 'C', variable })) }, TIMEOUT);
      assert.deepEqual(v201.take().map((r) => (r.payload.getVariableData as JsonObject[]).length), [2, 1]);
      assert.equal(outcome.status, 'Accepted');
      assert.equal((outcome.result?.variables as JsonObject[]).length, 3);
    });
  });

  describe('setVariables (B05) / 1.6 ChangeConfiguration', () => {
    test('1.6: one ChangeConfiguration per key; applied values stored, the rest not', async () => {
      v16.answer('ChangeConfiguration', (payload) => ({ status: payload.key === 'Bad' ? 'NotSupported' : payload.key === 'Reboot' ? 'RebootRequired' : 'Accepted' }));
      const outcome = await bed.commands.execute(
        v16.id,
        { name: 'setVariables', variables: [{ component: 'OCPP16', variable: 'MeterValueSampleInterval', value: '60' }, { component: 'OCPP16', variable: 'Bad', value: '1' }, { component: 'OCPP16', variable: 'Reboot', value: 'x' }] },
        TIMEOUT,
      );
      assert.deepEqual(v16.take(), [
        { action: 'ChangeConfiguration', payload: { key: 'MeterValueSampleInterval', value: '60' } },
        { action: 'ChangeConfiguration', payload: { key: 'Bad', value: '1' } },
        { action: 'ChangeConfiguration', payload: { key: 'Reboot', value: 'x' } },
      ]);
      assert.deepEqual(outcome.calls.map((c) => c.response.status), ['Accepted', 'NotSupported', 'RebootRequired']);
      assert.equal(outcome.status, undefined);
      assert.deepEqual((outcome.result?.variables as JsonObject[]).map((v) => [v.variable, v.status]), [
        ['MeterValueSampleInterval', 'Accepted'],
        ['Bad', 'NotSupported'],
        ['Reboot', 'RebootRequired'],
      ]);
      assert.equal((await bed.repos.deviceModel.get(v16.id, { component: 'OCPP16', variable: 'MeterValueSampleInterval' }))?.value, '60');
      assert.equal((await bed.repos.deviceModel.get(v16.id, { component: 'OCPP16', variable: 'Reboot' }))?.value, 'x');
      assert.equal(await bed.repos.deviceModel.get(v16.id, { component: 'OCPP16', variable: 'Bad' }), undefined);
    });

    test('1.6: one status when all keys agree; duplicates are invalid', async () => {
      v16.answer('ChangeConfiguration', { status: 'Accepted' });
      const outcome = await bed.commands.execute(v16.id, { name: 'setVariables', variables: [{ component: 'OCPP16', variable: 'A', value: '1' }] }, TIMEOUT);
      assert.equal(outcome.status, 'Accepted');
      v16.take();
      await assert.rejects(bed.commands.execute(v16.id, { name: 'setVariables', variables: [{ component: 'OCPP16', variable: 'A', value: '1' }, { component: 'OCPP16', variable: 'A', value: '2' }] }, TIMEOUT), { kind: 'invalid' });
      assert.deepEqual(v16.take(), []);
    });

    test('2.0.1: SetVariables; Accepted and RebootRequired stored with the value sent; duplicates invalid (B05.FR.13)', async () => {
      v201.answer('SetVariables', {
        setVariableResult: [
          { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { attributeStatus: 'Rejected', component: { name: 'AuthCtrlr' }, variable: { name: 'Enabled' } },
          { attributeStatus: 'RebootRequired', attributeType: 'Target', component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' } },
        ],
      });
      const outcome = await bed.commands.execute(
        v201.id,
        {
          name: 'setVariables',
          variables: [
            { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '120' },
            { component: 'AuthCtrlr', variable: 'Enabled', value: 'false' },
            { component: 'EVSE', evseId: 2, variable: 'Power', attributeType: 'Target', value: '11000' },
          ],
        },
        TIMEOUT,
      );
      assert.deepEqual(v201.take(), [
        {
          action: 'SetVariables',
          payload: {
            setVariableData: [
              { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '120' },
              { component: { name: 'AuthCtrlr' }, variable: { name: 'Enabled' }, attributeValue: 'false' },
              { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' }, attributeType: 'Target', attributeValue: '11000' },
            ],
          },
        },
      ]);
      assert.equal(outcome.status, undefined);
      assert.equal((await bed.repos.deviceModel.get(v201.id, { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }))?.value, '120');
      assert.equal((await bed.repos.deviceModel.get(v201.id, { component: 'EVSE', evseId: 2, variable: 'Power', attributeType: 'Target' }))?.value, '11000');
      assert.equal(await bed.repos.deviceModel.get(v201.id, { component: 'AuthCtrlr', variable: 'Enabled' }), undefined);
      await assert.rejects(
        bed.commands.execute(v201.id, { name: 'setVariables', variables: [{ component: 'A', variable: 'B', value: '1' }, { component: 'A', variable: 'B', attributeType: 'Actual', value: '2' }] }, TIMEOUT),
        { kind: 'invalid' },
      );
    });
  });

  describe('getBaseReport (B07)', () => {
    test('2.0.1: GetBaseReport with a requestId (given or generated)', async () => {
      v201.answer('GetBaseReport', { status: 'Accepted' });
      let outcome = await bed.commands.execute(v201.id, { name: 'getBaseReport', reportBase: 'FullInventory', requestId: 77 }, TIMEOUT);
      assert.deepEqual(v201.take(), [{ action: 'GetBaseReport', payload: { requestId: 77, reportBase: 'FullInventory' } }]);
      assert.deepEqual([outcome.status, outcome.result], ['Accepted', { requestId: 77 }]);
      outcome = await bed.commands.execute(v201.id, { name: 'getBaseReport', reportBase: 'ConfigurationInventory' }, TIMEOUT);
      const requestId = v201.take()[0]?.payload.requestId;
      assert.ok(typeof requestId === 'number' && requestId > 0);
      assert.deepEqual(outcome.result, { requestId });
    });

    test('1.6: GetConfiguration of every key, stored; status Accepted', async () => {
      v16.answer('GetConfiguration', { configurationKey: [{ key: 'ConnectionTimeOut', readonly: false, value: '90' }] });
      const outcome = await bed.commands.execute(v16.id, { name: 'getBaseReport', reportBase: 'FullInventory' }, TIMEOUT);
      assert.deepEqual(v16.take(), [{ action: 'GetConfiguration', payload: {} }]);
      assert.equal(outcome.status, 'Accepted');
      assert.equal((await bed.repos.deviceModel.get(v16.id, { component: 'OCPP16', variable: 'ConnectionTimeOut' }))?.value, '90');
    });
  });

  describe('sendLocalList / getLocalListVersion (D01, D02, 1.6 §5.10, §5.15)', () => {
    const tokens = [
      { idToken: { idToken: 'AA11', type: 'ISO14443' }, status: 'Accepted', expiry: '2031-01-01T00:00:00+01:00', groupId: 'G1' },
      { idToken: { idToken: 'BB22' }, status: 'NoCredit' },
      { idToken: { idToken: 'CC33' } },
    ];

    test('1.6: listVersion, idTag with idTagInfo (2.0.1-only statuses become Invalid, no status = removal)', async () => {
      v16.answer('SendLocalList', { status: 'Accepted' });
      const outcome = await bed.commands.execute(v16.id, { name: 'sendLocalList', versionNumber: 3, updateType: 'Differential', tokens }, TIMEOUT);
      assert.deepEqual(v16.take(), [
        {
          action: 'SendLocalList',
          payload: {
            listVersion: 3,
            updateType: 'Differential',
            localAuthorizationList: [
              { idTag: 'AA11', idTagInfo: { status: 'Accepted', expiryDate: '2030-12-31T23:00:00.000Z', parentIdTag: 'G1' } },
              { idTag: 'BB22', idTagInfo: { status: 'Invalid' } },
              { idTag: 'CC33' },
            ],
          },
        },
      ]);
      assert.equal(outcome.status, 'Accepted');
    });

    test('2.0.1: versionNumber, idToken with idTokenInfo (group as a Central token); an empty Full list has no list', async () => {
      v201.answer('SendLocalList', { status: 'VersionMismatch' });
      const outcome = await bed.commands.execute(v201.id, { name: 'sendLocalList', versionNumber: 4, updateType: 'Differential', tokens }, TIMEOUT);
      assert.deepEqual(v201.take(), [
        {
          action: 'SendLocalList',
          payload: {
            versionNumber: 4,
            updateType: 'Differential',
            localAuthorizationList: [
              { idToken: { idToken: 'AA11', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: '2030-12-31T23:00:00.000Z', groupIdToken: { idToken: 'G1', type: 'Central' } } },
              { idToken: { idToken: 'BB22', type: 'ISO14443' }, idTokenInfo: { status: 'NoCredit' } },
              { idToken: { idToken: 'CC33', type: 'ISO14443' } },
            ],
          },
        },
      ]);
      assert.equal(outcome.status, 'VersionMismatch');
      v201.answer('SendLocalList', { status: 'Accepted' });
      await bed.commands.execute(v201.id, { name: 'sendLocalList', versionNumber: 5, updateType: 'Full' }, TIMEOUT);
      assert.deepEqual(v201.take()[0]?.payload, { versionNumber: 5, updateType: 'Full' });
    });

    test('versionNumber must be > 0 (D01.FR.18); tokens unique (D01.FR.06)', async () => {
      await assert.rejects(bed.commands.execute(v201.id, { name: 'sendLocalList', versionNumber: 0, updateType: 'Full' }, TIMEOUT), { kind: 'invalid' });
      await assert.rejects(bed.commands.execute(v16.id, { name: 'sendLocalList', versionNumber: 1, updateType: 'Full', tokens: [tokens[1] as never, tokens[1] as never] }, TIMEOUT), { kind: 'invalid' });
    });

    test('getLocalListVersion: 1.6 listVersion / 2.0.1 versionNumber → result.versionNumber', async () => {
      v16.answer('GetLocalListVersion', { listVersion: -1 });
      v201.answer('GetLocalListVersion', { versionNumber: 4 });
      const a = await bed.commands.execute(v16.id, { name: 'getLocalListVersion' }, TIMEOUT);
      const b = await bed.commands.execute(v201.id, { name: 'getLocalListVersion' }, TIMEOUT);
      assert.deepEqual([a.status, a.result, b.status, b.result], [undefined, { versionNumber: -1 }, undefined, { versionNumber: 4 }]);
      assert.deepEqual(v16.take(), [{ action: 'GetLocalListVersion', payload: {} }]);
      assert.deepEqual(v201.take(), [{ action: 'GetLocalListVersion', payload: {} }]);
    });
  });
});
