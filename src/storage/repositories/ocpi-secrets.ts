/**
 * Encryption at rest of the tokens we present to OCPI partners (we must send them, so they cannot be hashed).
 * With `ocpi.tokenKey` set they are stored as `enc:v1:<iv>:<tag>:<ciphertext>` (AES-256-GCM, key = SHA-256 of the
 * configured secret); without it they are stored as given. Reading an encrypted value without the key fails
 * with a message that names the setting, never with the value.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

export interface TokenSealer {
  seal(token: string): string;
  open(stored: string): string;
}

export function tokenSealer(secret: string | null | undefined): TokenSealer {
  const key = secret ? createHash('sha256').update(secret, 'utf8').digest() : undefined;
  return {
    seal(token) {
      if (!key) return token;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      if (!key) throw new Error('an OCPI partner token is stored encrypted: set ocpi.tokenKey (JOULE_OCPI_TOKEN_KEY) to the key it was stored with');
      const [iv, tag, data] = stored.slice(PREFIX.length).split(':');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64'));
        decipher.setAuthTag(Buffer.from(tag ?? '', 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(data ?? '', 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('an OCPI partner token cannot be decrypted: ocpi.tokenKey differs from the key it was stored with');
      }
    },
  };
}
