/**
 * ChargingProfiles, CPO = Receiver (mod_charging_profiles), 2.2.1 only, on `{chargingprofiles}/{session_id}`:
 * GET ?duration=&response_url= (the active profile: the station's composite schedule), PUT SetChargingProfile (a
 * TxProfile for the session's transaction), DELETE ?response_url= (removes it). Each answers ChargingProfileResponse
 * { result, timeout } at once (UNKNOWN_SESSION for a session that is not the caller's or not active, REJECTED when
 * the station is offline); the result is POSTed to response_url once the station answered.
 */
import type { Roaming, RoamingChargingProfile } from '../../domain/roaming/index.ts';
import type { CommandAnswer } from '../../domain/roaming/index.ts';
import { OcpiError, ok } from '../status.ts';
import { ocpiContext, type OcpiModule } from '../types.ts';
import { resultPoster, type ResultKind } from './commands-results.ts';
import { callerParty } from './sessions-partners.ts';

const RESPONSE_URL = { type: 'string', minLength: 1, maxLength: 255, pattern: '^https?://' } as const;
const PARAMS = { type: 'object', properties: { session_id: { type: 'string', minLength: 1, maxLength: 36 } } } as const;

const PROFILE = {
  type: 'object',
  required: ['charging_rate_unit'],
  properties: {
    start_date_time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$' },
    duration: { type: 'integer', minimum: 0 },
    charging_rate_unit: { enum: ['W', 'A'] },
    min_charging_rate: { type: 'number', minimum: 0 },
    charging_profile_period: {
      type: 'array',
      items: { type: 'object', required: ['start_period', 'limit'], properties: { start_period: { type: 'integer', minimum: 0 }, limit: { type: 'number', minimum: 0 } } },
    },
  },
} as const;

export function createChargingProfilesModule(deps: { roaming: Roaming }): OcpiModule {
  return {
    identifier: 'chargingprofiles',
    role: 'RECEIVER',
    versions: ['2.2.1'],
    register(app, _version, env) {
      const poster = resultPoster(deps.roaming, env);
      const commands = () => {
        if (!deps.roaming.commands) throw new OcpiError('server_error', 'charging profiles are not available');
        return deps.roaming.commands;
      };
      const answer = (result: CommandAnswer, partnerId: string, kind: ResultKind) => {
        if (result.result === 'UNKNOWN_LOCATION') throw new OcpiError('unknown_location', result.message);
        if (result.result === 'ACCEPTED') poster.remember(result.commandId, partnerId, kind);
        return ok({ result: result.result, timeout: result.timeoutS });
      };

      app.get<{ Params: { session_id: string }; Querystring: { duration: number; response_url: string } }>(
        '/:session_id',
        { schema: { params: PARAMS, querystring: { type: 'object', required: ['duration', 'response_url'], properties: { duration: { type: 'integer', minimum: 1 }, response_url: RESPONSE_URL } } } },
        async (request) => {
          const ctx = ocpiContext(request);
          const result = await commands().getActiveChargingProfile(callerParty(ctx), { sessionId: request.params.session_id, responseUrl: request.query.response_url, durationS: request.query.duration });
          return answer(result, ctx.partner.id, 'get_profile');
        },
      );

      app.put<{ Params: { session_id: string }; Body: { charging_profile: RoamingChargingProfile; response_url: string } }>(
        '/:session_id',
        { schema: { params: PARAMS, body: { type: 'object', required: ['charging_profile', 'response_url'], properties: { charging_profile: PROFILE, response_url: RESPONSE_URL } } } },
        async (request) => {
          const ctx = ocpiContext(request);
          const result = await commands().setChargingProfile(callerParty(ctx), { sessionId: request.params.session_id, responseUrl: request.body.response_url, profile: request.body.charging_profile });
          return answer(result, ctx.partner.id, 'set_profile');
        },
      );

      app.delete<{ Params: { session_id: string }; Querystring: { response_url: string } }>(
        '/:session_id',
        { schema: { params: PARAMS, querystring: { type: 'object', required: ['response_url'], properties: { response_url: RESPONSE_URL } } } },
        async (request) => {
          const ctx = ocpiContext(request);
          const result = await commands().clearChargingProfile(callerParty(ctx), { sessionId: request.params.session_id, responseUrl: request.query.response_url });
          return answer(result, ctx.partner.id, 'clear_profile');
        },
      );
    },
  };
}
