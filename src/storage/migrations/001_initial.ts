/**
 * The whole domain schema. Tables are created unqualified, in the schema search_path points at (db.ts).
 * Energy and meter readings are NUMERIC: exact decimals, so sums and differences in SQL never drift.
 * Indexes exist only for a lookup a repository makes or a foreign key's cascade needs.
 * transaction_events and meter_values, the two tables that grow with every message, have no foreign keys: the
 * checks cost about a fifth of the database time of a transaction event, and their only writers take the keys
 * from the row they just found or created. StationRepository.delete removes their rows explicitly.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  sql`create table stations (
    id text primary key,
    vendor text,
    model text,
    serial_number text,
    firmware_version text,
    ocpp_version text,
    security_profile smallint not null default 1 check (security_profile between 0 and 3),
    password_hash text,
    registration_status text not null default 'Pending' check (registration_status in ('Accepted', 'Pending', 'Rejected')),
    allowed_versions text[] not null default '{}',
    fallback_version text,
    strictness text check (strictness in ('strict', 'lenient')),
    last_seen_at timestamptz,
    connected boolean not null default false,
    node_id text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  // disconnectAll(nodeId) at start.
  sql`create index stations_connected_node_idx on stations (node_id) where connected`,

  sql`create table evses (
    station_id text not null references stations on delete cascade,
    evse_id integer not null,
    availability text not null default 'Operative',
    updated_at timestamptz not null default now(),
    primary key (station_id, evse_id)
  )`,
  sql`create table connectors (
    station_id text not null references stations on delete cascade,
    evse_id integer not null,
    connector_id integer not null,
    status text not null,
    ocpp_status text,
    error_code text,
    updated_at timestamptz not null,
    primary key (station_id, evse_id, connector_id)
  )`,

  sql`create table id_tokens (
    id bigserial primary key,
    id_token text not null,
    type text not null,
    status text not null,
    expiry timestamptz,
    group_id text,
    source text not null default 'local',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (id_token, type)
  )`,

  sql`create table transactions (
    id bigserial primary key,
    station_id text not null references stations on delete cascade,
    transaction_id text not null,
    evse_id integer,
    connector_id integer,
    id_token text,
    id_token_type text,
    started_at timestamptz,
    stopped_at timestamptz,
    meter_start_wh numeric,
    meter_start_at timestamptz,
    meter_stop_wh numeric,
    meter_stop_at timestamptz,
    energy_wh numeric generated always as (meter_stop_wh - meter_start_wh) stored,
    stop_reason text,
    state text not null default 'active' check (state in ('active', 'completed')),
    charging_state text,
    remote_start_id integer,
    last_seq_no bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (station_id, transaction_id)
  )`,
  sql`create index transactions_active_idx on transactions (station_id) where state = 'active'`,
  // 1.6 transactionIds are int32 on many stations.
  sql`create sequence legacy_transaction_id_seq as integer minvalue 1 maxvalue 2147483647`,

  sql`create table transaction_events (
    transaction_pk bigint not null,
    seq_no bigint not null,
    event_type text not null check (event_type in ('Started', 'Updated', 'Ended')),
    trigger_reason text,
    timestamp timestamptz not null,
    offline boolean not null default false,
    payload jsonb not null,
    received_at timestamptz not null default now(),
    primary key (transaction_pk, seq_no)
  )`,

  sql`create table meter_values (
    id bigserial primary key,
    transaction_pk bigint,
    station_id text not null,
    evse_id integer,
    timestamp timestamptz not null,
    measurand text not null default 'Energy.Active.Import.Register',
    phase text,
    unit text,
    context text,
    location text,
    value numeric not null,
    signed jsonb
  )`,
  sql`create index meter_values_transaction_idx on meter_values (transaction_pk, timestamp) where transaction_pk is not null`,
  sql`create index meter_values_station_idx on meter_values (station_id, timestamp)`,

  sql`create table device_model_variables (
    station_id text not null references stations on delete cascade,
    component text not null,
    component_instance text not null default '',
    evse_id integer not null default 0,
    connector_id integer not null default 0,
    variable text not null,
    variable_instance text not null default '',
    attribute_type text not null default 'Actual',
    value text,
    mutability text,
    data jsonb,
    updated_at timestamptz not null default now(),
    primary key (station_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type)
  )`,

  sql`create table reservations (
    id integer generated by default as identity primary key,
    station_id text not null references stations on delete cascade,
    evse_id integer,
    connector_type text,
    id_token text not null,
    id_token_type text,
    group_id text,
    expiry timestamptz not null,
    status text not null default 'Pending',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index reservations_station_idx on reservations (station_id)`,
  sql`create index reservations_open_expiry_idx on reservations (expiry) where status in ('Pending', 'Accepted')`,

  sql`create table charging_profiles (
    station_id text not null references stations on delete cascade,
    profile_id integer not null,
    evse_id integer not null default 0,
    stack_level integer not null,
    purpose text not null,
    kind text not null,
    transaction_id text,
    valid_from timestamptz,
    valid_to timestamptz,
    profile jsonb not null,
    status text not null default 'Pending',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (station_id, profile_id)
  )`,

  // No foreign key: frames of unknown or deleted stations are logged too.
  sql`create table message_log (
    id bigserial primary key,
    station_id text not null,
    direction text not null check (direction in ('in', 'out')),
    message_type smallint not null,
    message_id text not null,
    action text,
    payload jsonb not null,
    created_at timestamptz not null default now()
  )`,
  sql`create index message_log_station_idx on message_log (station_id, created_at)`,
  sql`create index message_log_action_idx on message_log (action)`,
  // Retention pruning deletes by time; BRIN is tiny and nearly free to maintain on an append-only table.
  sql`create index message_log_created_brin on message_log using brin (created_at)`,

  sql`create table api_keys (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    hash text not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz
  )`,

  sql`create table command_jobs (
    id uuid primary key default gen_random_uuid(),
    station_id text not null references stations on delete cascade,
    action text not null,
    request jsonb not null,
    status text not null default 'pending',
    response jsonb,
    error jsonb,
    webhook_url text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index command_jobs_station_idx on command_jobs (station_id, created_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['command_jobs', 'api_keys', 'message_log', 'charging_profiles', 'reservations', 'device_model_variables', 'meter_values', 'transaction_events', 'transactions', 'id_tokens', 'connectors', 'evses', 'stations']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop sequence if exists legacy_transaction_id_seq`.execute(db);
}
