import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to port 8180, the embedded database and unknown stations refused', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.port, 8180);
    assert.equal(config.storage.databaseUrl, null);
    assert.equal(config.storage.dataDir, './data');
    assert.equal(config.ocpp.allowUnknownStations, false);
    assert.equal(config.ocpp.callTimeoutMs, 30000);
    assert.equal(config.ocpp.compression.enabled, true);
    assert.equal(config.storage.messageLogRetentionDays, 30);
    assert.equal(loadConfig({ env: { JOULE_MESSAGE_LOG_RETENTION_DAYS: '0' } }).storage.messageLogRetentionDays, 0);
    assert.throws(() => loadConfig({ env: { JOULE_MESSAGE_LOG_RETENTION_DAYS: '-1' } }), /storage.messageLogRetentionDays/);
  });

  it('reads a YAML file and lets the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joule-config-'));
    const file = join(dir, 'joule.config.yaml');
    writeFileSync(file, 'port: 9000\nocpp:\n  callTimeoutMs: 5000\n');
    const config = loadConfig({ file, env: { JOULE_PORT: '9100', JOULE_ALLOW_UNKNOWN_STATIONS: 'true' } });
    assert.equal(config.port, 9100);
    assert.equal(config.ocpp.callTimeoutMs, 5000);
    assert.equal(config.ocpp.allowUnknownStations, true);
  });

  it('names every offending key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joule-config-'));
    const file = join(dir, 'joule.config.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty', ocpp: { callTimeoutMs: 5, colour: 'red' } }));
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('port: must be integer') &&
        error.message.includes('ocpp.callTimeoutMs: must be >= 100') &&
        error.message.includes("'colour'"),
    );
  });

  it('node id: none by default, JOULE_NODE_ID sets it, blanks and control characters are refused', () => {
    assert.equal(loadConfig({ env: {} }).nodeId, null);
    assert.equal(loadConfig({ env: { JOULE_NODE_ID: 'joule-a.example:1' } }).nodeId, 'joule-a.example:1');
    assert.throws(() => loadConfig({ env: {}, overrides: { nodeId: 'node 1' } }), /nodeId/);
    assert.throws(() => loadConfig({ env: {}, overrides: { nodeId: '' } }), /nodeId/);
  });

  it('node liveness: a heartbeat every 5 s, dead after 20 s; the staleness must exceed the heartbeat', () => {
    assert.deepEqual(loadConfig({ env: {} }).cluster, { heartbeatMs: 5000, staleAfterMs: 20000 });
    assert.deepEqual(loadConfig({ env: { JOULE_CLUSTER_HEARTBEAT_MS: '1000', JOULE_CLUSTER_STALE_AFTER_MS: '4000' } }).cluster, { heartbeatMs: 1000, staleAfterMs: 4000 });
    assert.throws(() => loadConfig({ env: {}, overrides: { 'cluster.staleAfterMs': 5000 } }), /cluster.staleAfterMs: must be more than cluster.heartbeatMs/);
    assert.throws(() => loadConfig({ env: {}, overrides: { 'cluster.heartbeatMs': 10 } }), /cluster.heartbeatMs/);
  });

  it('refuses a database URL that is not PostgreSQL', () => {
    assert.throws(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' } }), /storage.databaseUrl/);
  });
});
