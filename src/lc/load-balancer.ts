/**
 * Local smart charging (Part 4 §6.1): the Local Controller shares a site limit among the sessions behind it and
 * enforces each station's part with a station-wide maximum profile it sends itself (profiles.ts, §6.4).
 *
 * Invariant: the sum of the limits the stations may be holding never exceeds the site limit, also while changes
 * are on their way. Per station the LC tracks `applied` (the last limit the station accepted) and `inflight` (the
 * one being sent) and counts the station at the higher of the two. Hence the order: decreases go out first;
 * an increase goes out only as far as the others' counted limits leave room, and is topped up after their
 * decreases are acknowledged. A failed or timed-out change counts at the higher value until a later one succeeds.
 *
 * Stations that are offline or not admitted yet keep the limit they have (profiles persist at the station) and
 * keep their sessions; they get new limits when they are back. A station the LC never limited counts as 0 until
 * its first profile, which it gets as soon as it is admitted (0 when idle).
 */
import type { JsonObject, OcppVersion } from '../protocol/types.ts';
import type { Logger } from '../shared/logger.ts';
import { allocate, raiseTo } from './allocation.ts';
import type { RateUnit } from './profiles.ts';
import { fromTenths, stationMaxProfile, toTenths } from './profiles.ts';

/** How the balancer reaches stations (the controller, through each station's downlink). */
export interface StationLink {
  call(identity: string, action: string, payload: JsonObject): Promise<JsonObject>;
}

export interface LoadBalancerOptions {
  /** Site limit in `unit`; undefined: nothing is enforced until setSiteLimit(). */
  siteLimit: number | undefined;
  unit: RateUnit;
  profileId: number;
  stackLevel: number;
  /** Wait before retrying a station whose last change failed (ms). */
  retryMs: number;
  link: StationLink;
  logger: Logger;
  now?: () => Date;
  /** Called after every acknowledged change (tests, logging). */
  onApplied?: (identity: string, limit: number) => void;
}

interface StationBudget {
  sessions: Set<string>;
  /** Tenths the station accepted last; undefined: the LC never set a limit there. */
  applied: number | undefined;
  inflight: number | undefined;
  /** Connected, version known and admitted by the CSMS. */
  version: OcppVersion | undefined;
  retry: NodeJS.Timeout | undefined;
}

export interface StationShare {
  identity: string;
  sessions: number;
  /** Last accepted limit in the site unit (undefined: none set yet). */
  limit: number | undefined;
  target: number;
}

export class SiteLoadBalancer {
  private siteTenths: number | undefined;
  private readonly stations = new Map<string, StationBudget>();
  private closed = false;

  constructor(private readonly options: LoadBalancerOptions) {
    this.siteTenths = options.siteLimit === undefined ? undefined : toTenths(options.siteLimit);
  }

  get unit(): RateUnit {
    return this.options.unit;
  }

  get siteLimit(): number | undefined {
    return this.siteTenths === undefined ? undefined : this.siteTenths / 10;
  }

  setSiteLimit(limit: number): void {
    if (!(limit >= 0) || !Number.isFinite(limit)) throw new RangeError(`site limit must be a finite number ≥ 0, got ${limit}`);
    this.siteTenths = toTenths(limit);
    this.options.logger.info({ siteLimit: limit, unit: this.options.unit }, 'site limit set');
    this.reconcile();
  }

  sessionStarted(identity: string, key: string): void {
    const budget = this.budget(identity);
    if (budget.sessions.has(key)) return;
    budget.sessions.add(key);
    this.reconcile();
  }

  sessionRekeyed(identity: string, from: string, to: string): void {
    const budget = this.budget(identity);
    if (budget.sessions.delete(from)) budget.sessions.add(to);
  }

  sessionEnded(identity: string, key: string): void {
    if (this.budget(identity).sessions.delete(key)) this.reconcile();
  }

  /** The station is connected and admitted: it can take profiles now. */
  stationReady(identity: string, version: OcppVersion): void {
    this.budget(identity).version = version;
    this.reconcile();
  }

  stationGone(identity: string): void {
    const budget = this.stations.get(identity);
    if (budget) budget.version = undefined;
  }

  /** Sum of the limits the stations may be holding now (tenths); never above the site limit. */
  committedTenths(): number {
    let sum = 0;
    for (const budget of this.stations.values()) sum += committed(budget);
    return sum;
  }

  shares(): StationShare[] {
    const targets = this.targets();
    return [...this.stations].map(([identity, budget]) => ({
      identity,
      sessions: budget.sessions.size,
      limit: budget.applied === undefined ? undefined : fromTenths(budget.applied),
      target: fromTenths(targets.get(identity) ?? 0),
    }));
  }

  close(): void {
    this.closed = true;
    for (const budget of this.stations.values()) clearTimeout(budget.retry);
  }

  private budget(identity: string): StationBudget {
    let budget = this.stations.get(identity);
    if (!budget) {
      budget = { sessions: new Set(), applied: undefined, inflight: undefined, version: undefined, retry: undefined };
      this.stations.set(identity, budget);
    }
    return budget;
  }

  private targets(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [identity, budget] of this.stations) counts.set(identity, budget.sessions.size);
    return allocate(this.siteTenths ?? 0, counts);
  }

  /** Sends what can be sent now without breaking the invariant: decreases first, then increases within room. */
  private reconcile(): void {
    const site = this.siteTenths;
    if (this.closed || site === undefined) return;
    const targets = this.targets();
    const idle = [...this.stations].filter(([, b]) => b.version !== undefined && b.inflight === undefined && b.retry === undefined);
    for (const [identity, budget] of idle) {
      const target = targets.get(identity) ?? 0;
      const lower = budget.applied === undefined ? target === 0 : target < budget.applied;
      if (lower) this.send(identity, budget, target);
    }
    for (const [identity, budget] of idle) {
      if (budget.inflight !== undefined) continue;
      const target = targets.get(identity) ?? 0;
      const current = budget.applied ?? 0;
      if (budget.applied !== undefined && target <= current) continue;
      const value = raiseTo(target, site, this.committedTenths() - committed(budget));
      if (budget.applied === undefined || value > current) this.send(identity, budget, value);
    }
  }

  private send(identity: string, budget: StationBudget, tenths: number): void {
    const version = budget.version;
    if (version === undefined) return;
    const { logger, link, now } = this.options;
    budget.inflight = tenths;
    const request = stationMaxProfile(version, this.options, tenths, now?.() ?? new Date());
    logger.info({ station: identity, limit: fromTenths(tenths), unit: this.options.unit }, 'sending station limit');
    link.call(identity, 'SetChargingProfile', request).then(
      (response) => {
        if (response.status === 'Accepted') this.settle(identity, budget, tenths, true);
        else this.settle(identity, budget, tenths, false, `station answered ${String(response.status)}`);
      },
      (error: unknown) => this.settle(identity, budget, tenths, false, error instanceof Error ? error.message : String(error)),
    );
  }

  private settle(identity: string, budget: StationBudget, tenths: number, ok: boolean, why?: string): void {
    budget.inflight = undefined;
    if (ok) {
      budget.applied = tenths;
      this.options.onApplied?.(identity, fromTenths(tenths));
    } else {
      // The station may or may not hold the new value: keep counting the higher one.
      budget.applied = Math.max(budget.applied ?? 0, tenths);
      this.options.logger.warn({ station: identity, limit: fromTenths(tenths), reason: why }, 'station limit not applied; will retry');
      if (!this.closed) {
        budget.retry = setTimeout(() => {
          budget.retry = undefined;
          this.reconcile();
        }, this.options.retryMs);
      }
    }
    this.reconcile();
  }
}

function committed(budget: StationBudget): number {
  return Math.max(budget.applied ?? 0, budget.inflight ?? 0);
}
