/** What `gateway.call()` throws → CommandError, whose kind decides the API status (see domain/commands/types.ts). */
import { CommandError } from '../../domain/commands/types.ts';
import type { JsonObject } from '../../domain/model.ts';
import { CallTimeoutError, InvalidRequestError, InvalidResponseError, OfflineError, QueueFullError, RpcError } from '../../protocol/errors.ts';

/** Maps call failures; anything else (a storage failure, a bug) is returned unchanged. */
export function toCommandError(error: unknown, stationId: string, action: string): unknown {
  if (error instanceof CommandError) return error;
  if (error instanceof OfflineError) return new CommandError('offline', error.message);
  if (error instanceof CallTimeoutError) return new CommandError('timeout', error.message);
  // Nothing was sent: the station already has 100+ calls waiting. Same advice as offline: try again later (409).
  if (error instanceof QueueFullError) return new CommandError('offline', `station ${stationId} is busy: ${error.message}`);
  if (error instanceof InvalidRequestError) return new CommandError('invalid', error.message);
  if (error instanceof RpcError) {
    // details came off the wire as JSON (Part 4 §4.2.3).
    const rpc = { code: error.code, description: error.message, details: error.details as JsonObject };
    return new CommandError('rejected', `station ${stationId} answered ${action} with CALLERROR ${error.code}: ${error.message}`, rpc);
  }
  if (error instanceof InvalidResponseError) {
    // The station answered, but not with a valid CALLRESULT: a bad gateway answer (502) like a CALLERROR.
    return new CommandError('rejected', error.message, { code: error.code, description: error.message, details: {} });
  }
  return error;
}
