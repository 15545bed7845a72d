/**
 * JSON schema fragments shared by the routes: input rules (what may reach the database) and the response shapes
 * the presenters produce (also used by Fastify to serialize, so a field that is not listed never leaves).
 * OpenAPI 3.1 is generated from these, so `type: [X, 'null']` is fine.
 */

// ---------------------------------------------------------------- inputs

/** A station identity: what the OCPP gateway accepts (Part 4 §3.1.1: ≤ 48 characters, no ':'), minus '/'. */
export const stationIdSchema = { type: 'string', minLength: 1, maxLength: 48, pattern: '^[^:/\\u0000-\\u001f\\u007f]+$' } as const;
export const ocppVersionSchema = { type: 'string', enum: ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] } as const;
export const registrationStatusSchema = { type: 'string', enum: ['Accepted', 'Pending', 'Rejected'] } as const;
export const strictnessSchema = { type: 'string', enum: ['strict', 'lenient'] } as const;
export const tokenStatusSchema = {
  type: 'string',
  enum: ['Accepted', 'Blocked', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeOut', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown'],
} as const;
/** Basic-auth password of security profiles 1 and 2: OCPP 2.0.1 BasicAuthPassword is 16–40 printable characters. */
export const passwordSchema = { type: 'string', minLength: 16, maxLength: 40, pattern: '^[\\u0020-\\u007e]+$' } as const;
/** 2.0.1 IdToken.idToken (≤ 36; 1.6 idTag ≤ 20). */
export const idTokenValueSchema = { type: 'string', minLength: 1, maxLength: 36, pattern: '^[\\u0020-\\u007e]+$' } as const;
/** 2.0.1 IdTokenEnumType / 2.1 IdTokenEnumStringType (ISO14443, eMAID, Central, ...). */
export const idTokenTypeSchema = { type: 'string', minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9]+$' } as const;
export const dateTimeSchema = { type: 'string', format: 'date-time' } as const;
export const httpUrlSchema = { type: 'string', format: 'uri', maxLength: 2000, pattern: '^https?://' } as const;
export const uuidSchema = { type: 'string', format: 'uuid' } as const;
export const pkSchema = { type: 'integer', minimum: 1, maximum: 9007199254740991 } as const;

export const MAX_LIMIT = 500;

export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;

export interface PageQuery {
  limit: number;
  offset: number;
}

export const stationParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: stationIdSchema },
} as const;

// ---------------------------------------------------------------- outputs

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const nint = { type: ['integer', 'null'] } as const;
const nnum = { type: ['number', 'null'] } as const;
const date = { type: 'string', format: 'date-time' } as const;
const ndate = { type: ['string', 'null'], format: 'date-time' } as const;
/** Any JSON value (payloads as the station sent them). */
const anyJson = {} as const;

export const stationResponse = {
  type: 'object',
  properties: {
    id: str,
    vendor: nstr,
    model: nstr,
    serialNumber: nstr,
    firmwareVersion: nstr,
    ocppVersion: nstr,
    securityProfile: { type: 'integer' },
    hasPassword: { type: 'boolean', description: 'A Basic-auth password is set (the password itself is never returned).' },
    registrationStatus: str,
    allowedVersions: { type: 'array', items: str },
    fallbackVersion: nstr,
    strictness: nstr,
    signedMessages: { type: 'boolean', description: 'Signed messages (OCPP-J Part 4 §7) are accepted, verified and answered signed.' },
    signingCertificate: { ...nstr, description: 'PEM certificate(s) the station signs with.' },
    connected: { type: 'boolean' },
    lastSeenAt: ndate,
    nodeId: nstr,
    createdAt: date,
    updatedAt: date,
  },
} as const;

export const connectorResponse = {
  type: 'object',
  properties: {
    evseId: { type: 'integer' },
    connectorId: { type: 'integer' },
    status: { type: 'string', enum: ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'] },
    ocppStatus: nstr,
    errorCode: nstr,
    updatedAt: date,
  },
} as const;

export const evseResponse = {
  type: 'object',
  properties: {
    evseId: { type: 'integer' },
    availability: str,
    connectors: { type: 'array', items: connectorResponse },
  },
} as const;

export const stationDetailResponse = {
  type: 'object',
  properties: { ...stationResponse.properties, evses: { type: 'array', items: evseResponse } },
} as const;

export const tokenResponse = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    idToken: str,
    type: str,
    status: str,
    expiry: ndate,
    groupId: nstr,
    source: str,
    createdAt: date,
    updatedAt: date,
  },
} as const;

export const transactionResponse = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    stationId: str,
    transactionId: str,
    evseId: nint,
    connectorId: nint,
    idToken: nstr,
    idTokenType: nstr,
    state: { type: 'string', enum: ['active', 'completed'] },
    chargingState: nstr,
    startedAt: ndate,
    stoppedAt: ndate,
    meterStartWh: nnum,
    meterStopWh: nnum,
    energyWh: nnum,
    energyKWh: nnum,
    stopReason: nstr,
    remoteStartId: nint,
    createdAt: date,
    updatedAt: date,
  },
} as const;

export const meterValueResponse = {
  type: 'object',
  properties: {
    timestamp: date,
    evseId: nint,
    measurand: str,
    phase: nstr,
    unit: nstr,
    context: nstr,
    location: nstr,
    value: { type: 'number' },
    signed: anyJson,
  },
} as const;

export const transactionEventResponse = {
  type: 'object',
  properties: {
    seqNo: { type: 'integer' },
    eventType: str,
    triggerReason: nstr,
    timestamp: date,
    offline: { type: 'boolean' },
    receivedAt: date,
    payload: anyJson,
  },
} as const;

export const transactionDetailResponse = {
  type: 'object',
  properties: {
    ...transactionResponse.properties,
    meterValues: { type: 'array', items: meterValueResponse },
    events: { type: 'array', items: transactionEventResponse },
  },
} as const;

export const messageResponse = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    stationId: str,
    direction: { type: 'string', enum: ['in', 'out'] },
    messageType: { type: 'integer', description: '2 CALL, 3 CALLRESULT, 4 CALLERROR, 5 CALLRESULTERROR, 6 SEND' },
    messageId: str,
    action: nstr,
    payload: anyJson,
    createdAt: date,
    response: {
      type: ['object', 'null'],
      description:
        'The answer we gave to a CALL the station sent, logged with it as one exchange (a CALLERROR as {errorCode, errorDescription, errorDetails}); null for every other entry, and for a CALL the station left before we answered',
      properties: {
        messageType: { type: 'integer', description: '3 CALLRESULT, 4 CALLERROR' },
        payload: anyJson,
        createdAt: { ...date, description: 'When we sent the answer' },
      },
    },
  },
} as const;

export const variableResponse = {
  type: 'object',
  properties: {
    component: str,
    componentInstance: nstr,
    evseId: nint,
    connectorId: nint,
    variable: str,
    variableInstance: nstr,
    attributeType: str,
    value: nstr,
    mutability: nstr,
    data: anyJson,
    updatedAt: date,
  },
} as const;

export const jobResponse = {
  type: 'object',
  properties: {
    id: str,
    stationId: str,
    action: str,
    status: { type: 'string', enum: ['pending', 'sent', 'completed', 'failed', 'timeout'] },
    request: anyJson,
    response: anyJson,
    error: anyJson,
    webhookUrl: { ...nstr, description: 'Origin and path only (query and credentials are not shown).' },
    createdAt: date,
    updatedAt: date,
  },
} as const;

export const apiKeyResponse = {
  type: 'object',
  properties: {
    id: str,
    name: str,
    createdAt: date,
    lastUsedAt: ndate,
  },
} as const;

export const commandOutcomeResponse = {
  type: 'object',
  properties: {
    stationId: str,
    command: str,
    status: { ...nstr, description: "The station's status field (Accepted, Rejected, ...) when its answer has one." },
    result: {
      description:
        'The answer in version-neutral terms where the command has one (startTransaction { remoteStartId, transactionId? }, getVariables/setVariables { variables }, reserveNow { reservationId }, ...); otherwise null.',
    },
    calls: {
      type: 'array',
      items: { type: 'object', properties: { action: str, request: anyJson, response: anyJson } },
    },
  },
} as const;

/** `{ items, limit, offset, nextOffset }`: nextOffset is null on the last page. */
export function offsetPage<S extends object>(item: S) {
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: item },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      nextOffset: { ...nint, description: 'Offset of the next page; null on the last page.' },
    },
  } as const;
}

export interface OffsetPage<T> {
  items: T[];
  limit: number;
  offset: number;
  nextOffset: number | null;
}

/** Fetches limit + 1 rows to know whether another page follows (no count query). */
export async function fetchPage<T, R>(query: PageQuery, fetch: (page: { limit: number; offset: number }) => Promise<T[]>, present: (row: T) => R): Promise<OffsetPage<R>> {
  const rows = await fetch({ limit: query.limit + 1, offset: query.offset });
  const more = rows.length > query.limit;
  return { items: rows.slice(0, query.limit).map(present), limit: query.limit, offset: query.offset, nextOffset: more ? query.offset + query.limit : null };
}
