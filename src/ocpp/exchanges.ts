/**
 * The message log by exchange: a CALL the station sends and the CALLRESULT or CALLERROR we answer it with become one
 * entry, because most traffic is such an exchange and the answer's own row cost ~9 % of the CPU per message. The CALL
 * is held, by station and message id, until its answer passes; then both are enqueued together, each with its own
 * time. Everything else is enqueued at once, unpaired: our own CALLs and the station's answers to them (an operator
 * must see a command when it is sent, and its answer may take up to the call timeout), SENDs, CALLRESULTERRORs, and
 * answers whose CALL is not held.
 *
 * A held CALL is never lost; it is enqueued unpaired when its station's connection closes, when the OCPP layer
 * closes, when the station sends another CALL with the same id, or when more than `maxHeld` are held (the oldest
 * first: a station that is never answered must not grow memory). Its payload is serialized only when enqueued, which
 * is safe because handlers read payloads and never change them.
 */
import type { NewMessageLogEntry } from '../domain/model.ts';
import type { MessageLogRepository } from '../domain/ports.ts';
import { MessageType } from '../protocol/types.ts';

/** Most CALLs held at once, over all stations. */
export const MAX_HELD_CALLS = 10_000;

export interface ExchangeLog {
  /** Logs one frame: holds a station's CALL, pairs our answer with it, enqueues everything else. */
  record(entry: NewMessageLogEntry): void;
  /** The station's connection closed: its held CALLs will not be answered, they are enqueued unpaired. */
  releaseStation(stationId: string): void;
  /** Enqueues every held CALL unpaired (before the log's last flush). */
  releaseAll(): void;
}

/** Identities contain no ':' (Part 4 §3.1.1, checked at the handshake): the key is unambiguous. */
const keyOf = (entry: NewMessageLogEntry): string => `${entry.stationId}:${entry.messageId}`;

const isStationCall = (entry: NewMessageLogEntry): boolean => entry.direction === 'in' && entry.messageType === MessageType.CALL;

const isOurAnswer = (entry: NewMessageLogEntry): boolean =>
  entry.direction === 'out' && (entry.messageType === MessageType.CALLRESULT || entry.messageType === MessageType.CALLERROR);

export function createExchangeLog(messageLog: MessageLogRepository, maxHeld = MAX_HELD_CALLS): ExchangeLog {
  // Insertion order is arrival order: the first key is the oldest held CALL.
  const held = new Map<string, NewMessageLogEntry>();
  // The keys held per station, so that a disconnect touches its own CALLs, not all of them (up to maxHeld). A
  // station's set stays, empty, until it disconnects: most hold one CALL at a time, and a set per CALL would be an
  // allocation per message.
  const byStation = new Map<string, Set<string>>();

  function forget(key: string, stationId: string): void {
    held.delete(key);
    byStation.get(stationId)?.delete(key);
  }

  function release(key: string, call: NewMessageLogEntry): void {
    forget(key, call.stationId);
    messageLog.enqueue(call);
  }

  function releaseOldest(): void {
    const oldest = held.entries().next();
    if (oldest.done !== true) release(...oldest.value);
  }

  function hold(call: NewMessageLogEntry): void {
    const key = keyOf(call);
    const earlier = held.get(key);
    if (earlier !== undefined) release(key, earlier);
    else if (held.size >= maxHeld) releaseOldest();
    held.set(key, { ...call, createdAt: call.createdAt ?? new Date() });
    const keys = byStation.get(call.stationId);
    if (keys) keys.add(key);
    else byStation.set(call.stationId, new Set([key]));
  }

  function answer(result: NewMessageLogEntry): void {
    const key = keyOf(result);
    const call = held.get(key);
    if (call === undefined) {
      messageLog.enqueue(result);
      return;
    }
    forget(key, call.stationId);
    const { messageType, payload, payloadJson, createdAt } = result;
    messageLog.enqueue({ ...call, response: { messageType, payload, payloadJson, createdAt } });
  }

  return {
    record(entry) {
      if (isStationCall(entry)) hold(entry);
      else if (isOurAnswer(entry)) answer(entry);
      else messageLog.enqueue(entry);
    },

    releaseStation(stationId) {
      const keys = byStation.get(stationId);
      if (keys === undefined) return;
      byStation.delete(stationId);
      for (const key of keys) {
        const call = held.get(key);
        held.delete(key);
        if (call !== undefined) messageLog.enqueue(call);
      }
    },

    releaseAll() {
      for (const call of held.values()) messageLog.enqueue(call);
      held.clear();
      byStation.clear();
    },
  };
}
