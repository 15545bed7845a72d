/**
 * Tokens, CPO = Receiver (mod_tokens), 2.2.1 and 2.1.1: GET, PUT and PATCH on
 * `{tokens}/{country_code}/{party_id}/{token_uid}[?type=RFID]`. The eMSP's tokens are stored as given and authorize
 * OCPP stations (whitelist rules in domain/roaming/authorization.ts). Rules: the URL's party must be one the caller
 * speaks for (else 404, as for an object that is not theirs); a body whose uid/party differs from the URL is 2001;
 * PUT answers 201 when it created the token; a PATCH needs last_updated (2.2.1) and an existing token (404).
 * Also starts the real-time authorization at eMSPs (tokens-remote.ts) for the domain.
 */
import type { FastifyRequest } from 'fastify';
import { AlreadyExistsError } from '../../domain/errors.ts';
import type { OcpiVersion } from '../../domain/ocpi/model.ts';
import type { Roaming } from '../../domain/roaming/index.ts';
import type { Party, TokenObject, TokenType } from '../../domain/roaming/model.ts';
import { OcpiError, invalidField, ok } from '../status.ts';
import { ocpiContext, type OcpiModule } from '../types.ts';
import { speaksFor } from './sessions-partners.ts';
import { TOKEN_TYPE_QUERY, tokenFromJson, tokenPatchSchema, tokenSchema, tokenToJson } from './tokens-format.ts';
import { OcpiRemoteAuthorizer } from './tokens-remote.ts';

interface Params {
  country_code: string;
  party_id: string;
  token_uid: string;
}

const PARAMS = {
  type: 'object',
  properties: {
    country_code: { type: 'string', pattern: '^[A-Za-z]{2}$' },
    party_id: { type: 'string', pattern: '^[A-Za-z0-9]{3}$' },
    token_uid: { type: 'string', minLength: 1, maxLength: 36 },
  },
} as const;

type TokenRequest = FastifyRequest<{ Params: Params; Querystring: { type?: TokenType }; Body: Record<string, unknown> }>;

/** The owner in the URL, which the calling partner must speak for. */
function owner(request: TokenRequest): Party {
  const party = { countryCode: request.params.country_code.toUpperCase(), partyId: request.params.party_id.toUpperCase() };
  if (!speaksFor(ocpiContext(request).partner, party)) throw new OcpiError('not_found', `party ${party.countryCode}/${party.partyId} is not one of yours`);
  return party;
}

function typeOf(request: TokenRequest): TokenType {
  return request.query.type ?? 'RFID';
}

/** The URL names the object: the body must agree (mod_tokens, transport_and_format "client owned objects"). */
function checkSameObject(token: TokenObject, party: Party, uid: string, type: TokenType, version: OcpiVersion): void {
  if (token.uid !== uid) throw invalidField('uid', `(${token.uid}) differs from the URL (${uid})`);
  if (version === '2.2.1' && (token.country_code !== party.countryCode || token.party_id !== party.partyId)) throw invalidField('country_code/party_id', 'differ from the URL');
  if (token.type !== type && !(version === '2.1.1' && type === 'RFID')) throw invalidField('type', `(${token.type}) differs from the URL's type (${type})`);
}

export function createTokensModule(deps: { roaming: Roaming }): OcpiModule {
  let remoteStarted = false;
  return {
    identifier: 'tokens',
    role: 'RECEIVER',
    versions: ['2.2.1', '2.1.1'],
    register(app, version, env) {
      if (!remoteStarted) {
        remoteStarted = true;
        const remote = new OcpiRemoteAuthorizer(env);
        deps.roaming.authorization.setRemote(remote);
        deps.roaming.pullTokens = (partnerId, since) => remote.pull(partnerId, deps.roaming.tokens, since);
      }
      const tokens = deps.roaming.tokens;

      app.get<{ Params: Params; Querystring: { type?: TokenType } }>('/:country_code/:party_id/:token_uid', { schema: { params: PARAMS, querystring: TOKEN_TYPE_QUERY } }, async (request) => {
        const party = owner(request as TokenRequest);
        const found = await find(party, request.params.token_uid, typeOf(request as TokenRequest));
        if (!found) throw new OcpiError('not_found', `unknown token ${request.params.token_uid}`);
        return ok(tokenToJson(found.token, version));
      });

      app.put<{ Params: Params; Querystring: { type?: TokenType }; Body: Record<string, unknown> }>(
        '/:country_code/:party_id/:token_uid',
        { schema: { params: PARAMS, querystring: TOKEN_TYPE_QUERY, body: tokenSchema(version) } },
        async (request, reply) => {
          const party = owner(request);
          const token = tokenFromJson(request.body, version, party);
          checkSameObject(token, party, request.params.token_uid, typeOf(request), version);
          const { created } = await store(token);
          if (created) void reply.code(201);
          return ok();
        },
      );

      app.patch<{ Params: Params; Querystring: { type?: TokenType }; Body: Record<string, unknown> }>(
        '/:country_code/:party_id/:token_uid',
        { schema: { params: PARAMS, querystring: TOKEN_TYPE_QUERY, body: tokenPatchSchema(version) } },
        async (request) => {
          const party = owner(request);
          const type = typeOf(request);
          const found = await find(party, request.params.token_uid, type);
          if (!found) throw new OcpiError('not_found', `unknown token ${request.params.token_uid}: PUT it first`);
          const merged = { ...tokenToJson(found.token, version), ...request.body, ...(version === '2.1.1' && request.body.last_updated === undefined ? { last_updated: new Date().toISOString() } : {}) };
          const token = tokenFromJson(merged, version, party);
          checkSameObject(token, party, request.params.token_uid, version === '2.1.1' ? token.type : type, version);
          await store(token);
          return ok();
        },
      );

      /** 2.1.1 URLs carry no type: the uid alone names the token. */
      async function find(party: Party, uid: string, type: TokenType) {
        if (version === '2.2.1') return tokens.get(party, uid, type);
        return (await tokens.get(party, uid, 'RFID')) ?? (await tokens.get(party, uid, 'OTHER'));
      }

      async function store(token: TokenObject): Promise<{ created: boolean }> {
        try {
          return await tokens.put(token);
        } catch (error) {
          // The uid is a local token or another party's: refuse rather than take it over.
          if (error instanceof AlreadyExistsError) throw new OcpiError('client_error', `token ${token.uid} cannot be stored: its id is already used by another owner`);
          throw error;
        }
      }
    },
  };
}
