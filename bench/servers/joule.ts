/**
 * Joule's OCPP-J server as benchmarked: the real gateway, schema validation on (strict), the real handler
 * registry, unknown stations admitted (profile 0) so the load generator needs no credentials.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OcppGateway } from '../../src/gateway/index.ts';
import { HandlerRegistry } from '../../src/protocol/handlers.ts';
import { createSchemaValidator } from '../../src/protocol/schemas/validator.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { serveBenchControl } from '../lib/child.ts';

const compression = process.argv.includes('--compression');
const handlers = new HandlerRegistry()
  .on('ocpp2.0.1', 'Heartbeat', () => ({ currentTime: new Date().toISOString() }))
  .on('ocpp2.0.1', 'MeterValues', () => ({}));
const gateway = new OcppGateway({
  lookup: async () => undefined,
  allowUnknownStations: true,
  validator: createSchemaValidator(),
  handlers,
  logger: silentLogger(),
  strictness: 'strict',
  compression: { enabled: compression },
});
const server = createServer((_req, res) => res.writeHead(404).end());
gateway.attach(server);
server.listen(0, '127.0.0.1', () => {
  serveBenchControl((server.address() as AddressInfo).port, () => gateway.connectedIdentities().length);
});
