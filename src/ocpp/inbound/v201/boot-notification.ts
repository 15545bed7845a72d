/**
 * BootNotification (2.0.1 B01-B03; same message in 2.1). The answer is the station's registration status
 * (B01.FR.02), with currentTime and interval: the heartbeat interval when Accepted (B01.FR.04), the wait before
 * the next BootNotification otherwise (B02.FR.04, B03). The connection's gate follows the answer.
 */
import { currentTime, type InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';
import { closeAfterReply, serialMismatch } from '../boot-checks.ts';

export function bootNotification(context: InboundContext): V2Handler<'BootNotification'> {
  return async (request, call) => {
    const session = context.sessions.of(call);
    await session.ready;
    const station = request.chargingStation;
    // B01.FR.11-12: on security profile 3 the serial number must be the certificate's CN.
    const mismatch = serialMismatch(session, station.serialNumber);
    const status = await context.services.registration.boot(
      call.identity,
      { vendor: station.vendorName, model: station.model, serialNumber: station.serialNumber, firmwareVersion: station.firmwareVersion },
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
