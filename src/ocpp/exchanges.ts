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

const isStationCall = (entry: NewMessageLogEntry): boolean => entry.direction === 'in' && entry.messageType === MessageType.CALL;

const isOurAnswer = (entry: NewMessageLogEntry): boolean =>
  entry.direction === 'out' && (entry.messageType === MessageType.CALLRESULT || entry.messageType === MessageType.CALLERROR);

/**
 * A station's held CALLs, in arrival order. OCPP lets a station have one CALL of its own outstanding, so the oldest
 * sits in a slot that is reused message after message: holding and taking it allocate nothing, whereas a map per
 * station reallocated its table on almost every set and delete (~20 % of what Joule promoted to the old generation
 * under load). Later CALLs, from a station that does not wait for our answers, queue in a map behind it (a map keeps
 * insertion order) and move up to the slot when it empties.
 */
class StationCalls {
  /** The oldest held CALL; undefined only when none is held. */
  call: NewMessageLogEntry | undefined = undefined;
  others: Map<string, NewMessageLogEntry> | undefined = undefined;

  get size(): number {
    return (this.call === undefined ? 0 : 1) + (this.others?.size ?? 0);
  }

  take(messageId: string): NewMessageLogEntry | undefined {
    const call = this.call;
    if (call !== undefined && call.messageId === messageId) {
      this.call = this.#nextOther();
      return call;
    }
    const other = this.others?.get(messageId);
    if (other !== undefined) this.others!.delete(messageId);
    return other;
  }

  put(call: NewMessageLogEntry): void {
    if (this.call === undefined) this.call = call;
    else (this.others ??= new Map()).set(call.messageId, call);
  }

  /** The held CALLs, oldest first. */
  all(): NewMessageLogEntry[] {
    return this.call === undefined ? [] : [this.call, ...(this.others?.values() ?? [])];
  }

  #nextOther(): NewMessageLogEntry | undefined {
    const next = this.others?.values().next();
    if (next === undefined || next.done === true) return undefined;
    this.others!.delete(next.value.messageId);
    return next.value;
  }
}

export function createExchangeLog(messageLog: MessageLogRepository, maxHeld = MAX_HELD_CALLS): ExchangeLog {
  /** By station identity; a station's entry stays, empty, until its connection closes. */
  const held = new Map<string, StationCalls>();
  let heldCount = 0;

  function take(calls: StationCalls, messageId: string): NewMessageLogEntry | undefined {
    const call = calls.take(messageId);
    if (call !== undefined) heldCount -= 1;
    return call;
  }

  /** Over the bound: the oldest held CALL of all stations goes unpaired (rare; a scan of the stations is fine). */
  function releaseOldest(): void {
    let oldest: { calls: StationCalls; call: NewMessageLogEntry; at: number } | undefined;
    for (const calls of held.values()) {
      const call = calls.call;
      if (call === undefined) continue;
      const at = call.createdAt?.getTime() ?? 0;
      if (oldest === undefined || at < oldest.at) oldest = { calls, call, at };
    }
    const call = oldest && take(oldest.calls, oldest.call.messageId);
    if (call !== undefined) messageLog.enqueue(call);
  }

  function hold(call: NewMessageLogEntry): void {
    let calls = held.get(call.stationId);
    if (calls === undefined) held.set(call.stationId, (calls = new StationCalls()));
    const earlier = take(calls, call.messageId);
    if (earlier !== undefined) messageLog.enqueue(earlier);
    else if (heldCount >= maxHeld) releaseOldest();
    calls.put(call.createdAt === undefined ? { ...call, createdAt: new Date() } : call);
    heldCount += 1;
  }

  function answer(result: NewMessageLogEntry): void {
    const calls = held.get(result.stationId);
    const call = calls && take(calls, result.messageId);
    if (call === undefined) {
      messageLog.enqueue(result);
      return;
    }
    const { messageType, payload, payloadJson, createdAt } = result;
    // Written out, not `{ ...call, response }`: V8 allocated the spread's copy straight in the old generation, so
    // every answered CALL left ~300 bytes there for a major collection (half of what Joule promoted under load).
    const { stationId, direction, messageId, action } = call;
    messageLog.enqueue({
      stationId,
      direction,
      messageType: call.messageType,
      messageId,
      action,
      payload: call.payload,
      payloadJson: call.payloadJson,
      createdAt: call.createdAt,
      response: { messageType, payload, payloadJson, createdAt },
    });
  }

  return {
    record(entry) {
      if (isStationCall(entry)) hold(entry);
      else if (isOurAnswer(entry)) answer(entry);
      else messageLog.enqueue(entry);
    },

    releaseStation(stationId) {
      const calls = held.get(stationId);
      if (calls === undefined) return;
      held.delete(stationId);
      heldCount -= calls.size;
      for (const call of calls.all()) messageLog.enqueue(call);
    },

    releaseAll() {
      for (const calls of held.values()) for (const call of calls.all()) messageLog.enqueue(call);
      held.clear();
      heldCount = 0;
    },
  };
}
