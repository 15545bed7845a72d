/**
 * HubClientInfo, CPO = Receiver (mod_hub_client_info), 2.2.1 only: a Hub tells us about the parties behind it on
 * `{hubclientinfo}/{country_code}/{party_id}` (PUT a ClientInfo, GET it back). Only Hub partners may write (others
 * get 404, as for an object that is not theirs); a body whose party differs from the URL is 2001. A configuration
 * module: no routing headers.
 */
import type { Roaming } from '../../domain/roaming/index.ts';
import type { ClientInfo } from '../../domain/roaming/model.ts';
import { OcpiError, invalidField, ok } from '../status.ts';
import { ocpiContext, type OcpiModule } from '../types.ts';

const PARAMS = { type: 'object', properties: { country_code: { type: 'string', pattern: '^[A-Za-z]{2}$' }, party_id: { type: 'string', pattern: '^[A-Za-z0-9]{3}$' } } } as const;
const CLIENT_INFO = {
  type: 'object',
  required: ['party_id', 'country_code', 'role', 'status', 'last_updated'],
  properties: {
    party_id: { type: 'string', pattern: '^[A-Za-z0-9]{3}$' },
    country_code: { type: 'string', pattern: '^[A-Za-z]{2}$' },
    role: { enum: ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'] },
    status: { enum: ['CONNECTED', 'OFFLINE', 'PLANNED', 'SUSPENDED'] },
    last_updated: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$' },
  },
} as const;

interface Params {
  country_code: string;
  party_id: string;
}

interface Body {
  party_id: string;
  country_code: string;
  role: string;
  status: ClientInfo['status'];
  last_updated: string;
}

function toJson(info: ClientInfo): Body {
  return { party_id: info.partyId, country_code: info.countryCode, role: info.role, status: info.status, last_updated: info.lastUpdated.toISOString().replace('.000Z', 'Z') };
}

export function createHubClientInfoModule(deps: { roaming: Roaming }): OcpiModule {
  return {
    identifier: 'hubclientinfo',
    role: 'RECEIVER',
    versions: ['2.2.1'],
    register(app) {
      const config = { ocpiConfigModule: true };
      const repo = () => deps.roaming.clientInfos;

      app.get<{ Params: Params }>('/:country_code/:party_id', { config, schema: { params: PARAMS } }, async (request) => {
        const info = await repo().getClientInfo({ countryCode: request.params.country_code, partyId: request.params.party_id });
        if (!info || info.partnerId !== ocpiContext(request).partner.id) throw new OcpiError('not_found', `unknown client ${request.params.country_code}/${request.params.party_id}`);
        return ok(toJson(info));
      });

      app.put<{ Params: Params; Body: Body }>('/:country_code/:party_id', { config, schema: { params: PARAMS, body: CLIENT_INFO } }, async (request, reply) => {
        const partner = ocpiContext(request).partner;
        if (!partner.roles.some((r) => r.role === 'HUB')) throw new OcpiError('not_found', 'only a Hub reports client info');
        const { body, params } = request;
        if (body.country_code.toUpperCase() !== params.country_code.toUpperCase() || body.party_id.toUpperCase() !== params.party_id.toUpperCase()) throw invalidField('country_code/party_id', 'differ from the URL');
        const lastUpdated = new Date(/(Z|[+-]\d{2}:\d{2})$/i.test(body.last_updated) ? body.last_updated : `${body.last_updated}Z`);
        const existing = await repo().getClientInfo({ countryCode: params.country_code, partyId: params.party_id });
        if (existing && existing.partnerId !== partner.id) throw new OcpiError('not_found', `client ${params.country_code}/${params.party_id} belongs to another hub`);
        const { created } = await repo().putClientInfo({ countryCode: params.country_code.toUpperCase(), partyId: params.party_id.toUpperCase(), partnerId: partner.id, role: body.role, status: body.status, lastUpdated });
        if (created) void reply.code(201);
        return ok();
      });
    },
  };
}
