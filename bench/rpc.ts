/**
 * `npm run bench:rpc`: Joule's OCPP-J server against the `ocpp-rpc` npm server (strictMode) and a bare `ws`
 * server (the floor), one after another with the same load generator. Only 127.0.0.1; every server runs in a child
 * process (its CPU time and memory are read there) and is stopped at the end, on error and by the watchdog.
 *
 *   npm run bench:rpc                       throughput: 100 stations, Heartbeat then MeterValues (3 samples)
 *   npm run bench:rpc -- --idle 10000       memory per idle connection, without and with compression
 *   options: --stations N  --seconds S  --rounds R (throughput: servers run in rotating order R times; medians)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ServerProcess, stopAll } from './lib/child.ts';
import { closeStations, exchangeOnce, openStations, percentile, runCalls } from './lib/load.ts';
import { machineLine, median, numberOption, startWatchdog } from './lib/report.ts';

const SERVERS = [
  { name: 'joule', script: 'bench/servers/joule.ts' },
  { name: 'ocpp-rpc', script: 'bench/servers/ocpp-rpc.ts' },
  { name: 'bare ws', script: 'bench/servers/bare.ts' },
] as const;

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

const WORKLOADS = [
  ['Heartbeat', 'Heartbeat', {}],
  ['MeterValues x3', 'MeterValues', METER_VALUES],
] as const;

interface Sample {
  cpuUsPerCall: number;
  callsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measureServer(script: string, stations: number, seconds: number): Promise<Map<string, Sample>> {
  const server = await ServerProcess.start(script);
  const samples = new Map<string, Sample>();
  try {
    const sockets = await openStations(server.port, stations);
    await runCalls(sockets, 'Heartbeat', {}, 1000); // warm-up: JIT, schema compilation paths
    for (const [workload, action, payload] of WORKLOADS) {
      const cpuBefore = await server.cpuMicros();
      const result = await runCalls(sockets, action, payload, seconds * 1000);
      const cpuAfter = await server.cpuMicros();
      samples.set(workload, {
        cpuUsPerCall: (cpuAfter - cpuBefore) / result.calls,
        callsPerSecond: result.calls / result.seconds,
        p50: percentile(result.latenciesMs, 50),
        p99: percentile(result.latenciesMs, 99),
        errors: result.errors,
      });
    }
    await closeStations(sockets);
  } finally {
    await server.stop();
  }
  return samples;
}

async function throughput(): Promise<void> {
  const stations = numberOption('stations', 100);
  const seconds = numberOption('seconds', 5);
  const rounds = numberOption('rounds', 3);
  startWatchdog(rounds * SERVERS.length * (2 * seconds + 60) * 1000);
  const machine = machineLine();
  // server → workload → one sample per round
  const all = new Map<string, Map<string, Sample[]>>(SERVERS.map((s) => [s.name, new Map(WORKLOADS.map(([w]) => [w, []]))]));
  for (let round = 0; round < rounds; round += 1) {
    // Rotate the order so that a neighbour's CPU use drifting over time does not always hit the same server.
    const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length] as (typeof SERVERS)[number]);
    for (const server of order) {
      const samples = await measureServer(server.script, stations, seconds);
      for (const [workload, sample] of samples) all.get(server.name)?.get(workload)?.push(sample);
      console.error(`round ${round + 1}/${rounds} ${server.name}: ${[...samples].map(([w, s]) => `${w} ${s.cpuUsPerCall.toFixed(1)} µs/call ${s.callsPerSecond.toFixed(0)}/s`).join(', ')}`);
    }
  }
  const summary = (server: string, workload: string): Sample => {
    const list = all.get(server)?.get(workload) ?? [];
    return {
      cpuUsPerCall: median(list.map((s) => s.cpuUsPerCall)),
      callsPerSecond: median(list.map((s) => s.callsPerSecond)),
      p50: median(list.map((s) => s.p50)),
      p99: median(list.map((s) => s.p99)),
      errors: list.reduce((sum, s) => sum + s.errors, 0),
    };
  };
  console.log(`\nOCPP-J RPC throughput: ${stations} stations, one CALL outstanding each, ${seconds} s per workload, median of ${rounds} rounds`);
  console.log(`${machine}\n`);
  console.log('server     workload         µs CPU/call   calls/s     p50 ms   p99 ms   errors   vs ocpp-rpc   vs floor');
  for (const [workload] of WORKLOADS) {
    const peer = summary('ocpp-rpc', workload);
    const floor = summary('bare ws', workload);
    for (const server of SERVERS) {
      const row = summary(server.name, workload);
      console.log(
        [
          server.name.padEnd(10),
          workload.padEnd(16),
          row.cpuUsPerCall.toFixed(1).padStart(11),
          row.callsPerSecond.toFixed(0).padStart(9),
          row.p50.toFixed(2).padStart(10),
          row.p99.toFixed(2).padStart(8),
          String(row.errors).padStart(8),
          `${(row.cpuUsPerCall / peer.cpuUsPerCall).toFixed(2)}×`.padStart(13),
          `${(row.cpuUsPerCall / floor.cpuUsPerCall).toFixed(2)}×`.padStart(10),
        ].join(' '),
      );
    }
  }
  console.log('\nratios are server CPU per call (medians); targets: joule ≤ 1.2× floor and ≤ 0.7× ocpp-rpc');
}

async function idle(count: number): Promise<void> {
  startWatchdog(SERVERS.length * 2 * 180_000);
  console.log(`\nIdle connections: ${count} stations connect, exchange one Heartbeat (sent compressed when negotiated), then stay silent`);
  console.log(machineLine());
  console.log('server     compression   connections   RSS KB/conn   heap+ext KB/conn   RSS total MB   failed');
  for (const server of SERVERS) {
    for (const compression of [false, true]) {
      const process_ = await ServerProcess.start(server.script, compression ? ['--compression'] : []);
      try {
        await sleep(500);
        const before = await process_.memory();
        const sockets = await openStations(process_.port, count, { compression });
        const failed = await exchangeOnce(sockets, compression);
        await sleep(1000);
        const after = await process_.memory();
        const negotiated = sockets.filter((s) => s.extensions.includes('permessage-deflate')).length;
        console.log(
          [
            server.name.padEnd(10),
            (compression ? `on (${negotiated})` : 'off').padEnd(13),
            String(after.connections).padStart(11),
            ((after.rss - before.rss) / 1024 / count).toFixed(1).padStart(13),
            ((after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / count).toFixed(1).padStart(18),
            (after.rss / 1024 / 1024).toFixed(0).padStart(14),
            String(failed).padStart(8),
          ].join(' '),
        );
        await closeStations(sockets);
      } finally {
        await process_.stop();
      }
    }
  }
  console.log('\nper connection = growth over the started, empty server (after GC), divided by the connections.');
  console.log('targets: joule ≤ 25 KB RSS per idle uncompressed connection, ≤ 64 KB with compression negotiated');
}

try {
  const idleIndex = process.argv.indexOf('--idle');
  if (idleIndex >= 0) {
    const count = Number(process.argv[idleIndex + 1]);
    await idle(Number.isInteger(count) && count > 0 ? count : 10_000);
  } else {
    await throughput();
  }
} finally {
  stopAll();
}
process.exit(0);
