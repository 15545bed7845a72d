/**
 * The push outbox: modules enqueue what partners must receive (a changed Location, a new CDR ...); the worker in
 * src/ocpi/outbox-worker.ts delivers each partner's entries in order. Entries are stored before enqueue resolves,
 * so nothing is lost while a partner is down or Joule restarts.
 */
import type { JsonValue } from '../model.ts';
import { OcpiFailure } from './errors.ts';
import type { OutboxEntry, OutboxMethod, Partner, PartyRef } from './model.ts';
import type { OcpiOutboxRepository, OcpiPartnerRepository, OutboxFilter } from './ports.ts';

export interface PushRequest {
  /** One partner; omitted: every registered partner with a RECEIVER endpoint for `module`. */
  partnerId?: string;
  module: string;
  method: OutboxMethod;
  /** Appended to the partner's module endpoint URL, e.g. "/NL/JOU/LOC1" (leading slash). */
  path: string;
  body?: JsonValue | null;
  /** Our party the push comes from (default: the partner's default party). */
  fromParty?: PartyRef | null;
}

/** The partner's endpoint that receives pushes of `module` (2.1.1 endpoints have no role: any match). */
export function receiverEndpoint(partner: Partner, module: string): string | undefined {
  return partner.endpoints.find((e) => e.identifier === module && (e.role === 'RECEIVER' || e.role === null))?.url;
}

export class OcpiOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly partners: OcpiPartnerRepository,
    private readonly entries: OcpiOutboxRepository,
  ) {}

  /** Stores the push for each target partner (none when no registered partner receives the module). */
  async enqueue(request: PushRequest): Promise<OutboxEntry[]> {
    if (!request.path.startsWith('/') && request.path !== '') throw new OcpiFailure('invalid', `outbox path must start with '/': ${request.path}`);
    let targets: Partner[];
    if (request.partnerId !== undefined) {
      const partner = await this.partners.get(request.partnerId);
      if (!partner) throw new OcpiFailure('unknown_partner', `OCPI partner ${request.partnerId} not found`);
      if (partner.status !== 'REGISTERED') throw new OcpiFailure('not_registered', `OCPI partner ${request.partnerId} is not registered`);
      targets = [partner];
    } else {
      targets = (await this.partners.list()).filter((p) => p.status === 'REGISTERED' && receiverEndpoint(p, request.module) !== undefined);
    }
    if (targets.length === 0) return [];
    const stored = await this.entries.enqueue(
      targets.map((p) => ({
        partnerId: p.id,
        module: request.module,
        method: request.method,
        path: request.path,
        body: request.body ?? null,
        fromParty: request.fromParty ?? null,
      })),
    );
    for (const listener of this.listeners) listener();
    return stored;
  }

  list(filter?: OutboxFilter): Promise<OutboxEntry[]> {
    return this.entries.list(filter);
  }

  /** The worker subscribes to be woken when something is enqueued. */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
