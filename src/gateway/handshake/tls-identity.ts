/**
 * Security profile 3: the station authenticates with a TLS client certificate (OCPP 2.0.1 Part 2 A00.FR.401-407).
 *
 * The TLS server runs with `requestCert: true, rejectUnauthorized: false`, so a bad certificate does not end in a
 * TLS alert the station cannot interpret: the handshake completes and the gateway answers HTTP 401 itself.
 * A certificate is accepted only when all of these hold:
 * 1. OpenSSL verified the path against the TLS server's `ca` (A00.FR.403: RFC 5280 §6 path validation, validity
 *    dates, TLS client purpose): `socket.authorized`;
 * 2. the presented chain is anchored in one of the gateway's `caCertificates`. This pins the station CA, so a
 *    server whose `ca` is missing (Node then trusts the public root bundle) or broader cannot admit certificates
 *    from some other CA;
 * 3. the subject has exactly one CN and it equals the expected name, by default the station identity
 *    (A00.FR.405; the BootNotification serial number check of B01.FR.11-12 is the CSMS domain's job).
 */
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

export type CertificateCheck =
  | { ok: true; commonName: string }
  /** `missing`: no certificate was presented at all (as opposed to a wrong one). */
  | { ok: false; reason: string; missing: boolean };

/** Deepest chain walked (leaf + intermediates) before giving up. */
const MAX_CHAIN_DEPTH = 6;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses CA certificates given as PEM bundles, DER buffers or X509Certificate objects. */
export function parseCaCertificates(input: ReadonlyArray<string | Buffer | X509Certificate>): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const item of input) {
    if (item instanceof X509Certificate) out.push(item);
    else if (typeof item === 'string' || item.includes('-----BEGIN')) {
      for (const pem of item.toString().match(PEM_CERTIFICATE) ?? []) out.push(new X509Certificate(pem));
    } else out.push(new X509Certificate(item));
  }
  return out;
}

function isEmptyCertificate(cert: DetailedPeerCertificate | undefined): boolean {
  return cert === undefined || cert === null || Object.keys(cert).length === 0 || cert.raw === undefined;
}

/** The presented chain, leaf first, as Node exposes it through `issuerCertificate` links. */
function peerChain(leaf: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let current: DetailedPeerCertificate | undefined = leaf;
  while (current && current.raw && chain.length < MAX_CHAIN_DEPTH) {
    chain.push(new X509Certificate(current.raw));
    const issuer: DetailedPeerCertificate | undefined = current.issuerCertificate;
    if (!issuer || issuer === current || issuer.raw?.equals(current.raw)) break;
    current = issuer;
  }
  return chain;
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** True when some certificate of `chain` is, or was signed by, one of `trusted`, with every link signed in between. */
export function isAnchored(chain: readonly X509Certificate[], trusted: readonly X509Certificate[]): boolean {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    for (const ca of trusted) {
      if (cert.fingerprint256 === ca.fingerprint256 || issuedBy(cert, ca)) return true;
    }
    const next = chain[i + 1];
    // Walk up only through a proper CA certificate that really signed this one.
    if (!next || !next.ca || !issuedBy(cert, next)) return false;
  }
  return false;
}

/** Every CN value of a subject, as Node reports it (a string, or an array when the RDN repeats). */
function commonNames(subject: DetailedPeerCertificate['subject'] | undefined): string[] {
  const cn = subject?.CN;
  if (cn === undefined) return [];
  return Array.isArray(cn) ? cn : [cn];
}

/** Checks the client certificate of a TLS socket for security profile 3 (see the module comment). */
export function checkClientCertificate(
  socket: TLSSocket,
  trusted: readonly X509Certificate[],
  expectedCommonName: string,
): CertificateCheck {
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  if (isEmptyCertificate(leaf)) return { ok: false, reason: 'no client certificate', missing: true };
  if (!socket.authorized) {
    const why = socket.authorizationError instanceof Error ? socket.authorizationError.message : String(socket.authorizationError);
    return { ok: false, reason: `client certificate not trusted: ${why}`, missing: false };
  }
  if (trusted.length === 0) return { ok: false, reason: 'no CA certificates configured for security profile 3', missing: false };
  const cert = leaf as DetailedPeerCertificate;
  let anchored: boolean;
  try {
    anchored = isAnchored(peerChain(cert), trusted);
  } catch {
    anchored = false;
  }
  if (!anchored) return { ok: false, reason: 'client certificate is not issued by a configured station CA', missing: false };
  const names = commonNames(cert.subject);
  if (names.length !== 1 || names[0] !== expectedCommonName) {
    return {
      ok: false,
      reason: `certificate CN ${JSON.stringify(names.join(','))} does not match ${JSON.stringify(expectedCommonName)}`,
      missing: false,
    };
  }
  return { ok: true, commonName: expectedCommonName };
}
