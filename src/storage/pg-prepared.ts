/**
 * A pg pool for Kysely's PostgresDialect whose clients run parameterised queries as named prepared statements.
 * PostgreSQL then parses and plans each statement text once per connection instead of on every call; for the
 * multi-CTE writes of the hot path planning costs several times the execution.
 */
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** Per connection; statement texts beyond this run unnamed (a guard against unbounded distinct SQL). */
const MAX_STATEMENTS = 500;

const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();

function wrap(client: pg.PoolClient, onLost: (error: Error) => void): PostgresPoolClient {
  // The pool listens for errors only while a client is idle. A server that drops a checked-out connection between
  // two queries (a restart, pg_terminate_backend) makes pg emit 'error' on the client: unhandled, that ends the
  // process. The work on it fails on its own (its next query is rejected) and the pool discards the client.
  client.on('error', onLost);
  const names = new Map<string, string>();
  const wrapper = {
    query<R>(text: string, values: readonly unknown[]): Promise<PostgresQueryResult<R>> {
      // Without parameters: DDL, BEGIN/COMMIT and the like, nothing worth preparing.
      if (values.length === 0) return client.query(text) as unknown as Promise<PostgresQueryResult<R>>;
      let name = names.get(text);
      if (name === undefined && names.size < MAX_STATEMENTS) {
        name = `joule_${names.size}`;
        names.set(text, name);
      }
      const config = { text, values: values as unknown[], ...(name ? { name } : {}) };
      return client.query(config) as unknown as Promise<PostgresQueryResult<R>>;
    },
    release: () => client.release(),
  };
  return wrapper as unknown as PostgresPoolClient;
}

/** `onLost`: told when the server drops a connection that is checked out. */
export function preparingPool(pool: pg.Pool, onLost: (error: Error) => void = () => undefined): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client, onLost)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}
