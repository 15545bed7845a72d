/** Defaults of a simulated station's configuration. */
import type { StationConfig } from './types.ts';

export type ResolvedStationConfig = StationConfig &
  Required<
    Pick<
      StationConfig,
      | 'compression'
      | 'meterIntervalS'
      | 'heartbeatIntervalS'
      | 'pingIntervalS'
      | 'maxPowerW'
      | 'batteryWh'
      | 'initialSoc'
      | 'callTimeoutMs'
      | 'rebootDelayMs'
      | 'maxStoredTxMessages'
      | 'vendor'
      | 'model'
      | 'firmwareVersion'
    >
  >;

export function resolveStationConfig(config: StationConfig): ResolvedStationConfig {
  if (!Number.isInteger(config.evses) || config.evses < 1) throw new RangeError(`evses must be an integer ≥ 1, got ${config.evses}`);
  if (!Number.isInteger(config.connectorsPerEvse) || config.connectorsPerEvse < 1) throw new RangeError(`connectorsPerEvse must be an integer ≥ 1, got ${config.connectorsPerEvse}`);
  return {
    ...config,
    compression: config.compression ?? true,
    meterIntervalS: config.meterIntervalS ?? 60,
    heartbeatIntervalS: config.heartbeatIntervalS ?? 300,
    pingIntervalS: config.pingIntervalS ?? 0,
    maxPowerW: config.maxPowerW ?? 22_000,
    batteryWh: config.batteryWh ?? 60_000,
    initialSoc: config.initialSoc ?? 20,
    callTimeoutMs: config.callTimeoutMs ?? 30_000,
    rebootDelayMs: config.rebootDelayMs ?? 1000,
    maxStoredTxMessages: config.maxStoredTxMessages ?? 1000,
    vendor: config.vendor ?? 'Joule',
    model: config.model ?? 'Simulator',
    firmwareVersion: config.firmwareVersion ?? '1.0.0',
  };
}
