/**
 * The contract between the RPC endpoint and schema validation. The implementation (schemas/) compiles the
 * official OCA schemas once at start; the endpoint only asks these questions.
 */
import type { RpcErrorCode } from './errors.ts';
import type { OcppVersion } from './types.ts';

export type PayloadKind = 'request' | 'response';

/** Why a payload was refused, already mapped to the RPC error code the spec wants. */
export interface ValidationFailure {
  code: RpcErrorCode;
  /** Human-readable, e.g. "/idTag must NOT have more than 20 characters". */
  message: string;
  /** JSON pointers of the failing fields. */
  fields: string[];
}

export interface PayloadValidator {
  /** True when `action` exists in the official message set of `version` (NotImplemented otherwise). */
  hasAction(version: OcppVersion, action: string): boolean;
  /** True when the action's message has a response (false for 2.1 SEND-only messages such as NotifyPeriodicEventStream). */
  hasResponse(version: OcppVersion, action: string): boolean;
  /**
   * null when valid. The quirk layer (our corrections for known schema defects and real-charger habits, e.g. a
   * decimal `multipleOf` that rejects 8.1) is always applied; the official schema objects are never edited.
   */
  validate(version: OcppVersion, action: string, kind: PayloadKind, payload: unknown): ValidationFailure | null;
}

/** How an endpoint treats schema violations in what it receives. Outgoing messages are always strict. */
export type Strictness = 'strict' | 'lenient';
