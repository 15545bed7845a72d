/**
 * Version-neutral CSMS use cases. The OCPP handlers (src/ocpp/inbound) translate each version's messages into
 * calls on these; the services read and write through the repository ports and publish domain events.
 */
import type { DomainEvents } from '../events.ts';
import type { Repositories } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';
import { AuthorizationService, type ExternalAuthorizer } from './authorization.ts';
import { ConnectorStatusService } from './connector-status.ts';
import { DataTransferService, type VendorDataHandler } from './data-transfer.ts';
import { DeviceModelService } from './device-model.ts';
import { MeterValueService } from './meter-values.ts';
import { NotificationService } from './notifications.ts';
import { PresenceTracker } from './presence.ts';
import { RegistrationService } from './registration.ts';
import { ReservationService } from './reservations.ts';
import { TransactionService } from './transactions.ts';

export { AuthorizationService, NO_AUTHORIZATION, type ExternalAuthorizer, type TokenDecision } from './authorization.ts';
export { ConnectorStatusService } from './connector-status.ts';
export { DataTransferService, type DataTransferStatus, type VendorDataHandler, type VendorDataRequest, type VendorDataResponse } from './data-transfer.ts';
export { DeviceModelService, type ReportPart } from './device-model.ts';
export { ENERGY_REGISTER, energyReadings, isBillingRegister, meterSamples, scaleDecimal, toWh, type SampledReading } from './energy.ts';
export { MeterValueService } from './meter-values.ts';
export { NotificationService, type NotificationKind } from './notifications.ts';
export { PresenceTracker } from './presence.ts';
export { RegistrationService, type BootReport } from './registration.ts';
export { ReservationService } from './reservations.ts';
export { TransactionService } from './transactions.ts';

export interface DomainServiceDeps {
  repos: Repositories;
  events: DomainEvents;
  logger: Logger;
  /** Real-time authorization of tokens the token table does not know (e.g. OCPI). */
  authorizer?: ExternalAuthorizer;
  /** DataTransfer handlers by vendorId. */
  vendors?: ReadonlyMap<string, VendorDataHandler>;
  now?: () => Date;
}

export interface DomainServices {
  registration: RegistrationService;
  authorization: AuthorizationService;
  transactions: TransactionService;
  connectorStatus: ConnectorStatusService;
  meterValues: MeterValueService;
  deviceModel: DeviceModelService;
  reservations: ReservationService;
  notifications: NotificationService;
  dataTransfer: DataTransferService;
  presence: PresenceTracker;
}

export function createDomainServices(deps: DomainServiceDeps): DomainServices {
  const { repos, events, logger, now } = deps;
  return {
    registration: new RegistrationService({ stations: repos.stations, events, now }),
    authorization: new AuthorizationService({ tokens: repos.tokens, authorizer: deps.authorizer, now }),
    transactions: new TransactionService({ transactions: repos.transactions, events, logger, now }),
    connectorStatus: new ConnectorStatusService({ stations: repos.stations, events, logger }),
    meterValues: new MeterValueService({ meterValues: repos.meterValues, logger }),
    deviceModel: new DeviceModelService({ deviceModel: repos.deviceModel, logger }),
    reservations: new ReservationService({ reservations: repos.reservations, logger }),
    notifications: new NotificationService(logger),
    dataTransfer: new DataTransferService(deps.vendors),
    presence: new PresenceTracker({ stations: repos.stations, logger, now }),
  };
}
