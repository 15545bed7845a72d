/** Heartbeat (2.0.1 G02; same in 2.1): the answer carries the CSMS time, the station's clock source (G02.FR.03). */
import { currentTime, type InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function heartbeat(context: InboundContext): V2Handler<'Heartbeat'> {
  // Last-seen is updated for every message (G02.FR.04), see the module's frame observer.
  return () => ({ currentTime: currentTime(context) });
}
