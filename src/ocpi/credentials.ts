/**
 * The credentials module (credentials.asciidoc), both versions: GET ours, POST to register (Token A), PUT to
 * update or rotate, DELETE to unregister. 405 on misuse: POST when registered, PUT/DELETE when not.
 */
import type { FastifyRequest } from 'fastify';
import type { OcpiVersion } from '../domain/ocpi/model.ts';
import type { Authenticated } from '../domain/ocpi/partners.ts';
import { credentialsJson, CredentialsFormatError, parseCredentials } from './credentials-format.ts';
import { OcpiError, invalidField, ok } from './status.ts';
import { ocpiContext, type OcpiModule } from './types.ts';

const CONFIG = { ocpiTokenA: true, ocpiConfigModule: true };

function authenticated(request: FastifyRequest): Authenticated {
  const ctx = ocpiContext(request);
  return { partner: ctx.partner, slot: ctx.tokenSlot, token: ctx.token };
}

function body(request: FastifyRequest, version: OcpiVersion) {
  try {
    return parseCredentials(request.body, version);
  } catch (error) {
    if (error instanceof CredentialsFormatError) throw invalidField(error.field, error.message.slice(error.field.length + 1));
    throw error;
  }
}

export const credentialsModule: OcpiModule = {
  identifier: 'credentials',
  // The role of credentials means nothing; the d2 errata advises SENDER.
  role: 'SENDER',
  versions: ['2.2.1', '2.1.1'],
  register(app, version, env) {
    const service = env.partnerService;

    // With Token A too: the token in the answer is always the one the caller used.
    app.get('/', { config: CONFIG }, async (request) => {
      const auth = authenticated(request);
      return ok(credentialsJson(service.currentCredentials(auth, version), version));
    });

    app.post('/', { config: CONFIG }, async (request) => {
      const auth = authenticated(request);
      if (auth.slot !== 'A') throw new OcpiError('method_not_allowed', 'already registered: use PUT to update credentials');
      const ours = await service.acceptRegistration(auth, version, body(request, version));
      env.logger.info({ partnerId: auth.partner.id, version }, 'OCPI partner registered with us');
      return ok(credentialsJson(ours, version));
    });

    app.put('/', { config: CONFIG }, async (request) => {
      const auth = authenticated(request);
      if (auth.slot === 'A') throw new OcpiError('method_not_allowed', 'not registered: use POST to register');
      const ours = await service.acceptUpdate(auth, version, body(request, version));
      env.logger.info({ partnerId: auth.partner.id, version }, 'OCPI partner updated its credentials');
      return ok(credentialsJson(ours, version));
    });

    app.delete('/', { config: CONFIG }, async (request) => {
      const auth = authenticated(request);
      if (auth.slot === 'A') throw new OcpiError('method_not_allowed', 'not registered');
      await service.acceptUnregister(auth);
      env.logger.info({ partnerId: auth.partner.id }, 'OCPI partner unregistered');
      return ok();
    });
  },
};
