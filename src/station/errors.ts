/** Why a connection attempt of the station client failed. Every such failure counts for the back-off (§5.3). */

export type ConnectFailure =
  /** The CSMS answered the upgrade with an HTTP status (401 bad credentials, 404 unknown station, ...). */
  | 'http-status'
  /** The handshake completed without any of the offered subprotocols (Part 4 §3.2: the CSMS then closes). */
  | 'no-subprotocol'
  /** TCP/TLS level: refused, reset, timeout, certificate rejected. */
  | 'network'
  /** close() was called while the attempt was running. */
  | 'aborted';

export class ConnectError extends Error {
  readonly failure: ConnectFailure;
  /** The HTTP status when failure is 'http-status'. */
  readonly status: number | undefined;

  constructor(failure: ConnectFailure, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectError';
    this.failure = failure;
    this.status = options.status;
  }
}
