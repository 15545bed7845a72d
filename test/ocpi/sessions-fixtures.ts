/**
 * Pieces shared by the roaming tests: partner tokens, a station whose answers to CSMS calls are scripted (the real
 * station client on a socket), and a 2.0.1 charge of 12.289 kWh.
 */
import type { Joule } from '../../src/app.ts';
import type { JsonObject } from '../../src/domain/model.ts';
import type { TokenObject, WhitelistType } from '../../src/domain/roaming/model.ts';
import type { CallHandler, HandlerLookup } from '../../src/protocol/endpoint.ts';
import type { OcppVersion } from '../../src/protocol/types.ts';
import type { StationClient } from '../../src/station/index.ts';
import { at, connectStation, eventually } from '../e2e/scenario-support.ts';

export function partnerToken(uid: string, whitelist: WhitelistType, extra: Partial<TokenObject> = {}): TokenObject {
  return {
    country_code: 'DE',
    party_id: 'EMS',
    uid,
    type: 'RFID',
    contract_id: `DE-EMS-C${uid}`,
    issuer: 'Test eMSP',
    valid: true,
    whitelist,
    last_updated: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

export interface ScriptedStation<V extends OcppVersion> {
  client: StationClient<V>;
  /** Every CALL the CSMS sent, in order. */
  received: { action: string; payload: JsonObject }[];
  answer(action: string, answer: JsonObject | ((payload: JsonObject) => JsonObject)): void;
  /** Waits for the next CALL of `action` not yet taken. */
  next(action: string): Promise<JsonObject>;
}

export async function scriptedStation<V extends OcppVersion>(app: Joule, id: string, version: V): Promise<ScriptedStation<V>> {
  const answers = new Map<string, JsonObject | ((payload: JsonObject) => JsonObject)>();
  const received: { action: string; payload: JsonObject }[] = [];
  const taken = new Set<number>();
  const handlers: HandlerLookup = {
    resolve(_version, action): CallHandler | undefined {
      const answer = answers.get(action);
      if (answer === undefined) return undefined;
      return (payload) => {
        received.push({ action, payload });
        return typeof answer === 'function' ? answer(payload) : answer;
      };
    },
  };
  const client = await connectStation(app, id, version, app.port, { handlers });
  return {
    client,
    received,
    answer: (action, answer) => void answers.set(action, answer),
    next: (action) =>
      eventually(() => {
        const index = received.findIndex((r, i) => r.action === action && !taken.has(i));
        if (index < 0) return undefined;
        taken.add(index);
        return received[index]?.payload;
      }, `${action} at the station`),
  };
}

/** A 2.0.1 charge: 1 234 500 Wh at the start, 1 240 250 Wh after a minute, 1 246 789 Wh at the end (2 min). */
export function charge201(transactionId: string, idToken: { idToken: string; type: string }, extra: { remoteStartId?: number } = {}): JsonObject[] {
  const evse = { id: 1, connectorId: 1 };
  return [
    {
      eventType: 'Started', timestamp: at(0), triggerReason: extra.remoteStartId === undefined ? 'Authorized' : 'RemoteStart', seqNo: 0, evse, idToken,
      transactionInfo: { transactionId, chargingState: 'Charging', ...(extra.remoteStartId === undefined ? {} : { remoteStartId: extra.remoteStartId }) },
      meterValue: [{ timestamp: at(0), sampledValue: [{ value: 1234.5, context: 'Transaction.Begin', unitOfMeasure: { unit: 'kWh' } }] }],
    },
    {
      eventType: 'Updated', timestamp: at(60), triggerReason: 'MeterValuePeriodic', seqNo: 1,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      meterValue: [{ timestamp: at(60), sampledValue: [{ value: 1240250, unitOfMeasure: { unit: 'Wh' } }] }],
    },
    {
      eventType: 'Ended', timestamp: at(120), triggerReason: 'EVDeparted', seqNo: 2,
      transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      meterValue: [{ timestamp: at(120), sampledValue: [{ value: 1246.789, context: 'Transaction.End', unitOfMeasure: { unit: 'kWh' } }] }],
    },
  ];
}
