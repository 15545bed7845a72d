/**
 * The registration gate (2.0.1 FR.04, B02.FR.09, B03.FR.07; 1.6 J-errata 3.8): until a station is Accepted, every
 * CALL except BootNotification is answered CALLERROR SecurityError. While Pending, messages the CSMS itself asked
 * for are let through (B01.FR.10): those triggered by TriggerMessage, and NotifyReport for a GetBaseReport or
 * GetReport we sent. A Rejected station gets no exception.
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import { RpcError } from '../../protocol/errors.ts';
import type { Session, Sessions } from '../session.ts';

export type Handler<Req, Res> = (request: Req, call: CallContext) => Res | Promise<Res>;

/** Extra permission while Pending, decided from the request (e.g. NotifyReport of a report we asked for). */
export type PendingException<Req> = (request: Req, session: Session) => boolean;

function refusal(session: Session, action: string): RpcError {
  return new RpcError('SecurityError', `${action} refused: station ${session.identity} is not accepted (registration status ${session.registration ?? 'unknown'})`);
}

function admitted<Req>(session: Session, action: string, request: Req, exception: PendingException<Req> | undefined): boolean {
  if (session.registration === 'Accepted') return true;
  if (session.registration !== 'Pending') return false;
  return session.wasTriggered(action, Date.now()) || (exception !== undefined && exception(request, session));
}

/**
 * Wraps a handler with the gate. Synchronous once the registration state is known (the common case), so a
 * synchronous handler stays synchronous.
 */
export function gated<Req, Res>(sessions: Sessions, action: string, handler: Handler<Req, Res>, exception?: PendingException<Req>): Handler<Req, Res> {
  return (request, call) => {
    const session = sessions.of(call);
    if (session.registration !== undefined) {
      if (!admitted(session, action, request, exception)) throw refusal(session, action);
      return handler(request, call);
    }
    return session.ready
      .then(() => session.load())
      .then(() => {
        if (!admitted(session, action, request, exception)) throw refusal(session, action);
        return handler(request, call);
      });
  };
}
