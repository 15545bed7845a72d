import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePrefix, parseIdentity } from './identity.ts';

describe('parseIdentity (Part 4 §3.1.1)', () => {
  it('reads and percent-decodes the last path segment', () => {
    assert.deepEqual(parseIdentity('/ocpp/CS001', '/ocpp'), { ok: true, identity: 'CS001' });
    assert.deepEqual(parseIdentity('/ocpp/RDAM%20123?foo=bar', '/ocpp'), { ok: true, identity: 'RDAM 123' });
    assert.deepEqual(parseIdentity('/ocpp/v201/CS2', '/ocpp'), { ok: true, identity: 'CS2' });
  });

  it('accepts exactly 48 characters and refuses 49 with 400', () => {
    assert.equal(parseIdentity(`/ocpp/${'a'.repeat(48)}`, '/ocpp').ok, true);
    assert.deepEqual(parseIdentity(`/ocpp/${'a'.repeat(49)}`, '/ocpp'), { ok: false, status: 400, reason: 'station identity longer than 48 characters' });
  });

  it('refuses empty identities, ":" (also percent-encoded), bad escapes and control characters with 400', () => {
    for (const url of ['/ocpp/', '/ocpp', '/ocpp/%', '/ocpp/a:b', '/ocpp/a%3Ab', '/ocpp/%E0%A4%A', '/ocpp/a%0Ab']) {
      const result = parseIdentity(url, '/ocpp');
      assert.equal(result.ok, false, url);
      assert.equal(!result.ok && result.status, 400, url);
    }
  });

  it('answers 404 for paths outside the endpoint', () => {
    assert.equal(parseIdentity('/other/CS1', '/ocpp').ok, false);
    assert.deepEqual(parseIdentity('/ocppx/CS1', '/ocpp'), { ok: false, status: 404, reason: 'not an OCPP-J endpoint path' });
  });

  it('normalises prefixes', () => {
    assert.equal(normalizePrefix('ocpp/'), '/ocpp');
    assert.equal(normalizePrefix('/'), '');
    assert.deepEqual(parseIdentity('/CS9', normalizePrefix('/')), { ok: true, identity: 'CS9' });
  });
});
