/**
 * Local smart charging through the Local Controller (OCPP-J Part 4 §6.1: "preventing the group to use more
 * energy than available at the location"), end to end: the real Joule CSMS, the LC with a 22 kW site limit, three
 * real stations (two 2.0.1, one 1.6). The LC learns about sessions from the TransactionEvent / StartTransaction /
 * StopTransaction frames it relays and sends each station a station-wide maximum profile of its own (§6.4). The
 * stations record every limit they receive; at no moment may the limits they hold add up to more than the site
 * limit, while sessions start and stop.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Joule } from '../../src/app.ts';
import { startJoule } from '../../src/app.ts';
import type { CallHandler, HandlerLookup } from '../../src/protocol/endpoint.ts';
import type { JsonObject, OcppVersion } from '../../src/protocol/types.ts';
import { loadConfig } from '../../src/shared/config.ts';
import { hashPassword } from '../../src/shared/password.ts';
import type { StationClient } from '../../src/station/client.ts';
import { cleanup, startLc, station, until } from '../../src/lc/testing/support.ts';

const PASSWORD = 'site-password-0123456789';
const SITE_W = 22_000;
const NOW = (): string => new Date().toISOString();

let joule: Joule;

before(async () => {
  joule = await startJoule(
    loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', 'storage.dataDir': 'memory://', 'log.level': 'silent', 'ocpp.allowUnknownStations': true } }),
  );
  for (const id of ['SITE-1', 'SITE-2', 'SITE-3']) {
    await joule.repos.stations.create({ id, securityProfile: 1, passwordHash: await hashPassword(PASSWORD, { N: 1024 }), registrationStatus: 'Accepted' });
  }
});
after(() => joule.close());
afterEach(cleanup);

/** What the stations hold: the last limit each received, and every sum of them seen at any moment. */
class SiteMonitor {
  readonly held = new Map<string, number>();
  readonly sums: number[] = [];
  readonly problems: string[] = [];

  handlers(identity: string): HandlerLookup {
    const setChargingProfile: CallHandler = async (payload, context) => {
      const limit = this.read(identity, context.version, payload);
      if (limit !== undefined) {
        this.held.set(identity, limit);
        const sum = [...this.held.values()].reduce((a, b) => a + b, 0);
        this.sums.push(sum);
        if (sum > SITE_W + 1e-6) this.problems.push(`sum ${sum} W > site limit after ${identity} got ${limit}`);
      }
      // Answer after a random moment, so changes to different stations overlap.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      return { status: 'Accepted' };
    };
    return { resolve: (_version, action) => (action === 'SetChargingProfile' ? setChargingProfile : undefined) };
  }

  /** The limit of a version-appropriate station-wide maximum profile; anything else is a problem. */
  private read(identity: string, version: OcppVersion, payload: JsonObject): number | undefined {
    const v16 = version === 'ocpp1.6';
    const profile = (v16 ? payload.csChargingProfiles : payload.chargingProfile) as JsonObject | undefined;
    const where = v16 ? payload.connectorId : payload.evseId;
    const purpose = v16 ? 'ChargePointMaxProfile' : 'ChargingStationMaxProfile';
    if (!profile || where !== 0 || profile.chargingProfilePurpose !== purpose) {
      this.problems.push(`${identity}: unexpected profile ${JSON.stringify(payload)}`);
      return undefined;
    }
    const schedule = (v16 ? profile.chargingSchedule : (profile.chargingSchedule as JsonObject[])[0]) as JsonObject;
    if (schedule.chargingRateUnit !== 'W') this.problems.push(`${identity}: unit ${String(schedule.chargingRateUnit)}`);
    return ((schedule.chargingSchedulePeriod as JsonObject[])[0] as JsonObject).limit as number;
  }

  is(expected: Record<string, number>): boolean {
    return Object.entries(expected).every(([identity, limit]) => Math.abs((this.held.get(identity) ?? -1) - limit) < 0.11);
  }
}

function txEvent(eventType: 'Started' | 'Ended', transactionId: string, evseId: number, seqNo: number): JsonObject {
  return {
    eventType,
    timestamp: NOW(),
    triggerReason: eventType === 'Started' ? 'CablePluggedIn' : 'EVCommunicationLost',
    seqNo,
    transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
    evse: { id: evseId, connectorId: 1 },
  };
}

describe('LC site limit (Part 4 §6.1)', () => {
  it('shares 22 kW among the sessions of three stations; the limits held never add up to more', async () => {
    const monitor = new SiteMonitor();
    const { lc, url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${joule.port}/ocpp`, siteLimit: { limit: SITE_W, unit: 'W' } });
    const committed: number[] = [];
    const sample = setInterval(() => committed.push(lc.balancer.committedTenths() / 10), 2);
    const make = <V extends OcppVersion>(id: string, version: V): StationClient<V> =>
      station(url, id, [version], { password: PASSWORD, handlers: monitor.handlers(id) });
    const s1 = make('SITE-1', 'ocpp2.0.1');
    const s2 = make('SITE-2', 'ocpp2.0.1');
    const s3 = make('SITE-3', 'ocpp1.6');
    let startedId = 0;
    try {
      await Promise.all([s1.connect(), s2.connect(), s3.connect()]);
      const boot201 = { reason: 'PowerUp', chargingStation: { model: 'J', vendorName: 'Joule' } };
      await s1.boot(boot201);
      await s2.boot(boot201);
      await s3.boot({ chargePointVendor: 'Joule', chargePointModel: 'J-16' });
      const settled = (expected: Record<string, number>, what: string): Promise<void> => until(() => monitor.is(expected), what, 20_000);

      await settled({ 'SITE-1': 0, 'SITE-2': 0, 'SITE-3': 0 }, 'idle stations limited to 0');
      await s1.call('TransactionEvent', txEvent('Started', 'T1', 1, 0) as never);
      await settled({ 'SITE-1': 22_000, 'SITE-2': 0, 'SITE-3': 0 }, 'one session: the whole site');

      const started = await s3.call('StartTransaction', { connectorId: 1, idTag: 'TAG-3', meterStart: 0, timestamp: NOW() });
      startedId = started.transactionId;
      await settled({ 'SITE-1': 11_000, 'SITE-2': 0, 'SITE-3': 11_000 }, 'two sessions: half each');

      await s2.call('TransactionEvent', txEvent('Started', 'T2a', 1, 0) as never);
      await s2.call('TransactionEvent', txEvent('Started', 'T2b', 2, 0) as never);
      await settled({ 'SITE-1': 5_500, 'SITE-2': 11_000, 'SITE-3': 5_500 }, 'four sessions, two at SITE-2');

      await s1.call('TransactionEvent', txEvent('Ended', 'T1', 1, 1) as never);
      await settled({ 'SITE-1': 0, 'SITE-2': 14_666.6, 'SITE-3': 7_333.3 }, 'three sessions: 7333.3 W each');

      await s3.call('StopTransaction', { transactionId: started.transactionId, meterStop: 1000, timestamp: NOW() });
      await settled({ 'SITE-1': 0, 'SITE-2': 22_000, 'SITE-3': 0 }, 'SITE-2 alone');

      await s2.call('TransactionEvent', txEvent('Ended', 'T2a', 1, 1) as never);
      await s2.call('TransactionEvent', txEvent('Ended', 'T2b', 2, 1) as never);
      await settled({ 'SITE-1': 0, 'SITE-2': 0, 'SITE-3': 0 }, 'no sessions');
    } finally {
      clearInterval(sample);
    }
    assert.deepEqual(monitor.problems, []);
    assert.ok(monitor.sums.length >= 12, `only ${monitor.sums.length} profiles`);
    assert.ok(Math.max(...monitor.sums) <= SITE_W);
    assert.ok(Math.max(...committed) <= SITE_W);
    // The CSMS kept the sessions as on a direct connection (the LC's own traffic is covered by lc-ids).
    assert.equal((await joule.repos.transactions.get('SITE-2', 'T2b'))?.state, 'completed');
    assert.equal((await joule.repos.transactions.get('SITE-3', String(startedId)))?.state, 'completed');
  });
});
