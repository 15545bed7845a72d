/** Signing and verification of OCPP signed messages (Part 4 §7), without sockets. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { FlattenedSign, base64url, decodeProtectedHeader } from 'jose';
import { RpcError } from '../errors.ts';
import type { JsonObject } from '../types.ts';
import type { FlattenedJws, SigningAlgorithm, SigningKey } from './index.ts';
import {
  KeyRing,
  SIGNING_ALGORITHMS,
  SignatureError,
  createMessageSigning,
  isFlattenedJws,
  isSignedAction,
  loadSigningKey,
  plainAction,
  signPayload,
  signedAction,
  verifySigned,
} from './index.ts';
import type { VerifyRequest } from './verify.ts';
import type { TestKeyMaterial } from './test-keys.ts';
import { makeTestKey, testKeyTypeFor } from './test-keys.ts';

const BOOT: JsonObject = { chargingStation: { model: 'M1', vendorName: 'Joule' }, reason: 'PowerUp' };
const encoder = new TextEncoder();

/** Expects `promise` to reject with a SignatureError for `reason` that is an RpcError SecurityError. */
async function rejects(promise: Promise<unknown>, reason: SignatureError['reason']): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SignatureError, `not a SignatureError: ${String(error)}`);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, 'SecurityError');
    assert.equal(error.reason, reason, error.message);
    return true;
  });
}

/** Signs arbitrary protected headers with jose, for crafting messages our signer would never produce. */
async function craft(header: Record<string, unknown>, key: Parameters<FlattenedSign['sign']>[0], payload: JsonObject = BOOT): Promise<FlattenedJws> {
  const jws = await new FlattenedSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);
  return { protected: jws.protected ?? '', payload: jws.payload, signature: jws.signature };
}

const material = new Map<SigningAlgorithm, TestKeyMaterial>();
const keys = new Map<SigningAlgorithm, SigningKey>();
let stranger: SigningKey;
const ring = new KeyRing();

function key(alg: SigningAlgorithm): SigningKey {
  const found = keys.get(alg);
  assert.ok(found);
  return found;
}

function request(jws: JsonObject, overrides: Partial<VerifyRequest> = {}): VerifyRequest {
  return { jws, action: 'BootNotification', messageTypeId: 2, identity: 'CS001', keyRing: ring, ...overrides };
}

before(() => {
  for (const alg of SIGNING_ALGORITHMS) {
    const m = makeTestKey(testKeyTypeFor(alg), `station-${alg}`);
    material.set(alg, m);
    keys.set(alg, loadSigningKey({ key: m.keyPem, certificate: m.certificatePem, alg }));
    ring.trust('CS001', m.certificatePem);
  }
  const s = makeTestKey('p256', 'stranger');
  stranger = loadSigningKey({ key: s.keyPem, certificate: s.certificatePem });
  ring.trust('CS999', s.certificatePem);
});

describe('signed message format (Part 4 §7.1)', () => {
  it('maps action names', () => {
    assert.equal(signedAction('BootNotification'), 'BootNotification-Signed');
    assert.equal(plainAction('BootNotification-Signed'), 'BootNotification');
    assert.equal(isSignedAction('BootNotification-Signed'), true);
    assert.equal(isSignedAction('-Signed'), false);
    assert.equal(isSignedAction('BootNotification'), false);
  });

  it('recognises the flattened JWS shape and nothing else', () => {
    assert.equal(isFlattenedJws({ protected: 'eyJ9', payload: 'e30', signature: 'abc' }), true);
    assert.equal(isFlattenedJws({ protected: 'eyJ9', payload: 'e30', signature: 'abc', header: { kid: 'x' } }), true);
    assert.equal(isFlattenedJws({ protected: 'eyJ9', payload: 'e30' }), false);
    assert.equal(isFlattenedJws({ protected: 'eyJ9', payload: 'e30', signature: 'abc', status: 'Accepted' }), false);
    assert.equal(isFlattenedJws({ protected: 'ey J9', payload: 'e30', signature: 'abc' }), false);
    assert.equal(isFlattenedJws({ protected: 'eyJ9', payload: 'e30', signature: 1 }), false);
    assert.equal(isFlattenedJws({ protected: '', payload: 'e30', signature: 'abc' }), false);
    assert.equal(isFlattenedJws({ currentTime: 'x', interval: 1, status: 'Accepted' }), false);
  });

  it('writes alg, OCPPAction, OCPPMessageTypeId and x5t#S256 (SHA-256 of the certificate DER) in the protected header', async () => {
    const jws = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    assert.deepEqual(Object.keys(jws).sort(), ['payload', 'protected', 'signature']);
    const header = decodeProtectedHeader(jws);
    const fingerprint = base64url.encode(Buffer.from(material.get('ES256')?.opensslFingerprintHex ?? '', 'hex'));
    assert.deepEqual(header, { alg: 'ES256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2, 'x5t#S256': fingerprint });
    assert.deepEqual(JSON.parse(Buffer.from(base64url.decode(jws.payload)).toString('utf8')), BOOT);
  });
});

describe('sign and verify round trips (Part 4 §7.3)', () => {
  for (const alg of SIGNING_ALGORITHMS) {
    it(`${alg}: CALL and CALLRESULT`, async () => {
      const call = await signPayload(key(alg), 'BootNotification', 2, BOOT);
      const verified = await verifySigned(request(call));
      assert.deepEqual(verified.payload, BOOT);
      assert.equal(verified.header.alg, alg);
      assert.equal(verified.certificate?.thumbprint, key(alg).thumbprint);

      const reply: JsonObject = { currentTime: '2025-01-01T00:00:00Z', interval: 300, status: 'Accepted' };
      const result = await signPayload(key(alg), 'BootNotification', 3, reply);
      assert.deepEqual((await verifySigned(request(result, { messageTypeId: 3 }))).payload, reply);
    });
  }

  it('RSA keys sign RS256 by default and RS384 on request; EC keys only ES256', () => {
    const rsa = material.get('RS256');
    const ec = material.get('ES256');
    assert.ok(rsa && ec);
    assert.equal(loadSigningKey({ key: rsa.keyPem, certificate: rsa.certificatePem }).alg, 'RS256');
    assert.equal(loadSigningKey({ key: rsa.keyPem, certificate: rsa.certificatePem, alg: 'RS384' }).alg, 'RS384');
    assert.equal(loadSigningKey({ key: ec.keyPem, certificate: ec.certificatePem }).alg, 'ES256');
    assert.throws(() => loadSigningKey({ key: ec.keyPem, certificate: ec.certificatePem, alg: 'RS256' }), /cannot be used/);
  });

  it('refuses a key that does not match its certificate, and curves other than P-256', () => {
    const a = material.get('ES256');
    const b = material.get('RS256');
    assert.ok(a && b);
    assert.throws(() => loadSigningKey({ key: a.keyPem, certificate: b.certificatePem }), /does not match/);
    const p384 = makeTestKey('p384', 'p384');
    assert.throws(() => loadSigningKey({ key: p384.keyPem, certificate: p384.certificatePem }), /P-256/);
    assert.throws(() => new KeyRing().trust('X', p384.certificatePem), /P-256/);
  });
});

describe('verification rejects', () => {
  it('a tampered payload', async () => {
    const jws = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    const forged = base64url.encode(JSON.stringify({ ...BOOT, reason: 'Triggered' }));
    await rejects(verifySigned(request({ ...jws, payload: forged })), 'bad-signature');
  });

  it('a tampered signature', async () => {
    for (const alg of SIGNING_ALGORITHMS) {
      const jws = await signPayload(key(alg), 'BootNotification', 2, BOOT);
      const bytes = base64url.decode(jws.signature);
      bytes[5] = (bytes[5] ?? 0) ^ 0x01;
      await rejects(verifySigned(request({ ...jws, signature: base64url.encode(bytes) })), 'bad-signature');
    }
  });

  it('HS256, none and other algorithms outside ES256/RS256/RS384', async () => {
    const x5t = key('ES256').thumbprint;
    // HMAC keyed with something the attacker knows, e.g. the public certificate.
    const hs = await craft({ alg: 'HS256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2, 'x5t#S256': x5t }, encoder.encode(material.get('ES256')?.certificatePem ?? 'k'));
    await rejects(verifySigned(request(hs)), 'algorithm');
    const none = { protected: base64url.encode(JSON.stringify({ alg: 'none', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2, 'x5t#S256': x5t })), payload: base64url.encode(JSON.stringify(BOOT)), signature: 'AA' };
    await rejects(verifySigned(request(none)), 'algorithm');
    await rejects(verifySigned(request({ ...none, signature: '' })), 'malformed');
    const ps = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ps256 = await craft({ alg: 'PS256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2, 'x5t#S256': key('RS256').thumbprint }, ps);
    await rejects(verifySigned(request(ps256)), 'algorithm');
  });

  it('an alg that does not fit the certificate key (RS256 header on an EC certificate)', async () => {
    const jws = await craft({ alg: 'RS256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2, 'x5t#S256': key('ES256').thumbprint }, key('RS256').privateKey);
    await rejects(verifySigned(request(jws)), 'algorithm');
  });

  it('a signature by a valid but untrusted certificate, or one trusted for another station', async () => {
    const jws = await signPayload(stranger, 'BootNotification', 2, BOOT);
    await rejects(verifySigned(request(jws)), 'unknown-key');
    assert.deepEqual((await verifySigned(request(jws, { identity: 'CS999' }))).payload, BOOT);
    const ours = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    await rejects(verifySigned(request(ours, { identity: 'CS999' })), 'unknown-key');
  });

  it('an OCPPAction or OCPPMessageTypeId that does not match the frame', async () => {
    const jws = await signPayload(key('ES256'), 'Authorize', 2, BOOT);
    await rejects(verifySigned(request(jws)), 'header-mismatch');
    const call = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    await rejects(verifySigned(request(call, { messageTypeId: 3 })), 'header-mismatch');
    const missing = await craft({ alg: 'ES256', OCPPAction: 'BootNotification', 'x5t#S256': key('ES256').thumbprint }, key('ES256').privateKey);
    await rejects(verifySigned(request(missing)), 'header-mismatch');
    const asString = await craft({ alg: 'ES256', OCPPAction: 'BootNotification', OCPPMessageTypeId: '2', 'x5t#S256': key('ES256').thumbprint }, key('ES256').privateKey);
    await rejects(verifySigned(request(asString)), 'header-mismatch');
  });

  it('OCPP fields placed in the unprotected header only', async () => {
    const bare = await craft({ alg: 'ES256', 'x5t#S256': key('ES256').thumbprint }, key('ES256').privateKey);
    await rejects(verifySigned(request({ ...bare, header: { OCPPAction: 'BootNotification', OCPPMessageTypeId: 2 } })), 'header-mismatch');
  });

  it('a certificate outside its validity period', async () => {
    const jws = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    await rejects(verifySigned(request(jws, { now: new Date(Date.now() + 10 * 86_400_000) })), 'expired-key');
  });

  it('a payload that is not a JSON object', async () => {
    const jws = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    const arrayPayload = await new FlattenedSign(encoder.encode('[1,2]'))
      .setProtectedHeader(decodeProtectedHeader(jws) as { alg: string })
      .sign(key('ES256').privateKey);
    await rejects(verifySigned(request({ protected: arrayPayload.protected ?? '', payload: arrayPayload.payload, signature: arrayPayload.signature })), 'payload');
    await rejects(verifySigned(request({ status: 'Accepted' })), 'malformed');
  });
});

describe('verification accepts', () => {
  it('the 2.1 edition spelling OCPPMessageTypedId', async () => {
    const jws = await craft({ alg: 'ES256', OCPPAction: 'BootNotification', OCPPMessageTypedId: 2, 'x5t#S256': key('ES256').thumbprint }, key('ES256').privateKey);
    assert.deepEqual((await verifySigned(request(jws))).payload, BOOT);
  });

  it('a signature without x5t#S256 (only RECOMMENDED, §7.4) by a key trusted for the sender', async () => {
    const jws = await craft({ alg: 'RS384', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2 }, key('RS384').privateKey);
    const verified = await verifySigned(request(jws));
    assert.equal(verified.certificate?.thumbprint, key('RS384').thumbprint);
    await rejects(verifySigned(request(jws, { identity: 'CS999' })), 'unknown-key');
    // A key of the right type trusted for the sender, but not the one that signed.
    const other = await craft({ alg: 'ES256', OCPPAction: 'BootNotification', OCPPMessageTypeId: 2 }, key('ES256').privateKey);
    await rejects(verifySigned(request(other, { identity: 'CS999' })), 'bad-signature');
  });

  it("unknownSigner 'accept' lets through a sender with no trusted keys at all, never a wrong key", async () => {
    const jws = await signPayload(stranger, 'BootNotification', 2, BOOT);
    const verified = await verifySigned(request(jws, { identity: 'NEW', keyRing: new KeyRing(), unknownSigner: 'accept' }));
    assert.deepEqual(verified.payload, BOOT);
    assert.equal(verified.certificate, undefined);
    await rejects(verifySigned(request(jws, { unknownSigner: 'accept' })), 'unknown-key');
  });
});

describe('createMessageSigning', () => {
  it('verifies calls, signs results and calls, checks results', async () => {
    const seen: string[] = [];
    const signing = createMessageSigning({ keyRing: ring, signingKey: key('RS256'), onVerified: (e) => seen.push(`${e.action}/${e.messageTypeId}`) });
    const call = await signPayload(key('ES256'), 'BootNotification', 2, BOOT);
    assert.deepEqual(await signing.verifyCall('CS001', 'BootNotification', call), BOOT);
    const result = await signing.signResult('BootNotification', { status: 'Accepted' });
    assert.ok(result);
    assert.equal(decodeProtectedHeader(result).OCPPMessageTypeId, 3);
    assert.ok(signing.signCall && signing.verifyResult);
    const out = await signing.signCall('Reset', { type: 'Immediate' });
    assert.deepEqual(decodeProtectedHeader(out).OCPPAction, 'Reset');
    assert.deepEqual(await signing.verifyResult('CS001', 'BootNotification', result), { status: 'Accepted' });
    // An unsigned reply to a signed call passes unless required (§7.2: the peer may not support signing).
    assert.deepEqual(await signing.verifyResult('CS001', 'BootNotification', { status: 'Accepted' }), { status: 'Accepted' });
    assert.deepEqual(seen, ['BootNotification/2', 'BootNotification/3']);
    await rejects(signing.verifyCall('CS001', 'Authorize', call), 'header-mismatch');
  });

  it('without a signing key: verifies, replies unsigned, cannot sign calls', async () => {
    const signing = createMessageSigning({ keyRing: ring, requireSignedResults: true });
    assert.equal(signing.signResult('BootNotification', {}), undefined);
    assert.equal(signing.signCall, undefined);
    assert.ok(signing.verifyResult);
    await rejects(signing.verifyResult('CS001', 'BootNotification', { status: 'Accepted' }), 'malformed');
  });
});
