/**
 * Roaming sessions and CDRs, derived from the CSMS's transactions.
 *
 * - A transaction becomes a roaming Session when it was started by a partner's START_SESSION (matched by
 *   remoteStartId, or station + token for 1.6), by a token a partner pushed (auth_method WHITELIST), or by a token
 *   an eMSP authorized in real time (AUTH_REQUEST, with its authorization_reference).
 * - Status: PENDING while a remote start waits for its transaction (INVALID when none comes within
 *   pendingTimeoutMs, ocpi/ocpi#524; a late transaction still joins the same session, ocpi/ocpi#475), ACTIVE while
 *   the transaction runs, COMPLETED once it ended.
 * - When the transaction ends, one CDR is issued (immutable; corrections are a credit CDR plus a new CDR).
 * Work triggered by domain events runs one at a time in arrival order, never in the publisher's call.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logger.ts';
import type { DomainEvent, DomainEvents } from '../events.ts';
import type { IdToken, JsonValue, Transaction } from '../model.ts';
import type { MeterValueRepository, TokenRepository, TransactionRepository } from '../ports.ts';
import { costOfCharge, type TariffLookup } from './cost.ts';
import { cdrOf, chargeOf, creditOf, ocpiTime, pendingSessionOf, sessionOf, type SessionIdentity } from './mapper.ts';
import type { AuthMethod, CdrToken, Party, RoamingCdr, RoamingCommand, RoamingListFilter, RoamingPage, RoamingSession, TokenObject } from './model.ts';
import type { LocationDirectory, RoamingListener, RoamingRepository, SiteRef } from './ports.ts';
import { partyOfSource } from './tokens.ts';

/** How long a real-time authorization counts for the transaction that follows it. */
const AUTHORIZATION_WINDOW_MS = 15 * 60_000;
/** How many transactions found not to be roaming are remembered (so their events cost no lookups). */
const LOCAL_MEMORY = 10_000;
/** Most transactions one plainlyLocal query asks about. */
const SYNC_CHUNK = 500;
/** How long "no eMSP knows this token (yet)" holds before a transaction's events look again. */
const UNKNOWN_RECHECK_MS = 30_000;

export interface RoamingSessionsDeps {
  repo: RoamingRepository;
  transactions: TransactionRepository;
  meterValues: MeterValueRepository;
  tokens: TokenRepository;
  events: DomainEvents;
  /** Our CPO party (Session and CDR country_code / party_id). */
  cpo: Party;
  /** Currency when no tariff applies. */
  currency: string;
  logger: Logger;
  locations?: LocationDirectory;
  tariffs?: TariffLookup;
  /** A remote start without a transaction after this long becomes INVALID (default 3 minutes). */
  pendingTimeoutMs?: number;
  /** How often PENDING sessions are checked (default 5 s). */
  sweepIntervalMs?: number;
  now?: () => Date;
}

export function cdrTokenOf(token: TokenObject): CdrToken {
  return { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id };
}

/**
 * Where a station EVSE is when the Locations module does not publish it (or is not there): the station is the
 * location and its EVSE/connector numbers the ids, with '#NA' where a CDR needs data that does not exist.
 */
export function unpublishedSite(stationId: string, evseId: number | null, connectorId: number | null): SiteRef {
  const evseUid = `${stationId}-${evseId ?? 1}`;
  const connector = String(connectorId ?? 1);
  return {
    locationId: stationId,
    evseUid,
    connectorId: connector,
    tariffIds: [],
    timeZone: 'UTC',
    cdrLocation: {
      id: stationId,
      address: '#NA',
      city: '#NA',
      country: '#NA',
      coordinates: { latitude: '0.000000', longitude: '0.000000' },
      evse_uid: evseUid,
      evse_id: evseUid,
      connector_id: connector,
      connector_standard: 'IEC_62196_T2',
      connector_format: 'SOCKET',
      connector_power_type: 'AC_3_PHASE',
    },
  };
}

export class RoamingSessions {
  private readonly listeners = new Set<RoamingListener>();
  private readonly now: () => Date;
  private queue: Promise<void> = Promise.resolve();
  /**
   * Transactions waiting for a sync, with the state their latest event showed. They are synced together, by one
   * job in the queue: one query settles every plainly local one among them (see syncQueued).
   */
  private readonly queuedSyncs = new Map<number, Transaction>();
  /**
   * Transactions that are no roaming session, with the token they had then (a later token may change that) and,
   * for tokens nobody knows yet, until when that answer holds (an eMSP may still authorize them in real time).
   */
  private readonly local = new Map<number, { idToken: string | null; until: number | null }>();
  private unsubscribe: (() => void) | undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: RoamingSessionsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get pendingTimeoutMs(): number {
    return this.deps.pendingTimeoutMs ?? 180_000;
  }

  /** Follows transactions and times out PENDING sessions until close(). */
  start(): void {
    this.unsubscribe ??= this.deps.events.subscribe((event) => this.onEvent(event));
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.enqueue('pending sweep', () => this.expirePending()), this.deps.sweepIntervalMs ?? 5_000);
      this.sweeper.unref();
    }
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.idle();
  }

  /** Resolves when the work queued so far is done. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  subscribe(listener: RoamingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Locations directory, set by the composition root once it exists. */
  setLocations(locations: LocationDirectory | undefined): void {
    this.deps.locations = locations;
  }

  setTariffs(tariffs: TariffLookup | undefined): void {
    this.deps.tariffs = tariffs;
  }

  getSession(id: string): Promise<RoamingSession | undefined> {
    return this.deps.repo.getSession(id);
  }

  listSessions(filter: RoamingListFilter): Promise<RoamingPage<RoamingSession>> {
    return this.deps.repo.listSessions(filter);
  }

  getCdr(id: string): Promise<RoamingCdr | undefined> {
    return this.deps.repo.getCdr(id);
  }

  listCdrs(filter: RoamingListFilter): Promise<RoamingPage<RoamingCdr>> {
    return this.deps.repo.listCdrs(filter);
  }

  async site(stationId: string, evseId: number | null, connectorId: number | null): Promise<SiteRef> {
    const found = await this.deps.locations?.locate(stationId, evseId, connectorId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, station: stationId, evseId }, 'location lookup failed: unpublished place used');
      return undefined;
    });
    return found ?? unpublishedSite(stationId, evseId, connectorId);
  }

  /** Identity of a session a partner's command (START_SESSION, RESERVE_NOW) opens. */
  private commandIdentity(input: { token: TokenObject; authorizationReference?: string; site: SiteRef }): SessionIdentity {
    return {
      id: randomUUID(),
      cpo: input.site.cpo ?? this.deps.cpo,
      cdrToken: cdrTokenOf(input.token),
      authMethod: 'COMMAND',
      ...(input.authorizationReference ? { authorizationReference: input.authorizationReference } : {}),
      currency: this.deps.currency,
    };
  }

  /** A remote start about to be sent: the session exists (PENDING, not announced) before the station answers. */
  async openPending(input: { emsp: Party; token: TokenObject; authorizationReference?: string; stationId: string; evseId: number | null; connectorId: number | null; remoteStartId: number; site: SiteRef }): Promise<RoamingSession> {
    const now = this.now();
    const identity = this.commandIdentity(input);
    return this.deps.repo.createSession({
      id: identity.id,
      emsp: input.emsp,
      transactionPk: null,
      stationId: input.stationId,
      evseId: input.evseId,
      connectorId: input.connectorId,
      remoteStartId: input.remoteStartId,
      tokenUid: input.token.uid,
      status: 'PENDING',
      pendingUntil: new Date(now.getTime() + this.pendingTimeoutMs),
      object: pendingSessionOf(identity, input.site, now),
    });
  }

  /** The station accepted the remote start: announce the PENDING session (unless its transaction came first). */
  announcePending(sessionId: string): Promise<void> {
    return this.enqueue('announce session', async () => {
      const session = await this.deps.repo.getSession(sessionId);
      if (session?.status === 'PENDING') this.emit((l) => l.sessionChanged?.(session));
    });
  }

  /** The station refused the remote start: the session never existed. */
  async dropPending(sessionId: string): Promise<void> {
    await this.enqueue('drop session', async () => {
      const session = await this.deps.repo.getSession(sessionId);
      if (session?.status === 'PENDING' && session.transactionPk === null) await this.deps.repo.deleteSession(sessionId);
    });
  }

  /** Corrects an issued CDR: a credit CDR for it, then a new CDR computed from the transaction as stored now. */
  async correctCdr(cdrId: string): Promise<{ credit: RoamingCdr; replacement: RoamingCdr | undefined }> {
    let outcome: { credit: RoamingCdr; replacement: RoamingCdr | undefined } | undefined;
    await this.enqueue('correct cdr', async () => {
      const original = await this.deps.repo.getCdr(cdrId);
      if (!original || original.credit) throw new Error(`CDR ${cdrId} not found or is a credit CDR`);
      const now = this.now();
      const credit = await this.deps.repo.insertCdr({
        id: `${original.id}-C`,
        emsp: original.emsp,
        sessionId: original.sessionId,
        credit: true,
        creditReferenceId: original.id,
        object: creditOf(original.object, `${original.id}-C`, now),
      });
      this.emit((l) => l.cdrIssued?.(credit));
      const session = original.sessionId === null ? undefined : await this.deps.repo.getSession(original.sessionId);
      const replacement = session ? await this.refresh(session, true) : undefined;
      outcome = { credit, replacement };
    }, true);
    if (!outcome) throw new Error('CDR correction failed');
    return outcome;
  }

  /**
   * A reservation the station accepted: a Session with status RESERVATION (mod_sessions "Reservation"), continued
   * by the transaction the token starts there, COMPLETED when the reservation ends unused.
   */
  async openReservation(input: { emsp: Party; token: TokenObject; authorizationReference?: string; stationId: string; evseId: number | null; site: SiteRef; expiry: Date }): Promise<RoamingSession> {
    const now = this.now();
    const identity = this.commandIdentity(input);
    const session = await this.deps.repo.createSession({
      id: identity.id,
      emsp: input.emsp,
      transactionPk: null,
      stationId: input.stationId,
      evseId: input.evseId,
      connectorId: null,
      remoteStartId: null,
      tokenUid: input.token.uid,
      status: 'RESERVATION',
      pendingUntil: input.expiry,
      object: { ...pendingSessionOf(identity, input.site, now), status: 'RESERVATION' },
    });
    this.emit((l) => l.sessionChanged?.(session));
    return session;
  }

  /** The reservation ended unused (cancelled): its Session is COMPLETED. */
  async endReservation(sessionId: string): Promise<void> {
    await this.enqueue('end reservation', async () => {
      const session = await this.deps.repo.getSession(sessionId);
      if (session?.status === 'RESERVATION') await this.complete(session);
    });
  }

  private async complete(session: RoamingSession): Promise<void> {
    const now = ocpiTime(this.now());
    const updated = await this.deps.repo.updateSession(session.id, { status: 'COMPLETED', pendingUntil: null, object: { ...session.object, status: 'COMPLETED', end_date_time: now, last_updated: now } });
    if (updated) this.emit((l) => l.sessionChanged?.(updated));
  }

  /** PENDING sessions past their time become INVALID (their START_SESSION gets TIMEOUT); expired reservations COMPLETED. */
  async expirePending(): Promise<void> {
    const now = this.now();
    for (const session of await this.deps.repo.listExpiredPending(now)) {
      if (session.status === 'RESERVATION') {
        await this.complete(session);
        continue;
      }
      const updated = await this.deps.repo.updateSession(session.id, { status: 'INVALID', pendingUntil: null, object: { ...session.object, status: 'INVALID', last_updated: ocpiTime(now) } });
      if (updated) this.emit((l) => l.sessionChanged?.(updated));
      await this.settleCommand(session.id, 'TIMEOUT', 'no session started in time');
    }
  }

  private onEvent(event: DomainEvent): void {
    if (event.type !== 'transaction.started' && event.type !== 'transaction.updated' && event.type !== 'transaction.ended') return;
    const pk = event.transaction.id;
    // A transaction already found to be local (same token as then) needs no queue entry and no query at all.
    if (this.knownNotRoaming(pk, event.transaction)) return;
    // A sync reads the transaction's latest state when it starts, so one still waiting covers this event too: at
    // most one waiting sync per transaction keeps the work bounded when events come faster than it runs.
    if (this.queuedSyncs.size === 0) this.enqueue('transactions', () => this.syncQueued());
    this.queuedSyncs.set(pk, event.transaction);
  }

  /**
   * Syncs the transactions waiting so far (later events queue the next job). Most are local ones: one query for
   * all of them settles those, at 5,000 events/s that is one statement per batch of new transactions instead of
   * one each; the others go through sync one by one, in the order their events came.
   */
  private async syncQueued(): Promise<void> {
    const waiting = [...this.queuedSyncs];
    this.queuedSyncs.clear();
    const candidates = waiting.flatMap(([pk, seen]) => (seen.state !== 'completed' && seen.idToken !== null ? [{ ...seen, id: pk, idToken: seen.idToken }] : []));
    const local = new Set<number>();
    for (let start = 0; start < candidates.length; start += SYNC_CHUNK) {
      // Should the query fail, each transaction still gets its full sync below.
      const found = await this.deps.repo.plainlyLocal(candidates.slice(start, start + SYNC_CHUNK)).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'roaming: local transactions could not be told apart');
        return new Set<number>();
      });
      for (const pk of found) local.add(pk);
    }
    for (const [pk, seen] of waiting) {
      if (local.has(pk)) {
        this.rememberLocal(pk, seen.idToken, null);
        continue;
      }
      try {
        await this.sync(pk);
      } catch (error) {
        this.deps.logger.error({ err: error, transaction: pk }, 'roaming: transaction sync failed');
      }
    }
  }

  private enqueue(what: string, work: () => Promise<void>, rethrow = false): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch((error: unknown) => {
      if (!rethrow) this.deps.logger.error({ err: error }, `roaming: ${what} failed`);
    });
    return rethrow ? run : this.queue;
  }

  private emit(call: (listener: RoamingListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'roaming listener failed');
      }
    }
  }

  /** Brings the session of a transaction that is not plainly local up to date (creating it when it is a roaming one). */
  private async sync(transactionPk: number): Promise<void> {
    const transaction = await this.deps.transactions.getById(transactionPk);
    if (!transaction) return;
    if (this.knownNotRoaming(transactionPk, transaction)) return;
    const session = (await this.deps.repo.getSessionByTransaction(transactionPk)) ?? (await this.link(transaction));
    if (session && session !== 'local') {
      this.local.delete(transactionPk);
      await this.refresh(session, false, transaction);
    } else if (transaction.state !== 'completed' && (session === 'local' || transaction.idToken !== null)) {
      // An unknown token is looked at again after a while, and always when the transaction ends.
      this.rememberLocal(transactionPk, transaction.idToken, session === 'local' ? null : this.now().getTime() + UNKNOWN_RECHECK_MS);
    } else this.local.delete(transactionPk);
  }

  private rememberLocal(transactionPk: number, idToken: string | null, until: number | null): void {
    this.local.set(transactionPk, { idToken, until });
    if (this.local.size > LOCAL_MEMORY) this.local.delete(this.local.keys().next().value as number);
  }

  /** True when the transaction was found not to be roaming and nothing that could change that has happened. */
  private knownNotRoaming(pk: number, transaction: Transaction): boolean {
    const known = this.local.get(pk);
    if (!known || known.idToken !== transaction.idToken) return false;
    if (known.until === null) {
      if (transaction.state === 'completed') this.local.delete(pk);
      return true;
    }
    return transaction.state !== 'completed' && this.now().getTime() < known.until;
  }

  /** Recomputes the session from its transaction; issues the CDR once the transaction has ended. */
  private async refresh(session: RoamingSession, newCdr: boolean, known?: Transaction): Promise<RoamingCdr | undefined> {
    const transaction = known ?? (session.transactionPk === null ? undefined : await this.deps.transactions.getById(session.transactionPk));
    if (!transaction) return undefined;
    const now = this.now();
    const samples = await this.deps.meterValues.listForTransaction(transaction.id);
    const site = await this.site(transaction.stationId, transaction.evseId, transaction.connectorId);
    const charge = chargeOf(transaction, samples, now);
    const priced = this.deps.tariffs ? await costOfCharge(this.deps.tariffs, site.tariffIds, site.timeZone, charge).catch((error: unknown) => {
      this.deps.logger.error({ err: error, session: session.id }, 'roaming: cost could not be computed');
      return undefined;
    }) : undefined;
    const identity: SessionIdentity = {
      id: session.id,
      cpo: { countryCode: session.object.country_code, partyId: session.object.party_id },
      cdrToken: session.object.cdr_token,
      authMethod: session.object.auth_method,
      ...(session.object.authorization_reference ? { authorizationReference: session.object.authorization_reference } : {}),
      currency: priced?.currency ?? session.object.currency,
    };
    const computed = sessionOf(identity, site, transaction, charge, now, priced?.cost.total);
    // The periods were priced by this tariff (ChargingPeriod.tariff_id).
    const object = priced && computed.charging_periods ? { ...computed, charging_periods: computed.charging_periods.map((p) => ({ ...p, tariff_id: priced.tariffId })) } : computed;
    const wasPending = session.status === 'PENDING' || session.status === 'INVALID' || session.status === 'RESERVATION';
    const updated = await this.deps.repo.updateSession(session.id, { transactionPk: transaction.id, evseId: transaction.evseId, connectorId: transaction.connectorId, status: object.status, pendingUntil: null, object });
    if (!updated) return undefined;
    this.emit((l) => l.sessionChanged?.(updated));
    if (wasPending) await this.settleCommand(session.id, 'ACCEPTED');
    if (transaction.state !== 'completed') return undefined;
    const issued = await this.deps.repo.listCdrsOfSession(session.id);
    if (issued.length > 0 && !newCdr) return undefined;
    const id = randomUUID();
    const cdr = await this.deps.repo.insertCdr({ id, emsp: session.emsp, sessionId: session.id, credit: false, object: cdrOf(id, object, site.cdrLocation, priced?.cost, now) });
    this.emit((l) => l.cdrIssued?.(cdr));
    return cdr;
  }

  /**
   * The roaming session a new transaction belongs to; 'local' when its token is a local one (it never will be);
   * undefined when it is none yet (no token, or one an eMSP may still authorize in real time).
   */
  private async link(transaction: Transaction): Promise<RoamingSession | 'local' | undefined> {
    const { repo } = this.deps;
    const pending =
      (transaction.remoteStartId !== null ? await repo.findPendingSession(transaction.stationId, { remoteStartId: transaction.remoteStartId }) : undefined) ??
      (transaction.idToken !== null ? await repo.findPendingSession(transaction.stationId, { tokenUid: transaction.idToken, evseId: transaction.evseId }) : undefined);
    if (pending) return (await repo.updateSession(pending.id, { transactionPk: transaction.id })) ?? pending;
    if (transaction.idToken === null) return undefined;

    const token = await this.storedToken(transaction.idToken, transaction.idTokenType);
    const since = new Date(this.now().getTime() - AUTHORIZATION_WINDOW_MS);
    const authorization = await repo.latestAuthorization(transaction.idToken, since);
    let emsp: Party;
    let cdrToken: CdrToken;
    let authMethod: AuthMethod;
    let authorizationReference: string | undefined;
    if (token && token.source !== 'local') {
      const partner = await repo.getTokenByIdTokenPk(token.id);
      const owner = partyOfSource(token.source);
      if (!partner || !owner) return undefined;
      emsp = owner;
      cdrToken = cdrTokenOf(partner.token);
      const viaRequest = authorization && authorization.emsp.countryCode === owner.countryCode && authorization.emsp.partyId === owner.partyId;
      authMethod = viaRequest ? 'AUTH_REQUEST' : 'WHITELIST';
      authorizationReference = viaRequest ? (authorization.authorizationReference ?? undefined) : undefined;
    } else if (!token && authorization) {
      emsp = authorization.emsp;
      cdrToken = cdrTokenOf(authorization.token);
      authMethod = 'AUTH_REQUEST';
      authorizationReference = authorization.authorizationReference ?? undefined;
    } else {
      if (token) return 'local';
      // A command's token is accepted for 15 minutes without asking (authorization.ts): what it starts is billed
      // to that command's eMSP, also when it is not the remote start itself (a re-plug, another connector).
      const commanded = await repo.latestCommandToken(transaction.idToken, since);
      if (!commanded) return undefined;
      emsp = commanded.emsp;
      cdrToken = cdrTokenOf(commanded.token);
      authMethod = 'COMMAND';
      authorizationReference = commanded.authorizationReference ?? undefined;
    }

    const site = await this.site(transaction.stationId, transaction.evseId, transaction.connectorId);
    const identity: SessionIdentity = { id: randomUUID(), cpo: site.cpo ?? this.deps.cpo, cdrToken, authMethod, ...(authorizationReference ? { authorizationReference } : {}), currency: this.deps.currency };
    return repo.createSession({
      id: identity.id,
      emsp,
      transactionPk: transaction.id,
      stationId: transaction.stationId,
      evseId: transaction.evseId,
      connectorId: transaction.connectorId,
      remoteStartId: transaction.remoteStartId,
      tokenUid: transaction.idToken,
      status: 'ACTIVE',
      pendingUntil: null,
      object: { ...pendingSessionOf(identity, site, this.now()), status: 'ACTIVE' },
    });
  }

  /** The token table's row for a transaction's token (1.6 idTags have no type: local tokens win). */
  private async storedToken(idToken: string, type: string | null): Promise<IdToken | undefined> {
    const exact = type === null ? undefined : await this.deps.tokens.get(idToken, type);
    return exact ?? (await this.deps.tokens.findByValue(idToken))[0];
  }

  /** The START_SESSION behind a session gets its result (once). */
  private async settleCommand(sessionId: string, result: string, message?: string): Promise<void> {
    const command = await this.deps.repo.getCommandBySession(sessionId);
    if (!command || command.result !== null) return;
    const settled = await this.deps.repo.updateCommand(command.id, { result });
    if (settled) this.emit((l) => l.commandResult?.(settled, result, message));
  }

  /** Commands module: records the result of a command and tells listeners (they post it to its response_url). */
  async settle(command: RoamingCommand, result: string, message?: string, data?: JsonValue): Promise<void> {
    const settled = await this.deps.repo.updateCommand(command.id, { result });
    this.emit((l) => l.commandResult?.(settled ?? command, result, message, data));
  }

  /** A result for another command's response_url (CANCELED_RESERVATION to the ReserveNow's). */
  async notifyResponseUrl(command: RoamingCommand, responseUrl: string, result: string): Promise<void> {
    this.emit((l) => l.commandResult?.({ ...command, command: 'RESERVE_NOW', responseUrl }, result));
  }

  /** The transaction behind a session, if it has one. */
  async transactionOf(session: RoamingSession): Promise<Transaction | undefined> {
    return session.transactionPk === null ? undefined : this.deps.transactions.getById(session.transactionPk);
  }
}
