/**
 * The leanest OCPP-J station we can write, for load generation: a TCP socket with the WebSocket handshake and
 * framing done by hand (RFC 6455), no `ws`, no JSON parsing of answers, no timer per call. The generator shares
 * the machine's two cores with the CSMS and PostgreSQL, so every microsecond it spends per message is taken from
 * the system under test; with `ws` and a parsed answer it cost ~70 µs of CPU per message.
 *
 * It still does what a station must: a real upgrade (key, accept hash and subprotocol checked), masked frames with
 * random mask keys, ping answered with pong, one CALL outstanding, and an answer accepted only when it is a
 * CALLRESULT for the message id it waits for. Anything else rejects the call. No compression: `--compression`
 * runs use the `ws` station (station.ts), which negotiates permessage-deflate.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { BenchCallError, type LoadStation } from './station.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Mask keys come from a pool of random bytes refilled when used up, instead of a random call per frame. */
const maskPool = Buffer.allocUnsafe(64 * 1024);
let maskOffset = maskPool.length;
function nextMask(): number {
  if (maskOffset + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskOffset = 0;
  }
  const key = maskPool.readUInt32BE(maskOffset);
  maskOffset += 4;
  return key;
}

/** A masked client frame (FIN set) holding `data` as its payload. */
function clientFrame(opcode: number, data: Buffer | string): Buffer {
  const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const key = nextMask();
  frame.writeUInt32BE(key, header);
  const start = header + 4;
  if (typeof data === 'string') frame.write(data, start, 'utf8');
  else data.copy(frame, start);
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  const end = start + length;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    frame[i] = frame[i]! ^ k0;
    frame[i + 1] = frame[i + 1]! ^ k1;
    frame[i + 2] = frame[i + 2]! ^ k2;
    frame[i + 3] = frame[i + 3]! ^ k3;
  }
  for (let j = 0; i < end; i += 1, j += 1) frame[i] = frame[i]! ^ (j === 0 ? k0 : j === 1 ? k1 : k2);
  return frame;
}

/** Stations with a call outstanding: one sweep a second fails those past their deadline. */
const waiting = new Set<RawStation>();
let sweeper: NodeJS.Timeout | undefined;
function watch(station: RawStation): void {
  waiting.add(station);
  if (sweeper) return;
  sweeper = setInterval(() => {
    const now = performance.now();
    for (const each of waiting) each.expire(now);
    if (waiting.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }, 1000);
  sweeper.unref();
}

interface Pending {
  /** `[3,"<id>",` as bytes: the start of the one answer that resolves the call. */
  prefix: Buffer;
  action: string;
  deadline: number;
  resolve(payload: string): void;
  reject(error: Error): void;
}

export class RawStation implements LoadStation {
  #pending: Pending | undefined;
  #received: Buffer = Buffer.alloc(0);
  #nextId = 0;
  #open = true;

  private constructor(
    readonly identity: string,
    private readonly socket: Socket,
    rest: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => {
      this.#open = false;
      this.#fail(new BenchCallError('connection closed'));
    });
    socket.on('error', () => undefined); // 'close' follows and fails the call
    if (rest.length > 0) this.#onData(rest);
  }

  /** Opens `url/identity` (ws://host:port/path) with subprotocol ocpp2.0.1 and checks the server's answer. */
  static connect(url: string, identity: string): Promise<RawStation> {
    const { hostname, port, pathname } = new URL(`${url}/${encodeURIComponent(identity)}`);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true });
      let head = Buffer.alloc(0);
      const fail = (error: Error): void => {
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new BenchCallError(`${identity}: no handshake answer within 30 s`)), 30_000);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('connect', () => {
        socket.write(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n`,
        );
      });
      const onHead = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        clearTimeout(timer);
        const lines = head.toString('latin1', 0, end).split('\r\n');
        const headers = new Map(lines.slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        if (!/^HTTP\/1\.1 101 /.test(lines[0] ?? '')) return fail(new BenchCallError(`${identity}: ${lines[0] ?? 'no status line'}`));
        if (headers.get('sec-websocket-accept') !== accept) return fail(new BenchCallError(`${identity}: wrong Sec-WebSocket-Accept`));
        if (headers.get('sec-websocket-protocol') !== 'ocpp2.0.1') return fail(new BenchCallError(`${identity}: subprotocol not ocpp2.0.1`));
        resolve(new RawStation(identity, socket, head.subarray(end + 4)));
      };
      socket.on('data', onHead);
    });
  }

  get isConnected(): boolean {
    return this.#open;
  }

  /** Sends `[2,"<id>","<action>",<payloadJson>]` and resolves with the CALLRESULT's payload text. */
  call(action: string, payloadJson: string, timeoutMs: number): Promise<string> {
    if (this.#pending) return Promise.reject(new BenchCallError('a call is already outstanding'));
    if (!this.#open) return Promise.reject(new BenchCallError('not connected'));
    const id = String((this.#nextId += 1));
    return new Promise((resolve, reject) => {
      this.#pending = { prefix: Buffer.from(`[3,"${id}",`), action, deadline: performance.now() + timeoutMs, resolve, reject };
      watch(this);
      this.socket.write(clientFrame(0x1, `[2,"${id}","${action}",${payloadJson}]`));
    });
  }

  /** Called by the sweep: fails the outstanding call when its deadline has passed. */
  expire(now: number): void {
    const pending = this.#pending;
    if (pending === undefined) waiting.delete(this);
    else if (now >= pending.deadline) this.#fail(new BenchCallError(`${pending.action}: no answer in time`));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      const status = Buffer.alloc(2);
      status.writeUInt16BE(1000);
      this.socket.end(clientFrame(0x8, status));
      setTimeout(() => this.socket.destroy(), 2000).unref();
    });
  }

  #onData(chunk: Buffer): void {
    let data = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    while (data.length >= 2) {
      // The CSMS never fragments its frames; a continuation or unfinished frame is a broken stream for this client.
      if ((data[0]! & 0x80) === 0 || (data[0]! & 0x0f) === 0) return this.#broken('fragmented frame');
      const opcode = data[0]! & 0x0f;
      let length = data[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (data.length < 4) break;
        length = data.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (data.length < 10) break;
        length = Number(data.readBigUInt64BE(2));
        offset = 10;
      }
      if (data.length < offset + length) break;
      const payload = data.subarray(offset, offset + length);
      data = data.subarray(offset + length);
      if (opcode === 0x1) this.#onText(payload);
      else if (opcode === 0x9) this.socket.write(clientFrame(0xa, payload));
      else if (opcode === 0x8) {
        this.socket.end(clientFrame(0x8, payload.subarray(0, 2)));
        break;
      }
    }
    this.#received = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
  }

  #onText(text: Buffer): void {
    const pending = this.#pending;
    // A CALL from the CSMS (`[2,`) is not used by the benchmark and left unanswered, as the `ws` station does.
    if (pending === undefined || text[1] === 0x32) return;
    const { prefix } = pending;
    if (text.length > prefix.length && text.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) {
      this.#pending = undefined;
      pending.resolve(text.toString('utf8', prefix.length, text.length - 1));
    } else this.#fail(new BenchCallError(`${pending.action}: ${text.toString('utf8', 0, Math.min(text.length, 200))}`));
  }

  #broken(reason: string): void {
    this.#fail(new BenchCallError(reason));
    this.socket.destroy();
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    pending.reject(error);
  }
}
