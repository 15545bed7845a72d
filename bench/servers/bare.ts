/**
 * The floor: a bare `ws` server that parses each CALL and answers it, with no validation and no OCPP logic
 * beyond building the reply. Nothing real can be cheaper than this.
 */
import { WebSocketServer } from 'ws';
import { serveBenchControl } from '../lib/child.ts';

const compression = process.argv.includes('--compression');
const wss = new WebSocketServer({
  port: 0,
  host: '127.0.0.1',
  handleProtocols: (protocols) => (protocols.has('ocpp2.0.1') ? 'ocpp2.0.1' : false),
  perMessageDeflate: compression,
});
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const [, id, action] = JSON.parse(data.toString()) as [number, string, string, unknown];
    const payload = action === 'Heartbeat' ? { currentTime: new Date().toISOString() } : {};
    socket.send(JSON.stringify([3, id, payload]));
  });
});
wss.on('listening', () => {
  const address = wss.address();
  serveBenchControl(typeof address === 'object' && address ? address.port : 0, () => wss.clients.size);
});
