/**
 * The OCPI answer catalogue: every response under /ocpi, errors included, is an envelope
 * `{ data?, status_code, status_message?, timestamp }`. Each failure kind has one OCPI status code and one HTTP
 * status. Per the spec (status_codes.asciidoc) a request that is valid JSON and reaches an existing resource gets
 * HTTP 200 with an OCPI error code; HTTP errors are only for transport problems: 400 (not JSON), 401 (token),
 * 404 (no such resource), 405 (credentials misuse).
 */

/** OCPI status codes (2004 exists in 2.2.1 only; 2.1.1 partners get 2000 instead, see envelopeStatus). */
export const OCPI_STATUS = {
  1000: 'Generic success',
  2000: 'Generic client error',
  2001: 'Invalid or missing parameters',
  2002: 'Not enough information',
  2003: 'Unknown Location',
  2004: 'Unknown Token',
  3000: 'Generic server error',
  3001: 'Unable to use the client’s API',
  3002: 'Unsupported version',
  3003: 'No matching endpoints or expected endpoints missing in the client’s API',
} as const;

export type OcpiStatusCode = keyof typeof OCPI_STATUS;

export const OCPI_ERRORS = {
  malformed_json: { http: 400, status: 2000, description: 'The body is not valid JSON (or not a JSON content type).' },
  unauthorized: { http: 401, status: 2000, description: 'Missing Authorization header, unknown token, or Token A outside versions/credentials.' },
  not_found: { http: 404, status: 2000, description: 'No such route or (on GET) no such object.' },
  method_not_allowed: { http: 405, status: 2000, description: 'Credentials misuse: POST when registered, PUT/DELETE when not.' },
  payload_too_large: { http: 413, status: 2000, description: 'The body is too large.' },
  unsupported_media_type: { http: 415, status: 2000, description: 'Bodies must be application/json.' },
  client_error: { http: 200, status: 2000, description: 'Generic client error.' },
  invalid_parameters: { http: 200, status: 2001, description: 'Invalid or missing parameters (the message names the field).' },
  not_enough_information: { http: 200, status: 2002, description: 'Not enough information.' },
  unknown_location: { http: 200, status: 2003, description: 'Unknown Location.' },
  unknown_token: { http: 200, status: 2004, description: 'Unknown Token (2.2.1).' },
  server_error: { http: 200, status: 3000, description: 'Generic server error.' },
  internal_error: { http: 500, status: 3000, description: 'Unexpected server error (logged with the request id).' },
  client_api_unusable: { http: 200, status: 3001, description: 'We could not use the partner’s API (e.g. the credentials callback failed).' },
  unsupported_version: { http: 200, status: 3002, description: 'Unsupported version.' },
  no_matching_endpoints: { http: 200, status: 3003, description: 'No matching endpoints or required endpoints missing.' },
} as const satisfies Record<string, { http: number; status: OcpiStatusCode; description: string }>;

export type OcpiErrorKind = keyof typeof OCPI_ERRORS;

/** The OCPI response envelope. `data` is left out (not null) when there is nothing to say. */
export interface OcpiEnvelope<T = unknown> {
  data?: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

/** Throw from a handler: the OCPI error handler turns it into the envelope and HTTP status of its kind. */
export class OcpiError extends Error {
  readonly http: number;
  readonly statusCode: OcpiStatusCode;

  constructor(
    readonly kind: OcpiErrorKind,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'OcpiError';
    this.http = OCPI_ERRORS[kind].http;
    this.statusCode = OCPI_ERRORS[kind].status;
  }
}

/** 2001 naming the offending field, e.g. invalidField('last_updated', 'is required'). */
export function invalidField(field: string, problem: string): OcpiError {
  return new OcpiError('invalid_parameters', `${field} ${problem}`, { field });
}

/** OCPI DateTime: RFC 3339 UTC with Z (fractions allowed). */
export function ocpiDateTime(date: Date): string {
  return date.toISOString();
}

/** A success envelope (1000). */
export function ok<T>(data?: T, message?: string): OcpiEnvelope<T> {
  return {
    ...(data === undefined ? {} : { data }),
    status_code: 1000,
    ...(message === undefined ? {} : { status_message: message }),
    timestamp: ocpiDateTime(new Date()),
  };
}

/** An error envelope. */
export function failure(status: number, message: string, data?: unknown): OcpiEnvelope {
  return { ...(data === undefined ? {} : { data }), status_code: status, status_message: message, timestamp: ocpiDateTime(new Date()) };
}

/** 2004 is not a 2.1.1 code: those partners get 2000 with the same message. */
export function envelopeStatus(status: OcpiStatusCode, version: string | undefined): number {
  return status === 2004 && version === '2.1.1' ? 2000 : status;
}
