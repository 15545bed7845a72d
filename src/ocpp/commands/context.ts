/**
 * What a translator gets: the station's negotiated version, typed calls that record every exchange for the
 * CommandOutcome, the repositories, and one deadline for the whole command (1.6 setVariables may take several
 * calls; together they may not take longer than the caller's timeout).
 */
import type { CommandOutcome, OperatorCommand, OperatorCommandName } from '../../domain/commands/types.ts';
import { CommandError } from '../../domain/commands/types.ts';
import type { JsonObject } from '../../domain/model.ts';
import type { Repositories } from '../../domain/ports.ts';
import type { OcppGateway } from '../../gateway/index.ts';
import type { ActionName, RequestOf, ResponseOf } from '../../protocol/generated/index.ts';
import type { OcppVersion } from '../../protocol/types.ts';
import type { Logger } from '../../shared/logger.ts';
import { toCommandError } from './errors.ts';

/** 2.1 stations get the 2.0.1 messages where they are the same; the schema of 2.1 still validates them. */
type V2 = 'ocpp2.0.1';

export interface CommandContext {
  readonly stationId: string;
  readonly version: OcppVersion;
  /** The station speaks OCPP 1.6. */
  readonly legacy: boolean;
  readonly repos: Repositories;
  readonly logger: Logger;
  call16<A extends ActionName<'ocpp1.6'>>(action: A, request: RequestOf<'ocpp1.6', A>): Promise<ResponseOf<'ocpp1.6', A>>;
  call2<A extends ActionName<V2>>(action: A, request: RequestOf<V2, A>): Promise<ResponseOf<V2, A>>;
  /** Any action of the station's version, as is (the endpoint validates it against the schema). */
  callRaw(action: string, request: JsonObject): Promise<JsonObject>;
  /**
   * Storage after the station answered: a failure is logged, not thrown, because the station has acted and an
   * error answer would make the operator repeat the command.
   */
  record(what: string, work: () => Promise<unknown>): Promise<void>;
}

/** What a translator returns; the calls come from the context. */
export interface Translated {
  status: string | undefined;
  result?: JsonObject;
}

export type CommandOf<N extends OperatorCommandName> = Extract<OperatorCommand, { name: N }>;
export type Translator<N extends OperatorCommandName> = (command: CommandOf<N>, context: CommandContext) => Promise<Translated>;

export interface RecordingContext extends CommandContext {
  readonly calls: CommandOutcome['calls'];
}

export function createContext(options: {
  gateway: OcppGateway;
  repos: Repositories;
  logger: Logger;
  stationId: string;
  version: OcppVersion;
  timeoutMs: number;
}): RecordingContext {
  const { gateway, stationId } = options;
  const deadline = Date.now() + options.timeoutMs;
  const calls: CommandOutcome['calls'] = [];

  const callRaw = async (action: string, request: JsonObject): Promise<JsonObject> => {
    const timeoutMs = deadline - Date.now();
    if (timeoutMs <= 0) throw new CommandError('timeout', `no time left for ${action} within ${options.timeoutMs} ms`);
    try {
      const response = await gateway.call(stationId, action, request, { timeoutMs });
      calls.push({ action, request, response });
      return response;
    } catch (error) {
      throw toCommandError(error, stationId, action);
    }
  };
  // The generated request/response types are plain JSON shapes; the endpoint validates both against the schema.
  const typed = <Res>(action: string, request: unknown): Promise<Res> => callRaw(action, request as JsonObject) as Promise<Res>;

  return {
    stationId,
    version: options.version,
    legacy: options.version === 'ocpp1.6',
    repos: options.repos,
    logger: options.logger,
    calls,
    call16: (action, request) => typed(action, request),
    call2: (action, request) => typed(action, request),
    callRaw,
    async record(what, work) {
      try {
        await work();
      } catch (error) {
        options.logger.error({ err: error, station: stationId, what }, 'storing a command result failed');
      }
    },
  };
}
