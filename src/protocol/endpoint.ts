/**
 * RpcEndpoint: one side of one OCPP-J connection (Part 4 §4). Transport-agnostic: the gateway (server side) and
 * the station client both feed it text messages and give it a way to send and close.
 *
 * Rules it enforces:
 * - at most one outstanding CALL per direction (§4.1.1); further calls wait in a bounded FIFO queue, and the
 *   timeout includes the time spent queued; SEND (2.1) is exempt;
 * - replies are matched by message id only; unknown and late ids are logged and dropped;
 * - incoming CALLs are handled one at a time in arrival order, so transaction messages keep their order;
 * - a CALL whose id is already being handled gets CALLERROR RpcFrameworkError;
 * - unknown action → NotImplemented, known action without handler → NotSupported;
 * - on close every pending call fails with OfflineError, and nothing is left to reject unobserved.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.ts';
import type { RpcErrorCode } from './errors.ts';
import {
  CallTimeoutError,
  InvalidRequestError,
  InvalidResponseError,
  OfflineError,
  QueueFullError,
  RpcError,
  parseWireErrorCode,
} from './errors.ts';
import type { CallFrame, CallErrorFrame, CallResultFrame, Frame, FrameFault, SendFrame } from './frame.ts';
import { parseFrame, serializeCall, serializeCallError, serializeCallResult, serializeSend } from './frame.ts';
import type { ActionName, RequestOf, ResponseOf } from './generated/index.ts';
import type { PayloadValidator, Strictness, ValidationFailure } from './validator.ts';
import type { MessageSigning } from './signed/index.ts';
import { SIGNED_SUFFIX, plainAction, serializeSignedCall, serializeSignedCallResult } from './signed/format.ts';
import type { Direction, JsonObject, OcppVersion } from './types.ts';
import { MessageType, supportsRpc21 } from './types.ts';

/** What the endpoint needs from the socket underneath it. */
export interface RpcTransport {
  send(data: string): void;
  close(code: number, reason: string): void;
}

/** Passed to every handler together with the request payload. */
export interface CallContext {
  identity: string;
  version: OcppVersion;
  action: string;
  messageId: string;
  endpoint: RpcEndpoint;
}

export type CallHandler = (payload: JsonObject, context: CallContext) => JsonObject | Promise<JsonObject>;

/** Finds the handler for an incoming CALL or SEND; see HandlerRegistry for the typed way to fill it. */
export interface HandlerLookup {
  resolve(version: OcppVersion, action: string): CallHandler | undefined;
}

/** One frame in or out, for the message log and for tests. */
export interface FrameEvent {
  identity: string;
  direction: Direction;
  messageType: number;
  messageId: string;
  /** The action, also for CALLRESULT / CALLERROR when it matches a call of ours or theirs. */
  action: string | undefined;
  payload: JsonObject | undefined;
  text: string;
}

/** A schema violation that a lenient endpoint let through. */
export interface ViolationEvent {
  identity: string;
  version: OcppVersion;
  action: string;
  kind: 'request' | 'response';
  failure: ValidationFailure;
}

export interface RpcEndpointOptions {
  identity: string;
  version: OcppVersion;
  transport: RpcTransport;
  validator: PayloadValidator;
  handlers: HandlerLookup;
  logger: Logger;
  /** How schema violations in received messages are treated (default strict). Outgoing is always strict. */
  strictness?: Strictness;
  /** Per-call timeout in ms, queue time included (default 30 000). */
  callTimeoutMs?: number;
  /** Calls allowed to wait behind the outstanding one (default 100); the newest is rejected beyond it. */
  maxQueuedCalls?: number;
  /** Malformed or invalid frames tolerated before the connection is closed (default 20; 0 = unlimited). */
  maxBadMessages?: number;
  /** Observer for every frame in and out (message log); kept off the hot path when absent. */
  onFrame?: (event: FrameEvent) => void;
  onViolation?: (event: ViolationEvent) => void;
  /** Message id generator; UUIDv4 by default (Part 4 §4.1.4: unique per station across connections on 2.x). */
  createId?: () => string;
  /** Signed messages (Part 4 §7); without it `<Action>-Signed` is answered NotImplemented like any unknown action. */
  signing?: MessageSigning;
  /** Send every CALL as `<Action>-Signed` (Part 4 §7.1); needs `signing` with a signing key. */
  signCalls?: boolean;
}

interface PendingCall {
  id: string;
  action: string;
  text: string;
  timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (value: JsonObject) => void;
  reject: (error: Error) => void;
  /** Sent as `<Action>-Signed` (Part 4 §7.1): its CALLRESULT goes through signing.verifyResult. */
  signed?: boolean;
}

/** WebSocket close code for policy violations (RFC 6455 §7.4.1). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** How many expired call ids to remember so late replies are reported as late, not unknown. */
const EXPIRED_MEMORY = 64;
/** The endpoint answers a CALL it could not read; errors here should not leak internals. */
const INTERNAL_ERROR_TEXT = 'An internal error occurred while handling the request';

export class RpcEndpoint<V extends OcppVersion = OcppVersion> {
  readonly identity: string;
  readonly version: V;
  private readonly transport: RpcTransport;
  private readonly validator: PayloadValidator;
  private readonly handlers: HandlerLookup;
  private readonly log: Logger;
  private readonly strictness: Strictness;
  private readonly callTimeoutMs: number;
  private readonly maxQueuedCalls: number;
  private readonly maxBadMessages: number;
  private readonly onFrame: ((event: FrameEvent) => void) | undefined;
  private readonly onViolation: ((event: ViolationEvent) => void) | undefined;
  private readonly createId: () => string;
  private readonly signing: MessageSigning | undefined;
  private readonly signCalls: boolean;

  private outstanding: PendingCall | undefined;
  private readonly queue: PendingCall[] = [];
  private readonly expiredIds: string[] = [];
  /** The station's CALLs being handled or waiting, in order (at most maxQueuedCalls, nearly always one). */
  private readonly inbound: CallFrame[] = [];
  private handlingInbound = false;
  private badMessages = 0;
  private closedReason: string | undefined;

  constructor(options: RpcEndpointOptions & { version: V }) {
    this.identity = options.identity;
    this.version = options.version;
    this.transport = options.transport;
    this.validator = options.validator;
    this.handlers = options.handlers;
    this.log = options.logger;
    this.strictness = options.strictness ?? 'strict';
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.maxQueuedCalls = options.maxQueuedCalls ?? 100;
    this.maxBadMessages = options.maxBadMessages ?? 20;
    this.onFrame = options.onFrame;
    this.onViolation = options.onViolation;
    this.createId = options.createId ?? randomUUID;
    this.signing = options.signing;
    if (options.signCalls === true && !options.signing?.signCall) throw new Error('signCalls needs the signing option with a signing key');
    this.signCalls = options.signCalls === true;
  }

  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  /** Calls waiting behind the outstanding one. */
  get queuedCalls(): number {
    return this.queue.length;
  }

  // ---------------------------------------------------------------- outgoing

  /** Sends a typed CALL and resolves with the typed CALLRESULT payload; throws an OcppCallError otherwise. */
  call<A extends ActionName<V>>(action: A, payload: RequestOf<V, A>, options?: { timeoutMs?: number }): Promise<ResponseOf<V, A>> {
    return this.callRaw(action, payload as JsonObject, options) as Promise<ResponseOf<V, A>>;
  }

  /** Untyped CALL for any action of this version (validated against its schema all the same). */
  callRaw(action: string, payload: JsonObject, options?: { timeoutMs?: number }): Promise<JsonObject> {
    if (this.signCalls) return this.callSignedRaw(action, payload, options);
    if (this.closedReason !== undefined) return Promise.reject(new OfflineError(this.identity, this.closedReason));
    const invalid = this.checkOutgoing(action, 'request', payload);
    if (invalid) return Promise.reject(new InvalidRequestError(action, invalid.code, invalid.message));
    if (this.outstanding && this.queue.length >= this.maxQueuedCalls) {
      return Promise.reject(new QueueFullError(this.identity, this.maxQueuedCalls));
    }
    const id = this.createId();
    return new Promise<JsonObject>((resolve, reject) => {
      const call: PendingCall = {
        id,
        action,
        text: serializeCall(id, action, payload),
        timeoutMs: options?.timeoutMs ?? this.callTimeoutMs,
        timer: undefined,
        resolve,
        reject,
      };
      call.timer = setTimeout(() => this.expire(call), call.timeoutMs);
      call.timer.unref?.();
      if (this.outstanding) this.queue.push(call);
      else this.transmit(call);
    });
  }

  /** Sends a typed CALL as `<Action>-Signed` (Part 4 §7.1); needs `signing` with a signing key. */
  callSigned<A extends ActionName<V>>(action: A, payload: RequestOf<V, A>, options?: { timeoutMs?: number }): Promise<ResponseOf<V, A>> {
    return this.callSignedRaw(action, payload as JsonObject, options) as Promise<ResponseOf<V, A>>;
  }

  /** Untyped signed CALL: validated against the schema of `action`, then signed and queued like any CALL. */
  async callSignedRaw(action: string, payload: JsonObject, options?: { timeoutMs?: number }): Promise<JsonObject> {
    const signing = this.signing;
    if (!signing?.signCall) throw new Error('callSigned needs the signing option with a signing key');
    if (this.closedReason !== undefined) throw new OfflineError(this.identity, this.closedReason);
    const invalid = this.checkOutgoing(action, 'request', payload);
    if (invalid) throw new InvalidRequestError(action, invalid.code, invalid.message);
    const jws = await signing.signCall(action, payload);
    // Signing is asynchronous: the connection and the queue may have changed meanwhile.
    if (this.closedReason !== undefined) throw new OfflineError(this.identity, this.closedReason);
    if (this.outstanding && this.queue.length >= this.maxQueuedCalls) throw new QueueFullError(this.identity, this.maxQueuedCalls);
    const id = this.createId();
    return new Promise<JsonObject>((resolve, reject) => {
      const timeoutMs = options?.timeoutMs ?? this.callTimeoutMs;
      const call: PendingCall = { id, action, text: serializeSignedCall(id, action, jws), timeoutMs, timer: undefined, resolve, reject, signed: true };
      call.timer = setTimeout(() => this.expire(call), call.timeoutMs);
      call.timer.unref?.();
      if (this.outstanding) this.queue.push(call);
      else this.transmit(call);
    });
  }

  /** Sends a SEND (ocpp2.1 only): never answered, allowed while a CALL is outstanding. */
  send(action: string, payload: JsonObject): void {
    if (!supportsRpc21(this.version)) throw new Error(`SEND is not part of ${this.version}`);
    if (this.closedReason !== undefined) throw new OfflineError(this.identity, this.closedReason);
    const invalid = this.checkOutgoing(action, 'request', payload);
    if (invalid) throw new InvalidRequestError(action, invalid.code, invalid.message);
    const id = this.createId();
    this.write(serializeSend(id, action, payload), MessageType.SEND, id, action, payload);
  }

  private checkOutgoing(action: string, kind: 'request' | 'response', payload: JsonObject): ValidationFailure | null {
    if (kind === 'request' && !this.validator.hasAction(this.version, action)) {
      return { code: 'NotImplemented', message: `${action} is not an action of ${this.version}`, fields: [] };
    }
    return this.validator.validate(this.version, action, kind, payload);
  }

  private transmit(call: PendingCall): void {
    this.outstanding = call;
    this.write(call.text, MessageType.CALL, call.id, call.action, undefined);
  }

  private expire(call: PendingCall): void {
    if (this.outstanding === call) {
      this.outstanding = undefined;
      this.rememberExpired(call.id);
      this.sendNext();
    } else {
      const index = this.queue.indexOf(call);
      if (index >= 0) this.queue.splice(index, 1);
    }
    call.reject(new CallTimeoutError(call.action, call.timeoutMs));
  }

  private rememberExpired(id: string): void {
    this.expiredIds.push(id);
    if (this.expiredIds.length > EXPIRED_MEMORY) this.expiredIds.shift();
  }

  private sendNext(): void {
    const next = this.queue.shift();
    if (next) this.transmit(next);
  }

  /** Takes the outstanding call if `id` is its id; otherwise logs the orphan and returns undefined. */
  private settle(id: string, what: string): PendingCall | undefined {
    const call = this.outstanding;
    if (!call || call.id !== id) {
      const late = this.expiredIds.includes(id);
      this.log.warn({ station: this.identity, messageId: id }, `${late ? 'late' : 'unexpected'} ${what} dropped`);
      return undefined;
    }
    clearTimeout(call.timer);
    this.outstanding = undefined;
    this.sendNext();
    return call;
  }

  private onCallResult(frame: CallResultFrame): void {
    const call = this.settle(frame.id, 'CALLRESULT');
    if (!call) return;
    this.emitFrame('in', MessageType.CALLRESULT, frame.id, call.action, frame.payload);
    if (call.signed === true) {
      this.onSignedResult(frame, call);
      return;
    }
    const failure = this.validator.validate(this.version, call.action, 'response', frame.payload);
    if (failure && this.acceptsDespite(call.action, 'response', failure) === false) {
      if (supportsRpc21(this.version)) {
        // 2.1 Part 4 §4.2.3: a CALLRESULT that cannot be processed is answered with CALLRESULTERROR.
        this.replyError(frame.id, failure.code, failure.message, MessageType.CALLRESULTERROR);
      }
      call.reject(new InvalidResponseError(call.action, failure.code, failure.message));
      return;
    }
    call.resolve(frame.payload);
  }

  /** The CALLRESULT to one of our signed CALLs (Part 4 §7.2): verify, then validate the enclosed payload as usual. */
  private onSignedResult(frame: CallResultFrame, call: PendingCall): void {
    const signing = this.signing;
    // Inside then(): a verifier that throws synchronously still ends up in the rejection path.
    Promise.resolve(frame.payload).then((payload) => (signing?.verifyResult ? signing.verifyResult(this.identity, call.action, payload) : payload)).then(
      (payload) => {
        const failure = this.validator.validate(this.version, call.action, 'response', payload);
        if (failure && this.acceptsDespite(call.action, 'response', failure) === false) {
          if (supportsRpc21(this.version)) this.replyError(frame.id, failure.code, failure.message, MessageType.CALLRESULTERROR);
          call.reject(new InvalidResponseError(call.action, failure.code, failure.message));
          return;
        }
        call.resolve(payload);
      },
      (error: unknown) => {
        const rejection = error instanceof RpcError ? error : new RpcError('SecurityError', 'Signed CALLRESULT could not be verified');
        this.log.warn({ err: error, station: this.identity, messageId: frame.id, action: call.action }, 'signed CALLRESULT rejected');
        // 2.1 Part 4 §4.2.3: a CALLRESULT that cannot be processed is answered with CALLRESULTERROR.
        if (supportsRpc21(this.version)) this.replyError(frame.id, rejection.code, rejection.message, MessageType.CALLRESULTERROR);
        call.reject(rejection);
        this.countBadMessage();
      },
    );
  }

  private onCallError(frame: CallErrorFrame): void {
    if (frame.type === MessageType.CALLRESULTERROR) {
      // The peer could not process one of our CALLRESULTs; there is nothing to retry, only to report.
      this.emitFrame('in', frame.type, frame.id, undefined, frame.details);
      this.log.warn({ station: this.identity, messageId: frame.id, code: frame.code, description: frame.description }, 'peer rejected our CALLRESULT');
      return;
    }
    const call = this.settle(frame.id, 'CALLERROR');
    if (!call) return;
    this.emitFrame('in', frame.type, frame.id, call.action, frame.details);
    call.reject(new RpcError(parseWireErrorCode(frame.code), frame.description, frame.details));
  }

  // ---------------------------------------------------------------- incoming

  /** Feed one received WebSocket text message. Never throws. */
  receive(text: string): void {
    if (this.closedReason !== undefined) return;
    const parsed = parseFrame(text, this.version);
    if (!parsed.ok) {
      this.onFault(parsed.fault, text);
      return;
    }
    const frame: Frame = parsed.frame;
    switch (frame.type) {
      case MessageType.CALL:
        this.emitFrame('in', frame.type, frame.id, frame.action, frame.payload, text);
        this.enqueueInbound(frame);
        return;
      case MessageType.CALLRESULT:
        this.onCallResult(frame);
        return;
      case MessageType.SEND:
        this.emitFrame('in', frame.type, frame.id, frame.action, frame.payload, text);
        this.onSend(frame);
        return;
      default:
        this.onCallError(frame);
    }
  }

  private onFault(fault: FrameFault, text: string): void {
    this.log.warn(
      { station: this.identity, messageId: fault.id, code: fault.code, frame: text.length > 512 ? `${text.slice(0, 512)}…` : text },
      `bad frame: ${fault.description}`,
    );
    if (fault.reply === 'callerror') this.replyError(fault.id, fault.code, fault.description, MessageType.CALLERROR);
    else if (fault.reply === 'callresulterror') {
      // Only the reply to our outstanding call is answered (and fails it now rather than at its timeout); a reply
      // with an unknown or late id is logged by settle() and dropped, like a well-formed one.
      const call = this.settle(fault.id, 'CALLRESULT');
      if (call) {
        call.reject(new InvalidResponseError(call.action, fault.code, fault.description));
        this.replyError(fault.id, fault.code, fault.description, MessageType.CALLRESULTERROR);
      }
    }
    this.countBadMessage();
  }

  private countBadMessage(): void {
    this.badMessages += 1;
    if (this.maxBadMessages > 0 && this.badMessages >= this.maxBadMessages) {
      this.log.warn({ station: this.identity, badMessages: this.badMessages }, 'closing: too many bad messages');
      this.transport.close(CLOSE_POLICY_VIOLATION, 'Too many malformed messages');
      // Nothing received from now on can be answered (RFC 6455 §5.5.1): stop handling it, fail pending calls now.
      this.handleClose('Too many malformed messages');
    }
  }

  private enqueueInbound(frame: CallFrame): void {
    // A scan, not a set of ids: the queue is short, and a set's table was reallocated on nearly every add and delete.
    if (this.inbound.some((queued) => queued.id === frame.id)) {
      this.replyError(frame.id, 'RpcFrameworkError', `A message with id ${frame.id} is already being handled`, MessageType.CALLERROR);
      this.countBadMessage();
      return;
    }
    if (this.inbound.length >= this.maxQueuedCalls) {
      this.replyError(frame.id, 'RpcFrameworkError', 'Too many CALLs outstanding on this connection', MessageType.CALLERROR);
      this.countBadMessage();
      return;
    }
    this.inbound.push(frame);
    if (!this.handlingInbound) this.drainInbound();
  }

  /** Handles queued CALLs in order; synchronous handlers complete without a microtask hop. */
  private drainInbound(): void {
    this.handlingInbound = true;
    while (this.inbound.length > 0 && this.closedReason === undefined) {
      const frame = this.inbound[0] as CallFrame;
      const pending = this.handleCall(frame);
      if (pending) {
        pending.then(() => this.finishInbound(), () => this.finishInbound());
        return;
      }
      this.inbound.shift();
    }
    this.handlingInbound = false;
  }

  private finishInbound(): void {
    this.inbound.shift();
    this.drainInbound();
  }

  /** Answers one CALL; returns a promise only when the handler is asynchronous. */
  private handleCall(frame: CallFrame, signed = false): Promise<void> | undefined {
    const { id, action } = frame;
    if (this.signing !== undefined && !signed && action.endsWith(SIGNED_SUFFIX)) return this.handleSignedCall(frame, this.signing);
    // A SEND-only message (2.1 NotifyPeriodicEventStream) has no response: as a CALL its action is not known.
    if (!this.validator.hasAction(this.version, action) || !this.validator.hasResponse(this.version, action)) {
      this.replyError(id, 'NotImplemented', `Requested Action ${action} is not known`, MessageType.CALLERROR);
      return undefined;
    }
    const handler = this.handlers.resolve(this.version, action);
    if (!handler) {
      this.replyError(id, 'NotSupported', `Requested Action ${action} is recognized but not supported`, MessageType.CALLERROR);
      return undefined;
    }
    const failure = this.validator.validate(this.version, action, 'request', frame.payload);
    if (failure && !this.acceptsDespite(action, 'request', failure)) {
      this.replyError(id, failure.code, failure.message, MessageType.CALLERROR);
      this.countBadMessage();
      return undefined;
    }
    let result: JsonObject | Promise<JsonObject>;
    try {
      result = handler(frame.payload, { identity: this.identity, version: this.version, action, messageId: id, endpoint: this });
    } catch (error) {
      this.replyHandlerError(frame, error);
      return undefined;
    }
    if (result instanceof Promise) {
      return result.then(
        (response) => this.replyResult(frame, response, signed),
        (error: unknown) => this.replyHandlerError(frame, error),
      );
    }
    return this.replyResult(frame, result, signed);
  }

  /** `<Action>-Signed` (Part 4 §7.2): verify, then handle the enclosed message as a normal `<Action>` CALL. */
  private handleSignedCall(frame: CallFrame, signing: MessageSigning): Promise<void> | undefined {
    const action = plainAction(frame.action);
    if (!this.validator.hasAction(this.version, action)) {
      this.replyError(frame.id, 'NotImplemented', `Requested Action ${frame.action} is not known`, MessageType.CALLERROR);
      return undefined;
    }
    return Promise.resolve(frame.payload).then((payload) => signing.verifyCall(this.identity, action, payload)).then(
      (payload) => (this.closedReason === undefined ? this.handleCall({ type: frame.type, id: frame.id, action, payload }, true) : undefined),
      (error: unknown) => {
        const rejection = error instanceof RpcError ? error : new RpcError('SecurityError', 'Signed message could not be verified');
        this.log.warn({ err: error, station: this.identity, messageId: frame.id, action: frame.action }, 'signed CALL rejected');
        this.replyError(frame.id, rejection.code, rejection.message, MessageType.CALLERROR);
        this.countBadMessage();
      },
    );
  }

  private onSend(frame: SendFrame): void {
    // A SEND is never answered (2.1 §4.2.5): failures are logged only.
    const handler = this.validator.hasAction(this.version, frame.action) ? this.handlers.resolve(this.version, frame.action) : undefined;
    if (!handler) {
      this.log.warn({ station: this.identity, action: frame.action }, 'SEND without handler ignored');
      return;
    }
    const failure = this.validator.validate(this.version, frame.action, 'request', frame.payload);
    if (failure && !this.acceptsDespite(frame.action, 'request', failure)) {
      this.log.warn({ station: this.identity, action: frame.action, failure }, 'invalid SEND ignored');
      this.countBadMessage();
      return;
    }
    try {
      const result = handler(frame.payload, { identity: this.identity, version: this.version, action: frame.action, messageId: frame.id, endpoint: this });
      if (result instanceof Promise) result.catch((error: unknown) => this.log.error({ err: error, station: this.identity, action: frame.action }, 'SEND handler failed'));
    } catch (error) {
      this.log.error({ err: error, station: this.identity, action: frame.action }, 'SEND handler failed');
    }
  }

  private replyResult(frame: CallFrame, response: JsonObject, signed = false): Promise<void> | undefined {
    if (this.closedReason !== undefined) return;
    const failure = this.validator.validate(this.version, frame.action, 'response', response);
    if (failure) {
      // Our own answer breaks the schema: a bug on our side, never sent to the station as is.
      this.log.error({ station: this.identity, action: frame.action, failure }, 'handler returned an invalid response');
      this.replyError(frame.id, 'InternalError', INTERNAL_ERROR_TEXT, MessageType.CALLERROR);
      return;
    }
    if (signed) return this.replySigned(frame, response);
    this.write(serializeCallResult(frame.id, response), MessageType.CALLRESULT, frame.id, frame.action, response);
  }

  /** Part 4 §7.2: a signed request gets a signed reply when we have a signing key, an unsigned one otherwise. */
  private replySigned(frame: CallFrame, response: JsonObject): Promise<void> | undefined {
    let pending: ReturnType<MessageSigning['signResult']>;
    try {
      pending = this.signing?.signResult(frame.action, response);
    } catch (error) {
      pending = Promise.reject(error);
    }
    if (pending === undefined) {
      this.write(serializeCallResult(frame.id, response), MessageType.CALLRESULT, frame.id, frame.action, response);
      return undefined;
    }
    return pending.then(
      (jws) => {
        if (this.closedReason === undefined) this.write(serializeSignedCallResult(frame.id, jws), MessageType.CALLRESULT, frame.id, frame.action, jws);
      },
      (error: unknown) => {
        this.log.error({ err: error, station: this.identity, action: frame.action }, 'signing the reply failed');
        this.replyError(frame.id, 'InternalError', INTERNAL_ERROR_TEXT, MessageType.CALLERROR);
      },
    );
  }

  private replyHandlerError(frame: CallFrame, error: unknown): void {
    if (error instanceof RpcError) {
      this.replyError(frame.id, error.code, error.message, MessageType.CALLERROR, error.details as JsonObject);
      return;
    }
    this.log.error({ err: error, station: this.identity, action: frame.action }, 'handler failed');
    this.replyError(frame.id, 'InternalError', INTERNAL_ERROR_TEXT, MessageType.CALLERROR);
  }

  private replyError(
    id: string,
    code: RpcErrorCode,
    description: string,
    type: typeof MessageType.CALLERROR | typeof MessageType.CALLRESULTERROR,
    details: JsonObject = {},
  ): void {
    if (this.closedReason !== undefined) return;
    this.write(serializeCallError(id, code, description, this.version, details, type), type, id, undefined, details);
  }

  /** True when a lenient endpoint lets a violation through; reports it either way. */
  private acceptsDespite(action: string, kind: 'request' | 'response', failure: ValidationFailure): boolean {
    const lenient = this.strictness === 'lenient';
    this.log.warn({ station: this.identity, action, kind, code: failure.code, fields: failure.fields }, `schema violation${lenient ? ' (accepted: lenient)' : ''}: ${failure.message}`);
    this.onViolation?.({ identity: this.identity, version: this.version, action, kind, failure });
    return lenient;
  }

  private write(text: string, messageType: number, messageId: string, action: string | undefined, payload: JsonObject | undefined): void {
    this.emitFrame('out', messageType, messageId, action, payload, text);
    this.transport.send(text);
  }

  private emitFrame(direction: Direction, messageType: number, messageId: string, action: string | undefined, payload: JsonObject | undefined, text = ''): void {
    if (this.onFrame === undefined) return;
    try {
      this.onFrame({ identity: this.identity, direction, messageType, messageId, action, payload, text });
    } catch (error) {
      this.log.error({ err: error }, 'frame observer failed');
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** The transport closed: fail everything pending. Idempotent. */
  handleClose(reason = 'connection closed'): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const pending = this.outstanding ? [this.outstanding, ...this.queue] : [...this.queue];
    this.outstanding = undefined;
    this.queue.length = 0;
    this.inbound.length = 0;
    for (const call of pending) {
      clearTimeout(call.timer);
      call.reject(new OfflineError(this.identity, reason));
    }
  }

  /** Closes the underlying transport; pending calls fail once the transport reports the close. */
  close(code = 1000, reason = ''): void {
    this.transport.close(code, reason);
  }
}
