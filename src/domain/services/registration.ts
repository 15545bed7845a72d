/**
 * Registration policy (2.0.1 B01-B03, 1.6 §4.2): the answer to a BootNotification is the registration status the
 * operator keeps for the station. Accepted lets it operate; Pending holds it so the operator can configure it
 * first (B02: accept it later by setting the status to Accepted, the station's next BootNotification gets
 * Accepted); Rejected refuses it (B03). A station without a record (deleted while connected) is Rejected.
 */
import type { DomainEvents } from '../events.ts';
import type { RegistrationStatus, Station } from '../model.ts';
import type { StationPatch, StationRepository } from '../ports.ts';

/** What a BootNotification says about the station (2.x chargingStation, 1.6 chargePoint* fields). */
export interface BootReport {
  vendor: string;
  model: string;
  serialNumber?: string | null;
  firmwareVersion?: string | null;
}

export interface RegistrationServiceDeps {
  stations: StationRepository;
  events: DomainEvents;
  now?: () => Date;
}

export class RegistrationService {
  private readonly now: () => Date;

  constructor(private readonly deps: RegistrationServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The status the station currently holds (undefined when it has no record). */
  async statusOf(stationId: string): Promise<RegistrationStatus | undefined> {
    return (await this.deps.stations.get(stationId))?.registrationStatus;
  }

  /**
   * Answers a BootNotification (B01.FR.02) and stores what the station reported about itself. `refuse` rejects
   * the boot whatever the stored status, storing nothing (B01.FR.11: profile 3 serial ≠ certificate CN).
   */
  async boot(stationId: string, report: BootReport, options: { refuse?: boolean } = {}): Promise<RegistrationStatus> {
    const station = await this.deps.stations.get(stationId);
    let status: RegistrationStatus = station?.registrationStatus ?? 'Rejected';
    if (options.refuse === true) status = 'Rejected';
    else if (station) {
      const patch = changes(station, report);
      if (patch) await this.deps.stations.update(stationId, patch);
    }
    this.deps.events.publish({ type: 'station.booted', stationId, registrationStatus: status, at: this.now() });
    return status;
  }
}

/** The fields that differ from the stored ones, or undefined when nothing changed. */
function changes(station: Station, report: BootReport): StationPatch | undefined {
  const patch: StationPatch = {};
  if (station.vendor !== report.vendor) patch.vendor = report.vendor;
  if (station.model !== report.model) patch.model = report.model;
  const serial = report.serialNumber ?? null;
  if (station.serialNumber !== serial) patch.serialNumber = serial;
  const firmware = report.firmwareVersion ?? null;
  if (station.firmwareVersion !== firmware) patch.firmwareVersion = firmware;
  return Object.keys(patch).length > 0 ? patch : undefined;
}
