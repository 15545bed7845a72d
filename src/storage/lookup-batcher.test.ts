import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDatabase } from '../../test/support/db.ts';
import { createRepositories } from './index.ts';
import { LookupBatcher } from './repositories/lookup-batcher.ts';

test('lookup batcher: the keys of one turn go in one read, each once, in chunks of maxBatch', async () => {
  const reads: string[][] = [];
  const lookups = new LookupBatcher<string, string>(
    async (keys) => {
      reads.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
    },
    (key) => key,
    3,
  );
  const keys = ['a', 'b', 'a', 'missing', 'c', 'd'];
  assert.deepEqual(await Promise.all(keys.map((k) => lookups.get(k))), ['A', 'B', 'A', undefined, 'C', 'D']);
  assert.deepEqual(reads, [['a', 'b', 'missing'], ['c', 'd']]);
  assert.equal(await lookups.get('e'), 'E', 'a later turn reads again');
  assert.equal(reads.length, 3);
});

test('lookup batcher: a failed read fails every call that waited on it, and the next turn reads again', async () => {
  let fail = true;
  const lookups = new LookupBatcher<string, string>(
    async (keys) => {
      if (fail) throw new Error('database gone');
      return new Map(keys.map((k) => [k, k]));
    },
    (key) => key,
  );
  const results = await Promise.allSettled([lookups.get('x'), lookups.get('y')]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  fail = false;
  assert.equal(await lookups.get('x'), 'x');
});

forEachDatabase('tokens: concurrent lookups of one turn get their own token (value and type both match)', async (env) => {
  const repos = createRepositories(await env.open());
  await repos.tokens.upsert({ idToken: 'A1', type: 'ISO14443', status: 'Accepted' });
  await repos.tokens.upsert({ idToken: 'A1', type: 'eMAID', status: 'Blocked', groupId: 'G' });
  await repos.tokens.upsert({ idToken: 'B2', type: 'ISO14443', status: 'Invalid' });
  const asked: Array<[string, string]> = [
    ['A1', 'ISO14443'],
    ['A1', 'eMAID'],
    ['B2', 'ISO14443'],
    ['B2', 'eMAID'],
    ['A1', 'ISO14443'],
    ['NOPE', 'Central'],
  ];
  const found = await Promise.all(asked.map(([idToken, type]) => repos.tokens.get(idToken, type)));
  assert.deepEqual(
    found.map((token) => token && `${token.idToken}/${token.type}/${token.status}/${token.groupId ?? '-'}`),
    ['A1/ISO14443/Accepted/-', 'A1/eMAID/Blocked/G', 'B2/ISO14443/Invalid/-', undefined, 'A1/ISO14443/Accepted/-', undefined],
  );
  assert.ok(found[0]!.createdAt instanceof Date, 'rows are converted as by the other reads');
});
