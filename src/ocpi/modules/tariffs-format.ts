/**
 * Tariff JSON for OCPI 2.2.1 and 2.1.1 (mod_tariffs). 2.1.1 has no owner fields, type, min/max price,
 * start/end date-time, VAT, current or reservation restrictions: those are left out, and elements that describe
 * reservation costs are dropped (a 2.1.1 partner would apply them to charging).
 */
import type { JsonObject, JsonValue } from '../../domain/model.ts';
import type { Price, Tariff, TariffElement, TariffRestrictions } from '../../domain/tariffs/model.ts';
import type { OcpiVersion } from '../types.ts';

function compact(object: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out;
}

const priceJson = (price: Price | null): JsonObject | undefined => (price ? compact({ excl_vat: price.exclVat, incl_vat: price.inclVat }) : undefined);

function restrictionsJson(r: TariffRestrictions, version: OcpiVersion): JsonObject {
  const common = {
    start_time: r.startTime,
    end_time: r.endTime,
    start_date: r.startDate,
    end_date: r.endDate,
    min_kwh: r.minKwh,
    max_kwh: r.maxKwh,
    min_power: r.minPower,
    max_power: r.maxPower,
    min_duration: r.minDuration,
    max_duration: r.maxDuration,
    day_of_week: r.dayOfWeek,
  };
  if (version === '2.1.1') return compact(common);
  return compact({ ...common, min_current: r.minCurrent, max_current: r.maxCurrent, reservation: r.reservation });
}

function elementJson(element: TariffElement, version: OcpiVersion): JsonObject {
  const restrictions = element.restrictions ? restrictionsJson(element.restrictions, version) : undefined;
  return compact({
    price_components: element.priceComponents.map((c) =>
      compact({ type: c.type, price: c.price, vat: version === '2.1.1' ? undefined : c.vat, step_size: c.stepSize }),
    ),
    restrictions: restrictions && Object.keys(restrictions).length > 0 ? restrictions : undefined,
  });
}

export function tariffJson(tariff: Tariff, version: OcpiVersion): JsonObject {
  const altText = tariff.altText.map((t) => ({ language: t.language, text: t.text }));
  if (version === '2.1.1') {
    return compact({
      id: tariff.id,
      currency: tariff.currency,
      tariff_alt_text: altText,
      tariff_alt_url: tariff.altUrl,
      elements: tariff.elements.filter((e) => e.restrictions?.reservation === undefined).map((e) => elementJson(e, version)),
      energy_mix: tariff.energyMix,
      last_updated: tariff.lastUpdated.toISOString(),
    });
  }
  return compact({
    country_code: tariff.countryCode,
    party_id: tariff.partyId,
    id: tariff.id,
    currency: tariff.currency,
    type: tariff.type,
    tariff_alt_text: altText,
    tariff_alt_url: tariff.altUrl,
    min_price: priceJson(tariff.minPrice),
    max_price: priceJson(tariff.maxPrice),
    elements: tariff.elements.map((e) => elementJson(e, version)),
    start_date_time: tariff.startDateTime?.toISOString(),
    end_date_time: tariff.endDateTime?.toISOString(),
    energy_mix: tariff.energyMix,
    last_updated: tariff.lastUpdated.toISOString(),
  });
}
