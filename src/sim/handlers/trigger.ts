/**
 * TriggerMessage (2.x F06, 1.6 §5.17): answered, then the requested message goes out. A 2.x station already
 * Accepted refuses a triggered BootNotification (F06.FR.17); TransactionEvent needs a running transaction.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { EvseState } from '../layout.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V16Req, V16Res, V2Req, V2Res } from './common.ts';
import { afterReply, stationOf } from './common.ts';

type Status = 'Accepted' | 'Rejected' | 'NotImplemented';

function targets(station: SimulatedStation, evseId: number | undefined): EvseState[] | undefined {
  if (evseId === undefined || evseId === 0) return station.evses;
  const evse = station.evse(evseId);
  return evse ? [evse] : undefined;
}

/** Every connector's status now, changed or not. */
function sendStatuses(station: SimulatedStation, evses: readonly EvseState[], connectorId: number | undefined, withStation: boolean): void {
  const stationStatus = station.dialect.stationStatus();
  if (withStation && stationStatus !== undefined) void station.sendStatus(undefined, undefined, stationStatus);
  for (const evse of evses) {
    for (const connector of evse.connectors) {
      if (connectorId !== undefined && connector.id !== connectorId) continue;
      const status = station.dialect.connectorStatus(evse, connector);
      connector.reported = status;
      void station.sendStatus(evse, connector, status);
    }
  }
}

function triggerV2(station: SimulatedStation, request: V2Req<'TriggerMessage'>): V2Res<'TriggerMessage'> {
  const evses = targets(station, request.evse?.id);
  if (!evses) return { status: 'Rejected' };
  const run = (work: () => void): { status: Status } => {
    afterReply(station, work);
    return { status: 'Accepted' };
  };
  switch (request.requestedMessage) {
    case 'BootNotification':
      return station.registration === 'Accepted' ? { status: 'Rejected' } : run(() => station.triggerBoot());
    case 'Heartbeat':
      return run(() => void station.dialect.heartbeat());
    case 'StatusNotification':
      return run(() => sendStatuses(station, evses, request.evse?.connectorId, false));
    case 'MeterValues':
      return run(() => evses.forEach((evse) => void station.sessions.meterNow(evse)));
    case 'TransactionEvent': {
      const running = evses.filter((evse) => evse.session);
      if (running.length === 0) return { status: 'Rejected' };
      return run(() => running.forEach((evse) => void station.sessions.meterNow(evse)));
    }
    default:
      return { status: 'NotImplemented' };
  }
}

function trigger16(station: SimulatedStation, request: V16Req<'TriggerMessage'>): V16Res<'TriggerMessage'> {
  const evses = targets(station, request.connectorId);
  if (!evses) return { status: 'Rejected' };
  const run = (work: () => void): { status: Status } => {
    afterReply(station, work);
    return { status: 'Accepted' };
  };
  switch (request.requestedMessage) {
    case 'BootNotification':
      return run(() => station.triggerBoot());
    case 'Heartbeat':
      return run(() => void station.dialect.heartbeat());
    case 'StatusNotification':
      return run(() => sendStatuses(station, evses, undefined, request.connectorId === undefined || request.connectorId === 0));
    case 'MeterValues':
      return run(() => evses.forEach((evse) => void station.sessions.meterNow(evse)));
    case 'DiagnosticsStatusNotification':
      return run(() => void station.send('DiagnosticsStatusNotification', { status: 'Idle' }));
    case 'FirmwareStatusNotification':
      return run(() => void station.send('FirmwareStatusNotification', { status: 'Idle' }));
    default:
      return { status: 'NotImplemented' };
  }
}

export function registerTrigger(registry: HandlerRegistry, directory: Directory): void {
  const v2 = (request: V2Req<'TriggerMessage'>, context: CallContext): V2Res<'TriggerMessage'> => triggerV2(stationOf(directory, context), request);
  registry.on('ocpp2.0.1', 'TriggerMessage', v2).on('ocpp2.1', 'TriggerMessage', v2);
  registry.on('ocpp1.6', 'TriggerMessage', (request, context) => trigger16(stationOf(directory, context), request));
}
