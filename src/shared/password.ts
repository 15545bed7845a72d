/**
 * Salted password hashes for HTTP Basic station credentials (OCPP 2.0.1 Part 2 A01.FR.06-09: store only salted
 * hashes, never log the password).
 *
 * Format (self-describing, so the cost can be raised later without breaking stored hashes):
 *   `scrypt$N$r$p$<salt base64url>$<hash base64url>`
 * Verification reads the parameters from the stored string (within sane bounds) and compares in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

export interface PasswordHashOptions {
  /** CPU/memory cost, a power of two (default 2^14: about 45 ms and 16 MiB per hash). */
  N?: number;
  r?: number;
  p?: number;
}

const PREFIX = 'scrypt';
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const DEFAULTS = { N: 16_384, r: 8, p: 1 } as const;
/** Bounds for parameters read from a stored hash, so a corrupt or hostile record cannot exhaust the machine. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyBytes = KEY_BYTES): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; raise Node's 32 MiB default limit only as far as the parameters require.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (!isPowerOfTwo(N) || N > MAX_N) return undefined;
  if (!Number.isInteger(R) || R < 1 || R > MAX_R || !Number.isInteger(P) || P < 1 || P > MAX_P) return undefined;
  const saltBytes = Buffer.from(salt, 'base64url');
  const hashBytes = Buffer.from(hash, 'base64url');
  if (saltBytes.length < 8 || hashBytes.length < 16 || hashBytes.length > 64) return undefined;
  return { N, r: R, p: P, salt: saltBytes, hash: hashBytes };
}

/** True when `stored` is a hash this module can verify (for validating configuration and imports). */
export function isPasswordHash(stored: string): boolean {
  return parse(stored) !== undefined;
}

/** Hashes `password` with a fresh random salt. */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const N = options.N ?? DEFAULTS.N;
  const r = options.r ?? DEFAULTS.r;
  const p = options.p ?? DEFAULTS.p;
  if (!isPowerOfTwo(N) || N > MAX_N) throw new RangeError(`scrypt N must be a power of two up to ${MAX_N}`);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, N, r, p);
  return [PREFIX, N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * True when `password` matches `stored`. A malformed stored hash verifies as false (never throws), so a broken
 * record locks the station out instead of letting it in.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  let candidate: Buffer;
  try {
    // The key length comes from the stored hash, so both buffers always have the same length.
    candidate = await derive(password, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.hash.length);
  } catch {
    return false;
  }
  return timingSafeEqual(candidate, parsed.hash);
}
