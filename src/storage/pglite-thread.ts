/**
 * PGlite in a worker thread. PGlite runs every statement synchronously in the thread that calls it; in the main
 * thread that blocked the event loop (a batch of 200 events: ~50 ms without reading any socket) and left the second
 * core idle. The worker (pglite-worker.mjs) owns the PGlite instance; this proxy is what the dialect talks to.
 *
 * Protocol: the main thread posts `{ id, bytes }`, a frontend wire-protocol message, and the worker answers with
 * PostgreSQL's raw backend bytes; both buffers are transferred, not copied. The bytes are parsed here, with
 * PGlite's own protocol parser and parseResults, rather than in the worker, because:
 * - errors come out as the same DatabaseError objects PGlite throws (code, detail, constraint, ...), with no
 *   reconstruction across the thread boundary;
 * - the type parsers (ours and PGlite's array parsers) are functions, which cannot be sent to a worker;
 * - measured on typical results (1 to 50 rows of 10 columns), parsing the bytes costs the main thread no more than
 *   structured-clone deserialisation of the finished rows would (see the report of the change for the numbers).
 *
 * A call resolves only after the worker's execProtocolRawStream returned, so a commit is in the OS before the
 * caller goes on (durability as before). The worker holds the process open only while a call is pending.
 */
import { Worker } from 'node:worker_threads';
import { messages, parse, protocol, types, type Results } from '@electric-sql/pglite';

type BackendMessage = Parameters<typeof parse.parseResults>[0][number];
type Parser = (value: string, typeId?: number) => unknown;
type Serializer = (value: unknown) => string;

interface Pending {
  resolve: (bytes: Uint8Array) => void;
  reject: (err: Error) => void;
}

type Reply = { id: number; bytes?: Uint8Array; error?: { message: string; stack?: string } };
type Ready = { ready: boolean; arrayTypes?: Array<{ oid: number; typarray: number }>; error?: { message: string } };

const WORKER_URL = new URL('./pglite-worker.mjs', import.meta.url);

export interface PGliteThreadOptions {
  /** Parsers by type oid, over PGlite's defaults (as PGlite's own `parsers` option). */
  parsers?: Record<number, Parser>;
}

export class PGliteThread {
  readonly serializers: Record<number, Serializer> = { ...(types.serializers as Record<number, Serializer>) };
  readonly parsers: Record<number, Parser>;

  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Set once the worker is gone (closed or crashed): every later call fails with it. */
  #dead: Error | undefined;
  #closing: Promise<void> | undefined;

  private constructor(worker: Worker, options: PGliteThreadOptions, arrayTypes: Array<{ oid: number; typarray: number }>) {
    this.#worker = worker;
    this.parsers = { ...(types.parsers as Record<number, Parser>), ...options.parsers };
    // As PGlite's _initArrayTypes: an array type's (de)serializer applies its element type's.
    for (const { oid, typarray } of arrayTypes) {
      this.serializers[typarray] = (x) => types.arraySerializer(x, this.serializers[oid], typarray);
      this.parsers[typarray] = (x) => types.arrayParser(x, this.parsers[oid] as (x: string) => unknown, typarray);
    }
    worker.on('message', (reply: Reply) => this.#answer(reply));
    worker.on('error', (err) => this.#die(new Error(`PGlite worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.#die(new Error(`PGlite worker exited (code ${code})`)));
    worker.unref();
  }

  /** Starts the worker and opens PGlite in dataDir ('memory://' for in memory), as PGlite.create(dataDir). */
  static async create(dataDir: string, options: PGliteThreadOptions = {}): Promise<PGliteThread> {
    const worker = new Worker(WORKER_URL, { workerData: { dataDir }, execArgv: workerExecArgv(process.execArgv) });
    try {
      let onExit!: (code: number) => void;
      let onError!: (err: Error) => void;
      const ready = await new Promise<Ready>((resolve, reject) => {
        onError = reject;
        onExit = (code) => reject(new Error(`PGlite worker exited (code ${code}) while starting`));
        worker.once('message', resolve);
        worker.on('error', onError);
        worker.on('exit', onExit);
      }).finally(() => {
        // Only our own listeners: removeAllListeners() would also drop the Worker's internal ones (port start/ref).
        worker.off('error', onError);
        worker.off('exit', onExit);
      });
      if (!ready.ready) throw new Error(`PGlite failed to start: ${ready.error?.message}`);
      return new PGliteThread(worker, options, ready.arrayTypes ?? []);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /** The worker thread (tests end it to check that a crash fails the waiting calls). */
  get worker(): Worker {
    return this.#worker;
  }

  get closed(): boolean {
    return this.#dead !== undefined;
  }

  /**
   * Runs one wire-protocol message; resolves with the backend messages, or throws the first DatabaseError.
   * The message's buffer is transferred to the worker (detached here): pass a buffer of its own (concat()).
   */
  async execProtocol(message: Uint8Array): Promise<BackendMessage[]> {
    const bytes = await this.#call({ bytes: message }, [message.buffer as ArrayBuffer]);
    const out: BackendMessage[] = [];
    let error: Error | undefined;
    new protocol.Parser().parse(bytes, (msg) => {
      if (msg instanceof messages.DatabaseError) error ??= msg;
      else out.push(msg);
    });
    if (error) throw error;
    return out;
  }

  /** One statement without parameters (extended protocol, unnamed statement), as PGlite's query(text). */
  async query<R>(text: string, options: { rowMode?: 'object' | 'array' } = {}): Promise<Results<R>> {
    const { serialize } = protocol;
    const message = concat([serialize.parse({ text }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    try {
      const [result] = parse.parseResults(await this.execProtocol(message), this.parsers, options);
      return (result ?? { rows: [], fields: [] }) as Results<R>;
    } catch (err) {
      // As PGlite's query(): the error names the statement.
      if (err instanceof messages.DatabaseError) Object.assign(err, { query: text, params: [] });
      throw err;
    }
  }

  /** Statements separated by semicolons (simple protocol), as PGlite's exec(). */
  async exec(text: string): Promise<Results[]> {
    return parse.parseResults(await this.execProtocol(concat([protocol.serialize.query(text)])), this.parsers);
  }

  /** Closes PGlite inside the worker (flushing it to the data folder), then ends the worker. Safe to call twice. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      if (this.#dead) return;
      try {
        await this.#call({ close: true }, []);
      } finally {
        this.#die(new Error('PGlite is closed'));
        await this.#worker.terminate();
      }
    })());
  }

  #call(payload: { bytes?: Uint8Array; close?: boolean }, transfer: ArrayBuffer[]): Promise<Uint8Array> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while the database works on a call, as a call in the main thread would.
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, ...payload }, transfer);
    });
  }

  #answer(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.error) {
      const err = new Error(`PGlite worker: ${reply.error.message}`);
      if (reply.error.stack) err.stack = reply.error.stack;
      pending.reject(err);
    } else {
      pending.resolve(reply.bytes ?? new Uint8Array(0));
    }
  }

  /** The worker is gone: fail whatever still waits on it, and every later call. */
  #die(err: Error): void {
    this.#dead ??= err;
    for (const pending of this.#pending.values()) pending.reject(this.#dead);
    this.#pending.clear();
    this.#worker.unref();
  }
}

/**
 * The process's Node options for the worker (profiling flags and loaders apply there too), less those about the
 * main script given inline (`node --input-type=module -e …`), which fail in a worker that runs a file.
 */
function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^--(input-type|eval|print)=/.test(arg)) continue;
    if (['--input-type', '-e', '--eval', '-p', '--print', '-pe'].includes(arg)) {
      i++; // and its value
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Joins protocol messages into a new buffer (never one of the parts: pg-protocol returns shared constants for some). */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
