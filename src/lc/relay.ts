/**
 * One station behind the Local Controller: its WebSocket to the LC and the LC's WebSocket to the CSMS for it
 * (Part 4 §6.2), relayed both ways.
 *
 * - Every message is relayed as the exact bytes received (the `ws` Buffer, sent as a text frame again): message
 *   ids, key order, whitespace and signed payloads (§7) stay as they were. Frames are parsed only to be observed
 *   and to route replies; nothing is re-serialised. Binary frames are relayed as binary frames.
 * - The station's replies to the LC's own CALLs are consumed here (§6.4 item 2); CSMS CALLs and LC CALLs share
 *   the station's single outstanding-CALL slot (downlink.ts).
 * - Connection loss (§6.3): when either socket closes, the other one is closed (with the same close code when it
 *   is one that may be sent, otherwise 1001).
 * - Each hop has its own ping (keepalive.ts); permessage-deflate is negotiated per hop and does not touch the
 *   message bytes.
 */
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import type { Frame } from '../protocol/frame.ts';
import { parseFrame } from '../protocol/frame.ts';
import type { JsonObject, OcppVersion } from '../protocol/types.ts';
import { MessageType, isOcppVersion } from '../protocol/types.ts';
import type { Logger } from '../shared/logger.ts';
import { Downlink } from './downlink.ts';
import type { Keepalive } from './keepalive.ts';
import { startKeepalive } from './keepalive.ts';
import type { Observation, PendingStationCall } from './observe.ts';
import { observeCsmsResult, observeStationCall, readThroughSignature, versionFromBoot } from './observe.ts';

/** One message seen by the relay, for logs and tests. `relayed` is false for replies to the LC's own CALLs. */
export interface RelayFrame {
  identity: string;
  from: 'station' | 'csms' | 'lc';
  text: string;
  relayed: boolean;
}

export interface RelaySettings {
  lcCallTimeoutMs: number;
  csmsCallExpiryMs: number;
  maxQueuedLcCalls: number;
  pingIntervalMs: number;
  /** Station-side messages at least this long are sent compressed when the station negotiated it. */
  stationCompressThreshold: number;
  logger: Logger;
  onFrame?: (frame: RelayFrame) => void;
}

export interface RelayEvents {
  observed(relay: StationRelay, observation: Observation): void;
  closed(relay: StationRelay, code: number, reason: string): void;
}

/** What the upstream socket delivered before the station's handshake was complete. */
export interface EarlyUpstream {
  messages: Array<{ data: Buffer; isBinary: boolean }>;
  closed: { code: number; reason: string } | undefined;
}

/** Close codes a peer may send in a close frame (RFC 6455 §7.4.1; 1004-1006 and 1015 are reserved). */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Most station CALLs are answered at once; this bounds the memory of a CSMS that never answers. */
const MAX_PENDING_STATION_CALLS = 64;

export class StationRelay {
  readonly downlink: Downlink;
  private versionKnown: OcppVersion | undefined;
  private readonly pending = new Map<string, PendingStationCall>();
  private readonly keepalives: Keepalive[] = [];
  private ended = false;

  constructor(
    readonly identity: string,
    /** The negotiated subprotocol ('' when the CSMS used a fallback version for a station that offered none). */
    readonly protocol: string,
    private readonly station: WebSocket,
    private readonly upstream: WebSocket,
    private readonly settings: RelaySettings,
    private readonly events: RelayEvents,
  ) {
    this.versionKnown = isOcppVersion(protocol) ? protocol : undefined;
    this.downlink = new Downlink({
      identity,
      send: (data) => this.sendToStation(data, false),
      csmsCallExpiryMs: settings.csmsCallExpiryMs,
      maxQueuedLcCalls: settings.maxQueuedLcCalls,
      onLcCall: (_id, _action, text) => settings.onFrame?.({ identity, from: 'lc', text, relayed: false }),
    });
  }

  get version(): OcppVersion | undefined {
    return this.versionKnown;
  }

  /** Wires both sockets; `early` is what the CSMS sent while the station's handshake was completing. */
  start(early: EarlyUpstream): void {
    const { station, upstream } = this;
    station.on('message', (data: RawData, isBinary: boolean) => this.fromStation(toBuffer(data), isBinary));
    station.on('close', (code: number, reason: Buffer) => this.end('station', code, reason.toString('utf8')));
    station.on('error', (error: Error) => this.settings.logger.warn({ station: this.identity, err: error }, 'station socket error'));
    for (const message of early.messages) this.fromCsms(message.data, message.isBinary);
    if (early.closed) {
      this.end('csms', early.closed.code, early.closed.reason);
      return;
    }
    upstream.on('message', (data: RawData, isBinary: boolean) => this.fromCsms(toBuffer(data), isBinary));
    upstream.on('close', (code: number, reason: Buffer) => this.end('csms', code, reason.toString('utf8')));
    const interval = this.settings.pingIntervalMs;
    const dead = (side: string) => () => this.settings.logger.warn({ station: this.identity, side }, 'no pong: dropping the connection');
    this.keepalives.push(startKeepalive(station, interval, dead('station')), startKeepalive(upstream, interval, dead('csms')));
  }

  /** The LC's own CALL to this station (§6.4). */
  call(action: string, payload: JsonObject, timeoutMs = this.settings.lcCallTimeoutMs): Promise<JsonObject> {
    return this.downlink.call(action, payload, timeoutMs);
  }

  /** Closes both hops (LC shutdown). */
  close(code: number, reason: string): void {
    this.end('lc', code, reason);
  }

  // ------------------------------------------------------------------ station → CSMS

  private fromStation(data: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    if (isBinary) {
      this.upstream.send(data, { binary: true });
      return;
    }
    const text = data.toString('utf8');
    const { type, id, frame } = read(text, this.versionKnown);
    if (id !== undefined && type !== undefined && this.downlink.fromStation(type, id, frame)) {
      this.settings.onFrame?.({ identity: this.identity, from: 'station', text, relayed: false });
      return;
    }
    this.upstream.send(data, { binary: false });
    this.settings.onFrame?.({ identity: this.identity, from: 'station', text, relayed: true });
    if (frame?.type !== MessageType.CALL) return;
    const call = readThroughSignature(frame.action, frame.payload);
    if (call.action === 'BootNotification') this.versionKnown ??= versionFromBoot(call.payload);
    if (this.pending.size >= MAX_PENDING_STATION_CALLS) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(frame.id, call);
    for (const observation of observeStationCall(call)) this.events.observed(this, observation);
  }

  // ------------------------------------------------------------------ CSMS → station

  private fromCsms(data: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    if (isBinary) {
      this.sendToStation(data, true);
      return;
    }
    const text = data.toString('utf8');
    const { type, id, frame } = read(text, this.versionKnown);
    this.settings.onFrame?.({ identity: this.identity, from: 'csms', text, relayed: true });
    if (type === MessageType.CALL && id !== undefined) {
      this.downlink.fromCsms(id, data);
      return;
    }
    this.sendToStation(data, false);
    if (id === undefined || (type !== MessageType.CALLRESULT && type !== MessageType.CALLERROR)) return;
    const call = this.pending.get(id);
    this.pending.delete(id);
    if (call === undefined || frame?.type !== MessageType.CALLRESULT) return;
    for (const observation of observeCsmsResult(call, frame.payload)) this.events.observed(this, observation);
  }

  private sendToStation(data: Buffer | string, binary: boolean): void {
    const length = typeof data === 'string' ? data.length : data.byteLength;
    this.station.send(data, { binary, compress: length >= this.settings.stationCompressThreshold });
  }

  // ------------------------------------------------------------------ loss (§6.3)

  private end(side: 'station' | 'csms' | 'lc', code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const keepalive of this.keepalives) keepalive.stop();
    this.downlink.close(side === 'lc' ? reason : `${side} connection closed`);
    this.pending.clear();
    const forwardCode = sendableCloseCode(code) ? code : 1001;
    const forwardReason = sendableCloseCode(code) ? reason : side === 'csms' ? 'CSMS connection lost' : 'Charging Station connection lost';
    this.settings.logger.info({ station: this.identity, side, code, reason }, 'connection closed: closing the other hop');
    if (side !== 'station') closeSocket(this.station, forwardCode, forwardReason);
    if (side !== 'csms') closeSocket(this.upstream, forwardCode, forwardReason);
    this.events.closed(this, code, reason);
  }
}

function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === socket.OPEN) socket.close(code, reason);
  else if (socket.readyState === socket.CONNECTING) socket.terminate();
}

/** Type and id of a message (also of a malformed one, when readable), and the frame when it is well-formed. */
function read(text: string, version: OcppVersion | undefined): { type: number | undefined; id: string | undefined; frame: Frame | undefined } {
  // Unknown version: read with 2.1's rules, which know every message type.
  const parsed = parseFrame(text, version ?? 'ocpp2.1');
  if (parsed.ok) return { type: parsed.frame.type, id: parsed.frame.id, frame: parsed.frame };
  const { fault } = parsed;
  return { type: fault.messageType, id: fault.id === '-1' ? undefined : fault.id, frame: undefined };
}
