/**
 * SignCertificate (2.0.1 A02/A03; 2.1 adds requestId and hashRootCertificate). The CSMS should forward the CSR to a
 * certificate authority (A02.FR.04) and answer Accepted only when it can process it (A02.FR.11-12). Joule has no
 * CA connection yet, so the honest answer is Rejected; the request is recorded so the operator sees it.
 */
import type { InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function signCertificate(context: InboundContext): V2Handler<'SignCertificate'> {
  return (request, call) => {
    context.services.notifications.record(call.identity, 'securityEvent', {
      type: 'SignCertificateRejected',
      certificateType: request.certificateType ?? 'ChargingStationCertificate',
    });
    return { status: 'Rejected', statusInfo: { reasonCode: 'NotSupported', additionalInfo: 'No certificate authority is configured on this CSMS' } };
  };
}
