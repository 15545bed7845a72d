/**
 * GET /events: Server-Sent Events of every domain event (`event: <type>`, `data: <JSON>`), optionally filtered
 * by type and station. Each client is one DomainEvents subscription, removed when the client goes away or the
 * server closes. A client that stops reading is dropped once its unsent backlog passes MAX_BACKLOG_BYTES
 * (publishing never waits for a reader).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { DomainEvent, DomainEventType } from '../../domain/events.ts';
import { errorResponses } from '../errors.ts';
import type { ApiDeps } from '../index.ts';
import { eventStationId, presentEvent } from '../presenters.ts';
import { stationIdSchema } from '../schemas.ts';

export const EVENT_TYPES = [
  'station.connected',
  'station.disconnected',
  'station.booted',
  'connector.status',
  'transaction.started',
  'transaction.updated',
  'transaction.ended',
  'command.completed',
] as const satisfies readonly DomainEventType[];

// Compile-time check that the list names every event type.
type Missing = Exclude<DomainEventType, (typeof EVENT_TYPES)[number]>;
const everyTypeListed: Missing extends never ? true : never = true;
void everyTypeListed;

const MAX_BACKLOG_BYTES = 1 << 20;
const typePattern = EVENT_TYPES.map((t) => t.replace('.', '\\.')).join('|');

/** Open streams, so closing the server can end them (otherwise it would wait for the clients forever). */
export class EventStreams {
  private readonly open = new Set<() => void>();

  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  get size(): number {
    return this.open.size;
  }

  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}

export function eventRoutes(api: FastifyInstance, deps: ApiDeps, streams: EventStreams): void {
  const keepAliveMs = deps.sseKeepAliveMs ?? 15_000;

  api.get<{ Querystring: { types?: string; station?: string } }>(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live domain events (Server-Sent Events)',
        description: `Each event: \`event: <type>\` and \`data: <JSON>\`; comment lines keep the connection alive. Types: ${EVENT_TYPES.join(', ')}.`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            types: { type: 'string', pattern: `^(${typePattern})(,(${typePattern}))*$`, description: 'Comma-separated event types (default: all)' },
            station: stationIdSchema,
          },
        },
        response: {
          200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errorResponses(400),
        },
      },
    },
    (request, reply) => {
      const types = request.query.types ? new Set(request.query.types.split(',')) : undefined;
      const station = request.query.station;
      const res: ServerResponse = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n: connected\n\n');

      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(keepAlive);
        forget();
        if (!res.writableEnded) res.end();
      };
      const send = (chunk: string): void => {
        if (ended) return;
        if (res.writableLength > MAX_BACKLOG_BYTES) {
          deps.logger.warn({ reqId: request.id }, 'event stream client too slow; dropping it');
          end();
          return;
        }
        res.write(chunk);
      };
      const unsubscribe = deps.events.subscribe((event: DomainEvent) => {
        if (types && !types.has(event.type)) return;
        if (station !== undefined && eventStationId(event) !== station) return;
        send(`event: ${event.type}\ndata: ${JSON.stringify(presentEvent(event))}\n\n`);
      });
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), keepAliveMs);
      keepAlive.unref();
      const forget = streams.add(end);
      // The response's 'close' fires when the client goes away (the request's 'close' fires once it is read).
      res.on('close', end);
      res.on('error', end);
    },
  );
}
