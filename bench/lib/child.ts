/**
 * The protocol between a benchmark run and a server under test, which runs in its own process so that its CPU
 * time and memory can be read without the load generator's.
 *
 * Every child is stopped: by `stop()`, by `stopAll()` (the run's watchdog), and by the child itself when the run
 * goes away (the IPC channel closes), so a crashed or interrupted run leaves no server behind.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type ServerRequest = { type: 'cpu' } | { type: 'mem' } | { type: 'stop' } | { type: 'custom'; name: string };
export type ServerReply =
  | { type: 'ready'; port: number }
  | { type: 'cpu'; userUs: number; systemUs: number }
  | { type: 'mem'; rss: number; heapUsed: number; external: number; connections: number }
  | { type: 'custom'; name: string; value: unknown };

/** Extra questions a server can answer (e.g. row counts), by name. */
export type CustomQueries = Record<string, () => unknown>;

/** Used inside a server process: answers the run's questions about CPU and memory. */
export function serveBenchControl(port: number, connections: () => number, options: { custom?: CustomQueries; onStop?: () => Promise<void> } = {}): void {
  const send = (reply: ServerReply): void => {
    process.send?.(reply);
  };
  const stop = (): void => {
    const done = options.onStop ? options.onStop() : Promise.resolve();
    // A stop that hangs must not keep the process alive.
    setTimeout(() => process.exit(1), 120_000).unref();
    done.then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('bench server: stopping failed', error);
        process.exit(1);
      },
    );
  };
  process.on('disconnect', stop);
  process.on('message', (message: ServerRequest) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      send({ type: 'cpu', userUs: usage.user, systemUs: usage.system });
    } else if (message.type === 'mem') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const memory = process.memoryUsage();
      send({ type: 'mem', rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, connections: connections() });
    } else if (message.type === 'custom') {
      const query = options.custom?.[message.name];
      Promise.resolve(query ? query() : undefined).then(
        (value) => send({ type: 'custom', name: message.name, value }),
        (error: unknown) => send({ type: 'custom', name: message.name, value: { error: String(error) } }),
      );
    } else {
      stop();
    }
  });
  send({ type: 'ready', port });
}

const running = new Set<ChildProcess>();

/** Kills every server child still running (the run's watchdog and exit path). */
export function stopAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** How long a server may take to start, or to answer one control question. */
const START_TIMEOUT_MS = 180_000;
const ASK_TIMEOUT_MS = 30_000;

/**
 * The V8 flags `npm start` gives Joule (package.json's start script; bin/joule.mjs's first line has the same), so a
 * benchmark of the CSMS measures the process an operator runs.
 */
export function jouleRuntimeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

/** A server under test, seen from the run. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** `runtimeFlags`: Node/V8 flags the server runs with (e.g. jouleRuntimeFlags()), before BENCH_NODE_FLAGS. */
  static async start(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, runtimeFlags: string[] = []): Promise<ServerProcess> {
    const child = fork(script, args, {
      // BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
      // BENCH_NODE_FLAGS="--flag ..." (diagnosis): more flags for every server, e.g. V8 GC settings or --trace-gc (whose
      // lines then go to this run's standard error).
      execArgv: [
        '--import',
        'tsx',
        '--expose-gc',
        ...runtimeFlags,
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
        ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ').filter((flag) => flag !== '') : []),
      ],
      stdio: ['ignore', process.env.BENCH_NODE_FLAGS ? 2 : 'ignore', 'inherit', 'ipc'],
      env,
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server ${script} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        child.once('message', (message: ServerReply) => {
          clearTimeout(timer);
          if (message.type === 'ready') resolve(message.port);
          else reject(new Error('unexpected first message'));
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`server ${script} exited with ${code}`));
        });
      });
      return new ServerProcess(child, port);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  private ask<T extends ServerReply['type']>(request: ServerRequest, type: T, accept: (reply: Extract<ServerReply, { type: T }>) => boolean = () => true): Promise<Extract<ServerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', listener);
        reject(new Error(`server did not answer '${request.type}' within ${ASK_TIMEOUT_MS} ms`));
      }, ASK_TIMEOUT_MS);
      const listener = (message: ServerReply): void => {
        if (message.type !== type || !accept(message as Extract<ServerReply, { type: T }>)) return;
        clearTimeout(timer);
        this.child.off('message', listener);
        resolve(message as Extract<ServerReply, { type: T }>);
      };
      this.child.on('message', listener);
      this.child.send(request);
    });
  }

  /** CPU time used by the server process so far, in microseconds. */
  async cpuMicros(): Promise<number> {
    const reply = await this.ask({ type: 'cpu' }, 'cpu');
    return reply.userUs + reply.systemUs;
  }

  memory(): Promise<Extract<ServerReply, { type: 'mem' }>> {
    return this.ask({ type: 'mem' }, 'mem');
  }

  /** Asks a question the server registered under `name` (see serveBenchControl's `custom`). */
  async query(name: string): Promise<unknown> {
    return (await this.ask({ type: 'custom', name }, 'custom', (reply) => reply.name === name)).value;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ServerRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 150_000);
    await exited;
    clearTimeout(timer);
  }
}
