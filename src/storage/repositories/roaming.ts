/** Roaming storage: partner tokens, real-time authorizations, partner commands and reservations, sessions, CDRs. */
import { sql, type Kysely, type Selectable } from 'kysely';
import { AlreadyExistsError } from '../../domain/errors.ts';
import type { JsonValue } from '../../domain/model.ts';
import type {
  AllowedType,
  CdrObject,
  ClientInfo,
  Party,
  PartnerToken,
  RemoteAuthorizationRecord,
  RoamingCdr,
  RoamingCommand,
  RoamingCommandType,
  RoamingListFilter,
  RoamingSession,
  SessionObject,
  SessionStatus,
  TokenObject,
  TokenType,
} from '../../domain/roaming/model.ts';
import type { RoamingRepository } from '../../domain/roaming/ports.ts';
import type { DB } from '../schema.ts';
import { isUniqueViolation, toJson, type Executor } from './convert.ts';
import type { RoamingTables } from './roaming-schema.ts';
import { createTokenRepository } from './tokens.ts';

type RoamingDb = Kysely<DB & RoamingTables>;
type Row<T extends keyof RoamingTables> = Selectable<RoamingTables[T]>;

const party = (countryCode: string, partyId: string): Party => ({ countryCode, partyId });
const upper = (p: Party): Party => ({ countryCode: p.countryCode.toUpperCase(), partyId: p.partyId.toUpperCase() });
const json = (value: unknown): string => toJson(value as JsonValue);

function toPartnerToken(row: Row<'roaming_tokens'>): PartnerToken {
  return { idTokenPk: row.id_token_pk, token: row.object as unknown as TokenObject };
}

function toCommand(row: Row<'roaming_commands'>): RoamingCommand {
  return {
    id: row.id,
    emsp: party(row.country_code, row.party_id),
    command: row.command as RoamingCommandType,
    responseUrl: row.response_url,
    request: row.request,
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    tokenUid: row.token_uid,
    remoteStartId: row.remote_start_id,
    sessionId: row.session_id,
    result: row.result,
    resultSent: row.result_sent,
    createdAt: row.created_at,
  };
}

function toSession(row: Row<'roaming_sessions'>): RoamingSession {
  return {
    id: row.id,
    emsp: party(row.country_code, row.party_id),
    transactionPk: row.transaction_pk,
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    remoteStartId: row.remote_start_id,
    tokenUid: row.token_uid,
    status: row.status as SessionStatus,
    pendingUntil: row.pending_until,
    object: row.object as unknown as SessionObject,
    lastUpdated: row.last_updated,
  };
}

function toCdr(row: Row<'roaming_cdrs'>): RoamingCdr {
  return { id: row.id, emsp: party(row.country_code, row.party_id), sessionId: row.session_id, credit: row.credit, object: row.object as unknown as CdrObject, lastUpdated: row.last_updated };
}

function toAuthorization(row: Row<'roaming_authorizations'>): RemoteAuthorizationRecord {
  return {
    emsp: party(row.country_code, row.party_id),
    uid: row.uid,
    tokenType: row.token_type as TokenType,
    allowed: row.allowed as AllowedType,
    authorizationReference: row.authorization_reference,
    token: row.token as unknown as TokenObject,
    createdAt: row.created_at,
  };
}

function toClientInfo(row: Row<'roaming_client_infos'>): ClientInfo {
  return { countryCode: row.country_code, partyId: row.party_id, partnerId: row.partner_id, role: row.role, status: row.status as ClientInfo['status'], lastUpdated: row.last_updated };
}

export function createRoamingRepository(base: Kysely<DB>): RoamingRepository {
  const db: RoamingDb = base.withTables<RoamingTables>();

  /** Filters of list queries on the Sender endpoints: owner parties and the [from, to) window on last_updated. */
  async function page<T extends 'roaming_sessions' | 'roaming_cdrs'>(table: T, filter: RoamingListFilter): Promise<{ rows: Row<T>[]; total: number }> {
    // The two tables share the filtered columns; Kysely cannot see that through the generic table name.
    const from = db.selectFrom(table as 'roaming_sessions');
    let query = from;
    if (filter.parties !== undefined) {
      const parties = filter.parties.map(upper);
      if (parties.length === 0) return { rows: [], total: 0 };
      query = query.where((eb) => eb.or(parties.map((p) => eb.and([eb('country_code', '=', p.countryCode), eb('party_id', '=', p.partyId)]))));
    }
    if (filter.cpo !== undefined) {
      const cpo = upper(filter.cpo);
      query = query.where(sql<string>`object->>'country_code'`, '=', cpo.countryCode).where(sql<string>`object->>'party_id'`, '=', cpo.partyId);
    }
    if (filter.from !== undefined) query = query.where('last_updated', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('last_updated', '<', filter.to);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('last_updated').orderBy('seq').limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows as unknown as Row<T>[], total: Number(count.n) };
  }

  return {
    async putToken(token, idToken) {
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('id_tokens').select(['id', 'source']).where('id_token', '=', idToken.idToken).where('type', '=', idToken.type).executeTakeFirst();
        if (existing && existing.source !== idToken.source) throw new AlreadyExistsError('id token', `${idToken.idToken} (${idToken.type}) of ${existing.source}`);
        // The token repository only touches id_tokens, which both schemas share.
        const row = await createTokenRepository(trx as unknown as Executor).upsert(idToken);
        const values = {
          country_code: token.country_code.toUpperCase(),
          party_id: token.party_id.toUpperCase(),
          uid: token.uid,
          token_type: token.type,
          contract_id: token.contract_id,
          whitelist: token.whitelist,
          valid: token.valid,
          object: json(token),
          last_updated: new Date(token.last_updated),
        };
        const before = await trx.selectFrom('roaming_tokens').select('id_token_pk').where('id_token_pk', '=', row.id).executeTakeFirst();
        await trx
          .insertInto('roaming_tokens')
          .values({ id_token_pk: row.id, ...values })
          .onConflict((oc) => oc.column('id_token_pk').doUpdateSet(values))
          .execute();
        return { created: before === undefined, token: { idTokenPk: row.id, token } };
      });
    },

    async getToken(emsp, uid, type) {
      const p = upper(emsp);
      const row = await db.selectFrom('roaming_tokens').selectAll().where('country_code', '=', p.countryCode).where('party_id', '=', p.partyId).where('uid', '=', uid).where('token_type', '=', type).executeTakeFirst();
      return row && toPartnerToken(row);
    },

    async getTokenByIdTokenPk(idTokenPk) {
      const row = await db.selectFrom('roaming_tokens').selectAll().where('id_token_pk', '=', idTokenPk).executeTakeFirst();
      return row && toPartnerToken(row);
    },

    async recordAuthorization(record) {
      const p = upper(record.emsp);
      await db
        .insertInto('roaming_authorizations')
        .values({
          country_code: p.countryCode,
          party_id: p.partyId,
          uid: record.uid,
          token_type: record.tokenType,
          allowed: record.allowed,
          authorization_reference: record.authorizationReference,
          token: json(record.token),
        })
        .execute();
    },

    async latestAuthorization(uid, since) {
      const row = await db
        .selectFrom('roaming_authorizations')
        .selectAll()
        .where('uid', '=', uid)
        .where('allowed', '=', 'ALLOWED')
        .where('created_at', '>=', since)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toAuthorization(row);
    },

    async createCommand(c) {
      const p = upper(c.emsp);
      const row = await db
        .insertInto('roaming_commands')
        .values({
          id: c.id,
          country_code: p.countryCode,
          party_id: p.partyId,
          command: c.command,
          response_url: c.responseUrl,
          request: json(c.request),
          station_id: c.stationId,
          evse_id: c.evseId,
          connector_id: c.connectorId,
          token_uid: c.tokenUid,
          remote_start_id: c.remoteStartId ?? null,
          session_id: c.sessionId ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCommand(row);
    },

    async getCommand(id) {
      const row = await db.selectFrom('roaming_commands').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCommand(row);
    },

    async getCommandBySession(sessionId) {
      const row = await db.selectFrom('roaming_commands').selectAll().where('session_id', '=', sessionId).where('command', '=', 'START_SESSION').orderBy('created_at').executeTakeFirst();
      return row && toCommand(row);
    },

    async updateCommand(id, patch) {
      const row = await db
        .updateTable('roaming_commands')
        .set({
          ...(patch.result !== undefined ? { result: patch.result } : {}),
          ...(patch.resultSent !== undefined ? { result_sent: patch.resultSent } : {}),
          ...(patch.sessionId !== undefined ? { session_id: patch.sessionId } : {}),
          ...(patch.stationId !== undefined ? { station_id: patch.stationId } : {}),
          ...(patch.evseId !== undefined ? { evse_id: patch.evseId } : {}),
          ...(patch.remoteStartId !== undefined ? { remote_start_id: patch.remoteStartId } : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toCommand(row);
    },

    async hasRecentCommandToken(uid, since) {
      const row = await db
        .selectFrom('roaming_commands')
        .select('id')
        .where('token_uid', '=', uid)
        .where('command', 'in', ['START_SESSION', 'RESERVE_NOW'])
        .where('created_at', '>=', since)
        .where((eb) => eb.or([eb('result', 'is', null), eb('result', '=', 'ACCEPTED')]))
        .executeTakeFirst();
      return row !== undefined;
    },

    async latestCommandToken(uid, since) {
      const row = await db
        .selectFrom('roaming_commands')
        .selectAll()
        .where('token_uid', '=', uid)
        .where('command', 'in', ['START_SESSION', 'RESERVE_NOW'])
        .where('created_at', '>=', since)
        .where((eb) => eb.or([eb('result', 'is', null), eb('result', '=', 'ACCEPTED')]))
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      if (!row) return undefined;
      const request = row.request as { token?: TokenObject; authorizationReference?: string };
      if (!request.token) return undefined;
      return { emsp: party(row.country_code, row.party_id), token: request.token, authorizationReference: request.authorizationReference ?? null };
    },

    async putReservation(emsp, reservationId, ocppReservationId, responseUrl) {
      const p = upper(emsp);
      await db
        .insertInto('roaming_reservations')
        .values({ country_code: p.countryCode, party_id: p.partyId, reservation_id: reservationId, ocpp_reservation_id: ocppReservationId, response_url: responseUrl })
        .onConflict((oc) => oc.columns(['country_code', 'party_id', 'reservation_id']).doUpdateSet({ ocpp_reservation_id: ocppReservationId, response_url: responseUrl }))
        .execute();
    },

    async getReservation(emsp, reservationId) {
      const p = upper(emsp);
      const row = await db
        .selectFrom('roaming_reservations')
        .select(['ocpp_reservation_id', 'response_url'])
        .where('country_code', '=', p.countryCode)
        .where('party_id', '=', p.partyId)
        .where('reservation_id', '=', reservationId)
        .executeTakeFirst();
      return row && { ocppReservationId: row.ocpp_reservation_id, responseUrl: row.response_url };
    },

    async getReservationSession(emsp, reservationId) {
      const p = upper(emsp);
      const row = await db
        .selectFrom('roaming_commands')
        .select('session_id')
        .where('country_code', '=', p.countryCode)
        .where('party_id', '=', p.partyId)
        .where('command', '=', 'RESERVE_NOW')
        .where('session_id', 'is not', null)
        .where(sql<string>`request->>'reservationId'`, '=', reservationId)
        .orderBy('created_at')
        .executeTakeFirst();
      return row?.session_id ?? undefined;
    },

    async createSession(s) {
      const p = upper(s.emsp);
      const row = await db
        .insertInto('roaming_sessions')
        .values({
          id: s.id,
          transaction_pk: s.transactionPk,
          country_code: p.countryCode,
          party_id: p.partyId,
          station_id: s.stationId,
          evse_id: s.evseId,
          connector_id: s.connectorId,
          remote_start_id: s.remoteStartId,
          token_uid: s.tokenUid,
          status: s.status,
          pending_until: s.pendingUntil,
          object: json(s.object),
          last_updated: new Date(s.object.last_updated),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSession(row);
    },

    async updateSession(id, patch) {
      const row = await db
        .updateTable('roaming_sessions')
        .set({
          ...(patch.transactionPk !== undefined ? { transaction_pk: patch.transactionPk } : {}),
          ...(patch.evseId !== undefined ? { evse_id: patch.evseId } : {}),
          ...(patch.connectorId !== undefined ? { connector_id: patch.connectorId } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.pendingUntil !== undefined ? { pending_until: patch.pendingUntil } : {}),
          ...(patch.object !== undefined ? { object: json(patch.object), last_updated: new Date(patch.object.last_updated) } : {}),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toSession(row);
    },

    async getSession(id) {
      const row = await db.selectFrom('roaming_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSession(row);
    },

    async plainlyLocal(transactions) {
      if (transactions.length === 0) return new Set<number>();
      const input = JSON.stringify(transactions.map((t) => ({ id: t.id, station_id: t.stationId, id_token: t.idToken, id_token_type: t.idTokenType ?? undefined })));
      const { rows } = await sql<{ id: number }>`
        select t.id from json_to_recordset(${input}::json) as t(id integer, station_id text, id_token text, id_token_type text)
        where not exists (select 1 from roaming_sessions where transaction_pk = t.id)
          and not exists (select 1 from roaming_sessions where station_id = t.station_id and transaction_pk is null
                          and status in ('PENDING', 'INVALID', 'RESERVATION'))
          and coalesce(
                (select source from id_tokens where id_token = t.id_token and type = t.id_token_type),
                (select source from id_tokens where id_token = t.id_token order by source = 'local' desc, id limit 1)
              ) = 'local'
      `.execute(db);
      return new Set(rows.map((row) => row.id));
    },

    async getSessionByTransaction(transactionPk) {
      const row = await db.selectFrom('roaming_sessions').selectAll().where('transaction_pk', '=', transactionPk).executeTakeFirst();
      return row && toSession(row);
    },

    async deleteSession(id) {
      const result = await db.deleteFrom('roaming_sessions').where('id', '=', id).where('transaction_pk', 'is', null).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async findPendingSession(stationId, match) {
      let query = db.selectFrom('roaming_sessions').selectAll().where('station_id', '=', stationId).where('transaction_pk', 'is', null);
      query = query.where('status', 'in', match.remoteStartId !== undefined ? ['PENDING', 'INVALID'] : ['PENDING', 'RESERVATION']);
      if (match.remoteStartId !== undefined) query = query.where('remote_start_id', '=', match.remoteStartId);
      if (match.tokenUid !== undefined) query = query.where('token_uid', '=', match.tokenUid);
      if (match.evseId !== undefined && match.evseId !== null) {
        const evseId = match.evseId;
        query = query.where((eb) => eb.or([eb('evse_id', 'is', null), eb('evse_id', '=', evseId)]));
      }
      const row = await query.orderBy('seq').executeTakeFirst();
      return row && toSession(row);
    },

    async listExpiredPending(now) {
      const rows = await db.selectFrom('roaming_sessions').selectAll().where('status', 'in', ['PENDING', 'RESERVATION']).where('pending_until', '<', now).orderBy('seq').execute();
      return rows.map(toSession);
    },

    async listSessions(filter) {
      const { rows, total } = await page('roaming_sessions', filter);
      return { items: rows.map(toSession), total };
    },

    async insertCdr(c) {
      const p = upper(c.emsp);
      try {
        const row = await db
          .insertInto('roaming_cdrs')
          .values({
            id: c.id,
            session_id: c.sessionId,
            country_code: p.countryCode,
            party_id: p.partyId,
            credit: c.credit,
            credit_reference_id: c.creditReferenceId ?? null,
            object: json(c.object),
            last_updated: new Date(c.object.last_updated),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toCdr(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new AlreadyExistsError('cdr', c.id);
        throw error;
      }
    },

    async getCdr(id) {
      const row = await db.selectFrom('roaming_cdrs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCdr(row);
    },

    async listCdrsOfSession(sessionId) {
      const rows = await db.selectFrom('roaming_cdrs').selectAll().where('session_id', '=', sessionId).orderBy('seq').execute();
      return rows.map(toCdr);
    },

    async listCdrs(filter) {
      const { rows, total } = await page('roaming_cdrs', filter);
      return { items: rows.map(toCdr), total };
    },

    async putClientInfo(info) {
      const p = upper(info);
      const before = await db.selectFrom('roaming_client_infos').select('party_id').where('country_code', '=', p.countryCode).where('party_id', '=', p.partyId).executeTakeFirst();
      const values = { partner_id: info.partnerId, role: info.role, status: info.status, last_updated: info.lastUpdated };
      await db
        .insertInto('roaming_client_infos')
        .values({ country_code: p.countryCode, party_id: p.partyId, ...values })
        .onConflict((oc) => oc.columns(['country_code', 'party_id']).doUpdateSet(values))
        .execute();
      return { created: before === undefined };
    },

    async getClientInfo(who) {
      const p = upper(who);
      const row = await db.selectFrom('roaming_client_infos').selectAll().where('country_code', '=', p.countryCode).where('party_id', '=', p.partyId).executeTakeFirst();
      return row && toClientInfo(row);
    },

    async listClientInfos(partnerId) {
      let query = db.selectFrom('roaming_client_infos').selectAll().orderBy('country_code').orderBy('party_id');
      if (partnerId !== undefined) query = query.where('partner_id', '=', partnerId);
      return (await query.execute()).map(toClientInfo);
    },
  };
}
