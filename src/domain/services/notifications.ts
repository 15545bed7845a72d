/**
 * Notifications a station sends that need an acknowledgement and a record, but change no domain state yet:
 * security events (A04.FR.01-03, SEC A04), firmware and signed-firmware progress (L01, 1.6 §4.5), log and
 * diagnostics upload progress (N01, 1.6 §4.4), device events (N07, N08).
 *
 * They are recorded as structured log lines; the full message is in the message log too. There is no repository
 * for them yet (no firmware/log job table to correlate requestId with, no security event table).
 */
import type { JsonObject } from '../model.ts';
import type { Logger } from '../../shared/logger.ts';

export type NotificationKind = 'securityEvent' | 'firmwareStatus' | 'logStatus' | 'diagnosticsStatus' | 'deviceEvent';

/** Failure states worth a warning rather than an info line. */
const FAILURES = new Set([
  'DownloadFailed',
  'InstallationFailed',
  'InstallVerificationFailed',
  'InvalidSignature',
  'UploadFailed',
  'UploadFailure',
  'BadMessage',
  'PermissionDenied',
  'NotSupportedOperation',
]);

export class NotificationService {
  constructor(private readonly logger: Logger) {}

  record(stationId: string, kind: NotificationKind, details: JsonObject): void {
    const status = typeof details.status === 'string' ? details.status : undefined;
    const serious = kind === 'securityEvent' || (status !== undefined && FAILURES.has(status));
    const line = { station: stationId, notification: kind, ...details };
    if (serious) this.logger.warn(line, `station ${kind}`);
    else this.logger.info(line, `station ${kind}`);
  }
}
