/** DiagnosticsStatusNotification (1.6 §4.4): progress of a GetDiagnostics upload; acknowledged and recorded. */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function diagnosticsStatusNotification(context: InboundContext): V16Handler<'DiagnosticsStatusNotification'> {
  return (request, call) => {
    context.services.notifications.record(call.identity, 'diagnosticsStatus', { status: request.status });
    return {};
  };
}
