/**
 * TransactionEvent Started / Updated / Ended (2.0.1 block E, J02; same rules in 2.1). This is the money path:
 *
 * - Transactions are keyed by (station, transactionId) (E01.FR.08) and each event by its seqNo: a resent event is
 *   a duplicate and changes nothing (E §1.3.1, E13); events may arrive late, offline and in any order (E04, E11,
 *   E12), and seqNo need not start at 0 (E §1.3.2). The repository applies each atomically and order-independently.
 * - Energy = last − first Energy.Active.Import.Register reading of the transaction, in Wh (J02.FR.17), whatever
 *   message carried them; every sampled value is stored (E02.FR.09-14, signed values verbatim).
 * - The answer goes out only after the event is committed; a failure to store is a CALLERROR, so the station
 *   resends (E13.FR.01-04). Business problems (unknown token, odd data) never are: the answer is a normal one.
 * - A TE carrying an idToken gets it re-checked and idTokenInfo back (E01.FR.10-12, E05.FR.01, C09.FR.10), also
 *   for offline events (E04.FR.03, C15.FR.04).
 */
import type { TransactionEventInput } from '../../../domain/ports.ts';
import { energyReadings, meterSamples } from '../../../domain/services/index.ts';
import { eventPayload, stationTime, type InboundContext } from '../context.ts';
import { idTokenInfo } from './id-token-info.ts';
import { readingsOf } from './sampled-values.ts';
import type { V2Handler, V2Request } from './types.ts';

type Request = V2Request<'TransactionEvent'>;

/**
 * The token that authorized the transaction, i.e. the account to bill. A StopAuthorized TE carries the token that
 * stopped it, which may be another member of the group or a master pass (E07.FR.01-02, E08, C16): that one is
 * kept in the stored event, not made the transaction's token.
 */
function billingToken(request: Request): Request['idToken'] {
  return request.triggerReason === 'StopAuthorized' ? undefined : request.idToken;
}

export function toEventInput(context: InboundContext, stationId: string, request: Request): TransactionEventInput {
  const timestamp = stationTime(context, request.timestamp, stationId);
  const info = request.transactionInfo;
  const readings = readingsOf(context, stationId, request.meterValue);
  const ended = request.eventType === 'Ended';
  const billing = billingToken(request);
  // Every field written out, no spread: the input lives until its batch commits, and V8 promoted the spread
  // literal's object to the old generation (~60 bytes per event at 5,000/s, measured with a heap profile).
  return {
    stationId,
    transactionId: info.transactionId,
    seqNo: request.seqNo,
    eventType: request.eventType,
    triggerReason: request.triggerReason,
    timestamp,
    offline: request.offline ?? false,
    payload: eventPayload(request, 'meterValue'),
    // E §1.5: evse, idToken and remoteStartId come once; absent fields leave the stored ones alone.
    evseId: request.evse?.id,
    connectorId: request.evse?.connectorId,
    idToken: billing?.idToken,
    idTokenType: billing?.type,
    startedAt: request.eventType === 'Started' ? timestamp : undefined,
    stoppedAt: ended ? timestamp : undefined,
    // E06.FR.08-09: stoppedReason is omitted when the driver stopped locally.
    stopReason: ended ? (info.stoppedReason ?? 'Local') : info.stoppedReason,
    chargingState: info.chargingState,
    remoteStartId: info.remoteStartId,
    energy: energyReadings(readings),
    meterValues: meterSamples(stationId, request.evse?.id ?? null, readings),
  };
}

export function transactionEvent(context: InboundContext): V2Handler<'TransactionEvent'> {
  return async (request, call) => {
    const event = toEventInput(context, call.identity, request);
    const token = request.idToken;
    const [result, decision] = await Promise.all([
      context.services.transactions.record(event),
      token ? context.services.authorization.authorize(token.idToken, token.type) : undefined,
    ]);
    // H01.FR.15: the transaction consumed the reservation.
    if (request.reservationId !== undefined && !result.duplicate) await context.services.reservations.markUsed(call.identity, request.reservationId);
    return decision ? { idTokenInfo: idTokenInfo(decision) } : {};
  };
}
