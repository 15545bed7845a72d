/**
 * MeterValues (1.6 §4.7, errata 3.14-3.16). With the transactionId of a transaction we know, the values belong to
 * it: they are applied as a transaction event (register readings update the energy bounds, everything is stored).
 * Without one, or with an id we never issued (e.g. -1, errata 3.18), they are stored as station samples. Always
 * answered (§4.8: sanity checks never block the answer), only after the values are committed.
 */
import { energyReadings, meterSamples } from '../../../domain/services/index.ts';
import { eventPayload, type InboundContext } from '../context.ts';
import { knownTransaction } from './known-transaction.ts';
import { legacyReadings, meterValuesSeqNo } from './legacy.ts';
import type { V16Handler } from './types.ts';

/** The 2.x trigger reason that describes the message (errata 3.46: a triggered sample is not an interval sample). */
function triggerReason(context: string | null | undefined): string {
  if (context === 'Sample.Clock') return 'MeterValueClock';
  if (context === 'Trigger') return 'Trigger';
  return 'MeterValuePeriodic';
}

export function meterValues(context: InboundContext): V16Handler<'MeterValues'> {
  return async (request, call) => {
    const stationId = call.identity;
    const session = context.sessions.of(call);
    const readings = legacyReadings(context, stationId, request.meterValue);
    const transactionId = request.transactionId;
    const known = transactionId === undefined ? undefined : await knownTransaction(context, session, String(transactionId));
    if (transactionId === undefined || !known) {
      if (transactionId !== undefined) context.logger.warn({ station: stationId, transactionId }, 'MeterValues for an unknown transaction stored as station samples');
      await context.services.meterValues.recordStationSamples(stationId, meterSamples(stationId, request.connectorId, readings));
      return {};
    }
    const first = readings[0];
    await context.services.transactions.record({
      stationId,
      transactionId: String(transactionId),
      seqNo: meterValuesSeqNo(request.connectorId, transactionId, request.meterValue),
      eventType: 'Updated',
      triggerReason: triggerReason(first?.context),
      timestamp: first?.timestamp ?? context.now(),
      payload: eventPayload(request, 'meterValue'),
      energy: energyReadings(readings),
      meterValues: meterSamples(stationId, request.connectorId, readings),
    });
    return {};
  };
}
