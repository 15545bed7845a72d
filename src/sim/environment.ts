/** What the stations of one simulation share, built once: validator, scheduler, handler table, counters. */
import { createSchemaValidator } from '../protocol/schemas/validator.ts';
import type { PayloadValidator } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { Clock, RandomSource } from '../station/index.ts';
import { systemClock } from '../station/index.ts';
import { createSimHandlers } from './handlers/index.ts';
import { Scheduler } from './scheduler.ts';
import type { SimulatedStation } from './station.ts';
import { SimStats } from './stats.ts';
import type { SimEnvironment } from './types.ts';

export interface EnvironmentOptions {
  /** The schema validator (creating one takes about a second: share it). */
  validator?: PayloadValidator;
  clock?: Clock;
  random?: RandomSource;
  wallClock?: () => number;
  logger?: Logger;
}

export function createSimEnvironment(options: EnvironmentOptions = {}): SimEnvironment {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const stats = new SimStats();
  const directory = new Map<string, SimulatedStation>();
  const scheduler = new Scheduler(clock, (error) => {
    stats.stationErrors += 1;
    logger.warn({ err: error }, 'simulator task failed');
  });
  return {
    validator: options.validator ?? createSchemaValidator(),
    scheduler,
    stats,
    clock,
    random: options.random ?? Math.random,
    wallClock: options.wallClock ?? Date.now,
    logger,
    handlers: createSimHandlers(directory),
    directory,
  };
}
