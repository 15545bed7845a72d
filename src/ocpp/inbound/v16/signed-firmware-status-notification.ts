/**
 * SignedFirmwareStatusNotification (Security Whitepaper, L01): progress of a SignedUpdateFirmware with the same
 * requestId, including the signature and certificate failures; acknowledged and recorded.
 */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function signedFirmwareStatusNotification(context: InboundContext): V16Handler<'SignedFirmwareStatusNotification'> {
  return (request, call) => {
    const { status, requestId } = request;
    context.services.notifications.record(call.identity, 'firmwareStatus', { status, signed: true, ...(requestId !== undefined ? { requestId } : {}) });
    return {};
  };
}
