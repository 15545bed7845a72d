/** Handler and payload types of OCPP 1.6 (Core, Firmware, and the Security Whitepaper messages). */
import type { ActionName, RequestOf, ResponseOf } from '../../../protocol/generated/index.ts';
import type { Handler } from '../gate.ts';

export type V16Action = ActionName<'ocpp1.6'>;
export type V16Request<A extends V16Action> = RequestOf<'ocpp1.6', A>;
export type V16Response<A extends V16Action> = ResponseOf<'ocpp1.6', A>;
export type V16Handler<A extends V16Action> = Handler<V16Request<A>, V16Response<A>>;

export type IdTagInfo = V16Response<'Authorize'>['idTagInfo'];
export type V16MeterValue = V16Request<'MeterValues'>['meterValue'][number];
