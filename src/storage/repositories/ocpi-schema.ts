/** Kysely types of the OCPI tables (migration 003_ocpi); repositories view the database through them. */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { JsonValue } from '../../domain/model.ts';
import type { Executor } from './convert.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<JsonValue, string, string>;
type DefaultJson = ColumnType<JsonValue, string | undefined, string>;

export interface OcpiPartnersTable {
  id: Generated<string>;
  name: string;
  status: Generated<string>;
  version: string | null;
  versions_url: string | null;
  endpoints: DefaultJson;
  roles: DefaultJson;
  token_encoding: Generated<string>;
  allow_plain_http: Generated<boolean>;
  required_endpoints: DefaultJson;
  our_country_code: string | null;
  our_party_id: string | null;
  initiated_by: string | null;
  token_a_hash: string | null;
  token_hash: string | null;
  previous_token_hash: string | null;
  pending_token_hash: string | null;
  outbound_token: string | null;
  last_sync_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface OcpiOutboxTable {
  id: Generated<number>;
  partner_id: string;
  module: string;
  method: string;
  path: string;
  body: Json | null;
  from_country_code: string | null;
  from_party_id: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: DefaultTimestamp;
  last_error: string | null;
  created_at: DefaultTimestamp;
  delivered_at: Timestamp | null;
  response_location: string | null;
}

export interface OcpiTables {
  ocpi_partners: OcpiPartnersTable;
  ocpi_outbox: OcpiOutboxTable;
}

/** The same connection, typed with the OCPI tables only. */
export function ocpiDb(db: Executor): Kysely<OcpiTables> {
  return db as unknown as Kysely<OcpiTables>;
}
