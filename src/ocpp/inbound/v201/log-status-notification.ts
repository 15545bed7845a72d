/** LogStatusNotification (2.0.1 N01; same in 2.1): progress of the GetLog upload with the same requestId. */
import type { InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function logStatusNotification(context: InboundContext): V2Handler<'LogStatusNotification'> {
  return (request, call) => {
    const { status, requestId } = request;
    context.services.notifications.record(call.identity, 'logStatus', { status, ...(requestId !== undefined ? { requestId } : {}) });
    return {};
  };
}
