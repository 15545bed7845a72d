/**
 * Commands, CPO = Receiver (mod_commands), 2.2.1 and 2.1.1: POST {commands}/{command}. The answer is synchronous
 * (CommandResponse: ACCEPTED with a timeout when the request could be forwarded, REJECTED when the station is
 * offline, UNKNOWN_SESSION, NOT_SUPPORTED for commands the version lacks; OCPI 2003 for an unknown location); the
 * CommandResult follows at response_url (commands-results.ts). 2.1.1 has no CANCEL_RESERVATION, an integer
 * reservation_id, tokens without owner (the caller's party) and a CommandResponse of `result` only.
 */
import type { FastifyRequest } from 'fastify';
import type { OcpiVersion } from '../../domain/ocpi/model.ts';
import type { CommandAnswer, Roaming } from '../../domain/roaming/index.ts';
import type { Party } from '../../domain/roaming/model.ts';
import { OcpiError, invalidField, ok } from '../status.ts';
import { ocpiContext, type OcpiModule } from '../types.ts';
import { resultPoster } from './commands-results.ts';
import { callerParty } from './sessions-partners.ts';
import { tokenFromJson, tokenSchema } from './tokens-format.ts';

const URL_FIELD = { type: 'string', minLength: 1, maxLength: 255, pattern: '^https?://' } as const;
const ID = { type: 'string', minLength: 1, maxLength: 36 } as const;
const DATE_TIME = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$' } as const;

function schemas(version: OcpiVersion): Record<string, object> {
  const token = tokenSchema(version);
  const reservationId = version === '2.1.1' ? { type: 'integer', minimum: 0 } : ID;
  return {
    START_SESSION: { type: 'object', required: ['response_url', 'token', 'location_id'], properties: { response_url: URL_FIELD, token, location_id: ID, evse_uid: ID, connector_id: ID, authorization_reference: ID } },
    STOP_SESSION: { type: 'object', required: ['response_url', 'session_id'], properties: { response_url: URL_FIELD, session_id: ID } },
    RESERVE_NOW: {
      type: 'object',
      required: ['response_url', 'token', 'expiry_date', 'reservation_id', 'location_id'],
      properties: { response_url: URL_FIELD, token, expiry_date: DATE_TIME, reservation_id: reservationId, location_id: ID, evse_uid: ID, authorization_reference: ID },
    },
    ...(version === '2.2.1' ? { CANCEL_RESERVATION: { type: 'object', required: ['response_url', 'reservation_id'], properties: { response_url: URL_FIELD, reservation_id: ID } } } : {}),
    UNLOCK_CONNECTOR: { type: 'object', required: ['response_url', 'location_id', 'evse_uid', 'connector_id'], properties: { response_url: URL_FIELD, location_id: ID, evse_uid: ID, connector_id: ID } },
  };
}

type Body = Record<string, unknown>;

/** mod_commands: the CPO SHALL NOT validate the token (the eMSP did); it is only copied into Session and CDR. */
function tokenOf(body: Body, version: OcpiVersion, caller: Party) {
  return tokenFromJson(body.token as Body, version, caller);
}

function optional(body: Body, field: string, key: string): Record<string, string> {
  return typeof body[field] === 'string' ? { [key]: body[field] as string } : {};
}

export function createCommandsModule(deps: { roaming: Roaming }): OcpiModule {
  return {
    identifier: 'commands',
    role: 'RECEIVER',
    versions: ['2.2.1', '2.1.1'],
    register(app, version, env) {
      const poster = resultPoster(deps.roaming, env);
      const bodies = schemas(version);

      for (const [name, schema] of Object.entries(bodies)) {
        app.post(`/${name}`, { schema: { body: schema } }, async (request: FastifyRequest) => {
          const ctx = ocpiContext(request);
          const commands = deps.roaming.commands;
          if (!commands) throw new OcpiError('server_error', 'commands are not available');
          const caller = callerParty(ctx);
          const body = request.body as Body;
          const responseUrl = body.response_url as string;
          let answer: CommandAnswer;
          switch (name) {
            case 'START_SESSION':
              answer = await commands.startSession(caller, {
                responseUrl,
                token: tokenOf(body, version, caller),
                locationId: body.location_id as string,
                ...optional(body, 'evse_uid', 'evseUid'),
                ...optional(body, 'connector_id', 'connectorId'),
                ...optional(body, 'authorization_reference', 'authorizationReference'),
              });
              break;
            case 'STOP_SESSION':
              answer = await commands.stopSession(caller, { responseUrl, sessionId: body.session_id as string });
              break;
            case 'RESERVE_NOW': {
              const expiry = new Date(body.expiry_date as string);
              if (Number.isNaN(expiry.getTime()) || expiry.getTime() <= Date.now()) throw invalidField('expiry_date', 'must be a date-time in the future');
              answer = await commands.reserveNow(caller, {
                responseUrl,
                token: tokenOf(body, version, caller),
                expiryDate: expiry,
                reservationId: String(body.reservation_id),
                locationId: body.location_id as string,
                ...optional(body, 'evse_uid', 'evseUid'),
                ...optional(body, 'authorization_reference', 'authorizationReference'),
              });
              break;
            }
            case 'CANCEL_RESERVATION':
              answer = await commands.cancelReservation(caller, { responseUrl, reservationId: body.reservation_id as string });
              break;
            default:
              answer = await commands.unlockConnector(caller, { responseUrl, locationId: body.location_id as string, evseUid: body.evse_uid as string, connectorId: body.connector_id as string });
          }
          if (answer.result === 'UNKNOWN_LOCATION') throw new OcpiError('unknown_location', answer.message);
          if (answer.result === 'ACCEPTED') poster.remember(answer.commandId, ctx.partner.id, 'command');
          if (version === '2.1.1') return ok({ result: answer.result });
          return ok({ result: answer.result, timeout: answer.timeoutS, ...('message' in answer ? { message: [{ language: 'en', text: answer.message }] } : {}) });
        });
      }

      // A command this version does not have (2.1.1 CANCEL_RESERVATION, or a typo): NOT_SUPPORTED, not 404.
      app.post<{ Params: { command: string } }>('/:command', async (request) => {
        ocpiContext(request);
        return ok(version === '2.1.1' ? { result: 'NOT_SUPPORTED' } : { result: 'NOT_SUPPORTED', timeout: 0, message: [{ language: 'en', text: `${request.params.command} is not supported` }] });
      });
    },
  };
}
