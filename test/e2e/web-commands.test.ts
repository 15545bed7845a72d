/**
 * Every command form of the dashboard's station page, in a real browser against the real app and a real 2.0.1
 * station client: each form builds a body the API accepts, the station receives the OCPP call it stands for, and
 * the page shows the station's status. (Helpers and the browser: web-support.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { Page } from 'playwright-core';
import type { CallHandler } from '../../src/protocol/endpoint.ts';
import type { JsonObject } from '../../src/protocol/types.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from './scenario-fixtures.ts';
import { closeAll, connectStation, registerStation, startApp, withApp } from './scenario-support.ts';
import { apiKey, handlers, login, now, openDashboard, text, useBrowser } from './web-support.ts';

useBrowser();
afterEach(closeAll);

const component = { name: 'OCPPCommCtrlr' };
const variable = { name: 'HeartbeatInterval' };

/** What the station answers per action. */
const ANSWERS: Record<string, JsonObject> = {
  Reset: { status: 'Accepted' },
  ChangeAvailability: { status: 'Scheduled' },
  RequestStartTransaction: { status: 'Accepted' },
  RequestStopTransaction: { status: 'Rejected' },
  UnlockConnector: { status: 'Unlocked' },
  TriggerMessage: { status: 'Accepted' },
  GetVariables: { getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '60', component, variable }] },
  SetVariables: { setVariableResult: [{ attributeStatus: 'RebootRequired', component, variable }] },
  GetBaseReport: { status: 'Accepted' },
  ClearCache: { status: 'Accepted' },
  DataTransfer: { status: 'UnknownVendorId' },
};

interface Case {
  command: string;
  /** Form fields by label: a value to type, or `select:` a value to choose. */
  fields: Record<string, string>;
  action: string;
  /** What the station must have received (a subset of the payload). */
  expect: JsonObject;
  status: string;
}

const CASES: Case[] = [
  { command: 'reset', fields: { Type: 'select:Immediate' }, action: 'Reset', expect: { type: 'Immediate' }, status: 'Accepted' },
  {
    command: 'change-availability',
    fields: { 'Set to': 'select:false', EVSE: '1' },
    action: 'ChangeAvailability',
    expect: { operationalStatus: 'Inoperative', evse: { id: 1 } },
    status: 'Scheduled',
  },
  {
    command: 'start-transaction',
    fields: { 'Id token (required)': 'TAG-9', EVSE: '1' },
    action: 'RequestStartTransaction',
    expect: { idToken: { idToken: 'TAG-9', type: 'ISO14443' }, evseId: 1 },
    status: 'Accepted',
  },
  { command: 'stop-transaction', fields: { 'Transaction id (required)': 'TX-9' }, action: 'RequestStopTransaction', expect: { transactionId: 'TX-9' }, status: 'Rejected' },
  {
    command: 'unlock-connector',
    fields: { 'EVSE (required)': '1', 'Connector (required)': '1' },
    action: 'UnlockConnector',
    expect: { evseId: 1, connectorId: 1 },
    status: 'Unlocked',
  },
  { command: 'trigger-message', fields: { Message: 'select:Heartbeat' }, action: 'TriggerMessage', expect: { requestedMessage: 'Heartbeat' }, status: 'Accepted' },
  {
    command: 'get-variables',
    fields: { Component: 'OCPPCommCtrlr', Variable: 'HeartbeatInterval' },
    action: 'GetVariables',
    expect: { getVariableData: [{ component, variable }] },
    status: 'Accepted',
  },
  {
    command: 'set-variables',
    fields: { Component: 'OCPPCommCtrlr', 'Variable (required)': 'HeartbeatInterval', 'Value (required)': '30' },
    action: 'SetVariables',
    expect: { setVariableData: [{ component, variable, attributeValue: '30' }] },
    status: 'RebootRequired',
  },
  { command: 'get-base-report', fields: { Report: 'select:ConfigurationInventory' }, action: 'GetBaseReport', expect: { reportBase: 'ConfigurationInventory' }, status: 'Accepted' },
  { command: 'clear-cache', fields: {}, action: 'ClearCache', expect: {}, status: 'Accepted' },
  { command: 'data-transfer', fields: { 'Vendor id (required)': 'org.joule', 'Message id': 'ping' }, action: 'DataTransfer', expect: { vendorId: 'org.joule', messageId: 'ping' }, status: 'UnknownVendorId' },
  { command: 'raw', fields: { 'Action (required)': 'ClearCache', 'Payload (JSON object) (required)': '{}' }, action: 'ClearCache', expect: {}, status: 'Accepted' },
];

/** `expected` is contained in `actual` (objects by key, arrays element by element). */
function assertContains(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path} is an object or array`);
    for (const [key, value] of Object.entries(expected)) assertContains((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else assert.equal(actual, expected, path);
}

async function fillForm(page: Page, fields: Record<string, string>): Promise<void> {
  const form = page.getByRole('form', { name: 'Send a command' });
  for (const [label, value] of Object.entries(fields)) {
    const control = form.getByLabel(label, { exact: true });
    if (value.startsWith('select:')) await control.selectOption(value.slice('select:'.length));
    else await control.fill(value);
  }
}

forEachDatabase('dashboard: every command form reaches a 2.0.1 station as its OCPP call and shows the answer', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-CMD');
    const received: { action: string; payload: JsonObject }[] = [];
    const table: Record<string, CallHandler> = {};
    for (const [action, answer] of Object.entries(ANSWERS)) {
      table[action] = (payload) => {
        received.push({ action, payload });
        return answer;
      };
    }
    const station = await connectStation(app, 'CS-CMD', 'ocpp2.0.1', app.port, { handlers: handlers(table) });
    await station.boot(BOOT);
    await station.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    const { page, base, problems, close } = await openDashboard(app);
    try {
      await page.goto(`${base}/#/stations/CS-CMD`);
      await login(page, apiKey(app));
      await page.locator('[data-connector="1/1"]').getByText('Available').waitFor();

      for (const c of CASES) {
        await page.getByLabel('Command', { exact: true }).selectOption(c.command);
        await fillForm(page, c.fields);
        const before = received.length;
        await page.getByRole('button', { name: 'Send' }).click();
        await page.locator('.command-result .notice').waitFor();
        const shown = await text(page, '.command-result');
        assert.match(shown, new RegExp(`the station answered ${c.status}\\b`), `${c.command}: ${shown}`);
        assert.equal(received.length, before + 1, `${c.command}: one call`);
        const call = received[before];
        assert.equal(call?.action, c.action, c.command);
        assertContains(call?.payload, c.expect, c.command);
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
