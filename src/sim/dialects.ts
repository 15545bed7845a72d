/** The Dialect of a station's OCPP version. */
import type { Dialect } from './dialect.ts';
import { V16Dialect } from './dialect-v16.ts';
import { V2Dialect } from './dialect-v2.ts';
import type { SimulatedStation } from './station.ts';

export function createDialect(station: SimulatedStation): Dialect {
  return station.config.version === 'ocpp1.6' ? new V16Dialect(station) : new V2Dialect(station);
}
