/**
 * MeterValues (2.0.1 J01; same in 2.1): samples outside transactions (transaction meter data comes in
 * TransactionEvent, J02). evseId 0 is the main meter (J01.FR.02-04). Always answered, whatever the data
 * (J01.FR.18); unreadable values are left out.
 */
import { meterSamples } from '../../../domain/services/index.ts';
import type { InboundContext } from '../context.ts';
import { readingsOf } from './sampled-values.ts';
import type { V2Handler } from './types.ts';

export function meterValues(context: InboundContext): V2Handler<'MeterValues'> {
  return async (request, call) => {
    const samples = meterSamples(call.identity, request.evseId, readingsOf(context, call.identity, request.meterValue));
    await context.services.meterValues.recordStationSamples(call.identity, samples);
    return {};
  };
}
