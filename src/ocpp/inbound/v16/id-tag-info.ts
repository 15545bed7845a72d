/**
 * A token decision as 1.6 idTagInfo (Authorize, StartTransaction and StopTransaction responses, §4.1/§4.8/§4.10):
 * status, parentIdTag (the group, §3.10) and expiryDate (how long the station may cache it).
 */
import type { TokenDecision } from '../../../domain/services/index.ts';
import type { IdTagInfo } from './types.ts';

/** IdToken in 1.6 is CiString20Type. */
const MAX_ID_TAG_LENGTH = 20;

/** 1.6 knows Accepted, Blocked, Expired, Invalid (and ConcurrentTx); every other refusal is Invalid. */
function legacyStatus(status: TokenDecision['status']): IdTagInfo['status'] {
  switch (status) {
    case 'Accepted':
    case 'Blocked':
    case 'Expired':
      return status;
    default:
      return 'Invalid';
  }
}

export function idTagInfo(decision: TokenDecision): IdTagInfo {
  const info: IdTagInfo = { status: legacyStatus(decision.status) };
  if (decision.groupId && decision.groupId.length <= MAX_ID_TAG_LENGTH) info.parentIdTag = decision.groupId;
  if (decision.cacheExpiry) info.expiryDate = decision.cacheExpiry.toISOString();
  return info;
}
