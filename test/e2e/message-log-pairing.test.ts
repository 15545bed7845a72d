/**
 * The pairing of the message log (src/ocpp/exchanges.ts) frame by frame, on a real message log: which frames are
 * held and paired, which pass on their own, and every way a held CALL is let go without an answer. The same through
 * the real app and a real station: scenario-message-log.test.ts.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Direction, NewMessageLogEntry } from '../../src/domain/model.ts';
import { createExchangeLog } from '../../src/ocpp/exchanges.ts';
import { createRepositories } from '../../src/storage/index.ts';
import { forEachDatabase } from '../support/db.ts';

function frame(stationId: string, direction: Direction, messageType: number, messageId: string, action: string | null = null): NewMessageLogEntry {
  return { stationId, direction, messageType, messageId, action, payload: { messageId, direction } };
}
const call = (stationId: string, messageId: string, action = 'Heartbeat') => frame(stationId, 'in', 2, messageId, action);
const answer = (stationId: string, messageId: string, messageType = 3) => frame(stationId, 'out', messageType, messageId);

forEachDatabase('exchange log', async (env, t) => {
  const { messageLog } = createRepositories(await env.open());
  /** What the log holds for `stationId`, oldest first, as "direction type id" (+ "→ answer type"). */
  async function written(stationId: string): Promise<string[]> {
    await messageLog.flush();
    const entries = (await messageLog.list({ stationId })).reverse();
    return entries.map((e) => `${e.direction} ${e.messageType} ${e.messageId}${e.response ? ` → ${e.response.messageType}` : ''}`);
  }

  await t.test('a station CALL is held until our answer, then both are one entry; everything else is logged as it passes', async () => {
    const exchanges = createExchangeLog(messageLog);
    exchanges.record(call('CS-P', 'a1'));
    assert.deepEqual(await written('CS-P'), [], 'held');
    await sleep(20);
    exchanges.record(frame('CS-P', 'out', 2, 'c1', 'Reset'));
    exchanges.record(frame('CS-P', 'in', 3, 'c1', 'Reset'));
    exchanges.record(frame('CS-P', 'in', 6, 's1', 'NotifyPeriodicEventStream'));
    exchanges.record(frame('CS-P', 'in', 5, 'r1'));
    exchanges.record(answer('CS-P', 'unknown'));
    exchanges.record(answer('CS-P', 'a1'));
    exchanges.record(call('CS-P', 'a2', 'DataTransfer'));
    exchanges.record(answer('CS-P', 'a2', 4));
    assert.deepEqual(await written('CS-P'), ['out 2 c1', 'in 3 c1', 'in 6 s1', 'in 5 r1', 'out 3 unknown', 'in 2 a1 → 3', 'in 2 a2 → 4']);

    const [failed, exchange] = await messageLog.list({ stationId: 'CS-P', limit: 2 });
    assert.deepEqual([exchange?.action, exchange?.payload, exchange?.response?.payload], ['Heartbeat', { messageId: 'a1', direction: 'in' }, { messageId: 'a1', direction: 'out' }]);
    assert.ok(exchange && exchange.response && exchange.response.createdAt.getTime() - exchange.createdAt.getTime() >= 15, 'each keeps its own time');
    assert.equal(failed?.action, 'DataTransfer', 'the action of the CALL (a CALLERROR has none)');
  });

  await t.test('the same message id from two stations: each answer goes with its own station CALL', async () => {
    const exchanges = createExchangeLog(messageLog);
    exchanges.record(call('CS-A', 'same'));
    exchanges.record(call('CS-B', 'same'));
    exchanges.record(answer('CS-B', 'same', 4));
    exchanges.record(answer('CS-A', 'same', 3));
    assert.deepEqual(await written('CS-A'), ['in 2 same → 3']);
    assert.deepEqual(await written('CS-B'), ['in 2 same → 4']);
  });

  await t.test("a station that leaves releases its own held CALLs, in arrival order, and no other station's", async () => {
    const exchanges = createExchangeLog(messageLog);
    for (const id of ['1', '2', '3']) for (const station of ['CS-R1', 'CS-R2', 'CS-R3']) exchanges.record(call(station, `${station}-${id}`));
    exchanges.record(answer('CS-R2', 'CS-R2-2'));
    exchanges.releaseStation('CS-R2');
    exchanges.releaseStation('CS-R2');
    exchanges.releaseStation('CS-NONE');
    assert.deepEqual(await written('CS-R2'), ['in 2 CS-R2-2 → 3', 'in 2 CS-R2-1', 'in 2 CS-R2-3']);
    assert.deepEqual([await written('CS-R1'), await written('CS-R3')], [[], []], 'the others: still held');

    exchanges.record(answer('CS-R1', 'CS-R1-3'));
    exchanges.record(answer('CS-R3', 'CS-R3-1'));
    assert.deepEqual([await written('CS-R1'), await written('CS-R3')], [['in 2 CS-R1-3 → 3'], ['in 2 CS-R3-1 → 3']], 'and still paired');
    exchanges.record(call('CS-R2', 'back'));
    exchanges.record(answer('CS-R2', 'back'));
    assert.deepEqual((await written('CS-R2')).at(-1), 'in 2 back → 3', 'a station back after it left: held and paired again');

    exchanges.releaseStation('CS-R1');
    exchanges.releaseStation('CS-R3');
    assert.deepEqual(await written('CS-R1'), ['in 2 CS-R1-3 → 3', 'in 2 CS-R1-1', 'in 2 CS-R1-2']);
    assert.deepEqual(await written('CS-R3'), ['in 2 CS-R3-1 → 3', 'in 2 CS-R3-2', 'in 2 CS-R3-3']);
  });

  await t.test('a held CALL is logged without an answer when its station leaves, on close, when its id comes again, beyond the bound', async () => {
    const exchanges = createExchangeLog(messageLog, 3);
    exchanges.record(call('CS-H1', 'x1'));
    exchanges.record(call('CS-H2', 'y1'));
    exchanges.releaseStation('CS-H1');
    assert.deepEqual(await written('CS-H1'), ['in 2 x1']);
    assert.deepEqual(await written('CS-H2'), [], 'another station: still held');

    exchanges.record({ ...call('CS-H2', 'y1'), payload: { again: true } });
    exchanges.record(answer('CS-H2', 'y1'));
    assert.deepEqual(await written('CS-H2'), ['in 2 y1', 'in 2 y1 → 3'], 'the earlier one first, unpaired');
    const [again] = await messageLog.list({ stationId: 'CS-H2', limit: 1 });
    assert.deepEqual(again?.payload, { again: true }, 'the answer goes with the CALL it answers');

    for (const id of ['n1', 'n2', 'n3']) exchanges.record(call('CS-H3', id));
    assert.deepEqual(await written('CS-H3'), [], 'three held: the bound');
    exchanges.record(call('CS-H3', 'n4'));
    assert.deepEqual(await written('CS-H3'), ['in 2 n1'], 'the oldest goes when a fourth comes');

    exchanges.releaseStation('CS-H3');
    assert.deepEqual(await written('CS-H3'), ['in 2 n1', 'in 2 n2', 'in 2 n3', 'in 2 n4'], 'the bound and the station both let go, once each');
    for (const id of ['m1', 'm2']) exchanges.record(call('CS-H3', id));
    exchanges.releaseAll();
    assert.deepEqual((await written('CS-H3')).slice(4), ['in 2 m1', 'in 2 m2']);
    exchanges.record(answer('CS-H3', 'm2'));
    assert.deepEqual((await written('CS-H3')).at(-1), 'out 3 m2', 'an answer after its CALL was released: logged on its own');
    exchanges.releaseStation('CS-H3');
    assert.equal((await written('CS-H3')).length, 7, 'nothing released twice');
  });
});
