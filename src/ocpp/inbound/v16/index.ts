/**
 * The CS → Central System handlers of OCPP 1.6: Core, Firmware Management and the Security Whitepaper messages.
 * Everything except BootNotification passes the registration gate (J-errata 3.8). Actions not listed are answered
 * NotSupported by the endpoint.
 */
import type { HandlerRegistry } from '../../../protocol/handlers.ts';
import type { InboundContext } from '../context.ts';
import { gated } from '../gate.ts';
import { authorize } from './authorize.ts';
import { bootNotification } from './boot-notification.ts';
import { dataTransfer } from './data-transfer.ts';
import { diagnosticsStatusNotification } from './diagnostics-status-notification.ts';
import { firmwareStatusNotification } from './firmware-status-notification.ts';
import { heartbeat } from './heartbeat.ts';
import { logStatusNotification } from './log-status-notification.ts';
import { meterValues } from './meter-values.ts';
import { securityEventNotification } from './security-event-notification.ts';
import { signCertificate } from './sign-certificate.ts';
import { signedFirmwareStatusNotification } from './signed-firmware-status-notification.ts';
import { startTransaction } from './start-transaction.ts';
import { statusNotification } from './status-notification.ts';
import { stopTransaction } from './stop-transaction.ts';
import type { V16Action, V16Handler } from './types.ts';

export function registerV16Handlers(registry: HandlerRegistry, context: InboundContext): void {
  const guard = <A extends V16Action>(action: A, handler: V16Handler<A>): void => {
    registry.on('ocpp1.6', action, gated(context.sessions, action, handler));
  };

  registry.on('ocpp1.6', 'BootNotification', bootNotification(context));
  guard('Heartbeat', heartbeat(context));
  guard('StatusNotification', statusNotification(context));
  guard('Authorize', authorize(context));
  guard('StartTransaction', startTransaction(context));
  guard('StopTransaction', stopTransaction(context));
  guard('MeterValues', meterValues(context));
  guard('DataTransfer', dataTransfer(context));
  guard('DiagnosticsStatusNotification', diagnosticsStatusNotification(context));
  guard('FirmwareStatusNotification', firmwareStatusNotification(context));
  guard('SecurityEventNotification', securityEventNotification(context));
  guard('SignCertificate', signCertificate(context));
  guard('LogStatusNotification', logStatusNotification(context));
  guard('SignedFirmwareStatusNotification', signedFirmwareStatusNotification(context));
}
