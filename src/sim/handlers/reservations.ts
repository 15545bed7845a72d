/**
 * ReserveNow / CancelReservation (2.x H01-H03, 1.6 §5.13/§5.1): the EVSE becomes Reserved until the reservation
 * expires (2.x: ReservationStatusUpdate Expired), is cancelled, or its token starts a session there (which then
 * carries the reservationId). Only that token may start on a reserved EVSE.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { EvseState } from '../layout.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V2Req, V2Res } from './common.ts';
import { afterReply, chooseEvse, stationOf } from './common.ts';

type ReserveStatus = 'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable';

function cancel(station: SimulatedStation, reservationId: number): EvseState | undefined {
  const evse = station.evses.find((e) => e.reservation?.id === reservationId);
  if (!evse?.reservation) return undefined;
  evse.reservation.expiry.cancel();
  evse.reservation = undefined;
  return evse;
}

function reserve(station: SimulatedStation, id: number, idToken: string, expiry: string, evseId: number | undefined): ReserveStatus {
  if (!station.operative) return 'Unavailable';
  const chosen = chooseEvse(station, evseId);
  const evse = chosen === undefined ? undefined : station.evse(chosen);
  if (evseId !== undefined && evseId > 0 && !evse) return 'Rejected';
  if (!evse) return 'Occupied';
  if (!evse.operative) return 'Unavailable';
  if (evse.session || evse.connectors.some((c) => c.plugged) || (evse.reservation && evse.reservation.id !== id)) return 'Occupied';
  cancel(station, id); // the same id again replaces the reservation (H01.FR.02)
  const expiresAt = Date.parse(expiry);
  const delayMs = Number.isNaN(expiresAt) ? 0 : expiresAt - station.wallNow();
  const reservation = {
    id,
    idToken,
    expiresAt,
    expiry: station.env.scheduler.after(Math.max(0, delayMs), () => {
      if (evse.reservation !== reservation) return;
      evse.reservation = undefined;
      void station.dialect.reservationExpired(id);
      station.refreshStatuses([evse]);
    }),
  };
  evse.reservation = reservation;
  afterReply(station, () => station.refreshStatuses([evse]));
  return 'Accepted';
}

function cancelAndReport(station: SimulatedStation, reservationId: number): 'Accepted' | 'Rejected' {
  const evse = cancel(station, reservationId);
  if (!evse) return 'Rejected';
  afterReply(station, () => station.refreshStatuses([evse]));
  return 'Accepted';
}

export function registerReservations(registry: HandlerRegistry, directory: Directory): void {
  const reserveV2 = (request: V2Req<'ReserveNow'>, context: CallContext): V2Res<'ReserveNow'> => ({
    status: reserve(stationOf(directory, context), request.id, request.idToken.idToken, request.expiryDateTime, request.evseId),
  });
  const cancelV2 = (request: V2Req<'CancelReservation'>, context: CallContext): V2Res<'CancelReservation'> => ({
    status: cancelAndReport(stationOf(directory, context), request.reservationId),
  });
  registry.on('ocpp2.0.1', 'ReserveNow', reserveV2).on('ocpp2.1', 'ReserveNow', reserveV2);
  registry.on('ocpp2.0.1', 'CancelReservation', cancelV2).on('ocpp2.1', 'CancelReservation', cancelV2);
  registry.on('ocpp1.6', 'ReserveNow', (request, context) => ({
    status: reserve(stationOf(directory, context), request.reservationId, request.idTag, request.expiryDate, request.connectorId),
  }));
  registry.on('ocpp1.6', 'CancelReservation', (request, context) => ({ status: cancelAndReport(stationOf(directory, context), request.reservationId) }));
}
