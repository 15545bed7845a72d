/**
 * The operator-side OCPI tests' set-up: the whole application with its REST API on the test's storage, and the
 * given eMSPs, all closed after the test.
 */
import { startApi, type TestApi } from '../../e2e/api-support.ts';
import type { TestDatabaseEnv } from '../../support/db.ts';
import { startEmsp, type Emsp } from './emsp.ts';

/** Short outbox retry and poll times, so pushes are seen within a test. */
const FAST = { 'ocpi.outbox.retryBaseMs': 50, 'ocpi.outbox.retryMaxMs': 200, 'ocpi.outbox.pollMs': 100, 'ocpi.timeoutMs': 10000 };

/** The whole application on this test's storage (an already migrated copy: starting is quick). */
export async function startOperator(env: TestDatabaseEnv, t: { after(fn: () => Promise<void>): void }, ...emspOptions: Parameters<typeof startEmsp>[0][]): Promise<{ api: TestApi; emsps: Emsp[] }> {
  const storage = env.options.url ? { 'storage.databaseUrl': env.options.url } : { 'storage.dataDir': env.options.dataDir };
  const api = await startApi({ ...FAST, ...storage }, { databaseSchema: env.options.schema });
  const emsps = await Promise.all(emspOptions.map((o) => startEmsp(o)));
  t.after(async () => {
    for (const emsp of emsps) await emsp.close();
    await api.close();
  });
  return { api, emsps };
}
