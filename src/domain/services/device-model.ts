/**
 * Device model reports (2.0.1 B07/B08: NotifyReport parts with one requestId, seqNo from 0, tbc on all but the
 * last). Each part is stored as it arrives (upserts are idempotent, so a resent part does no harm). A FullInventory
 * report replaces what was known: the stored model is cleared when its first part (seqNo 0) arrives.
 */
import type { DeviceModelRepository, DeviceVariableInput } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';

export interface ReportPart {
  requestId: number;
  seqNo: number;
  /** More parts follow. */
  tbc: boolean;
  /** The report answers a GetBaseReport(FullInventory): it lists every variable there is. */
  fullInventory: boolean;
}

export interface DeviceModelServiceDeps {
  deviceModel: DeviceModelRepository;
  logger: Logger;
}

export class DeviceModelService {
  constructor(private readonly deps: DeviceModelServiceDeps) {}

  async storeReportPart(stationId: string, part: ReportPart, variables: readonly DeviceVariableInput[]): Promise<void> {
    if (part.fullInventory && part.seqNo === 0) {
      const removed = await this.deps.deviceModel.clear(stationId);
      this.deps.logger.debug({ station: stationId, requestId: part.requestId, removed }, 'full inventory report: device model cleared');
    }
    await this.deps.deviceModel.upsert(stationId, variables);
    if (!part.tbc) this.deps.logger.info({ station: stationId, requestId: part.requestId, parts: part.seqNo + 1 }, 'device model report complete');
  }
}
