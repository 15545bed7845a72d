/** Runs operator commands synchronously or as jobs (with a webhook), and publishes their results. */
import type { Logger } from '../../shared/logger.ts';
import { NotFoundError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { CommandJob, CommandJobStatus, JsonValue } from '../model.ts';
import type { CommandJobRepository, Page } from '../ports.ts';
import { CommandError, type CommandOutcome, type OperatorCommand, type StationCommandGateway } from './types.ts';
import { checkWebhookUrl, deliverWebhook, type WebhookOptions } from './webhook.ts';

export interface CommandServiceDeps {
  gateway: StationCommandGateway;
  jobs: CommandJobRepository;
  events: DomainEvents;
  logger: Logger;
  defaultTimeoutMs: number;
  /** Webhook timeout and retries (defaults in webhook.ts). */
  webhook?: WebhookOptions;
}

export type JobFilter = Page & { stationId?: string; status?: readonly CommandJobStatus[] };

/** How a finished job is stored: the outcome, or the failure as { kind, code, description, details? }. */
interface JobEnd {
  status: CommandJobStatus;
  response: JsonValue | null;
  error: JsonValue | null;
}

export class CommandService {
  /** Jobs running in the background, so shutdown and tests can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: CommandServiceDeps) {}

  /** Sends the command and waits for the station's answer (throws CommandError). */
  run(stationId: string, command: OperatorCommand, options: { timeoutMs?: number } = {}): Promise<CommandOutcome> {
    return this.deps.gateway.execute(stationId, command, { timeoutMs: options.timeoutMs ?? this.deps.defaultTimeoutMs });
  }

  /**
   * Stores a job (pending) and runs it in the background: sent → completed / failed / timeout, then the
   * 'command.completed' event and the webhook. Throws CommandError 'not-found' for an unknown station and
   * 'invalid' for a webhook URL that is not http(s); every other failure ends up in the job.
   */
  async submit(stationId: string, command: OperatorCommand, options: { timeoutMs?: number; webhookUrl?: string } = {}): Promise<CommandJob> {
    if (options.webhookUrl !== undefined) checkWebhookUrl(options.webhookUrl);
    let job: CommandJob;
    try {
      // The command is JSON as the API received it (optional fields that are undefined are dropped).
      job = await this.deps.jobs.create({ stationId, action: command.name, request: command as unknown as JsonValue, webhookUrl: options.webhookUrl ?? null });
    } catch (error) {
      if (error instanceof NotFoundError) throw new CommandError('not-found', `station ${stationId} is not registered`);
      throw error;
    }
    const work = this.process(job, command, options.timeoutMs ?? this.deps.defaultTimeoutMs)
      .catch((error: unknown) => this.deps.logger.error({ err: error, job: job.id }, 'command job failed unexpectedly'))
      .finally(() => this.running.delete(work));
    this.running.add(work);
    return job;
  }

  getJob(id: string): Promise<CommandJob | undefined> {
    return this.deps.jobs.get(id);
  }

  /** Newest first. */
  listJobs(filter?: JobFilter): Promise<CommandJob[]> {
    return this.deps.jobs.list(filter);
  }

  /** Resolves once every job running now has finished, webhook included (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async process(job: CommandJob, command: OperatorCommand, timeoutMs: number): Promise<void> {
    const { jobs, logger } = this.deps;
    await jobs.update(job.id, { status: 'sent' }).catch((error: unknown) => logger.warn({ err: error, job: job.id }, 'could not mark the command job sent'));
    let end: JobEnd;
    try {
      end = { status: 'completed', response: outcomeJson(await this.run(job.stationId, command, { timeoutMs })), error: null };
    } catch (error) {
      end = failure(error, logger, job.id);
    }
    const stored = await jobs.update(job.id, end).catch((error: unknown) => {
      logger.error({ err: error, job: job.id }, 'could not store the command job result');
      return undefined;
    });
    const finished: CommandJob = stored ?? { ...job, ...end, updatedAt: new Date() };
    this.deps.events.publish({ type: 'command.completed', jobId: job.id, stationId: job.stationId, action: job.action, status: end.status, response: end.response, error: end.error, at: finished.updatedAt });
    if (job.webhookUrl !== null) await deliverWebhook(job.webhookUrl, finished, this.deps.webhook ?? {}, logger);
  }
}

function outcomeJson(outcome: CommandOutcome): JsonValue {
  return { calls: outcome.calls, status: outcome.status ?? null, ...(outcome.result === undefined ? {} : { result: outcome.result }) };
}

function failure(error: unknown, logger: Logger, jobId: string): JobEnd {
  if (error instanceof CommandError) {
    const base = { kind: error.kind, code: error.rpc?.code ?? null, description: error.rpc?.description ?? error.message };
    return { status: error.kind === 'timeout' ? 'timeout' : 'failed', response: null, error: error.rpc ? { ...base, details: error.rpc.details } : base };
  }
  logger.error({ err: error, job: jobId }, 'command job failed');
  return { status: 'failed', response: null, error: { kind: 'internal', code: null, description: 'internal error (see the server log)' } };
}
