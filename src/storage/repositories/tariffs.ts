/** Tariffs: keys, owner and currency as columns, the rest (elements, texts, bounds) as JSONB `details`. */
import { sql, type Selectable } from 'kysely';
import type { JsonObject, JsonValue } from '../../domain/model.ts';
import type { Tariff, TariffInput } from '../../domain/tariffs/model.ts';
import type { TariffListFilter, TariffRepository } from '../../domain/tariffs/ports.ts';
import type { TariffsTable } from '../schema.ts';
import { pageOf, toJson, type Executor } from './convert.ts';

type Details = Pick<Tariff, 'type' | 'altText' | 'altUrl' | 'minPrice' | 'maxPrice' | 'elements' | 'energyMix'> & {
  startDateTime: string | null;
  endDateTime: string | null;
};

function detailsOf(tariff: TariffInput): JsonValue {
  const details: Details = {
    type: tariff.type,
    altText: tariff.altText,
    altUrl: tariff.altUrl,
    minPrice: tariff.minPrice,
    maxPrice: tariff.maxPrice,
    elements: tariff.elements,
    energyMix: tariff.energyMix,
    startDateTime: tariff.startDateTime?.toISOString() ?? null,
    endDateTime: tariff.endDateTime?.toISOString() ?? null,
  };
  // Optional fields that are undefined vanish in JSON, as they should.
  return JSON.parse(JSON.stringify(details)) as JsonObject;
}

function toTariff(row: Selectable<TariffsTable>): Tariff {
  const d = row.details as unknown as Details;
  return {
    id: row.id,
    countryCode: row.country_code,
    partyId: row.party_id,
    currency: row.currency,
    type: d.type ?? null,
    altText: d.altText ?? [],
    altUrl: d.altUrl ?? null,
    minPrice: d.minPrice ?? null,
    maxPrice: d.maxPrice ?? null,
    elements: d.elements,
    energyMix: d.energyMix ?? null,
    startDateTime: d.startDateTime ? new Date(d.startDateTime) : null,
    endDateTime: d.endDateTime ? new Date(d.endDateTime) : null,
    createdAt: row.created_at,
    lastUpdated: row.last_updated,
  };
}

export function createTariffRepository(db: Executor): TariffRepository {
  return {
    async put(tariff, at) {
      const values = { country_code: tariff.countryCode, party_id: tariff.partyId, currency: tariff.currency, details: toJson(detailsOf(tariff)), last_updated: at };
      // xmax = 0 only for a freshly inserted row: tells created from replaced in one statement.
      const row = await db
        .insertInto('tariffs')
        .values({ id: tariff.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .returningAll()
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .executeTakeFirstOrThrow();
      return { tariff: toTariff(row), created: row.inserted };
    },

    async get(id) {
      const row = await db.selectFrom('tariffs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTariff(row);
    },

    async list(filter: TariffListFilter = {}) {
      const { limit, offset } = pageOf(filter);
      let query = db.selectFrom('tariffs');
      if (filter.countryCode !== undefined) query = query.where('country_code', '=', filter.countryCode.toUpperCase());
      if (filter.partyId !== undefined) query = query.where('party_id', '=', filter.partyId.toUpperCase());
      if (filter.updatedFrom !== undefined) query = query.where('last_updated', '>=', filter.updatedFrom);
      if (filter.updatedTo !== undefined) query = query.where('last_updated', '<', filter.updatedTo);
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toTariff), total: Number(count.n) };
    },

    async delete(id) {
      const result = await db.deleteFrom('tariffs').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
