/**
 * FirmwareStatusNotification (2.0.1 L01/L02; same in 2.1): progress of the UpdateFirmware with the same requestId
 * (L01.FR.01-03). Acknowledged and recorded; requestId is absent only for a triggered status with nothing running.
 */
import type { InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function firmwareStatusNotification(context: InboundContext): V2Handler<'FirmwareStatusNotification'> {
  return (request, call) => {
    const { status, requestId } = request;
    context.services.notifications.record(call.identity, 'firmwareStatus', { status, ...(requestId !== undefined ? { requestId } : {}) });
    return {};
  };
}
