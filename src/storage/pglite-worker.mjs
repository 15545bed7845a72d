// The PGlite worker: owns the embedded PostgreSQL (WebAssembly) in its own thread, so statements run on another
// core while the main thread reads and answers sockets. See pglite-thread.ts for the protocol and the reasons.
//
// Plain JavaScript on purpose: a worker does not inherit the tsx loader that `npm start` registers in code, and
// this file needs nothing from the TypeScript sources, so it starts the same way under `npm start`, `node --import
// tsx --test` and `tsx bench/…`, without loading tsx a second time.
import { parentPort, workerData } from 'node:worker_threads';
import { messages, parse, PGlite } from '@electric-sql/pglite';

/** Array types, as PGlite's own _initArrayTypes reads them: the main thread builds their serializers. */
const ARRAY_TYPES = `
  select b.oid, b.typarray from pg_catalog.pg_type a left join pg_catalog.pg_type b on b.oid = a.typelem
  where a.typcategory = 'A' group by b.oid, b.typarray order by b.oid`;

/** The fields of a DatabaseError, which structured clone would drop (it keeps only message and stack). */
const ERROR_FIELDS = ['severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'];

/** @param {unknown} err */
function describe(err) {
  if (err instanceof messages.DatabaseError) {
    const fields = Object.fromEntries(ERROR_FIELDS.map((key) => [key, err[key]]));
    return { database: true, message: err.message, length: err.length, fields };
  }
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}

const port = parentPort;
if (!port) throw new Error('pglite-worker.mjs runs only as a worker thread');

/** @type {PGlite} */
let pg;
try {
  /** @type {Record<number, (value: string) => unknown>} */
  const parsers = {};
  for (const oid of workerData.numberTypes ?? []) parsers[oid] = Number;
  pg = await PGlite.create(workerData.dataDir, { parsers });
  const { rows } = await pg.query(ARRAY_TYPES);
  port.postMessage({ ready: true, arrayTypes: rows });
} catch (err) {
  port.postMessage({ ready: false, error: describe(err) });
  process.exit(1);
}

/** One call at a time, in arrival order (the main thread's lock already sends them one by one). */
let queue = Promise.resolve();

port.on('message', (/** @type {{ id: number, bytes?: Uint8Array, close?: boolean }} */ msg) => {
  queue = queue.then(async () => {
    try {
      if (msg.close) {
        if (!pg.closed) await pg.close();
        port.postMessage({ id: msg.id });
        return;
      }
      // Throws the first DatabaseError of the exchange, as PGlite's execProtocol does.
      const backend = await pg.execProtocolStream(msg.bytes);
      // Answer only once execProtocolStream returned: the WAL of a commit has been written to the OS by then.
      const paramTypes = backend.find((m) => m.name === 'parameterDescription')?.dataTypeIDs;
      port.postMessage({ id: msg.id, results: parse.parseResults(backend, pg.parsers, { rowMode: 'object' }), paramTypes });
    } catch (err) {
      port.postMessage({ id: msg.id, error: describe(err) });
    }
  });
});
