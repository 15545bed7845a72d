/**
 * One Joule node as a process of its own, for tests that kill it (SIGKILL) or start it twice: `startJoule` as
 * `joule start` runs it, plus the PostgreSQL schema (JOULE_TEST_SCHEMA) and config overrides (JOULE_TEST_OVERRIDES,
 * JSON) a test needs. Prints `ready <port>` once listening; closes cleanly on SIGTERM (exit 0); a start that fails
 * prints the error's message on stderr and exits 1.
 *
 *   node --import tsx test/support/joule-node.ts   (env: DATABASE_URL, JOULE_NODE_ID, JOULE_TEST_SCHEMA, ...)
 */
import { startJoule } from '../../src/app.ts';
import { loadConfig } from '../../src/shared/config.ts';

try {
  const overrides = JSON.parse(process.env.JOULE_TEST_OVERRIDES ?? '{}') as Record<string, unknown>;
  const config = loadConfig({ env: { ...process.env, JOULE_CONFIG: '' }, overrides: { port: 0, host: '127.0.0.1', 'log.level': 'silent', ...overrides } });
  const joule = await startJoule(config, { databaseSchema: process.env.JOULE_TEST_SCHEMA });
  process.once('SIGTERM', () => void joule.close().then(() => process.exit(0)));
  console.log(`ready ${joule.port}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
