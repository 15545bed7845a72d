/** OCPP-J basics shared by every part of the protocol layer (Part 4 §3.1.2, §4.1). */

/** WebSocket subprotocol names, which double as our version identifiers. */
export const OCPP_VERSIONS = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];

export function isOcppVersion(value: unknown): value is OcppVersion {
  return typeof value === 'string' && (OCPP_VERSIONS as readonly string[]).includes(value);
}

export type { JsonObject, JsonPrimitive, JsonValue } from '../shared/json.ts';

/** Message type numbers (Part 4 §4.1.3; 5 and 6 exist on ocpp2.1 only). */
export const MessageType = {
  CALL: 2,
  CALLRESULT: 3,
  CALLERROR: 4,
  CALLRESULTERROR: 5,
  SEND: 6,
} as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/** Longest message id either side may use (Part 4 §4.1.4). */
export const MAX_MESSAGE_ID_LENGTH = 36;
/** Longest ErrorDescription (Part 4 §4.2.3). */
export const MAX_ERROR_DESCRIPTION_LENGTH = 255;

export function supportsRpc21(version: OcppVersion): boolean {
  return version === 'ocpp2.1';
}

/** Which side sent a message, seen from the endpoint that logs it. */
export type Direction = 'in' | 'out';
