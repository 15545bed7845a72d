/**
 * Device model: GetVariables (B06), SetVariables (B05), GetBaseReport (B07); 1.6 GetConfiguration and
 * ChangeConfiguration (§5.8, §5.3). What the station reports or accepts is stored in the device model.
 */
import type { VariableRef } from '../../domain/commands/types.ts';
import type { JsonObject } from '../../domain/model.ts';
import { OCPP16_CONFIG_COMPONENT } from '../../domain/model.ts';
import type { DeviceVariableInput } from '../../domain/ports.ts';
import type { Ocpp16, Ocpp201 } from '../../protocol/generated/index.ts';
import type { CommandContext, Translated, Translator } from './context.ts';
import { batches, commonStatus, compact, invalid, jsonObject, newRequestId, statusOf } from './values.ts';

/** Credentials are never stored in the device model (SEC A00.FR.205: salted hashes only; 2.0.1 A01). */
const SECRETS = new Set(['AuthorizationKey', 'BasicAuthPassword']);
const storable = (variable: string, value: string | null): string | null => (SECRETS.has(variable) ? null : value);
/** Set results after which the station holds the new value (RebootRequired: applied after the next reboot). */
const APPLIED = new Set(['Accepted', 'RebootRequired']);

export const getVariables: Translator<'getVariables'> = (command, ctx) => (ctx.legacy ? getConfiguration(command.variables, ctx) : getVariables2(command.variables, ctx));

export const setVariables: Translator<'setVariables'> = (command, ctx) => (ctx.legacy ? changeConfiguration(command.variables, ctx) : setVariables2(command.variables, ctx));

/** 1.6 has no reports: GetConfiguration without keys returns the whole configuration at once (decision, docs). */
export const getBaseReport: Translator<'getBaseReport'> = async (command, ctx) => {
  if (ctx.legacy) return { ...(await getConfiguration([], ctx)), status: 'Accepted' };
  // B07 / FR.05: the report follows in NotifyReport messages carrying this requestId.
  const requestId = command.requestId ?? newRequestId();
  const response = await ctx.call2('GetBaseReport', { requestId, reportBase: command.reportBase });
  return { status: statusOf(response), result: { requestId } };
};

// ---------------------------------------------------------------- 1.6

async function getConfiguration(variables: readonly VariableRef[], ctx: CommandContext): Promise<Translated> {
  const keys = [...new Set(variables.map((v) => v.variable))];
  const responses: Ocpp16.GetConfigurationResponse[] = [];
  if (keys.length === 0) responses.push(await ctx.call16('GetConfiguration', {}));
  // GetConfigurationMaxKeys (1.6 §9.1): more keys per request are refused by the station.
  else for (const key of batches(keys, await limit(ctx, OCPP16_CONFIG_COMPONENT, 'GetConfigurationMaxKeys', undefined))) responses.push(await ctx.call16('GetConfiguration', { key }));
  const known = responses.flatMap((r) => r.configurationKey ?? []);
  const unknown = responses.flatMap((r) => r.unknownKey ?? []);
  await ctx.record('configuration keys', () =>
    ctx.repos.deviceModel.upsert(
      ctx.stationId,
      known.map((k) => ({ component: OCPP16_CONFIG_COMPONENT, variable: k.key, value: storable(k.key, k.value ?? null), mutability: k.readonly ? 'ReadOnly' : 'ReadWrite' })),
    ),
  );
  // Reported in 2.0.1 terms, so both versions read the same: known → Accepted, unknown → UnknownVariable.
  const items = [
    ...known.map((k) => jsonObject({ component: OCPP16_CONFIG_COMPONENT, variable: k.key, attributeType: 'Actual', status: 'Accepted', value: k.value, mutability: k.readonly ? 'ReadOnly' : 'ReadWrite' })),
    ...unknown.map((key) => jsonObject({ component: OCPP16_CONFIG_COMPONENT, variable: key, attributeType: 'Actual', status: 'UnknownVariable' })),
  ];
  return { status: commonStatus(items.map((i) => String(i.status))), result: { variables: items } };
}

/** One ChangeConfiguration per key, in order; stops at the first failure (what was applied is stored). */
async function changeConfiguration(variables: readonly (VariableRef & { value: string })[], ctx: CommandContext): Promise<Translated> {
  if (new Set(variables.map((v) => v.variable)).size !== variables.length) throw invalid('a configuration key appears twice');
  if (variables.length === 0) throw invalid('setVariables needs at least one variable');
  const items: JsonObject[] = [];
  for (const v of variables) {
    const status = statusOf(await ctx.call16('ChangeConfiguration', { key: v.variable, value: v.value })) ?? 'Rejected';
    if (APPLIED.has(status)) {
      await ctx.record('configuration key', () => ctx.repos.deviceModel.upsert(ctx.stationId, [{ component: OCPP16_CONFIG_COMPONENT, variable: v.variable, value: storable(v.variable, v.value) }]));
    }
    items.push({ component: OCPP16_CONFIG_COMPONENT, variable: v.variable, attributeType: 'Actual', status });
  }
  return { status: commonStatus(items.map((i) => String(i.status))), result: { variables: items } };
}

// ---------------------------------------------------------------- 2.0.1 / 2.1

function component(v: VariableRef): Ocpp201.ComponentType {
  if (v.connectorId !== undefined && v.evseId === undefined) throw invalid(`${v.component}.${v.variable}: connectorId needs evseId`);
  const evse = v.evseId === undefined ? undefined : compact({ id: v.evseId, connectorId: v.connectorId });
  return compact({ name: v.component, instance: v.componentInstance, evse });
}

const variableOf = (v: VariableRef): Ocpp201.VariableType => compact({ name: v.variable, instance: v.variableInstance });
const attributeOf = (v: VariableRef): Ocpp201.AttributeEnumType | undefined => v.attributeType as Ocpp201.AttributeEnumType | undefined;

/** B05.FR.13: the identity of an item is component, variable and attribute type (Actual when omitted). */
function keyOf(c: Ocpp201.ComponentType, v: Ocpp201.VariableType, attributeType: string | undefined): string {
  return JSON.stringify([c.name, c.instance ?? '', c.evse?.id ?? null, c.evse?.connectorId ?? null, v.name, v.instance ?? '', attributeType ?? 'Actual']);
}

function stored(c: Ocpp201.ComponentType, v: Ocpp201.VariableType, attributeType: string | undefined, value: string | null): DeviceVariableInput {
  return { component: c.name, componentInstance: c.instance ?? null, evseId: c.evse?.id ?? null, connectorId: c.evse?.connectorId ?? null, variable: v.name, variableInstance: v.instance ?? null, attributeType: attributeType ?? 'Actual', value: storable(v.name, value) };
}

function item(c: Ocpp201.ComponentType, v: Ocpp201.VariableType, attributeType: string | undefined, status: string, value?: string): JsonObject {
  return jsonObject({ component: c.name, componentInstance: c.instance, evseId: c.evse?.id, connectorId: c.evse?.connectorId, variable: v.name, variableInstance: v.instance, attributeType: attributeType ?? 'Actual', status, value });
}

async function getVariables2(variables: readonly VariableRef[], ctx: CommandContext): Promise<Translated> {
  if (variables.length === 0) throw invalid('getVariables needs at least one variable (getBaseReport reads them all)');
  const data = new Map<string, Ocpp201.GetVariableDataType>();
  for (const v of variables) {
    const entry = compact({ component: component(v), variable: variableOf(v), attributeType: attributeOf(v) });
    data.set(keyOf(entry.component, entry.variable, entry.attributeType), entry);
  }
  const results: Ocpp201.GetVariableResultType[] = [];
  // B06.FR.05: never more than ItemsPerMessageGetVariables items per request.
  for (const getVariableData of batches([...data.values()], await limit(ctx, 'DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables'))) {
    results.push(...(await ctx.call2('GetVariables', { getVariableData })).getVariableResult);
  }
  const accepted = results.filter((r) => r.attributeStatus === 'Accepted');
  // B06.FR.06+: "" means "not set", not a value.
  await ctx.record('device model', () => ctx.repos.deviceModel.upsert(ctx.stationId, accepted.map((r) => stored(r.component, r.variable, r.attributeType, r.attributeValue ? r.attributeValue : null))));
  const items = results.map((r) => item(r.component, r.variable, r.attributeType, r.attributeStatus, r.attributeValue));
  return { status: commonStatus(results.map((r) => r.attributeStatus)), result: { variables: items } };
}

async function setVariables2(variables: readonly (VariableRef & { value: string })[], ctx: CommandContext): Promise<Translated> {
  if (variables.length === 0) throw invalid('setVariables needs at least one variable');
  const data = new Map<string, Ocpp201.SetVariableDataType>();
  for (const v of variables) {
    const entry = compact({ component: component(v), variable: variableOf(v), attributeType: attributeOf(v), attributeValue: v.value });
    const key = keyOf(entry.component, entry.variable, entry.attributeType);
    if (data.has(key)) throw invalid(`${v.component}.${v.variable} (${v.attributeType ?? 'Actual'}) appears twice (B05.FR.13)`);
    data.set(key, entry);
  }
  const results: Ocpp201.SetVariableResultType[] = [];
  // B05.FR.11: never more than ItemsPerMessageSetVariables items per request.
  for (const setVariableData of batches([...data.values()], await limit(ctx, 'DeviceDataCtrlr', 'ItemsPerMessage', 'SetVariables'))) {
    const answered = (await ctx.call2('SetVariables', { setVariableData })).setVariableResult;
    results.push(...answered);
    const applied = answered.flatMap((r) => {
      const sent = data.get(keyOf(r.component, r.variable, r.attributeType));
      return APPLIED.has(r.attributeStatus) && sent ? [stored(sent.component, sent.variable, sent.attributeType, sent.attributeValue)] : [];
    });
    await ctx.record('device model', () => ctx.repos.deviceModel.upsert(ctx.stationId, applied));
  }
  const items = results.map((r) => item(r.component, r.variable, r.attributeType, r.attributeStatus));
  return { status: commonStatus(results.map((r) => r.attributeStatus)), result: { variables: items } };
}

/** A positive integer limit the station reported in its device model, if any. */
async function limit(ctx: CommandContext, componentName: string, variable: string, variableInstance: string | undefined): Promise<number | undefined> {
  const found = await ctx.repos.deviceModel.get(ctx.stationId, { component: componentName, variable, variableInstance: variableInstance ?? null });
  const value = Number(found?.value);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
