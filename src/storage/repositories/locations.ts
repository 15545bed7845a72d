/**
 * Locations, their EVSEs and connectors. Every write that changes an EVSE or connector also moves last_updated of
 * the EVSE and its location forward (never back: greatest()), so OCPI date-window pulls see the parent change.
 * Views join the live OCPP state (station connected, EVSE availability, connector statuses) read at query time.
 */
import { sql, type Selectable } from 'kysely';
import { AlreadyExistsError, NotFoundError } from '../../domain/errors.ts';
import type { Availability, ConnectorStatus, JsonValue } from '../../domain/model.ts';
import type { ConnectorFormat, EvseDetails, EvseView, Location, LocationConnector, LocationDetails, LocationEvse, PowerType } from '../../domain/locations/model.ts';
import type { EvseInput, EvseRef, LocationListFilter, LocationRepository } from '../../domain/locations/ports.ts';
import type { LocationConnectorsTable, LocationEvsesTable, LocationsTable } from '../schema.ts';
import { isUniqueViolation, pageOf, toJson, transaction, type Executor } from './convert.ts';

type StoredLocationDetails = Omit<LocationDetails, 'timeZone'>;
type StoredEvseDetails = Omit<EvseDetails, 'evseCode'>;

function locationDetailsJson(details: LocationDetails): string {
  const { timeZone: _timeZone, ...rest } = details;
  void _timeZone;
  return toJson(rest as unknown as JsonValue);
}

function toLocation(row: Selectable<LocationsTable>): Location {
  const d = row.details as unknown as StoredLocationDetails;
  return {
    id: row.id,
    countryCode: row.country_code,
    partyId: row.party_id,
    publish: d.publish,
    publishAllowedTo: d.publishAllowedTo ?? [],
    name: d.name ?? null,
    address: d.address,
    city: d.city,
    postalCode: d.postalCode ?? null,
    state: d.state ?? null,
    country: d.country,
    latitude: d.latitude,
    longitude: d.longitude,
    timeZone: row.time_zone,
    parkingType: d.parkingType ?? null,
    relatedLocations: d.relatedLocations ?? [],
    directions: d.directions ?? [],
    operator: d.operator ?? null,
    suboperator: d.suboperator ?? null,
    owner: d.owner ?? null,
    facilities: d.facilities ?? [],
    openingTimes: d.openingTimes ?? null,
    chargingWhenClosed: d.chargingWhenClosed ?? null,
    images: d.images ?? [],
    energyMix: d.energyMix ?? null,
    createdAt: row.created_at,
    lastUpdated: row.last_updated,
  };
}

function toEvse(row: Selectable<LocationEvsesTable>): LocationEvse {
  const d = row.details as unknown as StoredEvseDetails;
  return {
    uid: row.uid,
    locationId: row.location_id,
    stationId: row.station_id,
    evseId: row.evse_id,
    evseCode: row.evse_code,
    removed: row.removed,
    capabilities: d.capabilities ?? [],
    floorLevel: d.floorLevel ?? null,
    latitude: d.latitude ?? null,
    longitude: d.longitude ?? null,
    physicalReference: d.physicalReference ?? null,
    directions: d.directions ?? [],
    parkingRestrictions: d.parkingRestrictions ?? [],
    images: d.images ?? [],
    statusOverride: d.statusOverride ?? null,
    createdAt: row.created_at,
    lastUpdated: row.last_updated,
  };
}

function toConnector(row: Selectable<LocationConnectorsTable>): LocationConnector {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    standard: row.standard,
    format: row.format as ConnectorFormat,
    powerType: row.power_type as PowerType,
    maxVoltage: row.max_voltage,
    maxAmperage: row.max_amperage,
    maxElectricPower: row.max_electric_power,
    tariffIds: Array.isArray(row.tariff_ids) ? row.tariff_ids.filter((t): t is string => typeof t === 'string') : [],
    termsAndConditions: row.terms_and_conditions,
    lastUpdated: row.last_updated,
  };
}

/** EVSE rows → views: connectors and live state of all their stations in four queries. */
async function viewsOf(db: Executor, rows: Selectable<LocationEvsesTable>[]): Promise<EvseView[]> {
  if (rows.length === 0) return [];
  const stationIds = [...new Set(rows.map((r) => r.station_id))];
  const [connectors, stations, evses, live] = await Promise.all([
    db.selectFrom('location_connectors').selectAll().where('station_id', 'in', stationIds).orderBy('connector_id').execute(),
    db.selectFrom('stations').select(['id', 'connected']).where('id', 'in', stationIds).execute(),
    db.selectFrom('evses').select(['station_id', 'evse_id', 'availability']).where('station_id', 'in', stationIds).execute(),
    db.selectFrom('connectors').select(['station_id', 'evse_id', 'status']).where('station_id', 'in', stationIds).execute(),
  ]);
  const connected = new Map(stations.map((s) => [s.id, s.connected]));
  return rows.map((row) => {
    const same = (r: { station_id: string; evse_id: number }): boolean => r.station_id === row.station_id && r.evse_id === row.evse_id;
    return {
      evse: toEvse(row),
      connectors: connectors.filter(same).map(toConnector),
      live: {
        stationConnected: connected.get(row.station_id) ?? false,
        availability: (evses.find(same)?.availability ?? null) as Availability | null,
        connectorStatuses: live.filter(same).map((c) => c.status as ConnectorStatus),
      },
    };
  });
}

/** Moves last_updated of these locations forward to `at`. */
async function bumpLocations(db: Executor, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('locations')
    .set({ last_updated: sql`greatest(last_updated, ${at}::timestamptz)` })
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/** Moves last_updated of the EVSEs of these (station, evse) pairs and of their locations forward. */
async function bumpEvses(db: Executor, pairs: readonly { station_id: string; evse_id: number }[], at: Date): Promise<EvseRef[]> {
  const refs: EvseRef[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const key = `${pair.station_id}\u0000${pair.evse_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row = await db
      .updateTable('location_evses')
      .set({ last_updated: sql`greatest(last_updated, ${at}::timestamptz)` })
      .where('station_id', '=', pair.station_id)
      .where('evse_id', '=', pair.evse_id)
      .returning(['uid', 'location_id'])
      .executeTakeFirst();
    if (row) refs.push({ uid: row.uid, locationId: row.location_id });
  }
  await bumpLocations(
    db,
    refs.map((r) => r.locationId),
    at,
  );
  return refs;
}

export function createLocationRepository(db: Executor): LocationRepository {
  return {
    async create(location, at) {
      const { id, countryCode, partyId, ...details } = location;
      try {
        const row = await db
          .insertInto('locations')
          .values({ id, country_code: countryCode, party_id: partyId, time_zone: details.timeZone, details: locationDetailsJson(details), last_updated: at })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toLocation(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new AlreadyExistsError('location', id);
        throw error;
      }
    },

    async get(id) {
      const row = await db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toLocation(row);
    },

    async list(filter: LocationListFilter = {}) {
      const { limit, offset } = pageOf(filter);
      let query = db.selectFrom('locations');
      if (filter.countryCode !== undefined) query = query.where('country_code', '=', filter.countryCode.toUpperCase());
      if (filter.partyId !== undefined) query = query.where('party_id', '=', filter.partyId.toUpperCase());
      if (filter.updatedFrom !== undefined) query = query.where('last_updated', '>=', filter.updatedFrom);
      if (filter.updatedTo !== undefined) query = query.where('last_updated', '<', filter.updatedTo);
      if (filter.publishedOnly) query = query.where(sql<boolean>`(details->>'publish')::boolean`);
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toLocation), total: Number(count.n) };
    },

    async update(id, details, at) {
      const row = await db
        .updateTable('locations')
        .set({ time_zone: details.timeZone, details: locationDetailsJson(details), last_updated: sql`greatest(last_updated, ${at}::timestamptz)` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toLocation(row);
    },

    async delete(id) {
      const result = await db
        .deleteFrom('locations')
        .where('id', '=', id)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('location_evses').select('uid').where('location_id', '=', id))))
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async putEvse(evse: EvseInput, at) {
      return transaction(db, async (trx) => {
        const byUid = await trx.selectFrom('location_evses').select(['station_id', 'evse_id']).where('uid', '=', evse.uid).executeTakeFirst();
        if (byUid && (byUid.station_id !== evse.stationId || byUid.evse_id !== evse.evseId)) throw new AlreadyExistsError('EVSE uid', evse.uid);
        const previous = await trx
          .selectFrom('location_evses')
          .select('location_id')
          .where('station_id', '=', evse.stationId)
          .where('evse_id', '=', evse.evseId)
          .executeTakeFirst();
        const { uid, locationId, stationId, evseId, evseCode, connectors, ...details } = evse;
        const values = { uid, location_id: locationId, evse_code: evseCode, removed: false, details: toJson(details as unknown as JsonValue), last_updated: at };
        // Checked first: a failed statement would abort the transaction (and the caller's, when it runs in one).
        if (!(await trx.selectFrom('locations').select('id').where('id', '=', locationId).executeTakeFirst())) throw new NotFoundError('location', locationId);
        if (!(await trx.selectFrom('stations').select('id').where('id', '=', stationId).executeTakeFirst())) throw new NotFoundError('station', stationId);
        const row = await trx
          .insertInto('location_evses')
          .values({ station_id: stationId, evse_id: evseId, ...values })
          .onConflict((oc) => oc.columns(['station_id', 'evse_id']).doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.deleteFrom('location_connectors').where('station_id', '=', stationId).where('evse_id', '=', evseId).execute();
        if (connectors.length > 0) {
          await trx
            .insertInto('location_connectors')
            .values(
              connectors.map((c) => ({
                station_id: stationId,
                evse_id: evseId,
                connector_id: c.connectorId,
                standard: c.standard,
                format: c.format,
                power_type: c.powerType,
                max_voltage: c.maxVoltage,
                max_amperage: c.maxAmperage,
                max_electric_power: c.maxElectricPower,
                tariff_ids: toJson(c.tariffIds),
                terms_and_conditions: c.termsAndConditions,
                last_updated: at,
              })),
            )
            .execute();
        }
        await bumpLocations(trx, previous && previous.location_id !== locationId ? [locationId, previous.location_id] : [locationId], at);
        const [view] = await viewsOf(trx, [row]);
        if (!view) throw new Error('EVSE vanished inside its own transaction');
        return { view, created: previous === undefined, previousLocationId: previous?.location_id ?? null };
      });
    },

    async getEvse(uid) {
      const row = await db.selectFrom('location_evses').selectAll().where('uid', '=', uid).executeTakeFirst();
      return row && (await viewsOf(db, [row]))[0];
    },

    async findEvse(stationId, evseId) {
      const row = await db.selectFrom('location_evses').selectAll().where('station_id', '=', stationId).where('evse_id', '=', evseId).executeTakeFirst();
      return row && toEvse(row);
    },

    async listEvses(locationIds) {
      if (locationIds.length === 0) return [];
      const rows = await db.selectFrom('location_evses').selectAll().where('location_id', 'in', [...locationIds]).orderBy('created_at').orderBy('uid').execute();
      return viewsOf(db, rows);
    },

    async removeEvse(uid, at) {
      return transaction(db, async (trx) => {
        const row = await trx.updateTable('location_evses').set({ removed: true, last_updated: at }).where('uid', '=', uid).returning('location_id').executeTakeFirst();
        if (!row) return false;
        await bumpLocations(trx, [row.location_id], at);
        return true;
      });
    },

    async touchStation(stationId, evseId, at) {
      return transaction(db, async (trx) => {
        let query = trx.selectFrom('location_evses').select(['station_id', 'evse_id']).where('station_id', '=', stationId);
        if (evseId !== undefined) query = query.where('evse_id', '=', evseId);
        return bumpEvses(trx, await query.execute(), at);
      });
    },

    async assignTariff(tariffId, connectors, at) {
      return transaction(db, async (trx) => {
        const pairs: { station_id: string; evse_id: number }[] = [];
        for (const c of connectors) {
          const row = await trx
            .updateTable('location_connectors')
            .set({
              tariff_ids: sql`case when tariff_ids @> ${toJson([tariffId])}::jsonb then tariff_ids else tariff_ids || ${toJson([tariffId])}::jsonb end`,
              last_updated: at,
            })
            .where('station_id', '=', c.stationId)
            .where('evse_id', '=', c.evseId)
            .where('connector_id', '=', c.connectorId)
            .returning(['station_id', 'evse_id'])
            .executeTakeFirst();
          if (!row) throw new NotFoundError('connector', `${c.stationId}/${c.evseId}/${c.connectorId} (not assigned to a location)`);
          pairs.push(row);
        }
        return bumpEvses(trx, pairs, at);
      });
    },

    async unassignTariff(tariffId, at) {
      return transaction(db, async (trx) => {
        const rows = await trx
          .updateTable('location_connectors')
          .set({ tariff_ids: sql`tariff_ids - ${tariffId}::text`, last_updated: at })
          .where(sql<boolean>`tariff_ids @> ${toJson([tariffId])}::jsonb`)
          .returning(['station_id', 'evse_id'])
          .execute();
        return bumpEvses(trx, rows, at);
      });
    },
  };
}
