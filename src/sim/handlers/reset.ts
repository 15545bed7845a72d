/**
 * Reset (2.x B11/B12, 1.6 §5.13): the station reboots — its sessions end (ImmediateReset / HardReset / SoftReset),
 * the connection closes, and after the reboot delay it connects and sends BootNotification with reason
 * RemoteReset. OnIdle waits for running sessions (Scheduled). A 2.x reset of one EVSE ends that EVSE's session.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V16Res, V2Req, V2Res } from './common.ts';
import { afterReply, stationOf } from './common.ts';

function resetV2(station: SimulatedStation, request: V2Req<'Reset'>): V2Res<'Reset'> {
  const immediate = request.type !== 'OnIdle';
  if (request.evseId !== undefined && request.evseId > 0) {
    const evse = station.evse(request.evseId);
    if (!evse) return { status: 'Rejected' };
    if (!evse.session) return { status: 'Accepted' };
    if (!immediate) return { status: 'Scheduled' };
    afterReply(station, () => void station.sessions.stop(evse.id, 'ImmediateReset'));
    return { status: 'Accepted' };
  }
  if (!immediate && station.sessions.active().length > 0) {
    station.resetWhenIdle = { bootReason: 'RemoteReset', stopReason: 'ImmediateReset' };
    return { status: 'Scheduled' };
  }
  afterReply(station, () => station.reboot('RemoteReset', 'ImmediateReset'));
  return { status: 'Accepted' };
}

export function registerReset(registry: HandlerRegistry, directory: Directory): void {
  const v2 = (request: V2Req<'Reset'>, context: CallContext): V2Res<'Reset'> => resetV2(stationOf(directory, context), request);
  registry.on('ocpp2.0.1', 'Reset', v2).on('ocpp2.1', 'Reset', v2);
  registry.on('ocpp1.6', 'Reset', (request, context): V16Res<'Reset'> => {
    const station = stationOf(directory, context);
    afterReply(station, () => station.reboot('RemoteReset', request.type === 'Hard' ? 'HardReset' : 'SoftReset'));
    return { status: 'Accepted' };
  });
}
