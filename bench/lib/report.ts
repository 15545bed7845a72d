/** Small helpers every benchmark shares: options, medians, the machine line, and the watchdog. */
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

/** What the figures ran on: cores, CPU model, memory, node version, date, load. */
export function machineLine(): string {
  const cpus = os.cpus();
  const gib = (os.totalmem() / 1024 ** 3).toFixed(0);
  // The load average says how busy the machine was when the run started (other work shares the cores).
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
