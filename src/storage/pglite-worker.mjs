// The PGlite worker: owns the embedded PostgreSQL (WebAssembly) in its own thread, so statements run on another
// core while the main thread reads and answers sockets. See pglite-thread.ts for the protocol and the reasons.
//
// Plain JavaScript on purpose: a worker does not inherit the tsx loader that `npm start` registers in code, and
// this file needs nothing from the TypeScript sources, so it starts the same way under `npm start`, `node --import
// tsx --test` and `tsx bench/…`, without loading tsx a second time.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** Array types, as PGlite's own _initArrayTypes reads them: the main thread builds their (de)serializers. */
const ARRAY_TYPES = `
  select b.oid, b.typarray from pg_catalog.pg_type a left join pg_catalog.pg_type b on b.oid = a.typelem
  where a.typcategory = 'A' group by b.oid, b.typarray order by b.oid`;

/** @param {Uint8Array[]} parts */
function concat(parts) {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** @param {unknown} err */
function describe(err) {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}

const port = parentPort;
if (!port) throw new Error('pglite-worker.mjs runs only as a worker thread');

let pg;
try {
  pg = await PGlite.create(workerData.dataDir);
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
      const parts = [];
      // The raw stream hands over PostgreSQL's output as it is written, without PGlite parsing it here (its plain
      // execProtocolRaw parses every message too, and keeps them). The chunks are views of wasm memory: copy.
      await pg.execProtocolRawStream(msg.bytes, { onRawData: (chunk) => void parts.push(chunk.slice()) });
      // Answer only once execProtocolRawStream returned: the WAL of a commit has been written to the OS by then.
      const bytes = concat(parts);
      port.postMessage({ id: msg.id, bytes }, [bytes.buffer]);
    } catch (err) {
      port.postMessage({ id: msg.id, error: describe(err) });
    }
  });
});
