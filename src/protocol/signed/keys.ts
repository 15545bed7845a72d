/**
 * Keys for signed messages (Part 4 §7.4): our signing key with its certificate, and the certificates we trust
 * to verify what peers sign, found by their `x5t#S256` thumbprint.
 *
 * §7.4 does not prescribe the keys: they may be the TLS keys but need not be (and behind a Local Controller the
 * signer is never the TLS peer), so trust is configured per station identity, not taken from the connection.
 * Parsing and hashing use node:crypto's X.509 support; signing and verifying are done by jose (sign.ts, verify.ts).
 */
import type { KeyObject } from 'node:crypto';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { base64url } from 'jose';
import type { CryptoKey } from 'jose';
import type { SigningAlgorithm } from './format.ts';

/** Our key for signing, with the certificate whose thumbprint goes into `x5t#S256`. */
export interface SigningKey {
  readonly privateKey: KeyObject | CryptoKey;
  /** The signing certificate (one PEM block). */
  readonly certificatePem: string;
  readonly alg: SigningAlgorithm;
  /** base64url SHA-256 of the certificate's DER (§7.4). */
  readonly thumbprint: string;
}

/** A certificate whose key we accept signatures from. */
export interface TrustedCertificate {
  readonly thumbprint: string;
  readonly certificatePem: string;
  readonly subject: string;
  readonly publicKey: KeyObject;
  /** The §7.3 algorithms this key can be used with: ES256 for P-256, RS256/RS384 for RSA. */
  readonly algorithms: readonly SigningAlgorithm[];
  readonly validFrom: Date;
  readonly validTo: Date;
}

export interface SigningKeyPem {
  /** Private key, PEM (PKCS#8, SEC1 or PKCS#1). */
  key: string;
  /** Its certificate, PEM; only the first block is used when a chain is given. */
  certificate: string;
  /** Required choice between RS256 and RS384 for RSA keys (default RS256); EC P-256 keys are always ES256. */
  alg?: SigningAlgorithm;
  passphrase?: string;
}

export interface SigningKeyFiles {
  keyFile: string;
  certificateFile: string;
  alg?: SigningAlgorithm;
  passphrase?: string;
}

/** RFC 7518 §3.3: RSA keys for RS* must be at least 2048 bits. */
const MIN_RSA_BITS = 2048;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** `x5t#S256` of a certificate: base64url SHA-256 of its DER encoding (RFC 7515 §4.1.8, Part 4 §7.4). */
export function certificateThumbprint(certificate: string | X509Certificate): string {
  const cert = typeof certificate === 'string' ? new X509Certificate(certificate) : certificate;
  return base64url.encode(createHash('sha256').update(cert.raw).digest());
}

/** Splits a PEM bundle into its certificate blocks. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(PEM_CERTIFICATE) ?? [];
}

/** The §7.3 algorithms usable with `key`; throws for any other key type. */
function algorithmsFor(key: KeyObject): SigningAlgorithm[] {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve !== 'prime256v1') throw new Error(`EC key on curve ${details?.namedCurve ?? '?'}: only P-256 (ES256) is allowed (Part 4 §7.3)`);
    return ['ES256'];
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((details?.modulusLength ?? 0) < MIN_RSA_BITS) throw new Error(`RSA key of ${details?.modulusLength ?? '?'} bits: at least ${MIN_RSA_BITS} required`);
    return ['RS256', 'RS384'];
  }
  throw new Error(`${key.asymmetricKeyType ?? 'unknown'} key: only EC P-256 and RSA keys can sign OCPP messages (Part 4 §7.3)`);
}

function firstCertificate(pem: string): X509Certificate {
  const first = splitPemCertificates(pem)[0];
  if (first === undefined) throw new Error('no PEM certificate found');
  return new X509Certificate(first);
}

/** Builds our signing key from PEM strings; checks that key and certificate belong together. */
export function loadSigningKey(pem: SigningKeyPem): SigningKey {
  const cert = firstCertificate(pem.certificate);
  const privateKey = createPrivateKey(pem.passphrase === undefined ? pem.key : { key: pem.key, passphrase: pem.passphrase });
  if (!cert.checkPrivateKey(privateKey)) throw new Error(`the private key does not match the certificate ${cert.subject}`);
  const algorithms = algorithmsFor(privateKey);
  const alg = pem.alg ?? algorithms[0];
  if (alg === undefined || !algorithms.includes(alg)) throw new Error(`${pem.alg ?? '?'} cannot be used with a ${privateKey.asymmetricKeyType ?? '?'} key`);
  return { privateKey, certificatePem: cert.toString(), alg, thumbprint: certificateThumbprint(cert) };
}

/** Reads our signing key from PEM files. */
export async function readSigningKey(files: SigningKeyFiles): Promise<SigningKey> {
  const [key, certificate] = await Promise.all([readFile(files.keyFile, 'utf8'), readFile(files.certificateFile, 'utf8')]);
  return loadSigningKey({ key, certificate, alg: files.alg, passphrase: files.passphrase });
}

/** Parses one certificate (PEM) into a verification entry. */
export function trustedCertificate(pem: string): TrustedCertificate {
  const cert = firstCertificate(pem);
  return {
    thumbprint: certificateThumbprint(cert),
    certificatePem: cert.toString(),
    subject: cert.subject,
    publicKey: cert.publicKey,
    algorithms: algorithmsFor(cert.publicKey),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
  };
}

/**
 * Certificates trusted for verification, by thumbprint and by sender. A certificate trusted for one station
 * verifies only that station's messages; `trustAll` is for keys any sender may use (e.g. the CSMS
 * certificate on the station side).
 */
export class KeyRing {
  private readonly byThumbprint = new Map<string, TrustedCertificate>();
  private readonly byIdentity = new Map<string, Set<string>>();
  private readonly anyIdentity = new Set<string>();

  /** Trusts every certificate in `pem` (a bundle is fine) for messages from `identity`. */
  trust(identity: string, pem: string): TrustedCertificate[] {
    const added = this.add(pem);
    let set = this.byIdentity.get(identity);
    if (!set) this.byIdentity.set(identity, (set = new Set()));
    for (const cert of added) set.add(cert.thumbprint);
    return added;
  }

  /** Trusts every certificate in `pem` for messages from any identity. */
  trustAll(pem: string): TrustedCertificate[] {
    const added = this.add(pem);
    for (const cert of added) this.anyIdentity.add(cert.thumbprint);
    return added;
  }

  /** Withdraws trust: one certificate of `identity`, or all of them. */
  untrust(identity: string, thumbprint?: string): void {
    if (thumbprint === undefined) this.byIdentity.delete(identity);
    else this.byIdentity.get(identity)?.delete(thumbprint);
  }

  /** The certificate with `thumbprint` if it is trusted for `identity`. */
  lookup(identity: string, thumbprint: string): TrustedCertificate | undefined {
    if (!this.anyIdentity.has(thumbprint) && this.byIdentity.get(identity)?.has(thumbprint) !== true) return undefined;
    return this.byThumbprint.get(thumbprint);
  }

  /** Every certificate trusted for `identity` (for signatures without `x5t#S256`, which §7.4 only RECOMMENDs). */
  certificatesFor(identity: string): TrustedCertificate[] {
    const thumbprints = new Set([...this.anyIdentity, ...(this.byIdentity.get(identity) ?? [])]);
    return [...thumbprints].flatMap((t) => this.byThumbprint.get(t) ?? []);
  }

  /** True when at least one certificate is trusted for `identity`. */
  hasKeysFor(identity: string): boolean {
    return this.anyIdentity.size > 0 || (this.byIdentity.get(identity)?.size ?? 0) > 0;
  }

  private add(pem: string): TrustedCertificate[] {
    const blocks = splitPemCertificates(pem);
    if (blocks.length === 0) throw new Error('no PEM certificate found');
    return blocks.map((block) => {
      const cert = trustedCertificate(block);
      this.byThumbprint.set(cert.thumbprint, cert);
      return cert;
    });
  }
}
