/** Maps everything a route can throw onto the catalogue in status.ts, so every OCPI answer is an envelope. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OcpiFailure, OcpiPeerError, type OcpiFailureKind } from '../domain/ocpi/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { versionOf } from './auth.ts';
import { envelopeStatus, failure, OcpiError, type OcpiErrorKind } from './status.ts';

const FAILURES: Record<OcpiFailureKind, OcpiErrorKind> = {
  unreachable: 'client_api_unusable',
  insecure_url: 'client_api_unusable',
  unsupported_version: 'unsupported_version',
  missing_endpoints: 'no_matching_endpoints',
  already_registered: 'method_not_allowed',
  not_registered: 'method_not_allowed',
  invalid: 'invalid_parameters',
  unknown_partner: 'not_found',
};

function toOcpiError(error: FastifyError | Error): OcpiError | undefined {
  if (error instanceof OcpiError) return error;
  if (error instanceof OcpiFailure) return new OcpiError(FAILURES[error.kind], error.message);
  if (error instanceof OcpiPeerError) return new OcpiError('client_api_unusable', error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = first ? `${fastifyError.validationContext ?? 'body'}${first.instancePath.replaceAll('/', '.') || ''}` : 'request';
    const missing = first?.keyword === 'required' ? `.${String((first.params as { missingProperty?: string }).missingProperty)}` : '';
    return new OcpiError('invalid_parameters', `${field}${missing} ${first?.keyword === 'required' ? 'is required' : (first?.message ?? 'is invalid')}`, {
      fields: fastifyError.validation.map((v) => ({ path: v.instancePath, message: v.message })),
    });
  }
  switch (fastifyError.statusCode) {
    case 400:
      return new OcpiError('malformed_json', `the body cannot be read: ${fastifyError.message}`);
    case 413:
      return new OcpiError('payload_too_large', 'the body is too large');
    case 415:
      return new OcpiError('unsupported_media_type', 'bodies must be Content-Type: application/json');
    case 404:
      return new OcpiError('not_found', fastifyError.message);
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const mapped = toOcpiError(error);
    const version = request.ocpi?.version ?? versionOf(request.url) ?? undefined;
    if (!mapped) {
      logger.error({ err: error, method: request.method, url: request.url.split('?')[0], requestId: request.id }, 'OCPI request failed');
      return reply.code(500).send(failure(3000, 'internal server error'));
    }
    if (mapped.kind === 'unauthorized') void reply.header('www-authenticate', 'Token');
    return reply.code(mapped.http).send(failure(envelopeStatus(mapped.statusCode, version), mapped.message, mapped.data));
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(failure(2000, `no OCPI resource ${request.method} ${request.url.split('?')[0]}`));
}
