/** Locations and tariffs in storage, through the domain services: keys, EVSE assignment, last_updated bumps, status. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../../test/support/db.ts';
import { AlreadyExistsError, NotFoundError } from '../domain/errors.ts';
import { DomainEvents } from '../domain/events.ts';
import { CatalogChanges, type CatalogChange } from '../domain/locations/changes.ts';
import { CatalogConflict, InvalidCatalogInput } from '../domain/locations/errors.ts';
import type { ConnectorSpec, LocationDetails } from '../domain/locations/model.ts';
import { LocationService } from '../domain/locations/service.ts';
import { ocpiEvseStatus } from '../domain/locations/status.ts';
import type { TariffInput } from '../domain/tariffs/model.ts';
import { TariffService } from '../domain/tariffs/service.ts';
import { createLogger } from '../shared/logger.ts';
import { createRepositories } from './index.ts';

const details: LocationDetails = {
  publish: true,
  publishAllowedTo: [],
  name: 'Station square',
  address: 'Stationsplein 1',
  city: 'Utrecht',
  postalCode: '3511 ED',
  state: null,
  country: 'NLD',
  latitude: '52.089444',
  longitude: '5.110278',
  timeZone: 'Europe/Amsterdam',
  parkingType: 'PARKING_LOT',
  relatedLocations: [],
  directions: [],
  operator: { name: 'Joule' },
  suboperator: null,
  owner: null,
  facilities: ['TRAIN_STATION'],
  openingTimes: { twentyfourseven: true },
  chargingWhenClosed: null,
  images: [],
  energyMix: null,
};

const type2: Omit<ConnectorSpec, 'connectorId'> = {
  standard: 'IEC_62196_T2',
  format: 'SOCKET',
  powerType: 'AC_3_PHASE',
  maxVoltage: 230,
  maxAmperage: 32,
  maxElectricPower: 22080,
  tariffIds: [],
  termsAndConditions: null,
};

const tariffInput: TariffInput = {
  id: 'AC-1',
  countryCode: 'nl',
  partyId: 'jou',
  currency: 'EUR',
  type: 'REGULAR',
  altText: [{ language: 'en', text: '0.25/kWh' }],
  altUrl: null,
  minPrice: null,
  maxPrice: null,
  elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.25, vat: 21, stepSize: 1 }] }],
  startDateTime: null,
  endDateTime: null,
  energyMix: null,
};

forEachDatabase('locations and tariffs', async (env, t) => {
  const repos = createRepositories(await env.open());
  let clock = new Date('2026-01-01T10:00:00Z');
  const tick = (): Date => (clock = new Date(clock.getTime() + 1000));
  const changes = new CatalogChanges();
  const seen: CatalogChange[] = [];
  changes.subscribe((c) => seen.push(c));
  const logger = createLogger({ level: 'silent' });
  const locations = new LocationService({ locations: repos.locations, stations: repos.stations, tariffs: repos.tariffs, changes, logger, clock: tick });
  const tariffs = new TariffService({ tariffs: repos.tariffs, locations: repos.locations, changes, clock: tick });
  const events = new DomainEvents();
  locations.followStatus(events);

  await repos.stations.create({ id: 'CS-1' });
  await repos.stations.create({ id: 'CS-2' });

  await t.test('locations: create (party upper-cased), duplicate id refused, bad time zone refused', async () => {
    const loc = await locations.create({ id: 'LOC1', countryCode: 'nl', partyId: 'jou', ...details });
    assert.equal(loc.countryCode, 'NL');
    assert.equal(loc.partyId, 'JOU');
    assert.deepEqual(loc.openingTimes, { twentyfourseven: true });
    assert.equal(loc.timeZone, 'Europe/Amsterdam');
    await assert.rejects(locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...details }), AlreadyExistsError);
    await assert.rejects(locations.create({ id: 'LOC9', countryCode: 'NL', partyId: 'JOU', ...details, timeZone: 'Mars/Base' }), InvalidCatalogInput);
    await locations.create({ id: 'LOC2', countryCode: 'BE', partyId: 'JOU', ...details, name: null });
    assert.deepEqual(seen.map((c) => [c.type, 'locationId' in c ? c.locationId : '']), [
      ['location', 'LOC1'],
      ['location', 'LOC2'],
    ]);
  });

  await t.test('list: oldest first, party filter, last_updated window, total independent of the page', async () => {
    const all = await locations.list({});
    assert.deepEqual(all.items.map((l) => l.id), ['LOC1', 'LOC2']);
    assert.equal(all.total, 2);
    const nl = await locations.list({ countryCode: 'nl', partyId: 'JOU' });
    assert.deepEqual([nl.items.map((l) => l.id), nl.total], [['LOC1'], 1]);
    const page = await locations.list({ limit: 1, offset: 1 });
    assert.deepEqual([page.items.map((l) => l.id), page.total], [['LOC2'], 2]);
    const loc1 = all.items[0];
    assert.ok(loc1);
    const window = await locations.list({ updatedFrom: loc1.lastUpdated, updatedTo: new Date(loc1.lastUpdated.getTime() + 1) });
    assert.deepEqual(window.items.map((l) => l.id), ['LOC1']);
  });

  await t.test('EVSE: default uid and eMI3 evse_id, connectors, location last_updated bumped', async () => {
    const before = await locations.get('LOC1');
    const { view, created } = await locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 1, connectors: [{ ...type2, connectorId: 1 }] });
    assert.equal(created, true);
    assert.equal(view.evse.uid, 'CS-1-1');
    assert.equal(view.evse.evseCode, 'NL*JOU*ECS1*1');
    assert.deepEqual(
      view.connectors.map((c) => [c.connectorId, c.standard, c.maxElectricPower]),
      [[1, 'IEC_62196_T2', 22080]],
    );
    assert.equal(ocpiEvseStatus(view.evse, view.live), 'UNKNOWN', 'station offline');
    const after = await locations.get('LOC1');
    assert.ok(before && after && after.lastUpdated > before.lastUpdated);
    assert.equal(after.lastUpdated.getTime(), view.evse.lastUpdated.getTime());

    // Replacing keeps the uid; a uid of another EVSE is refused; an EVSE of another location must be removed first.
    const again = await locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 1, physicalReference: 'A', connectors: [{ ...type2, connectorId: 1 }, { ...type2, connectorId: 2, standard: 'DOMESTIC_F' }] });
    assert.deepEqual([again.created, again.view.evse.uid, again.view.evse.physicalReference, again.view.connectors.length], [false, 'CS-1-1', 'A', 2]);
    await assert.rejects(locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 2, uid: 'CS-1-1', connectors: [] }), AlreadyExistsError);
    await assert.rejects(locations.putEvse('LOC2', { stationId: 'CS-1', evseId: 1, connectors: [] }), CatalogConflict);
    await assert.rejects(locations.putEvse('LOC1', { stationId: 'CS-404', evseId: 1, connectors: [] }), NotFoundError);
    await assert.rejects(locations.putEvse('NOPE', { stationId: 'CS-1', evseId: 1, connectors: [] }), NotFoundError);
    await assert.rejects(locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 3, connectors: [{ ...type2, connectorId: 1, tariffIds: ['NOPE'] }] }), InvalidCatalogInput);
    await assert.rejects(locations.putEvse('LOC1', { stationId: 'x'.repeat(40), evseId: 1, connectors: [] }), InvalidCatalogInput);
  });

  await t.test('OCPP status and connection events bump last_updated and change the OCPI status', async () => {
    const before = await locations.getEvse('CS-1-1');
    assert.ok(before);
    await repos.stations.markConnected('CS-1', 'node', 'ocpp2.0.1', new Date());
    events.publish({ type: 'station.connected', stationId: 'CS-1', ocppVersion: 'ocpp2.0.1', at: new Date() });
    await repos.stations.updateConnectorStatus('CS-1', { evseId: 1, connectorId: 1, status: 'Occupied', at: new Date() });
    events.publish({ type: 'connector.status', stationId: 'CS-1', evseId: 1, connectorId: 1, status: 'Occupied', ocppStatus: 'Charging', at: new Date() });
    // Another station's EVSE that is not at any location: nothing to bump.
    events.publish({ type: 'connector.status', stationId: 'CS-2', evseId: 1, connectorId: 1, status: 'Available', ocppStatus: 'Available', at: new Date() });
    await locations.settled();
    const after = await locations.getEvse('CS-1-1');
    assert.ok(after && after.evse.lastUpdated > before.evse.lastUpdated);
    assert.equal(ocpiEvseStatus(after.evse, after.live), 'CHARGING');
    const loc = await locations.get('LOC1');
    assert.equal(loc?.lastUpdated.getTime(), after.evse.lastUpdated.getTime(), 'the location follows its EVSE');
    assert.deepEqual(
      seen.filter((c) => c.type === 'evse.status').map((c) => ('evseUid' in c ? c.evseUid : '')),
      ['CS-1-1', 'CS-1-1'],
    );
  });

  await t.test('assign a station: every reported EVSE gets the default connector data', async () => {
    await repos.stations.updateConnectorStatus('CS-2', { evseId: 1, connectorId: 1, status: 'Available', at: new Date() });
    await repos.stations.updateConnectorStatus('CS-2', { evseId: 2, connectorId: 1, status: 'Faulted', at: new Date() });
    const views = await locations.assignStation('LOC2', 'CS-2', type2);
    assert.deepEqual(
      views.map((v) => [v.evse.uid, v.evse.evseCode, v.connectors.map((c) => c.connectorId)]),
      [
        ['CS-2-1', 'BE*JOU*ECS2*1', [1]],
        ['CS-2-2', 'BE*JOU*ECS2*2', [1]],
      ],
    );
    await assert.rejects(locations.assignStation('LOC2', 'CS-404', type2), NotFoundError);
    const view = await locations.view('LOC2');
    assert.deepEqual(view?.evses.map((e) => e.evse.uid), ['CS-2-1', 'CS-2-2']);
  });

  await t.test('tariffs: put creates then replaces, assignment to connectors, delete takes it off them', async () => {
    const first = await tariffs.put(tariffInput);
    assert.deepEqual([first.created, first.tariff.countryCode, first.tariff.partyId], [true, 'NL', 'JOU']);
    assert.deepEqual(first.tariff.elements, tariffInput.elements);
    const second = await tariffs.put({ ...tariffInput, maxPrice: { exclVat: 50, inclVat: 60.5 }, startDateTime: new Date('2026-01-01T00:00:00Z') });
    assert.equal(second.created, false);
    assert.deepEqual(second.tariff.maxPrice, { exclVat: 50, inclVat: 60.5 });
    assert.equal(second.tariff.startDateTime?.toISOString(), '2026-01-01T00:00:00.000Z');
    assert.ok(second.tariff.lastUpdated > first.tariff.lastUpdated);
    await assert.rejects(tariffs.put({ ...tariffInput, minPrice: { exclVat: 9 }, maxPrice: { exclVat: 1 } }), InvalidCatalogInput);

    const touched = await locations.assignTariff('AC-1', [
      { stationId: 'CS-1', evseId: 1, connectorId: 2 },
      { stationId: 'CS-2', evseId: 1, connectorId: 1 },
    ]);
    assert.deepEqual(touched.map((r) => r.uid).sort(), ['CS-1-1', 'CS-2-1']);
    await locations.assignTariff('AC-1', [{ stationId: 'CS-1', evseId: 1, connectorId: 2 }]);
    const evse = await locations.getEvse('CS-1-1');
    assert.deepEqual(evse?.connectors.map((c) => c.tariffIds), [[], ['AC-1']], 'assigned once, only where asked');
    const pricing = await tariffs.forConnector({ stationId: 'CS-1', evseId: 1, connectorId: 2 });
    assert.deepEqual([pricing?.tariff?.id, pricing?.location.timeZone, pricing?.evse.uid], ['AC-1', 'Europe/Amsterdam', 'CS-1-1']);
    assert.equal((await tariffs.forConnector({ stationId: 'CS-1', evseId: 1, connectorId: 1 }))?.tariff, undefined, 'a connector without tariff');
    assert.equal(await tariffs.forConnector({ stationId: 'CS-1', evseId: 7, connectorId: 1 }), undefined, 'an EVSE at no location');
    await assert.rejects(locations.assignTariff('AC-1', [{ stationId: 'CS-1', evseId: 9, connectorId: 1 }]), NotFoundError);
    await assert.rejects(locations.assignTariff('NOPE', [{ stationId: 'CS-1', evseId: 1, connectorId: 1 }]), NotFoundError);

    const listed = await tariffs.list({ countryCode: 'NL', partyId: 'JOU' });
    assert.deepEqual([listed.items.map((x) => x.id), listed.total], [['AC-1'], 1]);

    seen.length = 0;
    assert.equal(await tariffs.delete('AC-1'), true);
    assert.equal(await tariffs.delete('AC-1'), false);
    assert.equal(await tariffs.get('AC-1'), undefined);
    const cleared = await locations.getEvse('CS-1-1');
    assert.deepEqual(cleared?.connectors.map((c) => c.tariffIds), [[], []]);
    assert.deepEqual(seen.map((c) => c.type).sort(), ['evse', 'evse', 'tariff']);
    assert.deepEqual(seen.find((c) => c.type === 'tariff'), { type: 'tariff', tariffId: 'AC-1', countryCode: 'NL', partyId: 'JOU', deleted: true, at: seen[0]?.at });
  });

  await t.test('remove an EVSE: kept as REMOVED, the location cannot be deleted, an empty one can', async () => {
    assert.equal(await locations.removeEvse('CS-2-2'), true);
    assert.equal(await locations.removeEvse('NOPE'), false);
    const removed = await locations.getEvse('CS-2-2');
    assert.ok(removed);
    assert.equal(ocpiEvseStatus(removed.evse, removed.live), 'REMOVED');
    // A removed EVSE may move to another location.
    const moved = await locations.putEvse('LOC1', { stationId: 'CS-2', evseId: 2, connectors: [{ ...type2, connectorId: 1 }] });
    assert.deepEqual([moved.view.evse.locationId, moved.view.evse.removed, moved.view.evse.uid], ['LOC1', false, 'CS-2-2']);
    await assert.rejects(locations.delete('LOC2'), CatalogConflict);
    await locations.create({ id: 'EMPTY', countryCode: 'NL', partyId: 'JOU', ...details });
    assert.equal(await locations.delete('EMPTY'), true);
    assert.equal(await locations.delete('EMPTY'), false);
  });
});
