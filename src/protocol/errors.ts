/**
 * RPC error codes per OCPP version (Part 4 §4.3; OCPP-J 1.6 §4.2.3 with its errata) and the typed errors
 * that `call()` throws.
 */
import type { OcppVersion } from './types.ts';
import { MAX_ERROR_DESCRIPTION_LENGTH } from './types.ts';

/**
 * Version-neutral names used inside Joule. `FormatViolation` and `OccurrenceConstraintViolation` are written on
 * the wire as 1.6's misspellings `FormationViolation` and `OccurenceConstraintViolation` on ocpp1.6 connections:
 * the 1.6J errata (§5.1, §5.2) says "do not fix".
 */
export type RpcErrorCode =
  | 'FormatViolation'
  | 'GenericError'
  | 'InternalError'
  | 'MessageTypeNotSupported'
  | 'NotImplemented'
  | 'NotSupported'
  | 'OccurrenceConstraintViolation'
  | 'PropertyConstraintViolation'
  | 'ProtocolError'
  | 'RpcFrameworkError'
  | 'SecurityError'
  | 'TypeConstraintViolation';

const V16_SPELLING: Partial<Record<RpcErrorCode, string>> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
};

/**
 * Codes 1.6 does not have, and what a 1.6 peer gets instead: a frame that is not a valid RPC message "does not
 * conform the PDU structure", which 1.6 calls FormationViolation.
 */
const V16_FALLBACK: Partial<Record<RpcErrorCode, RpcErrorCode>> = {
  MessageTypeNotSupported: 'FormatViolation',
  RpcFrameworkError: 'FormatViolation',
};

const FROM_WIRE: Record<string, RpcErrorCode> = {
  FormationViolation: 'FormatViolation',
  FormatViolation: 'FormatViolation',
  OccurenceConstraintViolation: 'OccurrenceConstraintViolation',
  OccurrenceConstraintViolation: 'OccurrenceConstraintViolation',
  GenericError: 'GenericError',
  InternalError: 'InternalError',
  MessageTypeNotSupported: 'MessageTypeNotSupported',
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  ProtocolError: 'ProtocolError',
  RpcFrameworkError: 'RpcFrameworkError',
  SecurityError: 'SecurityError',
  TypeConstraintViolation: 'TypeConstraintViolation',
};

/** The spelling of `code` that a peer of `version` expects on the wire. */
export function wireErrorCode(code: RpcErrorCode, version: OcppVersion): string {
  if (version !== 'ocpp1.6') return code;
  const mapped = V16_FALLBACK[code] ?? code;
  return V16_SPELLING[mapped] ?? mapped;
}

/** Reads a received error code, accepting either spelling from any version; unknown codes become GenericError. */
export function parseWireErrorCode(wire: string): RpcErrorCode {
  return FROM_WIRE[wire] ?? 'GenericError';
}

/** Cuts a description to the 255 characters the spec allows. */
export function clampDescription(text: string): string {
  if (text.length <= MAX_ERROR_DESCRIPTION_LENGTH) return text;
  let end = MAX_ERROR_DESCRIPTION_LENGTH - 1;
  // Never keep half of a surrogate pair: it would reach the peer as a lone surrogate (the text may echo its action).
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Base of everything `call()` can throw, so callers can catch one type. */
export abstract class OcppCallError extends Error {
  abstract readonly kind: 'rpc' | 'timeout' | 'offline' | 'queue-full' | 'invalid-response' | 'invalid-request';
}

/** The peer answered with CALLERROR (or CALLRESULTERROR), or our handler rejected a CALL. */
export class RpcError extends OcppCallError {
  readonly kind = 'rpc' as const;
  constructor(
    readonly code: RpcErrorCode,
    description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(clampDescription(description));
    this.name = 'RpcError';
  }
}

/** No answer within the call timeout (time spent waiting in the queue counts, Part 4 §4.1.1). */
export class CallTimeoutError extends OcppCallError {
  readonly kind = 'timeout' as const;
  constructor(readonly action: string, readonly timeoutMs: number) {
    super(`${action} got no answer within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}

/** The connection closed (or was never open) before the call was answered. */
export class OfflineError extends OcppCallError {
  readonly kind = 'offline' as const;
  constructor(readonly identity: string, reason = 'connection closed') {
    super(`station ${identity} is offline: ${reason}`);
    this.name = 'OfflineError';
  }
}

/** The outgoing call queue is full; the newest call is the one rejected. */
export class QueueFullError extends OcppCallError {
  readonly kind = 'queue-full' as const;
  constructor(readonly identity: string, readonly limit: number) {
    super(`call queue for ${identity} is full (${limit} waiting)`);
    this.name = 'QueueFullError';
  }
}

/** Our own outgoing request failed schema validation; nothing was sent. */
export class InvalidRequestError extends OcppCallError {
  readonly kind = 'invalid-request' as const;
  constructor(readonly action: string, readonly code: RpcErrorCode, detail: string) {
    super(`${action} request is invalid: ${detail}`);
    this.name = 'InvalidRequestError';
  }
}

/** The peer's CALLRESULT failed schema validation (on 2.1 it was answered with CALLRESULTERROR). */
export class InvalidResponseError extends OcppCallError {
  readonly kind = 'invalid-response' as const;
  constructor(readonly action: string, readonly code: RpcErrorCode, detail: string) {
    super(`${action} response is invalid: ${detail}`);
    this.name = 'InvalidResponseError';
  }
}
