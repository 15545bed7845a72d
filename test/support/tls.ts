/**
 * A throw-away PKI for TLS tests, made at test time with the `openssl` CLI (EC P-256 keys, so it takes tens of
 * milliseconds): a station CA, a server certificate for 127.0.0.1 / localhost, client certificates on demand, and
 * a second, unrelated CA for "wrong issuer" cases. Files live in a temp dir that is removed at process exit.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface TestPki {
  /** The station CA (also signs the server certificate). */
  ca: KeyPair;
  /** A second CA that nothing trusts. */
  otherCa: KeyPair;
  /** Server certificate with SAN IP:127.0.0.1 and DNS:localhost, signed by `ca`. */
  server: KeyPair;
  /** Issues a client certificate with subject CN=`commonName`, O=Joule Test, signed by `ca` (or `otherCa`). */
  client(commonName: string, issuer?: 'ca' | 'otherCa'): Promise<KeyPair>;
}

let shared: Promise<TestPki> | undefined;

/** The PKI of this test process (made once, then reused). */
export function testPki(): Promise<TestPki> {
  shared ??= createPki();
  return shared;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function createPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'joule-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string): string => join(dir, name);
  let serial = 1;

  async function makeCa(name: string, commonName: string): Promise<KeyPair> {
    await run('openssl', [
      'req', '-x509', ...EC, '-keyout', path(`${name}.key`), '-out', path(`${name}.crt`), '-days', '2',
      '-subj', `/O=Joule Test/CN=${commonName}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { cert: readFileSync(path(`${name}.crt`), 'utf8'), key: readFileSync(path(`${name}.key`), 'utf8') };
  }

  async function issue(name: string, subject: string, extensions: string, issuer: string): Promise<KeyPair> {
    writeFileSync(path(`${name}.ext`), extensions);
    await run('openssl', ['req', '-new', ...EC, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', subject]);
    await run('openssl', [
      'x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${issuer}.crt`), '-CAkey', path(`${issuer}.key`),
      '-set_serial', String(serial++), '-days', '2', '-out', path(`${name}.crt`), '-extfile', path(`${name}.ext`),
    ]);
    return { cert: readFileSync(path(`${name}.crt`), 'utf8'), key: readFileSync(path(`${name}.key`), 'utf8') };
  }

  const [ca, otherCa] = await Promise.all([makeCa('ca', 'Joule Test Station CA'), makeCa('other-ca', 'Some Other CA')]);
  const server = await issue(
    'server',
    '/O=Joule Test/CN=localhost',
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
    'ca',
  );
  let clients = 0;
  return {
    ca,
    otherCa,
    server,
    // OCPP 2.0.1 A00.FR.5xx: station certificates carry no Extended Key Usage.
    client: (commonName, issuer = 'ca') =>
      issue(`client-${clients++}`, `/O=Joule Test/CN=${commonName}`, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n', issuer === 'ca' ? 'ca' : 'other-ca'),
  };
}
