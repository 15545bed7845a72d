/**
 * DataTransfer from the station (2.0.1 P02; same in 2.1): handed to the vendor's handler; unknown vendorId →
 * UnknownVendorId, never a CALLERROR (P02.FR.06-08).
 */
import { asJson, type InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function dataTransfer(context: InboundContext): V2Handler<'DataTransfer'> {
  return async (request, call) => {
    const answer = await context.services.dataTransfer.handle(request.vendorId, {
      stationId: call.identity,
      ...(request.messageId !== undefined ? { messageId: request.messageId } : {}),
      ...(request.data !== undefined ? { data: asJson(request.data) } : {}),
    });
    return answer.data === undefined ? { status: answer.status } : { status: answer.status, data: answer.data };
  };
}
