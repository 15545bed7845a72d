/**
 * SecurityEventNotification (2.0.1 A04; same in 2.1): every one is acknowledged (A04.FR.01-03; they are queued
 * with guaranteed delivery, so an error would only make the station resend) and recorded.
 */
import type { InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function securityEventNotification(context: InboundContext): V2Handler<'SecurityEventNotification'> {
  return (request, call) => {
    const { type, timestamp, techInfo } = request;
    context.services.notifications.record(call.identity, 'securityEvent', { type, timestamp, ...(techInfo !== undefined ? { techInfo } : {}) });
    return {};
  };
}
