/**
 * ReservationStatusUpdate (2.0.1 H01/H04; 2.1 adds NoTransaction): the reservation ended without being used.
 * Expired (H04.FR.01-03) and 2.1's NoTransaction (the EV never started charging) close it as Expired; Removed
 * (H01.FR.16-17: the EVSE became Faulted/Unavailable) as Cancelled.
 */
import type { ReservationStatus } from '../../../domain/model.ts';
import type { InboundContext } from '../context.ts';
import type { V2Handler, V2Request } from './types.ts';

const STATUS: Record<V2Request<'ReservationStatusUpdate'>['reservationUpdateStatus'], ReservationStatus> = {
  Expired: 'Expired',
  Removed: 'Cancelled',
  NoTransaction: 'Expired',
};

export function reservationStatusUpdate(context: InboundContext): V2Handler<'ReservationStatusUpdate'> {
  return async (request, call) => {
    await context.services.reservations.setStatus(call.identity, request.reservationId, STATUS[request.reservationUpdateStatus]);
    return {};
  };
}
