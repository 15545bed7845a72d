/**
 * Kysely table types, matching the migrations. Conventions:
 * - NUMERIC columns select as strings (exact decimal text from both drivers) and accept numbers; repositories turn
 *   them into numbers.
 * - JSONB columns select as parsed JSON and are written as JSON text (pg would turn a JS array into a PostgreSQL
 *   array literal, so repositories always JSON.stringify).
 * - int8 columns select as numbers (see db.ts).
 */
import type { ColumnType, Generated } from 'kysely';
import type { JsonValue } from '../domain/model.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, number | string, number | string>;
type Json = ColumnType<JsonValue, string, string>;

export interface StationsTable {
  id: string;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  ocpp_version: string | null;
  security_profile: Generated<number>;
  password_hash: string | null;
  registration_status: Generated<string>;
  allowed_versions: Generated<string[]>;
  fallback_version: string | null;
  strictness: string | null;
  signed_messages: Generated<boolean>;
  signing_certificate: string | null;
  last_seen_at: Timestamp | null;
  connected: Generated<boolean>;
  node_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface EvsesTable {
  station_id: string;
  evse_id: number;
  availability: Generated<string>;
  updated_at: DefaultTimestamp;
}

export interface ConnectorsTable {
  station_id: string;
  evse_id: number;
  connector_id: number;
  status: string;
  ocpp_status: string | null;
  error_code: string | null;
  updated_at: Timestamp;
}

export interface IdTokensTable {
  id: Generated<number>;
  id_token: string;
  type: string;
  status: string;
  expiry: Timestamp | null;
  group_id: string | null;
  source: Generated<string>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TransactionsTable {
  id: Generated<number>;
  station_id: string;
  transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_token: string | null;
  id_token_type: string | null;
  started_at: Timestamp | null;
  stopped_at: Timestamp | null;
  meter_start_wh: Numeric | null;
  meter_start_at: Timestamp | null;
  meter_stop_wh: Numeric | null;
  meter_stop_at: Timestamp | null;
  /** Generated: meter_stop_wh − meter_start_wh. */
  energy_wh: ColumnType<string | null, never, never>;
  stop_reason: string | null;
  state: Generated<string>;
  charging_state: string | null;
  remote_start_id: number | null;
  last_seq_no: number | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TransactionEventsTable {
  transaction_pk: number;
  seq_no: number;
  event_type: string;
  trigger_reason: string | null;
  timestamp: Timestamp;
  offline: Generated<boolean>;
  payload: Json;
  received_at: DefaultTimestamp;
}

export interface MeterValuesTable {
  id: Generated<number>;
  transaction_pk: number | null;
  station_id: string;
  evse_id: number | null;
  timestamp: Timestamp;
  measurand: Generated<string>;
  phase: string | null;
  unit: string | null;
  context: string | null;
  location: string | null;
  value: Numeric;
  signed: Json | null;
}

export interface DeviceModelVariablesTable {
  station_id: string;
  component: string;
  /** '' = none (a key column cannot be NULL). */
  component_instance: Generated<string>;
  /** 0 = not EVSE-specific (2.0.1 EVSE ids start at 1). */
  evse_id: Generated<number>;
  /** 0 = not connector-specific. */
  connector_id: Generated<number>;
  variable: string;
  variable_instance: Generated<string>;
  attribute_type: Generated<string>;
  value: string | null;
  mutability: string | null;
  data: Json | null;
  updated_at: DefaultTimestamp;
}

export interface ReservationsTable {
  id: Generated<number>;
  station_id: string;
  evse_id: number | null;
  connector_type: string | null;
  id_token: string;
  id_token_type: string | null;
  group_id: string | null;
  expiry: Timestamp;
  status: Generated<string>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ChargingProfilesTable {
  station_id: string;
  profile_id: number;
  evse_id: Generated<number>;
  stack_level: number;
  purpose: string;
  kind: string;
  transaction_id: string | null;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  profile: Json;
  status: Generated<string>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface MessageLogTable {
  id: Generated<number>;
  station_id: string;
  direction: string;
  message_type: number;
  message_id: string;
  action: string | null;
  payload: Json;
  created_at: DefaultTimestamp;
  /** The answer we gave to the station's CALL of this row (migration 007); null on every other row. */
  response_type: number | null;
  response_payload: Json | null;
  responded_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  name: string;
  hash: string;
  created_at: DefaultTimestamp;
  last_used_at: Timestamp | null;
}

export interface CommandJobsTable {
  id: Generated<string>;
  station_id: string;
  action: string;
  request: Json;
  status: Generated<string>;
  response: Json | null;
  error: Json | null;
  webhook_url: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** Running nodes and their heartbeats (migration 009). */
export interface ClusterNodesTable {
  node_id: string;
  instance: string;
  started_at: DefaultTimestamp;
  heartbeat_at: DefaultTimestamp;
}

/** Commands on their way between nodes (migration 008). */
export interface CommandRelayTable {
  id: string;
  target_node: string;
  reply_node: string;
  station_id: string;
  command: Json;
  status: Generated<string>;
  outcome: Json | null;
  deadline: Timestamp;
  created_at: DefaultTimestamp;
}

export interface LocationsTable {
  id: string;
  country_code: string;
  party_id: string;
  time_zone: string;
  details: Json;
  created_at: DefaultTimestamp;
  last_updated: Timestamp;
}

export interface LocationEvsesTable {
  uid: string;
  location_id: string;
  station_id: string;
  evse_id: number;
  evse_code: string | null;
  removed: Generated<boolean>;
  details: Json;
  created_at: DefaultTimestamp;
  last_updated: Timestamp;
}

export interface LocationConnectorsTable {
  station_id: string;
  evse_id: number;
  connector_id: number;
  standard: string;
  format: string;
  power_type: string;
  max_voltage: number;
  max_amperage: number;
  max_electric_power: number | null;
  tariff_ids: ColumnType<JsonValue, string | undefined, string>;
  terms_and_conditions: string | null;
  last_updated: Timestamp;
}

export interface TariffsTable {
  id: string;
  country_code: string;
  party_id: string;
  currency: string;
  details: Json;
  created_at: DefaultTimestamp;
  last_updated: Timestamp;
}

export interface DB {
  stations: StationsTable;
  evses: EvsesTable;
  connectors: ConnectorsTable;
  id_tokens: IdTokensTable;
  transactions: TransactionsTable;
  transaction_events: TransactionEventsTable;
  meter_values: MeterValuesTable;
  device_model_variables: DeviceModelVariablesTable;
  reservations: ReservationsTable;
  charging_profiles: ChargingProfilesTable;
  message_log: MessageLogTable;
  api_keys: ApiKeysTable;
  command_jobs: CommandJobsTable;
  command_relay: CommandRelayTable;
  cluster_nodes: ClusterNodesTable;
  locations: LocationsTable;
  location_evses: LocationEvsesTable;
  location_connectors: LocationConnectorsTable;
  tariffs: TariffsTable;
}
