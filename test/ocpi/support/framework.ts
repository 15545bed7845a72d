/**
 * The OCPI framework tests' set-up: Joule's OCPI server with only the test list module (support/list-module.ts,
 * seven items), and an eMSP registered with it.
 */
import assert from 'node:assert/strict';
import type { TestDatabaseEnv } from '../../support/db.ts';
import { startEmsp, type Emsp } from './emsp.ts';
import { listModule, type Item } from './list-module.ts';
import { startOcpiServer, type OcpiServer } from './server.ts';

export const ITEMS: Item[] = Array.from({ length: 7 }, (_, i) => ({ id: `item-${i}`, last_updated: `2026-01-0${i + 1}T10:00:00Z` }));

/** Joule with the list module (`overrides` are config keys) and an eMSP of `version` registered with it. */
export async function registered(env: TestDatabaseEnv, t: { after(fn: () => Promise<void>): void }, overrides: Record<string, unknown> = {}, version: '2.2.1' | '2.1.1' = '2.2.1') {
  const joule: OcpiServer = await startOcpiServer(env, { modules: [listModule(ITEMS.map((i) => ({ ...i })))], overrides });
  const emsp: Emsp = await startEmsp({ versions: [version] });
  t.after(async () => {
    await emsp.close();
    await joule.close();
  });
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
