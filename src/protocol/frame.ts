/**
 * Parse and serialise OCPP-J frames (Part 4 §4.1–4.2). Pure functions: no sockets, no state.
 *
 * A frame that cannot be understood yields a `FrameFault` that says whether and how to answer it, so the
 * endpoint never has to guess: unreadable id → CALLERROR with id "-1"; malformed CALL → CALLERROR with its id;
 * unknown message type → MessageTypeNotSupported on 2.0.1, silently ignored on 2.1 (§4.4).
 */
import type { RpcErrorCode } from './errors.ts';
import { clampDescription, wireErrorCode } from './errors.ts';
import { isJsonObject } from '../shared/json.ts';
import type { JsonObject, OcppVersion } from './types.ts';
import { MAX_MESSAGE_ID_LENGTH, MessageType, supportsRpc21 } from './types.ts';

export interface CallFrame {
  type: typeof MessageType.CALL;
  id: string;
  action: string;
  payload: JsonObject;
}
export interface CallResultFrame {
  type: typeof MessageType.CALLRESULT;
  id: string;
  payload: JsonObject;
}
export interface CallErrorFrame {
  type: typeof MessageType.CALLERROR | typeof MessageType.CALLRESULTERROR;
  id: string;
  /** As received; see parseWireErrorCode for the version-neutral code. */
  code: string;
  description: string;
  details: JsonObject;
}
export interface SendFrame {
  type: typeof MessageType.SEND;
  id: string;
  action: string;
  payload: JsonObject;
}
export type Frame = CallFrame | CallResultFrame | CallErrorFrame | SendFrame;

/** What to do about a frame we could not accept. */
export interface FrameFault {
  /** 'callerror': answer with CALLERROR; 'callresulterror': answer with CALLRESULTERROR (2.1); 'ignore': log only. */
  reply: 'callerror' | 'callresulterror' | 'ignore';
  id: string;
  code: RpcErrorCode;
  description: string;
  /** The message type number when it could be read. */
  messageType?: number;
}

export type ParseResult = { ok: true; frame: Frame } | { ok: false; fault: FrameFault };

/** Id used when the message id of a faulty frame cannot be read (Part 4 §4.2.3). */
export const UNREADABLE_ID = '-1';

export function isValidMessageId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_MESSAGE_ID_LENGTH;
}

function fault(reply: FrameFault['reply'], id: string, code: RpcErrorCode, description: string, messageType?: number): ParseResult {
  return { ok: false, fault: { reply, id, code, description, messageType } };
}

/** Parses one WebSocket text message received on a connection of `version`. */
export function parseFrame(text: string, version: OcppVersion): ParseResult {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return fault('callerror', UNREADABLE_ID, 'RpcFrameworkError', 'Message is not valid JSON');
  }
  // Only an unreadable type makes the frame unreadable as such: `[3]` is a reply and `[6]` a SEND (never answered),
  // `[7]` an unknown type (ignored on 2.1); the checks below see their missing id.
  if (!Array.isArray(message) || message.length === 0) {
    return fault('callerror', UNREADABLE_ID, 'RpcFrameworkError', 'Message is not an OCPP-J array [type, id, ...]');
  }
  const type: unknown = message[0];
  const rawId: unknown = message[1];
  const idOk = isValidMessageId(rawId);
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    return fault('callerror', idOk ? rawId : UNREADABLE_ID, 'RpcFrameworkError', 'MessageTypeId is not an integer');
  }
  const rpc21 = supportsRpc21(version);
  const knownType =
    type === MessageType.CALL || type === MessageType.CALLRESULT || type === MessageType.CALLERROR || (rpc21 && (type === MessageType.CALLRESULTERROR || type === MessageType.SEND));
  if (!knownType) {
    // 2.1 §4.4: ignore; 2.0.1 §4.4: MessageTypeNotSupported (1.6 has no such code; wireErrorCode maps it).
    if (rpc21) return fault('ignore', idOk ? rawId : UNREADABLE_ID, 'MessageTypeNotSupported', `Message type ${type} is not supported`, type);
    return fault('callerror', idOk ? rawId : UNREADABLE_ID, 'MessageTypeNotSupported', `Message type ${type} is not supported`, type);
  }
  if (!idOk) {
    const why = typeof rawId === 'string' ? `MessageId must be 1..${MAX_MESSAGE_ID_LENGTH} characters` : 'MessageId is not a string';
    // A reply to a reply is never sent, except CALLRESULTERROR on 2.1, which needs a readable id.
    const reply = type === MessageType.CALL ? 'callerror' : 'ignore';
    return fault(reply, UNREADABLE_ID, 'RpcFrameworkError', why, type);
  }
  const id = rawId;
  switch (type) {
    case MessageType.CALL:
    case MessageType.SEND: {
      const action: unknown = message[2];
      const payload: unknown = message[3];
      const reply = type === MessageType.CALL ? 'callerror' : 'ignore';
      if (message.length !== 4) return fault(reply, id, 'FormatViolation', `${type === 2 ? 'CALL' : 'SEND'} must have 4 elements`, type);
      if (typeof action !== 'string' || action.length === 0) return fault(reply, id, 'FormatViolation', 'Action is not a non-empty string', type);
      if (!isJsonObject(payload)) return fault(reply, id, 'FormatViolation', 'Payload is not a JSON object', type);
      return { ok: true, frame: { type, id, action, payload } };
    }
    case MessageType.CALLRESULT: {
      const payload: unknown = message[2];
      const reply = rpc21 ? 'callresulterror' : 'ignore';
      if (message.length !== 3) return fault(reply, id, 'FormatViolation', 'CALLRESULT must have 3 elements', type);
      if (!isJsonObject(payload)) return fault(reply, id, 'FormatViolation', 'Payload is not a JSON object', type);
      return { ok: true, frame: { type, id, payload } };
    }
    default: {
      // CALLERROR or CALLRESULTERROR. Be liberal: some chargers omit errorDetails or send null.
      const code: unknown = message[2];
      const description: unknown = message[3];
      const details: unknown = message[4];
      if (typeof code !== 'string') return fault('ignore', id, 'FormatViolation', 'ErrorCode is not a string', type);
      return {
        ok: true,
        frame: {
          type: type as CallErrorFrame['type'],
          id,
          code,
          description: typeof description === 'string' ? description : '',
          details: isJsonObject(details) ? details : {},
        },
      };
    }
  }
}

export function serializeCall(id: string, action: string, payload: JsonObject): string {
  return JSON.stringify([MessageType.CALL, id, action, payload]);
}

export function serializeSend(id: string, action: string, payload: JsonObject): string {
  return JSON.stringify([MessageType.SEND, id, action, payload]);
}

export function serializeCallResult(id: string, payload: JsonObject): string {
  return JSON.stringify([MessageType.CALLRESULT, id, payload]);
}

/** CALLERROR (or CALLRESULTERROR) with the error code spelled for `version` and a description of ≤255 chars. */
export function serializeCallError(
  id: string,
  code: RpcErrorCode,
  description: string,
  version: OcppVersion,
  details: JsonObject = {},
  type: typeof MessageType.CALLERROR | typeof MessageType.CALLRESULTERROR = MessageType.CALLERROR,
): string {
  return JSON.stringify([type, id, wireErrorCode(code, version), clampDescription(description), details]);
}
