/** Storage entry point: open the database, then build the repositories the domain's ports describe. */
import type { Repositories } from '../domain/ports.ts';
import type { Database } from './db.ts';
import { createApiKeyRepository } from './repositories/api-keys.ts';
import { createChargingProfileRepository } from './repositories/charging-profiles.ts';
import { createCommandJobRepository } from './repositories/command-jobs.ts';
import { createDeviceModelRepository } from './repositories/device-model.ts';
import { createLocationRepository } from './repositories/locations.ts';
import { createMessageLogRepository, type BufferedMessageLog, type MessageLogOptions } from './repositories/message-log.ts';
import { createMeterValueRepository } from './repositories/meter-values.ts';
import { createReservationRepository } from './repositories/reservations.ts';
import { createStationRepository } from './repositories/stations.ts';
import { createTariffRepository } from './repositories/tariffs.ts';
import { createTokenRepository } from './repositories/tokens.ts';
import { createTransactionRepository, type TransactionRepositoryOptions } from './repositories/transactions.ts';

export { openDatabase, type Database, type DatabaseKind, type OpenDatabaseOptions } from './db.ts';
export { createCommandRelay, type CommandRelayOptions, type NodeCommandRelay } from './relay/relay.ts';
export { createLiveEventRelay, type LiveEventRelay, type LiveEventRelayOptions } from './relay/live-events.ts';
export { createNodeRegistry, DuplicateNodeError, type NodeRegistry, type NodeRegistryOptions, type SweepReport } from './relay/nodes.ts';
export { startMaintenance, type Maintenance, type MaintenanceOptions, type MaintenanceReport } from './maintenance.ts';
export { createOcpiOutboxRepository } from './repositories/ocpi-outbox.ts';
export { createOcpiPartnerRepository } from './repositories/ocpi-partners.ts';
export { createRoamingRepository } from './repositories/roaming.ts';
export type { BufferedMessageLog, MessageLogOptions } from './repositories/message-log.ts';
export type { TransactionRepositoryOptions } from './repositories/transactions.ts';

export interface StorageRepositories extends Repositories {
  messageLog: BufferedMessageLog;
}

export interface RepositoryOptions {
  /** Whether the log writes with COPY follows from the database. */
  messageLog?: Omit<MessageLogOptions, 'copyFrom'>;
  transactions?: TransactionRepositoryOptions;
}

/** Repositories over one database. The message log's buffer is flushed when the database closes. */
export function createRepositories(database: Database, options: RepositoryOptions = {}): StorageRepositories {
  const { db } = database;
  const messageLog = createMessageLogRepository(db, { ...options.messageLog, copyFrom: database.copyFrom });
  database.onClose(() => messageLog.close());
  return {
    stations: createStationRepository(db),
    tokens: createTokenRepository(db),
    // PGlite is one session: a second concurrent batch would only queue behind the first.
    transactions: createTransactionRepository(db, { concurrency: database.kind === 'pglite' ? 1 : 2, ...options.transactions }),
    meterValues: createMeterValueRepository(db),
    deviceModel: createDeviceModelRepository(db),
    messageLog,
    apiKeys: createApiKeyRepository(db),
    commandJobs: createCommandJobRepository(db),
    reservations: createReservationRepository(db),
    chargingProfiles: createChargingProfileRepository(db),
    locations: createLocationRepository(db),
    tariffs: createTariffRepository(db),
  };
}
