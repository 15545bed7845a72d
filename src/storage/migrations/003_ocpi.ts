/**
 * OCPI partners and the push outbox.
 * - ocpi_partners: one row per roaming partner. Tokens the partner presents to us are SHA-256 hex (token_a_hash
 *   while it registers; token_hash after; previous_token_hash until it uses a rotated token; pending_token_hash
 *   while a rotation we started is in flight). outbound_token is the token we present to it: kept as given
 *   because we must send it, never logged nor returned by the API.
 * - ocpi_outbox: pushes to deliver, per partner in id order (the worker only takes the oldest pending entry of a
 *   partner, so a partner that is down holds its queue rather than receiving out of order).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  sql`create table ocpi_partners (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    status text not null default 'PENDING' check (status in ('PENDING', 'REGISTERED', 'UNREGISTERED')),
    version text check (version in ('2.2.1', '2.1.1')),
    versions_url text,
    endpoints jsonb not null default '[]',
    roles jsonb not null default '[]',
    token_encoding text not null default 'both' check (token_encoding in ('base64', 'plain', 'both')),
    allow_plain_http boolean not null default false,
    required_endpoints jsonb not null default '[]',
    our_country_code text,
    our_party_id text,
    initiated_by text check (initiated_by in ('us', 'them')),
    token_a_hash text unique,
    token_hash text unique,
    previous_token_hash text unique,
    pending_token_hash text unique,
    outbound_token text,
    last_sync_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,

  sql`create table ocpi_outbox (
    id bigserial primary key,
    partner_id uuid not null references ocpi_partners on delete cascade,
    module text not null,
    method text not null check (method in ('PUT', 'PATCH', 'POST', 'DELETE')),
    path text not null,
    body jsonb,
    from_country_code text,
    from_party_id text,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    response_location text
  )`,
  // The head of each partner's queue (dueHeads) and the operator's listing per partner.
  sql`create index ocpi_outbox_pending_idx on ocpi_outbox (partner_id, id) where status = 'pending'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ocpi_outbox`.execute(db);
  await sql`drop table if exists ocpi_partners`.execute(db);
}
