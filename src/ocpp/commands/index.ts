/** Operator commands → the OCPP call of the station's version, and the answer back (see domain/commands/types.ts). */
import { CommandError, type CommandOutcome, type CommandRelay, type OperatorCommand, type StationCommandGateway } from '../../domain/commands/types.ts';
import type { Repositories } from '../../domain/ports.ts';
import type { OcppGateway } from '../../gateway/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { createContext } from './context.ts';
import { translate } from './translators.ts';

export interface CommandGatewayDeps {
  gateway: OcppGateway;
  repos: Repositories;
  logger: Logger;
  /**
   * Several nodes on one database: a station that is not connected here but recorded as connected to another node
   * gets the command through that node. Without it (one node, or the node running a relayed command) such a
   * station is offline, so a relayed command is never relayed again.
   */
  cluster?: { nodeId: string; relay: CommandRelay };
}

export function createCommandGateway(deps: CommandGatewayDeps): StationCommandGateway {
  return {
    async execute(stationId: string, command: OperatorCommand, options: { timeoutMs: number }): Promise<CommandOutcome> {
      const station = await deps.repos.stations.get(stationId);
      if (!station) throw new CommandError('not-found', `station ${stationId} is not registered`);
      // B03 / 1.6 §4.2: the CSMS sends nothing to a station it rejected.
      if (station.registrationStatus === 'Rejected') throw new CommandError('invalid', `station ${stationId} is Rejected: the CSMS sends it nothing (B03)`);
      // The version negotiated on the live connection, not the stored one: the station may have switched.
      const version = deps.gateway.connectionInfo(stationId)?.version;
      if (version === undefined) {
        const { cluster } = deps;
        if (cluster && station.connected && station.nodeId !== null && station.nodeId !== cluster.nodeId) {
          return cluster.relay.forward(station.nodeId, stationId, command, options);
        }
        throw new CommandError('offline', `station ${stationId} is not connected`);
      }
      const context = createContext({ ...deps, stationId, version, timeoutMs: options.timeoutMs });
      const { status, result } = await translate(command, context);
      return result === undefined ? { calls: context.calls, status } : { calls: context.calls, status, result };
    },
  };
}
