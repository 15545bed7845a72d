/**
 * Wire format of signed OCPP-J messages (Part 4 §7.1). Pure and crypto-free, so the endpoint can import it
 * without loading jose:
 *
 *   signed CALL:       [2, "<MessageId>", "<Action>-Signed", <flattened JWS>]
 *   signed CALLRESULT: [3, "<MessageId>", <flattened JWS>]
 *
 * The JWS payload is the original payload JSON; the protected header carries `alg`, `OCPPAction` (the plain
 * action), `OCPPMessageTypeId` (2 or 3) and `x5t#S256` (§7.4).
 */
import type { JsonObject, JsonValue } from '../types.ts';
import { MessageType } from '../types.ts';

/** Appended to the action name of a signed CALL (§7.1). */
export const SIGNED_SUFFIX = '-Signed';

/** The only JWS algorithms OCPP allows (§7.3). */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'RS384'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** Message types that carry a payload that can be signed (§7.1: CALL and CALLRESULT). */
export type SignableMessageType = typeof MessageType.CALL | typeof MessageType.CALLRESULT;

/**
 * The Flattened JWS JSON Serialization (RFC 7515 §7.2.2) as it appears in the frame. A type alias, not an
 * interface, so that it is assignable to JsonObject.
 */
export type FlattenedJws = {
  protected: string;
  payload: string;
  signature: string;
  /** Unprotected header: allowed by RFC 7515 but never trusted by us. */
  header?: { [key: string]: JsonValue };
};

/** The protected header we write, and the fields we require when reading (§7.1, §7.4). */
export interface OcppProtectedHeader {
  alg: SigningAlgorithm;
  OCPPAction: string;
  OCPPMessageTypeId: SignableMessageType;
  'x5t#S256': string;
}

/**
 * The 2.1 edition of Part 4 §7.1 spells the field "OCPPMessageTypedId" (the 2.0.1 edition "OCPPMessageTypeId").
 * We always write the 2.0.1 spelling and accept either when reading.
 */
export const MESSAGE_TYPE_HEADER = 'OCPPMessageTypeId';
export const MESSAGE_TYPE_HEADER_21_TYPO = 'OCPPMessageTypedId';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function isSignedAction(action: string): boolean {
  return action.length > SIGNED_SUFFIX.length && action.endsWith(SIGNED_SUFFIX);
}

/** "BootNotification" → "BootNotification-Signed". */
export function signedAction(action: string): string {
  return `${action}${SIGNED_SUFFIX}`;
}

/** "BootNotification-Signed" → "BootNotification"; the caller checks isSignedAction first. */
export function plainAction(action: string): string {
  return action.slice(0, -SIGNED_SUFFIX.length);
}

/**
 * True when `value` has exactly the flattened-JWS shape {protected, payload, signature[, header]}. This is how a
 * signed CALLRESULT is recognised: no OCPP response schema has these three members.
 */
export function isFlattenedJws(value: JsonObject): value is FlattenedJws {
  let members = 0;
  for (const key in value) {
    const member = value[key];
    if (key === 'protected' || key === 'payload' || key === 'signature') {
      if (typeof member !== 'string' || !BASE64URL.test(member)) return false;
      members += 1;
    } else if (key === 'header') {
      if (typeof member !== 'object' || member === null || Array.isArray(member)) return false;
    } else {
      return false;
    }
  }
  return members === 3 && (value.protected as string).length > 0 && (value.signature as string).length > 0;
}

/** A signed CALL frame, ready to send. */
export function serializeSignedCall(id: string, action: string, jws: FlattenedJws): string {
  return JSON.stringify([MessageType.CALL, id, signedAction(action), jws]);
}

/** A signed CALLRESULT frame, ready to send. */
export function serializeSignedCallResult(id: string, jws: FlattenedJws): string {
  return JSON.stringify([MessageType.CALLRESULT, id, jws]);
}
