/** Operator API keys, stored as SHA-256 hashes only. */
import { sql, type Selectable } from 'kysely';
import type { ApiKey } from '../../domain/model.ts';
import type { ApiKeyRepository } from '../../domain/ports.ts';
import type { ApiKeysTable } from '../schema.ts';
import type { Executor } from './convert.ts';

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return { id: row.id, name: row.name, hash: row.hash, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

/** uuid columns reject malformed text with an error; an id that is not a uuid simply matches nothing. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createApiKeyRepository(db: Executor): ApiKeyRepository {
  return {
    async create(key) {
      const row = await db.insertInto('api_keys').values({ name: key.name, hash: key.hash }).returningAll().executeTakeFirstOrThrow();
      return toApiKey(row);
    },

    async findByHash(hash) {
      const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && toApiKey(row);
    },

    async markUsed(id, at) {
      if (!UUID.test(id)) return;
      await db.updateTable('api_keys').set({ last_used_at: sql`greatest(last_used_at, ${at}::timestamptz)` }).where('id', '=', id).execute();
    },

    async list() {
      return (await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute()).map(toApiKey);
    },

    async delete(id) {
      if (!UUID.test(id)) return false;
      const result = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async count() {
      const row = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
