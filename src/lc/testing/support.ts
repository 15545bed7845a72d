/**
 * Test support for the Local Controller's end-to-end tests (test/e2e/lc-*.test.ts): real StationClients, an LC on
 * 127.0.0.1, a raw recording station, and cleanup of everything a test made.
 */
import type { ClientOptions, RawData } from 'ws';
import WebSocket from 'ws';
import { createSchemaValidator } from '../../protocol/schemas/validator.ts';
import type { OcppVersion } from '../../protocol/types.ts';
import type { PayloadValidator } from '../../protocol/validator.ts';
import { StationClient } from '../../station/client.ts';
import type { StationClientOptions } from '../../station/options.ts';
import { LocalController } from '../controller.ts';
import type { LocalControllerOptions } from '../options.ts';

let validator: PayloadValidator | undefined;

/** The real schema validator, compiled once per test process. */
export function schemaValidator(): PayloadValidator {
  validator ??= createSchemaValidator();
  return validator;
}

const cleanups: Array<() => Promise<void>> = [];

/** Closes every station, raw station and LC made by this module (use in afterEach). */
export async function cleanup(): Promise<void> {
  const all = cleanups.splice(0).reverse();
  for (const close of all) await close().catch(() => undefined);
}

/** A real StationClient with test-friendly back-off; not connected yet. */
export function station<V extends OcppVersion>(url: string, identity: string, protocols: V[], extra: Partial<StationClientOptions<V>> = {}): StationClient<V> {
  const client = new StationClient<V>({
    url,
    identity,
    protocols,
    validator: schemaValidator(),
    backoff: { waitMinimumS: 0.05, randomRangeS: 0, repeatTimes: 2 },
    random: () => 0,
    ...extra,
  });
  cleanups.push(() => client.close());
  return client;
}

/** An LC listening on 127.0.0.1 (port chosen by the OS); `url` is its OCPP-J endpoint for stations. */
export async function startLc(options: LocalControllerOptions): Promise<{ lc: LocalController; url: string }> {
  const lc = new LocalController({ pingIntervalMs: 0, ...options });
  const port = await lc.listen(0, '127.0.0.1');
  cleanups.push(() => lc.close());
  return { lc, url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/ocpp` };
}

/** A station made of a bare `ws` client: sends and records exact texts. */
export class RawStation {
  readonly received: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
    socket.on('error', () => undefined);
    socket.on('message', (data: RawData) => {
      this.received.push(String(data));
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  /** Opens `url`/`path`; resolves once open, rejects with the HTTP status text when refused. */
  static open(url: string, protocols: string[], options: ClientOptions = {}): Promise<RawStation> {
    const socket = new WebSocket(url, protocols, options);
    const station = new RawStation(socket);
    cleanups.push(async () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(station));
      socket.once('unexpected-response', (_request, response) => {
        const challenge = response.headers['www-authenticate'];
        reject(new Error(`HTTP ${response.statusCode}${challenge ? ` ${challenge}` : ''}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Waits until `count` texts have been received. */
  async receivedCount(count: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for message ${count}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.received.slice(0, count);
  }
}

/** Polls until `condition` holds. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
