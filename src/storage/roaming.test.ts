import assert from 'node:assert/strict';
import { forEachDatabase } from '../../test/support/db.ts';
import type { SessionObject } from '../domain/roaming/model.ts';
import type { PlainlyLocalQuery } from '../domain/roaming/ports.ts';
import { createRepositories, createRoamingRepository } from './index.ts';

const STARTED = new Date(Date.UTC(2026, 0, 5, 9, 0));

forEachDatabase('roaming: plainlyLocal settles transactions in one query', async (env, t) => {
  const database = await env.open();
  const repos = createRepositories(database);
  const roaming = createRoamingRepository(database.db);
  await repos.stations.create({ id: 'CS-L' });
  await repos.stations.create({ id: 'CS-P' });
  await repos.tokens.upsert({ idToken: 'LOCAL', type: 'ISO14443', status: 'Accepted' });
  await repos.tokens.upsert({ idToken: 'PARTNER', type: 'ISO14443', status: 'Accepted', source: 'ocpi:DE-EMS' });
  // The same value stored twice: the local one wins for a 1.6 idTag (no type).
  await repos.tokens.upsert({ idToken: 'BOTH', type: 'ISO14443', status: 'Accepted', source: 'ocpi:DE-EMS' });
  await repos.tokens.upsert({ idToken: 'BOTH', type: 'Central', status: 'Accepted' });

  const open = async (stationId: string, transactionId: string, idToken: string, idTokenType: string | null) => {
    const { transaction } = await repos.transactions.applyEvent({ stationId, transactionId, seqNo: 0, eventType: 'Started', timestamp: STARTED, payload: {}, idToken, idTokenType: idTokenType ?? undefined });
    const opened = { id: transaction.id, stationId, idToken, idTokenType };
    asked.push(opened);
    return opened;
  };
  const asked: PlainlyLocalQuery[] = [];
  const isLocal = async (transaction: PlainlyLocalQuery) => (await roaming.plainlyLocal([transaction])).has(transaction.id);

  await t.test('a stored local token with no session anywhere near: local', async () => {
    assert.equal(await isLocal(await open('CS-L', 'T1', 'LOCAL', 'ISO14443')), true);
    assert.equal(await isLocal(await open('CS-L', 'T2', 'LOCAL', null)), true, '1.6: by value');
  });

  await t.test('a partner token, an unknown token, a type that is not stored as local: not local', async () => {
    assert.equal(await isLocal(await open('CS-L', 'T3', 'PARTNER', 'ISO14443')), false);
    assert.equal(await isLocal(await open('CS-L', 'T4', 'NOBODY', 'ISO14443')), false);
    assert.equal(await isLocal(await open('CS-L', 'T5', 'BOTH', 'ISO14443')), false, 'exact type wins');
    assert.equal(await isLocal(await open('CS-L', 'T6', 'BOTH', 'Central')), true);
    assert.equal(await isLocal(await open('CS-L', 'T7', 'BOTH', null)), true, 'by value: local first');
  });

  await t.test('a session waiting on the station, or one holding the transaction: not local', async () => {
    const waiting = await open('CS-P', 'T8', 'LOCAL', 'ISO14443');
    assert.equal(await isLocal(waiting), true);
    const session = {
      emsp: { countryCode: 'DE', partyId: 'EMS' },
      stationId: 'CS-P',
      evseId: null,
      connectorId: null,
      remoteStartId: 1,
      tokenUid: 'LOCAL',
      pendingUntil: null,
      object: { last_updated: STARTED.toISOString() } as SessionObject,
    };
    await roaming.createSession({ ...session, id: 'S-PENDING', transactionPk: null, status: 'PENDING' });
    assert.equal(await isLocal(waiting), false);

    const held = await open('CS-L', 'T9', 'LOCAL', 'ISO14443');
    await roaming.createSession({ ...session, id: 'S-HELD', stationId: 'CS-L', transactionPk: held.id, status: 'ACTIVE' });
    assert.equal(await isLocal(held), false);
  });

  await t.test('all of them in one query: the same answers', async () => {
    const expected = new Set<number>();
    for (const transaction of asked) if (await isLocal(transaction)) expected.add(transaction.id);
    assert.equal(expected.size, 4, 'T1, T2, T6, T7');
    assert.deepEqual(await roaming.plainlyLocal(asked), expected);
    assert.deepEqual(await roaming.plainlyLocal([]), new Set());
  });
});
