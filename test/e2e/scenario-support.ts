/**
 * Shared pieces of the scenario tests: the REAL app (startJoule) on real storage, stations registered through the
 * repositories, and the REAL station client over a socket on 127.0.0.1.
 *
 *   forEachDatabase('...', async (env) => {
 *     const app = await startApp(env);                 // PGlite folder or PostgreSQL schema of this test
 *     await registerStation(app, 'CS-1', { registrationStatus: 'Accepted' });
 *     const station = await connectStation(app, 'CS-1', 'ocpp2.0.1');
 *   });
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startJoule, type Joule } from '../../src/app.ts';
import type { RegistrationStatus, Transaction } from '../../src/domain/model.ts';
import { RpcError } from '../../src/protocol/errors.ts';
import { createSchemaValidator } from '../../src/protocol/schemas/validator.ts';
import type { OcppVersion } from '../../src/protocol/types.ts';
import type { PayloadValidator } from '../../src/protocol/validator.ts';
import { loadConfig } from '../../src/shared/config.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { StationClient, type StationClientOptions } from '../../src/station/index.ts';
import type { TestDatabaseEnv } from '../support/db.ts';

export const PASSWORD = 'scenario-password-0123456789';

let validator: PayloadValidator | undefined;
/** The station side's schema validator, compiled once per test process. */
export function stationValidator(): PayloadValidator {
  validator ??= createSchemaValidator();
  return validator;
}

/** A port that was free a moment ago (to restart the app on the same address). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the whole CSMS on this test's storage (PGlite data folder or PostgreSQL schema). */
export async function startApp(env: TestDatabaseEnv, overrides: Record<string, unknown> = {}): Promise<Joule> {
  const storage = env.options.url
    ? { 'storage.databaseUrl': env.options.url }
    : { 'storage.dataDir': env.options.dataDir ?? 'memory://' };
  const config = loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', 'log.level': 'silent', 'ocpp.heartbeatIntervalS': 1, ...storage, ...overrides },
  });
  return startJoule(config, env.options.schema ? { databaseSchema: env.options.schema } : {});
}

/** Registers a station the way the operator does: security profile 1 with a hashed password. */
export async function registerStation(app: Joule, id: string, options: { registrationStatus?: RegistrationStatus } = {}): Promise<void> {
  await app.repos.stations.create({
    id,
    securityProfile: 1,
    // A small scrypt cost keeps the tests fast; the stored format carries it, so verification is unchanged.
    passwordHash: await hashPassword(PASSWORD, { N: 1024 }),
    registrationStatus: options.registrationStatus ?? 'Accepted',
  });
}

/** A station client for `id`, connected; closed with closeAll(). */
export async function connectStation<V extends OcppVersion>(
  app: Joule,
  id: string,
  version: V,
  port = app.port,
  extra: Partial<StationClientOptions<V>> = {},
): Promise<StationClient<V>> {
  const client = new StationClient<V>({
    url: `ws://127.0.0.1:${port}/ocpp`,
    identity: id,
    protocols: [version],
    password: PASSWORD,
    validator: stationValidator(),
    backoff: { waitMinimumS: 0.05, randomRangeS: 0, repeatTimes: 3 },
    random: () => 0,
    callTimeoutMs: 30_000,
    ...extra,
  });
  clients.add(client as unknown as StationClient<OcppVersion>);
  await client.connect();
  return client;
}

const clients = new Set<StationClient<OcppVersion>>();

export async function closeAll(): Promise<void> {
  const all = [...clients];
  clients.clear();
  await Promise.all(all.map((client) => client.close()));
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The stored transaction, which must exist. */
export async function storedTransaction(app: Joule, stationId: string, transactionId: string): Promise<Transaction> {
  const transaction = await app.repos.transactions.get(stationId, transactionId);
  if (!transaction) throw new Error(`transaction ${stationId}/${transactionId} is not stored`);
  return transaction;
}

/** ISO time `seconds` after a fixed start, so tests compare exact values. */
export function at(seconds: number, base = Date.parse('2025-03-01T10:00:00.000Z')): string {
  return new Date(base + seconds * 1000).toISOString();
}

/** Runs `body`, then closes every station client and the app, whatever happened. */
export async function withApp(app: Joule, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await closeAll();
    await app.close();
  }
}

/** FR.04 / J-errata 3.8: the CALLERROR a station gets while it is not accepted. */
export function isSecurityError(error: unknown): boolean {
  return error instanceof RpcError && error.code === 'SecurityError';
}
