/** FirmwareStatusNotification (1.6 §4.5, errata 3.12): progress of an UpdateFirmware; acknowledged and recorded. */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function firmwareStatusNotification(context: InboundContext): V16Handler<'FirmwareStatusNotification'> {
  return (request, call) => {
    context.services.notifications.record(call.identity, 'firmwareStatus', { status: request.status });
    return {};
  };
}
