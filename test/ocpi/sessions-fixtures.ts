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
import assert from 'node:assert/strict';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { at, connectStation, eventually, registerStation } from '../e2e/scenario-support.ts';
import { DETAILS, TARIFF, TYPE2, type Setup } from './locations-fixtures.ts';
import type { EmspVersion } from './support/emsp.ts';

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

/** An OCPI DateTime without milliseconds, `seconds` after the charges' start. */
export const Z = (seconds: number): string => at(seconds).replace('.000Z', 'Z');

/**
 * A full 2.0.1 charge (12.289 kWh) of a token the eMSP pushed, at location LOC1 whose connector has an energy
 * tariff of 0.30/kWh + 20 % VAT; on 2.2.1 charging_preferences are tried while it runs.
 */
export async function chargeAtLocation(s: Setup, version: EmspVersion, transactionId = 'TX-S'): Promise<void> {
  await s.app.catalog.tariffs.put({ ...TARIFF, id: 'T-E', minPrice: null, elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.3, vat: 20, stepSize: 1 }] }] });
  await registerStation(s.app, 'CS-S');
  await s.app.catalog.locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  await s.app.catalog.locations.putEvse('LOC1', { stationId: 'CS-S', evseId: 1, connectors: [{ ...TYPE2, connectorId: 1, tariffIds: ['T-E'] }] });
  const token =
    version === '2.2.1'
      ? { country_code: 'DE', party_id: 'EMS', uid: 'TAG-S', type: 'RFID', contract_id: 'DE-EMS-CS', issuer: 'Test eMSP', valid: true, whitelist: 'ALLOWED', last_updated: '2026-01-01T10:00:00Z' }
      : { uid: 'TAG-S', type: 'RFID', auth_id: 'DE-EMS-CS', issuer: 'Test eMSP', valid: true, whitelist: 'ALLOWED', last_updated: '2026-01-01T10:00:00Z' };
  assert.equal((await s.emsp.call('PUT', `${s.url('tokens')}/DE/EMS/TAG-S`, token)).status, 201);
  const station = await connectStation(s.app, 'CS-S', 'ocpp2.0.1');
  await station.boot(BOOT);
  const [started, updated, ended] = charge201(transactionId, { idToken: 'TAG-S', type: 'ISO14443' });
  await station.callRaw('TransactionEvent', started!);
  await station.callRaw('TransactionEvent', updated!);
  await s.app.roaming.sessions.idle();
  if (version === '2.2.1') {
    // Preferences while the session runs: plain REGULAR is what happens anyway; anything else cannot be honoured.
    const [session] = (await s.app.roaming.sessions.listSessions({ offset: 0, limit: 1 })).items;
    const prefs = `${s.url('sessions')}/${session?.id ?? ''}/charging_preferences`;
    assert.equal((await s.emsp.call('PUT', prefs, { profile_type: 'REGULAR' })).body.data, 'ACCEPTED');
    assert.equal((await s.emsp.call('PUT', prefs, { profile_type: 'FAST', energy_need: 20 })).body.data, 'NOT_POSSIBLE');
    assert.equal((await s.emsp.call('PUT', prefs, { profile_type: 'TURBO' })).body.status_code, 2001);
    assert.equal((await s.emsp.call('PUT', `${s.url('sessions')}/NOPE/charging_preferences`, { profile_type: 'REGULAR' })).status, 404);
  }
  await station.callRaw('TransactionEvent', ended!);
  await s.app.roaming.sessions.idle();
}
