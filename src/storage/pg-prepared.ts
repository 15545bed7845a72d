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

function wrap(client: pg.PoolClient): PostgresPoolClient {
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

export function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}
