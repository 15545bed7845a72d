/**
 * Transactions (2.0.1 block E, 1.6 §4.8/§4.10): every transaction message becomes one TransactionEventInput and is
 * applied atomically and idempotently by the repository, keyed by (station, transactionId, seqNo) (E01.FR.08,
 * E §1.3.1). The caller answers the station only after `record` resolved, i.e. after the commit: a crash before
 * it means the station resends (E13), and the resend is recognised as a duplicate, so nothing is lost or counted
 * twice. Domain events are published for what was newly stored, never for duplicates.
 */
import type { DomainEvents } from '../events.ts';
import type { Transaction } from '../model.ts';
import type { ApplyEventResult, LegacyStartInput, TransactionEventInput, TransactionRepository } from '../ports.ts';
import type { Logger } from '../../shared/logger.ts';

export interface TransactionServiceDeps {
  transactions: TransactionRepository;
  events: DomainEvents;
  logger: Logger;
  now?: () => Date;
}

export class TransactionService {
  private readonly now: () => Date;

  constructor(private readonly deps: TransactionServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Stores one event (any order, any number of times) and resolves once it is committed. */
  async record(event: TransactionEventInput): Promise<ApplyEventResult> {
    const result = await this.deps.transactions.applyEvent(event);
    if (!result.duplicate) this.announce(event.eventType, result.transaction);
    return result;
  }

  /** 1.6 StartTransaction: the repository assigns the integer id; a retried start gets the same id back. */
  async startLegacy(start: LegacyStartInput): Promise<ApplyEventResult> {
    const result = await this.deps.transactions.startLegacy(start);
    if (!result.duplicate) this.announce('Started', result.transaction);
    return result;
  }

  get(stationId: string, transactionId: string): Promise<Transaction | undefined> {
    return this.deps.transactions.get(stationId, transactionId);
  }

  private announce(eventType: TransactionEventInput['eventType'], transaction: Transaction): void {
    // J02.FR.16: registers only increase within a transaction (meter replacement aside); flag, never hide.
    if (transaction.energyWh !== null && transaction.energyWh < 0) {
      this.deps.logger.warn(
        { station: transaction.stationId, transactionId: transaction.transactionId, meterStartWh: transaction.meterStartWh, meterStopWh: transaction.meterStopWh },
        'energy register decreased during the transaction (meter replaced or faulty?): energy is negative',
      );
    }
    const at = this.now();
    if (eventType === 'Started') this.deps.events.publish({ type: 'transaction.started', transaction, at });
    else if (eventType === 'Ended') this.deps.events.publish({ type: 'transaction.ended', transaction, at });
    else this.deps.events.publish({ type: 'transaction.updated', transaction, at });
  }
}
