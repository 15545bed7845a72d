/**
 * A station for load generation over `ws`: one WebSocket, one CALL outstanding, frames built by hand and no schema
 * validation; answers parsed and checked (a CALLERROR, a mismatched id or a timeout rejects the call). Used by
 * `--compression` runs, since it negotiates permessage-deflate; plain runs use the cheaper raw-station.ts.
 * src/station's StationClient (validation, queueing, reconnects) is the simulator for correctness.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { closeSocket, openSocket } from './load.ts';

export class BenchCallError extends Error {}

/** What the benchmark needs of a station: one CALL at a time, payloads as JSON text both ways. */
export interface LoadStation {
  readonly identity: string;
  readonly isConnected: boolean;
  /** Sends the CALL and resolves with the CALLRESULT's payload as JSON text; a CALLERROR or timeout rejects. */
  call(action: string, payloadJson: string, timeoutMs: number): Promise<string>;
  close(): Promise<void>;
}

interface Pending {
  id: string;
  resolve(payload: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class BenchStation implements LoadStation {
  #pending: Pending | undefined;

  private constructor(
    readonly identity: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data: Buffer) => this.#onMessage(data));
    socket.on('close', () => this.#fail(new BenchCallError('connection closed')));
  }

  /** Opens the connection (subprotocol ocpp2.0.1; permessage-deflate offered when `compression`). */
  static async connect(url: string, identity: string, options: { compression?: boolean } = {}): Promise<BenchStation> {
    return new BenchStation(identity, await openSocket(`${url}/${encodeURIComponent(identity)}`, options.compression));
  }

  get isConnected(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  call(action: string, payloadJson: string, timeoutMs: number): Promise<string> {
    if (this.#pending) return Promise.reject(new BenchCallError('a call is already outstanding'));
    if (!this.isConnected) return Promise.reject(new BenchCallError('not connected'));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new BenchCallError(`${action}: no answer within ${timeoutMs} ms`)), timeoutMs);
      this.#pending = { id, resolve, reject, timer };
      this.socket.send(`[2,"${id}","${action}",${payloadJson}]`);
    });
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }

  #onMessage(data: Buffer): void {
    const pending = this.#pending;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      return this.#fail(new BenchCallError('unparsable frame'));
    }
    if (!Array.isArray(frame) || !pending || frame[1] !== pending.id) return; // a CALL from the CSMS: not used here
    this.#pending = undefined;
    clearTimeout(pending.timer);
    if (frame[0] === 3) pending.resolve(JSON.stringify(frame[2]));
    else pending.reject(new BenchCallError(`CALLERROR ${String(frame[2])}: ${String(frame[3])}`));
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    pending.reject(error);
  }
}
