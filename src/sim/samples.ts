/** Which measurands a meter value carries (SampledDataCtrlr Tx*Measurands / 1.6 MeterValuesSampledData), version-neutral. */
import type { DeviceModel } from './device-model.ts';
import type { MeterReading } from './meter.ts';

export type Measurand = 'Energy.Active.Import.Register' | 'Power.Active.Import' | 'Current.Import' | 'Voltage' | 'SoC';
export type MeasurandSet = 'TxStartedMeasurands' | 'TxUpdatedMeasurands' | 'TxEndedMeasurands';

export interface Sample {
  measurand: Measurand;
  value: number;
  unit: 'Wh' | 'W' | 'A' | 'V' | 'Percent';
  location?: 'EV' | 'Outlet';
}

const KNOWN: readonly Measurand[] = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC'];

export function measurandsOf(model: DeviceModel, set: MeasurandSet): Measurand[] {
  const configured = model.textOf('SampledDataCtrlr', set).split(',').map((m) => m.trim());
  const chosen = KNOWN.filter((m) => configured.includes(m));
  return chosen.length > 0 ? chosen : ['Energy.Active.Import.Register'];
}

export function samplesOf(reading: MeterReading, measurands: readonly Measurand[]): Sample[] {
  return measurands.map((measurand): Sample => {
    switch (measurand) {
      case 'Power.Active.Import':
        return { measurand, value: reading.powerW, unit: 'W' };
      case 'Current.Import':
        return { measurand, value: reading.currentA, unit: 'A' };
      case 'Voltage':
        return { measurand, value: reading.voltageV, unit: 'V' };
      case 'SoC':
        return { measurand, value: reading.soc, unit: 'Percent', location: 'EV' };
      default:
        return { measurand, value: reading.energyWh, unit: 'Wh' };
    }
  });
}
