/**
 * /api/v1/locations and /api/v1/tariffs end to end: strict validation, CRUD, EVSE assignment from a real station's
 * StatusNotifications, live OCPI status and last_updated bumps, tariff assignment, cost preview, OpenAPI.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RawStation, items, startApi, type TestApi } from './api-support.ts';

let api: TestApi;

before(async () => {
  api = await startApi();
});
after(async () => {
  await api.close();
});

const location = {
  id: 'LOC-1',
  countryCode: 'NL',
  partyId: 'JOU',
  name: 'Station square',
  address: 'Stationsplein 1',
  city: 'Utrecht',
  postalCode: '3511 ED',
  country: 'NLD',
  latitude: '52.089444',
  longitude: '5.110278',
  timeZone: 'Europe/Amsterdam',
  parkingType: 'PARKING_LOT',
  facilities: ['TRAIN_STATION'],
  openingTimes: { twentyfourseven: true },
};

const connector = { standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 230, maxAmperage: 32, maxElectricPower: 22080 };

const tariff = {
  countryCode: 'NL',
  partyId: 'JOU',
  currency: 'EUR',
  type: 'REGULAR',
  altText: [{ language: 'en', text: '0.25 EUR/kWh, 1 EUR start' }],
  elements: [
    {
      priceComponents: [
        { type: 'FLAT', price: 1, vat: 21, stepSize: 0 },
        { type: 'ENERGY', price: 0.25, vat: 21, stepSize: 1 },
      ],
    },
    { priceComponents: [{ type: 'PARKING_TIME', price: 6, vat: 21, stepSize: 900 }], restrictions: { startTime: '08:00', endTime: '20:00', dayOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] } },
  ],
};

async function settle(): Promise<void> {
  await api.joule.catalog.locations.settled();
}

test('location validation refuses bad input field by field and never stores it', async () => {
  const bad = await api.call('POST', '/locations', {
    body: { ...location, id: 'a/b', countryCode: 'NLD', latitude: '52,1', country: 'nl', parkingType: 'ROOF', extra: 1, timeZone: undefined },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'validation_failed');
  const fields = items(bad.body.fields).map((f) => String(f.field)).sort();
  assert.deepEqual(fields, ['country', 'countryCode', 'extra', 'id', 'latitude', 'parkingType', 'timeZone']);
  const zone = await api.call('POST', '/locations', { body: { ...location, timeZone: 'Mars/Olympus' } });
  assert.equal(zone.status, 400);
  assert.equal(items(zone.body.fields)[0]?.field, 'timeZone');
  assert.equal(items((await api.call('GET', '/locations')).body.items).length, 0);
  assert.equal((await api.call('GET', '/locations', { key: null })).status, 401);
});

test('location CRUD: create (defaults filled), duplicate 409, list, replace, delete only when empty', async () => {
  const created = await api.call('POST', '/locations', { body: location });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('location'), '/api/v1/locations/LOC-1');
  assert.equal(created.body.publish, true);
  assert.equal(created.body.chargingWhenClosed, null);
  assert.deepEqual(created.body.openingTimes, { twentyfourseven: true });
  assert.equal((await api.call('POST', '/locations', { body: location })).status, 409);

  await api.call('POST', '/locations', { body: { ...location, id: 'LOC-2', countryCode: 'BE' } });
  const list = await api.call('GET', '/locations?limit=1');
  assert.deepEqual([items(list.body.items).map((l) => l.id), list.body.nextOffset], [['LOC-1'], 1]);
  const be = await api.call('GET', '/locations?countryCode=BE');
  assert.deepEqual(items(be.body.items).map((l) => l.id), ['LOC-2']);

  const { id: _id, countryCode: _cc, partyId: _pid, ...details } = location;
  const replaced = await api.call('PUT', '/locations/LOC-2', { body: { ...details, name: 'Renamed', publish: false } });
  assert.equal(replaced.status, 200);
  assert.deepEqual([replaced.body.name, replaced.body.publish, replaced.body.countryCode], ['Renamed', false, 'BE']);
  assert.ok(String(replaced.body.lastUpdated) > String(items(be.body.items)[0]?.lastUpdated));
  assert.equal((await api.call('PUT', '/locations/NOPE', { body: details })).status, 404);

  assert.equal((await api.call('DELETE', '/locations/LOC-2')).status, 204);
  assert.equal((await api.call('GET', '/locations/LOC-2')).status, 404);
});

test('EVSEs: assign a station from its StatusNotifications, live OCPI status, last_updated follows OCPP', async () => {
  assert.equal((await api.call('POST', '/stations', { body: { id: 'CS-LOC', securityProfile: 0, registrationStatus: 'Accepted' } })).status, 201);
  const noConnectors = await api.call('POST', '/locations/LOC-1/stations', { body: { stationId: 'CS-LOC', connector } });
  assert.equal(noConnectors.status, 409);
  assert.equal(noConnectors.body.error, 'conflict');

  const station = await RawStation.connect(api.joule.port, 'CS-LOC');
  try {
    const now = new Date().toISOString();
    await station.call('StatusNotification', { timestamp: now, connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    await station.call('StatusNotification', { timestamp: now, connectorStatus: 'Available', evseId: 2, connectorId: 1 });
    await settle();

    const assigned = await api.call('POST', '/locations/LOC-1/stations', { body: { stationId: 'CS-LOC', connector } });
    assert.equal(assigned.status, 200);
    const evses = items(assigned.body.evses);
    assert.deepEqual(
      evses.map((e) => [e.uid, e.evseCode, e.status, items(e.connectors).map((c) => c.connectorId)]),
      [
        ['CS-LOC-1', 'NL*JOU*ECSLOC*1', 'AVAILABLE', [1]],
        ['CS-LOC-2', 'NL*JOU*ECSLOC*2', 'AVAILABLE', [1]],
      ],
    );

    const before = await api.call('GET', '/locations/LOC-1');
    await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await settle();
    const afterStatus = await api.call('GET', '/locations/LOC-1');
    assert.deepEqual(
      items(afterStatus.body.evses).map((e) => e.status),
      ['CHARGING', 'AVAILABLE'],
    );
    assert.ok(String(afterStatus.body.lastUpdated) > String(before.body.lastUpdated), 'location last_updated bumped by the EVSE status');
    assert.equal(items(afterStatus.body.evses)[0]?.lastUpdated, afterStatus.body.lastUpdated);
    assert.equal(items(afterStatus.body.evses)[1]?.lastUpdated, items(before.body.evses)[1]?.lastUpdated, 'the other EVSE is untouched');

    await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 2, connectorId: 1 });
    await settle();
    assert.equal((await api.call('GET', '/locations/LOC-1/evses/CS-LOC-2')).body.status, 'OUTOFORDER');
  } finally {
    await station.close();
  }
  // The disconnect is bookkept asynchronously; wait until the EVSEs report UNKNOWN.
  let status = '';
  for (let i = 0; i < 100 && status !== 'UNKNOWN'; i++) {
    await settle();
    status = String((await api.call('GET', '/locations/LOC-1/evses/CS-LOC-1')).body.status);
    if (status !== 'UNKNOWN') await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(status, 'UNKNOWN');
});

test('EVSE PUT: explicit uid and details, validation, status override, removal keeps it as REMOVED', async () => {
  const body = { stationId: 'CS-LOC', evseId: 3, evseCode: 'NL*JOU*E3', physicalReference: '3', floorLevel: '-1', connectors: [{ connectorId: 1, ...connector }, { connectorId: 2, ...connector, standard: 'DOMESTIC_F', maxAmperage: 16 }] };
  const created = await api.call('PUT', '/locations/LOC-1/evses/EVSE-3', { body });
  assert.equal(created.status, 201);
  assert.deepEqual([created.body.uid, created.body.evseCode, created.body.physicalReference, items(created.body.connectors).length], ['EVSE-3', 'NL*JOU*E3', '3', 2]);
  const replaced = await api.call('PUT', '/locations/LOC-1/evses/EVSE-3', { body: { ...body, statusOverride: 'PLANNED' } });
  assert.deepEqual([replaced.status, replaced.body.status], [200, 'PLANNED']);

  const invalid = await api.call('PUT', '/locations/LOC-1/evses/EVSE-4', {
    body: { stationId: 'CS-LOC', evseId: 0, evseCode: 'bad', connectors: [{ connectorId: 1, ...connector, format: 'PLUG' }] },
  });
  assert.equal(invalid.status, 400);
  assert.deepEqual(items(invalid.body.fields).map((f) => String(f.field)).sort(), ['connectors.0.format', 'evseCode', 'evseId']);
  const dupConnector = await api.call('PUT', '/locations/LOC-1/evses/EVSE-4', { body: { stationId: 'CS-LOC', evseId: 4, connectors: [{ connectorId: 1, ...connector }, { connectorId: 1, ...connector }] } });
  assert.equal(dupConnector.status, 400);
  const uidTaken = await api.call('PUT', '/locations/LOC-1/evses/EVSE-3', { body: { ...body, evseId: 5 } });
  assert.equal(uidTaken.status, 409);
  assert.equal((await api.call('PUT', '/locations/LOC-1/evses/X', { body: { ...body, stationId: 'NOPE' } })).status, 404);
  assert.equal((await api.call('GET', '/locations/LOC-1/evses/NOPE')).status, 404);

  assert.equal((await api.call('DELETE', '/locations/LOC-1/evses/EVSE-3')).status, 204);
  assert.equal((await api.call('GET', '/locations/LOC-1/evses/EVSE-3')).body.status, 'REMOVED');
  const del = await api.call('DELETE', '/locations/LOC-1');
  assert.deepEqual([del.status, del.body.error], [409, 'conflict']);
});

test('tariffs: create, validation, replace, list, assign to connectors, cost preview, delete', async () => {
  const invalid = await api.call('POST', '/tariffs', {
    body: { ...tariff, id: 'T1', currency: 'eur', elements: [{ priceComponents: [{ type: 'KWH', price: -1, stepSize: 1.5 }], restrictions: { startTime: '25:00', dayOfWeek: ['FUNDAY'] } }] },
  });
  assert.equal(invalid.status, 400);
  assert.deepEqual(
    items(invalid.body.fields).map((f) => String(f.field)).sort(),
    ['currency', 'elements.0.priceComponents.0.price', 'elements.0.priceComponents.0.stepSize', 'elements.0.priceComponents.0.type', 'elements.0.restrictions.dayOfWeek.0', 'elements.0.restrictions.startTime'],
  );
  const crossed = await api.call('POST', '/tariffs', { body: { ...tariff, id: 'T1', minPrice: { exclVat: 10 }, maxPrice: { exclVat: 5 } } });
  assert.deepEqual([crossed.status, items(crossed.body.fields)[0]?.field], [400, 'minPrice']);

  const created = await api.call('POST', '/tariffs', { body: { ...tariff, id: 'T1' } });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.elements, tariff.elements);
  assert.equal((await api.call('POST', '/tariffs', { body: { ...tariff, id: 'T1' } })).status, 409);
  const replaced = await api.call('PUT', '/tariffs/T1', { body: { ...tariff, maxPrice: { exclVat: 100, inclVat: 121 } } });
  assert.deepEqual([replaced.status, replaced.body.maxPrice], [200, { exclVat: 100, inclVat: 121 }]);
  assert.equal((await api.call('PUT', '/tariffs/T2', { body: tariff })).status, 201);
  assert.deepEqual(
    items((await api.call('GET', '/tariffs')).body.items).map((t) => t.id),
    ['T1', 'T2'],
  );

  const assigned = await api.call('POST', '/tariffs/T1/connectors', { body: { connectors: [{ stationId: 'CS-LOC', evseId: 1, connectorId: 1 }] } });
  assert.equal(assigned.status, 200);
  assert.deepEqual(items(items(assigned.body.evses)[0]?.connectors)[0]?.tariffIds, ['T1']);
  assert.equal((await api.call('POST', '/tariffs/T1/connectors', { body: { connectors: [{ stationId: 'CS-LOC', evseId: 9, connectorId: 1 }] } })).status, 404);
  assert.equal((await api.call('POST', '/tariffs/NOPE/connectors', { body: { connectors: [{ stationId: 'CS-LOC', evseId: 1, connectorId: 1 }] } })).status, 404);

  // Monday 2026-01-05, 18:00–19:00 local charging 11 kWh, then parked until 19:40 (parking billed until 20:00 in 15-min steps).
  const cost = await api.call('POST', '/tariffs/T1/cost', {
    body: {
      timeZone: 'Europe/Amsterdam',
      intervals: [
        { start: '2026-01-05T17:00:00Z', end: '2026-01-05T18:00:00Z', energyWh: 11000, charging: true },
        { start: '2026-01-05T18:00:00Z', end: '2026-01-05T18:40:00Z', energyWh: 0, charging: false },
      ],
    },
  });
  assert.equal(cost.status, 200);
  assert.deepEqual(cost.body.energy, { exclVat: 2.75, inclVat: 3.3275 });
  assert.deepEqual(cost.body.flat, { exclVat: 1, inclVat: 1.21 });
  assert.deepEqual(cost.body.parkingTime, { exclVat: 4.5, inclVat: 5.445 });
  assert.deepEqual(cost.body.total, { exclVat: 8.25, inclVat: 9.9825 });
  const badCost = await api.call('POST', '/tariffs/T1/cost', {
    body: { timeZone: 'Europe/Amsterdam', intervals: [{ start: '2026-01-05T18:00:00Z', end: '2026-01-05T17:00:00Z', energyWh: 1, charging: true }] },
  });
  assert.deepEqual([badCost.status, items(badCost.body.fields)[0]?.field], [400, 'intervals.0.end']);

  assert.equal((await api.call('DELETE', '/tariffs/T1')).status, 204);
  assert.equal((await api.call('DELETE', '/tariffs/T1')).status, 404);
  const evse = await api.call('GET', '/locations/LOC-1/evses/CS-LOC-1');
  assert.deepEqual(items(evse.body.connectors)[0]?.tariffIds, [], 'a deleted tariff leaves the connectors');
});

test('the OpenAPI document describes the location and tariff routes', async () => {
  const doc = await api.call('GET', '/openapi.json', { key: null });
  const paths = Object.keys(doc.body.paths ?? {});
  for (const path of ['/api/v1/locations', '/api/v1/locations/{id}', '/api/v1/locations/{id}/stations', '/api/v1/locations/{id}/evses/{uid}', '/api/v1/tariffs', '/api/v1/tariffs/{id}', '/api/v1/tariffs/{id}/connectors', '/api/v1/tariffs/{id}/cost']) {
    assert.ok(paths.includes(path), path);
  }
});
