/**
 * Remote start and stop (2.x F01/F03 RequestStart/StopTransaction, 1.6 §5.11/§5.12 RemoteStart/Stop): they start
 * and stop real simulated sessions. The answer goes out first; then the station authorizes (when
 * AuthorizeRemoteStart / AuthorizeRemoteTxRequests is set), the driver plugs in, and the transaction starts with
 * trigger RemoteStart and the remoteStartId; a charging profile that came with the request limits it.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { StoredProfile } from '../charging-limits.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V16Req, V16Res, V2Req, V2Res } from './common.ts';
import { afterReply, chooseEvse, stationOf } from './common.ts';
import { applyProfile, fromV16Profile, fromV2Profile } from './charging.ts';

function startSession(station: SimulatedStation, evseId: number, idToken: string, type: string, remoteStartId: number | undefined, profile: StoredProfile | undefined): void {
  afterReply(station, async () => {
    await station.sessions.remoteStart(evseId, idToken, type, remoteStartId);
    if (profile && station.evse(evseId)?.session) applyProfile(station, profile);
  });
}

function requestStart(station: SimulatedStation, request: V2Req<'RequestStartTransaction'>): V2Res<'RequestStartTransaction'> {
  const evseId = chooseEvse(station, request.evseId);
  const evse = evseId === undefined ? undefined : station.evse(evseId);
  if (evseId === undefined || !evse || evse.session || !evse.operative || !station.operative) return { status: 'Rejected' };
  if (evse.reservation && evse.reservation.idToken !== request.idToken.idToken) return { status: 'Rejected' };
  let profile: StoredProfile | undefined;
  if (request.chargingProfile) {
    // F01.FR.12: only a TxProfile may come with a remote start.
    profile = fromV2Profile(request.chargingProfile, evseId);
    if (!profile || profile.purpose !== 'tx') return { status: 'Rejected' };
  }
  startSession(station, evseId, request.idToken.idToken, request.idToken.type, request.remoteStartId, profile);
  return { status: 'Accepted' };
}

function requestStop(station: SimulatedStation, request: V2Req<'RequestStopTransaction'>): V2Res<'RequestStopTransaction'> {
  const session = station.sessions.find(request.transactionId);
  if (!session) return { status: 'Rejected' };
  afterReply(station, () => void station.sessions.stop(session.evseId, 'Remote'));
  return { status: 'Accepted' };
}

function remoteStart(station: SimulatedStation, request: V16Req<'RemoteStartTransaction'>): V16Res<'RemoteStartTransaction'> {
  const evseId = chooseEvse(station, request.connectorId);
  const evse = evseId === undefined ? undefined : station.evse(evseId);
  if (evseId === undefined || !evse || evse.session || !evse.operative || !station.operative) return { status: 'Rejected' };
  if (evse.reservation && evse.reservation.idToken !== request.idTag) return { status: 'Rejected' };
  let profile: StoredProfile | undefined;
  if (request.chargingProfile) {
    profile = fromV16Profile(request.chargingProfile, evseId, station);
    if (!profile || profile.purpose !== 'tx') return { status: 'Rejected' };
  }
  startSession(station, evseId, request.idTag, 'ISO14443', undefined, profile);
  return { status: 'Accepted' };
}

function remoteStop(station: SimulatedStation, request: V16Req<'RemoteStopTransaction'>): V16Res<'RemoteStopTransaction'> {
  const session = station.sessions.findLegacy(request.transactionId);
  if (!session) return { status: 'Rejected' };
  afterReply(station, () => void station.sessions.stop(session.evseId, 'Remote'));
  return { status: 'Accepted' };
}

export function registerTransactions(registry: HandlerRegistry, directory: Directory): void {
  const start = (request: V2Req<'RequestStartTransaction'>, context: CallContext): V2Res<'RequestStartTransaction'> => requestStart(stationOf(directory, context), request);
  const stop = (request: V2Req<'RequestStopTransaction'>, context: CallContext): V2Res<'RequestStopTransaction'> => requestStop(stationOf(directory, context), request);
  registry.on('ocpp2.0.1', 'RequestStartTransaction', start).on('ocpp2.1', 'RequestStartTransaction', start);
  registry.on('ocpp2.0.1', 'RequestStopTransaction', stop).on('ocpp2.1', 'RequestStopTransaction', stop);
  registry.on('ocpp1.6', 'RemoteStartTransaction', (request, context) => remoteStart(stationOf(directory, context), request));
  registry.on('ocpp1.6', 'RemoteStopTransaction', (request, context) => remoteStop(stationOf(directory, context), request));
}
