/**
 * Shared by the handlers of CSMS-initiated calls. One HandlerRegistry serves every simulated station of a run:
 * a handler finds its station by the identity of the connection the call came on.
 */
import { setImmediate } from 'node:timers';
import type { CallContext } from '../../protocol/endpoint.ts';
import { RpcError } from '../../protocol/errors.ts';
import type { ActionName, RequestOf, ResponseOf } from '../../protocol/generated/index.ts';
import type { SimulatedStation } from '../station.ts';

export type Directory = ReadonlyMap<string, SimulatedStation>;

/** Actions with the same name in 2.0.1 and 2.1. */
export type V2Action = ActionName<'ocpp2.0.1'> & ActionName<'ocpp2.1'>;
/** A 2.x request as 2.1 types it (a superset of 2.0.1 for every action handled here). */
export type V2Req<A extends V2Action> = RequestOf<'ocpp2.1', A>;
/** A 2.x response as 2.0.1 types it (valid on 2.1 too). */
export type V2Res<A extends V2Action> = ResponseOf<'ocpp2.0.1', A>;
export type V16Req<A extends ActionName<'ocpp1.6'>> = RequestOf<'ocpp1.6', A>;
export type V16Res<A extends ActionName<'ocpp1.6'>> = ResponseOf<'ocpp1.6', A>;

export function stationOf(directory: Directory, context: CallContext): SimulatedStation {
  const station = directory.get(context.identity);
  if (!station) throw new RpcError('InternalError', `no simulated station ${context.identity}`);
  return station;
}

/**
 * Runs `work` after the answer to the current CALL went out (the endpoint sends it when the handler returns), so
 * the messages a call causes follow its answer, as on a real station.
 */
export function afterReply(station: SimulatedStation, work: () => void | Promise<void>): void {
  setImmediate(() => {
    Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        station.env.stats.stationErrors += 1;
        station.env.logger.warn({ station: station.identity, err: error }, 'simulated station failed after a reply');
      });
  });
}

/** The EVSE the CSMS named, or the first idle one. */
export function chooseEvse(station: SimulatedStation, evseId: number | undefined): number | undefined {
  if (evseId !== undefined && evseId > 0) return station.evse(evseId) ? evseId : undefined;
  const idle = station.evses.find((e) => e.operative && !e.session && !e.reservation && !e.connectors.some((c) => c.plugged));
  return idle?.id;
}
