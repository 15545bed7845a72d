import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateSubprotocol, parseOfferedProtocols } from './subprotocol.ts';

describe('negotiateSubprotocol (Part 4 §3.1.2, §3.2)', () => {
  it("follows the station's order of preference", () => {
    assert.deepEqual(negotiateSubprotocol(['ocpp2.0.1', 'ocpp1.6'], {}), { ok: true, version: 'ocpp2.0.1', fallback: false });
    assert.deepEqual(negotiateSubprotocol(['ocpp1.6', 'ocpp2.0.1'], {}), { ok: true, version: 'ocpp1.6', fallback: false });
  });

  it('skips versions the station is not allowed or the server does not run', () => {
    assert.deepEqual(negotiateSubprotocol(['ocpp2.0.1', 'ocpp1.6'], { allowedVersions: ['ocpp1.6'] }), { ok: true, version: 'ocpp1.6', fallback: false });
    assert.deepEqual(negotiateSubprotocol(['ocpp2.1', 'ocpp2.0.1'], {}, ['ocpp2.0.1']), { ok: true, version: 'ocpp2.0.1', fallback: false });
    assert.equal(negotiateSubprotocol(['ocpp1.5', 'OCPP1.6'], {}).ok, false);
    assert.equal(negotiateSubprotocol(['ocpp2.0.1'], { allowedVersions: ['ocpp1.6'] }).ok, false);
  });

  it('refuses a station without subprotocol unless it has a fallback version', () => {
    assert.equal(negotiateSubprotocol([], {}).ok, false);
    assert.deepEqual(negotiateSubprotocol([], { fallbackVersion: 'ocpp1.6' }), { ok: true, version: 'ocpp1.6', fallback: true });
    assert.equal(negotiateSubprotocol([], { fallbackVersion: 'ocpp1.6', allowedVersions: ['ocpp2.0.1'] }).ok, false);
  });

  it('parses the header in order and treats an empty header as no offer', () => {
    assert.deepEqual(parseOfferedProtocols(' ocpp2.0.1 ,ocpp1.6,, '), ['ocpp2.0.1', 'ocpp1.6']);
    assert.deepEqual(parseOfferedProtocols(''), []);
    assert.deepEqual(parseOfferedProtocols(undefined), []);
  });
});
