/**
 * StopTransaction (1.6 §4.10, errata 3.18, J-errata 2.5). A stop cannot be refused: it is always acknowledged, and
 * only after it is committed. Energy = last − first register reading: meterStop (Wh) at the stop time, plus the
 * Energy.Active.Import.Register values of transactionData (§3.16; any unit, converted); every transactionData
 * value is stored. No reason means Local. The stopping idTag may be another one than the starting one (a group
 * member, §3.10): it is checked and answered, but the transaction keeps the token that started it.
 *
 * A transactionId we never issued (lost start, -1, restored database) is still recorded, as a completed orphan
 * transaction under its own key (see legacy.ts), with its readings, for the operator to reconcile. Its energy is
 * known only if transactionData carries a begin reading.
 */
import type { TransactionEventInput } from '../../../domain/ports.ts';
import { energyReadings, meterSamples } from '../../../domain/services/index.ts';
import { eventPayload, stationTime, type InboundContext } from '../context.ts';
import { idTagInfo } from './id-tag-info.ts';
import { knownTransaction } from './known-transaction.ts';
import { legacyReadings, orphanTransactionId, STOP_SEQ_NO } from './legacy.ts';
import type { V16Handler, V16Request } from './types.ts';

type Request = V16Request<'StopTransaction'>;

function stopEvent(context: InboundContext, stationId: string, request: Request, known: { evseId: number | null } | undefined): TransactionEventInput {
  const stoppedAt = stationTime(context, request.timestamp, stationId);
  const readings = legacyReadings(context, stationId, request.transactionData);
  const evseId = known?.evseId ?? null;
  const stop = { timestamp: stoppedAt, wh: request.meterStop };
  const register = energyReadings(readings);
  const samples = meterSamples(stationId, evseId, readings);
  const common = {
    stationId,
    seqNo: STOP_SEQ_NO,
    eventType: 'Ended' as const,
    timestamp: stoppedAt,
    payload: eventPayload(request, 'transactionData'),
    stoppedAt,
    stopReason: request.reason ?? 'Local',
    meterValues: samples,
  };
  if (known) {
    // meterStop last: it wins a tie with a transactionData reading of the same time.
    return { ...common, transactionId: String(request.transactionId), energy: [...register, stop] };
  }
  context.logger.warn({ station: stationId, transactionId: request.transactionId }, 'StopTransaction for an unknown transaction: recorded as an orphan');
  return {
    ...common,
    transactionId: orphanTransactionId(request.transactionId, stoppedAt),
    idToken: request.idTag ?? null,
    // Only a begin reading makes the difference meaningful; meterStop alone would claim 0 Wh.
    energy: register.length > 0 ? [...register, stop] : [],
    meterValues: [...samples, { stationId, evseId, timestamp: stoppedAt, measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Transaction.End', value: request.meterStop }],
  };
}

export function stopTransaction(context: InboundContext): V16Handler<'StopTransaction'> {
  return async (request, call) => {
    const session = context.sessions.of(call);
    const known = await knownTransaction(context, session, String(request.transactionId));
    const event = stopEvent(context, call.identity, request, known);
    const [, decision] = await Promise.all([
      context.services.transactions.record(event),
      request.idTag !== undefined ? context.services.authorization.authorizeIdTag(request.idTag) : undefined,
    ]);
    return decision ? { idTagInfo: idTagInfo(decision) } : {};
  };
}
