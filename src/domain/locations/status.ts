/**
 * OCPI EVSE status from OCPP state. Precedence, first match wins:
 *   removed → REMOVED; operator override (PLANNED, BLOCKED, INOPERATIVE...) → it; station offline → UNKNOWN;
 *   EVSE set Inoperative (ChangeAvailability) → INOPERATIVE; no connector status known yet → UNKNOWN;
 *   any connector Occupied → CHARGING (an EVSE serves one EV at a time; 1.6 Preparing, Charging, Suspended*,
 *   Finishing are Occupied); any Reserved → RESERVED; any Available → AVAILABLE; any Faulted → OUTOFORDER;
 *   otherwise (Unavailable) → INOPERATIVE.
 */
import type { EvseStatus, LocationEvse, EvseLiveState } from './model.ts';

export function ocpiEvseStatus(evse: Pick<LocationEvse, 'removed' | 'statusOverride'>, live: EvseLiveState): EvseStatus {
  if (evse.removed) return 'REMOVED';
  if (evse.statusOverride) return evse.statusOverride;
  if (!live.stationConnected) return 'UNKNOWN';
  if (live.availability === 'Inoperative') return 'INOPERATIVE';
  const statuses = live.connectorStatuses;
  if (statuses.length === 0) return 'UNKNOWN';
  if (statuses.includes('Occupied')) return 'CHARGING';
  if (statuses.includes('Reserved')) return 'RESERVED';
  if (statuses.includes('Available')) return 'AVAILABLE';
  if (statuses.includes('Faulted')) return 'OUTOFORDER';
  return 'INOPERATIVE';
}
