/**
 * Locations, their EVSEs and connectors, and tariffs (the OCPI CPO catalogue). The descriptive fields the CSMS
 * never queries by live in a `details` JSONB column; keys, owner party, the time zone and timestamps are columns.
 * An EVSE is one EVSE of a station (unique per station), moved between locations only while removed.
 * Lists page by (created_at, id) and filter by party and last_updated, hence the indexes.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  sql`create table locations (
    id text primary key,
    country_code text not null,
    party_id text not null,
    time_zone text not null,
    details jsonb not null,
    created_at timestamptz not null default now(),
    last_updated timestamptz not null
  )`,
  sql`create index locations_party_idx on locations (country_code, party_id, created_at, id)`,
  sql`create index locations_last_updated_idx on locations (last_updated)`,

  sql`create table location_evses (
    uid text primary key,
    location_id text not null references locations on delete restrict,
    station_id text not null references stations on delete cascade,
    evse_id integer not null,
    evse_code text,
    removed boolean not null default false,
    details jsonb not null,
    created_at timestamptz not null default now(),
    last_updated timestamptz not null,
    unique (station_id, evse_id)
  )`,
  sql`create index location_evses_location_idx on location_evses (location_id)`,

  sql`create table location_connectors (
    station_id text not null,
    evse_id integer not null,
    connector_id integer not null,
    standard text not null,
    format text not null,
    power_type text not null,
    max_voltage integer not null,
    max_amperage integer not null,
    max_electric_power integer,
    tariff_ids jsonb not null default '[]',
    terms_and_conditions text,
    last_updated timestamptz not null,
    primary key (station_id, evse_id, connector_id),
    foreign key (station_id, evse_id) references location_evses (station_id, evse_id) on delete cascade
  )`,

  sql`create table tariffs (
    id text primary key,
    country_code text not null,
    party_id text not null,
    currency text not null,
    details jsonb not null,
    created_at timestamptz not null default now(),
    last_updated timestamptz not null
  )`,
  sql`create index tariffs_party_idx on tariffs (country_code, party_id, created_at, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['tariffs', 'location_connectors', 'location_evses', 'locations']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
