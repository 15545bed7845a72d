/**
 * Connector status (2.0.1 G01, 1.6 §4.9): reports may arrive late and out of order after an offline period, so the
 * repository keeps the newest by station time and ignores older ones; only an applied change is announced.
 */
import { NotFoundError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { ConnectorStatusUpdate, StationRepository } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';

export interface ConnectorStatusServiceDeps {
  stations: StationRepository;
  events: DomainEvents;
  logger: Logger;
}

export class ConnectorStatusService {
  constructor(private readonly deps: ConnectorStatusServiceDeps) {}

  /** True when stored, false when a newer report was already stored (or the station no longer exists). */
  async report(stationId: string, update: ConnectorStatusUpdate & { ocppStatus: string }): Promise<boolean> {
    let applied: boolean;
    try {
      applied = await this.deps.stations.updateConnectorStatus(stationId, update);
    } catch (error) {
      // A station deleted while connected: acknowledge the report, there is nothing left to update.
      if (!(error instanceof NotFoundError)) throw error;
      this.deps.logger.warn({ station: stationId }, 'status report for a station without a record ignored');
      return false;
    }
    if (applied) {
      const { evseId, connectorId, status, ocppStatus, at } = update;
      this.deps.events.publish({ type: 'connector.status', stationId, evseId, connectorId, status, ocppStatus, at });
    }
    return applied;
  }
}
