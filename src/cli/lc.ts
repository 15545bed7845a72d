/**
 * `joule lc`: a Local Controller (OCPP-J Part 4 §6) between charging stations and a CSMS (docs/sim-lc.md).
 * Stations connect to it as to a CSMS; each gets its own upstream connection with the same path and subprotocol,
 * relayed unchanged (signed messages included). Prints one "listening" line with the URL stations use (the real
 * port when --port 0), logs JSON lines on stderr, stops cleanly on SIGINT/SIGTERM. Exit code 2 for bad options.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LocalControllerOptions, StationAuthRequest, UpstreamAuth } from '../lc/index.ts';
import { LocalController } from '../lc/index.ts';
import { createSchemaValidator } from '../protocol/schemas/validator.ts';
import { isOcppVersion, type OcppVersion } from '../protocol/types.ts';
import { createLogger } from '../shared/logger.ts';
import type { CliCommand } from './commands.ts';

const USAGE = 'lc --upstream URL [--port N] [--host H] [--tls-cert F --tls-key F] [--upstream-ca F] [--auth passthrough|own] [--site-limit N]   Local Controller';

const HELP = `usage: joule lc --upstream URL [options]
  --upstream URL            the CSMS's OCPP-J endpoint without station id, e.g. wss://csms.example.com/ocpp
  --port N                  port stations connect to (default 8181; 0 = any free port, printed at start)
  --host H                  listen address (default 0.0.0.0)
  --path PREFIX             endpoint path for stations (default /ocpp); the rest of the path goes upstream unchanged
  stations side (the LC is their TLS server, §6.5):
  --tls-cert FILE --tls-key FILE   serve wss:// with this certificate and key (PEM)
  --tls-ca FILE             require station client certificates from this CA (CN = station identity)
  --station-password P      check the stations' Basic auth at the LC ({id} is replaced by the station id)
  upstream side (the LC is a TLS client of the CSMS):
  --upstream-ca FILE        CA of the CSMS certificate
  --upstream-cert FILE --upstream-key FILE   the LC's own client certificate (security profile 3)
  --upstream-insecure       accept any CSMS certificate (tests only)
  --auth passthrough|own    Basic auth upstream: the station's own header (default) or the LC's
  --upstream-password P     with --auth own: the password sent for every station ({id} replaced);
                            --auth own also needs --station-password or --tls-ca
  --no-compression          no permessage-deflate, on either side (default on: §6.5 a LC SHALL support it)
  local smart charging (§6.1):
  --site-limit N            site limit shared by the charging sessions behind the LC
  --site-limit-unit W|A     unit of --site-limit (default W)
  own connection to the CSMS (§6.2):
  --own-id ID [--own-password P] [--own-version V]   the LC's own station identity upstream
  --ping-interval S         WebSocket ping on both hops (default 30; 0 = none)
  --log-level LEVEL         default info; JSON lines on stderr`;

const OPTIONS = {
  upstream: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  path: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'station-password': { type: 'string' },
  'upstream-ca': { type: 'string' },
  'upstream-cert': { type: 'string' },
  'upstream-key': { type: 'string' },
  'upstream-insecure': { type: 'boolean' },
  auth: { type: 'string' },
  'upstream-password': { type: 'string' },
  'no-compression': { type: 'boolean' },
  'site-limit': { type: 'string' },
  'site-limit-unit': { type: 'string' },
  'own-id': { type: 'string' },
  'own-password': { type: 'string' },
  'own-version': { type: 'string' },
  'ping-interval': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function numberFlag(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} expects a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

function pair(values: Values, a: 'tls-cert' | 'upstream-cert', b: 'tls-key' | 'upstream-key'): void {
  if ((values[a] === undefined) !== (values[b] === undefined)) throw new UsageError(`--${a} and --${b} go together`);
}

function read(path: string | undefined): Buffer | undefined {
  return path === undefined ? undefined : readFileSync(path);
}

function withId(template: string, identity: string): string {
  return template.replaceAll('{id}', identity);
}

/** Constant-time comparison of the station's password with the expected one. */
function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function upstreamAuth(values: Values): UpstreamAuth | undefined {
  const mode = values.auth ?? 'passthrough';
  if (mode !== 'passthrough' && mode !== 'own') throw new UsageError(`--auth must be passthrough or own, got ${mode}`);
  if (mode === 'passthrough') {
    if (values['upstream-password'] !== undefined) throw new UsageError('--upstream-password needs --auth own');
    return undefined;
  }
  const template = values['upstream-password'];
  if (template === undefined) throw new UsageError('--auth own needs --upstream-password');
  return { mode: 'own', password: (identity) => withId(template, identity) };
}

/** Turns the flags into LocalController options (files are read here, so a wrong path fails at start). */
export function lcOptions(values: Values): { options: LocalControllerOptions; port: number; host: string; logLevel: LogLevel } {
  const upstream = values.upstream;
  if (upstream === undefined) throw new UsageError('--upstream URL is required');
  if (!/^wss?:\/\/\S+$/.test(upstream)) throw new UsageError(`--upstream must be a ws:// or wss:// URL, got ${upstream}`);
  pair(values, 'tls-cert', 'tls-key');
  pair(values, 'upstream-cert', 'upstream-key');
  if (values['tls-ca'] !== undefined && values['tls-cert'] === undefined) throw new UsageError('--tls-ca needs --tls-cert and --tls-key');
  const unit = values['site-limit-unit'] ?? 'W';
  if (unit !== 'W' && unit !== 'A') throw new UsageError(`--site-limit-unit must be W or A, got ${unit}`);
  const siteLimit = numberFlag('site-limit', values['site-limit'], 0);
  const ownVersion = values['own-version'];
  if (ownVersion !== undefined && !isOcppVersion(ownVersion)) throw new UsageError(`--own-version must be ocpp1.6, ocpp2.0.1 or ocpp2.1, got ${ownVersion}`);
  if (values['own-id'] === undefined && (values['own-password'] !== undefined || ownVersion !== undefined)) throw new UsageError('--own-password and --own-version need --own-id');
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const pingS = numberFlag('ping-interval', values['ping-interval'], 0);
  const stationPassword = values['station-password'];
  // With its own credentials upstream the LC vouches for every station: it must check them itself.
  if (values.auth === 'own' && stationPassword === undefined && values['tls-ca'] === undefined) throw new UsageError('--auth own needs --station-password or --tls-ca: the LC must check the stations itself');
  const compression = values['no-compression'] !== true;

  const options: LocalControllerOptions = {
    upstreamUrl: upstream,
    ...(values.path !== undefined ? { pathPrefix: values.path } : {}),
    ...(values['tls-cert'] !== undefined ? { tls: { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key'] ?? ''), ...(values['tls-ca'] !== undefined ? { ca: readFileSync(values['tls-ca']) } : {}) } } : {}),
    upstreamTls: {
      ...(values['upstream-ca'] !== undefined ? { ca: read(values['upstream-ca']) } : {}),
      ...(values['upstream-cert'] !== undefined ? { cert: read(values['upstream-cert']), key: read(values['upstream-key']) } : {}),
      ...(values['upstream-insecure'] ? { rejectUnauthorized: false } : {}),
    },
    ...(() => {
      const auth = upstreamAuth(values);
      return auth ? { upstreamAuth: auth } : {};
    })(),
    ...(stationPassword !== undefined
      ? { authorizeStation: ({ identity, credentials }: StationAuthRequest) => credentials !== undefined && credentials.username === identity && samePassword(credentials.password, withId(stationPassword, identity)) }
      : {}),
    compression: { stations: { enabled: compression }, upstream: compression },
    ...(siteLimit !== undefined ? { siteLimit: { limit: siteLimit, unit } } : {}),
    ...(values['own-id'] !== undefined
      ? {
          ownConnection: {
            identity: values['own-id'],
            ...(values['own-password'] !== undefined ? { password: values['own-password'] } : {}),
            ...(ownVersion !== undefined ? { protocols: [ownVersion as OcppVersion] } : {}),
          },
          validator: createSchemaValidator(),
        }
      : {}),
    ...(pingS !== undefined ? { pingIntervalMs: pingS * 1000 } : {}),
  };
  const port = numberFlag('port', values.port, 0, 65535) ?? 8181;
  return { options, port, host: values.host ?? '0.0.0.0', logLevel: logLevel as LogLevel };
}

async function run(args: string[]): Promise<void> {
  let parsed: ReturnType<typeof lcOptions>;
  try {
    const { values } = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
    if (values.help) {
      console.log(HELP);
      return;
    }
    parsed = lcOptions(values);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error) || (error instanceof Error && 'code' in error && error.code === 'ENOENT')) {
      console.error(`joule lc: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  const logger = createLogger({ level: parsed.logLevel, destination: process.stderr });
  const lc = new LocalController({ ...parsed.options, logger });
  const port = await lc.listen(parsed.port, parsed.host);
  const scheme = parsed.options.tls ? 'wss' : 'ws';
  console.log(`joule lc: listening on ${scheme}://${parsed.host}:${port}${parsed.options.pathPrefix ?? '/ocpp'} → ${parsed.options.upstreamUrl}`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'Local Controller shutting down');
      lc.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export const lcCommand: CliCommand = { name: 'lc', usage: USAGE, run };
