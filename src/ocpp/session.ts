/**
 * Per-connection state the handlers share: the station's registration state (for the FR.04 gate), what we asked
 * the station to send (TriggerMessage, GetBaseReport/GetReport: allowed while Pending, B01.FR.10), and the 1.6
 * transaction ids known to exist (to spare a lookup per MeterValues).
 *
 * The state starts from the registration status stored for the station, so a station that reconnects without a
 * new BootNotification (2.x Part 4 §5.3, 2.1 §5.4) keeps working when it is Accepted; a BootNotification on the
 * connection then sets it to the answer given.
 */
import type { RegistrationStatus } from '../domain/model.ts';
import type { ConnectInfo } from '../gateway/index.ts';
import type { CallContext, RpcEndpoint } from '../protocol/endpoint.ts';
import type { OcppVersion } from '../protocol/types.ts';

/** How long a TriggerMessage lets the requested message through while the station is Pending. */
export const TRIGGER_WINDOW_MS = 60_000;

/** What a TriggerMessage's requestedMessage makes the station send (2.x MessageTriggerEnumType, 1.6 + Security). */
const TRIGGERED_ACTIONS: Record<string, readonly string[]> = {
  BootNotification: ['BootNotification'],
  Heartbeat: ['Heartbeat'],
  StatusNotification: ['StatusNotification'],
  MeterValues: ['MeterValues'],
  TransactionEvent: ['TransactionEvent'],
  FirmwareStatusNotification: ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification'],
  LogStatusNotification: ['LogStatusNotification'],
  DiagnosticsStatusNotification: ['DiagnosticsStatusNotification'],
  PublishFirmwareStatusNotification: ['PublishFirmwareStatusNotification'],
  SignChargingStationCertificate: ['SignCertificate'],
  SignV2GCertificate: ['SignCertificate'],
  SignCombinedCertificate: ['SignCertificate'],
  SignChargePointCertificate: ['SignCertificate'],
};

export type RegistrationLoader = (identity: string) => Promise<RegistrationStatus | undefined>;

export class Session {
  /** Undefined until known (loaded from storage, or set by a BootNotification). */
  registration: RegistrationStatus | undefined;
  /** Actions a TriggerMessage asked for → until when they are let through (ms since epoch). */
  readonly triggered = new Map<string, number>();
  /** requestId of GetBaseReport/GetReport we sent → whether it asked for the FullInventory. */
  readonly reports = new Map<number, { fullInventory: boolean }>();
  /** 1.6 transaction ids this connection has seen stored → their EVSE (spares a lookup per MeterValues). */
  readonly legacyTransactions = new Map<string, number | null>();
  /** Settles when the connect bookkeeping (station record, connected flag) is done. */
  ready: Promise<void> = Promise.resolve();
  private loading: Promise<void> | undefined;

  constructor(
    readonly identity: string,
    readonly version: OcppVersion,
    readonly endpoint: RpcEndpoint | undefined,
    readonly info: ConnectInfo | undefined,
    private readonly loader: RegistrationLoader,
  ) {}

  /** Reads the stored registration status unless it is known already. */
  load(): Promise<void> {
    if (this.registration !== undefined) return Promise.resolve();
    this.loading ??= this.loader(this.identity).then(
      (status) => {
        this.registration ??= status ?? 'Pending';
        this.loading = undefined;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  /** True when a TriggerMessage asked for `action` recently (B01.FR.10 exception). */
  wasTriggered(action: string, nowMs: number): boolean {
    const until = this.triggered.get(action);
    return until !== undefined && until >= nowMs;
  }

  /** Notes a CALL we sent that makes the station send something (read from the outgoing frame). */
  noteOutgoing(action: string, payload: Record<string, unknown>, nowMs: number): void {
    if (action === 'TriggerMessage' || action === 'ExtendedTriggerMessage') {
      const requested = typeof payload.requestedMessage === 'string' ? payload.requestedMessage : '';
      for (const triggered of TRIGGERED_ACTIONS[requested] ?? []) this.triggered.set(triggered, nowMs + TRIGGER_WINDOW_MS);
    } else if ((action === 'GetBaseReport' || action === 'GetReport') && typeof payload.requestId === 'number') {
      this.reports.set(payload.requestId, { fullInventory: payload.reportBase === 'FullInventory' });
    }
  }
}

export class Sessions {
  private readonly byIdentity = new Map<string, Session>();

  constructor(private readonly loader: RegistrationLoader) {}

  /** A new connection; replaces any session of the identity (the gateway announced the old one's end first). */
  open(endpoint: RpcEndpoint, info: ConnectInfo): Session {
    const session = new Session(info.identity, info.version, endpoint, info, this.loader);
    this.byIdentity.set(info.identity, session);
    return session;
  }

  close(identity: string): void {
    this.byIdentity.delete(identity);
  }

  get(identity: string): Session | undefined {
    return this.byIdentity.get(identity);
  }

  /** The session of the connection a CALL came in on (created on the fly for an endpoint nobody announced). */
  of(call: CallContext): Session {
    const session = this.byIdentity.get(call.identity);
    if (session && (session.endpoint === undefined || session.endpoint === call.endpoint)) return session;
    const created = new Session(call.identity, call.version, call.endpoint, undefined, this.loader);
    if (!session) this.byIdentity.set(call.identity, created);
    return created;
  }
}
