/**
 * Authorize (2.0.1 C01-C09; 2.1 adds optional fields we do not fill). Always a status (C01.FR.07, C06.FR.04),
 * with groupIdToken (C01.FR.06, C09.FR.09) and cacheExpiryDateTime. Contract certificates (C07: certificate,
 * iso15118CertificateHashData) are not validated, so certificateStatus is never returned.
 */
import type { InboundContext } from '../context.ts';
import { idTokenInfo } from './id-token-info.ts';
import type { V2Handler } from './types.ts';

export function authorize(context: InboundContext): V2Handler<'Authorize'> {
  return async (request) => {
    const decision = await context.services.authorization.authorize(request.idToken.idToken, request.idToken.type);
    return { idTokenInfo: idTokenInfo(decision) };
  };
}
