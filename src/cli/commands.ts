import { apikeyCommand } from './apikey.ts';
import { lcCommand } from './lc.ts';
import { ocpiCommand } from './ocpi.ts';
import { simCommand } from './sim.ts';

/**
 * Sub-commands beyond start/station, one entry each (sim, lc, apikey, ocpi ...). Each module owns its parsing;
 * this list is the only place that names them.
 */
export interface CliCommand {
  name: string;
  /** One usage line for `joule help`. */
  usage: string;
  run(args: string[]): Promise<void>;
}

export const extraCommands: CliCommand[] = [apikeyCommand, simCommand, lcCommand, ocpiCommand];
