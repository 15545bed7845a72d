/**
 * NotifyReport (2.0.1 B07/B08; same in 2.1): one part of a device model report. Every variable attribute becomes
 * one stored device variable (attributeType Actual when omitted, B05/B06); mutability and the characteristics are
 * kept. A report answering our GetBaseReport(FullInventory) replaces the stored model (B07.FR.07-09, 14).
 * Allowed while Pending when we asked for it (B01.FR.10, B02.FR.01-02).
 */
import type { DeviceVariableInput } from '../../../domain/ports.ts';
import type { Session } from '../../session.ts';
import { asJson, type InboundContext } from '../context.ts';
import type { V2Handler, V2Request } from './types.ts';

type Request = V2Request<'NotifyReport'>;
type ReportData = NonNullable<Request['reportData']>[number];

export function variablesOf(reportData: readonly ReportData[] | undefined): DeviceVariableInput[] {
  const variables: DeviceVariableInput[] = [];
  for (const data of reportData ?? []) {
    const { component, variable, variableCharacteristics } = data;
    for (const attribute of data.variableAttribute) {
      variables.push({
        component: component.name,
        componentInstance: component.instance ?? null,
        evseId: component.evse?.id ?? null,
        connectorId: component.evse?.connectorId ?? null,
        variable: variable.name,
        variableInstance: variable.instance ?? null,
        attributeType: attribute.type ?? 'Actual',
        value: attribute.value ?? null,
        mutability: attribute.mutability ?? null,
        data: asJson({
          ...(attribute.persistent !== undefined ? { persistent: attribute.persistent } : {}),
          ...(attribute.constant !== undefined ? { constant: attribute.constant } : {}),
          ...(variableCharacteristics !== undefined ? { variableCharacteristics } : {}),
        }),
      });
    }
  }
  return variables;
}

/** B01.FR.10: a Pending station may send the report of a GetBaseReport/GetReport the CSMS sent. */
export function requestedReport(request: Request, session: Session): boolean {
  return session.reports.has(request.requestId);
}

export function notifyReport(context: InboundContext): V2Handler<'NotifyReport'> {
  return async (request, call) => {
    const session = context.sessions.of(call);
    const tbc = request.tbc ?? false;
    const part = { requestId: request.requestId, seqNo: request.seqNo, tbc, fullInventory: session.reports.get(request.requestId)?.fullInventory ?? false };
    await context.services.deviceModel.storeReportPart(call.identity, part, variablesOf(request.reportData));
    if (!tbc) session.reports.delete(request.requestId);
    return {};
  };
}
