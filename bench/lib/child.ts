/**
 * The protocol between a benchmark run and a server under test, which runs in its own process so that its CPU
 * time and memory can be read without the load generator's.
 */
import { fork, type ChildProcess } from 'node:child_process';

export type ServerRequest = { type: 'cpu' } | { type: 'mem' } | { type: 'stop' };
export type ServerReply =
  | { type: 'ready'; port: number }
  | { type: 'cpu'; userUs: number; systemUs: number }
  | { type: 'mem'; rss: number; heapUsed: number; external: number; connections: number };

/** Used inside a server process: answers the run's questions about CPU and memory. */
export function serveBenchControl(port: number, connections: () => number): void {
  const send = (reply: ServerReply): void => {
    process.send?.(reply);
  };
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
    } else {
      process.exit(0);
    }
  });
  send({ type: 'ready', port });
}

/** A server under test, seen from the run. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(script: string, args: string[] = []): Promise<ServerProcess> {
    const child = fork(script, args, {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: ServerReply) => (message.type === 'ready' ? resolve(message.port) : reject(new Error('unexpected first message'))));
      child.once('exit', (code) => reject(new Error(`server ${script} exited with ${code}`)));
    });
    return new ServerProcess(child, port);
  }

  private ask<T extends 'cpu' | 'mem'>(type: T): Promise<Extract<ServerReply, { type: T }>> {
    return new Promise((resolve) => {
      const listener = (message: ServerReply): void => {
        if (message.type !== type) return;
        this.child.off('message', listener);
        resolve(message as Extract<ServerReply, { type: T }>);
      };
      this.child.on('message', listener);
      this.child.send({ type } satisfies ServerRequest);
    });
  }

  /** CPU time used by the server process so far, in microseconds. */
  async cpuMicros(): Promise<number> {
    const reply = await this.ask('cpu');
    return reply.userUs + reply.systemUs;
  }

  memory(): Promise<Extract<ServerReply, { type: 'mem' }>> {
    return this.ask('mem');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ServerRequest);
    await exited;
  }
}
