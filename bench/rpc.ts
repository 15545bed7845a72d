/**
 * `npm run bench:rpc`: Joule's OCPP-J server against the `ocpp-rpc` npm server (strictMode) and a bare `ws`
 * server (the floor), one after another with the same load generator.
 *
 *   npm run bench:rpc                       throughput: 100 stations, Heartbeat then MeterValues (3 samples)
 *   npm run bench:rpc -- --idle 10000       memory per idle connection, without and with compression
 *   options: --stations N  --seconds S
 */
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import { ServerProcess } from './lib/child.ts';
import { closeStations, openStations, percentile, runCalls } from './lib/load.ts';

const SERVERS = [
  { name: 'joule', script: 'bench/servers/joule.ts' },
  { name: 'ocpp-rpc', script: 'bench/servers/ocpp-rpc.ts' },
  { name: 'bare ws', script: 'bench/servers/bare.ts' },
] as const;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const METER_VALUES = {
  evseId: 1,
  meterValue: [
    {
      timestamp: '2026-11-21T12:00:00.000Z',
      sampledValue: [
        { value: 12345.6, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
        { value: 7200, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
        { value: 31.4, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
      ],
    },
  ],
};

interface Row {
  server: string;
  workload: string;
  cpuUsPerCall: number;
  callsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function throughput(): Promise<void> {
  const stations = option('stations', 100);
  const seconds = option('seconds', 5);
  const rows: Row[] = [];
  for (const server of SERVERS) {
    const process_ = await ServerProcess.start(server.script);
    const sockets = await openStations(process_.port, stations);
    await runCalls(sockets, 'Heartbeat', {}, 1000); // warm-up: JIT, schema compilation paths
    for (const [workload, action, payload] of [
      ['Heartbeat', 'Heartbeat', {}],
      ['MeterValues x3', 'MeterValues', METER_VALUES],
    ] as const) {
      const cpuBefore = await process_.cpuMicros();
      const result = await runCalls(sockets, action, payload, seconds * 1000);
      const cpuAfter = await process_.cpuMicros();
      rows.push({
        server: server.name,
        workload,
        cpuUsPerCall: (cpuAfter - cpuBefore) / result.calls,
        callsPerSecond: result.calls / result.seconds,
        p50: percentile(result.latenciesMs, 50),
        p99: percentile(result.latenciesMs, 99),
        errors: result.errors,
      });
    }
    await closeStations(sockets);
    await process_.stop();
  }
  console.log(`\nOCPP-J RPC throughput: ${stations} stations, one CALL outstanding each, ${seconds} s per workload`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`);
  console.log('server     workload         µs CPU/call   calls/s     p50 ms   p99 ms   errors   vs ocpp-rpc   vs floor');
  for (const row of rows) {
    const peer = rows.find((r) => r.server === 'ocpp-rpc' && r.workload === row.workload);
    const floor = rows.find((r) => r.server === 'bare ws' && r.workload === row.workload);
    console.log(
      [
        row.server.padEnd(10),
        row.workload.padEnd(16),
        row.cpuUsPerCall.toFixed(1).padStart(11),
        row.callsPerSecond.toFixed(0).padStart(9),
        row.p50.toFixed(2).padStart(10),
        row.p99.toFixed(2).padStart(8),
        String(row.errors).padStart(8),
        peer ? `${(row.cpuUsPerCall / peer.cpuUsPerCall).toFixed(2)}×`.padStart(13) : '',
        floor ? `${(row.cpuUsPerCall / floor.cpuUsPerCall).toFixed(2)}×`.padStart(10) : '',
      ].join(' '),
    );
  }
  console.log('\nratios are server CPU per call; targets: joule ≤ 1.2× floor and ≤ 0.7× ocpp-rpc');
}

async function idle(count: number): Promise<void> {
  console.log(`\nIdle connections: ${count} stations connected and silent; server memory per connection`);
  console.log('server     compression   connections   RSS KB/conn   heap KB/conn   (RSS and heap growth over the empty server)');
  for (const server of SERVERS) {
    for (const compression of [false, true]) {
      const process_ = await ServerProcess.start(server.script, compression ? ['--compression'] : []);
      await sleep(200);
      const before = await process_.memory();
      const sockets = await openStations(process_.port, count, { compression });
      await sleep(500);
      const after = await process_.memory();
      console.log(
        [
          server.name.padEnd(10),
          (compression ? 'negotiated' : 'off').padEnd(13),
          String(after.connections).padStart(11),
          ((after.rss - before.rss) / 1024 / count).toFixed(1).padStart(13),
          ((after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / count).toFixed(1).padStart(14),
        ].join(' '),
      );
      await closeStations(sockets);
      await process_.stop();
    }
  }
  console.log('\ntargets: joule ≤ 25 KB RSS per idle uncompressed connection, ≤ 64 KB with compression negotiated');
}

const idleIndex = process.argv.indexOf('--idle');
if (idleIndex >= 0) await idle(Number(process.argv[idleIndex + 1] ?? 10000));
else await throughput();
