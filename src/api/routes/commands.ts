/**
 * POST /stations/{id}/commands/{name}: synchronous (waits up to timeoutMs; 200 with the station's answer) or
 * asynchronous with ?async=true (202 + job id + Location; the job finishes in the background and its webhook,
 * if any, is called by the command service). GET /jobs and /jobs/{id} read the jobs.
 */
import type { FastifyInstance } from 'fastify';
import type { OperatorCommandName } from '../../domain/commands/types.ts';
import type { CommandJobStatus } from '../../domain/model.ts';
import { COMMANDS, commandBodySchema, commandPath, toCommand } from '../command-catalog.ts';
import { errorResponses, invalidField, notFound } from '../errors.ts';
import type { ApiDeps } from '../index.ts';
import { presentJob, presentOutcome } from '../presenters.ts';
import { commandOutcomeResponse, fetchPage, httpUrlSchema, jobResponse, offsetPage, pageQueryProperties, stationIdSchema, stationParams, uuidSchema, type PageQuery } from '../schemas.ts';

interface CommandQuery {
  async: boolean;
  timeoutMs?: number;
  webhookUrl?: string;
}

const commandQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    async: { type: 'boolean', default: false, description: 'Answer 202 with a job at once instead of waiting for the station.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 300_000, description: "How long to wait for the station's answer (default: ocpp.callTimeoutMs)." },
    webhookUrl: { ...httpUrlSchema, description: 'With async=true: POSTed the job when it finishes (may also be given in the body).' },
  },
} as const;

const jobStatusSchema = { type: 'string', enum: ['pending', 'sent', 'completed', 'failed', 'timeout'] } as const;

const COMMAND_ERRORS = errorResponses(400, 404, 409, 502, 504);

export function commandRoutes(api: FastifyInstance, deps: ApiDeps): void {
  for (const name of Object.keys(COMMANDS) as OperatorCommandName[]) {
    const spec = COMMANDS[name];
    const path = commandPath(name);
    api.post<{ Params: { id: string }; Querystring: CommandQuery; Body: Record<string, unknown> & { webhookUrl?: string } }>(
      `/stations/:id/commands/${path}`,
      {
        schema: {
          tags: ['commands'],
          operationId: `command_${name}`,
          summary: spec.summary,
          params: stationParams,
          querystring: commandQuery,
          body: commandBodySchema(spec),
          response: {
            200: { ...commandOutcomeResponse, description: "The station's answer" },
            202: {
              description: 'Job accepted (?async=true); see Location',
              type: 'object',
              properties: { jobId: { type: 'string' }, status: jobStatusSchema },
            },
            ...COMMAND_ERRORS,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { webhookUrl: bodyWebhook, ...fields } = request.body;
        const { async: isAsync, timeoutMs } = request.query;
        const webhookUrl = bodyWebhook ?? request.query.webhookUrl;
        if (webhookUrl !== undefined && !isAsync) throw invalidField('query', 'async', 'must be true when a webhookUrl is given');
        if (!(await deps.repos.stations.get(id))) throw notFound('station', id);
        const command = toCommand(name, fields);
        if (!isAsync) {
          const outcome = await deps.commands.run(id, command, timeoutMs === undefined ? {} : { timeoutMs });
          return presentOutcome(id, path, outcome);
        }
        const job = await deps.commands.submit(id, command, { ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(webhookUrl === undefined ? {} : { webhookUrl }) });
        void reply.code(202).header('location', `/api/v1/jobs/${job.id}`);
        return { jobId: job.id, status: job.status };
      },
    );
  }

  api.get<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        tags: ['commands'],
        summary: 'An asynchronous command job',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidSchema } },
        response: { 200: jobResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const job = await deps.commands.getJob(request.params.id);
      if (!job) throw notFound('job', request.params.id);
      return presentJob(job);
    },
  );

  api.get<{ Querystring: PageQuery & { station?: string; status?: CommandJobStatus } }>(
    '/jobs',
    {
      schema: {
        tags: ['commands'],
        summary: 'Command jobs, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { station: stationIdSchema, status: jobStatusSchema, ...pageQueryProperties },
        },
        response: { 200: offsetPage(jobResponse), ...errorResponses(400) },
      },
    },
    async (request) => {
      const { station, status } = request.query;
      return fetchPage(request.query, (page) => deps.commands.listJobs({ ...page, stationId: station, status: status === undefined ? undefined : [status] }), presentJob);
    },
  );
}
