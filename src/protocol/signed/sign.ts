/**
 * Signing (Part 4 §7.1): the JWS payload is the original payload JSON, serialised as flattened JWS JSON, with
 * `alg`, `OCPPAction`, `OCPPMessageTypeId` and `x5t#S256` in the protected header. jose does the cryptography.
 */
import { FlattenedSign } from 'jose';
import type { JsonObject } from '../types.ts';
import type { FlattenedJws, OcppProtectedHeader, SignableMessageType } from './format.ts';
import type { SigningKey } from './keys.ts';

const encoder = new TextEncoder();

/** Signs `payload` of `action` as sent in a message of type `messageTypeId` (2 = CALL, 3 = CALLRESULT). */
export async function signPayload(key: SigningKey, action: string, messageTypeId: SignableMessageType, payload: JsonObject): Promise<FlattenedJws> {
  const header: OcppProtectedHeader = { alg: key.alg, OCPPAction: action, OCPPMessageTypeId: messageTypeId, 'x5t#S256': key.thumbprint };
  const jws = await new FlattenedSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader({ ...header }).sign(key.privateKey);
  if (jws.protected === undefined) throw new Error('jose produced a JWS without protected header');
  return { protected: jws.protected, payload: jws.payload, signature: jws.signature };
}
