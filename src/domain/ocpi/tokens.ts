/** Credentials tokens: random, printable, non-space ASCII of at most 64 characters; only hashes are kept of ours. */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url: 43 characters from [A-Za-z0-9_-]. */
export function generateCredentialsToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 hex: how tokens partners present to us are stored and looked up. */
export function hashCredentialsToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** OCPI credentials tokens are string(64) of printable non-space ASCII. */
export function isValidCredentialsToken(token: string): boolean {
  return token.length > 0 && token.length <= 64 && /^[\x21-\x7e]+$/.test(token);
}
