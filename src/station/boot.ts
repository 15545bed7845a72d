/**
 * BootNotification bookkeeping of a station (Part 4 §5.3): "When reconnecting, a Charging Station should not
 * send a BootNotification unless one or more of the elements in the BootNotification have changed since the
 * last connection." A Pending or Rejected answer carries the interval the station must wait before it tries
 * again (2.0.1 B02/B03, 1.6 §4.2).
 */
import type { JsonObject, JsonValue, OcppVersion } from '../protocol/types.ts';

export type BootStatus = 'Accepted' | 'Pending' | 'Rejected';

export interface BootResponse {
  status: BootStatus;
  /** Seconds: heartbeat interval when Accepted, wait before the next BootNotification otherwise. */
  interval: number;
  currentTime: string;
  /** The CALLRESULT payload as received (statusInfo, customData, ...). */
  raw: JsonObject;
}

export interface BootOutcome {
  /** False when the last Accepted boot had the same content and nothing was sent. */
  sent: boolean;
  response: BootResponse;
}

/** Wait when a Pending/Rejected answer has interval 0 ("the station chooses", 1.6 §4.2 / 2.0.1 B02). */
export const DEFAULT_BOOT_RETRY_MS = 60_000;

/** JSON with object keys sorted, so that key order does not count as a change of content. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Reads the fields every version's BootNotification response has (already schema-validated by the endpoint). */
export function parseBootResponse(raw: JsonObject): BootResponse {
  const status = raw.status;
  if (status !== 'Accepted' && status !== 'Pending' && status !== 'Rejected') throw new TypeError(`BootNotification status ${String(status)} is not Accepted, Pending or Rejected`);
  return {
    status,
    interval: typeof raw.interval === 'number' ? raw.interval : 0,
    currentTime: typeof raw.currentTime === 'string' ? raw.currentTime : '',
    raw,
  };
}

export class BootTracker {
  private accepted: { version: OcppVersion; key: string; response: BootResponse } | undefined;
  private retryAt: number | undefined;

  /** The Accepted response whose content equals `payload` on `version`, if any: then no boot is needed. */
  current(version: OcppVersion | undefined, payload: JsonObject): BootResponse | undefined {
    const last = this.accepted;
    if (!last || last.version !== version || last.key !== canonicalJson(payload)) return undefined;
    return last.response;
  }

  /** Time (clock ms) before which the CSMS asked us not to boot again, if any. */
  get nextBootAt(): number | undefined {
    return this.retryAt;
  }

  record(version: OcppVersion, payload: JsonObject, response: BootResponse, now: number): void {
    if (response.status === 'Accepted') {
      this.accepted = { version, key: canonicalJson(payload), response };
      this.retryAt = undefined;
      return;
    }
    this.accepted = undefined;
    this.retryAt = now + (response.interval > 0 ? response.interval * 1000 : DEFAULT_BOOT_RETRY_MS);
  }

  /** Forget the Accepted boot, e.g. after a reboot or a TriggerMessage(BootNotification). */
  forget(): void {
    this.accepted = undefined;
  }
}
