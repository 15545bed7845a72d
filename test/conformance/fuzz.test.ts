/**
 * Property-based fuzzing of a live gateway (fast-check): ~20 000 malformed and semi-valid frames over one
 * connection per version. For every frame the expected answer is computed HERE, from the Part 4 rules (an oracle
 * written without looking at src/protocol/frame.ts): a CALLERROR with the right code and id, a CALLRESULTERROR
 * (2.1), the exact CALLRESULT, or nothing. Each batch ends with a valid Heartbeat whose answer must come back, so
 * the connection is proven usable after every batch. At the end the process has seen no unhandled rejection or
 * warning, every connection is still open, and new stations are still served.
 *
 * Reproduce a failure with the seed and path fast-check prints: FUZZ_SEED=<seed> FUZZ_PATH=<path>.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { listActions } from '../../src/protocol/schemas/validator.ts';
import type { OcppVersion } from '../../src/protocol/types.ts';
import type { ConformanceServer, RawStation, WireFrame } from './support.ts';
import { NOW, VERSIONS, isWellFormed, startServer, watchProcess, wire } from './support.ts';

/** 3 versions × RUNS batches × BATCH frames ≈ 20 400 frames. */
const BATCH = 200;
const RUNS = Number(process.env.FUZZ_RUNS ?? 34);

// ------------------------------------------------------------------ the oracle

type Expectation =
  | { kind: 'none' }
  | { kind: 'error'; type: 4 | 5; id: string; code: string }
  | { kind: 'result'; frame: WireFrame };

const NONE: Expectation = { kind: 'none' };
/** Actions the fuzz server has handlers for (see conformanceHandlers); the generators only call Heartbeat. */
const HANDLED = new Set(['Heartbeat', 'BootNotification', 'DataTransfer', 'NotifyPeriodicEventStream']);
/** 2.1 messages that are sent with SEND [6] only: no response exists, so they are no CALL action. */
const SEND_ONLY = new Set(['NotifyPeriodicEventStream']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Part 4 §4.1.4: a string of at most 36 characters; the empty string identifies nothing. */
function readableId(id: unknown): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= 36;
}

/**
 * HeartbeatRequest (1.6: `{}` with additionalProperties false; 2.x: optional customData only). CustomDataType
 * (Part 4 §9): an object with a required string vendorId of at most 255 characters, open to anything else.
 */
function heartbeatVerdict(version: OcppVersion, payload: Record<string, unknown>): string | null {
  const allowed = version === 'ocpp1.6' ? [] : ['customData'];
  if (Object.keys(payload).some((key) => !allowed.includes(key))) return wire(version, 'FormatViolation');
  if (!Object.prototype.hasOwnProperty.call(payload, 'customData')) return null;
  const customData = payload.customData;
  if (!isObject(customData)) return 'TypeConstraintViolation';
  if (!Object.prototype.hasOwnProperty.call(customData, 'vendorId')) return wire(version, 'OccurrenceConstraintViolation');
  if (typeof customData.vendorId !== 'string') return 'TypeConstraintViolation';
  if ([...customData.vendorId].length > 255) return 'PropertyConstraintViolation';
  return null;
}

function makeOracle(version: OcppVersion): (text: string) => Expectation {
  const actions = new Set(listActions(version));
  const rpc21 = version === 'ocpp2.1';
  const known = rpc21 ? [2, 3, 4, 5, 6] : [2, 3, 4];
  const error = (id: string, code: string): Expectation => ({ kind: 'error', type: 4, id, code });
  return (text) => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // §4.1.2 the message MUST be valid JSON; §4.2.3 the id cannot be read → "-1".
      return error('-1', wire(version, 'RpcFrameworkError'));
    }
    // §4.3 RpcFrameworkError: "Content of the call is not a valid RPC Request".
    if (!Array.isArray(message) || message.length === 0) return error('-1', wire(version, 'RpcFrameworkError'));
    const [type, id] = message as unknown[];
    const idOrUnreadable = readableId(id) ? id : '-1';
    if (typeof type !== 'number' || !Number.isInteger(type)) return error(idOrUnreadable, wire(version, 'RpcFrameworkError'));
    if (!known.includes(type)) {
      // 2.1 §4.1.3/§4.4: ignore. 2.0.1 §4.4: MessageTypeNotSupported. 1.6 has no such code (FormationViolation).
      return rpc21 ? NONE : error(idOrUnreadable, wire(version, 'MessageTypeNotSupported'));
    }
    // Errors and SENDs are never answered. The server has no call outstanding during the fuzz, so every CALLRESULT
    // has an unknown id: logged and dropped, well-formed or not (a CALLRESULTERROR answers only the reply to our
    // outstanding call; rpc21.test.ts covers that).
    if (type !== 2) return NONE;
    // CALL
    if (!readableId(id)) return error('-1', wire(version, 'RpcFrameworkError'));
    const [, , action, payload] = message as unknown[];
    if (message.length !== 4 || typeof action !== 'string' || action === '' || !isObject(payload)) return error(id, wire(version, 'FormatViolation'));
    if (!actions.has(action) || SEND_ONLY.has(action)) return error(id, 'NotImplemented');
    if (!HANDLED.has(action)) return error(id, 'NotSupported');
    if (action !== 'Heartbeat') throw new Error(`generator bug: the oracle only knows Heartbeat among handled actions, got ${action}`);
    const verdict = heartbeatVerdict(version, payload);
    return verdict === null ? { kind: 'result', frame: [3, id, { currentTime: NOW }] } : error(id, verdict);
  };
}

// ------------------------------------------------------------------ generators

const asciiString = (min: number, max: number): fc.Arbitrary<string> => fc.string({ minLength: min, maxLength: max });
const anyString = (max: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength: max });

/** Ids: valid ones, boundary lengths, and values that are no id at all. */
const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: asciiString(1, 36) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom('-1', '0', ' ', 'x'.repeat(36), 'x'.repeat(37), '') },
  // Unicode ids of at most 18 code points: ≤ 36 UTF-16 units, ≤ 36 characters, valid under either count.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 18 }) },
  { weight: 2, arbitrary: asciiString(37, 120) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant(['id'])) },
);

function actionArb(version: OcppVersion): fc.Arbitrary<string> {
  const actions = listActions(version);
  const unhandled = actions.filter((a) => !HANDLED.has(a));
  const table = new Set(actions);
  const variants = ['heartbeat', 'HEARTBEAT', 'Heartbeat ', ' Heartbeat', 'HeartbeatRequest', 'Heartbeat-Signed', 'Heart\u0000beat', ...(version === 'ocpp2.1' ? ['NotifyPeriodicEventStream'] : [])];
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant('Heartbeat') },
    { weight: 2, arbitrary: fc.constantFrom(...unhandled) },
    { weight: 1, arbitrary: fc.constantFrom(...variants) },
    { weight: 2, arbitrary: fc.oneof(asciiString(0, 40), anyString(40), anyString(400)).filter((a) => !table.has(a)) },
  );
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const unicodeJsonValue = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });
const extraKey = fc.oneof(asciiString(1, 12), anyString(8)).filter((k) => k !== 'customData');
const validCustomData = fc.record({ vendorId: asciiString(0, 255) }).chain((base) => fc.dictionary(extraKey.filter((k) => k !== 'vendorId'), jsonValue, { maxKeys: 3 }).map((extra) => ({ ...extra, ...base })));
const customDataArb = fc.oneof(
  { weight: 4, arbitrary: validCustomData },
  { weight: 1, arbitrary: fc.record({ vendorId: fc.constant('v'.repeat(256)) }) },
  { weight: 1, arbitrary: fc.record({ vendorId: fc.oneof(fc.integer(), fc.constant(null), fc.constant({})) }) },
  { weight: 1, arbitrary: fc.dictionary(extraKey.filter((k) => k !== 'vendorId'), jsonValue, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([])) },
);

/** Heartbeat payloads: {} , customData alone (valid or not), unknown properties (with at most a valid customData). */
const payloadArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: customDataArb.map((customData) => ({ customData })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.dictionary(extraKey, unicodeJsonValue, { minKeys: 1, maxKeys: 4 }), fc.option(validCustomData, { nil: undefined }))
      .map(([extra, customData]) => (customData === undefined ? extra : { ...extra, customData })),
  },
  { weight: 2, arbitrary: fc.oneof(fc.constant(null), fc.constant([]), fc.string(), fc.integer(), fc.boolean(), fc.array(jsonValue, { maxLength: 3 })) },
);

/** One frame as text. */
function frameArb(version: OcppVersion): fc.Arbitrary<string> {
  const action = actionArb(version);
  const call = fc.tuple(idArb, action, payloadArb).map(([id, a, p]) => JSON.stringify([2, id, a, p]));
  const typeArb = fc.oneof(fc.integer({ min: -3, max: 12 }), fc.integer(), fc.constantFrom(2, 3, 4, 5, 6));
  const badType = fc.oneof(fc.double().filter((d) => !Number.isInteger(d)), fc.string(), fc.constant(null), fc.boolean(), fc.constant([2]), fc.constant({ t: 2 }));
  const description = fc.oneof(asciiString(0, 40), anyString(300), fc.nat({ max: 20_000 }).map((n) => 'd'.repeat(n)));
  const codeArb = fc.oneof(fc.constantFrom('FormatViolation', 'FormationViolation', 'OccurenceConstraintViolation', 'GenericError', 'RpcFrameworkError'), fc.string(), fc.integer());
  return fc.oneof(
    // Well-formed CALLs with random ids, actions and payloads.
    { weight: 8, arbitrary: call },
    // The same, pretty-printed: whitespace is not significant.
    { weight: 1, arbitrary: fc.tuple(idArb, action, payloadArb).map(([id, a, p]) => JSON.stringify([2, id, a, p], null, 2)) },
    // Replies and errors from a station that answers calls we never made, some with huge descriptions.
    { weight: 2, arbitrary: fc.tuple(idArb, fc.option(jsonValue)).map(([id, p]) => JSON.stringify(p === null ? [3, id, {}] : [3, id, p])) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(4, 5), idArb, codeArb, description, fc.option(jsonValue)).map(([t, id, c, d, det]) => JSON.stringify(det === null ? [t, id, c, d] : [t, id, c, d, det])) },
    // SEND (2.1), or an unknown type before 2.1.
    { weight: 2, arbitrary: fc.tuple(idArb, action, payloadArb).map(([id, a, p]) => JSON.stringify([6, id, a, p])) },
    // Random message types, with a plausible or random tail.
    { weight: 2, arbitrary: fc.tuple(typeArb, idArb, fc.array(jsonValue, { maxLength: 4 })).map(([t, id, rest]) => JSON.stringify([t, id, ...rest])) },
    { weight: 1, arbitrary: fc.tuple(badType, idArb, action, payloadArb).map(([t, id, a, p]) => JSON.stringify([t, id, a, p])) },
    // Wrong lengths and shapes of otherwise valid frames.
    { weight: 2, arbitrary: fc.tuple(typeArb, fc.array(jsonValue, { maxLength: 6 })).map(([t, rest]) => JSON.stringify([t, ...rest])) },
    { weight: 1, arbitrary: fc.tuple(idArb, fc.nat({ max: 6 })).map(([id, n]) => JSON.stringify([2, id, 'Heartbeat', {}, null, 1, 'x'].slice(0, n))) },
    // Any JSON value at all (mostly not an array), and arrays of anything.
    { weight: 2, arbitrary: unicodeJsonValue.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.array(unicodeJsonValue, { maxLength: 6 }).map((v) => JSON.stringify(v)) },
    // Garbage text: random strings and near-JSON token soup (valid UTF-8, no lone surrogates).
    { weight: 1, arbitrary: anyString(200) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom('[', ']', '{', '}', ',', ':', '"', '2', '3', '4', '6', '7', '"id"', '"-1"', 'null', 'true', ' ', '\\', '"Heartbeat"', '1e309', '-0', '2.0', '{}', '\n'), { maxLength: 24 })
        .map((parts) => parts.join('')),
    },
    // Oversized actions (their echo in ErrorDescription must be cut to 255 without splitting a character).
    { weight: 1, arbitrary: fc.tuple(asciiString(1, 36), fc.string({ unit: 'binary', minLength: 200, maxLength: 600 })).map(([id, a]) => JSON.stringify([2, id, a, {}])) },
  );
}

// ------------------------------------------------------------------ running a batch

function describeExpectation(e: Expectation): string {
  return e.kind === 'none' ? 'no answer' : e.kind === 'result' ? JSON.stringify(e.frame) : `[${e.type}, ${JSON.stringify(e.id)}, ${e.code}, …]`;
}

function check(text: string, expected: Expectation, got: WireFrame | undefined): void {
  const what = `for ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)}: expected ${describeExpectation(expected)}, got ${got === undefined ? 'nothing' : JSON.stringify(got).slice(0, 400)}`;
  if (expected.kind === 'none') assert.fail(what);
  assert.ok(got !== undefined, what);
  if (expected.kind === 'result') {
    assert.deepEqual(got, expected.frame, what);
    return;
  }
  assert.equal(got.length, 5, what);
  assert.deepEqual([got[0], got[1], got[2], got[4]], [expected.type, expected.id, expected.code, {}], what);
  assert.equal(typeof got[3], 'string', what);
  const description = got[3] as string;
  assert.ok(description.length <= 255, `${what}: description of ${description.length} characters`);
  assert.ok(isWellFormed(description), `${what}: description with a lone surrogate`);
}

let sentinelCounter = 0;

/** Sends a batch plus a Heartbeat sentinel; every frame up to the sentinel's answer must be exactly what the oracle expects. */
async function runBatch(st: RawStation, oracle: (text: string) => Expectation, texts: readonly string[]): Promise<void> {
  const expected: Array<{ text: string; expectation: Expectation }> = [];
  for (const text of texts) {
    st.sendText(text);
    const expectation = oracle(text);
    if (expectation.kind !== 'none') expected.push({ text, expectation });
  }
  sentinelCounter += 1;
  const sentinel = `sentinel-${sentinelCounter}`;
  st.send([2, sentinel, 'Heartbeat', {}]);
  try {
    await readBatch(st, oracle, texts, expected, sentinel);
  } catch (error) {
    await resync(st, sentinel);
    if (texts.length === 1) throw error;
    // Shrinking 200-frame batches over a socket would take minutes: find the first frame that fails on its own.
    for (const text of texts) await runBatch(st, oracle, [text]);
    throw new Error(`the batch fails although each frame alone passes (order-dependent): ${(error as Error).message}`);
  }
}

async function resync(st: RawStation, sentinel: string): Promise<void> {
  for (;;) {
    const frame = await st.next(10_000).catch(() => undefined);
    if (frame === undefined || (frame[0] === 3 && frame[1] === sentinel)) return;
  }
}

async function readBatch(
  st: RawStation,
  oracle: (text: string) => Expectation,
  texts: readonly string[],
  expected: ReadonlyArray<{ text: string; expectation: Expectation }>,
  sentinel: string,
): Promise<void> {
  for (let i = 0; ; i += 1) {
    const got = await st.next(10_000);
    if (got[0] === 3 && got[1] === sentinel) {
      assert.deepEqual(got, [3, sentinel, { currentTime: NOW }]);
      if (i < expected.length) {
        const missing = expected[i] as { text: string; expectation: Expectation };
        check(missing.text, missing.expectation, undefined);
      }
      return;
    }
    const want = expected[i];
    if (want === undefined) {
      const culprits = texts.filter((t) => oracle(t).kind === 'none').slice(0, 5);
      assert.fail(`unexpected answer ${JSON.stringify(got).slice(0, 400)}; frames expected to stay unanswered include ${JSON.stringify(culprits).slice(0, 600)}`);
    }
    check(want.text, want.expectation, got);
  }
}

// ------------------------------------------------------------------ the test

describe('fuzz: malformed and semi-valid frames against a live gateway', () => {
  let server: ConformanceServer;
  const stations = new Map<OcppVersion, RawStation>();
  let reconnects = 0;
  const watch = watchProcess();

  before(async () => {
    // maxBadMessages 0: unlimited, so one connection takes every frame; 1 MiB for the huge descriptions.
    server = await startServer({ maxBadMessages: 0, maxPayloadBytes: 1 << 20 });
    for (const version of VERSIONS) stations.set(version, await server.connect(`FUZZ-${version}`, version));
  });
  after(async () => {
    for (const st of stations.values()) await st.close();
    await server.close();
  });

  /** The station for `version`; reconnects (and counts it) if a frame closed the connection. */
  async function station(version: OcppVersion): Promise<RawStation> {
    const current = stations.get(version);
    if (current?.isOpen) return current;
    reconnects += 1;
    const fresh = await server.connect(`FUZZ-${version}`, version);
    stations.set(version, fresh);
    return fresh;
  }

  for (const version of VERSIONS.filter((v) => process.env.FUZZ_VERSION === undefined || v === process.env.FUZZ_VERSION)) {
    it(`${version}: ${RUNS} batches of ${BATCH} frames, each answered as Part 4 says`, { timeout: 120_000 }, async () => {
      const oracle = makeOracle(version);
      const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
      await fc.assert(
        fc.asyncProperty(fc.array(frameArb(version), { minLength: BATCH, maxLength: BATCH }), async (texts) => {
          await runBatch(await station(version), oracle, texts);
        }),
        // No shrinking (see runBatch); the error names the failing frame.
        { numRuns: RUNS, endOnFailure: true, includeErrorInReport: true, ...(seed !== undefined ? { seed, path: process.env.FUZZ_PATH } : {}) },
      );
      assert.equal(reconnects, 0, 'a frame closed the connection');
    });
  }

  it('afterwards: every fuzzed connection is still open, new stations are served, the process saw no rejection or warning', async () => {
    for (const version of VERSIONS) {
      const st = await station(version);
      await st.heartbeat();
    }
    assert.equal(reconnects, 0);
    assert.deepEqual(server.gateway.connectedIdentities().sort(), VERSIONS.map((v) => `FUZZ-${v}`).sort());
    const extra = await server.connect('FUZZ-after', 'ocpp2.0.1');
    await extra.heartbeat();
    assert.equal(server.gateway.connectedIdentities().length, 4);
    await extra.close();
    await watch.check();
  });
});
