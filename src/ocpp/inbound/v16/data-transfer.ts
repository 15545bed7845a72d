/**
 * DataTransfer (1.6 §4.3): handed to the vendor's handler; an unknown vendorId is answered UnknownVendorId. 1.6
 * data is a string both ways: a handler's structured answer is sent as JSON text.
 */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function dataTransfer(context: InboundContext): V16Handler<'DataTransfer'> {
  return async (request, call) => {
    const answer = await context.services.dataTransfer.handle(request.vendorId, {
      stationId: call.identity,
      ...(request.messageId !== undefined ? { messageId: request.messageId } : {}),
      ...(request.data !== undefined ? { data: request.data } : {}),
    });
    if (answer.data === undefined) return { status: answer.status };
    return { status: answer.status, data: typeof answer.data === 'string' ? answer.data : JSON.stringify(answer.data) };
  };
}
