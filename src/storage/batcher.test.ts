import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedBatcher } from './repositories/batcher.ts';

/**
 * Lets the batcher start what it would start now: its batches begin in a setImmediate, which two turns of the loop
 * always cover. (A 5 ms timer did not: on a busy machine it could fire before the batcher's immediate.)
 */
const tick = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(() => resolve())));

test('batcher: groups waiting calls, never two of one key in a batch or in flight', async () => {
  const batches: string[][] = [];
  let inFlight = new Set<string>();
  const batcher = new KeyedBatcher<string, string>(
    async (items) => {
      for (const key of items.map((i) => i.split(':')[0]!)) {
        assert.ok(!inFlight.has(key), `key ${key} written twice at once`);
        inFlight.add(key);
      }
      batches.push(items);
      await tick();
      inFlight = new Set([...inFlight].filter((k) => !items.some((i) => i.startsWith(`${k}:`))));
      return items.map((i) => i.toUpperCase());
    },
    (item) => item.split(':')[0]!,
    { maxBatch: 3, concurrency: 2 },
  );
  const items = ['a:1', 'b:1', 'a:2', 'c:1', 'd:1', 'a:3', 'e:1'];
  const results = await Promise.all(items.map((i) => batcher.submit(i)));
  assert.deepEqual(results, items.map((i) => i.toUpperCase()));
  assert.deepEqual(batches[0], ['a:1', 'b:1', 'c:1'], 'calls made in one turn of the event loop share the first batch');
  assert.ok(batches.every((b) => b.length <= 3));
  assert.deepEqual(batches.flat().filter((i) => i.startsWith('a:')), ['a:1', 'a:2', 'a:3'], 'same key keeps its order');
});

test('batcher: a failing batch is retried item by item; undefined results are retried', async () => {
  const attempts = new Map<string, number>();
  const batcher = new KeyedBatcher<string, string>(
    async (items) => {
      if (items.includes('bad') && items.length > 1) throw new Error('batch failed');
      if (items.includes('bad')) throw new Error('bad item');
      return items.map((i) => {
        attempts.set(i, (attempts.get(i) ?? 0) + 1);
        return i === 'late' && attempts.get(i)! < 2 ? undefined : i;
      });
    },
    (item) => item,
    { maxBatch: 10, concurrency: 1 },
  );
  const first = batcher.submit('first');
  const rest = ['x', 'bad', 'y', 'late'].map((i) => batcher.submit(i));
  assert.equal(await first, 'first');
  const settled = await Promise.allSettled(rest);
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    ['x', 'bad item', 'y', 'late'],
  );
  assert.equal(attempts.get('late'), 2);
});

test('batcher: an item that never gets a result fails after maxAttempts', async () => {
  const batcher = new KeyedBatcher<string, string>(async (items) => items.map(() => undefined), (i) => i, { maxBatch: 5, concurrency: 1, maxAttempts: 3 });
  await assert.rejects(batcher.submit('x'), /could not be applied/);
});

test('batcher: a second batch starts beside a running one only when minConcurrentBatch items wait', async () => {
  const started: string[][] = [];
  const releases: Array<() => void> = [];
  const batcher = new KeyedBatcher<string, string>(
    async (items) => {
      started.push(items);
      await new Promise<void>((resolve) => releases.push(resolve));
      return items;
    },
    (item) => item,
    { maxBatch: 10, concurrency: 2, minConcurrentBatch: 3 },
  );
  const all = [batcher.submit('a')];
  await tick();
  assert.deepEqual(started, [['a']]);
  all.push(batcher.submit('b'), batcher.submit('c'));
  await tick();
  assert.deepEqual(started, [['a']], 'two waiting: no second statement yet');
  all.push(batcher.submit('d'));
  await tick();
  assert.deepEqual(started, [['a'], ['b', 'c', 'd']], 'three waiting: a second batch beside the first');
  all.push(batcher.submit('e'));
  releases.shift()!();
  await tick();
  assert.equal(started.length, 2, 'one waiting beside a running batch: it waits for that one');
  releases.shift()!();
  await tick();
  assert.deepEqual(started[2], ['e'], 'nothing running: the next batch starts whatever its size');
  releases.shift()!();
  assert.deepEqual(await Promise.all(all), ['a', 'b', 'c', 'd', 'e']);
});
