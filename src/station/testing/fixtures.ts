/** Shared pieces of the station client tests. */
import { createSchemaValidator } from '../../protocol/schemas/validator.ts';
import type { JsonObject, OcppVersion } from '../../protocol/types.ts';
import type { PayloadValidator } from '../../protocol/validator.ts';
import type { StationClientEvents, StationClientOptions } from '../client.ts';
import { StationClient } from '../client.ts';
import type { CsmsPeer } from './peer.ts';

let validator: PayloadValidator | undefined;

/** The real schema validator, compiled once per test process (about a second). */
export function schemaValidator(): PayloadValidator {
  validator ??= createSchemaValidator();
  return validator;
}

export const BOOT_201: JsonObject = { reason: 'PowerUp', chargingStation: { model: 'J-1', vendorName: 'Joule', firmwareVersion: '1.0.0' } };

export function bootAccepted(interval = 300): JsonObject {
  return { currentTime: new Date().toISOString(), interval, status: 'Accepted' };
}

const created = new Set<StationClient<OcppVersion>>();

/** Closes every client made by clientFor(), so a failed test cannot leave one reconnecting forever. */
export async function closeAllClients(): Promise<void> {
  const clients = [...created];
  created.clear();
  await Promise.all(clients.map((client) => client.close()));
}

/** A client for `peer` with test-friendly defaults: short back-off, no random part. */
export function clientFor<V extends OcppVersion = 'ocpp2.0.1'>(
  peer: CsmsPeer,
  options: Partial<StationClientOptions<V>> = {},
): StationClient<V> {
  const client = new StationClient<V>({
    url: peer.url,
    identity: 'CS-001',
    protocols: ['ocpp2.0.1'] as unknown as V[],
    validator: schemaValidator(),
    backoff: { waitMinimumS: 0.02, randomRangeS: 0, repeatTimes: 2 },
    random: () => 0,
    ...options,
  });
  created.add(client as unknown as StationClient<OcppVersion>);
  return client;
}

/** Resolves with the arguments of the next `event` of `client`. */
export function nextEvent<V extends OcppVersion, K extends keyof StationClientEvents<V>>(
  client: StationClient<V>,
  event: K,
  timeoutMs = 5000,
): Promise<StationClientEvents<V>[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for '${String(event)}'`));
    }, timeoutMs);
    const off = client.on(event, (...args: StationClientEvents<V>[K]) => {
      clearTimeout(timer);
      off();
      resolve(args);
    });
  });
}

/** Lets pending I/O callbacks and microtasks run. */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds: for effects that cross the socket, whose timing a loaded machine stretches. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await settle(5);
  }
}
