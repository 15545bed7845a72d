/**
 * The CS → CSMS handlers of OCPP 2.0.1, registered for 2.1 too: every message handled here has the same meaning in
 * both versions (2.1 only widens the payloads, see types.ts). Everything except BootNotification passes the
 * registration gate (FR.04). Actions not listed are answered NotSupported by the endpoint.
 */
import type { HandlerRegistry } from '../../../protocol/handlers.ts';
import type { InboundContext } from '../context.ts';
import { gated, type PendingException } from '../gate.ts';
import { authorize } from './authorize.ts';
import { bootNotification } from './boot-notification.ts';
import { dataTransfer } from './data-transfer.ts';
import { firmwareStatusNotification } from './firmware-status-notification.ts';
import { heartbeat } from './heartbeat.ts';
import { logStatusNotification } from './log-status-notification.ts';
import { meterValues } from './meter-values.ts';
import { notifyEvent } from './notify-event.ts';
import { notifyReport, requestedReport } from './notify-report.ts';
import { reservationStatusUpdate } from './reservation-status-update.ts';
import { securityEventNotification } from './security-event-notification.ts';
import { signCertificate } from './sign-certificate.ts';
import { statusNotification } from './status-notification.ts';
import { transactionEvent } from './transaction-event.ts';
import type { V2Action, V2Handler, V2Request } from './types.ts';

function onBoth<A extends V2Action>(registry: HandlerRegistry, action: A, handler: V2Handler<A>): void {
  registry.on('ocpp2.0.1', action, handler).on('ocpp2.1', action, handler);
}

export function registerV2Handlers(registry: HandlerRegistry, context: InboundContext): void {
  const guard = <A extends V2Action>(action: A, handler: V2Handler<A>, exception?: PendingException<V2Request<A>>): void =>
    onBoth(registry, action, gated(context.sessions, action, handler, exception));

  // B01.FR.08: the one message a station may send before it is accepted.
  onBoth(registry, 'BootNotification', bootNotification(context));
  guard('Heartbeat', heartbeat(context));
  guard('StatusNotification', statusNotification(context));
  guard('Authorize', authorize(context));
  guard('TransactionEvent', transactionEvent(context));
  guard('MeterValues', meterValues(context));
  guard('NotifyReport', notifyReport(context), requestedReport);
  guard('NotifyEvent', notifyEvent(context));
  guard('SecurityEventNotification', securityEventNotification(context));
  guard('FirmwareStatusNotification', firmwareStatusNotification(context));
  guard('LogStatusNotification', logStatusNotification(context));
  guard('ReservationStatusUpdate', reservationStatusUpdate(context));
  guard('DataTransfer', dataTransfer(context));
  guard('SignCertificate', signCertificate(context));
}
