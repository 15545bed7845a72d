/** Shared by the Locations and Tariffs module tests: the whole app with OCPI, an eMSP registered with it, sample data. */
import assert from 'node:assert/strict';
import type { Joule } from '../../src/app.ts';
import type { ConnectorSpec, LocationDetails } from '../../src/domain/locations/model.ts';
import type { TariffInput } from '../../src/domain/tariffs/model.ts';
import type { TestDatabaseEnv } from '../support/db.ts';
import { closeAll, eventually, startApp } from '../e2e/scenario-support.ts';
import { startEmsp, type CallResult, type Emsp, type EmspVersion, type ReceivedRequest } from './support/emsp.ts';

export const PARTIES = [
  { countryCode: 'NL', partyId: 'JOU', name: 'Joule NL' },
  { countryCode: 'BE', partyId: 'OTH', name: 'Joule BE' },
];

export const DETAILS: LocationDetails = {
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
  parkingType: 'ALONG_MOTORWAY',
  relatedLocations: [],
  directions: [{ language: 'en', text: 'Behind the station' }],
  operator: { name: 'Joule' },
  suboperator: null,
  owner: null,
  facilities: ['TRAIN_STATION', 'BIKE_SHARING'],
  openingTimes: { twentyfourseven: true },
  chargingWhenClosed: null,
  images: [],
  energyMix: null,
};

export const TYPE2: Omit<ConnectorSpec, 'connectorId'> = {
  standard: 'IEC_62196_T2',
  format: 'SOCKET',
  powerType: 'AC_3_PHASE',
  maxVoltage: 230,
  maxAmperage: 32,
  maxElectricPower: 22080,
  tariffIds: [],
  termsAndConditions: null,
};

export const TARIFF: TariffInput = {
  id: 'T1',
  countryCode: 'NL',
  partyId: 'JOU',
  currency: 'EUR',
  type: 'REGULAR',
  altText: [{ language: 'en', text: '0.25/kWh' }],
  altUrl: null,
  minPrice: { exclVat: 1, inclVat: 1.21 },
  maxPrice: null,
  elements: [
    { priceComponents: [{ type: 'ENERGY', price: 0.25, vat: 21, stepSize: 1 }] },
    { priceComponents: [{ type: 'TIME', price: 2, vat: 21, stepSize: 60 }], restrictions: { minCurrent: 16, minDuration: 3600 } },
    { priceComponents: [{ type: 'FLAT', price: 5, stepSize: 0 }], restrictions: { reservation: 'RESERVATION' } },
  ],
  startDateTime: null,
  endDateTime: null,
  energyMix: null,
};

export interface Setup {
  app: Joule;
  emsp: Emsp;
  /** The URL of one of Joule's modules as the eMSP received it. */
  url(module: string): string;
  /** Closes the test's stations (scenario-support's closeAll), the eMSP and the app. */
  close(): Promise<void>;
}

/** The app (OCPI page cap `pageLimit`, two CPO parties) and an eMSP of `version` registered with it. */
export async function setup(env: TestDatabaseEnv, version: EmspVersion, pageLimit = 100): Promise<Setup> {
  const app = await startApp(env, {
    'ocpi.parties': PARTIES,
    'ocpi.pageLimit': pageLimit,
    'ocpi.outbox.retryBaseMs': 50,
    'ocpi.outbox.retryMaxMs': 200,
    'ocpi.outbox.pollMs': 100,
  });
  const emsp = await startEmsp({ versions: [version] });
  const close = async (): Promise<void> => {
    await closeAll();
    await emsp.close();
    await app.close();
  };
  try {
    const ocpi = app.ocpi;
    if (!ocpi) throw new Error('OCPI is disabled');
    const { tokenA } = await ocpi.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
    const answer = await emsp.registerWith(`http://127.0.0.1:${app.port}/ocpi/versions`, tokenA);
    assert.equal(answer.body.status_code, 1000, answer.body.status_message);
  } catch (error) {
    await close();
    throw error;
  }
  return { app, emsp, url: (module) => emsp.jouleUrl(module), close };
}

/** Follows `Link: <…>; rel="next"` from `first`, returning every page. */
export async function crawl(emsp: Emsp, first: string, headers: Record<string, string> = {}): Promise<CallResult[]> {
  const pages: CallResult[] = [];
  let next: string | undefined = first;
  while (next) {
    const page = await emsp.call('GET', next, undefined, { headers });
    assert.equal(page.status, 200);
    assert.equal(page.body.status_code, 1000);
    pages.push(page);
    next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1];
    assert.ok(pages.length < 50, 'the crawl ends');
  }
  return pages;
}

export const ids = (page: CallResult): string[] => (page.body.data as { id: string }[]).map((x) => x.id);

/** The requests the eMSP got on `path` (e.g. a response_url), waiting until there are `count`. */
export async function received(s: Setup, path: string, count = 1): Promise<ReceivedRequest[]> {
  return eventually(() => {
    const found = s.emsp.received.filter((r) => r.path === path);
    return found.length >= count ? found : undefined;
  }, `${count} request(s) to ${path}`);
}

/** Location LOC1 with EVSE 1 of `stationId` (one Type 2 connector); returns the EVSE's uid. */
export async function publish(s: Setup, stationId: string): Promise<string> {
  await s.app.catalog.locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  const { view } = await s.app.catalog.locations.putEvse('LOC1', { stationId, evseId: 1, connectors: [{ ...TYPE2, connectorId: 1 }] });
  return view.evse.uid;
}
