/**
 * Load generator shared by the RPC benchmarks: N stations, each keeping exactly one CALL outstanding (the OCPP
 * rule), so the measured rate is the server's, not the generator's queueing.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  latenciesMs: Float64Array;
}

/** One station connection with subprotocol ocpp2.0.1 (permessage-deflate offered when `compression`). */
export function openSocket(url: string, compression = false): Promise<WebSocket> {
  const socket = new WebSocket(url, ['ocpp2.0.1'], { perMessageDeflate: compression, handshakeTimeout: 30_000 });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Closes the connection and resolves once it is closed. */
export function closeSocket(socket: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    socket.once('close', () => resolve());
    socket.close();
  });
}

export async function openStations(port: number, count: number, options: { compression?: boolean; path?: string } = {}): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const batch = 200; // connect in batches so the accept queue is not overrun
  for (let start = 0; start < count; start += batch) {
    const opening: Promise<WebSocket>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i += 1) {
      opening.push(openSocket(`ws://127.0.0.1:${port}${options.path ?? '/ocpp'}/BENCH${String(i).padStart(5, '0')}`, options.compression));
    }
    sockets.push(...(await Promise.all(opening)));
  }
  return sockets;
}

export async function closeStations(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map(closeSocket));
}

/** A call unanswered this long counts as an error and ends that station's loop (the run stays bounded). */
const CALL_TIMEOUT_MS = 10_000;

/** Each socket sends `action` with `payload`, waits for the answer, sends again, until `durationMs` is over. */
export async function runCalls(sockets: WebSocket[], action: string, payload: object, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const body = JSON.stringify(payload);
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let sentAt = 0;
          const finish = (): void => {
            clearTimeout(timer);
            socket.off('message', onMessage);
            socket.off('close', onClose);
            resolve();
          };
          const sendNext = (): void => {
            if (performance.now() >= deadline || socket.readyState !== WebSocket.OPEN) return finish();
            sentAt = performance.now();
            socket.send(`[2,"${randomUUID()}","${action}",${body}]`);
          };
          const onMessage = (data: Buffer): void => {
            latencies.push(performance.now() - sentAt);
            if (data[1] !== 0x33) errors += 1; // not "[3,"
            sendNext();
          };
          const onClose = (): void => {
            errors += 1;
            finish();
          };
          socket.on('message', onMessage);
          socket.on('close', onClose);
          // One timer per station for the whole run: a reply that never comes ends this station's loop.
          const timer = setTimeout(() => {
            errors += 1;
            finish();
          }, durationMs + CALL_TIMEOUT_MS);
          sendNext();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  return { calls: latencies.length, errors, seconds, latenciesMs: Float64Array.from(latencies).sort() };
}

/**
 * Every socket sends one Heartbeat (compressed when permessage-deflate was negotiated, like a real station's
 * BootNotification) and waits for its answer: an idle connection after its first exchange holds whatever zlib
 * state that exchange created. Resolves with the number of failed exchanges.
 */
export async function exchangeOnce(sockets: WebSocket[], compress: boolean): Promise<number> {
  let failed = 0;
  const batch = 500;
  for (let start = 0; start < sockets.length; start += batch) {
    await Promise.all(
      sockets.slice(start, start + batch).map(
        (socket) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              failed += 1;
              socket.off('message', onMessage);
              resolve();
            }, CALL_TIMEOUT_MS);
            const onMessage = (data: Buffer): void => {
              clearTimeout(timer);
              if (data[1] !== 0x33) failed += 1;
              resolve();
            };
            socket.once('message', onMessage);
            socket.send(`[2,"${randomUUID()}","Heartbeat",{}]`, { compress });
          }),
      ),
    );
  }
  return failed;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
