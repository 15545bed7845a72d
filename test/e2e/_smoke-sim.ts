import { startJoule } from '../../src/app.ts';
import { loadConfig } from '../../src/shared/config.ts';
import { createSimEnvironment } from '../../src/sim/environment.ts';
import { SimulatedStation } from '../../src/sim/station.ts';

const joule = await startJoule(loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', 'storage.dataDir': 'memory://', 'log.level': 'silent', 'ocpp.allowUnknownStations': true, 'ocpp.heartbeatIntervalS': 1, 'ocpp.pingIntervalMs': 0 } }));
const url = `ws://127.0.0.1:${joule.port}/ocpp`;
await joule.repos.tokens.upsert({ idToken: 'TOKEN1', type: 'ISO14443', status: 'Accepted' });
const env = createSimEnvironment();
for (const version of ['ocpp2.0.1', 'ocpp1.6'] as const) {
  const st = new SimulatedStation({ identity: `SMOKE-${version}`, url, version, evses: 2, connectorsPerEvse: 1, meterIntervalS: 0.2 as number, rebootDelayMs: 100 }, env);
  st.events.on('boot', (s, i) => console.log(version, 'boot', s, i));
  st.events.on('status', (e, c, s) => console.log(version, 'status', e, c, s));
  const orig = st.client.callRaw.bind(st.client);
  st.client.callRaw = (a, p, o) => { if (a === 'StatusNotification' || a.includes('Trans')) console.log('callRaw', a, JSON.stringify(p).slice(0, 80)); return orig(a, p, o); };
  st.start();
  await new Promise((r) => setTimeout(r, 1500));
  await joule.repos.stations.update(st.identity, { registrationStatus: 'Accepted' });
  await new Promise((r) => setTimeout(r, 1500));
  const session = await st.sessions.start(1, 'TOKEN1', 'ISO14443');
  console.log(version, 'session', session?.transactionId);
  await new Promise((r) => setTimeout(r, 1200));
  st.sessions.stop(1, 'Local');
  await st.outbox.idle();
  const txs = await joule.repos.transactions.list({ stationId: st.identity } as never);
  console.log(version, txs.map((t) => [t.transactionId, t.state, t.meterStartWh, t.meterStopWh, t.energyWh, t.stopReason, t.lastSeqNo]));
  await st.stop();
}
console.log(env.stats);
await joule.close();
