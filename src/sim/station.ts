/**
 * SimulatedStation: one charging station that behaves like a real one on top of the station client.
 *
 * - Connects (Basic auth / client certificate, compression as configured); the client reconnects after a loss
 *   with the Part 4 §5.3 back-off, whose RetryBackOff* values live in the device model and follow the CSMS's
 *   SetVariables / ChangeConfiguration.
 * - BootNotification until Accepted, waiting the interval a Pending or Rejected answer gives; not repeated after a
 *   plain reconnect (§5.3), repeated with reason RemoteReset after a reboot.
 * - After Accepted: StatusNotification for every connector (only the changed ones after a reconnect), heartbeats
 *   at the interval of the boot answer, and the stored transaction messages in order.
 * - Sessions (sessions.ts), settings (device-model.ts) and the answers to the CSMS's calls (handlers/) build on it.
 */
import type { FrameEvent } from '../protocol/endpoint.ts';
import { CallTimeoutError, InvalidRequestError, InvalidResponseError, OfflineError, RpcError } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/types.ts';
import { MessageType } from '../protocol/types.ts';
import type { BootStatus } from '../station/index.ts';
import { ConnectError, StationClient } from '../station/index.ts';
import { ChargingLimits } from './charging-limits.ts';
import { deviceModelSpec } from './device-model-defaults.ts';
import type { LiveValue, VariableDef } from './device-model.ts';
import { DeviceModel } from './device-model.ts';
import type { BootReason, Dialect } from './dialect.ts';
import { createDialect } from './dialects.ts';
import { Emitter } from './emitter.ts';
import type { ConnectorState, EvseState, Session } from './layout.ts';
import { buildLayout } from './layout.ts';
import type { Task } from './scheduler.ts';
import { Sessions } from './sessions.ts';
import type { ResolvedStationConfig } from './station-config.ts';
import { resolveStationConfig } from './station-config.ts';
import type { OutMessage } from './outbox.ts';
import { Outbox } from './outbox.ts';
import type { SimEnvironment, StationConfig, StopReason } from './types.ts';

export interface SimulatedStationEvents {
  /** A BootNotification was answered. */
  boot: [status: BootStatus, intervalS: number];
  /** Online and Accepted (after a boot, or after a reconnect that needed none). */
  accepted: [];
  /** A StatusNotification went out (1.6 connector 0: evseId 0). */
  status: [evseId: number, connectorId: number, status: string];
  sessionStarted: [session: Session];
  sessionEnded: [session: Session, reason: StopReason];
  /** The client waits `delayMs` before its next connection attempt (§5.3). */
  reconnecting: [attempt: number, delayMs: number];
  disconnected: [];
  /** A reboot (Reset) closed the connection; the station comes back after its reboot delay. */
  rebooting: [];
}

/** Wait before retrying a BootNotification that got a CALLERROR or no answer. */
const BOOT_ERROR_RETRY_MS = 10_000;
/** How long a reboot waits for the transaction messages of the sessions it stopped. */
const REBOOT_DRAIN_MS = 5_000;
/** How long stop() waits for the answer to a CALL in flight before closing the connection. */
const STOP_ANSWER_WAIT_MS = 2_000;

export class SimulatedStation {
  readonly identity: string;
  readonly config: ResolvedStationConfig;
  readonly env: SimEnvironment;
  readonly client: StationClient;
  readonly model: DeviceModel;
  readonly evses: EvseState[];
  readonly limits = new ChargingLimits();
  readonly sessions: Sessions;
  readonly dialect: Dialect;
  readonly events = new Emitter<SimulatedStationEvents>();
  readonly outbox: Outbox;

  registration: BootStatus | undefined;
  connected = false;
  /** ChangeAvailability on the whole station. */
  operative = true;
  /** 1.6 connector 0 status last sent. */
  stationReported: string | undefined;
  /** Local authorization list (SendLocalList). */
  localList = { version: 0, tokens: new Map<string, string>() };
  /** A Reset OnIdle waits for the sessions to end. */
  resetWhenIdle: { bootReason: BootReason; stopReason: StopReason } | undefined;

  private heartbeatTask: Task | undefined;
  private bootReason: BootReason = 'PowerUp';
  private forceBoot = false;
  private bootLoop = false;
  private countedAccepted = false;
  private rebooting = false;
  private stopped = false;
  /** Out-of-band network loss of a script (disconnect step): no reconnect until reconnect(). */
  private heldOffline = false;
  private outstanding: { id: string; at: number } | undefined;
  /** Resolves a stop() waiting for the outstanding CALL's answer. */
  private answered: (() => void) | undefined;

  constructor(config: StationConfig, env: SimEnvironment) {
    this.config = resolveStationConfig(config);
    this.identity = config.identity;
    this.env = env;
    const c = this.config;
    const spec = deviceModelSpec({
      evses: c.evses,
      connectorsPerEvse: c.connectorsPerEvse,
      heartbeatIntervalS: c.heartbeatIntervalS,
      meterIntervalS: c.meterIntervalS,
      backoff: c.backoff ?? {},
      pingIntervalS: c.pingIntervalS,
      maxPowerW: c.maxPowerW,
      vendor: c.vendor,
      model: c.model,
    });
    this.model = new DeviceModel(spec, (live, def) => this.liveValue(live, def), (def, value) => this.applySetting(def, value));
    this.evses = buildLayout(c.evses, c.connectorsPerEvse, c.version === 'ocpp1.6');
    this.client = new StationClient({
      url: c.url,
      identity: c.identity,
      protocols: [c.version],
      password: c.password,
      tls: c.tls,
      compression: c.compression,
      validator: env.validator,
      handlers: env.handlers,
      logger: env.logger,
      callTimeoutMs: c.callTimeoutMs,
      backoff: {
        waitMinimumS: this.model.numberOf('backoffWaitMinimum'),
        randomRangeS: this.model.numberOf('backoffRandomRange'),
        repeatTimes: this.model.numberOf('backoffRepeatTimes'),
      },
      clock: env.clock,
      random: env.random,
      pingIntervalMs: c.pingIntervalS * 1000,
      ...(c.signing ? { signing: c.signing, signCalls: c.signCalls } : {}),
      onFrame: (event) => this.onFrame(event),
    });
    this.dialect = createDialect(this);
    this.sessions = new Sessions(this);
    this.outbox = new Outbox(
      { ready: () => this.online, call: (action, payload) => this.call(action, payload), dropped: (message, reason) => this.dropped(message, reason) },
      c.maxStoredTxMessages,
      () => Math.max(1, Number(this.model.textOf('OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent')) || 1),
    );
    this.client.on('open', () => this.onOpen());
    this.client.on('close', () => this.onClose());
    this.client.on('reconnecting', (attempt, delayMs) => this.events.emit('reconnecting', attempt, delayMs));
    this.client.on('error', (error) => {
      if (error instanceof ConnectError && error.failure !== 'aborted') this.env.stats.connectFailures += 1;
    });
  }

  /** Connected and Accepted: CALLs other than BootNotification may go out. */
  get online(): boolean {
    return this.connected && this.registration === 'Accepted';
  }

  get version(): ResolvedStationConfig['version'] {
    return this.config.version;
  }

  wallNow(): number {
    return this.env.wallClock();
  }

  evse(id: number): EvseState | undefined {
    return this.evses[id - 1];
  }

  /** Starts connecting; the station then lives on its own (boot, reconnects) until stop(). */
  start(): void {
    this.env.directory.set(this.identity, this);
    this.client.connect().catch(() => undefined); // failures are counted ('error') and retried by the client
  }

  /** Leaves the network for good: timers cancelled, connection closed. Sessions are left as they are. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.bootLoop = false;
    this.cancelHeartbeat();
    this.sessions.cancelTimers();
    // A real station does not hang up on a CALL in flight: give its answer a moment (counted as answered).
    if (this.connected && this.outstanding !== undefined) {
      await Promise.race([new Promise<void>((resolve) => (this.answered = resolve)), this.env.scheduler.sleep(STOP_ANSWER_WAIT_MS)]);
    }
    await this.client.close();
    this.env.directory.delete(this.identity);
  }

  // ---------------------------------------------------------------- connection

  private onOpen(): void {
    this.connected = true;
    this.env.stats.connected += 1;
    if (!this.bootLoop) void this.runBoot();
  }

  private onClose(): void {
    if (!this.connected) return;
    this.connected = false;
    this.env.stats.connected -= 1;
    this.countAccepted(false);
    this.cancelHeartbeat();
    this.outstanding = undefined;
    this.settleAnswered();
    this.outbox.dropUnstored();
    this.events.emit('disconnected');
  }

  /** Script step: the network goes away (the connection closes; messages made meanwhile are stored). */
  async disconnect(): Promise<void> {
    this.heldOffline = true;
    await this.client.close(1001, 'simulated network loss');
  }

  /** Script step: the network is back. */
  reconnect(): void {
    if (!this.heldOffline || this.stopped) return;
    this.heldOffline = false;
    this.client.connect().catch(() => undefined);
  }

  // ---------------------------------------------------------------- boot

  private async runBoot(): Promise<void> {
    this.bootLoop = true;
    try {
      while (this.connected && !this.stopped) {
        const force = this.forceBoot;
        this.forceBoot = false;
        try {
          const outcome = await this.client.boot(this.dialect.bootPayload(this.bootReason), { force });
          const { status, interval } = outcome.response;
          this.countAccepted(status === 'Accepted');
          this.registration = status;
          if (outcome.sent) this.events.emit('boot', status, interval);
          if (status === 'Accepted') {
            this.onAccepted(interval, outcome.sent);
            return;
          }
        } catch (error) {
          if (force) this.forceBoot = true;
          if (error instanceof OfflineError) return; // the next 'open' boots again
          this.recordFailure(error);
          await this.env.scheduler.sleep(BOOT_ERROR_RETRY_MS);
        }
      }
    } finally {
      this.bootLoop = false;
    }
  }

  private onAccepted(intervalS: number, booted: boolean): void {
    if (booted) {
      // A boot the CSMS saw: it knows nothing of our connectors yet (B01.FR.05 / 1.6 §4.2).
      for (const evse of this.evses) for (const connector of evse.connectors) connector.reported = undefined;
      this.stationReported = undefined;
      if (intervalS > 0) this.model.setByEffect('heartbeatInterval', String(intervalS));
    }
    this.scheduleHeartbeat();
    this.refreshStatuses();
    this.outbox.pump();
    this.events.emit('accepted');
  }

  /** TriggerMessage(BootNotification): boot again now, reason Triggered. */
  triggerBoot(): void {
    this.bootReason = 'Triggered';
    this.forceBoot = true;
    if (!this.bootLoop && this.connected) void this.runBoot();
  }

  private countAccepted(accepted: boolean): void {
    if (accepted === this.countedAccepted) return;
    this.countedAccepted = accepted;
    this.env.stats.accepted += accepted ? 1 : -1;
  }

  // ---------------------------------------------------------------- reboot

  /**
   * Reset: stop the sessions (their Ended/StopTransaction go out first when online), close the connection, stay
   * off for the reboot delay, then connect and boot again with `bootReason` (sent even if nothing else changed).
   */
  async reboot(bootReason: BootReason, stopReason: StopReason): Promise<void> {
    if (this.rebooting || this.stopped) return;
    this.rebooting = true;
    this.resetWhenIdle = undefined;
    this.sessions.stopAll(stopReason);
    await Promise.race([this.outbox.idle(), this.env.scheduler.sleep(REBOOT_DRAIN_MS)]);
    this.events.emit('rebooting');
    this.cancelHeartbeat();
    this.sessions.cancelTimers();
    await this.client.close(1000, 'reboot');
    this.sessions.powerCycle();
    this.stationReported = undefined;
    await this.env.scheduler.sleep(this.config.rebootDelayMs);
    this.rebooting = false;
    if (this.stopped) return;
    this.registration = undefined;
    this.bootReason = bootReason;
    this.forceBoot = true;
    this.heldOffline = false;
    this.client.connect().catch(() => undefined);
  }

  // ---------------------------------------------------------------- heartbeat and statuses

  private scheduleHeartbeat(): void {
    this.cancelHeartbeat();
    const seconds = this.model.numberOf('heartbeatInterval');
    if (!(seconds > 0)) return;
    this.heartbeatTask = this.env.scheduler.every(seconds * 1000, () => {
      if (this.online) void this.dialect.heartbeat();
    });
  }

  private cancelHeartbeat(): void {
    this.heartbeatTask?.cancel();
    this.heartbeatTask = undefined;
  }

  /** Sends StatusNotification for every connector whose status differs from the one last reported. */
  refreshStatuses(evses: readonly EvseState[] = this.evses): void {
    if (!this.online) return;
    const station = this.dialect.stationStatus();
    if (station !== undefined && evses === this.evses && station !== this.stationReported) {
      this.stationReported = station;
      void this.sendStatus(undefined, undefined, station);
    }
    for (const evse of evses) {
      for (const connector of evse.connectors) {
        const status = this.dialect.connectorStatus(evse, connector);
        if (status === connector.reported) continue;
        connector.reported = status;
        void this.sendStatus(evse, connector, status);
      }
    }
  }

  /** Sends one StatusNotification now, whether or not it changed (TriggerMessage). */
  async sendStatus(evse: EvseState | undefined, connector: ConnectorState | undefined, status: string): Promise<void> {
    const sent = await this.dialect.statusNotification(evse, connector, status);
    if (sent) {
      this.events.emit('status', evse?.id ?? 0, connector?.id ?? 0, status);
      return;
    }
    // Not delivered: report it again from the state of the moment once back online.
    if (connector && connector.reported === status) connector.reported = undefined;
    else if (!connector && this.stationReported === status) this.stationReported = undefined;
  }

  // ---------------------------------------------------------------- calls and counters

  /** A CALL; failures are counted (CALLERROR by code, timeouts) and rethrown. */
  async call(action: string, payload: JsonObject): Promise<JsonObject> {
    try {
      return await this.client.callRaw(action, payload);
    } catch (error) {
      this.recordFailure(error);
      throw error;
    }
  }

  /** A CALL through the outbox, in order with the transaction messages: undefined when offline or failed. */
  send(action: string, payload: JsonObject): Promise<JsonObject | undefined> {
    return this.outbox.send(action, payload);
  }

  /** A transaction message: stored until the CSMS answered it, across connection losses and reboots. */
  enqueue(message: Omit<OutMessage, 'stored'>): void {
    this.outbox.push({ ...message, stored: true });
  }

  recordFailure(error: unknown): void {
    const stats = this.env.stats;
    if (error instanceof RpcError) stats.callError(error.code);
    else if (error instanceof CallTimeoutError) stats.timeouts += 1;
    else if (error instanceof InvalidResponseError) stats.callError(`InvalidResponse(${error.code})`);
    else if (error instanceof InvalidRequestError) {
      stats.stationErrors += 1;
      this.env.logger.warn({ station: this.identity, err: error }, 'simulator built an invalid request');
    }
  }

  private dropped(message: OutMessage, reason: string): void {
    this.env.stats.droppedTxMessages += 1;
    this.env.logger.warn({ station: this.identity, action: message.action, reason }, 'transaction message given up');
  }

  private onFrame(event: FrameEvent): void {
    const stats = this.env.stats;
    if (event.direction === 'out') {
      if (event.messageType !== MessageType.CALL) return;
      stats.sent += 1;
      this.outstanding = { id: event.messageId, at: this.env.clock.now() };
      return;
    }
    if (event.messageType === MessageType.CALL) {
      stats.received += 1;
      return;
    }
    const outstanding = this.outstanding;
    if (outstanding === undefined || outstanding.id !== event.messageId) return;
    this.outstanding = undefined;
    stats.answered += 1;
    stats.latency.record(this.env.clock.now() - outstanding.at);
    this.settleAnswered();
  }

  private settleAnswered(): void {
    this.answered?.();
    this.answered = undefined;
  }

  // ---------------------------------------------------------------- settings

  private applySetting(def: VariableDef, value: string): void {
    const number = Number(value);
    switch (def.effect) {
      case 'heartbeatInterval':
        if (this.online) this.scheduleHeartbeat();
        break;
      case 'meterInterval':
        this.sessions.meterIntervalChanged();
        break;
      case 'backoffWaitMinimum':
        this.client.configureBackoff({ waitMinimumS: number });
        break;
      case 'backoffRandomRange':
        this.client.configureBackoff({ randomRangeS: number });
        break;
      case 'backoffRepeatTimes':
        this.client.configureBackoff({ repeatTimes: number });
        break;
      default:
        // WebSocketPingInterval: validated and stored; the station client takes its ping interval at construction.
        break;
    }
  }

  private liveValue(live: LiveValue, def: VariableDef): string {
    if (live === 'stationAvailable') return String(this.operative);
    const evse = def.evseId === undefined ? undefined : this.evse(def.evseId);
    if (!evse) return 'Unavailable';
    const connectors = live === 'connectorAvailability' ? evse.connectors.filter((c) => c.id === def.connectorId) : evse.connectors;
    const statuses = connectors.map((connector) => this.dialect.connectorStatus(evse, connector));
    return statuses.find((s) => s !== 'Available') ?? 'Available';
  }
}
