/** LogStatusNotification (Security Whitepaper N01): progress of a GetLog upload; acknowledged and recorded. */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function logStatusNotification(context: InboundContext): V16Handler<'LogStatusNotification'> {
  return (request, call) => {
    const { status, requestId } = request;
    context.services.notifications.record(call.identity, 'logStatus', { status, ...(requestId !== undefined ? { requestId } : {}) });
    return {};
  };
}
