/**
 * Local Controller initiated messages (OCPP-J Part 4 §6.4): the LC's own CALLs carry ids that cannot collide with
 * the CSMS's, the station's replies to them never reach the CSMS, and the station never has more than one CALL
 * outstanding from its "CSMS" (§4.1.1): an LC CALL waits for an outstanding CSMS CALL and vice versa.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { CallHandler, FrameEvent, HandlerLookup } from '../../src/protocol/endpoint.ts';
import { OfflineError } from '../../src/protocol/errors.ts';
import type { JsonObject } from '../../src/protocol/types.ts';
import { isLcMessageId } from '../../src/lc/message-ids.ts';
import { stationMaxProfile } from '../../src/lc/profiles.ts';
import type { RelayFrame } from '../../src/lc/relay.ts';
import { RawCsms } from '../../src/lc/testing/raw-csms.ts';
import { cleanup, startLc, station, until } from '../../src/lc/testing/support.ts';

afterEach(cleanup);

const NOW = '2025-01-01T00:00:00.000Z';
const PROFILE = stationMaxProfile('ocpp2.0.1', { profileId: 9001, stackLevel: 1, unit: 'W' }, 110_000, new Date(NOW));
const GET_VARIABLES = { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] };
const GET_VARIABLES_RESULT = {
  getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
};

function answer(text: string): string | undefined {
  const [type, id, action] = JSON.parse(text) as [number, string, string];
  if (type !== 2) return undefined;
  return JSON.stringify([3, id, action === 'BootNotification' ? { currentTime: NOW, interval: 300, status: 'Accepted' } : {}]);
}

/** A gate a handler waits on until the test opens it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Station handlers: SetChargingProfile and GetVariables, each held back by its gate when one is set. */
function handlers(gates: { profile?: Promise<void>; variables?: Promise<void> }): HandlerLookup {
  const table: Record<string, CallHandler> = {
    SetChargingProfile: async () => {
      await gates.profile;
      return { status: 'Accepted' };
    },
    GetVariables: async () => {
      await gates.variables;
      return GET_VARIABLES_RESULT;
    },
  };
  return { resolve: (_version, action) => table[action] };
}

interface Setup {
  csms: RawCsms;
  call(payload?: JsonObject): Promise<JsonObject>;
  /** CALLs as the station received them, in order: [id, action]. */
  atStation: Array<[string, string]>;
  lcFrames: RelayFrame[];
  csmsConnection: Awaited<ReturnType<RawCsms['nextConnection']>>;
}

async function setup(gates: { profile?: Promise<void>; variables?: Promise<void> } = {}): Promise<Setup> {
  const csms = await RawCsms.start({ autoAnswer: answer });
  const lcFrames: RelayFrame[] = [];
  const { lc, url } = await startLc({ upstreamUrl: csms.url, onFrame: (frame) => lcFrames.push(frame) });
  const atStation: Array<[string, string]> = [];
  const onFrame = (event: FrameEvent): void => {
    if (event.direction === 'in' && event.messageType === 2) atStation.push([event.messageId, event.action ?? '']);
  };
  const client = station(url, 'CS-IDS', ['ocpp2.0.1'], { handlers: handlers(gates), onFrame });
  await client.connect();
  const csmsConnection = await csms.nextConnection();
  await client.boot({ reason: 'PowerUp', chargingStation: { model: 'J', vendorName: 'Joule' } });
  return { csms, call: (payload = PROFILE) => lc.call('CS-IDS', 'SetChargingProfile', payload), atStation, lcFrames, csmsConnection };
}

const idsIn = (texts: readonly string[]): string[] => texts.map((text) => (JSON.parse(text) as unknown[])[1] as string);

describe('LC initiated messages (Part 4 §6.4)', () => {
  it('uses an id of its own kind, and the station\'s reply never reaches the CSMS', async () => {
    const s = await setup();
    try {
      assert.deepEqual(await s.call(), { status: 'Accepted' });
      const [lcCall] = s.lcFrames.filter((frame) => frame.from === 'lc');
      const lcId = (JSON.parse(lcCall?.text ?? '[]') as unknown[])[1] as string;
      assert.ok(isLcMessageId(lcId), lcId);
      assert.ok(lcId.length <= 36);
      assert.deepEqual(s.atStation.at(-1), [lcId, 'SetChargingProfile']);
      // The reply was consumed by the LC: not relayed, and nothing with that id ever reached the CSMS.
      const reply = s.lcFrames.find((frame) => frame.from === 'station' && frame.text.includes(lcId));
      assert.equal(reply?.relayed, false);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(!idsIn(s.csmsConnection.received).includes(lcId));
      assert.equal(s.csmsConnection.received.length, 1); // the BootNotification only
    } finally {
      await s.csms.stop();
    }
  });

  it('a CSMS CALL that arrives while the LC\'s CALL is outstanding waits for the station\'s reply to it', async () => {
    const held = gate();
    const s = await setup({ profile: held.wait });
    try {
      const lcCall = s.call();
      await until(() => s.atStation.length === 1, 'the LC CALL reaches the station');
      s.csmsConnection.send(JSON.stringify([2, 'csms-1', 'GetVariables', GET_VARIABLES]));
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(s.atStation.length, 1, 'the CSMS CALL must wait while the LC CALL is outstanding');
      held.open();
      assert.deepEqual(await lcCall, { status: 'Accepted' });
      const reply = await s.csmsConnection.next();
      assert.deepEqual(JSON.parse(reply), [3, 'csms-1', GET_VARIABLES_RESULT]);
      assert.deepEqual(s.atStation.map(([, action]) => action), ['SetChargingProfile', 'GetVariables']);
      assert.ok(!idsIn(s.csmsConnection.received).some((id) => isLcMessageId(id)));
    } finally {
      await s.csms.stop();
    }
  });

  it('the LC\'s CALL waits while a CSMS CALL is outstanding', async () => {
    const held = gate();
    const s = await setup({ variables: held.wait });
    try {
      s.csmsConnection.send(JSON.stringify([2, 'csms-2', 'GetVariables', GET_VARIABLES]));
      await until(() => s.atStation.length === 1, 'the CSMS CALL reaches the station');
      const lcCall = s.call();
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(s.atStation.length, 1, 'the LC CALL must wait while the CSMS CALL is outstanding');
      held.open();
      assert.deepEqual(JSON.parse(await s.csmsConnection.next()), [3, 'csms-2', GET_VARIABLES_RESULT]);
      assert.deepEqual(await lcCall, { status: 'Accepted' });
      assert.deepEqual(s.atStation.map(([, action]) => action), ['GetVariables', 'SetChargingProfile']);
    } finally {
      await s.csms.stop();
    }
  });

  it('fails its CALLs with OfflineError when the station is not there or goes away', async () => {
    const held = gate();
    const s = await setup({ profile: held.wait });
    try {
      const pending = s.call();
      await until(() => s.atStation.length === 1, 'the LC CALL reaches the station');
      s.csms.dropAll();
      await assert.rejects(pending, OfflineError);
      await assert.rejects(s.call(), OfflineError);
    } finally {
      held.open();
      await s.csms.stop();
    }
  });
});
