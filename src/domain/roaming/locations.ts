/**
 * The Locations directory over the CPO catalogue (domain/locations): which published Location, EVSE and connector a
 * station EVSE is (for Sessions and CDRs), and which station EVSE an OCPI location/EVSE/connector names (for
 * commands). EVSE uids are the catalogue's; OCPI connector ids are the OCPP connector ids as text.
 */
import type { LocationRepository } from '../locations/ports.ts';
import type { LocationDirectory, SiteRef, StationPlace } from './ports.ts';

export function catalogDirectory(locations: LocationRepository): LocationDirectory {
  return {
    async locate(stationId, evseId, connectorId): Promise<SiteRef | undefined> {
      const evse = await locations.findEvse(stationId, evseId ?? 1);
      if (!evse) return undefined;
      const [view, location] = await Promise.all([locations.getEvse(evse.uid), locations.get(evse.locationId)]);
      const connector = view?.connectors.find((c) => c.connectorId === connectorId) ?? view?.connectors[0];
      if (!view || !location || !connector) return undefined;
      return {
        locationId: location.id,
        evseUid: evse.uid,
        connectorId: String(connector.connectorId),
        tariffIds: connector.tariffIds,
        timeZone: location.timeZone,
        cpo: { countryCode: location.countryCode, partyId: location.partyId },
        cdrLocation: {
          id: location.id,
          ...(location.name ? { name: location.name } : {}),
          address: location.address,
          city: location.city,
          ...(location.postalCode ? { postal_code: location.postalCode } : {}),
          ...(location.state ? { state: location.state } : {}),
          country: location.country,
          coordinates: { latitude: location.latitude, longitude: location.longitude },
          evse_uid: evse.uid,
          // CdrLocation.evse_id is required: the eMI3 id when the operator set one, else the uid.
          evse_id: evse.evseCode ?? evse.uid,
          connector_id: String(connector.connectorId),
          connector_standard: connector.standard,
          connector_format: connector.format,
          connector_power_type: connector.powerType,
        },
      };
    },

    async resolve(locationId, evseUid, connectorId): Promise<StationPlace | undefined> {
      const location = await locations.get(locationId);
      if (!location) return undefined;
      if (evseUid === undefined) {
        // No EVSE named: the location's first EVSE's station chooses the connector.
        const [first] = (await locations.listEvses([locationId])).filter((v) => !v.evse.removed);
        return first && { stationId: first.evse.stationId };
      }
      const view = await locations.getEvse(evseUid);
      if (!view || view.evse.locationId !== locationId || view.evse.removed) return undefined;
      const connector = connectorId === undefined ? undefined : view.connectors.find((c) => String(c.connectorId) === connectorId);
      if (connectorId !== undefined && !connector) return undefined;
      return { stationId: view.evse.stationId, evseId: view.evse.evseId, ...(connector ? { connectorId: connector.connectorId } : {}) };
    },
  };
}
