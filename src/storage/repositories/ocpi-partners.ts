/**
 * OCPI partners (ports: src/domain/ocpi/ports.ts). Tokens partners present are looked up by SHA-256 hash; the
 * token we present to a partner is encrypted when a key is configured (ocpi-secrets.ts).
 */
import { sql, type Selectable, type Updateable } from 'kysely';
import type { OcpiVersion, Partner, PartnerEndpoint, PartnerStatus, PartyRole, TokenEncoding, TokenSlot } from '../../domain/ocpi/model.ts';
import type { OcpiPartnerRepository, PartnerPatch } from '../../domain/ocpi/ports.ts';
import { toJson, type Executor } from './convert.ts';
import { ocpiDb, type OcpiPartnersTable } from './ocpi-schema.ts';
import { tokenSealer, type TokenSealer } from './ocpi-secrets.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toPartner(row: Selectable<OcpiPartnersTable>): Partner {
  return {
    id: row.id,
    name: row.name,
    status: row.status as PartnerStatus,
    version: row.version as OcpiVersion | null,
    versionsUrl: row.versions_url,
    endpoints: row.endpoints as unknown as PartnerEndpoint[],
    roles: row.roles as unknown as PartyRole[],
    tokenEncoding: row.token_encoding as TokenEncoding,
    allowPlainHttp: row.allow_plain_http,
    requiredEndpoints: row.required_endpoints as unknown as string[],
    ourParty: row.our_country_code && row.our_party_id ? { countryCode: row.our_country_code, partyId: row.our_party_id } : null,
    initiatedBy: row.initiated_by as 'us' | 'them' | null,
    lastSyncAt: row.last_sync_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(patch: PartnerPatch, sealer: TokenSealer): Updateable<OcpiPartnersTable> {
  const row: Updateable<OcpiPartnersTable> = {};
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.status !== undefined) row.status = patch.status;
  if (patch.version !== undefined) row.version = patch.version;
  if (patch.versionsUrl !== undefined) row.versions_url = patch.versionsUrl;
  if (patch.endpoints !== undefined) row.endpoints = toJson(patch.endpoints as never);
  if (patch.roles !== undefined) row.roles = toJson(patch.roles as never);
  if (patch.tokenEncoding !== undefined) row.token_encoding = patch.tokenEncoding;
  if (patch.allowPlainHttp !== undefined) row.allow_plain_http = patch.allowPlainHttp;
  if (patch.requiredEndpoints !== undefined) row.required_endpoints = toJson(patch.requiredEndpoints);
  if (patch.ourParty !== undefined) {
    row.our_country_code = patch.ourParty?.countryCode ?? null;
    row.our_party_id = patch.ourParty?.partyId ?? null;
  }
  if (patch.initiatedBy !== undefined) row.initiated_by = patch.initiatedBy;
  if (patch.lastSyncAt !== undefined) row.last_sync_at = patch.lastSyncAt;
  if (patch.tokenAHash !== undefined) row.token_a_hash = patch.tokenAHash;
  if (patch.tokenHash !== undefined) row.token_hash = patch.tokenHash;
  if (patch.previousTokenHash !== undefined) row.previous_token_hash = patch.previousTokenHash;
  if (patch.pendingTokenHash !== undefined) row.pending_token_hash = patch.pendingTokenHash;
  if (patch.outboundToken !== undefined) row.outbound_token = patch.outboundToken === null ? null : sealer.seal(patch.outboundToken);
  return row;
}

export interface OcpiPartnerRepositoryOptions {
  /** Secret that encrypts the tokens we send partners (`ocpi.tokenKey`); none: stored as given. */
  tokenKey?: string | null;
}

export function createOcpiPartnerRepository(executor: Executor, options: OcpiPartnerRepositoryOptions = {}): OcpiPartnerRepository {
  const db = ocpiDb(executor);
  const sealer = tokenSealer(options.tokenKey);
  return {
    async create(partner) {
      const row = await db
        .insertInto('ocpi_partners')
        .values({
          name: partner.name,
          status: partner.status ?? 'PENDING',
          token_encoding: partner.tokenEncoding,
          allow_plain_http: partner.allowPlainHttp,
          required_endpoints: toJson(partner.requiredEndpoints),
          our_country_code: partner.ourParty?.countryCode ?? null,
          our_party_id: partner.ourParty?.partyId ?? null,
          versions_url: partner.versionsUrl ?? null,
          token_a_hash: partner.tokenAHash ?? null,
          initiated_by: partner.initiatedBy ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toPartner(row);
    },

    async get(id) {
      if (!UUID.test(id)) return undefined;
      const row = await db.selectFrom('ocpi_partners').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPartner(row);
    },

    async list() {
      return (await db.selectFrom('ocpi_partners').selectAll().orderBy('created_at').orderBy('id').execute()).map(toPartner);
    },

    async findByTokenHash(hash) {
      const row = await db
        .selectFrom('ocpi_partners')
        .selectAll()
        .where((eb) => eb.or([eb('token_a_hash', '=', hash), eb('token_hash', '=', hash), eb('previous_token_hash', '=', hash), eb('pending_token_hash', '=', hash)]))
        .executeTakeFirst();
      if (!row) return undefined;
      const slot: TokenSlot = row.token_a_hash === hash ? 'A' : row.token_hash === hash ? 'current' : row.previous_token_hash === hash ? 'previous' : 'pending';
      return { partner: toPartner(row), slot, hasPrevious: row.previous_token_hash !== null };
    },

    async update(id, patch) {
      if (!UUID.test(id)) return undefined;
      const row = await db
        .updateTable('ocpi_partners')
        .set({ ...toRow(patch, sealer), updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toPartner(row);
    },

    async promoteToken(id, tokenHash, patch = {}) {
      if (!UUID.test(id)) return undefined;
      const row = await db
        .updateTable('ocpi_partners')
        .set((eb) => ({
          ...toRow(patch, sealer),
          previous_token_hash: eb.ref('token_hash'),
          token_hash: tokenHash,
          pending_token_hash: null,
          updated_at: sql<Date>`now()`,
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toPartner(row);
    },

    async outboundToken(id) {
      if (!UUID.test(id)) return undefined;
      const row = await db.selectFrom('ocpi_partners').select('outbound_token').where('id', '=', id).executeTakeFirst();
      return row?.outbound_token ? sealer.open(row.outbound_token) : undefined;
    },

    async delete(id) {
      if (!UUID.test(id)) return false;
      const result = await db.deleteFrom('ocpi_partners').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
