/** SecurityEventNotification (Security Whitepaper A04/A05): always acknowledged, and recorded. */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function securityEventNotification(context: InboundContext): V16Handler<'SecurityEventNotification'> {
  return (request, call) => {
    const { type, timestamp, techInfo } = request;
    context.services.notifications.record(call.identity, 'securityEvent', { type, timestamp, ...(techInfo !== undefined ? { techInfo } : {}) });
    return {};
  };
}
