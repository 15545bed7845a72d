/**
 * A real CSMS core for command tests: an OcppGateway on an http server at 127.0.0.1:0 with the real schema
 * validator, in-memory PGlite storage, the command gateway under test, and real StationClients (1.6 and 2.0.1)
 * whose handlers record every CALL they receive and answer what the test scripted.
 *
 *   const bed = await startCommandTestbed();
 *   const cs = await bed.station('CS16', 'ocpp1.6');
 *   cs.answer('Reset', { status: 'Accepted' });
 *   await bed.commands.execute('CS16', { name: 'reset', type: 'Immediate' }, { timeoutMs: 2000 });
 *   assert.deepEqual(cs.received, [{ action: 'Reset', payload: { type: 'Hard' } }]);
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StationCommandGateway } from '../../src/domain/commands/types.ts';
import type { JsonObject } from '../../src/domain/model.ts';
import { OcppGateway } from '../../src/gateway/index.ts';
import { createCommandGateway } from '../../src/ocpp/commands/index.ts';
import type { CallHandler, HandlerLookup } from '../../src/protocol/endpoint.ts';
import { RpcError, type RpcErrorCode } from '../../src/protocol/errors.ts';
import { HandlerRegistry } from '../../src/protocol/handlers.ts';
import { createSchemaValidator } from '../../src/protocol/schemas/validator.ts';
import type { OcppVersion } from '../../src/protocol/types.ts';
import type { PayloadValidator } from '../../src/protocol/validator.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { StationClient } from '../../src/station/index.ts';
import { createRepositories, openDatabase, type Database, type StorageRepositories } from '../../src/storage/index.ts';

export type Answer = JsonObject | ((payload: JsonObject) => JsonObject | Promise<JsonObject>);

export interface FakeStation {
  id: string;
  version: OcppVersion;
  client: StationClient;
  /** Every CALL received, in order. */
  received: { action: string; payload: JsonObject }[];
  /** Scripts the answer to `action` (a handler may throw RpcError for a CALLERROR); unscripted → NotSupported. */
  answer(action: string, answer: Answer): void;
  /** Returns and forgets what was received so far. */
  take(): { action: string; payload: JsonObject }[];
  disconnect(): Promise<void>;
}

export interface CommandTestbed {
  database: Database;
  repos: StorageRepositories;
  gateway: OcppGateway;
  commands: StationCommandGateway;
  /** ws:// URL of the OCPP endpoint, without the identity. */
  url: string;
  /** Registers a station (profile 0, Accepted) without connecting it. */
  register(id: string): Promise<void>;
  /** Registers (if needed) and connects a station speaking `version`. */
  station(id: string, version: OcppVersion): Promise<FakeStation>;
  close(): Promise<void>;
}

let validator: PayloadValidator | undefined;

export async function startCommandTestbed(): Promise<CommandTestbed> {
  validator ??= createSchemaValidator();
  const logger = silentLogger();
  const database = await openDatabase({ dataDir: 'memory://' });
  const repos = createRepositories(database);
  const gateway = new OcppGateway({
    lookup: async (identity) => ((await repos.stations.get(identity)) ? { securityProfile: 0 } : undefined),
    validator,
    handlers: new HandlerRegistry(),
    logger,
    pingIntervalMs: 0,
  });
  const server = http.createServer();
  gateway.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ocpp`;
  const clients = new Set<StationClient>();

  const register = async (id: string): Promise<void> => {
    if (!(await repos.stations.get(id))) await repos.stations.create({ id, securityProfile: 0, registrationStatus: 'Accepted' });
  };

  return {
    database,
    repos,
    gateway,
    commands: createCommandGateway({ gateway, repos, logger }),
    url,
    register,
    async station(id, version) {
      await register(id);
      const answers = new Map<string, Answer>();
      const received: FakeStation['received'] = [];
      const handlers: HandlerLookup = {
        resolve(_version, action): CallHandler | undefined {
          const answer = answers.get(action);
          if (answer === undefined) return undefined;
          return (payload) => {
            received.push({ action, payload });
            return typeof answer === 'function' ? answer(payload) : answer;
          };
        },
      };
      const client = new StationClient({ url, identity: id, protocols: [version], validator: validator as PayloadValidator, handlers, logger, reconnect: false });
      clients.add(client);
      await client.connect();
      await until(() => gateway.connectionInfo(id) !== undefined);
      return {
        id,
        version,
        client,
        received,
        answer: (action, answer) => void answers.set(action, answer),
        take: () => received.splice(0),
        async disconnect() {
          clients.delete(client);
          await client.close();
          await until(() => gateway.connectionInfo(id) === undefined);
        },
      };
    },
    async close() {
      await Promise.all([...clients].map((client) => client.close()));
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

/** What a scripted answer throws to make the station answer CALLERROR `code`. */
export function callError(code: RpcErrorCode, description: string, details: Record<string, unknown> = {}): Error {
  return new RpcError(code, description, details);
}

/** Polls `condition` every 5 ms, failing after 2 s. */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
