/**
 * Settings from the CSMS: 2.x GetVariables / SetVariables (B06/B05) and GetBaseReport → NotifyReport (B07), 1.6
 * GetConfiguration / ChangeConfiguration (§5.8/§5.3), all on the station's DeviceModel. An accepted change takes
 * effect at once (RetryBackOff* → the client's back-off, HeartbeatInterval → the heartbeat, TxUpdatedInterval /
 * MeterValueSampleInterval → the meter values); WebSocketPingInterval below 0 is Rejected (Part 4 §8.4).
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { Ocpp201 } from '../../protocol/generated/index.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import { iso, json } from '../dialect.ts';
import type { VariableDef } from '../device-model.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V2Req, V2Res } from './common.ts';
import { afterReply, stationOf } from './common.ts';

type ReportData = NonNullable<Ocpp201.NotifyReportRequest['reportData']>[number];
type ReportBase = V2Req<'GetBaseReport'>['reportBase'];

function getVariables(station: SimulatedStation, request: V2Req<'GetVariables'>): V2Res<'GetVariables'> {
  return {
    getVariableResult: request.getVariableData.map(({ component, variable, attributeType }) => {
      const result = station.model.get(component, variable, attributeType);
      return {
        attributeStatus: result.status,
        ...(attributeType === undefined ? {} : { attributeType }),
        ...(result.value === undefined ? {} : { attributeValue: result.value }),
        component: { name: component.name, ...(component.instance ? { instance: component.instance } : {}), ...(component.evse ? { evse: component.evse } : {}) },
        variable: { name: variable.name, ...(variable.instance ? { instance: variable.instance } : {}) },
      };
    }),
  };
}

function setVariables(station: SimulatedStation, request: V2Req<'SetVariables'>): V2Res<'SetVariables'> {
  return {
    setVariableResult: request.setVariableData.map(({ component, variable, attributeType, attributeValue }) => {
      const result = station.model.set(component, variable, attributeValue, attributeType);
      return {
        attributeStatus: result.status,
        ...(attributeType === undefined ? {} : { attributeType }),
        ...(result.reason === undefined ? {} : { attributeStatusInfo: { reasonCode: 'InvalidValue', additionalInfo: result.reason.slice(0, 512) } }),
        component: { name: component.name, ...(component.instance ? { instance: component.instance } : {}), ...(component.evse ? { evse: component.evse } : {}) },
        variable: { name: variable.name, ...(variable.instance ? { instance: variable.instance } : {}) },
      };
    }),
  };
}

function inReport(def: VariableDef, base: ReportBase): boolean {
  if (def.only === '1.6') return false;
  if (base === 'ConfigurationInventory') return def.mutability !== 'ReadOnly';
  if (base === 'SummaryInventory') return def.live !== undefined;
  return true;
}

function reportData(station: SimulatedStation, def: VariableDef, index: number): ReportData {
  const evse = def.evseId === undefined ? undefined : def.connectorId === undefined ? { id: def.evseId } : { id: def.evseId, connectorId: def.connectorId };
  return {
    component: { name: def.component, ...(def.componentInstance ? { instance: def.componentInstance } : {}), ...(evse ? { evse } : {}) },
    variable: { name: def.variable, ...(def.variableInstance ? { instance: def.variableInstance } : {}) },
    variableAttribute: [{ type: 'Actual', mutability: def.mutability, ...(def.mutability === 'WriteOnly' ? {} : { value: station.model.valueAt(index) }) }],
    variableCharacteristics: {
      dataType: def.dataType,
      supportsMonitoring: false,
      ...(def.unit ? { unit: def.unit } : {}),
      ...(def.min === undefined ? {} : { minLimit: def.min }),
      ...(def.max === undefined ? {} : { maxLimit: def.max }),
      ...(def.valuesList ? { valuesList: def.valuesList.join(',') } : {}),
    },
  };
}

/** NotifyReport in parts of ItemsPerMessage[GetReport] entries: seqNo 0.., tbc on every part but the last. */
async function sendReport(station: SimulatedStation, requestId: number, base: ReportBase): Promise<void> {
  const data: ReportData[] = [];
  station.model.spec.defs.forEach((def, index) => {
    if (inReport(def, base)) data.push(reportData(station, def, index));
  });
  const perMessage = Math.max(1, Number(station.model.textOf('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport')) || 20);
  const generatedAt = iso(station.wallNow());
  const parts = Math.max(1, Math.ceil(data.length / perMessage));
  for (let seqNo = 0; seqNo < parts; seqNo += 1) {
    if (!station.connected) return;
    const reportData = data.slice(seqNo * perMessage, (seqNo + 1) * perMessage);
    const payload = { requestId, generatedAt, seqNo, tbc: seqNo < parts - 1, ...(reportData.length > 0 ? { reportData } : {}) };
    // Also while Pending: the CSMS asked for it (B01.FR.10).
    await station.call('NotifyReport', json(payload)).catch(() => undefined);
  }
}

export function registerVariables(registry: HandlerRegistry, directory: Directory): void {
  const get = (request: V2Req<'GetVariables'>, context: CallContext): V2Res<'GetVariables'> => getVariables(stationOf(directory, context), request);
  const set = (request: V2Req<'SetVariables'>, context: CallContext): V2Res<'SetVariables'> => setVariables(stationOf(directory, context), request);
  const report = (request: V2Req<'GetBaseReport'>, context: CallContext): V2Res<'GetBaseReport'> => {
    const station = stationOf(directory, context);
    afterReply(station, () => sendReport(station, request.requestId, request.reportBase));
    return { status: 'Accepted' };
  };
  registry.on('ocpp2.0.1', 'GetVariables', get).on('ocpp2.1', 'GetVariables', get);
  registry.on('ocpp2.0.1', 'SetVariables', set).on('ocpp2.1', 'SetVariables', set);
  registry.on('ocpp2.0.1', 'GetBaseReport', report).on('ocpp2.1', 'GetBaseReport', report);

  registry.on('ocpp1.6', 'GetConfiguration', (request, context) => {
    const { configurationKey, unknownKey } = stationOf(directory, context).model.getConfiguration(request.key);
    return { configurationKey, ...(unknownKey.length > 0 ? { unknownKey } : {}) };
  });
  registry.on('ocpp1.6', 'ChangeConfiguration', (request, context) => ({
    status: stationOf(directory, context).model.changeConfiguration(request.key, request.value),
  }));
}
