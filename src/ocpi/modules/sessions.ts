/**
 * Sessions, CPO = Sender (mod_sessions), 2.2.1 and 2.1.1:
 * - GET list (paginated, oldest last_updated first): only the sessions of the caller's eMSP parties (a Hub sees
 *   all). date_from is "required" in 2.2.1 but optional here (checklist ambiguity 4).
 * - PUT {session_id}/charging_preferences (2.2.1): REGULAR without a departure or energy need is ACCEPTED (that is
 *   how every session charges); anything else is NOT_POSSIBLE, since Joule cannot pass preferences to stations.
 *   Unknown or foreign sessions: 404.
 * - Pushes: every change of a session goes to its eMSP's partner(s) through the outbox: PUT of the whole object
 *   when it is new to us or its status changed, else a PATCH of kwh / total_cost / last_updated (no charging
 *   periods: a receiver appends PATCHed periods).
 */
import type { JsonValue } from '../../domain/model.ts';
import type { Roaming } from '../../domain/roaming/index.ts';
import type { RoamingSession, SessionObject } from '../../domain/roaming/model.ts';
import { readPage, sendPage } from '../pagination.ts';
import { OcpiError, ok } from '../status.ts';
import { ocpiContext, type OcpiModule, type OcpiModuleEnv } from '../types.ts';
import { session211 } from './sessions-format.ts';
import { partiesOf, partnersFor, speaksFor } from './sessions-partners.ts';

const PREFERENCES = {
  type: 'object',
  required: ['profile_type'],
  properties: {
    profile_type: { enum: ['CHEAP', 'FAST', 'GREEN', 'REGULAR'] },
    departure_time: { type: 'string' },
    energy_need: { type: 'number', minimum: 0 },
    discharge_allowed: { type: 'boolean' },
  },
} as const;

interface Preferences {
  profile_type: 'CHEAP' | 'FAST' | 'GREEN' | 'REGULAR';
  departure_time?: string;
  energy_need?: number;
  discharge_allowed?: boolean;
}

export function createSessionsModule(deps: { roaming: Roaming }): OcpiModule {
  let pushing = false;
  return {
    identifier: 'sessions',
    role: 'SENDER',
    versions: ['2.2.1', '2.1.1'],
    register(app, version, env) {
      if (!pushing) {
        pushing = true;
        startSessionPushes(deps.roaming, env);
      }
      const sessions = deps.roaming.sessions;

      app.get('/', async (request, reply) => {
        const ctx = ocpiContext(request);
        const page = readPage(request, env.pageLimit);
        const parties = partiesOf(ctx.partner);
        const result = await sessions.listSessions({ offset: page.offset, limit: page.limit, ...(page.dateFrom ? { from: page.dateFrom } : {}), ...(page.dateTo ? { to: page.dateTo } : {}), ...(parties ? { parties } : {}), cpo: ctx.party });
        const items: unknown[] = version === '2.2.1' ? result.items.map((s) => s.object) : await Promise.all(result.items.map((s) => toVersion211(deps.roaming, s)));
        return sendPage(request, reply, env, page, items, result.total);
      });

      if (version === '2.2.1') {
        app.put<{ Params: { session_id: string }; Body: Preferences }>('/:session_id/charging_preferences', { schema: { body: PREFERENCES } }, async (request) => {
          const session = await sessions.getSession(request.params.session_id);
          if (!session || !speaksFor(ocpiContext(request).partner, session.emsp) || !ownedBy(session.object, ocpiContext(request).party)) throw new OcpiError('not_found', `unknown session ${request.params.session_id}`);
          const body = request.body;
          const plain = body.profile_type === 'REGULAR' && body.departure_time === undefined && body.energy_need === undefined && body.discharge_allowed !== true;
          return ok(plain && session.status !== 'COMPLETED' && session.status !== 'INVALID' ? 'ACCEPTED' : 'NOT_POSSIBLE');
        });
      }
    },
  };
}

/** Our CPO party the request addresses owns the object (a single GET must not leak another party's). */
export function ownedBy(object: { country_code: string; party_id: string }, party: { countryCode: string; partyId: string }): boolean {
  return object.country_code.toUpperCase() === party.countryCode.toUpperCase() && object.party_id.toUpperCase() === party.partyId.toUpperCase();
}

async function toVersion211(roaming: Roaming, session: RoamingSession): Promise<Record<string, unknown>> {
  const site = await roaming.sessions.site(session.stationId, session.evseId, session.connectorId);
  return session211(session.object, site.cdrLocation);
}

/** What a 2.2.1 PATCH carries for a session whose status did not change. */
function patchOf(object: SessionObject): Record<string, unknown> {
  return { kwh: object.kwh, ...(object.total_cost ? { total_cost: object.total_cost } : {}), last_updated: object.last_updated };
}

function startSessionPushes(roaming: Roaming, env: OcpiModuleEnv): void {
  const pushedStatus = new Map<string, string>();
  roaming.sessions.subscribe({
    sessionChanged(session) {
      const previous = pushedStatus.get(session.id);
      pushedStatus.set(session.id, session.status);
      if (session.status === 'COMPLETED' || session.status === 'INVALID') pushedStatus.delete(session.id);
      void push(session, previous !== session.status).catch((error: unknown) => env.logger.error({ err: error, session: session.id }, 'session push could not be queued'));
    },
  });

  async function push(session: RoamingSession, whole: boolean): Promise<void> {
    const object = session.object;
    const path = `/${object.country_code}/${object.party_id}/${encodeURIComponent(object.id)}`;
    for (const partner of await partnersFor(env, session.emsp, 'sessions')) {
      const body = partner.version === '2.1.1' ? await toVersion211(roaming, session) : whole ? object : patchOf(object);
      const method = whole || partner.version === '2.1.1' ? 'PUT' : 'PATCH';
      await env.outbox.enqueue({ partnerId: partner.id, module: 'sessions', method, path, body: body as unknown as JsonValue, fromParty: { countryCode: object.country_code, partyId: object.party_id } });
    }
  }
}
