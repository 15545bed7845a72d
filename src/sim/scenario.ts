/**
 * Scenario files (JSON or YAML) for reproducible simulator runs. Every field is optional and the command line
 * overrides it; docs/sim-lc.md lists them. Problems are reported all at once, each with its path, and unknown
 * fields are errors (a typo must not silently fall back to a default).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../protocol/signed/format.ts';
import { OCPP_VERSIONS, type OcppVersion } from '../protocol/types.ts';
import { Fields } from './fields.ts';
import type { CertificateFiles, SimulationOptions } from './plan.ts';
import { readCharging } from './scenario-steps.ts';
import type { SigningFiles } from './signing.ts';

/** The options a scenario file can set. */
export type ScenarioOptions = Partial<
  Pick<
    SimulationOptions,
    | 'url'
    | 'stations'
    | 'idPrefix'
    | 'startIndex'
    | 'version'
    | 'evses'
    | 'connectorsPerEvse'
    | 'password'
    | 'certificates'
    | 'signing'
    | 'compression'
    | 'durationS'
    | 'meterIntervalS'
    | 'heartbeatIntervalS'
    | 'pingIntervalS'
    | 'maxPowerW'
    | 'callTimeoutMs'
    | 'rebootDelayMs'
    | 'backoff'
    | 'rampUp'
    | 'charging'
    | 'idTokens'
    | 'idTokenType'
    | 'stopSessionsAtEnd'
    | 'endGraceMs'
    | 'tolerateErrors'
  >
>;

export const MAX_STATIONS = 50_000;
export const ID_TOKEN_TYPES = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'] as const;

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: invalid scenario\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/** Reads and checks a scenario; relative certificate paths are resolved against `baseDir`. */
export function parseScenario(text: string, source = 'scenario', baseDir?: string): ScenarioOptions {
  let document: unknown;
  try {
    document = source.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new ScenarioError(source, [`not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const errors: string[] = [];
  const f = Fields.of(document ?? {}, '', errors);
  const options = f ? readOptions(f, errors) : {};
  if (errors.length > 0) throw new ScenarioError(source, errors);
  if (options.certificates && baseDir !== undefined) options.certificates = resolvePaths(options.certificates, baseDir);
  if (options.signing && baseDir !== undefined) options.signing = resolveSigningPaths(options.signing, baseDir);
  return options;
}

export async function loadScenario(path: string): Promise<ScenarioOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [`cannot read the file: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseScenario(text, path, dirname(path));
}

function readOptions(f: Fields, errors: string[]): ScenarioOptions {
  const o: ScenarioOptions = {};
  const seconds = (key: string, min = 0): number | undefined => f.number(key, { min });
  o.url = f.string('url', { pattern: /^wss?:\/\/\S+$/, hint: 'a ws:// or wss:// URL' });
  o.stations = f.number('stations', { min: 1, max: MAX_STATIONS, integer: true });
  o.idPrefix = f.string('idPrefix', { pattern: /^[^:/\s]{0,40}$/, hint: 'up to 40 characters without ":", "/" or spaces' });
  o.startIndex = f.number('startIndex', { min: 0, integer: true });
  o.version = f.string('version', { oneOf: OCPP_VERSIONS }) as OcppVersion | undefined;
  o.evses = f.number('evses', { min: 1, max: 100, integer: true });
  o.connectorsPerEvse = f.number('connectorsPerEvse', { min: 1, max: 10, integer: true });
  o.compression = f.boolean('compression');
  o.durationS = seconds('duration');
  o.meterIntervalS = f.number('meterInterval', { min: 0.01 });
  o.heartbeatIntervalS = f.number('heartbeatInterval', { min: 1, integer: true });
  o.pingIntervalS = f.number('pingInterval', { min: 0, integer: true });
  o.maxPowerW = f.number('maxPower', { min: 1 });
  const callTimeout = f.number('callTimeout', { min: 0.001 });
  if (callTimeout !== undefined) o.callTimeoutMs = callTimeout * 1000;
  const rebootDelay = seconds('rebootDelay');
  if (rebootDelay !== undefined) o.rebootDelayMs = rebootDelay * 1000;
  o.stopSessionsAtEnd = f.boolean('stopSessionsAtEnd');
  const endGrace = seconds('endGrace');
  if (endGrace !== undefined) o.endGraceMs = endGrace * 1000;
  o.tolerateErrors = f.boolean('tolerateErrors');
  o.idTokenType = f.string('idTokenType', { oneOf: ID_TOKEN_TYPES });
  const tokens = f.array('idTokens');
  if (tokens) {
    const bad = tokens.findIndex((t) => typeof t !== 'string' || t.length === 0 || t.length > 20);
    if (bad >= 0 || tokens.length === 0) f.fail('idTokens', 'expected a non-empty list of tokens of 1 to 20 characters');
    else o.idTokens = tokens as string[];
  }
  readAuth(f, o);
  readSigning(f, o);
  readRampAndBackoff(f, o);
  o.charging = readCharging(f, errors);
  f.done();
  for (const key of Object.keys(o) as Array<keyof ScenarioOptions>) if (o[key] === undefined) delete o[key];
  return o;
}

function readAuth(f: Fields, o: ScenarioOptions): void {
  const auth = f.object('auth');
  if (!auth) return;
  o.password = auth.string('password', { pattern: /^.{1,64}$/, hint: 'a password of 1 to 64 characters' });
  const files: CertificateFiles = {};
  for (const key of ['cert', 'key', 'ca'] as const) {
    const path = auth.string(key);
    if (path !== undefined) files[key] = path;
  }
  const insecure = auth.boolean('insecure');
  if (insecure !== undefined) files.insecure = insecure;
  if ((files.cert === undefined) !== (files.key === undefined)) auth.fail(files.cert === undefined ? 'cert' : 'key', 'cert and key go together (client certificate, security profile 3)');
  if (Object.keys(files).length > 0) o.certificates = files;
  auth.done();
}

/** signing: {key, cert, alg, csmsCert, actions}: signed messages (Part 4 §7). */
function readSigning(f: Fields, o: ScenarioOptions): void {
  const signing = f.object('signing');
  if (!signing) return;
  const files: SigningFiles = {};
  for (const key of ['key', 'cert', 'csmsCert'] as const) {
    const path = signing.string(key);
    if (path !== undefined) files[key] = path;
  }
  const alg = signing.string('alg', { oneOf: SIGNING_ALGORITHMS });
  if (alg !== undefined) files.alg = alg as SigningAlgorithm;
  const actions = signing.array('actions');
  if (actions) {
    if (actions.length === 0 || actions.some((a) => typeof a !== 'string' || !/^[A-Za-z0-9]{1,50}$/.test(a))) signing.fail('actions', 'expected a non-empty list of action names');
    else files.actions = actions as string[];
  }
  if ((files.key === undefined) !== (files.cert === undefined)) signing.fail(files.key === undefined ? 'key' : 'cert', 'key and cert go together (the stations sign with them)');
  else if (files.key === undefined && files.csmsCert === undefined) signing.fail('csmsCert', 'needs key and cert, or csmsCert');
  o.signing = files;
  signing.done();
}

function resolveSigningPaths(files: SigningFiles, baseDir: string): SigningFiles {
  const fix = (path: string | undefined): string | undefined => (path === undefined || isAbsolute(path) ? path : resolve(baseDir, path));
  const resolved: SigningFiles = { ...files };
  for (const key of ['key', 'cert', 'csmsCert'] as const) if (files[key] !== undefined) resolved[key] = fix(files[key]);
  return resolved;
}

function readRampAndBackoff(f: Fields, o: ScenarioOptions): void {
  const ramp = f.object('rampUp');
  if (ramp) {
    const batch = ramp.number('batch', { min: 1, integer: true }) ?? 100;
    const interval = ramp.number('interval', { min: 0 }) ?? 0.1;
    o.rampUp = { batch, intervalMs: interval * 1000 };
    ramp.done();
  }
  const backoff = f.object('backoff');
  if (backoff) {
    const waitMinimumS = backoff.number('waitMinimum', { min: 0, integer: true });
    const randomRangeS = backoff.number('randomRange', { min: 0, integer: true });
    const repeatTimes = backoff.number('repeatTimes', { min: 0, integer: true });
    o.backoff = {
      ...(waitMinimumS === undefined ? {} : { waitMinimumS }),
      ...(randomRangeS === undefined ? {} : { randomRangeS }),
      ...(repeatTimes === undefined ? {} : { repeatTimes }),
    };
    backoff.done();
  }
}

function resolvePaths(files: CertificateFiles, baseDir: string): CertificateFiles {
  const fix = (path: string | undefined): string | undefined => (path === undefined || isAbsolute(path) ? path : resolve(baseDir, path));
  return { ...files, cert: fix(files.cert), key: fix(files.key), ca: fix(files.ca) };
}
