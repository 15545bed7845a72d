/**
 * The station identity from the connection URL (Part 4 §3.1.1): the last path segment below the OCPP-J endpoint
 * path, percent-decoded (RFC 3986). Part 4 §3.1.1 and the 2.0 errata 3.1: at most 48 characters and no ':' (the
 * identity is also the Basic-auth username, where ':' separates user and password).
 */

/** Longest identity allowed (Part 4 §3.1.1). */
export const MAX_IDENTITY_LENGTH = 48;

export type IdentityResult =
  | { ok: true; identity: string }
  /** 404: the path is not under the OCPP-J endpoint; 400: the identity itself is not acceptable. */
  | { ok: false; status: 400 | 404; reason: string };

/** Normalises a configured endpoint path: leading '/', no trailing '/'. '' means the server root. */
export function normalizePrefix(prefix: string): string {
  let p = prefix.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '/' ? '' : p;
}

/** True when the request path (query excluded) lies under `prefix` (as normalised by normalizePrefix). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The path part of a request target, without query or fragment. */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Reads the identity from a request target such as `/ocpp/RDAM%20123?x=1` with prefix `/ocpp`.
 * Sub-paths are allowed (`/ocpp/v201/CS1` → `CS1`), so a version may be part of the endpoint URL (§3.1.2).
 */
export function parseIdentity(url: string, prefix: string): IdentityResult {
  const path = pathOf(url);
  if (!isUnderPrefix(path, prefix)) return { ok: false, status: 404, reason: 'not an OCPP-J endpoint path' };
  const raw = path.slice(path.lastIndexOf('/') + 1);
  if (path.length <= prefix.length + 1 || raw === '') return { ok: false, status: 400, reason: 'empty station identity' };
  let identity: string;
  try {
    identity = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'station identity is not valid percent-encoding' };
  }
  if (identity === '') return { ok: false, status: 400, reason: 'empty station identity' };
  if (identity.length > MAX_IDENTITY_LENGTH) {
    return { ok: false, status: 400, reason: `station identity longer than ${MAX_IDENTITY_LENGTH} characters` };
  }
  if (identity.includes(':')) return { ok: false, status: 400, reason: "station identity contains ':'" };
  // Not in Part 4, but an identity with control characters can only be an attack on logs and headers.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(identity)) {
    return { ok: false, status: 400, reason: 'station identity contains control characters' };
  }
  return { ok: true, identity };
}
