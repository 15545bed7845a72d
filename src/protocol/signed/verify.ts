/**
 * Verification of signed messages (Part 4 §7). Everything that decides trust is read from the JWS *protected*
 * header only; the unprotected `header` member is ignored (jose rejects it when it repeats a protected name).
 *
 * Checks, cheapest first: flattened-JWS shape (§7.1) → alg is ES256, RS256 or RS384 (§7.3; so never `none` or
 * an HMAC) → OCPPAction and OCPPMessageTypeId match the frame (§7.1) → the certificate named by `x5t#S256` is
 * trusted for this sender and currently valid (§7.4) → signature (jose) → the payload is a JSON object.
 */
import { base64url, decodeProtectedHeader, flattenedVerify } from 'jose';
import { RpcError } from '../errors.ts';
import { isJsonObject } from '../../shared/json.ts';
import type { JsonObject } from '../types.ts';
import type { FlattenedJws, OcppProtectedHeader, SignableMessageType } from './format.ts';
import { MESSAGE_TYPE_HEADER, MESSAGE_TYPE_HEADER_21_TYPO, isFlattenedJws, isSigningAlgorithm } from './format.ts';
import type { KeyRing, TrustedCertificate } from './keys.ts';

export type SignatureFailure = 'malformed' | 'algorithm' | 'header-mismatch' | 'unknown-key' | 'expired-key' | 'bad-signature' | 'payload';

/** A signed message we refuse; answered as CALLERROR SecurityError (it is an RpcError with that code). */
export class SignatureError extends RpcError {
  constructor(
    readonly reason: SignatureFailure,
    description: string,
  ) {
    super('SecurityError', `Signed message rejected: ${description}`);
    this.name = 'SignatureError';
  }
}

export interface VerifyRequest {
  /** The payload member of the received frame. */
  jws: JsonObject;
  /** The plain action the frame belongs to (without "-Signed"). */
  action: string;
  /** 2 for a signed CALL, 3 for a signed CALLRESULT. */
  messageTypeId: SignableMessageType;
  /** Who sent it: the station identity of the connection. */
  identity: string;
  keyRing: KeyRing;
  /**
   * What to do when no certificate at all is trusted for `identity`: 'reject' (default) or 'accept' the
   * enclosed message unverified, which §7.2 permits ("MAY perform additional actions that use the signature").
   * A signer that names an unknown certificate while others are trusted is always rejected.
   */
  unknownSigner?: 'reject' | 'accept';
  /** Clock for certificate validity (default now). */
  now?: Date;
}

/** The protected header as received: `x5t#S256` is only RECOMMENDED (§7.4). */
export type ReceivedHeader = Omit<OcppProtectedHeader, 'x5t#S256'> & { 'x5t#S256'?: string };

export interface VerifiedMessage {
  payload: JsonObject;
  header: ReceivedHeader;
  /** The certificate that verified the signature; undefined when accepted unverified (unknownSigner 'accept'). */
  certificate: TrustedCertificate | undefined;
}

/** Bound on keys tried for a signature without `x5t#S256`. */
const MAX_CANDIDATES = 8;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Verifies a signed payload and returns the enclosed one; throws SignatureError. */
export async function verifySigned(request: VerifyRequest): Promise<VerifiedMessage> {
  const { jws, action, messageTypeId, identity, keyRing } = request;
  if (!isFlattenedJws(jws)) throw new SignatureError('malformed', 'payload is not a flattened JWS {protected, payload, signature}');
  const header = readHeader(jws, action, messageTypeId);
  const thumbprint = header['x5t#S256'];

  let candidates: TrustedCertificate[];
  if (thumbprint !== undefined) {
    const cert = keyRing.lookup(identity, thumbprint);
    candidates = cert ? [cert] : [];
  } else {
    candidates = keyRing.certificatesFor(identity).filter((c) => c.algorithms.includes(header.alg)).slice(0, MAX_CANDIDATES);
  }
  if (candidates.length === 0) {
    if (request.unknownSigner === 'accept' && !keyRing.hasKeysFor(identity)) {
      return { payload: decodePayload(base64url.decode(jws.payload)), header, certificate: undefined };
    }
    throw new SignatureError('unknown-key', thumbprint === undefined ? 'no x5t#S256 and no certificate trusted for this sender' : 'certificate is not trusted for this sender');
  }

  const now = request.now ?? new Date();
  let failure: SignatureError | undefined;
  for (const cert of candidates) {
    if (!cert.algorithms.includes(header.alg)) {
      failure = new SignatureError('algorithm', `${header.alg} does not match the certificate's key`);
      continue;
    }
    if (now < cert.validFrom || now > cert.validTo) {
      failure = new SignatureError('expired-key', 'signing certificate is not valid at this time');
      continue;
    }
    try {
      const result = await flattenedVerify(jws, cert.publicKey, { algorithms: [header.alg] });
      return { payload: decodePayload(result.payload), header, certificate: cert };
    } catch (error) {
      if (error instanceof SignatureError) throw error;
      failure = new SignatureError('bad-signature', 'signature verification failed');
    }
  }
  throw failure ?? new SignatureError('bad-signature', 'signature verification failed');
}

/** Reads and checks the protected header against the frame (§7.1, §7.3). */
function readHeader(jws: FlattenedJws, action: string, messageTypeId: SignableMessageType): ReceivedHeader {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader({ protected: jws.protected });
  } catch {
    throw new SignatureError('malformed', 'protected header is not base64url JSON');
  }
  const alg: unknown = header.alg;
  if (!isSigningAlgorithm(alg)) throw new SignatureError('algorithm', `alg ${typeof alg === 'string' ? alg : '?'} is not allowed (ES256, RS256, RS384)`);
  if (header.OCPPAction !== action) throw new SignatureError('header-mismatch', `OCPPAction does not match ${action}`);
  const typeId: unknown = header[MESSAGE_TYPE_HEADER];
  const typoId: unknown = header[MESSAGE_TYPE_HEADER_21_TYPO];
  if ((typeId === undefined && typoId === undefined) || (typeId !== undefined && typeId !== messageTypeId) || (typoId !== undefined && typoId !== messageTypeId)) {
    throw new SignatureError('header-mismatch', `OCPPMessageTypeId does not match ${messageTypeId}`);
  }
  const thumbprint: unknown = header['x5t#S256'];
  if (thumbprint !== undefined && typeof thumbprint !== 'string') throw new SignatureError('malformed', 'x5t#S256 is not a string');
  const received: ReceivedHeader = { alg, OCPPAction: action, OCPPMessageTypeId: messageTypeId };
  if (thumbprint !== undefined) received['x5t#S256'] = thumbprint;
  return received;
}

function decodePayload(bytes: Uint8Array): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new SignatureError('payload', 'JWS payload is not JSON');
  }
  if (!isJsonObject(value)) throw new SignatureError('payload', 'JWS payload is not a JSON object');
  return value;
}
