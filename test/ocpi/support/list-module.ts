/**
 * A test-only OCPI module ("cdrs" identifier, SENDER): an in-memory list to exercise the framework — pagination,
 * the request context, body validation, error kinds. Not a CDR implementation.
 */
import { pageOf, readPage, sendPage } from '../../../src/ocpi/pagination.ts';
import { OcpiError, ok } from '../../../src/ocpi/status.ts';
import { ocpiContext, type OcpiModule } from '../../../src/ocpi/types.ts';

export interface Item {
  id: string;
  last_updated: string;
}

/** `afterPage` runs after each list page is served (tests change the data mid-crawl with it). */
export function listModule(items: Item[], afterPage?: (offset: number) => void): OcpiModule {
  return {
    identifier: 'cdrs',
    role: 'SENDER',
    versions: ['2.2.1', '2.1.1'],
    register(app, version, env) {
      app.get('/', async (request, reply) => {
        const page = readPage(request, env.pageLimit);
        const { items: slice, total } = pageOf(items, page, (item) => new Date(item.last_updated));
        const answer = sendPage(request, reply, env, page, slice, total);
        afterPage?.(page.offset);
        return answer;
      });
      app.get('/whoami', async (request) => {
        const ctx = ocpiContext(request);
        return ok({ version, partner: ctx.partner.id, party: `${ctx.party.countryCode}/${ctx.party.partyId}`, remote: ctx.remote && `${ctx.remote.countryCode}/${ctx.remote.partyId}`, requestId: ctx.requestId });
      });
      app.get<{ Params: { id: string } }>('/:id', async (request) => {
        const item = items.find((i) => i.id === request.params.id);
        if (!item) throw new OcpiError('not_found', `unknown item ${request.params.id}`);
        return ok(item);
      });
      app.put<{ Params: { id: string }; Body: Item }>(
        '/:id',
        {
          schema: {
            body: { type: 'object', required: ['id', 'last_updated'], properties: { id: { type: 'string', maxLength: 36 }, last_updated: { type: 'string' } } },
          },
        },
        async (request, reply) => {
          if (request.body.id !== request.params.id) throw new OcpiError('invalid_parameters', 'id differs from the URL');
          const index = items.findIndex((i) => i.id === request.params.id);
          if (index >= 0) items[index] = request.body;
          else {
            items.push(request.body);
            void reply.code(201);
          }
          return ok();
        },
      );
      app.post('/token-check', async () => {
        throw new OcpiError('unknown_token', 'no such token');
      });
      app.post('/crash', async () => {
        throw new Error('boom');
      });
    },
  };
}
