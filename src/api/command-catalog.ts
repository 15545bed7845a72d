/**
 * The operator commands the API exposes: one route per OperatorCommand (`POST /stations/{id}/commands/{path}`,
 * path = the kebab-case name), each with the JSON schema of its body (the union member without `name`). The
 * mapped type makes the compiler insist on an entry for every member of the union.
 */
import type { OperatorCommand, OperatorCommandName } from '../domain/commands/types.ts';
import { dateTimeSchema, httpUrlSchema, idTokenTypeSchema, idTokenValueSchema } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

export interface CommandSpec {
  summary: string;
  /** Properties of the body (besides the optional webhookUrl every command takes). */
  properties: Record<string, JsonSchema>;
  required?: readonly string[];
}

const evseId = { type: 'integer', minimum: 0, maximum: 1000 } as const;
const connectorId = { type: 'integer', minimum: 0, maximum: 1000 } as const;
const int32 = { type: 'integer', minimum: 0, maximum: 2147483647 } as const;
const anyUri = { type: 'string', format: 'uri', maxLength: 2000 } as const;
const ocppString = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

const idTokenRef = {
  type: 'object',
  additionalProperties: false,
  required: ['idToken'],
  properties: { idToken: idTokenValueSchema, type: { ...idTokenTypeSchema, description: '2.0.1 IdTokenEnumType, default ISO14443 (ignored for 1.6)' } },
} as const;

const variableRefProperties = {
  component: ocppString(50),
  componentInstance: ocppString(50),
  evseId,
  connectorId,
  variable: ocppString(50),
  variableInstance: ocppString(50),
  attributeType: { type: 'string', enum: ['Actual', 'Target', 'MinSet', 'MaxSet'] },
} as const;

const variableRef = { type: 'object', additionalProperties: false, required: ['component', 'variable'], properties: variableRefProperties } as const;

const jsonObject = { type: 'object', additionalProperties: true } as const;

export const COMMANDS: { [K in OperatorCommandName]: CommandSpec } = {
  reset: {
    summary: 'Reset (1.6 Hard/Soft ← Immediate/OnIdle)',
    properties: { type: { type: 'string', enum: ['Immediate', 'OnIdle'] }, evseId },
    required: ['type'],
  },
  changeAvailability: {
    summary: 'ChangeAvailability of the station, an EVSE or a connector',
    properties: { operational: { type: 'boolean' }, evseId, connectorId },
    required: ['operational'],
  },
  startTransaction: {
    summary: 'RequestStartTransaction (1.6 RemoteStartTransaction)',
    properties: { idToken: idTokenRef, evseId, remoteStartId: int32, chargingProfile: jsonObject },
    required: ['idToken'],
  },
  stopTransaction: {
    summary: 'RequestStopTransaction (1.6 RemoteStopTransaction)',
    properties: { transactionId: ocppString(36) },
    required: ['transactionId'],
  },
  unlockConnector: {
    summary: 'UnlockConnector',
    properties: { evseId, connectorId },
    required: ['evseId', 'connectorId'],
  },
  triggerMessage: {
    summary: 'TriggerMessage (e.g. BootNotification, StatusNotification, MeterValues, Heartbeat)',
    properties: { message: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]+$' }, evseId, connectorId },
    required: ['message'],
  },
  getVariables: {
    summary: 'GetVariables (1.6 GetConfiguration; no variables = all keys)',
    properties: { variables: { type: 'array', maxItems: 100, items: variableRef } },
    required: ['variables'],
  },
  setVariables: {
    summary: 'SetVariables (1.6 one ChangeConfiguration per variable)',
    properties: {
      variables: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: { type: 'object', additionalProperties: false, required: ['component', 'variable', 'value'], properties: { ...variableRefProperties, value: { type: 'string', maxLength: 2500 } } },
      },
    },
    required: ['variables'],
  },
  getBaseReport: {
    summary: 'GetBaseReport (the device model arrives by NotifyReport)',
    properties: { reportBase: { type: 'string', enum: ['ConfigurationInventory', 'FullInventory', 'SummaryInventory'] }, requestId: int32 },
    required: ['reportBase'],
  },
  clearCache: { summary: 'ClearCache', properties: {} },
  sendLocalList: {
    summary: 'SendLocalList',
    properties: {
      versionNumber: int32,
      updateType: { type: 'string', enum: ['Full', 'Differential'] },
      tokens: {
        type: 'array',
        maxItems: 10000,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['idToken'],
          properties: { idToken: idTokenRef, status: { type: 'string', minLength: 1, maxLength: 30 }, expiry: dateTimeSchema, groupId: ocppString(36) },
        },
      },
    },
    required: ['versionNumber', 'updateType'],
  },
  getLocalListVersion: { summary: 'GetLocalListVersion', properties: {} },
  reserveNow: {
    summary: 'ReserveNow',
    properties: { idToken: idTokenRef, expiry: dateTimeSchema, evseId, connectorType: ocppString(20), groupId: ocppString(36), reservationId: int32 },
    required: ['idToken', 'expiry'],
  },
  cancelReservation: { summary: 'CancelReservation', properties: { reservationId: int32 }, required: ['reservationId'] },
  setChargingProfile: {
    summary: "SetChargingProfile (profile in the station's version's ChargingProfile shape)",
    properties: { evseId, profile: jsonObject },
    required: ['evseId', 'profile'],
  },
  clearChargingProfile: {
    summary: 'ClearChargingProfile (all given criteria must match)',
    properties: { profileId: int32, evseId, purpose: ocppString(40), stackLevel: int32 },
  },
  getCompositeSchedule: {
    summary: 'GetCompositeSchedule',
    properties: { evseId, duration: int32, chargingRateUnit: { type: 'string', enum: ['W', 'A'] } },
    required: ['evseId', 'duration'],
  },
  updateFirmware: {
    summary: 'UpdateFirmware',
    properties: {
      location: anyUri,
      retrieveDateTime: dateTimeSchema,
      requestId: int32,
      retries: int32,
      retryInterval: int32,
      signingCertificate: { type: 'string', maxLength: 5500 },
      signature: { type: 'string', maxLength: 800 },
    },
    required: ['location', 'retrieveDateTime'],
  },
  getLog: {
    summary: 'GetLog (1.6 GetDiagnostics)',
    properties: {
      location: anyUri,
      logType: { type: 'string', enum: ['DiagnosticsLog', 'SecurityLog'] },
      requestId: int32,
      oldestTimestamp: dateTimeSchema,
      latestTimestamp: dateTimeSchema,
    },
    required: ['location'],
  },
  dataTransfer: {
    summary: 'DataTransfer',
    properties: { vendorId: ocppString(255), messageId: ocppString(50), data: { type: 'string', maxLength: 65536 } },
    required: ['vendorId'],
  },
  raw: {
    summary: "Any action of the station's version, validated against its official schema",
    properties: { action: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]+$' }, payload: jsonObject },
    required: ['action', 'payload'],
  },
};

/** `changeAvailability` → `change-availability`. */
export function commandPath(name: OperatorCommandName): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function commandBodySchema(spec: CommandSpec): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: [...(spec.required ?? [])],
    properties: { ...spec.properties, webhookUrl: { ...httpUrlSchema, description: 'With ?async=true: POSTed the job when it finishes.' } },
  };
}

/**
 * The command from a body that passed `commandBodySchema(COMMANDS[name])`: the schema guarantees the union
 * member's shape, which the compiler cannot see through JSON schema, hence the one cast.
 */
export function toCommand(name: OperatorCommandName, fields: Record<string, unknown>): OperatorCommand {
  return { ...fields, name } as OperatorCommand;
}
