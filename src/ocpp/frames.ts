/**
 * The frame observer: every OCPP frame in and out goes to the message log (write-behind: enqueue never blocks the
 * connection; a station's CALL and our answer to it as one entry, see exchanges.ts), every incoming frame counts as a sign of life (G02.FR.04), and the CALLs we send that make the
 * station send something are noted on its session (see session.ts).
 *
 * The endpoint reports outgoing CALLs and received CALLERRORs without a parsed payload; those are read back from
 * the frame text, so the log has the request we sent and the error code and text we got.
 */
import type { JsonValue, NewMessageLogEntry } from '../domain/model.ts';
import type { MessageLogRepository } from '../domain/ports.ts';
import type { PresenceTracker } from '../domain/services/index.ts';
import type { FrameEvent } from '../protocol/endpoint.ts';
import { MessageType } from '../protocol/types.ts';
import { createExchangeLog } from './exchanges.ts';
import type { Sessions } from './session.ts';

/** CALLs of ours that the session must know about. */
const NOTED_ACTIONS = new Set(['TriggerMessage', 'ExtendedTriggerMessage', 'GetBaseReport', 'GetReport']);

function parseText(text: string): JsonValue[] | undefined {
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as JsonValue[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The payload to log: the parsed one, or what the frame text holds. */
export function loggedPayload(event: FrameEvent): JsonValue {
  const isError = event.messageType === MessageType.CALLERROR || event.messageType === MessageType.CALLRESULTERROR;
  if (event.payload !== undefined && !isError) return event.payload;
  const frame = parseText(event.text);
  if (frame === undefined) return event.payload ?? null;
  if (isError) return { errorCode: frame[2] ?? null, errorDescription: frame[3] ?? null, errorDetails: frame[4] ?? null };
  if (event.messageType === MessageType.CALL || event.messageType === MessageType.SEND) return frame[3] ?? null;
  return frame[2] ?? null;
}

/**
 * The payload's JSON text as it crossed the wire, when it can be cut from the frame text safely: the frame's head
 * (`[2,"id","Action",` or `[3,"id",`) is exactly what JSON.stringify writes and the text ends with the array's
 * `]`. The endpoint parsed that text as a frame of the right length, so what lies between is the payload and
 * nothing else. A station that writes its frames differently (spaces, escapes) gets its payload serialized instead.
 */
export function wirePayload(event: FrameEvent): string | undefined {
  const { text, messageType } = event;
  if (text === '' || !text.endsWith(']')) return undefined;
  let head: string;
  if (messageType === MessageType.CALL || messageType === MessageType.SEND) {
    if (event.action === undefined) return undefined;
    head = `[${messageType},${JSON.stringify(event.messageId)},${JSON.stringify(event.action)},`;
  } else if (messageType === MessageType.CALLRESULT) head = `[3,${JSON.stringify(event.messageId)},`;
  else return undefined;
  return text.startsWith(head) ? text.slice(head.length, -1) : undefined;
}

export interface FrameObserverDeps {
  messageLog: MessageLogRepository;
  presence: PresenceTracker;
  sessions: Sessions;
}

export interface FrameObserver {
  onFrame(event: FrameEvent): void;
  /** The station's connection closed: its CALLs still waiting for our answer are logged without one. */
  stationClosed(identity: string): void;
  /** Logs every CALL still waiting for our answer, before the message log's last flush. */
  close(): void;
}

export function createFrameObserver(deps: FrameObserverDeps): FrameObserver {
  const exchanges = createExchangeLog(deps.messageLog);
  return {
    onFrame(event) {
      const payload = loggedPayload(event);
      const entry: NewMessageLogEntry = {
        stationId: event.identity,
        direction: event.direction,
        messageType: event.messageType,
        messageId: event.messageId,
        action: event.action ?? null,
        payload,
        payloadJson: wirePayload(event),
        createdAt: new Date(),
      };
      exchanges.record(entry);
      if (event.direction === 'in') deps.presence.seen(event.identity);
      else if (event.messageType === MessageType.CALL && event.action !== undefined && NOTED_ACTIONS.has(event.action)) {
        if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) deps.sessions.get(event.identity)?.noteOutgoing(event.action, payload, Date.now());
      }
    },
    stationClosed: exchanges.releaseStation,
    close: exchanges.releaseAll,
  };
}
