/**
 * StartTransaction (1.6 §4.8). The Central System assigns the transactionId (a positive int32, errata 3.54): the
 * repository takes it from a sequence and stores the start in the same database transaction; a resent
 * StartTransaction (same connector, idTag and timestamp) gets the same id back (§3.7). The idTag is checked even
 * if the station authorized it locally (§4.8); a non-Accepted idTagInfo makes the station stop or limit the
 * transaction (errata 3.17), but the transaction is recorded all the same: energy may already flow. The answer
 * goes out only after the start is committed. meterStart is the Wh register value (§3.6).
 */
import { asJson, stationTime, type InboundContext } from '../context.ts';
import { idTagInfo } from './id-tag-info.ts';
import type { V16Handler } from './types.ts';

export function startTransaction(context: InboundContext): V16Handler<'StartTransaction'> {
  return async (request, call) => {
    const session = context.sessions.of(call);
    const decision = await context.services.authorization.authorizeIdTag(request.idTag);
    const { transaction, duplicate } = await context.services.transactions.startLegacy({
      stationId: call.identity,
      evseId: request.connectorId,
      connectorId: request.connectorId,
      idToken: request.idTag,
      idTokenType: decision.type ?? null,
      meterStartWh: request.meterStart,
      timestamp: stationTime(context, request.timestamp, call.identity),
      payload: asJson(request),
    });
    session.legacyTransactions.set(transaction.transactionId, transaction.evseId);
    // §5.13: the reservation is consumed by this transaction.
    if (request.reservationId !== undefined && !duplicate) await context.services.reservations.markUsed(call.identity, request.reservationId);
    return { transactionId: Number(transaction.transactionId), idTagInfo: idTagInfo(decision) };
  };
}
