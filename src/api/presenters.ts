/**
 * Model → API JSON, one function per resource. Storage shapes never leave the API unshaped: password hashes,
 * API key hashes and storage-only keys are dropped here, dates become ISO 8601 strings, energy gets its kWh twin.
 */
import type { CommandOutcome } from '../domain/commands/types.ts';
import type { DomainEvent } from '../domain/events.ts';
import type {
  ApiKey,
  CommandJob,
  Connector,
  DeviceVariable,
  Evse,
  IdToken,
  JsonValue,
  MessageLogEntry,
  MeterSample,
  Station,
  Transaction,
  TransactionEventRecord,
} from '../domain/model.ts';

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

export interface StationJson {
  id: string;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  ocppVersion: string | null;
  securityProfile: number;
  hasPassword: boolean;
  registrationStatus: string;
  allowedVersions: string[];
  fallbackVersion: string | null;
  strictness: string | null;
  signedMessages: boolean;
  signingCertificate: string | null;
  connected: boolean;
  lastSeenAt: string | null;
  nodeId: string | null;
  createdAt: string;
  updatedAt: string;
}

export function presentStation(s: Station): StationJson {
  return {
    id: s.id,
    vendor: s.vendor,
    model: s.model,
    serialNumber: s.serialNumber,
    firmwareVersion: s.firmwareVersion,
    ocppVersion: s.ocppVersion,
    securityProfile: s.securityProfile,
    hasPassword: s.passwordHash !== null,
    registrationStatus: s.registrationStatus,
    allowedVersions: [...s.allowedVersions],
    fallbackVersion: s.fallbackVersion,
    strictness: s.strictness,
    signedMessages: s.signedMessages,
    signingCertificate: s.signingCertificate,
    connected: s.connected,
    lastSeenAt: isoOrNull(s.lastSeenAt),
    nodeId: s.nodeId,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export interface ConnectorJson {
  evseId: number;
  connectorId: number;
  status: string;
  ocppStatus: string | null;
  errorCode: string | null;
  updatedAt: string;
}

export function presentConnector(c: Connector): ConnectorJson {
  return { evseId: c.evseId, connectorId: c.connectorId, status: c.status, ocppStatus: c.ocppStatus, errorCode: c.errorCode, updatedAt: iso(c.updatedAt) };
}

export interface EvseJson {
  evseId: number;
  availability: string;
  connectors: ConnectorJson[];
}

/** EVSEs with their connectors; a connector whose EVSE row is missing still shows (as an Operative EVSE). */
export function presentEvses(evses: readonly Evse[], connectors: readonly Connector[]): EvseJson[] {
  const byId = new Map<number, EvseJson>();
  for (const e of evses) byId.set(e.evseId, { evseId: e.evseId, availability: e.availability, connectors: [] });
  for (const c of connectors) {
    let evse = byId.get(c.evseId);
    if (!evse) byId.set(c.evseId, (evse = { evseId: c.evseId, availability: 'Operative', connectors: [] }));
    evse.connectors.push(presentConnector(c));
  }
  return [...byId.values()].sort((a, b) => a.evseId - b.evseId);
}

export function presentStationDetail(s: Station, evses: readonly Evse[], connectors: readonly Connector[]): StationJson & { evses: EvseJson[] } {
  return { ...presentStation(s), evses: presentEvses(evses, connectors) };
}

export interface TokenJson {
  id: number;
  idToken: string;
  type: string;
  status: string;
  expiry: string | null;
  groupId: string | null;
  source: string;
  createdAt: string;
  updatedAt: string;
}

export function presentToken(t: IdToken): TokenJson {
  return {
    id: t.id,
    idToken: t.idToken,
    type: t.type,
    status: t.status,
    expiry: isoOrNull(t.expiry),
    groupId: t.groupId,
    source: t.source,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

/** Wh → kWh without binary noise (readings carry at most 3 decimals in Wh, so 6 in kWh). */
export function toKWh(wh: number | null): number | null {
  return wh === null ? null : Number((wh / 1000).toFixed(6));
}

export interface TransactionJson {
  id: number;
  stationId: string;
  transactionId: string;
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  idTokenType: string | null;
  state: string;
  chargingState: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number | null;
  energyKWh: number | null;
  stopReason: string | null;
  remoteStartId: number | null;
  createdAt: string;
  updatedAt: string;
}

export function presentTransaction(t: Transaction): TransactionJson {
  return {
    id: t.id,
    stationId: t.stationId,
    transactionId: t.transactionId,
    evseId: t.evseId,
    connectorId: t.connectorId,
    idToken: t.idToken,
    idTokenType: t.idTokenType,
    state: t.state,
    chargingState: t.chargingState,
    startedAt: isoOrNull(t.startedAt),
    stoppedAt: isoOrNull(t.stoppedAt),
    meterStartWh: t.meterStartWh,
    meterStopWh: t.meterStopWh,
    energyWh: t.energyWh,
    energyKWh: toKWh(t.energyWh),
    stopReason: t.stopReason,
    remoteStartId: t.remoteStartId,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function presentMeterValue(m: MeterSample): Record<string, JsonValue> {
  return {
    timestamp: iso(m.timestamp),
    evseId: m.evseId,
    measurand: m.measurand,
    phase: m.phase,
    unit: m.unit,
    context: m.context,
    location: m.location,
    value: m.value,
    signed: m.signed,
  };
}

export function presentTransactionEvent(e: TransactionEventRecord): Record<string, JsonValue> {
  return {
    seqNo: e.seqNo,
    eventType: e.eventType,
    triggerReason: e.triggerReason,
    timestamp: iso(e.timestamp),
    offline: e.offline,
    receivedAt: iso(e.receivedAt),
    payload: e.payload,
  };
}

export function presentTransactionDetail(t: Transaction, meterValues: readonly MeterSample[], events: readonly TransactionEventRecord[]) {
  return { ...presentTransaction(t), meterValues: meterValues.map(presentMeterValue), events: events.map(presentTransactionEvent) };
}

export function presentMessage(m: MessageLogEntry): Record<string, JsonValue> {
  return {
    id: m.id,
    stationId: m.stationId,
    direction: m.direction,
    messageType: m.messageType,
    messageId: m.messageId,
    action: m.action,
    payload: m.payload,
    createdAt: iso(m.createdAt),
    response: m.response && { messageType: m.response.messageType, payload: m.response.payload, createdAt: iso(m.response.createdAt) },
  };
}

export function presentVariable(v: DeviceVariable): Record<string, JsonValue> {
  return {
    component: v.component,
    componentInstance: v.componentInstance,
    evseId: v.evseId,
    connectorId: v.connectorId,
    variable: v.variable,
    variableInstance: v.variableInstance,
    attributeType: v.attributeType,
    value: v.value,
    mutability: v.mutability,
    data: v.data,
    updatedAt: iso(v.updatedAt),
  };
}

/** A webhook URL without credentials or query (which may hold a secret): `https://host/path`. */
export function redactUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

export function presentJob(j: CommandJob): Record<string, JsonValue> {
  return {
    id: j.id,
    stationId: j.stationId,
    action: j.action,
    status: j.status,
    request: j.request,
    response: j.response,
    error: j.error,
    webhookUrl: redactUrl(j.webhookUrl),
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
  };
}

export function presentApiKey(k: ApiKey): Record<string, JsonValue> {
  return { id: k.id, name: k.name, createdAt: iso(k.createdAt), lastUsedAt: isoOrNull(k.lastUsedAt) };
}

export function presentOutcome(stationId: string, command: string, outcome: CommandOutcome): Record<string, JsonValue> {
  return {
    stationId,
    command,
    status: outcome.status ?? null,
    result: outcome.result ?? null,
    calls: outcome.calls.map((c) => ({ action: c.action, request: c.request, response: c.response })),
  };
}

/** A domain event as the live stream sends it: `{ type, at, ... }` with resources presented like the REST API. */
export function presentEvent(event: DomainEvent): Record<string, JsonValue> {
  switch (event.type) {
    case 'station.connected':
      return { type: event.type, at: iso(event.at), stationId: event.stationId, ocppVersion: event.ocppVersion };
    case 'station.disconnected':
      return { type: event.type, at: iso(event.at), stationId: event.stationId, code: event.code, reason: event.reason };
    case 'station.booted':
      return { type: event.type, at: iso(event.at), stationId: event.stationId, registrationStatus: event.registrationStatus };
    case 'connector.status':
      return {
        type: event.type,
        at: iso(event.at),
        stationId: event.stationId,
        evseId: event.evseId,
        connectorId: event.connectorId,
        status: event.status,
        ocppStatus: event.ocppStatus,
      };
    case 'transaction.started':
    case 'transaction.updated':
    case 'transaction.ended':
      return { type: event.type, at: iso(event.at), stationId: event.transaction.stationId, transaction: { ...presentTransaction(event.transaction) } };
    case 'command.completed':
      return {
        type: event.type,
        at: iso(event.at),
        stationId: event.stationId,
        jobId: event.jobId,
        action: event.action,
        status: event.status,
        response: event.response,
        error: event.error,
      };
  }
}

/** The station a domain event is about (for the stream's `station` filter). */
export function eventStationId(event: DomainEvent): string {
  return 'transaction' in event ? event.transaction.stationId : event.stationId;
}
