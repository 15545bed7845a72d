/**
 * Session and CDR JSON for 2.1.1 partners, from the 2.2.1 objects the domain keeps (2.2.1 partners get those as
 * they are). 2.1.1 differences: start_datetime / end_datetime (Session), stop_date_time (CDR), auth_id instead of
 * cdr_token, an embedded Location instead of location ids / cdr_location, total_cost as a plain number (excl. VAT),
 * no owner, credit or session_id fields, no RESERVATION status.
 */
import type { CdrLocation, CdrObject, SessionObject } from '../../domain/roaming/model.ts';

/** The 2.1.1 Location of one EVSE and connector (what a CDR or Session embeds). */
export function location211(place: CdrLocation, lastUpdated: string): Record<string, unknown> {
  return {
    id: place.id,
    type: 'UNKNOWN',
    ...(place.name ? { name: place.name } : {}),
    address: place.address,
    city: place.city,
    postal_code: place.postal_code ?? '',
    country: place.country,
    coordinates: place.coordinates,
    evses: [
      {
        uid: place.evse_uid,
        evse_id: place.evse_id,
        status: 'UNKNOWN',
        connectors: [
          // 2.1.1 requires voltage and amperage, which a CdrLocation does not carry: 0 = unknown.
          { id: place.connector_id, standard: place.connector_standard, format: place.connector_format, power_type: place.connector_power_type, voltage: 0, amperage: 0, last_updated: lastUpdated },
        ],
        last_updated: lastUpdated,
      },
    ],
    last_updated: lastUpdated,
  };
}

export function session211(session: SessionObject, place: CdrLocation): Record<string, unknown> {
  return {
    id: session.id,
    start_datetime: session.start_date_time,
    ...(session.end_date_time ? { end_datetime: session.end_date_time } : {}),
    kwh: session.kwh,
    auth_id: session.cdr_token.contract_id,
    auth_method: session.auth_method === 'COMMAND' ? 'AUTH_REQUEST' : session.auth_method,
    location: location211(place, session.last_updated),
    ...(session.meter_id ? { meter_id: session.meter_id } : {}),
    currency: session.currency,
    ...(session.charging_periods ? { charging_periods: session.charging_periods.map(({ tariff_id: _t, ...period }) => period) } : {}),
    ...(session.total_cost ? { total_cost: session.total_cost.excl_vat } : {}),
    status: session.status === 'RESERVATION' ? 'PENDING' : session.status,
    last_updated: session.last_updated,
  };
}

export function cdr211(cdr: CdrObject): Record<string, unknown> {
  return {
    id: cdr.id,
    start_date_time: cdr.start_date_time,
    stop_date_time: cdr.end_date_time,
    auth_id: cdr.cdr_token.contract_id,
    auth_method: cdr.auth_method === 'COMMAND' ? 'AUTH_REQUEST' : cdr.auth_method,
    location: location211(cdr.cdr_location, cdr.last_updated),
    ...(cdr.meter_id ? { meter_id: cdr.meter_id } : {}),
    currency: cdr.currency,
    charging_periods: cdr.charging_periods.map(({ tariff_id: _t, ...period }) => period),
    total_cost: cdr.total_cost.excl_vat,
    total_energy: cdr.total_energy,
    total_time: cdr.total_time,
    ...(cdr.total_parking_time === undefined ? {} : { total_parking_time: cdr.total_parking_time }),
    ...(cdr.credit ? { remark: `Credit CDR for ${cdr.credit_reference_id ?? ''}` } : cdr.remark ? { remark: cdr.remark } : {}),
    last_updated: cdr.last_updated,
  };
}
