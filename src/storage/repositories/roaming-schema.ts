/** Kysely types of the roaming tables (migration 004_roaming), added to the main schema with withTables(). */
import type { ColumnType, Generated } from 'kysely';
import type { JsonValue } from '../../domain/model.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<JsonValue, string, string>;

export type RoamingTables = {
  roaming_tokens: {
    id_token_pk: number;
    country_code: string;
    party_id: string;
    uid: string;
    token_type: string;
    contract_id: string;
    whitelist: string;
    valid: boolean;
    object: Json;
    last_updated: Timestamp;
  };
  roaming_authorizations: {
    id: Generated<number>;
    country_code: string;
    party_id: string;
    uid: string;
    token_type: string;
    allowed: string;
    authorization_reference: string | null;
    token: Json;
    created_at: DefaultTimestamp;
  };
  roaming_commands: {
    id: string;
    country_code: string;
    party_id: string;
    command: string;
    response_url: string;
    request: Json;
    station_id: string | null;
    evse_id: number | null;
    connector_id: number | null;
    token_uid: string | null;
    remote_start_id: number | null;
    session_id: string | null;
    result: string | null;
    result_sent: Generated<boolean>;
    created_at: DefaultTimestamp;
    updated_at: DefaultTimestamp;
  };
  roaming_reservations: {
    country_code: string;
    party_id: string;
    reservation_id: string;
    ocpp_reservation_id: number;
    response_url: string;
  };
  roaming_sessions: {
    id: string;
    seq: Generated<number>;
    transaction_pk: number | null;
    country_code: string;
    party_id: string;
    station_id: string;
    evse_id: number | null;
    connector_id: number | null;
    remote_start_id: number | null;
    token_uid: string;
    status: string;
    pending_until: Timestamp | null;
    object: Json;
    last_updated: Timestamp;
  };
  roaming_cdrs: {
    id: string;
    seq: Generated<number>;
    session_id: string | null;
    country_code: string;
    party_id: string;
    credit: Generated<boolean>;
    credit_reference_id: string | null;
    object: Json;
    last_updated: Timestamp;
  };
  roaming_client_infos: {
    country_code: string;
    party_id: string;
    partner_id: string;
    role: string;
    status: string;
    last_updated: Timestamp;
  };
};
