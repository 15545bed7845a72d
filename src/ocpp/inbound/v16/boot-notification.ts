/**
 * BootNotification (1.6 §4.2, §6.2): Accepted, Pending or Rejected by the registration policy, with currentTime
 * and interval (heartbeat interval when Accepted, wait before the next boot otherwise). The Security Whitepaper's
 * profile 3 requires the serial number to be the certificate CN (SEC 2, as 2.0.1 B01.FR.11).
 */
import { closeAfterReply, serialMismatch } from '../boot-checks.ts';
import { currentTime, type InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function bootNotification(context: InboundContext): V16Handler<'BootNotification'> {
  return async (request, call) => {
    const session = context.sessions.of(call);
    await session.ready;
    const serialNumber = request.chargePointSerialNumber ?? request.chargeBoxSerialNumber;
    const mismatch = serialMismatch(session, serialNumber);
    const status = await context.services.registration.boot(
      call.identity,
      { vendor: request.chargePointVendor, model: request.chargePointModel, serialNumber, firmwareVersion: request.firmwareVersion },
      { refuse: mismatch },
    );
    session.registration = status;
    if (mismatch) closeAfterReply(context, call, 'serial number does not match the client certificate');
    return {
      status,
      currentTime: currentTime(context),
      interval: status === 'Accepted' ? context.heartbeatIntervalS : context.bootRetryIntervalS,
    };
  };
}
