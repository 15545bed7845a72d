/**
 * Two Joule nodes on one PostgreSQL schema: a station connected to node A is commanded through node B's REST API.
 * The command reaches the station through A and the answer comes back through B exactly as A would give it
 * (result, CALLERROR 502, timeout 504, invalid 400); asynchronous jobs through B complete and call their webhook
 * once; a station connected nowhere, or recorded on A but not there, is 409; and with A stopped while the
 * station's record still names it, B answers 409 at once (A left the node registry). A node killed without a word
 * is test/e2e/multinode-liveness.test.ts. PostgreSQL only: with the embedded database there is one node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTestDatabase } from '../support/db.ts';
import { eventually, items, RawStation, startApi, webhookServer, type CallAnswer, type JsonBody, type TestApi } from './api-support.ts';

const url = process.env.TEST_DATABASE_URL;
const PASSWORD = 'station-password-0001';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a 2.0.1 station answers to the CSMS's CALLs in these tests. */
function answers(action: string, payload: Record<string, unknown>): CallAnswer {
  if (action === 'GetVariables') {
    const [wanted] = payload.getVariableData as { component: { name: string }; variable: { name: string } }[];
    return { result: { getVariableResult: [{ attributeStatus: 'Accepted', component: wanted?.component, variable: wanted?.variable, attributeValue: '300' }] } };
  }
  if (action === 'Reset') return { result: { status: 'Accepted' } };
  return { error: { code: 'NotImplemented', description: action } };
}

if (url) {
  describe('commands across two nodes [postgres]', () => {
    let a: TestApi;
    let b: TestApi;
    let station: RawStation;
    let removeSchema: (() => Promise<void>) | undefined;

    before(async () => {
      const schema = await withTestDatabase('postgres', async (env) => env.options.schema as string, (remove) => (removeSchema = remove));
      const overrides = { 'storage.databaseUrl': url, 'ocpp.callTimeoutMs': 5000 };
      a = await startApi(overrides, { databaseSchema: schema, nodeId: 'node-a' });
      b = await startApi(overrides, { databaseSchema: schema, nodeId: 'node-b' }, a.key);
      for (const id of ['MN-1', 'MN-OFF', 'MN-STALE']) {
        const created = await a.call('POST', '/stations', { body: { id, securityProfile: 1, password: PASSWORD, registrationStatus: 'Accepted' } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      station = await RawStation.connect(a.joule.port, 'MN-1', { password: PASSWORD, answer: answers });
      await eventually(async () => {
        const { body } = await b.call('GET', '/stations/MN-1');
        return String(body.connected) === 'true' && String(body.nodeId) === 'node-a' ? true : undefined;
      }, 5000, 'MN-1 recorded as connected to node A');
    });
    after(async () => {
      await station?.close();
      await b?.close();
      await a?.close();
      await removeSchema?.();
    });

    test('the station is connected to A only', () => {
      assert.notEqual(a.joule.gateway.connectionInfo('MN-1'), undefined);
      assert.equal(b.joule.gateway.connectionInfo('MN-1'), undefined);
    });

    test('synchronous GetVariables through B: the station is asked through A, B answers what A answers', async () => {
      station.setAnswer(answers);
      const body = { variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }] };
      const before = station.calls.length;
      const throughB = await b.call('POST', '/stations/MN-1/commands/get-variables', { body });
      assert.equal(throughB.status, 200, JSON.stringify(throughB.body));
      assert.deepEqual(station.calls.slice(before), [
        { action: 'GetVariables', payload: { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] } },
      ]);
      const [variable] = items(throughB.body.result?.variables);
      assert.deepEqual([String(variable?.component), String(variable?.variable), String(variable?.status), String(variable?.value)], ['OCPPCommCtrlr', 'HeartbeatInterval', 'Accepted', '300']);
      const throughA = await a.call('POST', '/stations/MN-1/commands/get-variables', { body });
      assert.equal(throughA.status, 200);
      assert.deepEqual(throughB.body, throughA.body, 'same answer whichever node is asked');
    });

    test('Reset through B: 200 Accepted', async () => {
      station.setAnswer(answers);
      const response = await b.call('POST', '/stations/MN-1/commands/reset', { body: { type: 'Immediate' } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual([String(response.body.status), String(response.body.command), String(response.body.stationId)], ['Accepted', 'reset', 'MN-1']);
      assert.deepEqual(station.calls.at(-1), { action: 'Reset', payload: { type: 'Immediate' } });
    });

    test('CALLERROR through B: 502 with the code and description, as through A', async () => {
      station.setAnswer(() => ({ error: { code: 'InternalError', description: 'relay stuck' } }));
      const throughB = await b.call('POST', '/stations/MN-1/commands/reset', { body: { type: 'OnIdle' } });
      assert.equal(throughB.status, 502, JSON.stringify(throughB.body));
      assert.deepEqual([String(throughB.body.error), String(throughB.body.rpc?.code), String(throughB.body.rpc?.description)], ['command_rejected', 'InternalError', 'relay stuck']);
      const throughA = await a.call('POST', '/stations/MN-1/commands/reset', { body: { type: 'OnIdle' } });
      assert.deepEqual(throughB.body, throughA.body);
    });

    test('no answer in time through B: 504 at the timeout', async () => {
      station.setAnswer(() => 'silence');
      const started = Date.now();
      const response = await b.call('POST', '/stations/MN-1/commands/reset?timeoutMs=500', { body: { type: 'Immediate' } });
      const elapsed = Date.now() - started;
      assert.equal(response.status, 504, JSON.stringify(response.body));
      assert.equal(response.body.error, 'command_timeout');
      assert.ok(elapsed >= 450 && elapsed < 3000, `answered after ${elapsed} ms`);
    });

    test("a command the station's schema refuses, found out on A: 400 through B", async () => {
      station.setAnswer(answers);
      const before = station.calls.length;
      const response = await b.call('POST', '/stations/MN-1/commands/raw', { body: { action: 'Reset', payload: { type: 'Sometime' } } });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error, 'command_invalid');
      assert.equal(station.calls.length, before, 'nothing sent');
    });

    test('asynchronous through B: 202, the job completes, its webhook is called once', async () => {
      station.setAnswer(answers);
      const hook = await webhookServer();
      try {
        const before = station.calls.length;
        const accepted = await b.call('POST', '/stations/MN-1/commands/reset?async=true', { body: { type: 'OnIdle', webhookUrl: hook.url } });
        assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
        const jobId = String(accepted.body.jobId);
        const job = await eventually(async () => {
          const { body } = await b.call('GET', `/jobs/${jobId}`);
          return String(body.status) === 'completed' ? body : undefined;
        }, 10_000, 'the job to complete');
        assert.equal(job.response?.status, 'Accepted');
        assert.deepEqual((await a.call('GET', `/jobs/${jobId}`)).body, job, 'one job, whichever node is asked');
        const delivery = await eventually(() => hook.deliveries[0], 10_000, 'the webhook');
        assert.equal((delivery.body as JsonBody).id, jobId);
        assert.equal((delivery.body as JsonBody).status, 'completed');
        await sleep(500);
        assert.equal(hook.deliveries.length, 1, 'called once');
        assert.deepEqual(station.calls.slice(before), [{ action: 'Reset', payload: { type: 'OnIdle' } }], 'sent once');
      } finally {
        await hook.close();
      }
    });

    test('a station connected nowhere: 409 through B', async () => {
      const response = await b.call('POST', '/stations/MN-OFF/commands/reset', { body: { type: 'Immediate' } });
      assert.equal(response.status, 409, JSON.stringify(response.body));
      assert.equal(response.body.error, 'station_offline');
    });

    test('recorded as connected to A but not connected there: A says offline, 409 through B at once', async () => {
      await a.joule.repos.stations.markConnected('MN-STALE', 'node-a', 'ocpp2.0.1', new Date());
      const started = Date.now();
      const response = await b.call('POST', '/stations/MN-STALE/commands/reset', { body: { type: 'Immediate' } });
      assert.equal(response.status, 409, JSON.stringify(response.body));
      assert.equal(response.body.error, 'station_offline');
      assert.ok(Date.now() - started < 2000, 'not at the timeout');
    });

    // Last: stops node A.
    test('A stopped while the record still names it: 409 through B at once, the async job fails as offline', async () => {
      await a.close();
      await b.joule.repos.stations.markConnected('MN-1', 'node-a', 'ocpp2.0.1', new Date());
      const started = Date.now();
      const response = await b.call('POST', '/stations/MN-1/commands/reset?timeoutMs=3000', { body: { type: 'Immediate' } });
      const elapsed = Date.now() - started;
      assert.equal(response.status, 409, JSON.stringify(response.body));
      assert.equal(response.body.error, 'station_offline');
      assert.ok(elapsed < 1000, `answered after ${elapsed} ms: A left the node registry, nobody waits for it`);

      const hook = await webhookServer();
      try {
        const accepted = await b.call('POST', '/stations/MN-1/commands/clear-cache?async=true&timeoutMs=3000', { body: { webhookUrl: hook.url } });
        assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
        const job = await eventually(async () => {
          const { body } = await b.call('GET', `/jobs/${String(accepted.body.jobId)}`);
          return ['pending', 'sent'].includes(String(body.status)) ? undefined : body;
        }, 10_000, 'the job to end');
        assert.equal(job.status, 'failed');
        assert.equal(job.error?.kind, 'offline');
        await eventually(() => hook.deliveries[0], 10_000, 'the webhook');
        await sleep(300);
        assert.equal(hook.deliveries.length, 1);
      } finally {
        await hook.close();
      }
      const left = await sql<{ n: number }>`select count(*)::int as n from command_relay`.execute(b.joule.database.db);
      assert.equal(left.rows[0]?.n, 0, 'no request left in the mailbox');
    });
  });
}
