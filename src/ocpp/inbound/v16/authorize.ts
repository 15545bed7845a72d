/** Authorize (1.6 §4.1): idTagInfo for the idTag (local tokens first, then the external authorizer). */
import type { InboundContext } from '../context.ts';
import { idTagInfo } from './id-tag-info.ts';
import type { V16Handler } from './types.ts';

export function authorize(context: InboundContext): V16Handler<'Authorize'> {
  return async (request) => ({ idTagInfo: idTagInfo(await context.services.authorization.authorizeIdTag(request.idTag)) });
}
