/**
 * Typed handler table: one handler per (version, action), looked up by the endpoint for each incoming CALL.
 * A known action with no entry here is answered NotSupported by construction.
 */
import type { CallContext, CallHandler, HandlerLookup } from './endpoint.ts';
import type { ActionName, RequestOf, ResponseOf } from './generated/index.ts';
import type { OcppVersion } from './types.ts';

export type TypedHandler<V extends OcppVersion, A extends ActionName<V>> = (
  request: RequestOf<V, A>,
  context: CallContext,
) => ResponseOf<V, A> | Promise<ResponseOf<V, A>>;

export class HandlerRegistry implements HandlerLookup {
  /** version → action → handler; nested maps so a lookup allocates nothing. */
  private readonly table = new Map<OcppVersion, Map<string, CallHandler>>();

  /** Registers the handler of `action` for `version`; a second registration replaces the first. */
  on<V extends OcppVersion, A extends ActionName<V>>(version: V, action: A, handler: TypedHandler<V, A>): this {
    return this.onRaw(version, action, handler as unknown as CallHandler);
  }

  /** Registers an untyped handler (raw payloads), e.g. for wildcard forwarding or tests. */
  onRaw(version: OcppVersion, action: string, handler: CallHandler): this {
    let actions = this.table.get(version);
    if (!actions) this.table.set(version, (actions = new Map()));
    actions.set(action, handler);
    return this;
  }

  off(version: OcppVersion, action: string): this {
    this.table.get(version)?.delete(action);
    return this;
  }

  resolve(version: OcppVersion, action: string): CallHandler | undefined {
    return this.table.get(version)?.get(action);
  }
}

