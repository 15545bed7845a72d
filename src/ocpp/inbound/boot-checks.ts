/**
 * B01.FR.11-12 (2.0.1; SEC 2 for 1.6): a station on security profile 3 must report, as serialNumber, the common
 * name of the client certificate it connected with; otherwise the CSMS closes the connection.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { Session } from '../session.ts';
import type { InboundContext } from './context.ts';

/** WebSocket close code for a policy violation (RFC 6455 §7.4.1). */
const POLICY_VIOLATION = 1008;

/** True when the station is on profile 3 and reports a serial number other than its certificate's CN. */
export function serialMismatch(session: Session, serialNumber: string | undefined): boolean {
  const info = session.info;
  if (info === undefined || info.securityProfile !== 3 || info.certificateCommonName === undefined) return false;
  return serialNumber !== undefined && serialNumber !== info.certificateCommonName;
}

/** Closes the connection once the reply (Rejected) has gone out. */
export function closeAfterReply(context: InboundContext, call: CallContext, reason: string): void {
  context.logger.warn({ station: call.identity }, `closing: ${reason}`);
  setImmediate(() => call.endpoint.close(POLICY_VIOLATION, 'Serial number mismatch'));
}
