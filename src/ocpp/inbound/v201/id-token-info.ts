/** A token decision as 2.x IdTokenInfo (Authorize and TransactionEvent responses). */
import type { TokenDecision } from '../../../domain/services/index.ts';
import type { V2IdTokenInfo } from './types.ts';

/** The domain keeps 'NotAllowedTypeOut'; 2.0.1/2.1 call that status NotAllowedTypeEVSE (C01.FR.18). */
function wireStatus(status: TokenDecision['status']): V2IdTokenInfo['status'] {
  return status === 'NotAllowedTypeOut' ? 'NotAllowedTypeEVSE' : status;
}

/** IdTokenType.idToken is at most 36 characters (schema identifierString of 36). */
const MAX_ID_TOKEN_LENGTH = 36;

/**
 * C01.FR.06-07, C09.FR.09-10: always a status, the group when there is one (as a Central token, errata
 * C09.FR.13), and the token's expiry as cacheExpiryDateTime (C10.FR.08).
 */
export function idTokenInfo(decision: TokenDecision): V2IdTokenInfo {
  const info: V2IdTokenInfo = { status: wireStatus(decision.status) };
  if (decision.groupId && decision.groupId.length <= MAX_ID_TOKEN_LENGTH) info.groupIdToken = { idToken: decision.groupId, type: 'Central' };
  if (decision.cacheExpiry) info.cacheExpiryDateTime = decision.cacheExpiry.toISOString();
  return info;
}
