/**
 * Token JSON (mod_tokens) of both versions ⇄ the 2.2.1 object the domain keeps. 2.1.1 tokens have no owner fields
 * (the URL's country_code/party_id are used), `auth_id` instead of `contract_id`, and only RFID and OTHER types.
 */
import type { OcpiVersion } from '../../domain/ocpi/model.ts';
import type { AllowedType, Party, TokenObject, TokenType } from '../../domain/roaming/model.ts';
import { invalidField } from '../status.ts';

const CI_STRING = '^[\\x20-\\x7E]*$';
const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$';

const common = {
  uid: { type: 'string', minLength: 1, maxLength: 36, pattern: CI_STRING },
  visual_number: { type: 'string', maxLength: 64 },
  issuer: { type: 'string', maxLength: 64 },
  valid: { type: 'boolean' },
  whitelist: { enum: ['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] },
  language: { type: 'string', minLength: 2, maxLength: 2 },
  last_updated: { type: 'string', pattern: DATE_TIME },
} as const;

/** The Token of a PUT (all required fields). */
export function tokenSchema(version: OcpiVersion): object {
  if (version === '2.1.1') {
    return {
      type: 'object',
      required: ['uid', 'type', 'auth_id', 'issuer', 'valid', 'whitelist', 'last_updated'],
      properties: { ...common, type: { enum: ['RFID', 'OTHER'] }, auth_id: { type: 'string', minLength: 1, maxLength: 36 } },
    };
  }
  return {
    type: 'object',
    required: ['country_code', 'party_id', 'uid', 'type', 'contract_id', 'issuer', 'valid', 'whitelist', 'last_updated'],
    properties: {
      ...common,
      country_code: { type: 'string', minLength: 2, maxLength: 2, pattern: '^[A-Za-z]{2}$' },
      party_id: { type: 'string', minLength: 3, maxLength: 3, pattern: '^[A-Za-z0-9]{3}$' },
      type: { enum: ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'] },
      contract_id: { type: 'string', minLength: 1, maxLength: 36 },
      group_id: { type: 'string', maxLength: 36 },
      default_profile_type: { enum: ['CHEAP', 'FAST', 'GREEN', 'REGULAR'] },
      energy_contract: { type: 'object', required: ['supplier_name'], properties: { supplier_name: { type: 'string', maxLength: 64 }, contract_id: { type: 'string', maxLength: 64 } } },
    },
  };
}

/** The same schema with nothing required (PATCH bodies; 2.2.1 still needs last_updated). */
export function tokenPatchSchema(version: OcpiVersion): object {
  const full = tokenSchema(version) as { properties: object };
  return { type: 'object', properties: full.properties, ...(version === '2.2.1' ? { required: ['last_updated'] } : {}) };
}

export const TOKEN_TYPE_QUERY = { type: 'object', properties: { type: { enum: ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'] } } } as const;

/** Normalised time: RFC 3339 UTC with Z. */
function utc(value: string, field: string): string {
  const date = new Date(/(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw invalidField(field, 'is not a valid date-time');
  return date.toISOString().replace('.000Z', 'Z');
}

/** A received Token as the domain's 2.2.1 object; `owner` is the party of the URL (2.1.1 bodies have none). */
export function tokenFromJson(body: Record<string, unknown>, version: OcpiVersion, owner: Party): TokenObject {
  const optional = (key: string): Record<string, unknown> => (body[key] === undefined ? {} : { [key]: body[key] });
  if (version === '2.1.1') {
    return {
      country_code: owner.countryCode.toUpperCase(),
      party_id: owner.partyId.toUpperCase(),
      uid: body.uid as string,
      type: body.type as TokenType,
      contract_id: body.auth_id as string,
      issuer: body.issuer as string,
      valid: body.valid as boolean,
      whitelist: body.whitelist as TokenObject['whitelist'],
      ...optional('visual_number'),
      ...optional('language'),
      last_updated: utc(body.last_updated as string, 'last_updated'),
    };
  }
  return {
    ...(body as unknown as TokenObject),
    country_code: (body.country_code as string).toUpperCase(),
    party_id: (body.party_id as string).toUpperCase(),
    last_updated: utc(body.last_updated as string, 'last_updated'),
  };
}

/** The stored token as the partner's version writes it. */
export function tokenToJson(token: TokenObject, version: OcpiVersion): Record<string, unknown> {
  if (version === '2.2.1') return { ...token };
  const { country_code: _cc, party_id: _pid, contract_id, group_id: _group, default_profile_type: _profile, energy_contract: _energy, type, ...rest } = token;
  return { ...rest, type: type === 'RFID' ? 'RFID' : 'OTHER', auth_id: contract_id };
}

/** An AuthorizationInfo answer of either version, or undefined when it is not one. */
export function authorizationInfoFrom(data: unknown, version: OcpiVersion | null): { allowed: AllowedType; token?: Record<string, unknown>; authorizationReference?: string } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const info = data as Record<string, unknown>;
  const allowed = info.allowed;
  if (allowed !== 'ALLOWED' && allowed !== 'BLOCKED' && allowed !== 'EXPIRED' && allowed !== 'NO_CREDIT' && allowed !== 'NOT_ALLOWED') return undefined;
  return {
    allowed,
    ...(version !== '2.1.1' && typeof info.token === 'object' && info.token !== null ? { token: info.token as Record<string, unknown> } : {}),
    ...(typeof info.authorization_reference === 'string' ? { authorizationReference: info.authorization_reference } : {}),
  };
}
