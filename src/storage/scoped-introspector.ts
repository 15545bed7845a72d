/**
 * Introspection limited to Joule's own schema, for Kysely's Migrator (the only user of db.introspection here).
 *
 * Kysely's PostgreSQL introspector lists every table of every schema and calls name-based functions
 * (has_schema_privilege, pg_get_serial_sequence) on each. When another schema on the same server is dropped while
 * that query runs (several Joule instances or test runs sharing one PostgreSQL), the query fails with
 * `schema "…" does not exist` and the migration aborts. These queries read pg_catalog by OID for our schema only.
 */
import { sql, type DatabaseIntrospector, type DatabaseMetadata, type Dialect, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

export class ScopedIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string;

  constructor(db: Kysely<unknown>, schema: string) {
    this.#db = db;
    this.#schema = schema;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ nspname: string }>`select nspname from pg_catalog.pg_namespace where nspname = ${this.#schema}`.execute(this.#db);
    return rows.map((row) => ({ name: row.nspname }));
  }

  /** Tables and views of our schema, without columns (the Migrator needs names only). */
  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ relname: string; relkind: string }>`
      select c.relname, c.relkind from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${this.#schema} and c.relkind in ('r', 'p', 'v', 'm')
      order by c.relname`.execute(this.#db);
    return rows.map((row) => ({ name: row.relname, schema: this.#schema, isView: row.relkind === 'v' || row.relkind === 'm', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** The same dialect, with introspection scoped to `schema`. */
export function withScopedIntrospection(dialect: Dialect, schema: string): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => dialect.createDriver(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => new ScopedIntrospector(db, schema),
  };
}
