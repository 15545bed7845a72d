/**
 * Support for the simulator, Local Controller CLI and signed-message tests: `joule` commands as real child
 * processes (bin/joule.mjs), and simulated stations (src/sim) made one at a time against a started Joule.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Joule } from '../../src/app.ts';
import { createSimEnvironment } from '../../src/sim/environment.ts';
import { SimulatedStation } from '../../src/sim/station.ts';
import type { SimEnvironment, StationConfig } from '../../src/sim/types.ts';
import { stationValidator } from './scenario-support.ts';

export const BIN = join(import.meta.dirname, '../../bin/joule.mjs');

/** A `joule …` child process with its output collected. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, JOULE_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Waits until stdout matches `pattern` and returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (exited || Date.now() > deadline) throw new Error(`no ${String(pattern)} in the output of joule (${exited ? 'exited' : 'timed out'}):\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The exit code, failing when the process does not end within `timeoutMs`. */
  async exitCode(timeoutMs = 110_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`joule did not exit:\n${this.stdout}\n${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

const running = new Set<CliProcess>();

/** Kills the child processes a test left running (afterEach). */
export async function killChildren(): Promise<void> {
  const all = [...running];
  for (const child of all) child.signal('SIGKILL');
  await Promise.all(all.map((child) => child.exited));
}

let environment: SimEnvironment | undefined;
const stations = new Set<SimulatedStation>();

/** One simulator environment per test process (its schema validator takes a second to build). */
export function simEnvironment(): SimEnvironment {
  environment ??= createSimEnvironment({ validator: stationValidator() });
  return environment;
}

/** A started simulated station on Joule's (or another) endpoint; stopped by stopStations(). */
export function simStation(config: Partial<StationConfig> & Pick<StationConfig, 'identity' | 'version'>, app?: Joule): SimulatedStation {
  const station = new SimulatedStation({ url: `ws://127.0.0.1:${app?.port ?? 0}/ocpp`, evses: 1, connectorsPerEvse: 1, rebootDelayMs: 100, ...config }, simEnvironment());
  stations.add(station);
  station.start();
  return station;
}

export async function stopStations(): Promise<void> {
  const all = [...stations];
  stations.clear();
  await Promise.all(all.map((station) => station.stop()));
  // Like the runner at the end of a run: the shared scheduler goes with the stations.
  environment?.scheduler.stop();
  environment = undefined;
}

/** Resolves on the station's next `accepted` (or at once when it is online already). */
export function accepted(station: SimulatedStation, timeoutMs = 20_000): Promise<void> {
  if (station.online) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${station.identity} was not accepted within ${timeoutMs} ms`)), timeoutMs);
    const off = station.events.on('accepted', () => {
      off();
      clearTimeout(timer);
      resolve();
    });
  });
}

/** POST /api/v1/stations/{id}/commands/{command} with the app's first API key; the JSON answer and the status. */
export async function command(app: Joule, stationId: string, name: string, body: unknown): Promise<{ status: number; body: CommandAnswer }> {
  const key = app.initialApiKey ?? '';
  const response = await fetch(`http://127.0.0.1:${app.port}/api/v1/stations/${encodeURIComponent(stationId)}/commands/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as CommandAnswer };
}

/** GET under /api/v1 with the app's first API key. */
export async function apiGet(app: Joule, path: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${app.port}/api/v1${path}`, { headers: { authorization: `Bearer ${app.initialApiKey ?? ''}` } });
  if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

export interface CommandAnswer {
  status: string | null;
  result: { [key: string]: unknown } | null;
  calls: { action: string; request: { [key: string]: unknown }; response: { [key: string]: unknown } }[];
}

/** Sends a command that must be answered with `expected` (the station's status field; null: any, e.g. per-variable statuses). */
export async function expectCommand(app: Joule, stationId: string, name: string, body: unknown, expected: string | null): Promise<CommandAnswer> {
  const answer = await command(app, stationId, name, body);
  if (answer.status !== 200 || (expected !== null && answer.body.status !== expected)) throw new Error(`${name}: expected ${expected}, got HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The variables of a getVariables / setVariables outcome, by variable name. */
export function variablesOf(answer: CommandAnswer): Map<string, { status: string; value?: string }> {
  const list = (answer.result?.variables ?? []) as { variable: string; status: string; value?: string }[];
  return new Map(list.map((v) => [v.variable, v]));
}
