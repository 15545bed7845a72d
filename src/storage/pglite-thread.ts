/**
 * PGlite in a worker thread. PGlite runs every statement synchronously in the thread that calls it; in the main
 * thread that blocked the event loop (a batch of 200 events: ~50 ms without reading any socket) and left the second
 * core idle. The worker (pglite-worker.mjs) owns the PGlite instance; this proxy is what the dialect talks to.
 *
 * Protocol: the main thread posts `{ id, bytes }`, a frontend wire-protocol message (transferred, not copied); the
 * worker runs it, parses PostgreSQL's answer with PGlite's own parseResults and the type parsers, and posts back the
 * finished results (rows as plain objects, by structured clone) and the statement's parameter types, or the fields
 * of the DatabaseError, which this side rebuilds as the same DatabaseError PGlite throws (code, detail, ...).
 * Parsing in the worker rather than here: measured on this machine, parsing the raw backend bytes of a 10-column
 * row cost the main thread ~59 µs (~800 µs for 50 rows), deserialising the cloned rows ~3 µs (~80 µs).
 * Type parsers are functions, which cannot cross to a worker: the worker is told which types become numbers.
 *
 * A call resolves only after the worker's execProtocolStream returned, so a commit is in the OS before the caller
 * goes on (durability as before). The worker holds the process open only while a call is pending.
 */
import { Worker } from 'node:worker_threads';
import { messages, protocol, types, type Results } from '@electric-sql/pglite';

type Serializer = (value: unknown) => string;

/** What one wire-protocol exchange produced. */
export interface Answer {
  /** One per statement, rows in object mode. */
  results: Results[];
  /** The parameter types, when the exchange described a statement. */
  paramTypes?: number[];
}

interface Pending {
  resolve: (answer: Answer) => void;
  reject: (err: Error) => void;
}

type WorkerError = { message: string; stack?: string; database?: boolean; length?: number; fields?: Record<string, string | undefined> };
type Reply = { id: number; results?: Results[]; paramTypes?: number[]; error?: WorkerError };
type Ready = { ready: boolean; arrayTypes?: Array<{ oid: number; typarray: number }>; error?: WorkerError };

const WORKER_URL = new URL('./pglite-worker.mjs', import.meta.url);

export interface PGliteThreadOptions {
  /** Type oids whose values become numbers (Number(text)) instead of PGlite's default parsing. */
  numberTypes?: number[];
}

export class PGliteThread {
  /** PGlite's parameter serializers by type oid (they run here, where the values are). */
  readonly serializers: Record<number, Serializer> = { ...(types.serializers as Record<number, Serializer>) };

  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Set once the worker is gone (closed or crashed): every later call fails with it. */
  #dead: Error | undefined;
  #closing: Promise<void> | undefined;

  private constructor(worker: Worker, arrayTypes: Array<{ oid: number; typarray: number }>) {
    this.#worker = worker;
    // As PGlite's _initArrayTypes: an array type's serializer applies its element type's.
    for (const { oid, typarray } of arrayTypes) {
      this.serializers[typarray] = (x) => types.arraySerializer(x, this.serializers[oid], typarray);
    }
    worker.on('message', (reply: Reply) => this.#answer(reply));
    worker.on('error', (err) => this.#die(new Error(`PGlite worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.#die(new Error(`PGlite worker exited (code ${code})`)));
    worker.unref();
  }

  /** Starts the worker and opens PGlite in dataDir ('memory://' for in memory), as PGlite.create(dataDir). */
  static async create(dataDir: string, options: PGliteThreadOptions = {}): Promise<PGliteThread> {
    const worker = new Worker(WORKER_URL, { workerData: { dataDir, numberTypes: options.numberTypes ?? [] }, execArgv: workerExecArgv(process.execArgv) });
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
      return new PGliteThread(worker, ready.arrayTypes ?? []);
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
   * Runs one wire-protocol message; resolves with its results, or throws the first DatabaseError.
   * The message's buffer is transferred to the worker (detached here): pass a buffer of its own (concat()).
   */
  execProtocol(message: Uint8Array): Promise<Answer> {
    return this.#call({ bytes: message }, [message.buffer as ArrayBuffer]);
  }

  /** One statement without parameters (extended protocol, unnamed statement), as PGlite's query(text). */
  async query<R>(text: string): Promise<Results<R>> {
    const { serialize } = protocol;
    const message = concat([serialize.parse({ text }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    try {
      const { results } = await this.execProtocol(message);
      return (results[0] ?? { rows: [], fields: [] }) as Results<R>;
    } catch (err) {
      // As PGlite's query(): the error names the statement.
      if (err instanceof messages.DatabaseError) Object.assign(err, { query: text, params: [] });
      throw err;
    }
  }

  /** Statements separated by semicolons (simple protocol), as PGlite's exec(). */
  async exec(text: string): Promise<Results[]> {
    return (await this.execProtocol(concat([protocol.serialize.query(text)]))).results;
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

  #call(payload: { bytes?: Uint8Array; close?: boolean }, transfer: ArrayBuffer[]): Promise<Answer> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise<Answer>((resolve, reject) => {
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
    if (reply.error) pending.reject(toError(reply.error));
    else pending.resolve({ results: reply.results ?? [], paramTypes: reply.paramTypes });
  }

  /** The worker is gone: fail whatever still waits on it, and every later call. */
  #die(err: Error): void {
    this.#dead ??= err;
    for (const pending of this.#pending.values()) pending.reject(this.#dead);
    this.#pending.clear();
    this.#worker.unref();
  }
}

/** A PostgreSQL error becomes the DatabaseError PGlite throws; anything else an Error naming the worker. */
function toError(error: WorkerError): Error {
  if (error.database) return Object.assign(new messages.DatabaseError(error.message, error.length ?? 0, 'error'), error.fields);
  const err = new Error(`PGlite worker: ${error.message}`);
  if (error.stack) err.stack = `${err.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return err;
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
