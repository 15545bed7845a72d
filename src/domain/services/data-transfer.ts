/**
 * DataTransfer from stations (2.0.1 P02, 1.6 §4.3): vendor extensions live behind a registry keyed by vendorId
 * (P02.FR.08). An unknown vendorId is answered UnknownVendorId, never with a CALLERROR (P02.FR.06-07); what a
 * known vendor's handler answers (Accepted, Rejected, UnknownMessageId, data) is up to it.
 */
import type { JsonValue } from '../model.ts';

export type DataTransferStatus = 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';

export interface VendorDataRequest {
  stationId: string;
  messageId?: string;
  data?: JsonValue;
}

export interface VendorDataResponse {
  status: DataTransferStatus;
  data?: JsonValue;
}

export type VendorDataHandler = (request: VendorDataRequest) => VendorDataResponse | Promise<VendorDataResponse>;

export class DataTransferService {
  constructor(private readonly vendors: ReadonlyMap<string, VendorDataHandler> = new Map()) {}

  async handle(vendorId: string, request: VendorDataRequest): Promise<VendorDataResponse> {
    const handler = this.vendors.get(vendorId);
    if (!handler) return { status: 'UnknownVendorId' };
    return handler(request);
  }
}
