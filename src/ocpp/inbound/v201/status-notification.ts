/**
 * StatusNotification (2.0.1 G01; deprecated but still valid in 2.1). The 2.x connector states are the domain's
 * own. A report older than the stored one (offline replay) is ignored by the repository.
 */
import { stationTime, type InboundContext } from '../context.ts';
import type { V2Handler } from './types.ts';

export function statusNotification(context: InboundContext): V2Handler<'StatusNotification'> {
  return async (request, call) => {
    await context.services.connectorStatus.report(call.identity, {
      evseId: request.evseId,
      connectorId: request.connectorId,
      status: request.connectorStatus,
      ocppStatus: request.connectorStatus,
      at: stationTime(context, request.timestamp, call.identity),
    });
    return {};
  };
}
