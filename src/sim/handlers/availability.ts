/**
 * ChangeAvailability (2.x G03/G04, 1.6 §5.2) and UnlockConnector (2.x F05, 1.6 §5.18).
 *
 * Inoperative on an EVSE with a running session is Scheduled: it applies when the session ends. The status change
 * goes out as StatusNotification after the answer. UnlockConnector releases the cable; with a session running,
 * 2.x answers OngoingAuthorizedTransaction while 1.6 first stops it (reason UnlockCommand).
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { EvseState } from '../layout.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V16Res, V2Req, V2Res } from './common.ts';
import { afterReply, stationOf } from './common.ts';

type Availability = 'Accepted' | 'Rejected' | 'Scheduled';

/** Sets one EVSE (or one of its connectors); true when it had to be scheduled. */
function setEvse(evse: EvseState, operative: boolean, connectorId: number | undefined): boolean {
  if (!operative && evse.session) {
    evse.pendingInoperative = true;
    return true;
  }
  evse.pendingInoperative = false;
  if (connectorId === undefined) evse.operative = operative;
  else for (const connector of evse.connectors) if (connector.id === connectorId) connector.operative = operative;
  if (operative && connectorId === undefined) for (const connector of evse.connectors) connector.operative = true;
  return false;
}

function change(station: SimulatedStation, operative: boolean, evseId: number | undefined, connectorId: number | undefined): Availability {
  let scheduled = false;
  if (evseId === undefined || evseId === 0) {
    station.operative = operative;
    for (const evse of station.evses) scheduled = setEvse(evse, operative, undefined) || scheduled;
  } else {
    const evse = station.evse(evseId);
    if (!evse || (connectorId !== undefined && !evse.connectors.some((c) => c.id === connectorId))) return 'Rejected';
    scheduled = setEvse(evse, operative, connectorId);
  }
  afterReply(station, () => station.refreshStatuses());
  return scheduled ? 'Scheduled' : 'Accepted';
}

function unlockV2(station: SimulatedStation, request: V2Req<'UnlockConnector'>): V2Res<'UnlockConnector'> {
  const evse = station.evse(request.evseId);
  if (!evse || !evse.connectors.some((c) => c.id === request.connectorId)) return { status: 'UnknownConnector' };
  if (evse.session) return { status: 'OngoingAuthorizedTransaction' };
  afterReply(station, () => station.sessions.unplug(evse.id));
  return { status: 'Unlocked' };
}

export function registerAvailability(registry: HandlerRegistry, directory: Directory): void {
  const changeV2 = (request: V2Req<'ChangeAvailability'>, context: CallContext): V2Res<'ChangeAvailability'> => ({
    status: change(stationOf(directory, context), request.operationalStatus === 'Operative', request.evse?.id, request.evse?.connectorId),
  });
  const unlock = (request: V2Req<'UnlockConnector'>, context: CallContext): V2Res<'UnlockConnector'> => unlockV2(stationOf(directory, context), request);
  registry.on('ocpp2.0.1', 'ChangeAvailability', changeV2).on('ocpp2.1', 'ChangeAvailability', changeV2);
  registry.on('ocpp2.0.1', 'UnlockConnector', unlock).on('ocpp2.1', 'UnlockConnector', unlock);

  registry.on('ocpp1.6', 'ChangeAvailability', (request, context) => ({
    status: change(stationOf(directory, context), request.type === 'Operative', request.connectorId, undefined),
  }));
  registry.on('ocpp1.6', 'UnlockConnector', (request, context): V16Res<'UnlockConnector'> => {
    const station = stationOf(directory, context);
    const evse = station.evse(request.connectorId);
    if (!evse) return { status: 'NotSupported' };
    afterReply(station, () => {
      if (evse.session) station.sessions.stop(evse.id, 'UnlockCommand');
      else station.sessions.unplug(evse.id);
    });
    return { status: 'Unlocked' };
  });
}
