/**
 * What goes down to one station: the CSMS's CALLs (relayed byte for byte) and the Local Controller's own CALLs
 * (Part 4 §6.4), merged so that the station never has more than one CALL outstanding from "its CSMS" (§4.1.1).
 * To the station, the LC and the CSMS behind it are one peer.
 *
 * Rules:
 * - a CSMS CALL goes out at once unless an LC CALL is outstanding or queued before it; then it waits (FIFO);
 * - an LC CALL goes out only when no CALL of either kind is outstanding at the station;
 * - a station reply whose id is the outstanding LC CALL's is consumed here and never relayed (§6.4 item 2), as
 *   is a late reply to an LC CALL that already timed out; every other reply is relayed to the CSMS;
 * - a CSMS CALL the station never answers stops blocking LC CALLs after `csmsCallExpiryMs` (the CSMS gave up on
 *   it too by then);
 * - an LC CALL's timeout counts from when it was queued, like RpcEndpoint's.
 * Replies from the CSMS (to the station's CALLs) and 2.1 SENDs never wait: the one-outstanding rule is per
 * direction and they are not CALLs of this direction.
 */
import type { Frame } from '../protocol/frame.ts';
import { serializeCall } from '../protocol/frame.ts';
import { CallTimeoutError, OfflineError, QueueFullError, RpcError, parseWireErrorCode } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/types.ts';
import { MessageType } from '../protocol/types.ts';
import { RecentIds, newLcMessageId } from './message-ids.ts';

export interface DownlinkOptions {
  identity: string;
  /** Writes one message to the station, unchanged. */
  send(data: Buffer | string): void;
  csmsCallExpiryMs: number;
  maxQueuedLcCalls: number;
  /** Called with every LC CALL text as it goes out (logging, tests). */
  onLcCall?(id: string, action: string, text: string): void;
}

interface LcCall {
  id: string;
  action: string;
  text: string;
  timer: NodeJS.Timeout;
  resolve(payload: JsonObject): void;
  reject(error: Error): void;
}

type Item = { kind: 'csms'; id: string; data: Buffer } | { kind: 'lc'; call: LcCall };

export class Downlink {
  private readonly queue: Item[] = [];
  private lcOutstanding: LcCall | undefined;
  /** CSMS CALLs sent to the station and not answered yet, with their expiry timers. */
  private readonly csmsOutstanding = new Map<string, NodeJS.Timeout>();
  /** Ids the CSMS used on this connection: an LC id must never equal one (§6.4 item 1). */
  private readonly csmsIds = new RecentIds(1024);
  /** LC CALLs that timed out: their late replies are still consumed, never relayed. */
  private readonly expiredLcIds = new RecentIds(64);
  private closedReason: string | undefined;

  constructor(private readonly options: DownlinkOptions) {}

  /** True while a CSMS CALL or an LC CALL is waiting for the station's reply. */
  get busy(): boolean {
    return this.lcOutstanding !== undefined || this.csmsOutstanding.size > 0;
  }

  /** A CALL from the CSMS: relayed now or after the outstanding LC CALL. */
  fromCsms(id: string, data: Buffer): void {
    if (this.closedReason !== undefined) return;
    this.csmsIds.add(id);
    if (this.queue.length === 0 && this.lcOutstanding === undefined) this.sendCsms(id, data);
    else this.queue.push({ kind: 'csms', id, data });
  }

  /** The LC's own CALL to the station; resolves with the CALLRESULT payload, rejects like RpcEndpoint.call. */
  call(action: string, payload: JsonObject, timeoutMs: number): Promise<JsonObject> {
    if (this.closedReason !== undefined) return Promise.reject(new OfflineError(this.options.identity, this.closedReason));
    const waiting = this.queue.filter((item) => item.kind === 'lc').length;
    if (waiting >= this.options.maxQueuedLcCalls) return Promise.reject(new QueueFullError(this.options.identity, this.options.maxQueuedLcCalls));
    return new Promise<JsonObject>((resolve, reject) => {
      const id = newLcMessageId((candidate) => this.csmsIds.has(candidate) || this.csmsOutstanding.has(candidate));
      const call: LcCall = {
        id,
        action,
        text: serializeCall(id, action, payload),
        timer: setTimeout(() => this.onLcTimeout(call, timeoutMs), timeoutMs),
        resolve,
        reject,
      };
      this.queue.push({ kind: 'lc', call });
      this.pump();
    });
  }

  /**
   * A CALLRESULT or CALLERROR from the station (`frame` undefined when it was malformed). Returns true when it
   * answered an LC CALL (consumed: §6.4 item 2 forbids relaying it), false when it must be relayed to the CSMS.
   */
  fromStation(type: number, id: string, frame: Frame | undefined): boolean {
    if (type !== MessageType.CALLRESULT && type !== MessageType.CALLERROR) return false;
    const lc = this.lcOutstanding;
    if (lc !== undefined && lc.id === id) {
      this.lcOutstanding = undefined;
      clearTimeout(lc.timer);
      if (frame?.type === MessageType.CALLRESULT) lc.resolve(frame.payload);
      else if (frame?.type === MessageType.CALLERROR) lc.reject(new RpcError(parseWireErrorCode(frame.code), frame.description, frame.details));
      else lc.reject(new RpcError('FormatViolation', `malformed reply to ${lc.action}`));
      this.pump();
      return true;
    }
    if (this.expiredLcIds.has(id)) {
      this.expiredLcIds.delete(id);
      return true;
    }
    const timer = this.csmsOutstanding.get(id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.csmsOutstanding.delete(id);
      this.pump();
    }
    return false;
  }

  /** The connection is gone: LC CALLs fail with OfflineError, queued CSMS CALLs are dropped (as on a direct link). */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const error = new OfflineError(this.options.identity, reason);
    for (const timer of this.csmsOutstanding.values()) clearTimeout(timer);
    this.csmsOutstanding.clear();
    const calls = this.queue.flatMap((item) => (item.kind === 'lc' ? [item.call] : []));
    if (this.lcOutstanding) calls.push(this.lcOutstanding);
    this.lcOutstanding = undefined;
    this.queue.length = 0;
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(error);
    }
  }

  private sendCsms(id: string, data: Buffer): void {
    const previous = this.csmsOutstanding.get(id);
    if (previous !== undefined) clearTimeout(previous);
    this.csmsOutstanding.set(
      id,
      setTimeout(() => {
        this.csmsOutstanding.delete(id);
        this.pump();
      }, this.options.csmsCallExpiryMs),
    );
    this.options.send(data);
  }

  private pump(): void {
    while (this.closedReason === undefined && this.lcOutstanding === undefined) {
      const head = this.queue[0];
      if (head === undefined) return;
      if (head.kind === 'csms') {
        this.queue.shift();
        this.sendCsms(head.id, head.data);
        continue;
      }
      if (this.csmsOutstanding.size > 0) return;
      this.queue.shift();
      this.lcOutstanding = head.call;
      this.options.onLcCall?.(head.call.id, head.call.action, head.call.text);
      this.options.send(head.call.text);
    }
  }

  private onLcTimeout(call: LcCall, timeoutMs: number): void {
    if (this.lcOutstanding === call) {
      this.lcOutstanding = undefined;
      this.expiredLcIds.add(call.id);
    } else {
      const index = this.queue.findIndex((item) => item.kind === 'lc' && item.call === call);
      if (index >= 0) this.queue.splice(index, 1);
    }
    call.reject(new CallTimeoutError(call.action, timeoutMs));
    this.pump();
  }
}
