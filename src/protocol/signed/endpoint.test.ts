/**
 * Signed messages through two RpcEndpoints over a real WebSocket on 127.0.0.1 (Part 4 §7.2): the receiver
 * handles the enclosed message as usual and answers signed; bad signatures get CALLERROR SecurityError.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { base64url, decodeProtectedHeader } from 'jose';
import { WebSocket, WebSocketServer } from 'ws';
import { silentLogger } from '../../shared/logger.ts';
import type { CallContext, RpcEndpointOptions, RpcTransport } from '../endpoint.ts';
import { RpcEndpoint } from '../endpoint.ts';
import { RpcError } from '../errors.ts';
import { HandlerRegistry } from '../handlers.ts';
import { createSchemaValidator } from '../schemas/validator.ts';
import type { JsonObject } from '../types.ts';
import type { PayloadValidator } from '../validator.ts';
import type { MessageSigning, SigningKey } from './index.ts';
import { KeyRing, createMessageSigning, isFlattenedJws, loadSigningKey, signPayload } from './index.ts';
import { makeTestKey } from './test-keys.ts';

const VERSION = 'ocpp2.0.1';
const IDENTITY = 'CS001';
const BOOT = { chargingStation: { model: 'M1', vendorName: 'Joule' }, reason: 'PowerUp' } as const;
const BOOT_REPLY = { currentTime: '2025-01-01T00:00:00.000Z', interval: 300, status: 'Accepted' } as const;

let validator: PayloadValidator;
let csmsKey: SigningKey;
let stationKey: SigningKey;
let strangerKey: SigningKey;

interface Side {
  endpoint: RpcEndpoint<typeof VERSION>;
  socket: WebSocket;
  /** Raw text frames this side received. */
  received: string[];
}

interface Pair {
  csms: Side;
  station: Side;
  /** Payloads and contexts the CSMS's BootNotification handler saw. */
  boots: { payload: JsonObject; context: CallContext }[];
  close(): Promise<void>;
}

type SideOptions = Partial<Pick<RpcEndpointOptions, 'signing' | 'handlers' | 'signCalls'>>;

function transportOf(socket: WebSocket): RpcTransport {
  return { send: (data) => socket.send(data), close: (code, reason) => socket.close(code, reason) };
}

function side(socket: WebSocket, options: SideOptions): Side {
  const received: string[] = [];
  const endpoint = new RpcEndpoint({
    identity: IDENTITY,
    version: VERSION,
    transport: transportOf(socket),
    validator,
    handlers: options.handlers ?? new HandlerRegistry(),
    logger: silentLogger(),
    callTimeoutMs: 5_000,
    signing: options.signing,
    signCalls: options.signCalls,
  });
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    received.push(text);
    endpoint.receive(text);
  });
  socket.on('close', () => endpoint.handleClose());
  return { endpoint, socket, received };
}

/** A CSMS endpoint and a station endpoint connected by a real WebSocket. */
async function connect(csms: SideOptions, station: SideOptions): Promise<Pair> {
  const boots: Pair['boots'] = [];
  const handlers = new HandlerRegistry().onRaw(VERSION, 'BootNotification', (payload, context) => {
    boots.push({ payload, context });
    return { ...BOOT_REPLY };
  });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => VERSION });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}/${IDENTITY}`, VERSION);
  await new Promise<void>((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const serverSocket = await accepted;
  return {
    csms: side(serverSocket, { handlers, ...csms }),
    station: side(client, station),
    boots,
    close: async () => {
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.close();
      await closed;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends raw text from `from` and waits for the frame answering `id` on that side. */
async function exchange(from: Side, text: string, id: string): Promise<unknown[]> {
  const answered = new Promise<unknown[]>((resolve) => {
    const onMessage = (data: Buffer): void => {
      const frame: unknown = JSON.parse(data.toString('utf8'));
      if (Array.isArray(frame) && frame[1] === id) {
        from.socket.off('message', onMessage);
        resolve(frame);
      }
    };
    from.socket.on('message', onMessage);
  });
  from.socket.send(text);
  return answered;
}

function lastFrame(side: Side): unknown[] {
  const text = side.received.at(-1);
  assert.ok(text !== undefined, 'nothing received');
  return JSON.parse(text) as unknown[];
}

/** CSMS: trusts the station's certificate for CS001 and signs with its own key. */
function csmsSigning(overrides: Partial<Parameters<typeof createMessageSigning>[0]> = {}): MessageSigning {
  const keyRing = new KeyRing();
  keyRing.trust(IDENTITY, stationKey.certificatePem);
  return createMessageSigning({ keyRing, signingKey: csmsKey, ...overrides });
}

/** Station: trusts the CSMS certificate and signs with its own key. */
function stationSigning(): MessageSigning {
  const keyRing = new KeyRing();
  keyRing.trustAll(csmsKey.certificatePem);
  return createMessageSigning({ keyRing, signingKey: stationKey });
}

before(() => {
  validator = createSchemaValidator();
  const csms = makeTestKey('p256', 'csms.example');
  csmsKey = loadSigningKey({ key: csms.keyPem, certificate: csms.certificatePem });
  const station = makeTestKey('rsa2048', IDENTITY);
  stationKey = loadSigningKey({ key: station.keyPem, certificate: station.certificatePem });
  const stranger = makeTestKey('p256', 'stranger');
  strangerKey = loadSigningKey({ key: stranger.keyPem, certificate: stranger.certificatePem });
});

describe('signed messages between endpoints over WebSocket (Part 4 §7.2)', () => {
  let pair: Pair;
  before(async () => {
    pair = await connect({ signing: csmsSigning() }, { signing: stationSigning() });
  });
  after(() => pair.close());

  it('BootNotification-Signed: handled as BootNotification, answered signed, verified by the caller', async () => {
    const reply = await pair.station.endpoint.callSigned('BootNotification', BOOT);
    assert.deepEqual(reply, BOOT_REPLY);

    const boot = pair.boots.at(-1);
    assert.ok(boot);
    assert.deepEqual(boot.payload, BOOT);
    assert.equal(boot.context.action, 'BootNotification');

    const call = JSON.parse(pair.csms.received.at(-1) ?? '[]') as unknown[];
    assert.equal(call[0], 2);
    assert.equal(call[2], 'BootNotification-Signed');
    assert.ok(isFlattenedJws(call[3] as JsonObject));
    assert.deepEqual(decodeProtectedHeader(call[3] as JsonObject), { alg: 'RS256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2, 'x5t#S256': stationKey.thumbprint });

    const result = lastFrame(pair.station);
    assert.equal(result[0], 3);
    assert.equal(result[1], call[1]);
    assert.equal(result.length, 3);
    assert.ok(isFlattenedJws(result[2] as JsonObject));
    assert.deepEqual(decodeProtectedHeader(result[2] as JsonObject), { alg: 'ES256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 3, 'x5t#S256': csmsKey.thumbprint });
  });

  it('unsigned calls on a signing endpoint stay unsigned both ways', async () => {
    assert.deepEqual(await pair.station.endpoint.call('BootNotification', BOOT), BOOT_REPLY);
    assert.equal(JSON.parse(pair.csms.received.at(-1) ?? '[]')[2], 'BootNotification');
    assert.deepEqual(lastFrame(pair.station)[2], BOOT_REPLY);
  });

  it('the other direction: a signed CALL from the CSMS, answered signed by the station', async () => {
    const handlers = new HandlerRegistry().onRaw(VERSION, 'Reset', () => ({ status: 'Accepted' }));
    const other = await connect({ signing: csmsSigning() }, { signing: stationSigning(), handlers });
    try {
      assert.deepEqual(await other.csms.endpoint.callSigned('Reset', { type: 'Immediate' }), { status: 'Accepted' });
      assert.equal(decodeProtectedHeader(lastFrame(other.csms)[2] as JsonObject).OCPPAction, 'Reset');
    } finally {
      await other.close();
    }
  });

  it('signCalls: every CALL, typed or raw, goes signed', async () => {
    const handlers = new HandlerRegistry().onRaw(VERSION, 'Reset', () => ({ status: 'Accepted' }));
    const other = await connect({ signing: csmsSigning(), signCalls: true }, { signing: stationSigning(), handlers });
    try {
      assert.deepEqual(await other.csms.endpoint.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
      assert.deepEqual(await other.csms.endpoint.callRaw('Reset', { type: 'OnIdle' }), { status: 'Accepted' });
      const sent = other.station.received.map((text) => JSON.parse(text) as unknown[]);
      assert.deepEqual(
        sent.map((frame) => frame[2]),
        ['Reset-Signed', 'Reset-Signed'],
      );
      assert.equal(decodeProtectedHeader(sent[1]?.[3] as JsonObject).OCPPAction, 'Reset');
    } finally {
      await other.close();
    }
  });

  it('signCalls without a signing key is refused when the endpoint is made', () => {
    assert.throws(
      () => new RpcEndpoint({ identity: IDENTITY, version: VERSION, transport: { send: () => undefined, close: () => undefined }, validator, handlers: new HandlerRegistry(), logger: silentLogger(), signCalls: true }),
      /signCalls needs/,
    );
  });

  it('a tampered payload gets CALLERROR SecurityError and never reaches the handler', async () => {
    const jws = await signPayload(stationKey, 'BootNotification', 2, BOOT);
    const forged = { ...jws, payload: base64url.encode(JSON.stringify({ ...BOOT, reason: 'Triggered' })) };
    const before = pair.boots.length;
    const reply = await exchange(pair.station, JSON.stringify([2, 'tampered-1', 'BootNotification-Signed', forged]), 'tampered-1');
    assert.equal(reply[0], 4);
    assert.equal(reply[2], 'SecurityError');
    assert.equal(pair.boots.length, before);
  });

  it('a key not trusted for this station, a header for another action, or a non-JWS payload: SecurityError', async () => {
    const cases: [string, JsonObject][] = [
      ['untrusted', await signPayload(strangerKey, 'BootNotification', 2, BOOT)],
      ['csms-key', await signPayload(csmsKey, 'BootNotification', 2, BOOT)],
      ['action', await signPayload(stationKey, 'Heartbeat', 2, BOOT)],
      ['plain', { ...BOOT }],
    ];
    for (const [id, payload] of cases) {
      const reply = await exchange(pair.station, JSON.stringify([2, id, 'BootNotification-Signed', payload]), id);
      assert.deepEqual(reply.slice(0, 3), [4, id, 'SecurityError'], id);
    }
  });

  it('a validly signed but schema-invalid enclosed payload is refused like an unsigned one', async () => {
    const jws = await signPayload(stationKey, 'BootNotification', 2, { reason: 'PowerUp' });
    const reply = await exchange(pair.station, JSON.stringify([2, 'invalid-1', 'BootNotification-Signed', jws]), 'invalid-1');
    assert.equal(reply[0], 4);
    assert.equal(reply[2], 'OccurrenceConstraintViolation');
  });

  it('unknown enclosed action: NotImplemented', async () => {
    const jws = await signPayload(stationKey, 'NoSuchAction', 2, {});
    const reply = await exchange(pair.station, JSON.stringify([2, 'unknown-1', 'NoSuchAction-Signed', jws]), 'unknown-1');
    assert.deepEqual(reply.slice(0, 3), [4, 'unknown-1', 'NotImplemented']);
  });
});

describe('signed CALLRESULT verification and policies', () => {
  it('a tampered signed CALLRESULT fails the call with SecurityError', async () => {
    const honest = csmsSigning();
    const tampering: MessageSigning = {
      ...honest,
      signResult: (action, payload) => honest.signResult(action, payload)?.then((jws) => ({ ...jws, payload: base64url.encode(JSON.stringify({ ...payload, interval: 1 })) })),
    };
    const pair = await connect({ signing: tampering }, { signing: stationSigning() });
    try {
      await assert.rejects(pair.station.endpoint.callSigned('BootNotification', BOOT), (error: unknown) => error instanceof RpcError && error.code === 'SecurityError');
    } finally {
      await pair.close();
    }
  });

  it('a CSMS that verifies but has no signing key answers unsigned, which the station accepts', async () => {
    const keyRing = new KeyRing();
    keyRing.trust(IDENTITY, stationKey.certificatePem);
    const pair = await connect({ signing: createMessageSigning({ keyRing }) }, { signing: stationSigning() });
    try {
      assert.deepEqual(await pair.station.endpoint.callSigned('BootNotification', BOOT), BOOT_REPLY);
      assert.deepEqual(lastFrame(pair.station)[2], BOOT_REPLY);
    } finally {
      await pair.close();
    }
  });

  it('an endpoint without signing answers BootNotification-Signed NotImplemented (unchanged behaviour)', async () => {
    const pair = await connect({}, { signing: stationSigning() });
    try {
      await assert.rejects(pair.station.endpoint.callSigned('BootNotification', BOOT), (error: unknown) => error instanceof RpcError && error.code === 'NotImplemented');
      assert.equal(pair.boots.length, 0);
      // Unsigned traffic is unaffected.
      assert.deepEqual(await pair.station.endpoint.call('BootNotification', BOOT), BOOT_REPLY);
    } finally {
      await pair.close();
    }
  });

  it('a MessageSigning that throws synchronously still yields a CALLERROR, not a crash', async () => {
    const broken: MessageSigning = {
      verifyCall: () => {
        throw new Error('boom');
      },
      signResult: () => undefined,
    };
    const pair = await connect({ signing: broken }, { signing: stationSigning() });
    try {
      await assert.rejects(pair.station.endpoint.callSigned('BootNotification', BOOT), (error: unknown) => error instanceof RpcError && error.code === 'SecurityError');
      assert.deepEqual(await pair.station.endpoint.call('BootNotification', BOOT), BOOT_REPLY);
    } finally {
      await pair.close();
    }
  });

  it('callSigned without a signing key fails before sending anything', async () => {
    const pair = await connect({}, {});
    try {
      await assert.rejects(pair.station.endpoint.callSigned('BootNotification', BOOT), /signing key/);
      assert.equal(pair.csms.received.length, 0);
    } finally {
      await pair.close();
    }
  });
});
