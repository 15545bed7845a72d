/**
 * What stations tell about reservations: ReservationStatusUpdate when one ends unused (H04.FR.01-03: Expired;
 * H01.FR.16-17: Removed), and the reservationId in a transaction that consumed one (H01.FR.15; 1.6 §5.13).
 * Reservation ids are the CSMS's keys; a station may only touch its own.
 */
import type { ReservationStatus } from '../model.ts';
import type { ReservationRepository } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';

export interface ReservationServiceDeps {
  reservations: ReservationRepository;
  logger: Logger;
}

export class ReservationService {
  constructor(private readonly deps: ReservationServiceDeps) {}

  /** Sets the status of a reservation of `stationId`; false when it is unknown or another station's. */
  async setStatus(stationId: string, reservationId: number, status: ReservationStatus): Promise<boolean> {
    const reservation = await this.deps.reservations.get(reservationId);
    if (!reservation || reservation.stationId !== stationId) {
      this.deps.logger.warn({ station: stationId, reservationId, status }, 'status for an unknown reservation ignored');
      return false;
    }
    await this.deps.reservations.setStatus(reservationId, status);
    return true;
  }

  /** A transaction consumed the reservation. Never fails: it runs on the money path and must not block the answer. */
  async markUsed(stationId: string, reservationId: number): Promise<void> {
    try {
      await this.setStatus(stationId, reservationId, 'Used');
    } catch (error) {
      this.deps.logger.error({ err: error, station: stationId, reservationId }, 'could not mark the reservation used');
    }
  }
}
