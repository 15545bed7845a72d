/** Id tokens (local and from roaming partners), keyed by (idToken, type). */
import { sql, type Selectable } from 'kysely';
import type { IdToken, TokenStatus } from '../../domain/model.ts';
import type { NewIdToken, TokenRepository } from '../../domain/ports.ts';
import type { IdTokensTable } from '../schema.ts';
import { pageOf, type Executor } from './convert.ts';
import { LookupBatcher } from './lookup-batcher.ts';

function toIdToken(row: Selectable<IdTokensTable>): IdToken {
  return {
    id: row.id,
    idToken: row.id_token,
    type: row.type,
    status: row.status as TokenStatus,
    expiry: row.expiry,
    groupId: row.group_id,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface TokenKey {
  idToken: string;
  type: string;
}

const idOfKey = (key: TokenKey) => `${key.idToken}\u0000${key.type}`;

/** The stored tokens among `keys`, in one query. */
async function readTokens(db: Executor, keys: TokenKey[]): Promise<Map<string, IdToken>> {
  const input = JSON.stringify(keys.map((k) => ({ id_token: k.idToken, type: k.type })));
  // An index probe per key: as a plain join the planner hashed the keys and read the whole table (see applyBatch
  // in transactions.ts); LIMIT keeps the lateral subquery from being flattened into that join.
  const { rows } = await sql<Selectable<IdTokensTable>>`
    select t.* from json_to_recordset(${input}::json) as k(id_token text, type text)
    cross join lateral (select * from id_tokens t where t.id_token = k.id_token and t.type = k.type limit 1) t
  `.execute(db);
  return new Map(rows.map((row) => [idOfKey({ idToken: row.id_token, type: row.type }), toIdToken(row)]));
}

export function createTokenRepository(db: Executor): TokenRepository {
  // Every Started transaction event and every Authorize looks a token up: the lookups of one turn share a query.
  const lookups = new LookupBatcher<TokenKey, IdToken>((keys) => readTokens(db, keys), idOfKey);
  return {
    get: (idToken, type) => lookups.get({ idToken, type }),

    async getById(id) {
      const row = await db.selectFrom('id_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toIdToken(row);
    },

    async findByValue(idToken) {
      const rows = await db
        .selectFrom('id_tokens')
        .selectAll()
        .where('id_token', '=', idToken)
        .orderBy(sql`source = 'local'`, 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toIdToken);
    },

    async list(filter) {
      const { limit, offset } = pageOf(filter);
      let query = db.selectFrom('id_tokens').selectAll().orderBy('id').limit(limit).offset(offset);
      if (filter?.source !== undefined) query = query.where('source', '=', filter.source);
      if (filter?.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
      return (await query.execute()).map(toIdToken);
    },

    async upsert(token: NewIdToken) {
      const values = {
        status: token.status,
        expiry: token.expiry ?? null,
        group_id: token.groupId ?? null,
        source: token.source ?? 'local',
      };
      const row = await db
        .insertInto('id_tokens')
        .values({ id_token: token.idToken, type: token.type, ...values })
        .onConflict((oc) => oc.columns(['id_token', 'type']).doUpdateSet({ ...values, updated_at: sql`now()` }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toIdToken(row);
    },

    async delete(idToken, type) {
      const result = await db.deleteFrom('id_tokens').where('id_token', '=', idToken).where('type', '=', type).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
