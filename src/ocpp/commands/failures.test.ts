/** How commands fail over real sockets: not-found, offline, timeout, CALLERROR, invalid; and 2.1 stations. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { CommandTestbed } from '../../../test/support/commands.ts';
import { startCommandTestbed, until } from '../../../test/support/commands.ts';
import { CommandError } from '../../domain/commands/types.ts';
import { RpcError } from '../../protocol/errors.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('command failures', () => {
  let bed: CommandTestbed;

  before(async () => {
    bed = await startCommandTestbed();
  });
  after(() => bed.close());

  test('unknown station → not-found', async () => {
    await assert.rejects(bed.commands.execute('NOPE', { name: 'clearCache' }, { timeoutMs: 1000 }), { name: 'CommandError', kind: 'not-found' });
  });

  test('registered but not connected → offline', async () => {
    await bed.register('IDLE1');
    await assert.rejects(bed.commands.execute('IDLE1', { name: 'clearCache' }, { timeoutMs: 1000 }), { kind: 'offline' });
  });

  test('a Rejected station is sent nothing (B03)', async () => {
    const cs = await bed.station('REJ1', 'ocpp2.0.1');
    cs.answer('ClearCache', { status: 'Accepted' });
    await bed.repos.stations.update('REJ1', { registrationStatus: 'Rejected' });
    await assert.rejects(bed.commands.execute('REJ1', { name: 'clearCache' }, { timeoutMs: 1000 }), { kind: 'invalid' });
    assert.deepEqual(cs.received, []);
  });

  test('no answer within timeoutMs → timeout', async () => {
    const cs = await bed.station('SLOW1', 'ocpp1.6');
    cs.answer('ClearCache', async () => {
      await sleep(1000);
      return { status: 'Accepted' };
    });
    const started = Date.now();
    await assert.rejects(bed.commands.execute('SLOW1', { name: 'clearCache' }, { timeoutMs: 150 }), { kind: 'timeout' });
    assert.ok(Date.now() - started < 900, 'failed at the timeout, not at the late answer');
  });

  test('the timeout covers the whole command: 1.6 setVariables stops when the time is used up', async () => {
    const cs = await bed.station('SLOW2', 'ocpp1.6');
    cs.answer('ChangeConfiguration', async () => {
      await sleep(250);
      return { status: 'Accepted' };
    });
    const variables = ['A', 'B', 'C', 'D'].map((variable) => ({ component: 'OCPP16', variable, value: '1' }));
    await assert.rejects(bed.commands.execute('SLOW2', { name: 'setVariables', variables }, { timeoutMs: 600 }), { kind: 'timeout' });
    await sleep(300);
    assert.ok(cs.received.length <= 3, `${cs.received.length} keys sent`);
    // What was applied before the time ran out is stored.
    assert.equal((await bed.repos.deviceModel.get('SLOW2', { component: 'OCPP16', variable: 'A' }))?.value, '1');
  });

  test('CALLERROR → rejected with the code, description and details', async () => {
    const cs = await bed.station('ERR1', 'ocpp2.0.1');
    cs.answer('Reset', () => {
      throw new RpcError('PropertyConstraintViolation', 'evse 9 does not exist', { evseId: 9 });
    });
    const error = await bed.commands.execute('ERR1', { name: 'reset', type: 'Immediate', evseId: 9 }, { timeoutMs: 2000 }).catch((e: unknown) => e);
    assert.ok(error instanceof CommandError);
    assert.equal(error.kind, 'rejected');
    assert.deepEqual(error.rpc, { code: 'PropertyConstraintViolation', description: 'evse 9 does not exist', details: { evseId: 9 } });
  });

  test('1.6 CALLERROR spellings are read as the version-neutral code (FormationViolation → FormatViolation)', async () => {
    const cs = await bed.station('ERR16', 'ocpp1.6');
    cs.answer('ClearCache', () => {
      throw new RpcError('FormatViolation', 'bad');
    });
    const error = await bed.commands.execute('ERR16', { name: 'clearCache' }, { timeoutMs: 2000 }).catch((e: unknown) => e);
    assert.ok(error instanceof CommandError);
    assert.equal(error.rpc?.code, 'FormatViolation');
  });

  test('no handler on the station → rejected NotSupported', async () => {
    await bed.station('BARE1', 'ocpp2.0.1');
    await assert.rejects(bed.commands.execute('BARE1', { name: 'clearCache' }, { timeoutMs: 2000 }), (e: unknown) => e instanceof CommandError && e.kind === 'rejected' && e.rpc?.code === 'NotSupported');
  });

  test('an answer that fails the schema → rejected (bad gateway), with the code of the violation', async () => {
    // A bare WebSocket peer: a StationClient would refuse to send an invalid CALLRESULT.
    await bed.register('BADANS');
    const ws = new WebSocket(`${bed.url}/BADANS`, 'ocpp2.0.1');
    ws.on('message', (data: Buffer) => {
      const [type, id] = JSON.parse(data.toString()) as [number, string];
      if (type === 2) ws.send(JSON.stringify([3, id, { versionNumber: 'seven' }]));
    });
    await once(ws, 'open');
    await until(() => bed.gateway.connectionInfo('BADANS') !== undefined);
    const error = await bed.commands.execute('BADANS', { name: 'getLocalListVersion' }, { timeoutMs: 2000 }).catch((e: unknown) => e);
    ws.close();
    assert.ok(error instanceof CommandError);
    assert.equal(error.kind, 'rejected');
    assert.equal(error.rpc?.code, 'TypeConstraintViolation');
  });

  test('raw: an unknown action or a payload that fails the schema → invalid, nothing sent', async () => {
    const cs = await bed.station('RAW1', 'ocpp1.6');
    await assert.rejects(bed.commands.execute('RAW1', { name: 'raw', action: 'RequestStartTransaction', payload: {} }, { timeoutMs: 1000 }), { kind: 'invalid' });
    await assert.rejects(bed.commands.execute('RAW1', { name: 'raw', action: 'Reset', payload: { type: 'Immediate' } }, { timeoutMs: 1000 }), { kind: 'invalid' });
    cs.answer('Reset', { status: 'Accepted' });
    const ok = await bed.commands.execute('RAW1', { name: 'raw', action: 'Reset', payload: { type: 'Soft' } }, { timeoutMs: 1000 });
    assert.equal(ok.status, 'Accepted');
    assert.deepEqual(cs.take(), [{ action: 'Reset', payload: { type: 'Soft' } }]);
  });

  test('the station goes away while the call is outstanding → offline', async () => {
    const cs = await bed.station('DROP1', 'ocpp2.0.1');
    cs.answer('ClearCache', () => {
      setImmediate(() => void cs.disconnect());
      return new Promise(() => {});
    });
    await assert.rejects(bed.commands.execute('DROP1', { name: 'clearCache' }, { timeoutMs: 3000 }), { kind: 'offline' });
    await assert.rejects(bed.commands.execute('DROP1', { name: 'clearCache' }, { timeoutMs: 3000 }), { kind: 'offline' });
  });

  test('an unknown command name → invalid', async () => {
    await bed.station('ODD1', 'ocpp2.0.1');
    await assert.rejects(bed.commands.execute('ODD1', { name: 'selfDestruct' } as never, { timeoutMs: 1000 }), { kind: 'invalid' });
  });

  test('2.1 stations get the 2.0.1 messages', async () => {
    const cs = await bed.station('V21', 'ocpp2.1');
    cs.answer('RequestStartTransaction', { status: 'Accepted' });
    cs.answer('ChangeAvailability', { status: 'Accepted' });
    await bed.commands.execute('V21', { name: 'startTransaction', idToken: { idToken: 'T21' }, evseId: 1, remoteStartId: 3 }, { timeoutMs: 2000 });
    await bed.commands.execute('V21', { name: 'changeAvailability', operational: true, evseId: 1, connectorId: 1 }, { timeoutMs: 2000 });
    assert.deepEqual(cs.take(), [
      { action: 'RequestStartTransaction', payload: { idToken: { idToken: 'T21', type: 'ISO14443' }, remoteStartId: 3, evseId: 1 } },
      { action: 'ChangeAvailability', payload: { operationalStatus: 'Operative', evse: { id: 1, connectorId: 1 } } },
    ]);
  });
});
