/**
 * Last-seen times (2.0.1 G02.FR.04: any message proves a station alive, not only Heartbeat). One write per message
 * would cost more than the message itself, so stations seen are collected and written together every few seconds.
 */
import type { StationRepository } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';

export interface PresenceTrackerDeps {
  stations: StationRepository;
  logger: Logger;
  /** How often the batch is written (default 5 s). */
  flushIntervalMs?: number;
  now?: () => Date;
}

export class PresenceTracker {
  private seenIds = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => Date;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PresenceTrackerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.timer = setInterval(() => void this.flush(), deps.flushIntervalMs ?? 5_000);
    this.timer.unref();
  }

  seen(stationId: string): void {
    this.seenIds.add(stationId);
  }

  /** Writes the stations seen since the last flush; failures are logged (last-seen is not worth a crash). */
  flush(): Promise<void> {
    if (this.seenIds.size === 0) return this.writing;
    const ids = [...this.seenIds];
    this.seenIds = new Set();
    const at = this.now();
    this.writing = this.writing.then(() =>
      this.deps.stations.touch(ids, at).catch((error: unknown) => this.deps.logger.warn({ err: error, stations: ids.length }, 'last-seen update failed')),
    );
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
