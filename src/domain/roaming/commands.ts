/**
 * Partner commands (OCPI Commands and ChargingProfiles, CPO = Receiver) as CSMS commands. Each request gets a
 * synchronous answer (can it be forwarded: known location/session, station connected), then runs in the
 * background through the CommandService, whose OCPP layer picks the 1.6 or 2.0.1 call; the result goes to the
 * listeners (the OCPI layer posts it to response_url):
 * - START_SESSION: ACCEPTED once the transaction really started (its Session leaves PENDING); REJECTED / FAILED /
 *   TIMEOUT when the station refused, failed or never started one. The token is not validated (the eMSP did) and
 *   is copied into the Session and CDR (auth_method COMMAND).
 * - STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR: when the station answered.
 * - reservation_id is the partner's; the station gets a reservation id of ours, unique whoever sent it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logger.ts';
import type { CommandService } from '../commands/service.ts';
import { CommandError, type CommandOutcome, type OperatorCommand } from '../commands/types.ts';
import type { JsonObject, JsonValue, OcppVersion } from '../model.ts';
import type { ReservationRepository, StationRepository } from '../ports.ts';
import type { CommandResultType, Party, RoamingCommand, RoamingCommandType, TokenObject } from './model.ts';
import type { LocationDirectory, RoamingRepository, StationPlace } from './ports.ts';
import type { RoamingSessions } from './sessions.ts';
import { ocppTypeOf } from './tokens.ts';

/** The synchronous answer (OCPI CommandResponseType / ChargingProfileResponseType). */
export type CommandAnswer =
  | { result: 'ACCEPTED'; timeoutS: number; commandId: string }
  | { result: 'REJECTED' | 'NOT_SUPPORTED' | 'UNKNOWN_SESSION'; timeoutS: number; message: string }
  | { result: 'UNKNOWN_LOCATION'; message: string };

export interface StartSessionRequest {
  responseUrl: string;
  token: TokenObject;
  locationId: string;
  evseUid?: string;
  connectorId?: string;
  authorizationReference?: string;
}

export interface ReserveNowRequest {
  responseUrl: string;
  token: TokenObject;
  expiryDate: Date;
  reservationId: string;
  locationId: string;
  evseUid?: string;
  authorizationReference?: string;
}

/** OCPI ChargingProfile (mod_charging_profiles), the part Joule maps to OCPP. */
export interface RoamingChargingProfile {
  start_date_time?: string;
  duration?: number;
  charging_rate_unit: 'W' | 'A';
  min_charging_rate?: number;
  charging_profile_period?: { start_period: number; limit: number }[];
}

export interface RoamingCommandsDeps {
  repo: RoamingRepository;
  sessions: RoamingSessions;
  commands: CommandService;
  stations: StationRepository;
  reservations: ReservationRepository;
  logger: Logger;
  locations?: LocationDirectory;
  /** How long the station may take to answer (default 30 s). */
  stationTimeoutMs?: number;
}

const RESERVE_RESULTS: Record<string, CommandResultType> = { Accepted: 'ACCEPTED', Faulted: 'EVSE_INOPERATIVE', Occupied: 'EVSE_OCCUPIED', Rejected: 'REJECTED', Unavailable: 'EVSE_INOPERATIVE' };
const UNLOCK_RESULTS: Record<string, CommandResultType> = { Unlocked: 'ACCEPTED', UnlockFailed: 'FAILED', OngoingAuthorizedTransaction: 'REJECTED', UnknownConnector: 'REJECTED', NotSupported: 'NOT_SUPPORTED' };

/** A stable profile id per session, so a new profile replaces the previous one and clear finds it. */
export function profileIdOf(sessionId: string): number {
  let hash = 0;
  for (const char of sessionId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 1_000_000 + (hash % 1_000_000_000);
}

export class RoamingCommands {
  /** Commands waiting for their station, so shutdown can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: RoamingCommandsDeps) {}

  /** Resolves once every command running now has been settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private get stationTimeoutMs(): number {
    return this.deps.stationTimeoutMs ?? 30_000;
  }

  /** Seconds the eMSP should wait for the result. */
  private get resultTimeoutS(): number {
    return Math.ceil(this.stationTimeoutMs / 1000) + 5;
  }

  setLocations(locations: LocationDirectory | undefined): void {
    this.deps.locations = locations;
  }

  async startSession(emsp: Party, request: StartSessionRequest): Promise<CommandAnswer> {
    const place = await this.place(request.locationId, request.evseUid, request.connectorId);
    if (!place) return { result: 'UNKNOWN_LOCATION', message: `unknown location ${request.locationId}` };
    const offline = await this.offline(place.stationId);
    if (offline) return offline;
    const remoteStartId = randomInt(1, 2 ** 31 - 1);
    const site = await this.deps.sessions.site(place.stationId, place.evseId ?? null, place.connectorId ?? null);
    const session = await this.deps.sessions.openPending({
      emsp,
      token: request.token,
      ...(request.authorizationReference ? { authorizationReference: request.authorizationReference } : {}),
      stationId: place.stationId,
      evseId: place.evseId ?? null,
      connectorId: place.connectorId ?? null,
      remoteStartId,
      site,
    });
    const command = await this.record(emsp, 'START_SESSION', request.responseUrl, request, place, request.token.uid, { remoteStartId, sessionId: session.id });
    this.background(command, { name: 'startTransaction', idToken: { idToken: request.token.uid, type: ocppTypeOf(request.token.type) }, evseId: place.evseId, remoteStartId }, async (outcome) => {
      if (outcome.status === 'Accepted') {
        await this.deps.sessions.announcePending(session.id);
        return undefined;
      }
      await this.deps.sessions.dropPending(session.id);
      return 'REJECTED';
    }, () => this.deps.sessions.dropPending(session.id));
    return { result: 'ACCEPTED', timeoutS: Math.ceil(this.deps.sessions.pendingTimeoutMs / 1000) + this.resultTimeoutS, commandId: command.id };
  }

  async stopSession(emsp: Party, request: { responseUrl: string; sessionId: string }): Promise<CommandAnswer> {
    const session = await this.deps.repo.getSession(request.sessionId);
    const transaction = session && session.transactionPk !== null && session.status === 'ACTIVE' && sameParty(session.emsp, emsp) ? session : undefined;
    if (!transaction) return { result: 'UNKNOWN_SESSION', timeoutS: this.resultTimeoutS, message: `no active session ${request.sessionId}` };
    const offline = await this.offline(transaction.stationId);
    if (offline) return offline;
    const stored = await this.deps.sessions.transactionOf(transaction);
    if (!stored) return { result: 'UNKNOWN_SESSION', timeoutS: this.resultTimeoutS, message: `no active session ${request.sessionId}` };
    const command = await this.record(emsp, 'STOP_SESSION', request.responseUrl, request, { stationId: transaction.stationId, evseId: transaction.evseId ?? undefined }, null, { sessionId: transaction.id });
    this.background(command, { name: 'stopTransaction', transactionId: stored.transactionId }, async (outcome) => (outcome.status === 'Accepted' ? 'ACCEPTED' : 'REJECTED'));
    return { result: 'ACCEPTED', timeoutS: this.resultTimeoutS, commandId: command.id };
  }

  async reserveNow(emsp: Party, request: ReserveNowRequest): Promise<CommandAnswer> {
    const place = await this.place(request.locationId, request.evseUid);
    if (!place) return { result: 'UNKNOWN_LOCATION', message: `unknown location ${request.locationId}` };
    const offline = await this.offline(place.stationId);
    if (offline) return offline;
    // The same reservation_id again updates that reservation (mod_commands ReserveNow).
    const existing = await this.deps.repo.getReservation(emsp, request.reservationId);
    const command = await this.record(emsp, 'RESERVE_NOW', request.responseUrl, request, place, request.token.uid);
    const ocpp: OperatorCommand = {
      name: 'reserveNow',
      idToken: { idToken: request.token.uid, type: ocppTypeOf(request.token.type) },
      expiry: request.expiryDate.toISOString(),
      ...(place.evseId === undefined ? {} : { evseId: place.evseId }),
      ...(request.token.group_id ? { groupId: request.token.group_id } : {}),
      ...(existing ? { reservationId: existing.ocppReservationId } : {}),
    };
    this.background(command, ocpp, async (outcome) => {
      const ours = outcome.result?.reservationId;
      if (typeof ours === 'number') await this.deps.repo.putReservation(emsp, request.reservationId, ours, request.responseUrl);
      const result = RESERVE_RESULTS[outcome.status ?? ''] ?? 'FAILED';
      if (result === 'ACCEPTED' && !existing) {
        const site = await this.deps.sessions.site(place.stationId, place.evseId ?? null, null);
        const session = await this.deps.sessions.openReservation({ emsp, token: request.token, ...(request.authorizationReference ? { authorizationReference: request.authorizationReference } : {}), stationId: place.stationId, evseId: place.evseId ?? null, site, expiry: request.expiryDate });
        await this.deps.repo.updateCommand(command.id, { sessionId: session.id });
      }
      return result;
    });
    return { result: 'ACCEPTED', timeoutS: this.resultTimeoutS, commandId: command.id };
  }

  async cancelReservation(emsp: Party, request: { responseUrl: string; reservationId: string }): Promise<CommandAnswer> {
    const reservation = await this.deps.repo.getReservation(emsp, request.reservationId);
    const stored = reservation && (await this.deps.reservations.get(reservation.ocppReservationId));
    const command = await this.record(emsp, 'CANCEL_RESERVATION', request.responseUrl, request, stored ? { stationId: stored.stationId } : undefined, null);
    if (!reservation || !stored) {
      void this.deps.sessions.settle(command, 'UNKNOWN_RESERVATION', `unknown reservation ${request.reservationId}`);
      return { result: 'ACCEPTED', timeoutS: this.resultTimeoutS, commandId: command.id };
    }
    this.background(command, { name: 'cancelReservation', reservationId: reservation.ocppReservationId }, async (outcome) => {
      if (outcome.status !== 'Accepted') return 'REJECTED';
      const reservedSession = await this.deps.repo.getReservationSession(emsp, request.reservationId);
      if (reservedSession) await this.deps.sessions.endReservation(reservedSession);
      // The original ReserveNow learns that its reservation ended (mod_commands CANCELED_RESERVATION).
      await this.deps.sessions.notifyResponseUrl(command, reservation.responseUrl, 'CANCELED_RESERVATION');
      return 'ACCEPTED';
    });
    return { result: 'ACCEPTED', timeoutS: this.resultTimeoutS, commandId: command.id };
  }

  async unlockConnector(emsp: Party, request: { responseUrl: string; locationId: string; evseUid: string; connectorId: string }): Promise<CommandAnswer> {
    const place = await this.place(request.locationId, request.evseUid, request.connectorId);
    if (!place) return { result: 'UNKNOWN_LOCATION', message: `unknown location ${request.locationId}/${request.evseUid}/${request.connectorId}` };
    const offline = await this.offline(place.stationId);
    if (offline) return offline;
    const command = await this.record(emsp, 'UNLOCK_CONNECTOR', request.responseUrl, request, place, null);
    this.background(command, { name: 'unlockConnector', evseId: place.evseId ?? 1, connectorId: place.connectorId ?? 1 }, async (outcome) => UNLOCK_RESULTS[outcome.status ?? ''] ?? 'FAILED');
    return { result: 'ACCEPTED', timeoutS: this.resultTimeoutS, commandId: command.id };
  }

  // ---------------------------------------------------------------- charging profiles

  /** PUT chargingprofiles/{session_id}: a TxProfile for the session's transaction. */
  async setChargingProfile(emsp: Party, request: { sessionId: string; responseUrl: string; profile: RoamingChargingProfile }): Promise<CommandAnswer> {
    return this.withSession(emsp, request.sessionId, request.responseUrl, request, async (session, stored, version) => {
      const evseId = session.evseId ?? 1;
      const profile = ocppProfile(version, profileIdOf(session.id), stored.transactionId, request.profile);
      return { name: 'setChargingProfile', evseId, profile };
    }, async (outcome) => (outcome.status === 'Accepted' ? 'ACCEPTED' : 'REJECTED'));
  }

  /** DELETE chargingprofiles/{session_id}: removes the profile set for the session. */
  async clearChargingProfile(emsp: Party, request: { sessionId: string; responseUrl: string }): Promise<CommandAnswer> {
    return this.withSession(emsp, request.sessionId, request.responseUrl, request, async (session) => ({ name: 'clearChargingProfile', profileId: profileIdOf(session.id) }), async (outcome) =>
      outcome.status === 'Accepted' ? 'ACCEPTED' : outcome.status === 'Unknown' ? 'UNKNOWN' : 'REJECTED',
    );
  }

  /** GET chargingprofiles/{session_id}?duration: the composite schedule of the session's EVSE. */
  async getActiveChargingProfile(emsp: Party, request: { sessionId: string; responseUrl: string; durationS: number }): Promise<CommandAnswer> {
    let evse = 1;
    return this.withSession(emsp, request.sessionId, request.responseUrl, request, async (session) => {
      evse = session.evseId ?? 1;
      return { name: 'getCompositeSchedule', evseId: evse, duration: request.durationS };
    }, async (outcome, command) => {
      const active = outcome.status === 'Accepted' ? activeProfileOf(outcome) : undefined;
      if (!active) return 'REJECTED';
      await this.deps.sessions.settle(command, 'ACCEPTED', undefined, active as unknown as JsonValue);
      return null;
    });
  }

  // ---------------------------------------------------------------- helpers

  private async withSession(
    emsp: Party,
    sessionId: string,
    responseUrl: string,
    request: unknown,
    build: (session: Awaited<ReturnType<RoamingRepository['getSession']>> & object, stored: { transactionId: string }, version: OcppVersion) => Promise<OperatorCommand>,
    interpret: (outcome: CommandOutcome, command: RoamingCommand) => Promise<string | null | undefined>,
  ): Promise<CommandAnswer> {
    const session = await this.deps.repo.getSession(sessionId);
    if (!session || !sameParty(session.emsp, emsp) || session.status !== 'ACTIVE') return { result: 'UNKNOWN_SESSION', timeoutS: this.resultTimeoutS, message: `no active session ${sessionId}` };
    const station = await this.deps.stations.get(session.stationId);
    const stored = await this.deps.sessions.transactionOf(session);
    if (!station?.connected || station.ocppVersion === null || !stored) return { result: 'REJECTED', timeoutS: this.resultTimeoutS, message: 'the charging station is not connected' };
    const ocpp = await build(session, stored, station.ocppVersion);
    const command = await this.record(emsp, 'CHARGING_PROFILE', responseUrl, request, { stationId: session.stationId, evseId: session.evseId ?? undefined }, null, { sessionId: session.id });
    this.background(command, ocpp, (outcome) => interpret(outcome, command));
    return { result: 'ACCEPTED', timeoutS: this.resultTimeoutS, commandId: command.id };
  }

  private async place(locationId: string, evseUid?: string, connectorId?: string): Promise<StationPlace | undefined> {
    return (await this.deps.locations?.resolve(locationId, evseUid, connectorId)) ?? this.unpublished(locationId, evseUid, connectorId);
  }

  /** Stations not published as Locations appear in Sessions as location = station id, EVSE uid "<station>-<evse>". */
  private async unpublished(locationId: string, evseUid?: string, connectorId?: string): Promise<StationPlace | undefined> {
    const station = await this.deps.stations.get(locationId);
    if (!station) return undefined;
    const evse = evseUid === undefined ? undefined : /^(.*)-(\d+)$/.exec(evseUid);
    if (evseUid !== undefined && (!evse || evse[1] !== locationId)) return undefined;
    return { stationId: locationId, ...(evse ? { evseId: Number(evse[2]) } : {}), ...(connectorId !== undefined && /^\d+$/.test(connectorId) ? { connectorId: Number(connectorId) } : {}) };
  }

  private async offline(stationId: string): Promise<CommandAnswer | undefined> {
    const station = await this.deps.stations.get(stationId);
    return station?.connected ? undefined : { result: 'REJECTED', timeoutS: this.resultTimeoutS, message: 'the charging station is not connected' };
  }

  private record(emsp: Party, type: RoamingCommandType | 'CHARGING_PROFILE', responseUrl: string, request: unknown, place: StationPlace | undefined, tokenUid: string | null, extra: { remoteStartId?: number; sessionId?: string } = {}): Promise<RoamingCommand> {
    return this.deps.repo.createCommand({
      id: randomUUID(),
      emsp,
      command: type,
      responseUrl,
      request,
      stationId: place?.stationId ?? null,
      evseId: place?.evseId ?? null,
      connectorId: place?.connectorId ?? null,
      tokenUid,
      ...extra,
    });
  }

  /**
   * Runs the OCPP command and settles the roaming command: `interpret` maps the station's answer to a result
   * (undefined: the result comes later, null: it settled itself); failures are FAILED, or TIMEOUT.
   */
  private background(command: RoamingCommand, ocpp: OperatorCommand, interpret: (outcome: CommandOutcome) => Promise<string | null | undefined>, onFailure?: () => Promise<void>): void {
    const work = (async () => {
      let result: string | null | undefined;
      let message: string | undefined;
      try {
        result = await interpret(await this.deps.commands.run(command.stationId ?? '', ocpp, { timeoutMs: this.stationTimeoutMs }));
      } catch (error) {
        await onFailure?.();
        result = error instanceof CommandError && error.kind === 'timeout' ? 'TIMEOUT' : error instanceof CommandError && error.kind === 'rejected' ? 'REJECTED' : 'FAILED';
        message = error instanceof Error ? error.message : undefined;
        this.deps.logger.info({ command: command.id, type: command.command, station: command.stationId, result, reason: message }, 'roaming command failed at the station');
      }
      if (result !== undefined && result !== null) await this.deps.sessions.settle(command, result, message);
    })()
      .catch((error: unknown) => this.deps.logger.error({ err: error, command: command.id }, 'roaming command could not be settled'))
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }
}

function sameParty(a: Party, b: Party): boolean {
  return a.countryCode.toUpperCase() === b.countryCode.toUpperCase() && a.partyId.toUpperCase() === b.partyId.toUpperCase();
}

/** The OCPI profile as a TxProfile in the station's version's shape (Absolute with a start time, else Relative). */
export function ocppProfile(version: OcppVersion, id: number, transactionId: string, profile: RoamingChargingProfile): JsonObject {
  const periods = (profile.charging_profile_period ?? [{ start_period: 0, limit: profile.min_charging_rate ?? 0 }]).map((p) => ({ startPeriod: p.start_period, limit: p.limit }));
  const kind = profile.start_date_time ? 'Absolute' : 'Relative';
  const schedule: JsonObject = {
    chargingRateUnit: profile.charging_rate_unit,
    chargingSchedulePeriod: periods,
    ...(profile.duration === undefined ? {} : { duration: profile.duration }),
    ...(profile.start_date_time ? { startSchedule: new Date(profile.start_date_time).toISOString() } : {}),
    ...(profile.min_charging_rate === undefined ? {} : { minChargingRate: profile.min_charging_rate }),
  };
  if (version === 'ocpp1.6') {
    return { chargingProfileId: id, transactionId: Number(transactionId), stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: kind, chargingSchedule: schedule };
  }
  return { id, transactionId, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: kind, chargingSchedule: [{ id: 1, ...schedule }] };
}

/** ActiveChargingProfile (mod_charging_profiles) from a GetCompositeSchedule answer of either version. */
export function activeProfileOf(outcome: CommandOutcome): { start_date_time: string; charging_profile: RoamingChargingProfile } | undefined {
  const response = outcome.calls.at(-1)?.response;
  if (!response) return undefined;
  // 2.0.1: { schedule: { scheduleStart, duration, chargingRateUnit, chargingSchedulePeriod } }; 1.6: scheduleStart + chargingSchedule.
  const schedule = (response.schedule ?? response.chargingSchedule) as JsonObject | undefined;
  if (!schedule || typeof schedule !== 'object') return undefined;
  const start = (schedule.scheduleStart ?? schedule.startSchedule ?? response.scheduleStart) as string | undefined;
  const periods = Array.isArray(schedule.chargingSchedulePeriod) ? (schedule.chargingSchedulePeriod as JsonObject[]) : [];
  return {
    start_date_time: new Date(start ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    charging_profile: {
      charging_rate_unit: schedule.chargingRateUnit === 'A' ? 'A' : 'W',
      ...(typeof schedule.duration === 'number' ? { duration: schedule.duration } : {}),
      ...(typeof schedule.minChargingRate === 'number' ? { min_charging_rate: schedule.minChargingRate } : {}),
      charging_profile_period: periods.map((p) => ({ start_period: Number(p.startPeriod), limit: Number(p.limit) })),
    },
  };
}
