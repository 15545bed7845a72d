/**
 * Charging profiles a simulated station received (SetChargingProfile, or with a remote start), reduced to what
 * the power model needs: the limit in W that applies to an EVSE now. Version-neutral: both dialects convert
 * their profile shape into `StoredProfile`.
 *
 * The limit of an EVSE is the lowest of: the station maximum (ChargingStationMaxProfile / 1.6
 * ChargePointMaxProfile, highest stack level), and the transaction's TxProfile or else TxDefaultProfile (EVSE
 * specific before station-wide, highest stack level). A profile whose schedule has not started or has run out
 * does not limit. Limits in A are converted with 230 V and the period's number of phases (default 3).
 */
import { NOMINAL_VOLTAGE, PHASES } from './meter.ts';

export type ProfilePurpose = 'max' | 'txDefault' | 'tx' | 'external';

export interface StoredProfile {
  id: number;
  stackLevel: number;
  purpose: ProfilePurpose;
  /** 0 = the whole station. */
  evseId: number;
  transactionId?: string;
  kind: 'Absolute' | 'Recurring' | 'Relative';
  recurrency?: 'Daily' | 'Weekly';
  /** Wall-clock ms. */
  startSchedule?: number;
  validFrom?: number;
  validTo?: number;
  durationS?: number;
  rateUnit: 'A' | 'W';
  periods: ReadonlyArray<{ startPeriod: number; limit: number; numberPhases?: number }>;
}

export interface LimitContext {
  evseId: number;
  transactionId: string | undefined;
  /** Wall-clock ms when the session started (Relative profiles count from there). */
  sessionStart: number;
  now: number;
}

const DAY_MS = 86_400_000;

export class ChargingLimits {
  private profiles: StoredProfile[] = [];

  get size(): number {
    return this.profiles.length;
  }

  /** Adds or replaces (same id, or same purpose + stack level + EVSE, K01.FR.05). */
  set(profile: StoredProfile): void {
    this.profiles = this.profiles.filter(
      (p) => p.id !== profile.id && !(p.purpose === profile.purpose && p.stackLevel === profile.stackLevel && p.evseId === profile.evseId),
    );
    this.profiles.push(profile);
  }

  /** Removes matching profiles; how many were removed. Every criterion given must match. */
  clear(criteria: { id?: number; evseId?: number; purpose?: ProfilePurpose; stackLevel?: number }): number {
    const before = this.profiles.length;
    this.profiles = this.profiles.filter(
      (p) =>
        !(
          (criteria.id === undefined || p.id === criteria.id) &&
          (criteria.evseId === undefined || p.evseId === criteria.evseId) &&
          (criteria.purpose === undefined || p.purpose === criteria.purpose) &&
          (criteria.stackLevel === undefined || p.stackLevel === criteria.stackLevel)
        ),
    );
    return before - this.profiles.length;
  }

  /** TxProfiles belong to their transaction and go with it. */
  endTransaction(transactionId: string): void {
    this.profiles = this.profiles.filter((p) => !(p.purpose === 'tx' && p.transactionId === transactionId));
  }

  /** The limit in W for the EVSE now; Infinity when nothing limits. */
  limitW(context: LimitContext): number {
    const applies = (p: StoredProfile): boolean => p.evseId === 0 || p.evseId === context.evseId;
    const station = this.top(this.profiles.filter((p) => (p.purpose === 'max' || p.purpose === 'external') && applies(p)), context);
    const tx = this.top(this.profiles.filter((p) => p.purpose === 'tx' && applies(p) && (p.transactionId === undefined || p.transactionId === context.transactionId)), context);
    const evseDefault = this.top(this.profiles.filter((p) => p.purpose === 'txDefault' && p.evseId === context.evseId), context);
    const stationDefault = this.top(this.profiles.filter((p) => p.purpose === 'txDefault' && p.evseId === 0), context);
    const session = context.transactionId === undefined ? Infinity : (tx ?? evseDefault ?? stationDefault ?? Infinity);
    return Math.min(station ?? Infinity, session);
  }

  /** The limit of the highest stack level that is active now, if any. */
  private top(candidates: StoredProfile[], context: LimitContext): number | undefined {
    const sorted = candidates.sort((a, b) => b.stackLevel - a.stackLevel);
    for (const profile of sorted) {
      const limit = activeLimitW(profile, context);
      if (limit !== undefined) return limit;
    }
    return undefined;
  }
}

function activeLimitW(profile: StoredProfile, context: LimitContext): number | undefined {
  const { now } = context;
  if (profile.validFrom !== undefined && now < profile.validFrom) return undefined;
  if (profile.validTo !== undefined && now >= profile.validTo) return undefined;
  let start = profile.kind === 'Relative' ? context.sessionStart : (profile.startSchedule ?? context.sessionStart);
  if (profile.kind === 'Recurring') {
    const cycle = profile.recurrency === 'Weekly' ? 7 * DAY_MS : DAY_MS;
    if (now >= start) start += Math.floor((now - start) / cycle) * cycle;
  }
  const elapsedS = (now - start) / 1000;
  if (elapsedS < 0) return undefined;
  if (profile.durationS !== undefined && elapsedS >= profile.durationS) return undefined;
  let current: StoredProfile['periods'][number] | undefined;
  for (const period of profile.periods) if (period.startPeriod <= elapsedS && (!current || period.startPeriod >= current.startPeriod)) current = period;
  if (!current) return undefined;
  return profile.rateUnit === 'W' ? current.limit : current.limit * NOMINAL_VOLTAGE * (current.numberPhases ?? PHASES);
}
