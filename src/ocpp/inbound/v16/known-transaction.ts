/**
 * Whether a 1.6 transactionId names a transaction we stored. It must be checked before a MeterValues or
 * StopTransaction is applied: applying an event creates its transaction, and a made-up id (lost start, -1 per
 * errata 3.18, a restored CSMS) must not become a transaction that a later StartTransaction's id runs into.
 */
import type { Session } from '../../session.ts';
import type { InboundContext } from '../context.ts';

export async function knownTransaction(context: InboundContext, session: Session, transactionId: string): Promise<{ evseId: number | null } | undefined> {
  const cached = session.legacyTransactions.get(transactionId);
  if (cached !== undefined) return { evseId: cached };
  const stored = await context.services.transactions.get(session.identity, transactionId);
  if (!stored) return undefined;
  session.legacyTransactions.set(transactionId, stored.evseId);
  return { evseId: stored.evseId };
}
