/**
 * How 1.6 messages map onto the version-neutral model.
 *
 * Connectors: 1.6 has one number per connector (0 = the whole charge point), no EVSE level. Connector N is stored
 * as EVSE N, connector N, so that both keys find it and commands addressing an EVSE reach 1.6 connector N.
 *
 * Transaction events: the repository is idempotent on (transaction, seqNo); 1.6 messages have no seqNo, so one is
 * derived that is the same when the station resends the same message (1.6 §3.7: Start, Stop and transaction
 * MeterValues are retried until answered):
 * - StartTransaction: 0 (assigned by TransactionRepository.startLegacy);
 * - MeterValues: a 48-bit hash of the message's content (≥ 1), so a resend is a duplicate and two different
 *   messages (e.g. a periodic and a clock-aligned sample at the same time) are both kept;
 * - StopTransaction: the highest safe integer, so the stop is always the newest event (and a transaction has one).
 * A 1.6 transaction's lastSeqNo therefore says nothing about message counts.
 */
import { createHash } from 'node:crypto';
import type { SampledReading } from '../../../domain/services/index.ts';
import { stationTime, type InboundContext } from '../context.ts';
import type { V16MeterValue } from './types.ts';

export const STOP_SEQ_NO = Number.MAX_SAFE_INTEGER;

/** The seqNo of a 1.6 MeterValues message (see above). */
export function meterValuesSeqNo(connectorId: number, transactionId: number, meterValue: readonly V16MeterValue[]): number {
  const digest = createHash('sha256').update(JSON.stringify([connectorId, transactionId, meterValue])).digest();
  return digest.readUIntBE(0, 6) + 1;
}

/** Key under which a StopTransaction for a transaction we do not know is kept (never a number, so no clash). */
export function orphanTransactionId(transactionId: number, stoppedAt: Date): string {
  return `orphan:${transactionId}:${stoppedAt.toISOString()}`;
}

/** 1.6 sampledValue lists → neutral readings; SignedData values are not numbers and are left out. */
export function legacyReadings(context: InboundContext, stationId: string, meterValues: readonly V16MeterValue[] | undefined): SampledReading[] {
  const readings: SampledReading[] = [];
  for (const meterValue of meterValues ?? []) {
    const timestamp = stationTime(context, meterValue.timestamp, stationId);
    for (const sampled of meterValue.sampledValue) {
      if (sampled.format === 'SignedData') continue;
      readings.push({
        timestamp,
        value: sampled.value,
        measurand: sampled.measurand,
        phase: sampled.phase,
        // J-errata 2.1: both spellings arrive; store the correct one.
        unit: sampled.unit === 'Celcius' ? 'Celsius' : sampled.unit,
        context: sampled.context,
        location: sampled.location,
      });
    }
  }
  return readings;
}
