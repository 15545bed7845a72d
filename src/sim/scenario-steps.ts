/** The `charging` section of a scenario file: none, random or a script of steps. */
import { Fields } from './fields.ts';
import type { ChargingPlan, ScriptStep, StepAction } from './plan.ts';
import type { StopReason } from './types.ts';
import { STOP_REASONS } from './types.ts';

const ACTIONS: readonly StepAction[] = ['wait', 'waitOnline', 'plugIn', 'unplug', 'authorize', 'start', 'meterValues', 'stop', 'heartbeat', 'disconnect', 'reconnect', 'reboot'];

function step(value: unknown, path: string, errors: string[]): ScriptStep | undefined {
  const f = Fields.of(value, path, errors);
  if (!f) return undefined;
  const action = f.string('action', { oneOf: ACTIONS }) as StepAction | undefined;
  if (action === undefined) {
    if (!f.has('action')) f.fail('action', `missing (one of ${ACTIONS.join(', ')})`);
    return undefined;
  }
  const evse = (): { evse?: number } => {
    const n = f.number('evse', { min: 1, integer: true });
    return n === undefined ? {} : { evse: n };
  };
  const token = (): { idToken?: string } => {
    const t = f.string('idToken', { pattern: /^.{1,20}$/, hint: 'a token of 1 to 20 characters' });
    return t === undefined ? {} : { idToken: t };
  };
  let result: ScriptStep;
  switch (action) {
    case 'wait': {
      const seconds = f.number('seconds', { min: 0 });
      if (seconds === undefined && !f.has('seconds')) f.fail('seconds', 'missing (how long to wait)');
      result = { action, seconds: seconds ?? 0 };
      break;
    }
    case 'waitOnline': {
      const timeout = f.number('timeout', { min: 0 });
      result = timeout === undefined ? { action } : { action, timeout };
      break;
    }
    case 'plugIn': {
      const connector = f.number('connector', { min: 1, integer: true });
      result = { action, ...evse(), ...(connector === undefined ? {} : { connector }) };
      break;
    }
    case 'authorize':
    case 'start':
      result = { action, ...evse(), ...token() };
      break;
    case 'stop': {
      const reason = f.string('reason', { oneOf: STOP_REASONS }) as StopReason | undefined;
      const unplug = f.boolean('unplug');
      result = { action, ...evse(), ...(reason === undefined ? {} : { reason }), ...(unplug === undefined ? {} : { unplug }) };
      break;
    }
    case 'unplug':
    case 'meterValues':
      result = { action, ...evse() };
      break;
    default:
      result = { action };
  }
  f.done();
  return result;
}

export function readCharging(f: Fields, errors: string[]): ChargingPlan | undefined {
  const section = f.object('charging');
  if (!section) return undefined;
  const mode = section.string('mode', { oneOf: ['none', 'random', 'script'] });
  let plan: ChargingPlan | undefined;
  if (mode === undefined && !section.has('mode')) section.fail('mode', 'missing (none, random or script)');
  if (mode === 'none') plan = { mode };
  if (mode === 'random') {
    const probability = section.number('probability', { min: 0, max: 1 }) ?? 1;
    const durationS = section.range('duration') ?? [60, 600];
    const idleS = section.range('idle') ?? [0, 60];
    plan = { mode, probability, durationS, idleS };
  }
  if (mode === 'script') {
    const list = section.array('steps');
    if (list === undefined && !section.has('steps')) section.fail('steps', 'missing (a list of steps)');
    if (list && list.length === 0) section.fail('steps', 'expected at least one step');
    const steps = (list ?? []).map((value, index) => step(value, `${section.at('steps')}[${index}]`, errors));
    plan = { mode, steps: steps.filter((s): s is ScriptStep => s !== undefined) };
  }
  section.done();
  return plan;
}
