/**
 * Webhook delivery of finished command jobs: POST of the job as JSON, a timeout per attempt, a few retries with
 * exponential back-off. Never throws: a receiver that is down must not affect the CSMS. Delivery is at least
 * once (a timed-out attempt may have arrived): receivers deduplicate by job id (header X-Joule-Job-Id).
 */
import type { Logger } from '../../shared/logger.ts';
import type { CommandJob, JsonValue } from '../model.ts';
import { CommandError } from './types.ts';

export interface WebhookOptions {
  /** Per attempt (default 5 000 ms). */
  timeoutMs?: number;
  /** Attempts in all, the first included (default 4). */
  attempts?: number;
  /** Wait before the first retry, doubled for each further one (default 1 000 ms). */
  backoffMs?: number;
}

/** Only http(s) URLs are called; anything else is refused when the job is submitted. */
export function checkWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CommandError('invalid', `webhookUrl is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CommandError('invalid', 'webhookUrl must be an http:// or https:// URL');
}

/** The job as the webhook receives it (the webhook URL itself is left out: it may carry a secret). */
export function webhookBody(job: CommandJob): { [key: string]: JsonValue } {
  return {
    id: job.id,
    stationId: job.stationId,
    action: job.action,
    status: job.status,
    request: job.request,
    response: job.response,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

/** A status worth another attempt: the receiver is overloaded or failing, not refusing the request. */
const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429;

/** Resolves true when a 2xx answer came back. */
export async function deliverWebhook(url: string, job: CommandJob, options: WebhookOptions, logger: Logger): Promise<boolean> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const body = JSON.stringify(webhookBody(job));
  const log = { job: job.id, station: job.stationId };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'joule', 'x-joule-job-id': job.id },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return true;
      logger.warn({ ...log, attempt, status: response.status }, 'command webhook answered with an error status');
      if (!retryable(response.status)) return false;
    } catch (error) {
      logger.warn({ ...log, attempt, err: error }, 'command webhook call failed');
    }
    if (attempt < attempts) await sleep((options.backoffMs ?? 1_000) * 2 ** (attempt - 1));
  }
  logger.error({ ...log, attempts }, 'command webhook given up');
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
