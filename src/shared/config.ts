/**
 * Joule's configuration: defaults, then a JSON or YAML file, then environment variables; validated once at start
 * so a typo fails fast with the offending key named. docs/configuration.md lists every setting.
 */
import { readFileSync, existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';

export interface JouleConfig {
  /** HTTP and ws:// port for stations (/ocpp/{id}), the REST API and OCPI. */
  port: number;
  host: string;
  /**
   * This node's name when several share one PostgreSQL database; null: host name and process id. Stored with each
   * station's connection, it is where other nodes send commands for that station.
   */
  nodeId: string | null;
  /** Several nodes on one PostgreSQL database: how nodes tell that one of them has died. */
  cluster: {
    /** How often a node refreshes its heartbeat and sweeps the leftovers of dead nodes. */
    heartbeatMs: number;
    /** A node whose last heartbeat is older than this is dead; more than heartbeatMs. */
    staleAfterMs: number;
  };
  /** Optional wss:// / https port; needed by security profiles 2 and 3. */
  tls: {
    port: number | null;
    certFile: string | null;
    keyFile: string | null;
    /** CA bundle that signs station client certificates (security profile 3). */
    caFile: string | null;
  };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  ocpp: {
    pathPrefix: string;
    /** Accept stations the CSMS does not know (off by default: unknown → HTTP 404). */
    allowUnknownStations: boolean;
    callTimeoutMs: number;
    maxQueuedCalls: number;
    maxPayloadBytes: number;
    maxBadMessages: number;
    pingIntervalMs: number;
    pongTimeoutMs: number;
    /** Default for stations without their own setting: lenient logs schema violations and still handles them. */
    strictness: 'strict' | 'lenient';
    heartbeatIntervalS: number;
    compression: {
      enabled: boolean;
      serverMaxWindowBits: number;
      clientMaxWindowBits: number;
      memLevel: number;
      serverNoContextTakeover: boolean;
      clientNoContextTakeover: boolean;
      /** Compress our own messages too (costs ~80 KB per connection: zlib's fixed deflate state). */
      compressOutgoing: boolean;
      thresholdBytes: number;
    };
    /** The CSMS's key and certificate for signed replies (Part 4 §7); none: signed CALLs are answered unsigned. */
    signing: {
      keyFile: string | null;
      certFile: string | null;
      /** For RSA keys: RS256 or RS384 (EC P-256 keys always use ES256). */
      alg: 'ES256' | 'RS256' | 'RS384' | null;
      /** Also send our CALLs signed to stations with signed messages on (needs the key). */
      signCalls: boolean;
    };
  };
  ocpi: {
    /** Serve OCPI under /ocpi and run the push outbox. */
    enabled: boolean;
    /** Public URL of /ocpi as partners reach it (e.g. https://csms.example.com/ocpi); null: http://{host}:{port}/ocpi. */
    publicUrl: string | null;
    /** Our CPO parties; the first is the default one. */
    parties: { countryCode: string; partyId: string; name: string; website: string | null }[];
    /** Server page cap of OCPI list endpoints (X-Limit). */
    pageLimit: number;
    /** Allow http:// partner URLs for every partner (otherwise only per partner). */
    allowPlainHttp: boolean;
    /** Timeout of one call to a partner. */
    timeoutMs: number;
    /** Secret that encrypts the tokens we send partners at rest (AES-256-GCM); null: stored as given. */
    tokenKey: string | null;
    /** Currency of roaming sessions and CDRs that no tariff prices (ISO 4217). */
    currency: string;
    /** A remote-started session still without a transaction after this long becomes INVALID. */
    sessionPendingTimeoutS: number;
    outbox: {
      /** First retry delay; doubles per failed attempt up to retryMaxMs. */
      retryBaseMs: number;
      retryMaxMs: number;
      /** Safety poll of the outbox (enqueues wake the worker at once). */
      pollMs: number;
    };
  };
  storage: {
    /** postgres://… selects PostgreSQL; empty selects the embedded PGlite database in dataDir. */
    databaseUrl: string | null;
    dataDir: string;
    /** Message log entries older than this many days are deleted (hourly); 0 keeps them forever. */
    messageLogRetentionDays: number;
  };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 8180 },
    host: { type: 'string', minLength: 1, default: '0.0.0.0' },
    nodeId: { type: ['string', 'null'], pattern: '^[\\x21-\\x7e]{1,100}$', default: null },
    cluster: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        heartbeatMs: { type: 'integer', minimum: 50, default: 5000 },
        staleAfterMs: { type: 'integer', minimum: 100, default: 20000 },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        port: { type: ['integer', 'null'], minimum: 0, maximum: 65535, default: null },
        certFile: { type: ['string', 'null'], default: null },
        keyFile: { type: ['string', 'null'], default: null },
        caFile: { type: ['string', 'null'], default: null },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' } },
    },
    ocpp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pathPrefix: { type: 'string', pattern: '^/[^?#]*$', default: '/ocpp' },
        allowUnknownStations: { type: 'boolean', default: false },
        callTimeoutMs: { type: 'integer', minimum: 100, default: 30000 },
        maxQueuedCalls: { type: 'integer', minimum: 0, default: 100 },
        maxPayloadBytes: { type: 'integer', minimum: 1024, default: 65536 },
        maxBadMessages: { type: 'integer', minimum: 0, default: 20 },
        pingIntervalMs: { type: 'integer', minimum: 0, default: 30000 },
        pongTimeoutMs: { type: 'integer', minimum: 100, default: 10000 },
        strictness: { enum: ['strict', 'lenient'], default: 'strict' },
        heartbeatIntervalS: { type: 'integer', minimum: 1, default: 300 },
        compression: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            serverMaxWindowBits: { type: 'integer', minimum: 9, maximum: 15, default: 10 },
            clientMaxWindowBits: { type: 'integer', minimum: 9, maximum: 15, default: 10 },
            memLevel: { type: 'integer', minimum: 1, maximum: 9, default: 4 },
            serverNoContextTakeover: { type: 'boolean', default: false },
            clientNoContextTakeover: { type: 'boolean', default: false },
            compressOutgoing: { type: 'boolean', default: false },
            thresholdBytes: { type: 'integer', minimum: 0, default: 256 },
          },
        },
        signing: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            keyFile: { type: ['string', 'null'], default: null },
            certFile: { type: ['string', 'null'], default: null },
            alg: { enum: ['ES256', 'RS256', 'RS384', null], default: null },
            signCalls: { type: 'boolean', default: false },
          },
        },
      },
    },
    ocpi: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        publicUrl: { type: ['string', 'null'], pattern: '^https?://[^?#]*[^/?#]$', default: null },
        parties: {
          type: 'array',
          minItems: 1,
          default: [{ countryCode: 'NL', partyId: 'JOU', name: 'Joule', website: null }],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['countryCode', 'partyId', 'name'],
            properties: {
              countryCode: { type: 'string', pattern: '^[A-Za-z]{2}$' },
              partyId: { type: 'string', pattern: '^[A-Za-z0-9]{3}$' },
              name: { type: 'string', minLength: 1, maxLength: 100 },
              website: { type: ['string', 'null'], default: null },
            },
          },
        },
        pageLimit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        allowPlainHttp: { type: 'boolean', default: false },
        timeoutMs: { type: 'integer', minimum: 100, default: 10000 },
        tokenKey: { type: ['string', 'null'], minLength: 16, default: null },
        currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'EUR' },
        sessionPendingTimeoutS: { type: 'integer', minimum: 1, default: 180 },
        outbox: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            retryBaseMs: { type: 'integer', minimum: 10, default: 5000 },
            retryMaxMs: { type: 'integer', minimum: 10, default: 600000 },
            pollMs: { type: 'integer', minimum: 10, default: 5000 },
          },
        },
      },
    },
    storage: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        databaseUrl: { type: ['string', 'null'], pattern: '^postgres(ql)?://', default: null },
        dataDir: { type: 'string', minLength: 1, default: './data' },
        messageLogRetentionDays: { type: 'integer', minimum: 0, default: 30 },
      },
    },
  },
} as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Environment variables and the config path they set. Values are parsed as JSON when they look like it. */
const ENV_KEYS: Record<string, string[]> = {
  JOULE_PORT: ['port'],
  JOULE_HOST: ['host'],
  JOULE_NODE_ID: ['nodeId'],
  JOULE_CLUSTER_HEARTBEAT_MS: ['cluster', 'heartbeatMs'],
  JOULE_CLUSTER_STALE_AFTER_MS: ['cluster', 'staleAfterMs'],
  JOULE_TLS_PORT: ['tls', 'port'],
  JOULE_TLS_CERT: ['tls', 'certFile'],
  JOULE_TLS_KEY: ['tls', 'keyFile'],
  JOULE_TLS_CA: ['tls', 'caFile'],
  JOULE_LOG_LEVEL: ['log', 'level'],
  JOULE_ALLOW_UNKNOWN_STATIONS: ['ocpp', 'allowUnknownStations'],
  JOULE_CALL_TIMEOUT_MS: ['ocpp', 'callTimeoutMs'],
  JOULE_MAX_PAYLOAD_BYTES: ['ocpp', 'maxPayloadBytes'],
  JOULE_PING_INTERVAL_MS: ['ocpp', 'pingIntervalMs'],
  JOULE_STRICTNESS: ['ocpp', 'strictness'],
  JOULE_COMPRESSION: ['ocpp', 'compression', 'enabled'],
  JOULE_SIGNING_KEY: ['ocpp', 'signing', 'keyFile'],
  JOULE_SIGNING_CERT: ['ocpp', 'signing', 'certFile'],
  JOULE_SIGN_CALLS: ['ocpp', 'signing', 'signCalls'],
  JOULE_OCPI_PUBLIC_URL: ['ocpi', 'publicUrl'],
  JOULE_OCPI_ALLOW_PLAIN_HTTP: ['ocpi', 'allowPlainHttp'],
  JOULE_OCPI_TOKEN_KEY: ['ocpi', 'tokenKey'],
  DATABASE_URL: ['storage', 'databaseUrl'],
  JOULE_DATA_DIR: ['storage', 'dataDir'],
  JOULE_MESSAGE_LOG_RETENTION_DAYS: ['storage', 'messageLogRetentionDays'],
};

type Mutable = Record<string, unknown>;

function parseEnvValue(raw: string): unknown {
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(raw)) return JSON.parse(raw);
  return raw;
}

function setPath(target: Mutable, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Mutable;
  }
  node[path[path.length - 1] as string] = value;
}

function readConfigFile(path: string): Mutable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as Mutable;
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid: ${(error as Error).message}`);
  }
}

export interface LoadConfigOptions {
  /** Explicit file; otherwise JOULE_CONFIG, otherwise ./joule.config.yaml|yml|json when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (tests). */
  overrides?: Record<string, unknown>;
}

const validate = new Ajv({ useDefaults: true, allErrors: true, strict: false }).compile(schema);

/** Loads and validates the configuration; throws ConfigError naming every bad key. */
export function loadConfig(options: LoadConfigOptions = {}): JouleConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.JOULE_CONFIG ?? ['joule.config.yaml', 'joule.config.yml', 'joule.config.json'].find((f) => existsSync(f));
  const config: Mutable = file ? readConfigFile(file) : {};
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(config, path, parseEnvValue(raw));
  }
  for (const [dotted, value] of Object.entries(options.overrides ?? {})) setPath(config, dotted.split('.'), value);
  if (!validate(config)) {
    const problems = (validate.errors ?? []).map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
      const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
      return `${where}: ${e.message ?? 'invalid'}${extra}`;
    });
    throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}:\n  ${problems.join('\n  ')}`);
  }
  const valid = config as unknown as JouleConfig;
  // A node that heartbeats less often than others expect would be taken for dead between two beats.
  if (valid.cluster.staleAfterMs <= valid.cluster.heartbeatMs) {
    throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}:\n  cluster.staleAfterMs: must be more than cluster.heartbeatMs`);
  }
  return valid;
}
