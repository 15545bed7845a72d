/** ReserveNow (H01, 1.6 §5.13) and CancelReservation (H02, 1.6 §5.1); reservation ids are the CSMS's keys. */
import { CommandError } from '../../domain/commands/types.ts';
import type { Reservation, ReservationStatus } from '../../domain/model.ts';
import type { Ocpp201 } from '../../protocol/generated/index.ts';
import type { CommandContext, Translator } from './context.ts';
import { compact, invalid, legacyConnectorId, statusOf, utc } from './values.ts';

/** Answers of ReserveNow (both versions) that are reservation states. */
const ANSWERS: readonly string[] = ['Accepted', 'Faulted', 'Occupied', 'Rejected', 'Unavailable'];

export const reserveNow: Translator<'reserveNow'> = async (command, ctx) => {
  const expiry = utc(command.expiry, 'expiry');
  if (Date.parse(expiry) <= Date.now()) throw invalid('expiry must be in the future');
  if (ctx.legacy && command.connectorType !== undefined) throw invalid('connectorType is not available in ocpp1.6');
  if (ctx.legacy && command.evseId !== undefined && command.evseId < 0) throw invalid('evseId must be >= 0');
  const reservation = await reservationFor(command, ctx, new Date(expiry));
  const id = reservation.id;
  let status: string | undefined;
  try {
    if (ctx.legacy) {
      // connectorId 0 = any connector (only with ReserveConnectorZeroSupported; the station decides).
      const request = compact({ connectorId: legacyConnectorId(command.evseId, undefined), expiryDate: expiry, idTag: command.idToken.idToken, parentIdTag: command.groupId, reservationId: id });
      status = statusOf(await ctx.call16('ReserveNow', request));
    } else {
      const request = compact({
        id,
        expiryDateTime: expiry,
        idToken: { idToken: command.idToken.idToken, type: (command.idToken.type ?? 'ISO14443') as Ocpp201.IdTokenEnumType },
        // No EVSE = a reservation not bound to one (H01.FR.04-09).
        evseId: command.evseId === 0 ? undefined : command.evseId,
        connectorType: command.connectorType as Ocpp201.ConnectorEnumType | undefined,
        groupIdToken: command.groupId === undefined ? undefined : { idToken: command.groupId, type: 'Central' as const },
      });
      status = statusOf(await ctx.call2('ReserveNow', request));
    }
  } catch (error) {
    // Nothing reserved for sure when the request never left or the station refused it; otherwise it stays
    // Pending and expires at its expiry.
    if (error instanceof CommandError && (error.kind === 'invalid' || error.kind === 'rejected')) {
      await ctx.record('reservation status', () => ctx.repos.reservations.setStatus(id, error.kind === 'invalid' ? 'Cancelled' : 'Rejected'));
    }
    throw error;
  }
  if (status !== undefined && ANSWERS.includes(status)) await ctx.record('reservation status', () => ctx.repos.reservations.setStatus(id, status as ReservationStatus));
  return { status, result: { reservationId: id } };
};

/** H01.FR.02: a given reservationId updates that reservation (it must be this station's); else a new one. */
async function reservationFor(command: Parameters<Translator<'reserveNow'>>[0], ctx: CommandContext, expiry: Date): Promise<Reservation> {
  if (command.reservationId !== undefined) {
    const existing = await ctx.repos.reservations.get(command.reservationId);
    if (!existing || existing.stationId !== ctx.stationId) throw new CommandError('not-found', `reservation ${command.reservationId} of station ${ctx.stationId} not found`);
    return existing;
  }
  return ctx.repos.reservations.create({
    stationId: ctx.stationId,
    evseId: command.evseId ?? null,
    connectorType: command.connectorType ?? null,
    idToken: command.idToken.idToken,
    // 1.6 idTags carry no type.
    idTokenType: ctx.legacy ? null : (command.idToken.type ?? 'ISO14443'),
    groupId: command.groupId ?? null,
    expiry,
  });
}

export const cancelReservation: Translator<'cancelReservation'> = async (command, ctx) => {
  const request = { reservationId: command.reservationId };
  const status = statusOf(ctx.legacy ? await ctx.call16('CancelReservation', request) : await ctx.call2('CancelReservation', request));
  if (status === 'Accepted') {
    await ctx.record('reservation status', async () => {
      const reservation = await ctx.repos.reservations.get(command.reservationId);
      if (reservation?.stationId === ctx.stationId) await ctx.repos.reservations.setStatus(reservation.id, 'Cancelled');
    });
  }
  return { status };
};
