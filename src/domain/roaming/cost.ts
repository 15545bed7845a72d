/**
 * The price of a roaming charge: the first of the connector's tariffs that exists and is valid when the charge
 * starts, applied by the tariff cost function (domain/tariffs/cost.ts) to the charge's intervals.
 */
import { computeCost, type Amount } from '../tariffs/cost.ts';
import type { Tariff } from '../tariffs/model.ts';
import type { CdrCost, Charge } from './mapper.ts';
import { round4 } from './mapper.ts';
import type { Price } from './model.ts';

export type TariffLookup = (id: string) => Promise<Tariff | undefined>;

function priceOf(amount: Amount): Price {
  return { excl_vat: round4(amount.exclVat), incl_vat: round4(amount.inclVat) };
}

function validAt(tariff: Tariff, at: Date): boolean {
  return (tariff.startDateTime === null || tariff.startDateTime.getTime() <= at.getTime()) && (tariff.endDateTime === null || at.getTime() < tariff.endDateTime.getTime());
}

/** Undefined when no tariff applies; the currency is the tariff's. */
export async function costOfCharge(lookup: TariffLookup, tariffIds: readonly string[], timeZone: string, charge: Charge): Promise<{ currency: string; tariffId: string; cost: CdrCost } | undefined> {
  for (const id of tariffIds) {
    const tariff = await lookup(id);
    if (!tariff || !validAt(tariff, charge.start)) continue;
    const result = computeCost(tariff, { start: charge.start, intervals: charge.intervals, timeZone });
    return {
      currency: result.currency,
      tariffId: tariff.id,
      cost: {
        total: priceOf(result.total),
        energy: priceOf(result.energy),
        time: priceOf(result.time),
        parking: priceOf(result.parkingTime),
      },
    };
  }
  return undefined;
}
