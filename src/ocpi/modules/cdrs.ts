/**
 * CDRs, CPO = Sender (mod_cdrs), 2.2.1 and 2.1.1: GET list (paginated, only the caller's eMSP parties; a Hub sees
 * all) and GET of one CDR by id (the URL our POST's Location header would point at). Every CDR the domain issues
 * (one per finished roaming transaction, credit CDRs for corrections) is POSTed to its eMSP's partner(s) through
 * the outbox; CDRs never change afterwards.
 */
import type { JsonValue } from '../../domain/model.ts';
import type { Roaming } from '../../domain/roaming/index.ts';
import type { RoamingCdr } from '../../domain/roaming/model.ts';
import { readPage, sendPage } from '../pagination.ts';
import { OcpiError, ok } from '../status.ts';
import { ocpiContext, type OcpiModule, type OcpiModuleEnv } from '../types.ts';
import { cdr211 } from './sessions-format.ts';
import { partiesOf, partnersFor, speaksFor } from './sessions-partners.ts';
import { ownedBy } from './sessions.ts';

export function createCdrsModule(deps: { roaming: Roaming }): OcpiModule {
  let pushing = false;
  return {
    identifier: 'cdrs',
    role: 'SENDER',
    versions: ['2.2.1', '2.1.1'],
    register(app, version, env) {
      if (!pushing) {
        pushing = true;
        startCdrPushes(deps.roaming, env);
      }
      const toJson = (cdr: RoamingCdr): unknown => (version === '2.2.1' ? cdr.object : cdr211(cdr.object));

      app.get('/', async (request, reply) => {
        const ctx = ocpiContext(request);
        const page = readPage(request, env.pageLimit);
        const parties = partiesOf(ctx.partner);
        const result = await deps.roaming.sessions.listCdrs({ offset: page.offset, limit: page.limit, ...(page.dateFrom ? { from: page.dateFrom } : {}), ...(page.dateTo ? { to: page.dateTo } : {}), ...(parties ? { parties } : {}), cpo: ctx.party });
        return sendPage(request, reply, env, page, result.items.map(toJson), result.total);
      });

      app.get<{ Params: { id: string } }>('/:id', async (request) => {
        const cdr = await deps.roaming.sessions.getCdr(request.params.id);
        if (!cdr || !speaksFor(ocpiContext(request).partner, cdr.emsp) || !ownedBy(cdr.object, ocpiContext(request).party)) throw new OcpiError('not_found', `unknown CDR ${request.params.id}`);
        return ok(toJson(cdr));
      });
    },
  };
}

function startCdrPushes(roaming: Roaming, env: OcpiModuleEnv): void {
  roaming.sessions.subscribe({
    cdrIssued(cdr) {
      void (async () => {
        for (const partner of await partnersFor(env, cdr.emsp, 'cdrs')) {
          const body = (partner.version === '2.1.1' ? cdr211(cdr.object) : cdr.object) as unknown as JsonValue;
          await env.outbox.enqueue({ partnerId: partner.id, module: 'cdrs', method: 'POST', path: '', body, fromParty: { countryCode: cdr.object.country_code, partyId: cdr.object.party_id } });
        }
      })().catch((error: unknown) => env.logger.error({ err: error, cdr: cdr.id }, 'CDR push could not be queued'));
    },
  });
}
