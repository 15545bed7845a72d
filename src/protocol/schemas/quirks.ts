/**
 * Our corrections to the official schemas: known defects and what real chargers send (ocpp-j-rules.md,
 * "Validation too strict for real chargers"). The OCA schemas are CC BY-ND 4.0, so they are never edited:
 * a quirk is either an ajv option, or a patch that the validator applies to its own deep clone of a message
 * schema before compiling it. Each quirk has a test in quirks.test.ts proving the official schema refuses
 * the payload and ours accepts it.
 */
import type { Options } from 'ajv';
import { isJsonObject } from '../../shared/json.ts';
import type { OcppVersion } from '../types.ts';

/** A schema node inside the validator's private clone. */
export type MutableSchema = { [keyword: string]: unknown };

export interface SchemaPatch {
  readonly version: OcppVersion;
  /** Message schema key, e.g. `BootNotificationRequest`. */
  readonly schema: string;
  /** Path of the node to patch inside that schema. */
  readonly path: readonly string[];
  readonly apply: (node: MutableSchema) => void;
}

export interface Quirk {
  readonly name: string;
  /** One line: why the official schema is wrong or too strict, with the evidence. */
  readonly why: string;
  readonly ajvOptions?: Options;
  readonly patches?: readonly SchemaPatch[];
}

/** Longest serial number we accept in a 1.6 BootNotification (the schema says 25). */
export const MAX_SERIAL_LENGTH_16 = 64;
/** 2.0.1 UnitOfMeasureType.unit is a free string[20]; 1.6 adopts that instead of its closed enum. */
export const MAX_UNIT_LENGTH_16 = 20;

const serial = (field: string): SchemaPatch => ({
  version: 'ocpp1.6',
  schema: 'BootNotificationRequest',
  path: ['properties', field],
  apply: (node) => {
    node.maxLength = MAX_SERIAL_LENGTH_16;
  },
});

const SAMPLED_UNIT = ['items', 'properties', 'sampledValue', 'items', 'properties', 'unit'];
const freeUnit = (schema: string, list: string): SchemaPatch => ({
  version: 'ocpp1.6',
  schema,
  path: ['properties', list, ...SAMPLED_UNIT],
  apply: (node) => {
    delete node.enum;
    node.maxLength = MAX_UNIT_LENGTH_16;
  },
});

export const QUIRKS: readonly Quirk[] = [
  {
    name: 'decimal-multipleOf',
    why: '1.6 limits are multipleOf 0.1; in binary floating point 8.1 / 0.1 = 80.999…, so plain ajv rejects 8.1 A.',
    // ajv then checks |round(x/m) − x/m| ≤ 1e-6 instead of exact integrality (mobilityhouse uses Decimal for this).
    ajvOptions: { multipleOfPrecision: 6 },
  },
  {
    name: 'long-serial-16',
    why: 'Real 1.6 chargers (EVlink, mobilityhouse/ocpp #122) send serial numbers longer than the schema\'s 25.',
    patches: [serial('chargePointSerialNumber'), serial('chargeBoxSerialNumber')],
  },
  {
    name: 'free-unit-16',
    why: '1.6 has measurand Frequency but no unit for it; chargers send "Hz" (lbbrhzn/ocpp #1576) and other units.',
    patches: [freeUnit('MeterValuesRequest', 'meterValue'), freeUnit('StopTransactionRequest', 'transactionData')],
  },
];

/** ajv options contributed by the quirks. */
export function quirkAjvOptions(quirks: readonly Quirk[] = QUIRKS): Options {
  return Object.assign({}, ...quirks.map((q) => q.ajvOptions ?? {})) as Options;
}

/**
 * Applies every patch for `version` to `messages`, the validator's deep clone of the version's message schemas.
 * Throws when a patched node is missing, so a changed package fails at start and in the tests, not silently.
 */
export function applySchemaQuirks(version: OcppVersion, messages: Record<string, unknown>, quirks: readonly Quirk[] = QUIRKS): void {
  for (const quirk of quirks) {
    for (const patch of quirk.patches ?? []) {
      if (patch.version !== version) continue;
      let node: unknown = messages[patch.schema];
      for (const step of patch.path) node = isJsonObject(node) ? node[step] : undefined;
      if (!isJsonObject(node)) {
        throw new Error(`quirk ${quirk.name}: ${version} ${patch.schema}/${patch.path.join('/')} not found`);
      }
      patch.apply(node);
    }
  }
}

