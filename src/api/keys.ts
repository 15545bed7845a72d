/**
 * API keys: `jk_` + 32 random bytes in base64url (43 characters). Only the SHA-256 hex of the whole key is
 * stored; a key is looked up by that hash, so no secret is ever compared character by character (the lookup
 * leaks at most timing about hashes of guesses, which reveals nothing about a key).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey } from '../domain/model.ts';
import type { ApiKeyRepository } from '../domain/ports.ts';

export const API_KEY_PREFIX = 'jk_';
const KEY_PATTERN = /^jk_[A-Za-z0-9_-]{43}$/;

/** A fresh random key (shown once, never stored). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Shape check only (no secret involved): anything else is refused without a database lookup. */
export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Creates and stores a key; returns the record and the plain key (the only time it exists in clear). */
export async function createApiKey(repo: ApiKeyRepository, name: string): Promise<{ record: ApiKey; key: string }> {
  const key = generateApiKey();
  const record = await repo.create({ name, hash: hashApiKey(key) });
  return { record, key };
}

/** The stored key a bearer token belongs to, or undefined. */
export async function findApiKey(repo: ApiKeyRepository, key: string): Promise<ApiKey | undefined> {
  if (!isWellFormedApiKey(key)) return undefined;
  return repo.findByHash(hashApiKey(key));
}
