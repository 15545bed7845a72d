/**
 * Credentials objects on the wire: 2.2.1 `{ token, url, roles: CredentialsRole[] }`, 2.1.1 flat
 * `{ token, url, business_details, party_id, country_code }`. Parsing checks every field and names the bad one.
 */
import type { BusinessDetails, OcpiVersion, PartyRole, PartyRoleName } from '../domain/ocpi/model.ts';
import type { PeerCredentials } from '../domain/ocpi/ports.ts';
import type { JsonObject, JsonValue } from '../domain/model.ts';
import { isJsonObject } from '../shared/json.ts';

const ROLES: readonly PartyRoleName[] = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'];

/** A credentials object that could not be read: `field` names what is wrong (→ 2001). */
export class CredentialsFormatError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'CredentialsFormatError';
  }
}

function text(source: Record<string, unknown>, field: string, where: string, max: number): string {
  const value = source[field];
  if (typeof value !== 'string' || value.length === 0) throw new CredentialsFormatError(`${where}${field}`, 'is required (a non-empty string)');
  if (value.length > max) throw new CredentialsFormatError(`${where}${field}`, `is longer than ${max} characters`);
  return value;
}

function ciString(source: Record<string, unknown>, field: string, where: string, length: number): string {
  const value = text(source, field, where, length);
  if (value.length !== length || !/^[\x20-\x7e]+$/.test(value)) throw new CredentialsFormatError(`${where}${field}`, `must be ${length} printable ASCII characters`);
  return value.toUpperCase();
}

function businessDetails(value: unknown, where: string): BusinessDetails {
  if (!isJsonObject(value)) throw new CredentialsFormatError(where, 'is required (an object with name)');
  const details: BusinessDetails = { name: text(value, 'name', `${where}.`, 100) };
  if (value.website !== undefined && value.website !== null) {
    if (typeof value.website !== 'string') throw new CredentialsFormatError(`${where}.website`, 'must be a string');
    details.website = value.website;
  }
  if (isJsonObject(value.logo)) details.logo = value.logo;
  return details;
}

/** Reads a partner's credentials object (POST/PUT body or the data of their answer). */
export function parseCredentials(value: unknown, version: OcpiVersion): PeerCredentials {
  if (!isJsonObject(value)) throw new CredentialsFormatError('credentials', 'must be a JSON object');
  const token = text(value, 'token', '', 64);
  if (!/^[\x21-\x7e]+$/.test(token)) throw new CredentialsFormatError('token', 'must be printable non-space ASCII');
  const url = text(value, 'url', '', 255);
  if (!URL.canParse(url)) throw new CredentialsFormatError('url', 'is not a URL');
  if (version === '2.1.1') {
    const role: PartyRole = {
      role: 'EMSP',
      countryCode: ciString(value, 'country_code', '', 2),
      partyId: ciString(value, 'party_id', '', 3),
      businessDetails: businessDetails(value.business_details, 'business_details'),
    };
    return { token, url, roles: [role] };
  }
  if (!Array.isArray(value.roles) || value.roles.length === 0) throw new CredentialsFormatError('roles', 'is required (a non-empty array)');
  const roles = value.roles.map((entry: unknown, i: number): PartyRole => {
    const where = `roles[${i}].`;
    if (!isJsonObject(entry)) throw new CredentialsFormatError(`roles[${i}]`, 'must be an object');
    const role = entry.role;
    if (typeof role !== 'string' || !ROLES.includes(role as PartyRoleName)) throw new CredentialsFormatError(`${where}role`, `must be one of ${ROLES.join(', ')}`);
    return {
      role: role as PartyRoleName,
      countryCode: ciString(entry, 'country_code', where, 2),
      partyId: ciString(entry, 'party_id', where, 3),
      businessDetails: businessDetails(entry.business_details, `${where}business_details`),
    };
  });
  const keys = new Set(roles.map((r) => `${r.role}/${r.countryCode}/${r.partyId}`));
  if (keys.size !== roles.length) throw new CredentialsFormatError('roles', 'must not repeat a (role, country_code, party_id)');
  return { token, url, roles };
}

function detailsJson(details: BusinessDetails): JsonObject {
  return { name: details.name, ...(details.website ? { website: details.website } : {}), ...(details.logo ? { logo: details.logo } : {}) };
}

/** Our credentials as the partner's version expects them (2.1.1: the first role, flat). */
export function credentialsJson(credentials: PeerCredentials, version: OcpiVersion): JsonObject {
  if (version === '2.1.1') {
    const first = credentials.roles[0];
    if (!first) throw new Error('credentials need at least one role');
    return {
      token: credentials.token,
      url: credentials.url,
      business_details: detailsJson(first.businessDetails),
      party_id: first.partyId,
      country_code: first.countryCode,
    };
  }
  const roles: JsonValue[] = credentials.roles.map((r) => ({
    role: r.role,
    business_details: detailsJson(r.businessDetails),
    party_id: r.partyId,
    country_code: r.countryCode,
  }));
  return { token: credentials.token, url: credentials.url, roles };
}
