/** Storage port of tariffs (implemented in src/storage/repositories/tariffs.ts). */
import type { Tariff, TariffInput } from './model.ts';

export interface TariffListFilter {
  countryCode?: string;
  partyId?: string;
  /** last_updated window: from inclusive, to exclusive. */
  updatedFrom?: Date;
  updatedTo?: Date;
  limit?: number;
  offset?: number;
}

export interface TariffRepository {
  /** Creates or replaces; `created` tells which. */
  put(tariff: TariffInput, at: Date): Promise<{ tariff: Tariff; created: boolean }>;
  get(id: string): Promise<Tariff | undefined>;
  /** Oldest first (created_at, id); `total` ignores limit and offset. */
  list(filter?: TariffListFilter): Promise<{ items: Tariff[]; total: number }>;
  delete(id: string): Promise<boolean>;
}
