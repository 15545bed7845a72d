/**
 * Roaming (OCPI CPO side) on top of the CSMS tables:
 * - roaming_tokens: what a partner eMSP says about one of its tokens, beside the id_tokens row that the
 *   authorization of stations reads (source 'ocpi:<CC>-<PID>'); removed with it;
 * - roaming_authorizations: answers of real-time authorizations at the eMSP (authorization_reference, token);
 * - roaming_commands: commands received from partners, until their result has been posted back;
 * - roaming_reservations: a partner's reservation_id → the reservation id sent to the station (unique per partner);
 * - roaming_sessions: the session view of a transaction that concerns a partner (or a remote start not yet begun);
 * - roaming_cdrs: issued CDRs, never updated (corrections are credit CDRs);
 * - roaming_client_infos: what a Hub partner says about the parties behind it (HubClientInfo).
 * Parties are stored upper case (CiString comparisons stay plain equality).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  sql`create table roaming_tokens (
    id_token_pk bigint primary key references id_tokens on delete cascade,
    country_code text not null,
    party_id text not null,
    uid text not null,
    token_type text not null,
    contract_id text not null,
    whitelist text not null check (whitelist in ('ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER')),
    valid boolean not null,
    object jsonb not null,
    last_updated timestamptz not null,
    unique (country_code, party_id, uid, token_type)
  )`,

  sql`create table roaming_authorizations (
    id bigserial primary key,
    country_code text not null,
    party_id text not null,
    uid text not null,
    token_type text not null,
    allowed text not null,
    authorization_reference text,
    token jsonb not null,
    created_at timestamptz not null default now()
  )`,
  sql`create index roaming_authorizations_uid_idx on roaming_authorizations (uid, created_at)`,

  sql`create table roaming_commands (
    id text primary key,
    country_code text not null,
    party_id text not null,
    command text not null,
    response_url text not null,
    request jsonb not null,
    station_id text,
    evse_id integer,
    connector_id integer,
    token_uid text,
    remote_start_id integer,
    session_id text,
    result text,
    result_sent boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index roaming_commands_token_idx on roaming_commands (token_uid, created_at)`,
  sql`create index roaming_commands_open_idx on roaming_commands (station_id) where result is null`,

  sql`create table roaming_reservations (
    country_code text not null,
    party_id text not null,
    reservation_id text not null,
    ocpp_reservation_id integer not null unique references reservations on delete cascade,
    response_url text not null,
    primary key (country_code, party_id, reservation_id)
  )`,

  sql`create table roaming_sessions (
    id text primary key,
    seq bigserial not null unique,
    transaction_pk bigint unique references transactions on delete set null,
    country_code text not null,
    party_id text not null,
    station_id text not null,
    evse_id integer,
    connector_id integer,
    remote_start_id integer,
    token_uid text not null,
    status text not null check (status in ('PENDING', 'ACTIVE', 'COMPLETED', 'INVALID', 'RESERVATION')),
    pending_until timestamptz,
    object jsonb not null,
    last_updated timestamptz not null
  )`,
  sql`create index roaming_sessions_party_idx on roaming_sessions (country_code, party_id, last_updated)`,
  sql`create index roaming_sessions_pending_idx on roaming_sessions (pending_until) where status = 'PENDING'`,

  sql`create table roaming_cdrs (
    id text primary key,
    seq bigserial not null unique,
    session_id text references roaming_sessions on delete set null,
    country_code text not null,
    party_id text not null,
    credit boolean not null default false,
    credit_reference_id text references roaming_cdrs,
    object jsonb not null,
    last_updated timestamptz not null
  )`,
  // One original CDR per session; corrections come as credit + new CDR.
  sql`create index roaming_cdrs_party_idx on roaming_cdrs (country_code, party_id, last_updated)`,
  sql`create index roaming_cdrs_session_idx on roaming_cdrs (session_id)`,

  sql`create table roaming_client_infos (
    country_code text not null,
    party_id text not null,
    partner_id text not null,
    role text not null,
    status text not null check (status in ('CONNECTED', 'OFFLINE', 'PLANNED', 'SUSPENDED')),
    last_updated timestamptz not null,
    primary key (country_code, party_id)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['roaming_client_infos', 'roaming_cdrs', 'roaming_sessions', 'roaming_reservations', 'roaming_commands', 'roaming_authorizations', 'roaming_tokens']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
