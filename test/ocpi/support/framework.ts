/**
 * The OCPI framework tests' set-up: Joule's OCPI server (support/server.ts) and a test eMSP, both closed after the
 * test; registered() adds the test list module (support/list-module.ts, seven items) and registers the eMSP.
 */
import assert from 'node:assert/strict';
import type { TestDatabaseEnv } from '../../support/db.ts';
import { startEmsp, type Emsp } from './emsp.ts';
import { listModule, type Item } from './list-module.ts';
import { startOcpiServer, type OcpiServer } from './server.ts';

/** Joule's OCPI server (`server` as for startOcpiServer) and an eMSP that is not registered yet. */
export async function serverAndEmsp(
  t: { after(fn: () => Promise<void>): void },
  env: TestDatabaseEnv,
  emspOptions: Parameters<typeof startEmsp>[0] = {},
  server: Parameters<typeof startOcpiServer>[1] = {},
): Promise<{ joule: OcpiServer; emsp: Emsp }> {
  const joule = await startOcpiServer(env, server);
  const emsp = await startEmsp(emspOptions);
  t.after(async () => {
    await emsp.close();
    await joule.close();
  });
  return { joule, emsp };
}

export const ITEMS: Item[] = Array.from({ length: 7 }, (_, i) => ({ id: `item-${i}`, last_updated: `2026-01-0${i + 1}T10:00:00Z` }));

/** Joule with the list module (`overrides` are config keys) and an eMSP of `version` registered with it. */
export async function registered(env: TestDatabaseEnv, t: { after(fn: () => Promise<void>): void }, overrides: Record<string, unknown> = {}, version: '2.2.1' | '2.1.1' = '2.2.1') {
  const { joule, emsp } = await serverAndEmsp(t, env, { versions: [version] }, { modules: [listModule(ITEMS.map((i) => ({ ...i })))], overrides });
  const { tokenA, partner } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  const answer = await emsp.registerWith(joule.versionsUrl, tokenA);
  assert.equal(answer.body.status_code, 1000, answer.body.status_message);
  return { joule, emsp, tokenA, partner };
}

/** An OCPI envelope with `status` and a well-formed timestamp. */
export function assertEnvelope(body: { status_code: number; timestamp: string }, status: number): void {
  assert.equal(body.status_code, status);
  assert.match(body.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
}
