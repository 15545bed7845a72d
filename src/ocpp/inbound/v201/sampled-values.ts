/**
 * 2.x meterValue lists → version-neutral readings. Each meterValue has one timestamp for all its sampled values
 * (J01.FR.05-06); omitted measurand/context/location/unit take the spec defaults in the domain (J01.FR.07-10).
 */
import type { SampledReading } from '../../../domain/services/index.ts';
import { asJson, stationTime, type InboundContext } from '../context.ts';
import type { V2MeterValue } from './types.ts';

export function readingsOf(context: InboundContext, stationId: string, meterValues: readonly V2MeterValue[] | undefined): SampledReading[] {
  const readings: SampledReading[] = [];
  for (const meterValue of meterValues ?? []) {
    const timestamp = stationTime(context, meterValue.timestamp, stationId);
    for (const sampled of meterValue.sampledValue) {
      readings.push({
        timestamp,
        value: sampled.value,
        measurand: sampled.measurand,
        phase: sampled.phase,
        unit: sampled.unitOfMeasure?.unit,
        multiplier: sampled.unitOfMeasure?.multiplier,
        context: sampled.context,
        location: sampled.location,
        signed: sampled.signedMeterValue === undefined ? null : asJson(sampled.signedMeterValue),
      });
    }
  }
  return readings;
}
