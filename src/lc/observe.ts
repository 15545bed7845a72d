/**
 * What the Local Controller learns from the traffic it relays (Part 4 §6.1: it "can see all the messages, ongoing
 * transactions etc."). Pure functions over frames that were already relayed: nothing here modifies a message.
 *
 * Signed messages (§7) are read through: the JWS payload of `<Action>-Signed` is base64url JSON, decoded here
 * without verification. That is only for observation; the frame itself is relayed untouched, so end-to-end
 * verification still works.
 */
import type { JsonObject, JsonValue, OcppVersion } from '../protocol/types.ts';
import { isJsonObject } from '../shared/json.ts';
import { isFlattenedJws, isSignedAction, plainAction } from '../protocol/signed/format.ts';

/** A station CALL the LC saw going up and whose CSMS reply is still to come. */
export interface PendingStationCall {
  action: string;
  payload: JsonObject;
}

export type Observation =
  /** The CSMS answered BootNotification (B01/B02; 1.6 §4.2). */
  | { kind: 'boot'; status: string }
  /** The CSMS answered some other station CALL with a CALLRESULT: the station is admitted. */
  | { kind: 'answered' }
  | { kind: 'session-start'; key: string }
  /** 1.6: the CSMS assigned the transaction id to the session that was keyed by its connector. */
  | { kind: 'session-rekey'; from: string; to: string }
  | { kind: 'session-end'; key: string };

/** `<Action>-Signed` with a flattened JWS → the plain action and the enclosed payload; anything else unchanged. */
export function readThroughSignature(action: string, payload: JsonObject): PendingStationCall {
  if (!isSignedAction(action) || !isFlattenedJws(payload)) return { action, payload };
  try {
    const decoded: unknown = JSON.parse(Buffer.from(payload.payload, 'base64url').toString('utf8'));
    return { action: plainAction(action), payload: isJsonObject(decoded) ? decoded : {} };
  } catch {
    return { action: plainAction(action), payload: {} };
  }
}

function text(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function member(value: JsonValue | undefined, key: string): JsonValue | undefined {
  return isJsonObject(value) ? value[key] : undefined;
}

const connectorKey = (connectorId: string): string => `connector:${connectorId}`;
const transactionKey = (transactionId: string): string => `tx:${transactionId}`;

/** Observations from a CALL the station sent (already relayed). */
export function observeStationCall(call: PendingStationCall): Observation[] {
  const { action, payload } = call;
  if (action === 'TransactionEvent') {
    // 2.0.1/2.1 E01-E07: Started and Updated mean a running transaction (Updated also covers one the LC did not
    // see start, e.g. after its own restart); Ended ends it.
    const id = text(member(payload.transactionInfo, 'transactionId'));
    if (id === undefined) return [];
    return [payload.eventType === 'Ended' ? { kind: 'session-end', key: transactionKey(id) } : { kind: 'session-start', key: transactionKey(id) }];
  }
  if (action === 'StartTransaction') {
    // 1.6 §4.8: the transaction runs from this request on; its id comes with the CSMS's answer.
    const connector = text(payload.connectorId);
    return connector === undefined ? [] : [{ kind: 'session-start', key: connectorKey(connector) }];
  }
  if (action === 'StopTransaction') {
    const id = text(payload.transactionId);
    return id === undefined ? [] : [{ kind: 'session-end', key: transactionKey(id) }];
  }
  return [];
}

/** Observations from the CSMS's CALLRESULT to a station CALL. */
export function observeCsmsResult(call: PendingStationCall, result: JsonObject): Observation[] {
  const plain = readThroughSignature(call.action, call.payload);
  const answer = isFlattenedJws(result) ? readThroughSignature(`${plain.action}-Signed`, result).payload : result;
  if (plain.action === 'BootNotification') {
    const status = text(answer.status);
    return status === undefined ? [] : [{ kind: 'boot', status }];
  }
  const observations: Observation[] = [{ kind: 'answered' }];
  if (plain.action === 'StartTransaction') {
    const connector = text(plain.payload.connectorId);
    const id = text(answer.transactionId);
    if (connector !== undefined && id !== undefined) observations.push({ kind: 'session-rekey', from: connectorKey(connector), to: transactionKey(id) });
  }
  return observations;
}

/**
 * The version of a connection that negotiated no subprotocol (a CSMS-side fallback version, Part 4 §3.2), read
 * from the shape of its BootNotification; 2.0.1 and 2.1 look alike, 2.0.1 is assumed.
 */
export function versionFromBoot(payload: JsonObject): OcppVersion | undefined {
  if ('chargePointVendor' in payload) return 'ocpp1.6';
  if ('chargingStation' in payload) return 'ocpp2.0.1';
  return undefined;
}
