/**
 * Test support only: fresh key pairs (node:crypto) with self-signed X.509 certificates (openssl CLI), so the
 * signed-message tests never depend on checked-in keys.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SigningAlgorithm } from './format.ts';

export interface TestKeyMaterial {
  keyPem: string;
  certificatePem: string;
  /** SHA-256 fingerprint as printed by `openssl x509 -fingerprint -sha256`, hex without colons. */
  opensslFingerprintHex: string;
}

export type TestKeyType = 'p256' | 'p384' | 'rsa2048' | 'rsa3072';

export function testKeyTypeFor(alg: SigningAlgorithm): TestKeyType {
  return alg === 'ES256' ? 'p256' : alg === 'RS256' ? 'rsa2048' : 'rsa3072';
}

function generatePrivateKeyPem(type: TestKeyType): string {
  const pair =
    type === 'p256' || type === 'p384'
      ? generateKeyPairSync('ec', { namedCurve: type === 'p256' ? 'P-256' : 'P-384' })
      : generateKeyPairSync('rsa', { modulusLength: type === 'rsa2048' ? 2048 : 3072 });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A key and a one-day self-signed certificate for `commonName`. */
export function makeTestKey(type: TestKeyType, commonName: string): TestKeyMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'joule-signed-'));
  try {
    const keyPem = generatePrivateKeyPem(type);
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    writeFileSync(keyFile, keyPem, { mode: 0o600 });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-sha256', '-days', '1', '-subj', `/CN=${commonName}`, '-out', certFile], { stdio: 'pipe' });
    const fingerprint = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    return {
      keyPem,
      certificatePem: readFileSync(certFile, 'utf8'),
      opensslFingerprintHex: (fingerprint.split('=')[1] ?? '').trim().replaceAll(':', '').toLowerCase(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
