/** Failures of the OCPI use cases; the OCPI adapter maps them to status codes, the REST API to HTTP errors. */

/**
 * unreachable → 3001 (we could not use the partner's API), unsupported_version → 3002, missing_endpoints → 3003,
 * already_registered / not_registered → HTTP 405 on credentials, insecure_url → plain http:// refused,
 * invalid → the partner sent something unusable (2001), unknown_partner → 404 in the REST API.
 */
export type OcpiFailureKind =
  | 'unreachable'
  | 'unsupported_version'
  | 'missing_endpoints'
  | 'already_registered'
  | 'not_registered'
  | 'insecure_url'
  | 'invalid'
  | 'unknown_partner';

export class OcpiFailure extends Error {
  constructor(
    readonly kind: OcpiFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'OcpiFailure';
  }
}

/** A call to a partner failed: transport (network, timeout), HTTP status, OCPI status or an unreadable answer. */
export class OcpiPeerError extends Error {
  constructor(
    readonly reason: 'transport' | 'http' | 'status' | 'format' | 'insecure',
    message: string,
    readonly details: { httpStatus?: number; ocpiStatus?: number } = {},
  ) {
    super(message);
    this.name = 'OcpiPeerError';
  }
}
