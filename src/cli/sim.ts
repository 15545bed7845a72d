/**
 * `joule sim`: simulated charging stations against a CSMS (docs/sim-lc.md). Options come from the defaults,
 * then the scenario file, then the command line. A progress line goes to stderr, the summary to stdout; the exit
 * code is 1 when a CALLERROR or timeout occurred (unless --tolerate-errors), 2 for bad options.
 */
import { parseArgs } from 'node:util';
import { isSigningAlgorithm } from '../protocol/signed/format.ts';
import { isOcppVersion } from '../protocol/types.ts';
import { createLogger, silentLogger } from '../shared/logger.ts';
import type { ChargingPlan, ScenarioOptions, SigningFiles, SimulationOptions } from '../sim/index.ts';
import { MAX_STATIONS, ScenarioError, formatProgress, formatSummary, loadScenario, runSimulation } from '../sim/index.ts';
import type { CliCommand } from './commands.ts';

const USAGE = 'sim [--url U] [--stations N] [--version V] [--evses N] [--password P] [--compression] [--duration S] [--scenario F] [--tolerate-errors]   simulated stations';

const HELP = `usage: joule sim [options]
  --url URL                 CSMS endpoint without the station id (default ws://127.0.0.1:8180/ocpp)
  --stations N              number of stations, 1..${MAX_STATIONS} (default 1)
  --id-prefix TEXT          station ids are <prefix><number> (default SIM-)
  --version V               ocpp1.6, ocpp2.0.1 or ocpp2.1 (default ocpp2.0.1)
  --evses N                 EVSEs per station (default 1)
  --connectors N            connectors per EVSE (default 1)
  --password P              HTTP Basic password ({id} is replaced by the station id)
  --cert FILE --key FILE    client certificate (security profile 3; {id} allowed in the paths)
  --ca FILE                 CA of the CSMS certificate (wss://)
  --insecure                accept any CSMS certificate
  --sign-key FILE --sign-cert FILE   sign the stations' CALLs (Part 4 §7 signed messages; ES256/RS256/RS384)
  --sign-alg ALG            RS256 or RS384 for an RSA key (EC P-256 keys sign ES256)
  --sign-actions A,B        only these actions are sent signed (default: all)
  --csms-cert FILE          verify what the CSMS signs (its replies to signed CALLs, its signed CALLs)
  --compression | --no-compression   offer permessage-deflate (default on)
  --duration S              run time in seconds (default: until Ctrl-C, or until the scripts end)
  --charging MODE           none | random (default random unless the scenario says otherwise)
  --meter-interval S        meter value interval (default 60)
  --ramp-batch N            connections opened per batch (default 100)
  --ramp-interval S         seconds between batches (default 0.1)
  --scenario FILE           scenario file (JSON or YAML), see docs/sim-lc.md
  --tolerate-errors         exit 0 even after CALLERRORs or timeouts
  --json                    print the summary as JSON
  --quiet                   no progress line
  --progress-interval S     seconds between progress lines (default 1 on a terminal, 5 otherwise)
  --log-level LEVEL         station logs on stderr (default silent)`;

const OPTIONS = {
  url: { type: 'string' },
  stations: { type: 'string' },
  'id-prefix': { type: 'string' },
  version: { type: 'string' },
  evses: { type: 'string' },
  connectors: { type: 'string' },
  password: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  'sign-key': { type: 'string' },
  'sign-cert': { type: 'string' },
  'sign-alg': { type: 'string' },
  'sign-actions': { type: 'string' },
  'csms-cert': { type: 'string' },
  compression: { type: 'boolean' },
  'no-compression': { type: 'boolean' },
  duration: { type: 'string' },
  charging: { type: 'string' },
  'meter-interval': { type: 'string' },
  'ramp-batch': { type: 'string' },
  'ramp-interval': { type: 'string' },
  scenario: { type: 'string' },
  'tolerate-errors': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'progress-interval': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function numberFlag(name: string, text: string | undefined, options: { min: number; max?: number; integer?: boolean }): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(value) && value >= options.min && (options.max === undefined || value <= options.max) && (!options.integer || Number.isInteger(value));
  if (!ok) throw new UsageError(`--${name} expects ${options.integer ? 'an integer' : 'a number'} ≥ ${options.min}${options.max === undefined ? '' : ` and ≤ ${options.max}`}, got ${JSON.stringify(text)}`);
  return value;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** --sign-* and --csms-cert on top of the scenario's signing section. */
function signingFlags(values: Values, scenario: SigningFiles | undefined): SigningFiles | undefined {
  const alg = values['sign-alg'];
  if (alg !== undefined && !isSigningAlgorithm(alg)) throw new UsageError(`--sign-alg must be ES256, RS256 or RS384, got ${alg}`);
  const flags: SigningFiles = {
    ...(values['sign-key'] !== undefined ? { key: values['sign-key'] } : {}),
    ...(values['sign-cert'] !== undefined ? { cert: values['sign-cert'] } : {}),
    ...(alg !== undefined && isSigningAlgorithm(alg) ? { alg } : {}),
    ...(values['csms-cert'] !== undefined ? { csmsCert: values['csms-cert'] } : {}),
    ...(values['sign-actions'] !== undefined ? { actions: values['sign-actions'].split(',').map((a) => a.trim()).filter((a) => a !== '') } : {}),
  };
  if (Object.keys(flags).length === 0) return scenario;
  const merged = { ...scenario, ...flags };
  if ((merged.key === undefined) !== (merged.cert === undefined)) throw new UsageError('--sign-key and --sign-cert go together');
  if (merged.key === undefined && merged.csmsCert === undefined) throw new UsageError('signing needs --sign-key and --sign-cert, or --csms-cert');
  return merged;
}

/** Command-line flags on top of the scenario. */
function merge(values: Values, scenario: ScenarioOptions): SimulationOptions {
  if (values.version !== undefined && !isOcppVersion(values.version)) throw new UsageError(`--version must be ocpp1.6, ocpp2.0.1 or ocpp2.1, got ${values.version}`);
  if (values.charging !== undefined && values.charging !== 'none' && values.charging !== 'random') throw new UsageError('--charging must be none or random (scripts come from a scenario file)');
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  const charging: ChargingPlan | undefined =
    values.charging === 'none' ? { mode: 'none' } : values.charging === 'random' || !scenario.charging ? { mode: 'random', probability: 1, durationS: [60, 600], idleS: [0, 60] } : scenario.charging;
  const rampBatch = numberFlag('ramp-batch', values['ramp-batch'], { min: 1, integer: true });
  const rampInterval = numberFlag('ramp-interval', values['ramp-interval'], { min: 0 });
  const signing = signingFlags(values, scenario.signing);
  const certificates = values.cert !== undefined || values.ca !== undefined || values.insecure ? { ...scenario.certificates, cert: values.cert, key: values.key, ca: values.ca, insecure: values.insecure } : scenario.certificates;
  const options: SimulationOptions = {
    ...scenario,
    url: values.url ?? scenario.url ?? 'ws://127.0.0.1:8180/ocpp',
    stations: numberFlag('stations', values.stations, { min: 1, max: MAX_STATIONS, integer: true }) ?? scenario.stations ?? 1,
    idPrefix: values['id-prefix'] ?? scenario.idPrefix,
    version: values.version !== undefined && isOcppVersion(values.version) ? values.version : scenario.version,
    evses: numberFlag('evses', values.evses, { min: 1, max: 100, integer: true }) ?? scenario.evses,
    connectorsPerEvse: numberFlag('connectors', values.connectors, { min: 1, max: 10, integer: true }) ?? scenario.connectorsPerEvse,
    password: values.password ?? scenario.password,
    certificates: certificates && Object.fromEntries(Object.entries(certificates).filter(([, v]) => v !== undefined)),
    signing,
    compression: values['no-compression'] ? false : values.compression ? true : scenario.compression,
    durationS: numberFlag('duration', values.duration, { min: 0 }) ?? scenario.durationS,
    meterIntervalS: numberFlag('meter-interval', values['meter-interval'], { min: 0.01 }) ?? scenario.meterIntervalS,
    rampUp: rampBatch !== undefined || rampInterval !== undefined ? { batch: rampBatch ?? scenario.rampUp?.batch ?? 100, intervalMs: rampInterval !== undefined ? rampInterval * 1000 : (scenario.rampUp?.intervalMs ?? 100) } : scenario.rampUp,
    charging,
    tolerateErrors: values['tolerate-errors'] ? true : scenario.tolerateErrors,
  };
  return options;
}

async function run(args: string[]): Promise<void> {
  let options: SimulationOptions;
  let values: Values;
  let progressS: number | undefined;
  try {
    values = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
    if (values.help) {
      console.log(HELP);
      return;
    }
    const scenario = values.scenario ? await loadScenario(values.scenario) : {};
    options = merge(values, scenario);
    progressS = numberFlag('progress-interval', values['progress-interval'], { min: 0.1 });
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      console.error(`joule sim: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\njoule sim: stopping (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stderr.isTTY === true;
  const logLevel = values['log-level'];
  try {
    const summary = await runSimulation({
      ...options,
      signal: controller.signal,
      logger: logLevel && logLevel !== 'silent' ? createLogger({ level: logLevel, destination: process.stderr }) : silentLogger(),
      progressIntervalMs: progressS !== undefined ? progressS * 1000 : tty ? 1000 : 5000,
      onProgress: values.quiet
        ? undefined
        : (progress) => {
            const line = formatProgress(progress, options.stations);
            process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
          },
    });
    if (tty && !values.quiet) process.stderr.write('\n');
    console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    process.exitCode = summary.exitCode;
  } catch (error) {
    // Problems found at start (a bad URL, an unreadable key or certificate file) are usage errors, not crashes.
    if (error instanceof RangeError || (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES'))) {
      console.error(`joule sim: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export const simCommand: CliCommand = { name: 'sim', usage: USAGE, run };
