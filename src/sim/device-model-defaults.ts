/**
 * The settings a simulated station starts with: the 2.x components and variables a CSMS commonly reads or sets
 * (OCPP 2.0.1 Part 2 Appendices; OCPPCommCtrlr of Part 4 §8) and the 1.6 configuration keys (1.6 §9). Built once
 * per simulation (see DeviceModelSpec) from the run's settings.
 */
import type { BackoffConfig } from '../station/index.ts';
import { DEFAULT_BACKOFF } from '../station/index.ts';
import type { VariableDef } from './device-model.ts';
import { DeviceModelSpec } from './device-model.ts';

export interface ModelSettings {
  evses: number;
  connectorsPerEvse: number;
  heartbeatIntervalS: number;
  meterIntervalS: number;
  backoff: Partial<BackoffConfig>;
  pingIntervalS: number;
  maxPowerW: number;
  vendor: string;
  model: string;
}

const MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC'];
const RW = 'ReadWrite' as const;
const RO = 'ReadOnly' as const;

function commDefs(settings: ModelSettings): VariableDef[] {
  const backoff = { ...DEFAULT_BACKOFF, ...settings.backoff };
  const comm = { component: 'OCPPCommCtrlr', mutability: RW, dataType: 'integer' as const };
  return [
    { ...comm, variable: 'HeartbeatInterval', value: String(settings.heartbeatIntervalS), unit: 's', min: 1, key16: 'HeartbeatInterval', effect: 'heartbeatInterval' },
    { ...comm, variable: 'RetryBackOffWaitMinimum', value: String(backoff.waitMinimumS), unit: 's', min: 0, key16: 'RetryBackOffWaitMinimum', effect: 'backoffWaitMinimum' },
    { ...comm, variable: 'RetryBackOffRandomRange', value: String(backoff.randomRangeS), unit: 's', min: 0, key16: 'RetryBackOffRandomRange', effect: 'backoffRandomRange' },
    { ...comm, variable: 'RetryBackOffRepeatTimes', value: String(backoff.repeatTimes), min: 0, key16: 'RetryBackOffRepeatTimes', effect: 'backoffRepeatTimes' },
    // Part 4 §8.4: "Negative values are not allowed, SetConfiguration is then expected to return a Rejected result."
    { ...comm, variable: 'WebSocketPingInterval', value: String(settings.pingIntervalS), unit: 's', min: 0, key16: 'WebSocketPingInterval', effect: 'pingInterval' },
    { ...comm, variable: 'MessageTimeout', variableInstance: 'Default', value: '30', unit: 's', min: 1 },
    { ...comm, variable: 'OfflineThreshold', value: '60', unit: 's', min: 0 },
    { ...comm, variable: 'MessageAttempts', variableInstance: 'TransactionEvent', value: '3', min: 0, key16: 'TransactionMessageAttempts' },
    { ...comm, variable: 'MessageAttemptInterval', variableInstance: 'TransactionEvent', value: '10', unit: 's', min: 0, key16: 'TransactionMessageRetryInterval' },
    { ...comm, variable: 'NetworkConfigurationPriority', dataType: 'SequenceList', mutability: RW, value: '1' },
    { ...comm, variable: 'ResetRetries', value: '2', min: 0, key16: 'ResetRetries' },
  ];
}

function sampledDefs(settings: ModelSettings): VariableDef[] {
  const measurands = { component: 'SampledDataCtrlr', dataType: 'MemberList' as const, mutability: RW, valuesList: MEASURANDS, value: MEASURANDS.join(',') };
  return [
    { component: 'SampledDataCtrlr', variable: 'Enabled', dataType: 'boolean', mutability: RW, value: 'true' },
    { component: 'SampledDataCtrlr', variable: 'TxUpdatedInterval', dataType: 'integer', mutability: RW, value: String(settings.meterIntervalS), unit: 's', min: 0, key16: 'MeterValueSampleInterval', effect: 'meterInterval' },
    { ...measurands, variable: 'TxStartedMeasurands', value: 'Energy.Active.Import.Register' },
    { ...measurands, variable: 'TxUpdatedMeasurands', key16: 'MeterValuesSampledData' },
    { ...measurands, variable: 'TxEndedMeasurands', value: 'Energy.Active.Import.Register', key16: 'StopTxnSampledData' },
    { component: 'AlignedDataCtrlr', variable: 'Interval', dataType: 'integer', mutability: RW, value: '0', unit: 's', min: 0, key16: 'ClockAlignedDataInterval' },
    { component: 'AlignedDataCtrlr', variable: 'Measurands', dataType: 'MemberList', mutability: RW, valuesList: MEASURANDS, value: 'Energy.Active.Import.Register', key16: 'MeterValuesAlignedData' },
  ];
}

function txAuthDefs(): VariableDef[] {
  const bool = (component: string, variable: string, value: boolean, extra: Partial<VariableDef> = {}): VariableDef => ({
    component,
    variable,
    dataType: 'boolean',
    mutability: RW,
    value: String(value),
    ...extra,
  });
  return [
    { component: 'TxCtrlr', variable: 'EVConnectionTimeOut', dataType: 'integer', mutability: RW, value: '60', unit: 's', min: 0, key16: 'ConnectionTimeOut' },
    bool('TxCtrlr', 'StopTxOnEVSideDisconnect', true, { key16: 'StopTransactionOnEVSideDisconnect' }),
    bool('TxCtrlr', 'StopTxOnInvalidId', true, { key16: 'StopTransactionOnInvalidId' }),
    { component: 'TxCtrlr', variable: 'TxStartPoint', dataType: 'MemberList', mutability: RW, valuesList: ['Authorized', 'EVConnected', 'PowerPathClosed'], value: 'PowerPathClosed' },
    { component: 'TxCtrlr', variable: 'TxStopPoint', dataType: 'MemberList', mutability: RW, valuesList: ['Authorized', 'EVConnected', 'PowerPathClosed'], value: 'EVConnected,Authorized' },
    bool('AuthCtrlr', 'Enabled', true),
    bool('AuthCtrlr', 'AuthorizeRemoteStart', false, { key16: 'AuthorizeRemoteTxRequests', effect: 'authorizeRemoteStart' }),
    bool('AuthCtrlr', 'LocalAuthorizeOffline', true, { key16: 'LocalAuthorizeOffline', effect: 'localAuthorizeOffline' }),
    bool('AuthCtrlr', 'LocalPreAuthorize', false, { key16: 'LocalPreAuthorize' }),
    bool('AuthCacheCtrlr', 'Enabled', true, { key16: 'AuthorizationCacheEnabled' }),
    bool('LocalAuthListCtrlr', 'Enabled', true, { key16: 'LocalAuthListEnabled' }),
    { component: 'LocalAuthListCtrlr', variable: 'ItemsPerMessage', dataType: 'integer', mutability: RO, value: '100', key16: 'SendLocalListMaxLength' },
    bool('ReservationCtrlr', 'Enabled', true),
    bool('SmartChargingCtrlr', 'Enabled', true),
    { component: 'SmartChargingCtrlr', variable: 'RateUnit', dataType: 'MemberList', mutability: RO, value: 'A,W', key16: 'ChargingScheduleAllowedChargingRateUnit', valuesList: ['A', 'W'] },
  ];
}

function stationDefs(settings: ModelSettings): VariableDef[] {
  const connectors = settings.evses * settings.connectorsPerEvse;
  return [
    { component: 'ChargingStation', variable: 'Available', dataType: 'boolean', mutability: RO, value: 'true', live: 'stationAvailable' },
    { component: 'ChargingStation', variable: 'Model', dataType: 'string', mutability: RO, value: settings.model },
    { component: 'ChargingStation', variable: 'VendorName', dataType: 'string', mutability: RO, value: settings.vendor },
    { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', variableInstance: 'GetReport', dataType: 'integer', mutability: RO, value: '20' },
    { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', variableInstance: 'GetVariables', dataType: 'integer', mutability: RO, value: '50', key16: 'GetConfigurationMaxKeys' },
    { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', variableInstance: 'SetVariables', dataType: 'integer', mutability: RO, value: '50' },
    { component: 'SecurityCtrlr', variable: 'SecurityProfile', dataType: 'integer', mutability: RO, value: '1' },
    { component: 'ClockCtrlr', variable: 'TimeSource', dataType: 'SequenceList', mutability: RW, value: 'Heartbeat' },
    { component: 'Connectors', variable: 'Count', dataType: 'integer', mutability: RO, value: String(connectors), key16: 'NumberOfConnectors', only: '1.6' },
    { component: 'Core', variable: 'SupportedFeatureProfiles', dataType: 'string', mutability: RO, value: 'Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger', key16: 'SupportedFeatureProfiles', only: '1.6' },
  ];
}

/** EVSE and Connector components (2.x only): availability, power, connector type. */
function layoutDefs(settings: ModelSettings): VariableDef[] {
  const defs: VariableDef[] = [];
  const states = ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'];
  for (let evseId = 1; evseId <= settings.evses; evseId += 1) {
    defs.push({ component: 'EVSE', evseId, variable: 'AvailabilityState', dataType: 'OptionList', mutability: RO, value: 'Available', valuesList: states, live: 'evseAvailability', only: '2.x' });
    defs.push({ component: 'EVSE', evseId, variable: 'Power', dataType: 'decimal', mutability: RO, value: String(settings.maxPowerW), unit: 'W', only: '2.x' });
    for (let connectorId = 1; connectorId <= settings.connectorsPerEvse; connectorId += 1) {
      defs.push({ component: 'Connector', evseId, connectorId, variable: 'AvailabilityState', dataType: 'OptionList', mutability: RO, value: 'Available', valuesList: states, live: 'connectorAvailability', only: '2.x' });
      defs.push({ component: 'Connector', evseId, connectorId, variable: 'ConnectorType', dataType: 'string', mutability: RO, value: 'cType2', only: '2.x' });
    }
  }
  return defs;
}

const specs = new Map<string, DeviceModelSpec>();

/** The shared spec for these settings (cached: every station of a run has the same). */
export function deviceModelSpec(settings: ModelSettings): DeviceModelSpec {
  const key = JSON.stringify(settings);
  let spec = specs.get(key);
  if (!spec) {
    if (specs.size > 32) specs.clear();
    spec = new DeviceModelSpec([...commDefs(settings), ...sampledDefs(settings), ...txAuthDefs(), ...stationDefs(settings), ...layoutDefs(settings)]);
    specs.set(key, spec);
  }
  return spec;
}
