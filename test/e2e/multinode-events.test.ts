/**
 * Two Joule nodes on one PostgreSQL schema: an operator whose live event stream is on node B sees what happens at a
 * station connected to node A (connection, boot, connector status, transaction events, a command's completion),
 * each once, presented as B presents its own events, and the stream's filters apply to them. PostgreSQL only: with
 * the embedded database there is one node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withTestDatabase } from '../support/db.ts';
import { eventually, RawStation, SseReader, startApi, type TestApi } from './api-support.ts';

const url = process.env.TEST_DATABASE_URL;
const PASSWORD = 'station-password-0002';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Seen = { event: string; data: unknown };
const dataOf = (seen: Seen): Record<string, unknown> => seen.data as Record<string, unknown>;

if (url) {
  describe('live events across two nodes [postgres]', () => {
    let a: TestApi;
    let b: TestApi;
    let station: RawStation | undefined;
    let all: SseReader | undefined;
    let filtered: SseReader | undefined;
    let removeSchema: (() => Promise<void>) | undefined;

    before(async () => {
      const schema = await withTestDatabase('postgres', async (env) => env.options.schema as string, (remove) => (removeSchema = remove));
      a = await startApi({ 'storage.databaseUrl': url }, { databaseSchema: schema, nodeId: 'events-a' });
      b = await startApi({ 'storage.databaseUrl': url }, { databaseSchema: schema, nodeId: 'events-b' }, a.key);
      for (const id of ['EV-A1', 'EV-A2']) {
        const created = await a.call('POST', '/stations', { body: { id, securityProfile: 1, password: PASSWORD, registrationStatus: 'Accepted' } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      all = await SseReader.open(`${b.base}/api/v1/events`, b.key);
      filtered = await SseReader.open(`${b.base}/api/v1/events?types=transaction.started,transaction.ended&station=EV-A1`, b.key);
      assert.equal(all.status, 200);
      // B's interest reaches A within milliseconds; give it a moment so that A forwards from the first event on.
      await sleep(300);
    });
    after(async () => {
      all?.close();
      filtered?.close();
      await station?.close();
      await b?.close();
      await a?.close();
      await removeSchema?.();
    });

    test("a station's life on A shows on B's stream", async () => {
      station = await RawStation.connect(a.joule.port, 'EV-A1', { password: PASSWORD, answer: () => ({ result: { status: 'Accepted' } }) });
      const reader = all as SseReader;
      await reader.waitFor((e) => e.event === 'station.connected' && dataOf(e).stationId === 'EV-A1', 5000);

      const boot = (await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Joule', model: 'e2e' } })) as { status?: string };
      assert.equal(boot.status, 'Accepted');
      await reader.waitFor((e) => e.event === 'station.booted' && dataOf(e).stationId === 'EV-A1', 5000);

      await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
      const status = await reader.waitFor((e) => e.event === 'connector.status' && dataOf(e).stationId === 'EV-A1', 5000);
      assert.equal(dataOf(status).status, 'Occupied');

      const sample = (wh: number) => [{ timestamp: new Date().toISOString(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }];
      const base = { evse: { id: 1, connectorId: 1 }, timestamp: new Date().toISOString() };
      await station.call('TransactionEvent', { ...base, eventType: 'Started', triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId: 'T-MN-1' }, meterValue: sample(1000) });
      await station.call('TransactionEvent', { ...base, eventType: 'Ended', triggerReason: 'EVCommunicationLost', seqNo: 1, transactionInfo: { transactionId: 'T-MN-1', stoppedReason: 'EVDisconnected' }, meterValue: sample(3500) });
      const ended = await reader.waitFor((e) => e.event === 'transaction.ended' && dataOf(e).stationId === 'EV-A1', 5000);

      // B presents A's event as it presents its own: the transaction as read through B's API.
      const transaction = dataOf(ended).transaction as Record<string, unknown>;
      const { body } = await b.call('GET', `/transactions/${String(transaction.id)}`);
      assert.equal(transaction.transactionId, 'T-MN-1');
      assert.equal(transaction.energyWh, 2500);
      for (const key of ['id', 'stationId', 'transactionId', 'state', 'startedAt', 'stoppedAt', 'meterStartWh', 'meterStopWh', 'energyWh', 'stopReason']) {
        assert.deepEqual(transaction[key], (body as Record<string, unknown>)[key], key);
      }

      const startedOnB = reader.events.filter((e) => e.event === 'transaction.started' && (dataOf(e).transaction as Record<string, unknown>).transactionId === 'T-MN-1');
      assert.equal(startedOnB.length, 1, 'each event once');
    });

    test("the stream's filters apply to the other node's events", async () => {
      const reader = filtered as SseReader;
      await reader.waitFor((e) => e.event === 'transaction.ended', 5000);
      assert.deepEqual(
        reader.events.map((e) => e.event),
        ['transaction.started', 'transaction.ended'],
      );
    });

    test("a command run on A through B's API: its completion shows on B's stream once", async () => {
      const accepted = await b.call('POST', '/stations/EV-A1/commands/clear-cache?async=true', { body: {} });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const jobId = String(accepted.body.jobId);
      const reader = all as SseReader;
      const completed = await reader.waitFor((e) => e.event === 'command.completed' && dataOf(e).jobId === jobId, 10_000);
      assert.equal(dataOf(completed).status, 'completed');
      await sleep(300);
      assert.equal(reader.events.filter((e) => e.event === 'command.completed' && dataOf(e).jobId === jobId).length, 1);
    });

    test("A's own stream does not get its events twice", async () => {
      const onA = await SseReader.open(`${a.base}/api/v1/events?station=EV-A1`, a.key);
      try {
        await sleep(300);
        await (station as RawStation).call('Heartbeat', {});
        await (station as RawStation).call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
        await eventually(() => onA.events.find((e) => e.event === 'connector.status'), 5000, 'the status on A');
        await sleep(300);
        assert.equal(onA.events.filter((e) => e.event === 'connector.status').length, 1);
      } finally {
        onA.close();
      }
    });
  });
}
