/** Asynchronous operator commands and their outcome. */
import { sql, type Selectable } from 'kysely';
import { NotFoundError } from '../../domain/errors.ts';
import type { CommandJob, CommandJobStatus, JsonValue } from '../../domain/model.ts';
import type { CommandJobRepository } from '../../domain/ports.ts';
import type { CommandJobsTable } from '../schema.ts';
import { isForeignKeyViolation, pageOf, toJson, toJsonOrNull, type Executor } from './convert.ts';

function toJob(row: Selectable<CommandJobsTable>): CommandJob {
  return {
    id: row.id,
    stationId: row.station_id,
    action: row.action,
    request: row.request as JsonValue,
    status: row.status as CommandJobStatus,
    response: row.response as JsonValue | null,
    error: row.error as JsonValue | null,
    webhookUrl: row.webhook_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createCommandJobRepository(db: Executor): CommandJobRepository {
  return {
    async create(job) {
      try {
        const row = await db
          .insertInto('command_jobs')
          .values({ id: job.id, station_id: job.stationId, action: job.action, request: toJson(job.request), webhook_url: job.webhookUrl ?? null })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toJob(row);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new NotFoundError('station', job.stationId);
        throw err;
      }
    },

    async get(id) {
      if (!UUID.test(id)) return undefined;
      const row = await db.selectFrom('command_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },

    async update(id, patch) {
      if (!UUID.test(id)) return undefined;
      const row = await db
        .updateTable('command_jobs')
        .set({
          status: patch.status,
          response: patch.response === undefined ? undefined : toJsonOrNull(patch.response),
          error: patch.error === undefined ? undefined : toJsonOrNull(patch.error),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },

    async list(filter) {
      const { limit, offset } = pageOf(filter);
      let query = db.selectFrom('command_jobs').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset);
      if (filter?.stationId !== undefined) query = query.where('station_id', '=', filter.stationId);
      if (filter?.status !== undefined && filter.status.length > 0) query = query.where('status', 'in', [...filter.status]);
      return (await query.execute()).map(toJob);
    },
  };
}
