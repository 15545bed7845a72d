/** Small helpers every benchmark shares: options, medians, the machine line, and the watchdog. */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { stopAll } from './child.ts';

/** `--name N` from the command line, or `fallback`; anything but a positive number stops the run. */
export function numberOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!(value > 0)) {
    console.error(`--${name} expects a positive number`);
    process.exit(2);
  }
  return value;
}

/** `--name TEXT` from the command line, or `fallback`. */
export function stringOption(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** What the figures ran on: cores, CPU model, memory, node version, date, load; call it when the run starts. */
export function machineLine(): string {
  const cpus = os.cpus();
  const gib = (os.totalmem() / 1024 ** 3).toFixed(0);
  // The load average says how busy the machine was (other work shares the cores).
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${gib} GiB, node ${process.version}, ${new Date().toISOString()}, load average ${load}`;
}

/** Kills every server child and exits 1 if the run is still going after `ms` (a stuck server must not hang it). */
export function startWatchdog(ms: number): void {
  setTimeout(() => {
    console.error(`benchmark did not finish within ${Math.round(ms / 1000)} s: stopping`);
    stopAll();
    process.exit(1);
  }, ms).unref();
}

/** Busy and total CPU time of the whole machine so far (Linux /proc/stat), or undefined elsewhere. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (µs) used so far by every process of this machine named `name` (Linux /proc), or undefined elsewhere.
 * Processes that exit in between are missed, so this is a lower bound; for a database server on this machine.
 */
export function processesCpuMicros(name: string): number | undefined {
  try {
    const ticksPerSecond = 100; // USER_HZ on Linux
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== name) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }
    return (ticks / ticksPerSecond) * 1e6;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring how busy the whole machine is; the returned function gives the share of all cores that was
 * busy since (0..1), or NaN when unknown. Shows how much of the machine other work took during a run.
 */
export function machineBusy(): () => number {
  const before = machineTicks();
  return () => {
    const after = machineTicks();
    if (!before || !after || after.total === before.total) return Number.NaN;
    return (after.busy - before.busy) / (after.total - before.total);
  };
}
