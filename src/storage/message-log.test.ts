import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDatabase } from '../../test/support/db.ts';
import type { JsonValue, NewMessageLogEntry } from '../domain/model.ts';
import { createLogger } from '../shared/logger.ts';
import { createRepositories, type Database } from './index.ts';

const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 10, minute));

function frame(n: number, stationId = 'CS-L', minute = n): NewMessageLogEntry {
  return {
    stationId,
    direction: n % 2 === 0 ? 'in' : 'out',
    messageType: n % 2 === 0 ? 2 : 3,
    messageId: `m-${n}`,
    action: n % 2 === 0 ? 'Heartbeat' : 'StatusNotification',
    payload: n % 2 === 0 ? {} : [{ nested: [n] }],
    createdAt: at(minute),
  };
}

/** The stored JSON text of each entry of a station, oldest first: what the wire text test must see verbatim. */
async function storedText(database: Database, stationId: string): Promise<Array<{ payload: string; response: string | null }>> {
  const { rows } = await sql<{ payload: string; response: string | null }>`
    select payload::text as payload, response_payload::text as response from message_log where station_id = ${stationId} order by id
  `.execute(database.db);
  return rows;
}

/**
 * Payloads as a station may send them: pretty-printed (raw newlines, tabs and carriage returns between tokens),
 * escaped backslashes and quotes, text that looks like COPY's null marker or escapes, unicode, and `\u0000`, which
 * the json type accepts and json_to_recordset does not read.
 */
const NASTY_WIRE: string[] = [
  '{\n\t"a": 1,\r\n  "b" :\t[ "x\\ty", "\\\\N" ]\n}',
  '{"path":"C:\\\\temp\\\\new","quote":"say \\"hi\\"","null":"\\\\N","marker":"\\\\."}',
  '{"text":"\\u0000","mixed":"a\\u0000b","tab":"\\t","nl":"\\n"}',
  '{"unicode":"é ü 中文 😀","escaped":"\\u00e9 \\ud83d\\ude00","\\u0000key":null}',
  '[null, true, -1.5e3, "\\\\", ""]',
];

forEachDatabase('message log', async (env, t) => {
  await t.test('append writes a batch at once', async () => {
    const { messageLog } = createRepositories(await env.open());
    await messageLog.append([frame(0), frame(1), frame(2)]);
    const entries = await messageLog.list({ stationId: 'CS-L' });
    assert.deepEqual(entries.map((e) => e.messageId), ['m-2', 'm-1', 'm-0'], 'newest first');
    assert.deepEqual(entries[1], { id: entries[1]!.id, stationId: 'CS-L', direction: 'out', messageType: 3, messageId: 'm-1', action: 'StatusNotification', payload: [{ nested: [1] }], createdAt: at(1), response: null });
    assert.deepEqual((await messageLog.list({ action: 'Heartbeat' })).map((e) => e.messageId), ['m-2', 'm-0']);
    assert.deepEqual((await messageLog.list({ from: at(1), to: at(2) })).map((e) => e.messageId), ['m-1']);
    assert.deepEqual((await messageLog.list({ limit: 1, offset: 1 })).map((e) => e.messageId), ['m-1']);
    assert.deepEqual((await messageLog.list({ beforeId: entries[1]!.id })).map((e) => e.messageId), ['m-0']);
  });

  await t.test('an exchange: a CALL of the station with our answer in one entry, beside entries without one', async () => {
    const { messageLog } = createRepositories(await env.open());
    const result = { currentTime: '2025-03-01T10:05:00Z' };
    const error = { errorCode: 'NotSupported', errorDescription: 'no', errorDetails: {} };
    await messageLog.append([
      { ...frame(0, 'CS-X', 5), response: { messageType: 3, payload: result, createdAt: new Date(at(5).getTime() + 40) } },
      { ...frame(2, 'CS-X', 6), action: 'DataTransfer', response: { messageType: 4, payload: error, createdAt: at(7) } },
      { ...frame(4, 'CS-X', 8), response: null },
      frame(1, 'CS-X', 9),
    ]);
    const [unanswered, unpaired, failed, answered] = await messageLog.list({ stationId: 'CS-X' });
    assert.deepEqual(answered, {
      id: answered!.id,
      stationId: 'CS-X',
      direction: 'in',
      messageType: 2,
      messageId: 'm-0',
      action: 'Heartbeat',
      payload: {},
      createdAt: at(5),
      response: { messageType: 3, payload: result, createdAt: new Date(at(5).getTime() + 40) },
    });
    assert.deepEqual(failed?.response, { messageType: 4, payload: error, createdAt: at(7) });
    assert.equal(unpaired?.response, null, 'response null');
    assert.equal(unanswered?.response, null, 'response left out');
    assert.deepEqual((await messageLog.list({ stationId: 'CS-X', action: 'DataTransfer' })).map((e) => e.messageId), ['m-2'], 'the action filter finds the exchange');

    const queued = createRepositories(await env.open()).messageLog;
    queued.enqueue({ ...frame(6, 'CS-Y'), response: { messageType: 3, payload: {} } });
    await queued.flush();
    const [exchange] = await queued.list({ stationId: 'CS-Y' });
    assert.ok(exchange?.response && Math.abs(exchange.response.createdAt.getTime() - Date.now()) < 60_000, 'the createdAt of the response defaults to enqueue time');
    assert.deepEqual(exchange.createdAt, at(6));
  });

  await t.test('enqueue buffers; flush on size, on interval and on close', async () => {
    const database = await env.open();
    const { messageLog } = createRepositories(database, { messageLog: { maxBatch: 10, flushIntervalMs: 30 } });
    for (let n = 0; n < 3; n++) messageLog.enqueue(frame(n, 'CS-Q'));
    assert.equal((await messageLog.list({ stationId: 'CS-Q' })).length, 0, 'not written yet');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await messageLog.list({ stationId: 'CS-Q' })).length, 3, 'written by the interval timer');

    for (let n = 0; n < 25; n++) messageLog.enqueue(frame(n, 'CS-S'));
    await messageLog.flush();
    assert.equal((await messageLog.list({ stationId: 'CS-S' })).length, 25);

    messageLog.enqueue({ ...frame(1, 'CS-Z'), createdAt: undefined });
    await database.close();
    const reopened = createRepositories(await env.open());
    const [last] = await reopened.messageLog.list({ stationId: 'CS-Z' });
    assert.equal(last?.messageId, 'm-1', 'close flushed the buffer');
    assert.ok(last && Math.abs(last.createdAt.getTime() - Date.now()) < 60_000, 'createdAt defaults to enqueue time');
    assert.equal(messageLog.dropped, 0);
  });

  await t.test('prune deletes entries older than the retention', async () => {
    const { messageLog } = createRepositories(await env.open());
    await messageLog.append([frame(0, 'CS-P', 0), frame(1, 'CS-P', 30), frame(2, 'CS-P', 59)]);
    const before = (await messageLog.list({ limit: 1000 })).length;
    const removed = await messageLog.prune(at(30));
    assert.ok(removed >= 1);
    const left = await messageLog.list({ limit: 1000 });
    assert.equal(left.length, before - removed);
    assert.ok(left.every((e) => e.createdAt >= at(30)));
    assert.deepEqual((await messageLog.list({ stationId: 'CS-P' })).map((e) => e.messageId), ['m-2', 'm-1']);
  });

  await t.test('the wire text of a payload is stored as it is, not serialized again', async () => {
    const database = await env.open();
    const { messageLog } = createRepositories(database);
    const wire = '{ "b" : 2,\n\t"a":[ 1 ,"é"] }';
    const answer = '{"currentTime" :"2025-03-01T10:05:00Z"}';
    const entry = { ...frame(0, 'CS-W'), payload: { a: [1, 'é'], b: 2 }, payloadJson: wire, response: { messageType: 3, payload: { currentTime: '2025-03-01T10:05:00Z' }, payloadJson: answer } };
    await messageLog.append([entry]);
    messageLog.enqueue({ ...entry, messageId: 'm-queued' });
    messageLog.enqueue({ ...frame(1, 'CS-W'), payload: { b: 2, a: 1 } });
    await messageLog.flush();
    assert.deepEqual(await storedText(database, 'CS-W'), [
      { payload: wire, response: answer },
      { payload: wire, response: answer },
      { payload: '{"b":2,"a":1}', response: null },
    ]);
    const [, queued] = await messageLog.list({ stationId: 'CS-W' });
    assert.deepEqual(queued?.payload, { a: [1, 'é'], b: 2 });
    assert.deepEqual(queued?.response?.payload, { currentTime: '2025-03-01T10:05:00Z' });
  });

  await t.test('payloads, ids and actions that need escaping round-trip', async () => {
    const { messageLog } = createRepositories(await env.open(), { messageLog: { maxBatch: 3 } });
    const odd = ['a\\b', 'tab\there', 'line\nbreak\r\n', '\\N', '\\.', '"quoted"', 'é😀中'];
    const entries: NewMessageLogEntry[] = [];
    NASTY_WIRE.forEach((wire, n) => {
      const payload = JSON.parse(wire) as JsonValue;
      // The same payload as wire text and as a value the log serializes itself, in a response too.
      entries.push({ ...frame(n, 'CS-E'), messageId: `wire-${n}-${odd[n]!}`, action: odd[n + 1]!, payload, payloadJson: wire, response: { messageType: 3, payload, payloadJson: wire } });
      entries.push({ ...frame(n, 'CS-E'), messageId: `value-${n}-${odd[n]!}`, action: null, payload, response: { messageType: 4, payload } });
    });
    entries.push({ ...frame(9, 'CS-E'), messageId: odd.join(''), action: odd.join('|'), payload: { s: odd.join('') } });
    const oddStation = `CS-${odd.join('')}`;
    messageLog.enqueue({ ...frame(10, oddStation), payload: { station: oddStation } });

    for (const entry of entries) messageLog.enqueue(entry);
    await messageLog.flush();
    assert.equal(messageLog.dropped, 0);
    await messageLog.append(entries.map((e) => ({ ...e, messageId: `appended:${e.messageId}` })));

    const stored = (await messageLog.list({ stationId: 'CS-E', limit: 1000 })).reverse();
    assert.equal(stored.length, entries.length * 2);
    const expected = [...entries, ...entries.map((e) => ({ ...e, messageId: `appended:${e.messageId}` }))];
    stored.forEach((row, i) => {
      const e = expected[i]!;
      assert.equal(row.messageId, e.messageId);
      assert.equal(row.action, e.action ?? null);
      assert.deepEqual(row.payload, e.payload, `payload of ${e.messageId}`);
      assert.deepEqual(row.response?.payload ?? null, e.response?.payload ?? null, `response of ${e.messageId}`);
    });
    const [other] = await messageLog.list({ stationId: oddStation });
    assert.deepEqual(other?.payload, { station: oddStation });
  });

  await t.test('a NUL or lone surrogate in an id or action is stored as U+FFFD, and the batch around it lands', async () => {
    const { messageLog } = createRepositories(await env.open(), { messageLog: { maxBatch: 10 } });
    const lone = JSON.parse('"\\ud800"') as string;
    const payload = JSON.parse('{"lone":"\\ud800x","pair":"\\ud83d\\ude00","nul":"a\\u0000b"}') as JsonValue;
    messageLog.enqueue({ ...frame(1, 'CS-U'), messageId: 'before' });
    messageLog.enqueue({ ...frame(2, 'CS-U'), messageId: `n\u0000ul`, action: `Heart${lone}beat`, payload, response: { messageType: 3, payload } });
    messageLog.enqueue({ ...frame(3, 'CS-U'), messageId: `${lone}`, payload, payloadJson: '{"lone":"\\ud800x","pair":"\\ud83d\\ude00","nul":"a\\u0000b"}' });
    messageLog.enqueue({ ...frame(4, 'CS-U'), messageId: 'after' });
    await messageLog.flush();
    assert.equal(messageLog.dropped, 0);
    const stored = (await messageLog.list({ stationId: 'CS-U' })).reverse();
    assert.deepEqual(
      stored.map((e) => [e.messageId, e.action]),
      [['before', 'StatusNotification'], ['n\uFFFDul', 'Heart\uFFFDbeat'], ['\uFFFD', 'StatusNotification'], ['after', 'Heartbeat']],
    );
    assert.deepEqual(stored[1]?.payload, payload, 'payloads keep their escapes');
    assert.deepEqual(stored[2]?.payload, payload);
  });

  await t.test('a JSON null payload is stored as JSON null', async () => {
    const database = await env.open();
    const { messageLog } = createRepositories(database);
    const entry = { ...frame(0, 'CS-N'), payload: null, response: { messageType: 3, payload: null } };
    await messageLog.append([entry]);
    messageLog.enqueue(entry);
    messageLog.enqueue({ ...entry, payloadJson: 'null', response: { messageType: 3, payload: null, payloadJson: 'null' } });
    await messageLog.flush();
    assert.equal(messageLog.dropped, 0);
    assert.deepEqual(await storedText(database, 'CS-N'), Array(3).fill({ payload: 'null', response: 'null' }));
    const listed = await messageLog.list({ stationId: 'CS-N' });
    assert.deepEqual(listed.map((e) => [e.payload, e.response?.payload]), Array(3).fill([null, null]));
  });

  await t.test('a batch that fails is dropped, counted and logged; the next one lands', async () => {
    const lines: Array<{ msg: string; entries?: number }> = [];
    const logger = createLogger({ level: 'error', destination: { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; entries?: number }) } });
    const { messageLog } = createRepositories(await env.open(), { messageLog: { maxBatch: 2, logger } });
    // More failing batches than the pool has connections: a failed write must give its connection back.
    for (let n = 0; n < 12; n++) messageLog.enqueue({ ...frame(n, 'CS-F'), payloadJson: n === 11 ? '{"broken":' : '{"ok":true,' });
    messageLog.enqueue(frame(12, 'CS-F'));
    await messageLog.flush();
    assert.equal(messageLog.dropped, 12);
    assert.deepEqual(lines.map((l) => [l.msg, l.entries]), Array(6).fill(['message log batch lost', 2]));

    for (let n = 20; n < 23; n++) messageLog.enqueue(frame(n, 'CS-F'));
    await messageLog.flush();
    assert.deepEqual((await messageLog.list({ stationId: 'CS-F' })).map((e) => e.messageId), ['m-22', 'm-21', 'm-20', 'm-12']);
    assert.equal(messageLog.dropped, 12);
  });

  await t.test('a flush writes with COPY on PostgreSQL and inserts on PGlite; append inserts on both', async () => {
    const database = await env.open();
    const { db } = database;
    // What ran each statement that wrote to the log, recorded by the database itself.
    await sql`create table logged_statements (id serial, query text)`.execute(db);
    await sql`create function note_statement() returns trigger language plpgsql as $$ begin insert into logged_statements (query) values (current_query()); return null; end $$`.execute(db);
    await sql`create trigger note_statement after insert on message_log for each statement execute function note_statement()`.execute(db);
    try {
      const { messageLog } = createRepositories(database);
      messageLog.enqueue(frame(0, 'CS-C'));
      messageLog.enqueue(frame(1, 'CS-C'));
      await messageLog.flush();
      await messageLog.append([frame(2, 'CS-C')]);
      const { rows } = await sql<{ query: string }>`select query from logged_statements order by id`.execute(db);
      const verbs = rows.map((r) => /^\s*(\w+)/.exec(r.query)?.[1]?.toLowerCase());
      assert.deepEqual(verbs, [env.backend === 'postgres' ? 'copy' : 'insert', 'insert']);
      assert.deepEqual((await messageLog.list({ stationId: 'CS-C' })).map((e) => e.messageId), ['m-2', 'm-1', 'm-0']);
    } finally {
      await sql`drop trigger note_statement on message_log`.execute(db);
      await sql`drop function note_statement()`.execute(db);
      await sql`drop table logged_statements`.execute(db);
    }
  });
});
