/**
 * The simulated station's settings: the 2.x device model (components and variables, Part 2 §3 of OCPP 2.0.1)
 * and the 1.6 configuration keys, in one store. A setting that exists in both worlds (HeartbeatInterval,
 * RetryBackOff*, WebSocketPingInterval, the meter interval) is one entry with a 2.x address and a 1.6 key.
 *
 * The definitions (names, types, limits, defaults) are built once per simulation and shared by every station;
 * a station keeps only the values the CSMS changed, so 50,000 stations do not hold 50,000 copies of the model.
 */

export type DataType = 'string' | 'decimal' | 'integer' | 'dateTime' | 'boolean' | 'OptionList' | 'SequenceList' | 'MemberList';
export type Mutability = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

/** What the station must do when a setting changes. */
export type Effect =
  | 'heartbeatInterval'
  | 'meterInterval'
  | 'backoffWaitMinimum'
  | 'backoffRandomRange'
  | 'backoffRepeatTimes'
  | 'pingInterval'
  | 'authorizeRemoteStart'
  | 'localAuthorizeOffline';

/** Values the station computes itself (availability), read when asked for. */
export type LiveValue = 'stationAvailable' | 'evseAvailability' | 'connectorAvailability';

export interface VariableDef {
  component: string;
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable: string;
  variableInstance?: string;
  dataType: DataType;
  mutability: Mutability;
  /** Default value, as text. */
  value: string;
  unit?: string;
  min?: number;
  max?: number;
  valuesList?: readonly string[];
  /** The 1.6 configuration key of this setting. */
  key16?: string;
  /** Present only on 1.6 ('1.6') or only in the 2.x device model ('2.x'); both when absent. */
  only?: '1.6' | '2.x';
  effect?: Effect;
  live?: LiveValue;
}

/** 2.x addressing as it appears in Get/SetVariables. */
export interface ComponentRef {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
}
export interface VariableRef {
  name: string;
  instance?: string;
}

export type GetStatus = 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType';
export type SetStatus = GetStatus | 'RebootRequired';
export type ChangeConfigurationStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

export interface ConfigurationKey {
  key: string;
  readonly: boolean;
  value?: string;
}

export type Lookup = { def: VariableDef; index: number } | { status: 'UnknownComponent' | 'UnknownVariable' };

/** The shared, immutable part: definitions and indexes. */
export class DeviceModelSpec {
  readonly defs: readonly VariableDef[];
  private readonly byComponent = new Map<string, Map<string, number>>();
  private readonly byKey16 = new Map<string, number>();
  private readonly byEffect = new Map<Effect, number>();

  constructor(defs: readonly VariableDef[]) {
    this.defs = defs;
    defs.forEach((def, index) => {
      const component = componentKey({ name: def.component, instance: def.componentInstance, evse: evseOf(def) });
      let variables = this.byComponent.get(component);
      if (!variables) this.byComponent.set(component, (variables = new Map()));
      if (def.only !== '1.6') variables.set(variableKey({ name: def.variable, instance: def.variableInstance }), index);
      if (def.key16 !== undefined && def.only !== '2.x') this.byKey16.set(def.key16.toLowerCase(), index);
      if (def.effect !== undefined) this.byEffect.set(def.effect, index);
    });
  }

  find(component: ComponentRef, variable: VariableRef): Lookup {
    const variables = this.byComponent.get(componentKey(component));
    if (!variables) return { status: 'UnknownComponent' };
    const index = variables.get(variableKey(variable));
    const def = index === undefined ? undefined : this.defs[index];
    return def === undefined || index === undefined ? { status: 'UnknownVariable' } : { def, index };
  }

  /** 1.6 keys are case-insensitive in practice (1.6 §9 names them in CamelCase; some CSMSs send other cases). */
  findKey16(key: string): { def: VariableDef; index: number } | undefined {
    const index = this.byKey16.get(key.toLowerCase());
    const def = index === undefined ? undefined : this.defs[index];
    return def === undefined || index === undefined ? undefined : { def, index };
  }

  indexOf(effect: Effect): number | undefined {
    return this.byEffect.get(effect);
  }

  /** Entries of the 1.6 configuration, in definition order. */
  keys16(): Array<{ def: VariableDef; index: number }> {
    const out: Array<{ def: VariableDef; index: number }> = [];
    this.defs.forEach((def, index) => {
      if (def.key16 !== undefined && def.only !== '2.x') out.push({ def, index });
    });
    return out;
  }
}

/** Why a value is refused, or undefined when it is acceptable for `def`. */
export function invalidValue(def: VariableDef, value: string): string | undefined {
  switch (def.dataType) {
    case 'integer': {
      if (!/^[-+]?\d+$/.test(value.trim())) return `${def.variable} must be an integer`;
      return outOfRange(def, Number(value));
    }
    case 'decimal': {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) return `${def.variable} must be a number`;
      return outOfRange(def, number);
    }
    case 'boolean':
      return /^(true|false)$/i.test(value) ? undefined : `${def.variable} must be true or false`;
    case 'OptionList':
      return def.valuesList && !def.valuesList.includes(value) ? `${def.variable} must be one of ${def.valuesList.join(', ')}` : undefined;
    case 'MemberList':
    case 'SequenceList': {
      if (!def.valuesList || value === '') return undefined;
      const unknown = value.split(',').find((member) => !def.valuesList?.includes(member.trim()));
      return unknown === undefined ? undefined : `${unknown} is not one of ${def.valuesList.join(', ')}`;
    }
    default:
      return value.length > 1000 ? `${def.variable} is longer than 1000 characters` : undefined;
  }
}

function outOfRange(def: VariableDef, value: number): string | undefined {
  if (def.min !== undefined && value < def.min) return `${def.variable} must be ≥ ${def.min}`;
  if (def.max !== undefined && value > def.max) return `${def.variable} must be ≤ ${def.max}`;
  return undefined;
}

/**
 * One station's values over a shared spec. `live` answers for computed values; `onChange` runs after a value
 * was accepted, so the station can apply it (back-off, heartbeat, ...).
 */
export class DeviceModel {
  private changed: Map<number, string> | undefined;

  constructor(
    readonly spec: DeviceModelSpec,
    private readonly live: (value: LiveValue, def: VariableDef) => string,
    private readonly onChange: (def: VariableDef, value: string) => void,
  ) {}

  valueAt(index: number): string {
    const def = this.spec.defs[index];
    if (def === undefined) return '';
    if (def.live !== undefined) return this.live(def.live, def);
    return this.changed?.get(index) ?? def.value;
  }

  /** The number a setting with an effect currently holds (NaN when it has none). */
  numberOf(effect: Effect): number {
    const index = this.spec.indexOf(effect);
    return index === undefined ? Number.NaN : Number(this.valueAt(index));
  }

  booleanOf(effect: Effect): boolean {
    const index = this.spec.indexOf(effect);
    return index !== undefined && this.valueAt(index).toLowerCase() === 'true';
  }

  /** The value of a station-level variable ('' when unknown). */
  textOf(component: string, variable: string, variableInstance?: string): string {
    const found = this.spec.find({ name: component }, { name: variable, instance: variableInstance });
    return 'status' in found ? '' : this.valueAt(found.index);
  }

  /** The station itself changes a setting (e.g. the heartbeat interval of a boot answer); read-only is no bar. */
  setByEffect(effect: Effect, value: string): void {
    const index = this.spec.indexOf(effect);
    const def = index === undefined ? undefined : this.spec.defs[index];
    if (def === undefined || index === undefined || invalidValue(def, value) !== undefined) return;
    if (this.valueAt(index) === value) return;
    this.store(def, index, value);
  }

  /** 2.x GetVariables for one entry (attribute Actual only). */
  get(component: ComponentRef, variable: VariableRef, attributeType = 'Actual'): { status: GetStatus; value?: string; reason?: string } {
    const found = this.spec.find(component, variable);
    if ('status' in found) return { status: found.status };
    if (attributeType !== 'Actual') return { status: 'NotSupportedAttributeType' };
    if (found.def.mutability === 'WriteOnly') return { status: 'Rejected', reason: 'write-only variable' };
    return { status: 'Accepted', value: this.valueAt(found.index) };
  }

  /** 2.x SetVariables for one entry. */
  set(component: ComponentRef, variable: VariableRef, value: string, attributeType = 'Actual'): { status: SetStatus; reason?: string } {
    const found = this.spec.find(component, variable);
    if ('status' in found) return { status: found.status };
    if (attributeType !== 'Actual') return { status: 'NotSupportedAttributeType' };
    return this.write(found.def, found.index, value);
  }

  /** 1.6 GetConfiguration: every key when `keys` is empty or absent. */
  getConfiguration(keys: readonly string[] | undefined): { configurationKey: ConfigurationKey[]; unknownKey: string[] } {
    const configurationKey: ConfigurationKey[] = [];
    const unknownKey: string[] = [];
    const entries = keys && keys.length > 0 ? keys.map((key) => ({ key, found: this.spec.findKey16(key) })) : this.spec.keys16().map((found) => ({ key: found.def.key16 ?? '', found }));
    for (const { key, found } of entries) {
      if (!found) {
        unknownKey.push(key);
        continue;
      }
      const readonly = found.def.mutability === 'ReadOnly';
      configurationKey.push(found.def.mutability === 'WriteOnly' ? { key: found.def.key16 ?? key, readonly } : { key: found.def.key16 ?? key, readonly, value: this.valueAt(found.index) });
    }
    return { configurationKey, unknownKey };
  }

  /** 1.6 ChangeConfiguration. */
  changeConfiguration(key: string, value: string): ChangeConfigurationStatus {
    const found = this.spec.findKey16(key);
    if (!found) return 'NotSupported';
    const { status } = this.write(found.def, found.index, value);
    return status === 'Accepted' || status === 'RebootRequired' ? status : 'Rejected';
  }

  private write(def: VariableDef, index: number, value: string): { status: SetStatus; reason?: string } {
    if (def.mutability === 'ReadOnly' || def.live !== undefined) return { status: 'Rejected', reason: 'read-only variable' };
    const invalid = invalidValue(def, value);
    if (invalid !== undefined) return { status: 'Rejected', reason: invalid };
    const normalized = def.dataType === 'integer' ? String(Number(value)) : def.dataType === 'boolean' ? value.toLowerCase() : value;
    this.store(def, index, normalized);
    return { status: 'Accepted' };
  }

  private store(def: VariableDef, index: number, value: string): void {
    if (value === def.value) this.changed?.delete(index);
    else (this.changed ??= new Map()).set(index, value);
    this.onChange(def, value);
  }
}

function evseOf(def: VariableDef): ComponentRef['evse'] {
  if (def.evseId === undefined) return undefined;
  return def.connectorId === undefined ? { id: def.evseId } : { id: def.evseId, connectorId: def.connectorId };
}

function componentKey(component: ComponentRef): string {
  const evse = component.evse ? `${component.evse.id}.${component.evse.connectorId ?? ''}` : '';
  return `${component.name}|${component.instance ?? ''}|${evse}`;
}

function variableKey(variable: VariableRef): string {
  return `${variable.name}|${variable.instance ?? ''}`;
}
