/**
 * OCPI Tariffs, Sender interface (CPO), 2.2.1 and 2.1.1:
 *   GET {url}?date_from&date_to&offset&limit     Tariff[] of the CPO party the request addresses
 * and the push side: a created or replaced tariff → PUT, a deleted one → DELETE, to every partner receiving
 * tariffs for that party ({url}/{country_code}/{party_id}/{tariff_id}).
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogChange, CatalogChanges } from '../../domain/locations/changes.ts';
import type { TariffService } from '../../domain/tariffs/service.ts';
import { readPage, sendPage } from '../pagination.ts';
import { ocpiContext, type OcpiModule, type OcpiModuleEnv, type OcpiVersion } from '../types.ts';
import { followCatalog, objectPath, pushToPartners, type SerialQueue } from './locations-push.ts';
import { tariffJson } from './tariffs-format.ts';

export interface TariffsModuleDeps {
  tariffs: TariffService;
  changes: CatalogChanges;
}

export type TariffsModule = OcpiModule & {
  /** Resolves when the pushes of the changes seen so far are in the outbox. */
  idle(): Promise<void>;
};

export function createTariffsModule(deps: TariffsModuleDeps): TariffsModule {
  const { tariffs } = deps;
  let queue: SerialQueue | undefined;

  async function push(env: OcpiModuleEnv, change: CatalogChange): Promise<void> {
    if (change.type !== 'tariff') return;
    const party = { countryCode: change.countryCode, partyId: change.partyId };
    const path = objectPath(change.countryCode, change.partyId, change.tariffId);
    if (change.deleted) {
      await pushToPartners(env, 'tariffs', party, { method: 'DELETE', path, body: () => null });
      return;
    }
    const tariff = await tariffs.get(change.tariffId);
    if (!tariff) return;
    await pushToPartners(env, 'tariffs', party, { method: 'PUT', path, body: (version) => tariffJson(tariff, version) });
  }

  function startPushing(env: OcpiModuleEnv): void {
    queue ??= followCatalog(deps.changes, env, (change) => push(env, change));
  }

  return {
    identifier: 'tariffs',
    role: 'SENDER',
    versions: ['2.2.1', '2.1.1'],
    idle: () => queue?.idle() ?? Promise.resolve(),

    register(app: FastifyInstance, version: OcpiVersion, env: OcpiModuleEnv) {
      startPushing(env);
      app.get('/', async (request, reply) => {
        const { party } = ocpiContext(request);
        const page = readPage(request, env.pageLimit);
        const { items, total } = await tariffs.list({
          countryCode: party.countryCode,
          partyId: party.partyId,
          updatedFrom: page.dateFrom,
          updatedTo: page.dateTo,
          offset: page.offset,
          limit: page.limit,
        });
        return sendPage(
          request,
          reply,
          env,
          page,
          items.map((t) => tariffJson(t, version)),
          total,
        );
      });
    },
  };
}
