/** OCPP 2.0.1 data shared by the 2.0.1 / 2.1 scenario tests. */
import type { Joule } from '../../src/app.ts';
import type { RequestOf } from '../../src/protocol/generated/index.ts';
import { at } from './scenario-support.ts';

export type TxEvent = RequestOf<'ocpp2.0.1', 'TransactionEvent'>;

export const BOOT = { reason: 'PowerUp' as const, chargingStation: { vendorName: 'Joule', model: 'J-201', serialNumber: 'SN-201', firmwareVersion: '1.0.0' } };
export const TAG = { idToken: 'TAG-1', type: 'ISO14443' as const };

/**
 * One charging session as the station reports it: the register is a lifetime total (1234.5 kWh at the start),
 * sent in kWh, then in Wh with multiplier 3; phase registers and power samples are not the session's energy.
 * Energy = 1 246 789 Wh − 1 234 500 Wh = 12 289 Wh.
 */
export function session(transactionId: string, firstSeqNo = 0, offline = false): TxEvent[] {
  const evse = { id: 1, connectorId: 1 };
  return [
    {
      eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: firstSeqNo, offline, evse, idToken: TAG,
      transactionInfo: { transactionId, chargingState: 'EVConnected' },
      meterValue: [{ timestamp: at(0), sampledValue: [{ value: 1234.5, context: 'Transaction.Begin', unitOfMeasure: { unit: 'kWh' } }] }],
    },
    {
      eventType: 'Updated', timestamp: at(60), triggerReason: 'MeterValuePeriodic', seqNo: firstSeqNo + 1, offline,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      meterValue: [{
        timestamp: at(60),
        sampledValue: [
          { value: 1240.25, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
          { value: 999999, measurand: 'Energy.Active.Import.Register', phase: 'L1', unitOfMeasure: { unit: 'Wh' } },
          { value: 7.2, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
        ],
      }],
    },
    {
      eventType: 'Updated', timestamp: at(90), triggerReason: 'ChargingStateChanged', seqNo: firstSeqNo + 2, offline,
      transactionInfo: { transactionId, chargingState: 'SuspendedEV' },
    },
    {
      eventType: 'Ended', timestamp: at(120), triggerReason: 'StopAuthorized', seqNo: firstSeqNo + 3, offline,
      idToken: { idToken: 'TAG-2', type: 'ISO14443' },
      transactionInfo: { transactionId, chargingState: 'Idle' },
      meterValue: [{ timestamp: at(120), sampledValue: [{ value: 1246.789, context: 'Transaction.End', unitOfMeasure: { unit: 'Wh', multiplier: 3 } }] }],
    },
  ];
}

export async function addTokens(app: Joule): Promise<void> {
  await app.repos.tokens.upsert({ idToken: 'TAG-1', type: 'ISO14443', status: 'Accepted', groupId: 'FLEET-1', expiry: new Date('2030-01-01T00:00:00Z') });
  await app.repos.tokens.upsert({ idToken: 'TAG-2', type: 'ISO14443', status: 'Accepted', groupId: 'FLEET-1' });
  await app.repos.tokens.upsert({ idToken: 'OLD', type: 'ISO14443', status: 'Accepted', expiry: new Date('2020-01-01T00:00:00Z') });
  await app.repos.tokens.upsert({ idToken: 'BAD', type: 'ISO14443', status: 'Blocked' });
}
