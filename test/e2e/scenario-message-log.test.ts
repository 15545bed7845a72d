/**
 * Scenario: the message log by exchange. The real app on real storage and the real station client over a socket:
 * a CALL the station sends and our answer to it are one entry (also when the answer is a CALLERROR), a command we
 * send and the station's answer are two, and a CALL whose connection closes before we answer it is still logged.
 * The pairing's other edge cases, frame by frame: message-log-pairing.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { sql } from 'kysely';
import type { MessageLogEntry } from '../../src/domain/model.ts';
import type { FrameEvent, HandlerLookup } from '../../src/protocol/endpoint.ts';
import { RpcError } from '../../src/protocol/errors.ts';
import type { JsonObject } from '../../src/protocol/types.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT, TAG } from './scenario-fixtures.ts';
import { closeAll, connectStation, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { apiGet } from './sim-support.ts';

afterEach(closeAll);

/** The station answers Reset with Accepted. */
const acceptsReset: HandlerLookup = { resolve: (_version, action) => (action === 'Reset' ? () => ({ status: 'Accepted' }) : undefined) };

/** The entry's frame and its answer's, as [direction, type, action, answer type or null]. */
const shape = (e: MessageLogEntry) => [e.direction, e.messageType, e.action, e.response?.messageType ?? null];

forEachDatabase('message log: a station CALL and our answer are one entry, a command and its answer two', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-LOG', { registrationStatus: 'Pending' });
    const station = await connectStation(app, 'CS-LOG', 'ocpp2.0.1', app.port, { handlers: acceptsReset });
    // B02: refused while Pending, with a CALLERROR.
    await assert.rejects(station.call('Heartbeat', {}), (error) => error instanceof RpcError && error.code === 'SecurityError');
    await app.repos.stations.update('CS-LOG', { registrationStatus: 'Accepted' });
    assert.equal((await station.boot(BOOT)).response.status, 'Accepted');
    const { currentTime } = await station.call('Heartbeat', {});
    const reset = await app.commands.run('CS-LOG', { name: 'reset', type: 'OnIdle' });
    assert.equal(reset.status, 'Accepted');

    await app.repos.messageLog.flush();
    const log = (await app.repos.messageLog.list({ stationId: 'CS-LOG' })).reverse();
    assert.deepEqual(log.map(shape), [
      ['in', 2, 'Heartbeat', 4],
      ['in', 2, 'BootNotification', 3],
      ['in', 2, 'Heartbeat', 3],
      ['out', 2, 'Reset', null],
      ['in', 3, 'Reset', null],
    ]);
    const [refused, boot, heartbeat, resetCall, resetAnswer] = log;
    assert.deepEqual(refused?.payload, {});
    assert.equal((refused?.response?.payload as JsonObject).errorCode, 'SecurityError');
    assert.deepEqual(boot?.payload, BOOT);
    assert.equal((boot?.response?.payload as JsonObject).status, 'Accepted');
    assert.deepEqual(heartbeat?.response?.payload, { currentTime });
    assert.deepEqual([resetCall?.payload, resetAnswer?.payload], [{ type: 'OnIdle' }, { status: 'Accepted' }]);
    assert.equal(resetCall?.messageId, resetAnswer?.messageId);
    for (const entry of log) {
      if (entry.response) assert.ok(entry.response.createdAt >= entry.createdAt, `${entry.action}: answered after it arrived`);
    }

    // The operator API shows the answer with its request.
    const page = (await apiGet(app, '/messages?station=CS-LOG&action=BootNotification')) as { items: JsonObject[] };
    assert.equal(page.items.length, 1);
    const response = page.items[0]?.response as JsonObject;
    assert.deepEqual([response.messageType, (response.payload as JsonObject).status, response.createdAt], [3, 'Accepted', boot?.response?.createdAt.toISOString()]);
    const command = (await apiGet(app, '/messages?station=CS-LOG&action=Reset')) as { items: JsonObject[] };
    assert.deepEqual(command.items.map((m) => [m.direction, m.response]), [
      ['in', null],
      ['out', null],
    ]);
  });
});

forEachDatabase('message log: a CALL whose connection closes before our answer is logged without one', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-GONE');
    let sent: () => void = () => {};
    const authorizeSent = new Promise<void>((resolve) => (sent = resolve));
    const onFrame = (event: FrameEvent) => void (event.direction === 'out' && event.action === 'Authorize' && sent());
    const station = await connectStation(app, 'CS-GONE', 'ocpp2.0.1', app.port, { onFrame });
    assert.equal((await station.boot(BOOT)).response.status, 'Accepted');

    // The token table is locked, so the Authorize handler waits, and the station leaves before it is answered.
    let unlock: () => void = () => {};
    const unlocked = new Promise<void>((resolve) => (unlock = resolve));
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = app.database.db.transaction().execute(async (trx) => {
      await sql`lock table id_tokens in access exclusive mode`.execute(trx);
      locked();
      await unlocked;
    });
    await isLocked;
    const authorize = station.call('Authorize', { idToken: TAG }).catch((error: unknown) => error);
    await authorizeSent;
    await station.close();
    await eventually(() => (app.gateway.endpoint('CS-GONE') === undefined ? true : undefined), 'the server saw the connection close');
    unlock();
    await holding;
    assert.ok((await authorize) instanceof Error, 'never answered');

    await app.repos.messageLog.flush();
    const log = await app.repos.messageLog.list({ stationId: 'CS-GONE', action: 'Authorize' });
    assert.deepEqual(log.map(shape), [['in', 2, 'Authorize', null]]);
    assert.deepEqual(log[0]?.payload, { idToken: TAG });
  });
});
