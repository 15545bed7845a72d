/**
 * A start that fails part-way (here: the HTTP port is taken) closes what it had opened: the database pool, the
 * relay's and the live events' LISTEN connections and the node registry (PostgreSQL), the maintenance timer. An
 * embedding process is left with none of them, and the same storage starts normally afterwards.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachDatabase } from '../support/db.ts';
import { startApp } from './scenario-support.ts';

/** Handles of the kinds a started CSMS holds (sockets, timers), counted by kind. */
function openHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

forEachDatabase('a start that fails part-way closes what it opened', async (env, t) => {
  const taken = createServer();
  const port = await listen(taken);
  t.after(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const before = openHandles();

  await assert.rejects(startApp(env, { port }), /EADDRINUSE/);

  // Sockets closed by the peer's side and timers cleared go away within a turn or two; allow a little more.
  let after = openHandles();
  for (let i = 0; i < 20 && [...after].some(([kind, n]) => n > (before.get(kind) ?? 0)); i++) {
    await sleep(50);
    after = openHandles();
  }
  for (const [kind, n] of after) assert.ok(n <= (before.get(kind) ?? 0), `${kind}: ${before.get(kind) ?? 0} before the failed start, ${n} after`);

  // The storage is free again (no lock or node id left behind): the same configuration starts on a free port.
  const app = await startApp(env);
  await app.close();
});
