/** The peer: the `ocpp-rpc` npm server with strictMode (schema validation) on, answering the same calls. */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serveBenchControl } from '../lib/child.ts';

interface RpcClientLike {
  handle(action: string, handler: () => unknown): void;
}
interface RpcServerLike {
  on(event: 'client', listener: (client: RpcClientLike) => void): void;
  listen(port: number, host: string): Promise<{ address(): AddressInfo | string | null }>;
}
type RpcServerCtor = new (options: Record<string, unknown>) => RpcServerLike;

const require = createRequire(import.meta.url);
const { RPCServer } = require('ocpp-rpc') as { RPCServer: RpcServerCtor };

const compression = process.argv.includes('--compression');
const server = new RPCServer({
  protocols: ['ocpp2.0.1'],
  strictMode: true,
  callConcurrency: 1,
  wssOptions: { perMessageDeflate: compression },
});
let clients = 0;
server.on('client', (client) => {
  clients += 1;
  client.handle('Heartbeat', () => ({ currentTime: new Date().toISOString() }));
  client.handle('MeterValues', () => ({}));
});
const http = await server.listen(0, '127.0.0.1');
const address = http.address();
serveBenchControl(typeof address === 'object' && address ? address.port : 0, () => clients);
