/**
 * Delivers the push outbox. Each pass takes the oldest pending entry of every partner (never a later one while an
 * earlier one waits), so a partner gets its pushes in enqueue order, each once it answered success. Transport
 * failures, HTTP 5xx/401/408/429 and OCPI 3xxx are retried with exponential back-off (retryBaseMs doubling up to
 * retryMaxMs) for as long as it takes; OCPI 2xxx and other HTTP 4xx answers are final (status failed, visible to the
 * operator) and the queue moves on. An entry is claimed (leased) before it is sent, so two workers on one
 * database do not both send it; if the process dies mid-call the lease expires and it is sent again
 * (at-least-once: PUT and PATCH of the same object are idempotent).
 */
import { OcpiPeerError } from '../domain/ocpi/errors.ts';
import type { OutboxEntry } from '../domain/ocpi/model.ts';
import { receiverEndpoint, type OcpiOutbox } from '../domain/ocpi/outbox.ts';
import type { PartnerService } from '../domain/ocpi/partners.ts';
import type { OcpiOutboxRepository } from '../domain/ocpi/ports.ts';
import type { Logger } from '../shared/logger.ts';
import type { PartnerCaller } from './partner-caller.ts';

export interface OutboxWorkerOptions {
  entries: OcpiOutboxRepository;
  outbox: OcpiOutbox;
  partners: PartnerService;
  caller: PartnerCaller;
  logger: Logger;
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
  /** How long a claimed entry stays reserved (longer than a call's timeout). */
  leaseMs: number;
}

type Outcome = { kind: 'delivered'; location: string | null } | { kind: 'retry'; error: string } | { kind: 'failed'; error: string };

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: OutboxWorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.outbox.onEnqueued(() => this.kick());
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        void this.schedule();
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        const delivered = await this.pass();
        if (delivered === 0 || this.stopped) return;
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'OCPI outbox pass failed');
    }
  }

  /** Delivers the due head of every partner's queue (partners in parallel); returns how many were handled. */
  async pass(): Promise<number> {
    const now = new Date();
    const heads = await this.options.entries.dueHeads(now);
    const results = await Promise.all(heads.map((entry) => this.deliverClaimed(entry, now)));
    return results.filter(Boolean).length;
  }

  private async deliverClaimed(entry: OutboxEntry, now: Date): Promise<boolean> {
    const { entries, leaseMs } = this.options;
    if (!(await entries.claim(entry.id, now, new Date(now.getTime() + leaseMs)))) return false;
    const outcome = await this.deliver(entry);
    const log = { outboxId: entry.id, partnerId: entry.partnerId, module: entry.module, method: entry.method, attempt: entry.attempts + 1 };
    if (outcome.kind === 'delivered') {
      await entries.markDelivered(entry.id, new Date(), outcome.location);
      this.options.logger.debug(log, 'OCPI push delivered');
    } else if (outcome.kind === 'failed') {
      await entries.markFailed(entry.id, outcome.error);
      this.options.logger.warn({ ...log, error: outcome.error }, 'OCPI push refused by the partner: given up');
    } else {
      const delay = Math.min(this.options.retryBaseMs * 2 ** Math.min(entry.attempts, 30), this.options.retryMaxMs);
      await entries.markRetry(entry.id, new Date(Date.now() + delay), outcome.error);
      this.options.logger.info({ ...log, error: outcome.error, retryInMs: delay }, 'OCPI push failed: will retry');
    }
    return true;
  }

  private async deliver(entry: OutboxEntry): Promise<Outcome> {
    const partner = await this.options.partners.get(entry.partnerId).catch(() => undefined);
    if (!partner || partner.status !== 'REGISTERED') return { kind: 'failed', error: 'partner is not registered' };
    if (!receiverEndpoint(partner, entry.module)) return { kind: 'failed', error: `partner has no ${entry.module} receiver endpoint` };
    try {
      const response = await this.options.caller.call(partner.id, {
        method: entry.method,
        module: entry.module,
        role: 'RECEIVER',
        path: entry.path,
        body: entry.body ?? undefined,
        from: entry.fromParty ?? undefined,
        acceptOcpiErrors: true,
      });
      const status = response.envelope.status_code;
      if (status >= 1000 && status < 2000) return { kind: 'delivered', location: response.headers.get('location') };
      const error = `OCPI ${status}${response.envelope.status_message ? ` ${response.envelope.status_message}` : ''}`;
      return status >= 3000 && status < 4000 ? { kind: 'retry', error } : { kind: 'failed', error };
    } catch (error) {
      if (!(error instanceof OcpiPeerError)) return { kind: 'retry', error: (error as Error).message };
      const http = error.details.httpStatus;
      if (error.reason === 'transport') return { kind: 'retry', error: error.message };
      if (error.reason === 'http' && http !== undefined && (http >= 500 || http === 401 || http === 408 || http === 429)) return { kind: 'retry', error: error.message };
      return { kind: 'failed', error: error.message };
    }
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    let delay = this.options.pollMs;
    try {
      const next = await this.options.entries.nextAttemptAt();
      if (next) delay = Math.max(0, Math.min(delay, next.getTime() - Date.now()));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'OCPI outbox: cannot read the next attempt time');
    }
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }
}
