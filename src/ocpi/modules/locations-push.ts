/**
 * Pushing catalogue changes to partners through the outbox (Locations and Tariffs Sender, "client" side): each
 * change becomes one request per registered partner that receives the module and talks to the object's CPO
 * party, in that partner's version's shape. Changes are handled one after the other, so the outbox (delivered
 * in order per partner) sees them in the order they happened.
 */
import type { CatalogChange, CatalogChanges } from '../../domain/locations/changes.ts';
import type { JsonValue } from '../../domain/model.ts';
import type { OutboxMethod, Partner, PartyRef } from '../../domain/ocpi/model.ts';
import { receiverEndpoint } from '../../domain/ocpi/outbox.ts';
import { resolveOurParty } from '../auth.ts';
import type { OcpiModuleEnv, OcpiVersion } from '../types.ts';

const same = (a: PartyRef, b: PartyRef): boolean => a.countryCode.toUpperCase() === b.countryCode.toUpperCase() && a.partyId.toUpperCase() === b.partyId.toUpperCase();

/** Registered partners with a receiver endpoint of `module` whose CPO party (ours they talk to) is `party`. */
export async function receivingPartners(env: OcpiModuleEnv, module: string, party: PartyRef): Promise<Partner[]> {
  const partners = await env.partnerService.list();
  return partners.filter((p) => p.status === 'REGISTERED' && p.version !== null && receiverEndpoint(p, module) !== undefined && same(resolveOurParty(undefined, p, env.parties), party));
}

export interface PushPlan {
  method: OutboxMethod;
  path: string;
  /** The body for a partner's version; undefined: nothing to send to partners of that version. */
  body(version: OcpiVersion): JsonValue | null | undefined;
}

/** Enqueues `plan` for every partner receiving `module` for `party`. */
export async function pushToPartners(env: OcpiModuleEnv, module: string, party: PartyRef, plan: PushPlan): Promise<number> {
  let count = 0;
  for (const partner of await receivingPartners(env, module, party)) {
    const body = plan.body(partner.version ?? '2.2.1');
    if (body === undefined) continue;
    await env.outbox.enqueue({ partnerId: partner.id, module, method: plan.method, path: plan.path, body, fromParty: { countryCode: party.countryCode, partyId: party.partyId } });
    count++;
  }
  return count;
}

/** Runs async jobs one at a time in submission order; failures are logged, never stop the queue. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  add(job: () => Promise<void>): void {
    this.tail = this.tail.then(job).catch(this.onError);
  }

  idle(): Promise<void> {
    return this.tail;
  }
}

const queues = new WeakMap<CatalogChanges, SerialQueue>();

/**
 * The one queue of every module that pushes changes of this catalogue: a tariff DELETE must not overtake the EVSE
 * PUT (enqueued just before it) that takes the tariff off a connector.
 */
export function catalogQueue(changes: CatalogChanges, env: OcpiModuleEnv): SerialQueue {
  let queue = queues.get(changes);
  if (!queue) {
    queue = new SerialQueue((error) => env.logger.error({ err: error }, 'OCPI catalogue push failed'));
    queues.set(changes, queue);
  }
  return queue;
}

/** Pushes every change of the catalogue through its shared queue; returns that queue (for `idle()`). */
export function followCatalog(changes: CatalogChanges, env: OcpiModuleEnv, push: (change: CatalogChange) => Promise<void>): SerialQueue {
  const queue = catalogQueue(changes, env);
  changes.subscribe((change) => queue.add(() => push(change)));
  return queue;
}

/** "/NL/JOU/LOC1/EVSE1": path segments percent-encoded. */
export function objectPath(...segments: string[]): string {
  return segments.map((s) => `/${encodeURIComponent(s)}`).join('');
}
