/** The handler table of the simulated stations: one per simulation, serving every station through the directory. */
import { HandlerRegistry } from '../../protocol/handlers.ts';
import { registerAvailability } from './availability.ts';
import { registerCharging } from './charging.ts';
import type { Directory } from './common.ts';
import { registerLocalAuth } from './local-auth.ts';
import { registerReservations } from './reservations.ts';
import { registerReset } from './reset.ts';
import { registerTransactions } from './transactions.ts';
import { registerTrigger } from './trigger.ts';
import { registerVariables } from './variables.ts';

export { SIM_VENDOR_ID } from './local-auth.ts';

export function createSimHandlers(directory: Directory): HandlerRegistry {
  const registry = new HandlerRegistry();
  registerTransactions(registry, directory);
  registerReset(registry, directory);
  registerAvailability(registry, directory);
  registerVariables(registry, directory);
  registerTrigger(registry, directory);
  registerCharging(registry, directory);
  registerReservations(registry, directory);
  registerLocalAuth(registry, directory);
  return registry;
}
