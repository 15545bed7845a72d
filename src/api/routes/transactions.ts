/** /transactions (list with filters, detail with meter values, events and energy) and /messages (the OCPP message log). */
import type { FastifyInstance } from 'fastify';
import type { Transaction, TransactionState } from '../../domain/model.ts';
import { errorResponses, notFound } from '../errors.ts';
import type { ApiDeps } from '../index.ts';
import { presentMessage, presentTransaction, presentTransactionDetail } from '../presenters.ts';
import {
  MAX_LIMIT,
  dateTimeSchema,
  fetchPage,
  idTokenValueSchema,
  messageResponse,
  offsetPage,
  pageQueryProperties,
  pkSchema,
  stationIdSchema,
  transactionDetailResponse,
  transactionResponse,
  type PageQuery,
} from '../schemas.ts';

interface TransactionQuery extends PageQuery {
  station?: string;
  state?: TransactionState;
  idToken?: string;
  from?: string;
  to?: string;
}

interface MessageQuery {
  station?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const transactionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    station: stationIdSchema,
    state: { type: 'string', enum: ['active', 'completed'] },
    idToken: idTokenValueSchema,
    from: { ...dateTimeSchema, description: 'Started at or after' },
    to: { ...dateTimeSchema, description: 'Started before' },
    ...pageQueryProperties,
  },
} as const;

const messageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    station: stationIdSchema,
    action: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]+$' },
    from: { ...dateTimeSchema, description: 'Logged at or after' },
    to: { ...dateTimeSchema, description: 'Logged before' },
    limit: pageQueryProperties.limit,
    cursor: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'nextCursor of the previous page' },
  },
} as const;

const optionalDate = (value: string | undefined): Date | undefined => (value === undefined ? undefined : new Date(value));

export function transactionRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { transactions, meterValues, messageLog } = deps.repos;

  const detail = async (transaction: Transaction) => {
    const [samples, events] = await Promise.all([meterValues.listForTransaction(transaction.id), transactions.listEvents(transaction.id)]);
    return presentTransactionDetail(transaction, samples, events);
  };

  api.get<{ Querystring: TransactionQuery }>(
    '/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary: 'List transactions, newest first',
        querystring: transactionQuery,
        response: { 200: offsetPage(transactionResponse), ...errorResponses(400) },
      },
    },
    async (request) => {
      const { station, state, idToken, from, to } = request.query;
      return fetchPage(
        request.query,
        (page) => transactions.list({ ...page, stationId: station, state, idToken, from: optionalDate(from), to: optionalDate(to) }),
        presentTransaction,
      );
    },
  );

  api.get<{ Params: { id: number } }>(
    '/transactions/:id',
    {
      schema: {
        tags: ['transactions'],
        summary: 'A transaction with its meter values, events and energy',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: pkSchema } },
        response: { 200: transactionDetailResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const transaction = await transactions.getById(request.params.id);
      if (!transaction) throw notFound('transaction', request.params.id);
      return detail(transaction);
    },
  );

  api.get<{ Params: { id: string; transactionId: string } }>(
    '/stations/:id/transactions/:transactionId',
    {
      schema: {
        tags: ['transactions'],
        summary: "A transaction by the station's transactionId",
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'transactionId'],
          properties: { id: stationIdSchema, transactionId: { type: 'string', minLength: 1, maxLength: 36 } },
        },
        response: { 200: transactionDetailResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { id, transactionId } = request.params;
      const transaction = await transactions.get(id, transactionId);
      if (!transaction) throw notFound('transaction', `${id}/${transactionId}`);
      return detail(transaction);
    },
  );

  api.get<{ Querystring: MessageQuery }>(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'OCPP message log, newest first (keyset pagination with cursor)',
        querystring: messageQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: messageResponse },
              limit: { type: 'integer' },
              nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page; null on the last page.' },
            },
          },
          ...errorResponses(400),
        },
      },
    },
    async (request) => {
      const { station, action, from, to, limit, cursor } = request.query;
      // The log is written behind; flush so what was exchanged before this request is visible.
      await messageLog.flush();
      const rows = await messageLog.list({
        stationId: station,
        action,
        from: optionalDate(from),
        to: optionalDate(to),
        beforeId: cursor === undefined ? undefined : Number(cursor),
        limit: Math.min(limit + 1, MAX_LIMIT + 1),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(presentMessage), limit, nextCursor: rows.length > limit && last ? String(last.id) : null };
    },
  );
}
