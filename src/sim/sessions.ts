/**
 * Charging sessions of a simulated station, version-neutral (the dialect writes the messages).
 *
 * A transaction starts when an EV is plugged in and a token is authorized, in either order (TxStartPoint
 * PowerPathClosed): Authorize goes to the CSMS when online (offline: local list, then LocalAuthorizeOffline); a
 * remote start authorizes first only when AuthorizeRemoteStart is set. While it runs, meter values go out every
 * TxUpdatedInterval / MeterValueSampleInterval seconds with the energy the power model integrated; a charging
 * limit changes the power at once. It ends with a reason (local, remote, EV disconnected, reset, deauthorized).
 */
import { randomUUID } from 'node:crypto';
import type { StartTrigger } from './dialect.ts';
import type { EvseState, Session } from './layout.ts';
import { pluggedConnector } from './layout.ts';
import { advance, drawnPower } from './meter.ts';
import type { SimulatedStation } from './station.ts';
import type { StopReason } from './types.ts';

export class Sessions {
  /** Authorizations waiting for the CSMS's answer. */
  private readonly pending = new Set<Promise<boolean>>();

  constructor(private readonly station: SimulatedStation) {}

  /** Sessions running now. */
  active(): Session[] {
    const out: Session[] = [];
    for (const evse of this.station.evses) if (evse.session) out.push(evse.session);
    return out;
  }

  find(transactionId: string): Session | undefined {
    return this.active().find((s) => s.transactionId === transactionId);
  }

  findLegacy(transactionId: number): Session | undefined {
    return this.active().find((s) => s.legacyId === transactionId);
  }

  /** An EV is plugged in; false when the EVSE cannot take it (unavailable, occupied). */
  plugIn(evseId: number, connectorId = 1): boolean {
    const evse = this.station.evse(evseId);
    const connector = evse?.connectors.find((c) => c.id === connectorId);
    if (!evse || !connector || !this.station.operative || !evse.operative || !connector.operative) return false;
    if (pluggedConnector(evse)) return connector.plugged;
    connector.plugged = true;
    if (evse.authorized && !evse.session) this.begin(evse, evse.authorized.remote ? 'RemoteStart' : 'CablePluggedIn');
    this.station.refreshStatuses([evse]);
    return true;
  }

  /** The EV leaves; a running session ends with EVDisconnected. */
  unplug(evseId: number): void {
    const evse = this.station.evse(evseId);
    if (!evse) return;
    if (evse.session) {
      this.end(evse, 'EVDisconnected', true);
      return;
    }
    for (const connector of evse.connectors) connector.plugged = false;
    evse.authorized = undefined;
    evse.finishing = false;
    this.station.refreshStatuses([evse]);
  }

  /** Presents a token at the EVSE; true when accepted (the session starts if an EV is plugged in). */
  authorize(evseId: number, idToken: string, type: string, remote?: { remoteStartId: number | undefined }): Promise<boolean> {
    const pending = this.authorizeNow(evseId, idToken, type, remote);
    this.pending.add(pending);
    const forget = (): void => {
      this.pending.delete(pending);
    };
    pending.then(forget, forget);
    return pending;
  }

  /**
   * Resolves when no authorization is waiting for the CSMS any more: a session can start only after one, so the
   * end of a run waits for this before stopping every session (else a late Accepted starts one nobody ends).
   */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async authorizeNow(evseId: number, idToken: string, type: string, remote: { remoteStartId: number | undefined } | undefined): Promise<boolean> {
    const evse = this.station.evse(evseId);
    if (!evse || evse.session || !evse.operative || !this.station.operative) return false;
    if (evse.reservation && evse.reservation.idToken !== idToken) return false;
    const online = this.station.online ? await this.station.dialect.authorize(idToken, type) : undefined;
    const status = online ?? this.localStatus(idToken);
    if (status !== 'Accepted' || evse.session) return false;
    this.accept(evse, idToken, type, remote);
    return true;
  }

  /** Plug in (if needed) and authorize: the session, or undefined when it did not start. */
  async start(evseId: number, idToken: string, type: string): Promise<Session | undefined> {
    const evse = this.station.evse(evseId);
    if (!evse) return undefined;
    if (evse.session) return evse.session;
    if (!pluggedConnector(evse) && !this.plugIn(evseId)) return undefined;
    await this.authorize(evseId, idToken, type);
    return evse.session;
  }

  /** RequestStartTransaction / RemoteStartTransaction, after the Accepted answer went out. */
  async remoteStart(evseId: number, idToken: string, type: string, remoteStartId: number | undefined): Promise<void> {
    const evse = this.station.evse(evseId);
    if (!evse || evse.session) return;
    const remote = { remoteStartId };
    if (this.station.model.booleanOf('authorizeRemoteStart')) {
      if (!(await this.authorize(evseId, idToken, type, remote))) return;
    } else this.accept(evse, idToken, type, remote);
    if (!evse.session) this.plugIn(evseId); // the driver plugs in the EV
  }

  /** Ends the session on the EVSE; the EV is unplugged afterwards unless `unplug` is false. */
  stop(evseId: number, reason: StopReason, unplug = true): Session | undefined {
    const evse = this.station.evse(evseId);
    return evse ? this.end(evse, reason, unplug) : undefined;
  }

  stopAll(reason: StopReason): void {
    for (const evse of this.station.evses) if (evse.session) this.end(evse, reason, true);
  }

  /** Ends `session` after `ms` (random charging). */
  endAfter(session: Session, ms: number, reason: StopReason): void {
    session.endTask?.cancel();
    session.endTask = this.station.env.scheduler.after(ms, () => {
      if (!session.ended) this.stop(session.evseId, reason);
    });
  }

  /** TriggerMessage MeterValues / TransactionEvent: one reading now. */
  meterNow(evse: EvseState): Promise<void> {
    if (!evse.session) return this.station.dialect.meterValues(evse);
    this.integrate(evse.session);
    this.station.dialect.updated(evse.session, 'Trigger');
    return Promise.resolve();
  }

  /** A charging profile changed: recompute the power of every session now. */
  limitsChanged(): void {
    for (const session of this.active()) {
      this.integrate(session);
      const before = session.energy.powerW;
      const stateChanged = this.updatePower(session);
      if (stateChanged || before !== session.energy.powerW) this.station.dialect.updated(session, stateChanged ? 'ChargingStateChanged' : 'ChargingRateChanged');
      if (stateChanged) this.station.refreshStatuses([this.evseOf(session)]);
    }
  }

  meterIntervalChanged(): void {
    for (const session of this.active()) this.scheduleMeter(session);
  }

  cancelTimers(): void {
    for (const evse of this.station.evses) {
      evse.session?.meterTask?.cancel();
      evse.session?.endTask?.cancel();
    }
  }

  /** After a reboot: no EV plugged in, no session, no reservation; availability persists. */
  powerCycle(): void {
    for (const evse of this.station.evses) {
      if (evse.session) this.end(evse, 'Reboot', true);
      evse.reservation?.expiry.cancel();
      evse.reservation = undefined;
      evse.authorized = undefined;
      evse.finishing = false;
      for (const connector of evse.connectors) {
        connector.plugged = false;
        connector.reported = undefined;
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private localStatus(idToken: string): string | undefined {
    const listed = this.station.localList.tokens.get(idToken);
    if (listed !== undefined) return listed;
    return this.station.model.booleanOf('localAuthorizeOffline') ? 'Accepted' : undefined;
  }

  private accept(evse: EvseState, idToken: string, type: string, remote: { remoteStartId: number | undefined } | undefined): void {
    evse.authorized = { idToken, type, remote: remote !== undefined, remoteStartId: remote?.remoteStartId };
    if (pluggedConnector(evse) && !evse.session) this.begin(evse, remote ? 'RemoteStart' : 'Authorized');
  }

  private begin(evse: EvseState, trigger: StartTrigger): void {
    const auth = evse.authorized;
    const connector = pluggedConnector(evse);
    if (!auth || !connector) return;
    evse.authorized = undefined;
    const station = this.station;
    const reservation = evse.reservation?.idToken === auth.idToken ? evse.reservation : undefined;
    if (reservation) {
      reservation.expiry.cancel();
      evse.reservation = undefined;
    }
    const session: Session = {
      transactionId: randomUUID(),
      legacyId: undefined,
      evseId: evse.id,
      connectorId: connector.id,
      idToken: auth.idToken,
      idTokenType: auth.type,
      seqNo: 0,
      startedAt: station.wallNow(),
      meterStartWh: evse.registerWh,
      remoteStartId: auth.remoteStartId,
      reservationId: reservation?.id,
      chargingState: 'Charging',
      chargingS: 0,
      energy: { registerWh: evse.registerWh, powerW: 0, soc: station.config.initialSoc, lastAt: station.env.clock.now() },
      meterTask: undefined,
      endTask: undefined,
      ended: false,
    };
    evse.session = session;
    this.updatePower(session);
    station.env.stats.charging += 1;
    station.env.stats.sessionsStarted += 1;
    station.dialect.started(session, trigger);
    this.scheduleMeter(session);
    station.refreshStatuses([evse]);
    station.events.emit('sessionStarted', session);
  }

  private end(evse: EvseState, reason: StopReason, unplug: boolean): Session | undefined {
    const session = evse.session;
    if (!session || session.ended) return undefined;
    const station = this.station;
    this.integrate(session);
    session.ended = true;
    session.meterTask?.cancel();
    session.endTask?.cancel();
    session.energy.powerW = 0;
    session.chargingState = reason === 'EVDisconnected' ? 'Idle' : 'EVConnected';
    station.dialect.ended(session, reason);
    evse.session = undefined;
    station.limits.endTransaction(session.transactionId);
    station.env.stats.charging -= 1;
    station.env.stats.sessionsCompleted += 1;
    if (evse.pendingInoperative) {
      evse.pendingInoperative = false;
      evse.operative = false;
    }
    evse.finishing = true;
    station.refreshStatuses([evse]);
    if (unplug) {
      for (const connector of evse.connectors) connector.plugged = false;
      evse.finishing = false;
      station.refreshStatuses([evse]);
    }
    station.events.emit('sessionEnded', session, reason);
    const pendingReset = station.resetWhenIdle;
    if (pendingReset && this.active().length === 0) void station.reboot(pendingReset.bootReason, pendingReset.stopReason);
    return session;
  }

  private scheduleMeter(session: Session): void {
    session.meterTask?.cancel();
    session.meterTask = undefined;
    const seconds = this.station.model.numberOf('meterInterval');
    if (!(seconds > 0) || session.ended) return;
    session.meterTask = this.station.env.scheduler.every(seconds * 1000, () => this.meterTick(session));
  }

  private meterTick(session: Session): void {
    if (session.ended) return;
    this.integrate(session);
    const stateChanged = this.updatePower(session);
    this.station.dialect.updated(session, stateChanged ? 'ChargingStateChanged' : 'MeterValuePeriodic');
    if (stateChanged) this.station.refreshStatuses([this.evseOf(session)]);
  }

  /** Energy up to now into the register, battery and charging time. */
  private integrate(session: Session): void {
    const now = this.station.env.clock.now();
    if (session.energy.powerW > 0) session.chargingS += Math.max(0, now - session.energy.lastAt) / 1000;
    advance(session.energy, now, this.physics());
    this.evseOf(session).registerWh = session.energy.registerWh;
  }

  /** Power from the limits and the battery; true when the charging state changed. */
  private updatePower(session: Session): boolean {
    const station = this.station;
    const limitW = station.limits.limitW({ evseId: session.evseId, transactionId: session.transactionId, sessionStart: session.startedAt, now: station.wallNow() });
    session.energy.powerW = drawnPower(session.energy, limitW, this.physics());
    const next = session.energy.powerW > 0 ? 'Charging' : session.energy.soc >= 100 ? 'SuspendedEV' : 'SuspendedEVSE';
    if (next === session.chargingState) return false;
    session.chargingState = next;
    return true;
  }

  private physics(): { maxPowerW: number; batteryWh: number } {
    return { maxPowerW: this.station.config.maxPowerW, batteryWh: this.station.config.batteryWh };
  }

  private evseOf(session: Session): EvseState {
    const evse = this.station.evse(session.evseId);
    if (!evse) throw new Error(`session on unknown EVSE ${session.evseId}`);
    return evse;
  }
}
