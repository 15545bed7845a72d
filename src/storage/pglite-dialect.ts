/**
 * A Kysely dialect over PGlite. Ours rather than kysely-pglite-dialect, whose peer range stops before the PGlite
 * release we use. PGlite is one PostgreSQL session, so the driver hands out its single connection to one
 * user at a time: a transaction holds it from BEGIN to COMMIT and other queries wait their turn.
 *
 * Parameterised queries run as named prepared statements over PGlite's wire-protocol entry point: each statement
 * text is parsed and planned once, then every call is a single Bind/Describe/Execute/Sync exchange.
 * (PGlite's own query() re-parses and re-plans every time, which costs more than running our hot statements.)
 */
import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** FIFO lock: whoever holds it owns the PGlite session. */
class Lock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return ready;
  }
}

const CHANGES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Statement texts beyond this run unnamed (a guard against unbounded distinct SQL). */
const MAX_STATEMENTS = 500;

interface Prepared {
  name: string;
  /** Parameter type oids, to pick PGlite's serializer for each value. */
  types: number[];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

class PGliteConnection implements DatabaseConnection {
  readonly #prepared = new Map<string, Prepared>();

  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const params = query.parameters;
    const prepared = params.length > 0 ? await this.#prepare(query.sql) : undefined;
    const result = prepared
      ? await this.#execute<R>(prepared, params)
      : await this.pg.query<R>(query.sql, [...params], { rowMode: 'object' });
    const command = result.command?.toUpperCase();
    return {
      rows: result.rows,
      numAffectedRows: command && CHANGES.has(command) ? BigInt(result.rowCount ?? result.affectedRows ?? 0) : undefined,
    };
  }

  async #prepare(text: string): Promise<Prepared | undefined> {
    const known = this.#prepared.get(text);
    if (known || this.#prepared.size >= MAX_STATEMENTS) return known;
    const name = `joule_${this.#prepared.size}`;
    const { serialize } = protocol;
    const { messages } = await this.pg.execProtocol(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), {});
    const description = messages.find((m) => m.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
    const prepared = { name, types: description?.dataTypeIDs ?? [] };
    this.#prepared.set(text, prepared);
    return prepared;
  }

  async #execute<R>(prepared: Prepared, params: readonly unknown[]) {
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pg.serializers[prepared.types[i] ?? 0];
      if (serializer) return serializer(value);
      return value instanceof Date ? value.toISOString() : String(value);
    });
    const { serialize } = protocol;
    const message = concat([serialize.bind({ statement: prepared.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    const { messages } = await this.pg.execProtocol(message, {});
    const [result] = parse.parseResults(messages, this.pg.parsers, { rowMode: 'object' });
    return { rows: (result?.rows ?? []) as R[], command: result?.command, rowCount: result?.rowCount, affectedRows: result?.affectedRows };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on PGlite');
  }
}

class PGliteDriver implements Driver {
  readonly #lock = new Lock();
  readonly #connection: PGliteConnection;
  readonly #release = new WeakMap<DatabaseConnection, () => void>();

  constructor(private readonly pg: PGlite) {
    this.#connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {
    await this.pg.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#lock.acquire();
    // One connection object, so the release function is stored per acquisition.
    this.#release.set(this.#connection, release);
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = this.#release.get(connection);
    this.#release.delete(connection);
    release?.();
  }

  async destroy(): Promise<void> {
    // Wait for whoever holds the session, then close it.
    const release = await this.#lock.acquire();
    try {
      if (!this.pg.closed) await this.pg.close();
    } finally {
      release();
    }
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pg);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
