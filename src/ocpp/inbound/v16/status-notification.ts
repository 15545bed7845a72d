/**
 * StatusNotification (1.6 §4.9, errata 3.19). The 1.6 states map onto the neutral ones: Preparing, Charging,
 * SuspendedEV, SuspendedEVSE and Finishing are all Occupied (the station is in use); the raw state and the error
 * code are kept. connectorId 0 is the charge point as a whole. Without a timestamp the time of receipt counts.
 */
import type { ConnectorStatus } from '../../../domain/model.ts';
import { stationTime, type InboundContext } from '../context.ts';
import type { V16Handler, V16Request } from './types.ts';

const STATUS: Record<V16Request<'StatusNotification'>['status'], ConnectorStatus> = {
  Available: 'Available',
  Preparing: 'Occupied',
  Charging: 'Occupied',
  SuspendedEVSE: 'Occupied',
  SuspendedEV: 'Occupied',
  Finishing: 'Occupied',
  Reserved: 'Reserved',
  Unavailable: 'Unavailable',
  Faulted: 'Faulted',
};

export function statusNotification(context: InboundContext): V16Handler<'StatusNotification'> {
  return async (request, call) => {
    await context.services.connectorStatus.report(call.identity, {
      evseId: request.connectorId,
      connectorId: request.connectorId,
      status: STATUS[request.status],
      ocppStatus: request.status,
      errorCode: request.errorCode === 'NoError' ? null : request.errorCode,
      at: stationTime(context, request.timestamp, call.identity),
    });
    return {};
  };
}
