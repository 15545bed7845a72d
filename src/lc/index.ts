/** The Local Controller of OCPP-J Part 4 §6: what the CLI (`joule lc`) and tests import. */
export { LocalController } from './controller.ts';
export type { LocalControllerOptions, OwnConnectionOptions, StationAuthRequest, StationSideTls, UpstreamAuth } from './options.ts';
export { LC_DEFAULTS } from './options.ts';
export type { RelayFrame } from './relay.ts';
export type { StationShare } from './load-balancer.ts';
export { SiteLoadBalancer } from './load-balancer.ts';
export type { RateUnit } from './profiles.ts';
export { isLcMessageId, LC_ID_PREFIX } from './message-ids.ts';
