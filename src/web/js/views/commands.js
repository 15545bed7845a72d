/**
 * Remote commands on one station (POST /stations/{id}/commands/{command}, synchronous): a form per command with
 * the fields the API takes, and the station's answer — or the error, with the CALLERROR it sent — shown below.
 */
import { ApiError, api, describeError } from '../api.js';
import { badge, field, fill, h, jsonBlock, select } from '../dom.js';

const TRIGGERABLE = [
  'BootNotification',
  'Heartbeat',
  'StatusNotification',
  'MeterValues',
  'FirmwareStatusNotification',
  'LogStatusNotification',
  'SignChargingStationCertificate',
  'SignV2GCertificate',
  'TransactionEvent',
];

const int = (name, label, { required = false, hint } = {}) => ({ name, label, kind: 'int', required, hint });
const text = (name, label, { required = false, hint, value } = {}) => ({ name, label, kind: 'text', required, hint, value });
const choice = (name, label, options, hint) => ({ name, label, kind: 'select', options, hint });

/** Each command: its API path, a label, its fields, and how the form values become the body. */
export const COMMAND_FORMS = [
  {
    path: 'reset',
    label: 'Reset',
    fields: [choice('type', 'Type', [['Immediate', 'Immediate (1.6 Hard)'], ['OnIdle', 'On idle (1.6 Soft)']]), int('evseId', 'EVSE', { hint: 'Empty: the whole station (2.x only)' })],
    body: (v) => ({ type: v.type, evseId: v.evseId }),
  },
  {
    path: 'change-availability',
    label: 'Change availability',
    fields: [choice('operational', 'Set to', [['true', 'Operative'], ['false', 'Inoperative']]), int('evseId', 'EVSE', { hint: 'Empty: the whole station' }), int('connectorId', 'Connector')],
    body: (v) => ({ operational: v.operational === 'true', evseId: v.evseId, connectorId: v.connectorId }),
  },
  {
    path: 'start-transaction',
    label: 'Remote start',
    fields: [text('idToken', 'Id token', { required: true }), text('idTokenType', 'Token type', { value: 'ISO14443', hint: '2.x IdTokenEnumType; ignored by 1.6' }), int('evseId', 'EVSE')],
    body: (v) => ({ idToken: { idToken: v.idToken, type: v.idTokenType || undefined }, evseId: v.evseId }),
  },
  {
    path: 'stop-transaction',
    label: 'Remote stop',
    fields: [text('transactionId', 'Transaction id', { required: true, hint: 'As the station reported it' })],
    body: (v) => ({ transactionId: v.transactionId }),
  },
  {
    path: 'unlock-connector',
    label: 'Unlock connector',
    fields: [int('evseId', 'EVSE', { required: true }), int('connectorId', 'Connector', { required: true })],
    body: (v) => ({ evseId: v.evseId, connectorId: v.connectorId }),
  },
  {
    path: 'trigger-message',
    label: 'Trigger message',
    fields: [choice('message', 'Message', TRIGGERABLE), int('evseId', 'EVSE'), int('connectorId', 'Connector')],
    body: (v) => ({ message: v.message, evseId: v.evseId, connectorId: v.connectorId }),
  },
  {
    path: 'get-variables',
    label: 'Get variables',
    fields: [
      text('component', 'Component', { hint: '1.6: leave empty, or OCPP16' }),
      text('variable', 'Variable', { hint: '1.6: the configuration key; both empty: every key' }),
    ],
    body: (v) => ({ variables: v.variable ? [{ component: v.component || 'OCPP16', variable: v.variable }] : [] }),
  },
  {
    path: 'set-variables',
    label: 'Set variable',
    fields: [text('component', 'Component', { hint: '1.6: OCPP16' }), text('variable', 'Variable', { required: true }), text('value', 'Value', { required: true })],
    body: (v) => ({ variables: [{ component: v.component || 'OCPP16', variable: v.variable, value: v.value }] }),
  },
  {
    path: 'get-base-report',
    label: 'Get base report',
    fields: [choice('reportBase', 'Report', ['FullInventory', 'ConfigurationInventory', 'SummaryInventory'])],
    body: (v) => ({ reportBase: v.reportBase }),
  },
  { path: 'clear-cache', label: 'Clear authorization cache', fields: [], body: () => ({}) },
  {
    path: 'data-transfer',
    label: 'Data transfer',
    fields: [text('vendorId', 'Vendor id', { required: true }), text('messageId', 'Message id'), text('data', 'Data')],
    body: (v) => ({ vendorId: v.vendorId, messageId: v.messageId || undefined, data: v.data || undefined }),
  },
  {
    path: 'raw',
    label: 'Raw OCPP call',
    fields: [text('action', 'Action', { required: true, hint: "Any action of the station's version" }), { name: 'payload', label: 'Payload (JSON object)', kind: 'json', required: true }],
    body: (v) => ({ action: v.action, payload: v.payload }),
  },
];

/** The command panel for station `stationId`; `defaults` pre-fills fields, `onDone` runs after each answer or error. */
export function commandPanel(stationId, ctx, { initial = 'reset', defaults = {}, onDone } = {}) {
  const picker = select('command', COMMAND_FORMS.map((c) => [c.path, c.label]), initial, { id: 'command-picker' });
  const fieldsBox = h('div', { class: 'form-grid' });
  const result = h('div', { class: 'command-result', 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'button primary' }, 'Send');
  // novalidate: the form checks its fields itself and says what is wrong in one place, next to the answer.
  const form = h('form', { class: 'command-form', 'aria-label': 'Send a command', novalidate: true }, h('div', { class: 'form-grid' }, field('Command', picker)), fieldsBox, h('div', { class: 'actions' }, send));
  let inputs = {};

  const showFields = () => {
    const spec = COMMAND_FORMS.find((c) => c.path === picker.value);
    inputs = {};
    fill(
      fieldsBox,
      spec.fields.map((f) => {
        const attrs = { name: f.name, required: f.required, id: `cmd-${f.name}` };
        let control;
        if (f.kind === 'select') control = select(f.name, f.options, undefined, attrs);
        else if (f.kind === 'json') control = h('textarea', { ...attrs, rows: '4', spellcheck: 'false' }, '{}');
        else if (f.kind === 'int') control = h('input', { ...attrs, type: 'number', min: '0', step: '1', inputmode: 'numeric' });
        else control = h('input', { ...attrs, type: 'text', autocomplete: 'off', value: defaults[f.name] ?? f.value });
        inputs[f.name] = { spec: f, control };
        return field(f.required ? `${f.label} (required)` : f.label, control, f.hint);
      }),
    );
  };

  picker.addEventListener('change', () => {
    showFields();
    fill(result);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const spec = COMMAND_FORMS.find((c) => c.path === picker.value);
    let values;
    try {
      values = readValues(inputs);
    } catch (error) {
      fill(result, h('div', { class: 'notice error', role: 'alert' }, error.message));
      error.control?.focus();
      return;
    }
    send.disabled = true;
    fill(result, h('p', { class: 'pending' }, `Sending ${spec.label} to ${stationId}…`));
    try {
      const answer = await api('POST', `/stations/${encodeURIComponent(stationId)}/commands/${spec.path}`, { body: spec.body(values), signal: ctx.signal });
      fill(
        result,
        h(
          'div',
          { class: 'notice ok', role: 'status' },
          h('p', {}, h('strong', {}, `${spec.label}: `), 'the station answered ', badge(answer.status ?? 'OK'), '.'),
          answer.result ? h('details', { open: true }, h('summary', {}, 'Result'), jsonBlock(answer.result, 'Result')) : null,
          h('details', {}, h('summary', {}, `OCPP calls (${answer.calls.length})`), jsonBlock(answer.calls, 'OCPP calls')),
        ),
      );
    } catch (error) {
      if (ctx.signal.aborted) return;
      fill(result, errorBox(spec.label, error));
    } finally {
      send.disabled = false;
      onDone?.();
    }
  });
  showFields();
  return h('div', {}, form, result);
}

/** The form's values by field name; throws an Error naming the field (and carrying its control) when one is wrong. */
function readValues(inputs) {
  const values = {};
  for (const [name, { spec, control }] of Object.entries(inputs)) {
    const invalid = (message) => Object.assign(new Error(`${spec.label} ${message}`), { control });
    // A number input reports '' for text it cannot parse; badInput tells that apart from an empty field.
    if (spec.kind === 'int' && control.validity?.badInput) throw invalid('must be a whole number.');
    const raw = control.value.trim();
    if (raw === '') {
      if (spec.required) throw invalid('is required.');
      continue;
    }
    if (spec.kind === 'int') {
      if (!/^\d+$/.test(raw)) throw invalid('must be a whole number.');
      values[name] = Number(raw);
    } else if (spec.kind === 'json') {
      try {
        values[name] = JSON.parse(raw);
      } catch {
        throw invalid('is not valid JSON.');
      }
      if (typeof values[name] !== 'object' || values[name] === null || Array.isArray(values[name])) throw invalid('must be a JSON object.');
    } else values[name] = raw;
  }
  return values;
}

const ERROR_TITLES = {
  station_offline: 'The station is not connected',
  command_timeout: 'The station did not answer in time',
  command_rejected: 'The station answered with an error',
  command_invalid: 'The command is not valid for this station',
  validation_failed: 'Some fields are invalid',
};

function errorBox(label, error) {
  const title = error instanceof ApiError ? (ERROR_TITLES[error.code] ?? 'The command failed') : 'The command could not be sent';
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('p', {}, h('strong', {}, `${label}: ${title}. `)),
    h('p', {}, describeError(error)),
    error instanceof ApiError && error.body.rpc ? jsonBlock(error.body.rpc, 'CALLERROR') : null,
  );
}
