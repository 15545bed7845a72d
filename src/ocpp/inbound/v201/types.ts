/**
 * One handler serves 2.0.1 and 2.1 where the messages are the same: it accepts either version's request (2.1 only
 * widens them: more enum values, extra optional fields, a plain string IdToken type) and returns a response that
 * is valid in both. The registry type-checks each registration against the version's generated types.
 */
import type { ActionName, RequestOf, ResponseOf } from '../../../protocol/generated/index.ts';
import type { Handler } from '../gate.ts';

export type V2Action = ActionName<'ocpp2.0.1'> & ActionName<'ocpp2.1'>;
export type V2Request<A extends V2Action> = RequestOf<'ocpp2.0.1', A> | RequestOf<'ocpp2.1', A>;
export type V2Response<A extends V2Action> = ResponseOf<'ocpp2.0.1', A> & ResponseOf<'ocpp2.1', A>;
export type V2Handler<A extends V2Action> = Handler<V2Request<A>, V2Response<A>>;

/** The sampled value shape both versions share (2.1 makes signingMethod and publicKey optional). */
export type V2SampledValue = NonNullable<V2Request<'MeterValues'>['meterValue'][number]['sampledValue'][number]>;
export type V2MeterValue = V2Request<'MeterValues'>['meterValue'][number];
export type V2IdTokenInfo = NonNullable<V2Response<'Authorize'>['idTokenInfo']>;
