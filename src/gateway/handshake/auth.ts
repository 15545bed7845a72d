/**
 * Station authentication per security profile (OCPP 2.0.1 Part 2 A00; Part 4 §3.1.1 recommends not relying on
 * the URL alone). Never logs or returns a password or the Authorization header.
 *
 * - 0: nothing to check (only for stations registered that way).
 * - 1: HTTP Basic over ws or wss; the username must equal the identity (A00.FR.202-207), the password must match
 *      the stored salted hash (constant-time comparison in shared/password.ts).
 * - 2: as 1, but only over TLS.
 * - 3: TLS client certificate (tls-identity.ts).
 *
 * Outcomes: 401 for missing or wrong credentials (with `WWW-Authenticate: Basic` for profiles 1-2; profile 3 has
 * no HTTP challenge to offer); 403 when a profile 2/3 station comes over plain ws, since no credential can fix
 * that. A station registered for profile 1 may also use wss (stronger than required, never weaker).
 */
import type { Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { verifyPassword } from '../../shared/password.ts';
import type { StationAccess } from '../types.ts';
import { checkClientCertificate } from './tls-identity.ts';

export type AuthResult =
  | { ok: true; certificateCommonName?: string }
  | {
      ok: false;
      status: 401 | 403;
      /** Send `WWW-Authenticate: Basic realm=…` with the answer. */
      basicChallenge: boolean;
      /** A wrong guess (as opposed to a missing credential or our own misconfiguration): slows the address down. */
      countsAsFailure: boolean;
      /** For the log only; never contains a secret. */
      reason: string;
    };

export interface AuthRequest {
  authorization: string | undefined;
  socket: Socket;
}

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Parses `Authorization: Basic base64(user:password)` (RFC 7617; the password may contain ':'). */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function refuse(status: 401 | 403, reason: string, basicChallenge: boolean, countsAsFailure: boolean): AuthResult {
  return { ok: false, status, reason, basicChallenge, countsAsFailure };
}

async function checkBasic(identity: string, access: StationAccess, authorization: string | undefined): Promise<AuthResult> {
  const credentials = parseBasicAuthorization(authorization);
  if (!credentials) return refuse(401, authorization === undefined ? 'no credentials' : 'malformed Authorization header', true, false);
  if (access.passwordHash === undefined) return refuse(401, 'station has no password configured', true, false);
  if (credentials.username !== identity) return refuse(401, 'Basic username does not match the station identity', true, true);
  const valid = await verifyPassword(credentials.password, access.passwordHash);
  return valid ? { ok: true } : refuse(401, 'wrong password', true, true);
}

/** Authenticates one upgrade request against the station's registered security profile. */
export async function authenticate(
  identity: string,
  access: StationAccess,
  request: AuthRequest,
  trustedCas: readonly X509Certificate[],
): Promise<AuthResult> {
  const secure = request.socket instanceof TLSSocket;
  switch (access.securityProfile) {
    case 0:
      return { ok: true };
    case 1:
      return checkBasic(identity, access, request.authorization);
    case 2:
      if (!secure) return refuse(403, 'security profile 2 requires TLS', false, false);
      return checkBasic(identity, access, request.authorization);
    case 3: {
      if (!(request.socket instanceof TLSSocket)) return refuse(403, 'security profile 3 requires TLS', false, false);
      const check = checkClientCertificate(request.socket, trustedCas, access.certificateCommonName ?? identity);
      return check.ok ? { ok: true, certificateCommonName: check.commonName } : refuse(401, check.reason, false, !check.missing);
    }
    default:
      return refuse(401, 'unknown security profile', false, false);
  }
}
