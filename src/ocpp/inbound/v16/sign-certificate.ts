/**
 * SignCertificate (Security Whitepaper A02/A03). The Central System should forward the CSR to a CA and answer
 * Accepted only when it can process it. Joule has no CA connection yet, so the honest answer is Rejected; the
 * request is recorded so the operator sees it.
 */
import type { InboundContext } from '../context.ts';
import type { V16Handler } from './types.ts';

export function signCertificate(context: InboundContext): V16Handler<'SignCertificate'> {
  return (_request, call) => {
    context.services.notifications.record(call.identity, 'securityEvent', { type: 'SignCertificateRejected', certificateType: 'ChargePointCertificate' });
    return { status: 'Rejected' };
  };
}
