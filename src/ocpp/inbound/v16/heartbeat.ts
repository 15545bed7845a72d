/** Heartbeat (1.6 §4.6): answers with the Central System's time. */
import { currentTime, type InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function heartbeat(context: InboundContext): V16Handler<'Heartbeat'> {
  // Last-seen is updated for every message, see the module's frame observer.
  return () => ({ currentTime: currentTime(context) });
}
