/**
 * NotifyEvent (2.0.1 N07/N08, G05; same in 2.1), always answered with an empty response (N07.FR.03, N08.FR.02).
 * A connector's AvailabilityState is the other form of StatusNotification (G01.FR.01, 03-07; the only form once
 * 2.1 stations drop StatusNotification): it goes through the same connector-status use case. Every other event is
 * recorded.
 */
import type { ConnectorStatus } from '../../../domain/model.ts';
import { stationTime, type InboundContext } from '../context.ts';
import type { V2Handler, V2Request } from './types.ts';

type EventData = V2Request<'NotifyEvent'>['eventData'][number];

const CONNECTOR_STATES: readonly ConnectorStatus[] = ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'];

function isConnectorStatus(value: string): value is ConnectorStatus {
  return (CONNECTOR_STATES as readonly string[]).includes(value);
}

/** The connector status an event reports, if it is a Connector.AvailabilityState change. */
function connectorState(event: EventData): { evseId: number; connectorId: number; status: ConnectorStatus } | undefined {
  const evse = event.component.evse;
  if (event.component.name !== 'Connector' || event.variable.name !== 'AvailabilityState' || evse?.connectorId === undefined) return undefined;
  const value = event.actualValue;
  if (!isConnectorStatus(value)) return undefined;
  return { evseId: evse.id, connectorId: evse.connectorId, status: value };
}

export function notifyEvent(context: InboundContext): V2Handler<'NotifyEvent'> {
  return async (request, call) => {
    for (const event of request.eventData) {
      const state = connectorState(event);
      if (state) {
        const at = stationTime(context, event.timestamp, call.identity);
        await context.services.connectorStatus.report(call.identity, { ...state, ocppStatus: state.status, at });
        continue;
      }
      context.services.notifications.record(call.identity, 'deviceEvent', {
        eventId: event.eventId,
        trigger: event.trigger,
        component: event.component.name,
        variable: event.variable.name,
        actualValue: event.actualValue,
        eventNotificationType: event.eventNotificationType,
        ...(event.cleared !== undefined ? { cleared: event.cleared } : {}),
        ...(event.techCode !== undefined ? { techCode: event.techCode } : {}),
        ...(event.transactionId !== undefined ? { transactionId: event.transactionId } : {}),
      });
    }
    return {};
  };
}
