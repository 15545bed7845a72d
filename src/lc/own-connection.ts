/**
 * The Local Controller's own connection to the CSMS (Part 4 §6.2: "a separate WebSocket connection to the CSMS
 * that allows the CSMS to address the Local Controller directly, which may be useful for changing settings or
 * setting overall Charging Profiles"). It is a plain StationClient with the LC's identity: it boots, sends
 * heartbeats at the interval the CSMS gives, and takes one command: a station-wide maximum profile
 * (SetChargingProfile with ChargingStationMaxProfile / 1.6 ChargePointMaxProfile) sets the site limit that the LC
 * shares among its stations. Any other CALL is answered NotSupported by the client.
 */
import type { CallHandler, HandlerLookup } from '../protocol/endpoint.ts';
import type { JsonObject, OcppVersion } from '../protocol/types.ts';
import type { PayloadValidator } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import { StationClient } from '../station/client.ts';
import type { TlsOptions } from '../station/socket.ts';
import type { SiteLoadBalancer } from './load-balancer.ts';
import type { OwnConnectionOptions } from './options.ts';
import { readStationMaxLimit } from './profiles.ts';

export interface OwnConnectionDeps {
  url: string;
  validator: PayloadValidator;
  tls: TlsOptions | undefined;
  compression: boolean;
  balancer: SiteLoadBalancer;
  logger: Logger;
}

export interface OwnConnection {
  client: StationClient;
  close(): Promise<void>;
}

export function defaultOwnBoot(version: OcppVersion): JsonObject {
  if (version === 'ocpp1.6') return { chargePointVendor: 'Joule', chargePointModel: 'Local Controller' };
  return { reason: 'PowerUp', chargingStation: { vendorName: 'Joule', model: 'Local Controller' } };
}

function handlers(balancer: SiteLoadBalancer, log: Logger): HandlerLookup {
  const setChargingProfile: CallHandler = (payload, context) => {
    const limit = readStationMaxLimit(context.version, payload);
    if (!limit || limit.unit !== balancer.unit) {
      log.warn({ unit: limit?.unit }, 'SetChargingProfile to the Local Controller refused: not a station-wide maximum in the site unit');
      return { status: 'Rejected' };
    }
    balancer.setSiteLimit(limit.limit);
    return { status: 'Accepted' };
  };
  return { resolve: (_version, action) => (action === 'SetChargingProfile' ? setChargingProfile : undefined) };
}

export function startOwnConnection(options: OwnConnectionOptions, deps: OwnConnectionDeps): OwnConnection {
  const log = deps.logger.child({ own: options.identity });
  const client = new StationClient<OcppVersion>({
    url: deps.url,
    identity: options.identity,
    protocols: options.protocols ?? ['ocpp2.0.1', 'ocpp1.6'],
    password: options.password,
    tls: deps.tls,
    compression: deps.compression,
    validator: deps.validator,
    handlers: handlers(deps.balancer, log),
    logger: log,
  });
  const boot = options.boot ?? defaultOwnBoot;
  let heartbeat: NodeJS.Timeout | undefined;
  const stopHeartbeat = (): void => {
    clearInterval(heartbeat);
    heartbeat = undefined;
  };
  client.on('open', (version) => {
    stopHeartbeat();
    client.bootUntilAccepted(boot(version), Number.MAX_SAFE_INTEGER).then(
      (outcome) => {
        if (outcome.response.status !== 'Accepted') return;
        const intervalMs = Math.max(1, outcome.response.interval) * 1000;
        heartbeat = setInterval(() => {
          client.callRaw('Heartbeat', {}).catch((error: unknown) => log.debug({ err: error }, 'heartbeat failed'));
        }, intervalMs);
        heartbeat.unref();
      },
      (error: unknown) => log.warn({ err: error }, 'BootNotification of the Local Controller failed'),
    );
  });
  client.on('close', stopHeartbeat);
  client.connect().catch((error: unknown) => log.warn({ err: error }, 'own connection to the CSMS failed; retrying'));
  return {
    client,
    close: async () => {
      stopHeartbeat();
      await client.close();
    },
  };
}
