/**
 * `joule <command>`: the command line. `npm start` runs `joule start`.
 *
 *   joule start                                   run the CSMS (config: docs/configuration.md)
 *   joule station add <id> [--password P] [--profile 0|1|2|3] [--versions ocpp2.0.1,ocpp1.6] [--fallback ocpp1.6]
 *                          [--status Pending|Accepted|Rejected]   registration status (default Pending)
 *                          [--signed --signing-cert FILE]   signed messages (Part 4 §7) verified with the station's certificate
 *   joule station list
 *   joule help
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Ajv } from 'ajv';
import { passwordSchema, stationIdSchema } from '../api/schemas.ts';
import type { RegistrationStatus } from '../domain/model.ts';
import { startJoule } from '../app.ts';
import { splitPemCertificates, trustedCertificate } from '../protocol/signed/index.ts';
import { isOcppVersion, type OcppVersion } from '../protocol/types.ts';
import { ConfigError, loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { hashPassword } from '../shared/password.ts';
import { createRepositories, openDatabase } from '../storage/index.ts';
import { extraCommands } from './commands.ts';

const USAGE = `usage: joule <command>
  start                                run the CSMS
  station add <id> [--password P] [--profile 0|1|2|3] [--versions v1,v2] [--fallback version] [--signed --signing-cert FILE]
                   [--status Pending|Accepted|Rejected]   registration status (default Pending: accept it later via the API)
  station list                         registered stations with their connection and registration state
${extraCommands.map((c) => `  ${c.usage}`).join('\n')}
  help                                 this text`;

async function withRepositories<T>(fn: (repos: ReturnType<typeof createRepositories>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.storage.databaseUrl ?? undefined, dataDir: config.storage.dataDir });
  try {
    return await fn(createRepositories(database));
  } finally {
    await database.close();
  }
}

function parseVersions(text: string | undefined): OcppVersion[] {
  if (!text) return [];
  const versions = text.split(',').map((v) => v.trim());
  for (const version of versions) if (!isOcppVersion(version)) throw new Error(`unknown OCPP version '${version}' (ocpp2.1, ocpp2.0.1, ocpp1.6)`);
  return versions as OcppVersion[];
}

const REGISTRATION_STATUSES: readonly RegistrationStatus[] = ['Pending', 'Accepted', 'Rejected'];

const ajv = new Ajv();
function fitsSchema(schema: object, value: unknown): boolean {
  return ajv.validate(schema, value);
}

/** The station's signing certificate file (PEM), checked so that a wrong file fails here and not at verification. */
function readSigningCertificate(file: string): string {
  const pem = readFileSync(file, 'utf8');
  if (splitPemCertificates(pem).length === 0) throw new Error(`${file} contains no PEM certificate`);
  for (const block of splitPemCertificates(pem)) trustedCertificate(block);
  return pem;
}

async function stationAdd(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      password: { type: 'string' },
      profile: { type: 'string', default: '1' },
      versions: { type: 'string' },
      fallback: { type: 'string' },
      signed: { type: 'boolean' },
      'signing-cert': { type: 'string' },
      status: { type: 'string', default: 'Pending' },
    },
  });
  const id = positionals[0];
  if (!id) throw new Error('station add needs a station id');
  // The same rules as POST /api/v1/stations: one definition of what a valid identity and password are.
  if (!fitsSchema(stationIdSchema, id)) throw new Error(`'${id}' is not a valid station identity (1-48 characters, no ':', '/' or control characters)`);
  if (values.password !== undefined && !fitsSchema(passwordSchema, values.password)) throw new Error('--password must be 16-40 printable ASCII characters');
  if (!REGISTRATION_STATUSES.includes(values.status as RegistrationStatus)) throw new Error(`--status must be one of ${REGISTRATION_STATUSES.join(', ')}`);
  const profile = Number(values.profile);
  if (![0, 1, 2, 3].includes(profile)) throw new Error('--profile must be 0, 1, 2 or 3');
  if ((profile === 1 || profile === 2) && !values.password) throw new Error(`security profile ${profile} needs --password`);
  if (values.fallback !== undefined && !isOcppVersion(values.fallback)) throw new Error(`unknown OCPP version '${values.fallback}'`);
  if (values['signing-cert'] !== undefined && !values.signed) throw new Error('--signing-cert goes with --signed');
  const signingCertificate = values['signing-cert'] === undefined ? null : readSigningCertificate(values['signing-cert']);
  const passwordHash = values.password ? await hashPassword(values.password) : null;
  await withRepositories(async (repos) => {
    await repos.stations.create({
      id,
      securityProfile: profile,
      passwordHash,
      allowedVersions: parseVersions(values.versions),
      fallbackVersion: (values.fallback as OcppVersion | undefined) ?? null,
      signedMessages: values.signed === true,
      signingCertificate,
      registrationStatus: values.status as RegistrationStatus,
    });
  });
  console.log(`station ${id} registered (security profile ${profile}, ${values.status})`);
}

async function stationList(): Promise<void> {
  await withRepositories(async (repos) => {
    for (const station of await repos.stations.list({ limit: 1000 })) {
      console.log(`${station.id}\t${station.connected ? 'connected' : 'offline'}\t${station.registrationStatus}\tprofile ${station.securityProfile}\t${station.ocppVersion ?? '-'}`);
    }
  });
}

async function start(): Promise<void> {
  const joule = await startJoule(loadConfig());
  if (joule.initialApiKey) {
    // Printed once, on the first start only: the key is stored hashed and cannot be shown again.
    console.log(`\nFirst start: created API key (keep it, it is shown only once):\n  ${joule.initialApiKey}\n`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    joule.logger.info({ signal }, 'shutting down');
    joule.close().then(
      () => process.exit(0),
      (error: unknown) => {
        joule.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === 'start') return start();
  if (command === 'station' && sub === 'add') return stationAdd(rest);
  if (command === 'station' && sub === 'list') return stationList();
  const extra = extraCommands.find((c) => c.name === command);
  if (extra) return extra.run(argv.slice(1));
  console.log(USAGE);
  if (command !== 'help' && command !== undefined) process.exitCode = 2;
}

const argv = process.argv.slice(2);
main(argv).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  // The server logs as JSON (a supervisor collects it); one-shot commands answer a person on stderr.
  else if (argv[0] === 'start') createLogger().error({ err: error }, 'joule failed');
  else console.error(`joule ${argv[0] ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
