/**
 * Helpers for the REST API end-to-end tests: the real app on an in-memory database, an HTTP client with the
 * API key, a raw OCPP-J station on `ws` (tests need exact control over answers, errors and silence), a webhook
 * receiver and an SSE reader.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { startJoule, type Joule, type JouleOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/shared/config.ts';

export interface TestApi {
  joule: Joule;
  base: string;
  key: string;
  /** fetch under /api/v1 with the API key (or `key: null` for none, or another key). */
  call(method: string, path: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON (undefined for an empty body). */
  body: JsonBody;
}

/** What the tests read from responses: any property path can be followed; assertions check the values. */
export interface JsonBody {
  readonly [key: string]: JsonBody;
}

/** A JSON array in a response, as an array. */
export function items(value: JsonBody | undefined): JsonBody[] {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value as JsonBody[];
}

/**
 * Starts the app (in-memory PGlite unless `overrides` say otherwise). `apiKey`: the key of another node on the same
 * database, which creates no initial key of its own.
 */
export async function startApi(overrides: Record<string, unknown> = {}, options: JouleOptions = {}, apiKey?: string): Promise<TestApi> {
  const config = loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', 'storage.dataDir': 'memory://', 'log.level': 'silent', 'ocpp.pingIntervalMs': 0, ...overrides },
  });
  const joule = await startJoule(config, options);
  const key = apiKey ?? joule.initialApiKey;
  if (!key) throw new Error('a fresh database should create the initial API key');
  const base = `http://127.0.0.1:${joule.port}`;
  const call: TestApi['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const useKey = options.key === undefined ? key : options.key;
    if (useKey !== null) headers.authorization = `Bearer ${useKey}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as JsonBody };
  };
  return { joule, base, key, call, close: () => joule.close() };
}

export type CallAnswer = { result: Record<string, unknown> } | { error: { code: string; description: string } } | 'silence';

/** A station speaking raw OCPP-J over ws: answers the CSMS's CALLs with `answer`. */
export class RawStation {
  readonly calls: { action: string; payload: Record<string, unknown> }[] = [];
  private pending = new Map<string, (payload: unknown) => void>();
  private nextId = 1;

  private constructor(
    readonly ws: WebSocket,
    private answer: (action: string, payload: Record<string, unknown>) => CallAnswer,
  ) {
    ws.on('message', (data) => this.onMessage(String(data)));
  }

  static async connect(
    port: number,
    identity: string,
    options: { password?: string; protocol?: string; answer?: (action: string, payload: Record<string, unknown>) => CallAnswer } = {},
  ): Promise<RawStation> {
    const headers: Record<string, string> = {};
    if (options.password !== undefined) headers.authorization = `Basic ${Buffer.from(`${identity}:${options.password}`).toString('base64')}`;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ocpp/${encodeURIComponent(identity)}`, [options.protocol ?? 'ocpp2.0.1'], { headers });
    const station = new RawStation(ws, options.answer ?? (() => ({ error: { code: 'NotImplemented', description: 'no handler' } })));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
    });
    return station;
  }

  setAnswer(answer: (action: string, payload: Record<string, unknown>) => CallAnswer): void {
    this.answer = answer;
  }

  /** Sends a CALL to the CSMS and resolves with the CALLRESULT payload. */
  call(action: string, payload: Record<string, unknown>): Promise<unknown> {
    const id = `s${this.nextId++}`;
    const result = new Promise<unknown>((resolve) => this.pending.set(id, resolve));
    this.ws.send(JSON.stringify([2, id, action, payload]));
    return result;
  }

  private onMessage(text: string): void {
    const frame = JSON.parse(text) as unknown[];
    if (frame[0] === 2) {
      const [, id, action, payload] = frame as [number, string, string, Record<string, unknown>];
      this.calls.push({ action, payload });
      const answer = this.answer(action, payload);
      if (answer === 'silence') return;
      if ('result' in answer) this.ws.send(JSON.stringify([3, id, answer.result]));
      else this.ws.send(JSON.stringify([4, id, answer.error.code, answer.error.description, {}]));
    } else if (frame[0] === 3 || frame[0] === 4) {
      const resolve = this.pending.get(String(frame[1]));
      this.pending.delete(String(frame[1]));
      resolve?.(frame[0] === 3 ? frame[2] : { error: frame[2] });
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, 'close');
    this.ws.close(1000);
    await closed;
  }
}

export interface Delivery {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A local webhook receiver. */
export async function webhookServer(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += String(chunk)));
    req.on('end', () => {
      deliveries.push({ method: req.method ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/joule?secret=s3cr3t`, deliveries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Reads a text/event-stream response into events. */
export class SseReader {
  readonly events: { event: string; data: unknown }[] = [];
  readonly comments: string[] = [];
  private buffer = '';
  private waiters: (() => void)[] = [];
  private readonly controller = new AbortController();
  status = 0;
  contentType = '';

  static async open(url: string, key: string): Promise<SseReader> {
    const reader = new SseReader();
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: reader.controller.signal });
    reader.status = response.status;
    reader.contentType = response.headers.get('content-type') ?? '';
    if (response.body) void reader.pump(response.body);
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) !== -1) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          this.parse(block);
        }
      }
    } catch {
      // aborted
    }
  }

  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trim());
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits until an event matches (or the timeout passes). */
  async waitFor(match: (e: { event: string; data: unknown }) => boolean, timeoutMs = 5000): Promise<{ event: string; data: unknown }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for at least `n` comment lines (keep-alives). */
  async waitForComments(n: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.comments.length < n) {
      if (Date.now() > deadline) throw new Error(`fewer than ${n} comments within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.controller.abort();
  }
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
