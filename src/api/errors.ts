/**
 * The API's error catalogue: every error the operator API answers with has a code listed here, one HTTP status
 * per code, and the same JSON body: `{ error, message, fields?, rpc? }`. The error handler below maps domain and
 * Fastify errors onto it, so no handler builds an error body by hand.
 */
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { CommandError, type CommandFailureKind } from '../domain/commands/types.ts';
import { AlreadyExistsError, NotFoundError } from '../domain/errors.ts';
import type { JsonObject } from '../domain/model.ts';
import type { Logger } from '../shared/logger.ts';

export const API_ERRORS = {
  bad_request: { status: 400, description: 'The request cannot be read (malformed JSON, empty body with a JSON content type, ...).' },
  validation_failed: { status: 400, description: 'A parameter, query or body field is invalid; `fields` lists each one.' },
  command_invalid: { status: 400, description: "The command is not valid for the station's OCPP version or fails the OCPP schema." },
  unauthorized: { status: 401, description: 'Missing, malformed, unknown or deleted API key.' },
  not_found: { status: 404, description: 'No such resource or route.' },
  already_exists: { status: 409, description: 'A resource with this key already exists.' },
  station_offline: { status: 409, description: 'The station is not connected.' },
  conflict: { status: 409, description: 'The change conflicts with the current state (e.g. deleting a location that still has EVSEs).' },
  ocpi_state: { status: 409, description: 'The OCPI partner is not in a state that allows this (e.g. rotate an unregistered partner).' },
  payload_too_large: { status: 413, description: 'The request body is too large.' },
  unsupported_media_type: { status: 415, description: 'Bodies must be application/json.' },
  internal_error: { status: 500, description: 'Unexpected server error (logged with the request id).' },
  command_rejected: { status: 502, description: 'The station answered with a CALLERROR; `rpc` holds its code and description.' },
  ocpi_partner_failed: { status: 502, description: "The OCPI partner's API failed or refused (unreachable, no mutual version, required endpoints missing, insecure URL)." },
  command_timeout: { status: 504, description: 'The station did not answer in time.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** One invalid input field: where it is (`body`, `querystring`, `params`), its dotted path and what is wrong. */
export interface FieldError {
  in: string;
  field: string;
  message: string;
}

export interface ApiErrorBody {
  error: ApiErrorCode;
  message: string;
  fields?: FieldError[];
  /** For command_rejected: the CALLERROR the station sent. */
  rpc?: { code: string; description: string; details: JsonObject };
}

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: { fields?: FieldError[]; rpc?: ApiErrorBody['rpc'] } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERRORS[code].status;
  }

  toBody(): ApiErrorBody {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

export function notFound(entity: string, key: string | number): ApiError {
  return new ApiError('not_found', `${entity} ${String(key)} not found`);
}

export function invalidField(where: string, field: string, message: string): ApiError {
  return new ApiError('validation_failed', `${where}/${field} ${message}`, { fields: [{ in: where, field, message }] });
}

const COMMAND_ERROR_CODES: Record<CommandFailureKind, ApiErrorCode> = {
  offline: 'station_offline',
  timeout: 'command_timeout',
  rejected: 'command_rejected',
  invalid: 'command_invalid',
  'not-found': 'not_found',
};

export function fromCommandError(error: CommandError): ApiError {
  return new ApiError(COMMAND_ERROR_CODES[error.kind], error.message, error.rpc ? { rpc: error.rpc } : {});
}

/** `/a/0/b` + missing property `c` → `a.0.b.c`. */
function fieldPath(instancePath: string, property?: unknown): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (typeof property === 'string') parts.push(property);
  return parts.join('.');
}

/**
 * Ajv errors → one entry per failing field, its messages joined (the `if` wrapper of if/then schemas adds
 * nothing and is dropped).
 */
export function fieldErrors(errors: readonly FastifySchemaValidationError[], where: string): FieldError[] {
  const location = where === 'querystring' ? 'query' : where;
  const byField = new Map<string, string[]>();
  const add = (field: string, message: string): void => {
    const messages = byField.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byField.set(field, messages);
  };
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (e.keyword === 'required') add(fieldPath(e.instancePath, e.params.missingProperty), 'is required');
    else if (e.keyword === 'additionalProperties') add(fieldPath(e.instancePath, e.params.additionalProperty), 'is not allowed');
    else {
      const allowed = e.keyword === 'enum' && Array.isArray(e.params.allowedValues) ? `: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
      add(fieldPath(e.instancePath), `${e.message ?? 'is invalid'}${allowed}`);
    }
  }
  return [...byField].map(([field, messages]) => ({ in: location, field, message: messages.join('; ') }));
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).statusCode === 'number';
}

/** Converts anything thrown in the API into an ApiError (unknown errors become internal_error). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof CommandError) return fromCommandError(error);
  if (error instanceof AlreadyExistsError) return new ApiError('already_exists', error.message);
  if (error instanceof NotFoundError) return new ApiError('not_found', error.message);
  if (error instanceof Error && Array.isArray((error as FastifyError).validation)) {
    const validation = (error as FastifyError).validation ?? [];
    const where = (error as FastifyError).validationContext ?? 'body';
    const fields = fieldErrors(validation, where);
    const summary = fields.map((f) => `${f.in}${f.field ? `.${f.field}` : ''} ${f.message}`).join('; ');
    return new ApiError('validation_failed', summary || 'invalid request', { fields });
  }
  if (isFastifyError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const code: ApiErrorCode =
      error.statusCode === 404 ? 'not_found' : error.statusCode === 413 ? 'payload_too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'bad_request';
    return new ApiError(code, error.message);
  }
  return new ApiError('internal_error', 'internal error');
}

export function errorHandler(logger: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const apiError = toApiError(error);
    if (apiError.status >= 500 && apiError.code === 'internal_error') {
      logger.error({ err: error, reqId: request.id, method: request.method, url: request.routeOptions.url }, 'API request failed');
    }
    void reply.code(apiError.status).type('application/json; charset=utf-8').send(apiError.toBody());
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).type('application/json; charset=utf-8').send(new ApiError('not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`).toBody());
}

/** JSON schema of the error body (OpenAPI responses). */
export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', enum: Object.keys(API_ERRORS) },
    message: { type: 'string' },
    fields: {
      type: 'array',
      items: { type: 'object', properties: { in: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } } },
    },
    rpc: { type: 'object', properties: { code: { type: 'string' }, description: { type: 'string' }, details: { type: 'object', additionalProperties: true } } },
  },
} as const;

/** Standard error responses of a route, by status, for its OpenAPI description. */
export function errorResponses(...statuses: number[]): Record<string, typeof errorSchema & { description: string }> {
  const result: Record<string, typeof errorSchema & { description: string }> = {};
  for (const status of [401, ...statuses]) {
    const codes = Object.entries(API_ERRORS)
      .filter(([, e]) => e.status === status)
      .map(([code]) => code);
    result[String(status)] = { ...errorSchema, description: codes.join(' | ') };
  }
  return result;
}
