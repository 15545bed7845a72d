/**
 * ClearCache (2.x C11, 1.6 §5.4), GetLocalListVersion / SendLocalList (2.x D01/D02, 1.6 §5.10/§5.15) and
 * DataTransfer (2.x P01, 1.6 §5.6). The local list is used when the station authorizes offline.
 * DataTransfer with vendorId org.joule.sim is echoed; any other vendor is UnknownVendorId.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V2Req, V2Res } from './common.ts';
import { stationOf } from './common.ts';

export const SIM_VENDOR_ID = 'org.joule.sim';

type Entry = { idToken: string; status: string | undefined };

function updateList(station: SimulatedStation, version: number, full: boolean, entries: readonly Entry[]): 'Accepted' | 'VersionMismatch' {
  const list = station.localList;
  if (!full && version <= list.version) return 'VersionMismatch';
  if (full) list.tokens.clear();
  for (const { idToken, status } of entries) {
    if (status === undefined) list.tokens.delete(idToken);
    else list.tokens.set(idToken, status);
  }
  list.version = version;
  return 'Accepted';
}

export function registerLocalAuth(registry: HandlerRegistry, directory: Directory): void {
  const clearCache = (): { status: 'Accepted' } => ({ status: 'Accepted' });
  const version = (_request: V2Req<'GetLocalListVersion'>, context: CallContext): V2Res<'GetLocalListVersion'> => ({ versionNumber: stationOf(directory, context).localList.version });
  const send = (request: V2Req<'SendLocalList'>, context: CallContext): V2Res<'SendLocalList'> => {
    const entries = (request.localAuthorizationList ?? []).map((e) => ({ idToken: e.idToken.idToken, status: e.idTokenInfo?.status }));
    return { status: updateList(stationOf(directory, context), request.versionNumber, request.updateType === 'Full', entries) };
  };
  const dataTransfer = (request: V2Req<'DataTransfer'>): V2Res<'DataTransfer'> =>
    request.vendorId === SIM_VENDOR_ID ? { status: 'Accepted', ...(request.data === undefined ? {} : { data: request.data }) } : { status: 'UnknownVendorId' };

  for (const v of ['ocpp2.0.1', 'ocpp2.1'] as const) registry.on(v, 'ClearCache', clearCache);
  registry.on('ocpp2.0.1', 'GetLocalListVersion', version).on('ocpp2.1', 'GetLocalListVersion', version);
  registry.on('ocpp2.0.1', 'SendLocalList', send).on('ocpp2.1', 'SendLocalList', send);
  registry.on('ocpp2.0.1', 'DataTransfer', dataTransfer).on('ocpp2.1', 'DataTransfer', dataTransfer);

  registry.on('ocpp1.6', 'ClearCache', clearCache);
  registry.on('ocpp1.6', 'GetLocalListVersion', (_request, context) => ({ listVersion: stationOf(directory, context).localList.version }));
  registry.on('ocpp1.6', 'SendLocalList', (request, context) => {
    const entries = (request.localAuthorizationList ?? []).map((e) => ({ idToken: e.idTag, status: e.idTagInfo?.status }));
    return { status: updateList(stationOf(directory, context), request.listVersion, request.updateType === 'Full', entries) };
  });
  registry.on('ocpp1.6', 'DataTransfer', (request) =>
    request.vendorId === SIM_VENDOR_ID ? { status: 'Accepted' as const, ...(request.data === undefined ? {} : { data: request.data }) } : { status: 'UnknownVendorId' as const },
  );
}
