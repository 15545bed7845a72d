/**
 * Joule's OCPI side on its own Fastify server over this test's database (PGlite or PostgreSQL), with whatever
 * modules a test brings (e.g. a test-only list module), the real partner service, client and outbox worker.
 */
import type { AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { registerOcpi, type OcpiModule, type OcpiModuleEnv } from '../../../src/ocpi/index.ts';
import { createOcpiServices, type OcpiServices } from '../../../src/ocpi/setup.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import { silentLogger, type Logger } from '../../../src/shared/logger.ts';
import { createOcpiOutboxRepository, createOcpiPartnerRepository } from '../../../src/storage/index.ts';
import type { TestDatabaseEnv } from '../../support/db.ts';

export interface OcpiServer {
  /** http://127.0.0.1:port/ocpi */
  base: string;
  versionsUrl: string;
  services: OcpiServices;
  env: OcpiModuleEnv;
  close(): Promise<void>;
}

export async function startOcpiServer(db: TestDatabaseEnv, options: { modules?: OcpiModule[]; overrides?: Record<string, unknown>; logger?: Logger } = {}): Promise<OcpiServer> {
  const database = await db.open();
  const config = loadConfig({
    env: {},
    overrides: { 'ocpi.outbox.retryBaseMs': 50, 'ocpi.outbox.retryMaxMs': 400, 'ocpi.outbox.pollMs': 100, 'ocpi.timeoutMs': 10000, ...options.overrides },
  });
  let base = '';
  const services = createOcpiServices({
    partners: createOcpiPartnerRepository(database.db, { tokenKey: config.ocpi.tokenKey }),
    entries: createOcpiOutboxRepository(database.db),
    config: config.ocpi,
    logger: options.logger ?? silentLogger(),
    baseUrl: () => base,
  });
  const app = fastify({ logger: false });
  const env = await registerOcpi(app, { ...services.deps, modules: options.modules ?? [] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/ocpi`;
  services.worker.start();
  return {
    base,
    versionsUrl: `${base}/versions`,
    services,
    env,
    async close() {
      await services.worker.stop();
      await app.close();
      await database.close();
    },
  };
}
