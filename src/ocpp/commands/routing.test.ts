/**
 * Which node runs a command: this one when the station is connected here, the node its record names when it is
 * connected there (through the relay port), and nobody (offline) otherwise. A fake relay records what it is asked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CommandTestbed } from '../../../test/support/commands.ts';
import { startCommandTestbed } from '../../../test/support/commands.ts';
import type { CommandOutcome, CommandRelay, OperatorCommand, StationCommandGateway } from '../../domain/commands/types.ts';
import { silentLogger } from '../../shared/logger.ts';
import { createCommandGateway } from './index.ts';

const HERE = 'node-here';
const relayed: CommandOutcome = { calls: [{ action: 'ClearCache', request: {}, response: { status: 'Accepted' } }], status: 'Accepted' };

describe('command routing between nodes', () => {
  let bed: CommandTestbed;
  let routed: StationCommandGateway;
  const forwarded: { nodeId: string; stationId: string; command: OperatorCommand; timeoutMs: number }[] = [];
  const relay: CommandRelay = {
    async forward(nodeId, stationId, command, options) {
      forwarded.push({ nodeId, stationId, command, timeoutMs: options.timeoutMs });
      return relayed;
    },
  };

  before(async () => {
    bed = await startCommandTestbed();
    routed = createCommandGateway({ gateway: bed.gateway, repos: bed.repos, logger: silentLogger(), cluster: { nodeId: HERE, relay } });
  });
  after(() => bed.close());

  test('connected to another node: forwarded there with the caller timeout, its outcome returned', async () => {
    await bed.register('AWAY1');
    await bed.repos.stations.markConnected('AWAY1', 'node-there', 'ocpp2.0.1', new Date());
    forwarded.length = 0;
    assert.deepEqual(await routed.execute('AWAY1', { name: 'clearCache' }, { timeoutMs: 1234 }), relayed);
    assert.deepEqual(forwarded, [{ nodeId: 'node-there', stationId: 'AWAY1', command: { name: 'clearCache' }, timeoutMs: 1234 }]);
  });

  test('connected here: runs here, the relay is not asked even when the record names another node', async () => {
    const cs = await bed.station('HERE1', 'ocpp2.0.1');
    cs.answer('ClearCache', { status: 'Rejected' });
    await bed.repos.stations.markConnected('HERE1', 'node-there', 'ocpp2.0.1', new Date());
    forwarded.length = 0;
    const outcome = await routed.execute('HERE1', { name: 'clearCache' }, { timeoutMs: 2000 });
    assert.equal(outcome.status, 'Rejected');
    assert.deepEqual(forwarded, []);
    await cs.disconnect();
  });

  test('offline without asking the relay: not connected anywhere, or recorded on this node but not here', async () => {
    await bed.register('NOWHERE1');
    await bed.register('STALE1');
    await bed.repos.stations.markConnected('STALE1', HERE, 'ocpp2.0.1', new Date());
    forwarded.length = 0;
    await assert.rejects(routed.execute('NOWHERE1', { name: 'clearCache' }, { timeoutMs: 1000 }), { name: 'CommandError', kind: 'offline' });
    await assert.rejects(routed.execute('STALE1', { name: 'clearCache' }, { timeoutMs: 1000 }), { name: 'CommandError', kind: 'offline' });
    assert.deepEqual(forwarded, []);
  });

  test('a Rejected station is refused before any routing (B03)', async () => {
    await bed.register('REJ2');
    await bed.repos.stations.markConnected('REJ2', 'node-there', 'ocpp2.0.1', new Date());
    await bed.repos.stations.update('REJ2', { registrationStatus: 'Rejected' });
    forwarded.length = 0;
    await assert.rejects(routed.execute('REJ2', { name: 'clearCache' }, { timeoutMs: 1000 }), { kind: 'invalid' });
    assert.deepEqual(forwarded, []);
  });

  test('without a cluster (one node, or running a relayed command) a station held elsewhere is offline here', async () => {
    forwarded.length = 0;
    await assert.rejects(bed.commands.execute('AWAY1', { name: 'clearCache' }, { timeoutMs: 1000 }), { kind: 'offline' });
    assert.deepEqual(forwarded, []);
  });
});
