/**
 * Meter values outside transactions (2.0.1 J01; 1.6 MeterValues without a known transaction): stored as station
 * samples. A station deleted while connected has nowhere to store them; they are dropped with a warning.
 */
import { NotFoundError } from '../errors.ts';
import type { NewMeterSample } from '../model.ts';
import type { MeterValueRepository } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';

export interface MeterValueServiceDeps {
  meterValues: MeterValueRepository;
  logger: Logger;
}

export class MeterValueService {
  constructor(private readonly deps: MeterValueServiceDeps) {}

  async recordStationSamples(stationId: string, samples: readonly NewMeterSample[]): Promise<void> {
    try {
      await this.deps.meterValues.insert(samples);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.deps.logger.warn({ station: stationId, samples: samples.length }, 'meter values for a station without a record dropped');
    }
  }
}
