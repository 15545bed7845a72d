/**
 * Helpers for the OCPP-J conformance suite (Part 4 §4): a REAL OcppGateway on an http server at 127.0.0.1:0 with
 * the REAL schema validator and real handlers, and raw `ws` stations that send literal text and read the exact
 * frames the server writes. Nothing of Joule is mocked here.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import type { OcppGatewayOptions } from '../../src/gateway/gateway.ts';
import { OcppGateway } from '../../src/gateway/gateway.ts';
import type { StationAccess } from '../../src/gateway/types.ts';
import type { ViolationEvent } from '../../src/protocol/endpoint.ts';
import { RpcError } from '../../src/protocol/errors.ts';
import { HandlerRegistry } from '../../src/protocol/handlers.ts';
import { createSchemaValidator } from '../../src/protocol/schemas/validator.ts';
import type { JsonObject, OcppVersion } from '../../src/protocol/types.ts';
import type { PayloadValidator, Strictness } from '../../src/protocol/validator.ts';
import type { Logger } from '../../src/shared/logger.ts';
import { silentLogger } from '../../src/shared/logger.ts';

export const VERSIONS = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const satisfies readonly OcppVersion[];

/** Fixed so that CALLRESULT frames can be compared exactly. */
export const NOW = '2025-01-23T12:00:00.000Z';
/** What a throwing handler's Error says; it must never reach the wire. */
export const SECRET = 'db password hunter2 at 10.0.0.7:5432';

/** Wire spelling of the codes that differ per version (OCPP-J 1.6 errata §5.1/5.2: "do not fix"). */
export function wire(version: OcppVersion, code: 'FormatViolation' | 'OccurrenceConstraintViolation' | 'RpcFrameworkError' | 'MessageTypeNotSupported'): string {
  if (version !== 'ocpp1.6') return code;
  if (code === 'OccurrenceConstraintViolation') return 'OccurenceConstraintViolation';
  // 1.6 has neither RpcFrameworkError nor MessageTypeNotSupported: a frame that is not an RPC message
  // "does not conform the PDU structure", which 1.6 calls FormationViolation.
  return 'FormationViolation';
}

let validator: PayloadValidator | undefined;

/** The real validator, compiled once per test file (each file runs in its own process). */
export function conformanceValidator(): PayloadValidator {
  validator ??= createSchemaValidator();
  return validator;
}

// ------------------------------------------------------------------ handlers

export interface HandledCall {
  version: OcppVersion;
  action: string;
  messageId: string;
  payload: JsonObject;
}

export interface ConformanceHandlers {
  registry: HandlerRegistry;
  /** Every payload a handler was given, in order. */
  handled: HandledCall[];
  /** DataTransfer with vendorId 'slow' waits until this is called. */
  release(): void;
}

/**
 * Heartbeat, BootNotification and DataTransfer on every version; NotifyPeriodicEventStream (a SEND) on 2.1.
 * Authorize and StatusNotification have no handler (NotSupported). DataTransfer's vendorId picks a behaviour:
 * 'throw' (Error with SECRET), 'reject' (async), 'security' (RpcError SecurityError), 'rpc:<code>' (RpcError),
 * 'long' (RpcError with a 1000-char description), 'bad-response' (schema-invalid answer), 'slow' (waits for release()).
 */
export function conformanceHandlers(): ConformanceHandlers {
  const registry = new HandlerRegistry();
  const handled: HandledCall[] = [];
  let gate: { promise: Promise<void>; open: () => void } = newGate();
  const record = (version: OcppVersion, action: string, payload: JsonObject, messageId: string): void => {
    handled.push({ version, action, messageId, payload });
  };
  for (const version of VERSIONS) {
    registry.onRaw(version, 'Heartbeat', (payload, ctx) => {
      record(version, 'Heartbeat', payload, ctx.messageId);
      return { currentTime: NOW };
    });
    registry.onRaw(version, 'BootNotification', (payload, ctx) => {
      record(version, 'BootNotification', payload, ctx.messageId);
      return { status: 'Accepted', currentTime: NOW, interval: 300 };
    });
    registry.onRaw(version, 'DataTransfer', (payload, ctx) => {
      record(version, 'DataTransfer', payload, ctx.messageId);
      const vendor = String(payload.vendorId);
      if (vendor === 'throw') throw new Error(SECRET);
      if (vendor === 'reject') return Promise.reject(new Error(SECRET));
      if (vendor === 'security') throw new RpcError('SecurityError', 'Not allowed for this station');
      if (vendor === 'long') throw new RpcError('GenericError', 'x'.repeat(1000));
      if (vendor.startsWith('rpc:')) throw new RpcError(vendor.slice(4) as RpcError['code'], `raised ${vendor.slice(4)}`);
      if (vendor === 'bad-response') return { status: 'Maybe' };
      if (vendor === 'slow') return gate.promise.then(() => ({ status: 'Accepted' }));
      return { status: 'Accepted' };
    });
  }
  registry.onRaw('ocpp2.1', 'NotifyPeriodicEventStream', (payload, ctx) => {
    record('ocpp2.1', 'NotifyPeriodicEventStream', payload, ctx.messageId);
    return {};
  });
  return {
    registry,
    handled,
    release() {
      gate.open();
      gate = newGate();
    },
  };
}

function newGate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

// ------------------------------------------------------------------ log capture

export interface CapturedLog {
  logger: Logger;
  /** Parsed pino lines. */
  lines: Array<Record<string, unknown> & { msg?: string; level?: number }>;
  /** Lines whose message contains `text`. */
  find(text: string): Array<Record<string, unknown>>;
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as CapturedLog['lines'][number]) });
  return { logger, lines, find: (text) => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(text)) };
}

// ------------------------------------------------------------------ server

export interface ServerOptions extends Partial<OcppGatewayOptions> {
  /** Per-station strictness by identity prefix, e.g. { 'LENIENT-': 'lenient' }. */
  strictnessByPrefix?: Record<string, Strictness>;
  /** Log to a capture instead of nowhere. */
  capture?: boolean;
}

export interface ConformanceServer {
  gateway: OcppGateway;
  handlers: ConformanceHandlers;
  violations: ViolationEvent[];
  log: CapturedLog | undefined;
  url(identity: string): string;
  /** Opens a raw station speaking exactly `version`. */
  connect(identity: string, version: OcppVersion): Promise<RawStation>;
  close(): Promise<void>;
}

/** Starts a gateway on a fresh http server at 127.0.0.1:0 that admits any identity (security profile 0). */
export async function startServer(options: ServerOptions = {}): Promise<ConformanceServer> {
  const { strictnessByPrefix = {}, capture = false, ...rest } = options;
  const handlers = conformanceHandlers();
  const violations: ViolationEvent[] = [];
  const log = capture ? captureLog() : undefined;
  const lookup = async (identity: string): Promise<StationAccess> => {
    const prefix = Object.keys(strictnessByPrefix).find((p) => identity.startsWith(p));
    return { securityProfile: 0, ...(prefix !== undefined ? { strictness: strictnessByPrefix[prefix] } : {}) };
  };
  const gateway = new OcppGateway({
    lookup,
    validator: conformanceValidator(),
    handlers: handlers.registry,
    logger: log?.logger ?? silentLogger(),
    pingIntervalMs: 0,
    onViolation: (event) => violations.push(event),
    ...rest,
  });
  const server = http.createServer();
  gateway.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = (identity: string): string => `ws://127.0.0.1:${port}/ocpp/${encodeURIComponent(identity)}`;
  return {
    gateway,
    handlers,
    violations,
    log,
    url,
    connect: (identity, version) => RawStation.open(url(identity), version),
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ------------------------------------------------------------------ raw station

export type WireFrame = unknown[];

interface Waiter {
  resolve: (frame: WireFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A station that writes literal text and reads every frame the server sends, in order. Each received message
 * must be a JSON array (anything else fails the test at once).
 */
export class RawStation {
  private readonly inbox: WireFrame[] = [];
  private readonly waiters: Waiter[] = [];
  /** Raw text of every message received, in order. */
  readonly texts: string[] = [];
  readonly closedPromise: Promise<{ code: number; reason: string }>;
  private problem: Error | undefined;
  private closedError: Error | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString('utf8');
      this.texts.push(text);
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        this.fail(new Error(`server sent invalid JSON: ${text.slice(0, 200)}`));
        return;
      }
      if (isBinary || !Array.isArray(frame)) {
        this.fail(new Error(`server sent a non-array or binary message: ${text.slice(0, 200)}`));
        return;
      }
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      } else this.inbox.push(frame);
    });
    this.closedPromise = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.fail(new Error(`connection closed (${code} ${reason.toString()})`), false);
      }),
    );
    ws.on('error', () => undefined);
  }

  static open(url: string, version: OcppVersion): Promise<RawStation> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, version);
      ws.once('open', () => {
        if (ws.protocol !== version) reject(new Error(`negotiated ${ws.protocol}, wanted ${version}`));
        else resolve(new RawStation(ws));
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends literal text (no encoding on our side). */
  sendText(text: string): void {
    this.ws.send(text);
  }

  /** Sends JSON.stringify(frame). */
  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The next frame the server sends; fails after `timeoutMs`. */
  next(timeoutMs = 3000): Promise<WireFrame> {
    if (this.problem) return Promise.reject(this.problem);
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no frame from the server within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends `text` (string: literal; anything else: JSON) and returns the next frame. */
  async request(message: unknown, timeoutMs = 3000): Promise<WireFrame> {
    if (typeof message === 'string') this.sendText(message);
    else this.send(message);
    return this.next(timeoutMs);
  }

  /** Asserts that the server sends nothing for `ms`. */
  async expectNone(ms = 300, what = 'no frame'): Promise<void> {
    const early = this.inbox.shift();
    assert.equal(early, undefined, `${what}: got ${JSON.stringify(early)}`);
    const got = await this.next(ms).then(
      (frame) => frame,
      () => undefined,
    );
    assert.equal(got, undefined, `${what}: got ${JSON.stringify(got)}`);
  }

  /** Number of frames received but not read yet. */
  get pending(): number {
    return this.inbox.length;
  }

  /** Sends a Heartbeat and checks the exact answer: the connection still works. */
  async heartbeat(id = `hb-${Math.random().toString(36).slice(2, 10)}`): Promise<void> {
    assert.deepEqual(await this.request([2, id, 'Heartbeat', {}]), [3, id, { currentTime: NOW }]);
  }

  /** Closes from our side and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.close();
      await this.closedPromise;
    }
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): Promise<{ code: number; reason: string }> {
    this.ws.terminate();
    return this.closedPromise;
  }

  /** A protocol problem fails every read; a close fails only reads that would wait (queued frames stay readable). */
  private fail(error: Error, sticky = true): void {
    if (sticky) this.problem ??= error;
    else this.closedError = error;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

// ------------------------------------------------------------------ frame assertions

/**
 * Checks a CALLERROR (or CALLRESULTERROR with type 5) exactly: 5 elements, the id, the wire spelling of the code,
 * a description of at most 255 characters that is well-formed UTF-16, and `details` ({} unless given).
 * Returns the description for further checks.
 */
export function assertCallError(frame: WireFrame, id: string, code: string, options: { type?: 4 | 5; details?: object } = {}): string {
  const description = frame[3];
  assert.equal(typeof description, 'string', `ErrorDescription must be a string: ${JSON.stringify(frame)}`);
  const text = description as string;
  assert.deepEqual(frame, [options.type ?? 4, id, code, text, options.details ?? {}]);
  assert.ok(text.length <= 255, `ErrorDescription has ${text.length} > 255 characters`);
  assert.ok(isWellFormed(text), `ErrorDescription contains a lone surrogate: ${JSON.stringify(text.slice(-4))}`);
  return text;
}

/** No lone surrogates (String.prototype.isWellFormed is ES2024, beyond our lib setting). */
export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** RFC 4122 version 4, variant 10xx. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ------------------------------------------------------------------ process hygiene

export interface ProcessWatch {
  /** Unhandled rejections and MaxListenersExceeded (or other) warnings seen since start. */
  readonly problems: string[];
  /** Waits a few event-loop turns so late rejections surface, removes the listeners, asserts none. */
  check(): Promise<void>;
}

/** Fails the test on any unhandledRejection or process warning (e.g. MaxListenersExceededWarning). */
export function watchProcess(): ProcessWatch {
  const problems: string[] = [];
  const onRejection = (reason: unknown): void => void problems.push(`unhandledRejection: ${String(reason)}`);
  const onWarning = (warning: Error): void => {
    if (warning.name !== 'ExperimentalWarning') problems.push(`${warning.name}: ${warning.message}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('warning', onWarning);
  return {
    problems,
    async check() {
      for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.off('unhandledRejection', onRejection);
      process.off('warning', onWarning);
      assert.deepEqual(problems, []);
    },
  };
}

/** Waits until `condition` holds (e.g. the server saw something a moment after the client did). */
export async function until(condition: () => boolean, message: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, message);
    await delay(5);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with how a promise settled, never rejects. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
