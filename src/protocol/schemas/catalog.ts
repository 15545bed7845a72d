/**
 * The official OCA message schemas per OCPP version, as shipped by typed-ocpp (pinned in package.json).
 * They are CC BY-ND 4.0 works: this module only reads them; corrections live in quirks.ts.
 *
 * We import the schema modules directly: they are the very objects behind `OCPP16.schemas` etc., but the
 * package root also compiles all 387 schemas with its own ajv at import time (about 4 s), which we never use.
 */
import * as schemas16 from 'typed-ocpp/dist/ocpp16/schemas.js';
import * as schemas20 from 'typed-ocpp/dist/ocpp20/schemas.js';
import * as schemas21 from 'typed-ocpp/dist/ocpp21/schemas.js';
import type { OcppVersion } from '../types.ts';

/** A JSON Schema node, read-only as far as we are concerned. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One action of a version and the names of its schemas. */
export interface MessageEntry {
  readonly action: string;
  /** Key of the request (or SEND) payload schema. */
  readonly request: string;
  /** Key of the response schema; undefined for 2.1 SEND-only messages (Part 4 §4.1.3, message type 6). */
  readonly response: string | undefined;
}

export interface VersionSchemas {
  /** Message schemas by key (`BootNotificationRequest`, `NotifyPeriodicEventStream` ...), without `definitions`. */
  readonly messages: Readonly<Record<string, JsonSchema>>;
  /** The `definitions` every message schema of the version shares (typed-ocpp merged them per version). */
  readonly definitions: Readonly<Record<string, JsonSchema>>;
  /** Every action, sorted by name. */
  readonly entries: readonly MessageEntry[];
}

const SOURCES: Record<OcppVersion, unknown> = {
  'ocpp1.6': schemas16,
  'ocpp2.0.1': schemas20, // typed-ocpp's "OCPP20" is 2.0.1 FINAL
  'ocpp2.1': schemas21,
};

const cache = new Map<OcppVersion, VersionSchemas>();

/** The schemas of `version`; throws at start if the package's layout changed in a way we rely on. */
export function versionSchemas(version: OcppVersion): VersionSchemas {
  let found = cache.get(version);
  if (found === undefined) {
    found = collect(version, SOURCES[version] as Readonly<Record<string, JsonSchema>>);
    cache.set(version, found);
  }
  return found;
}

function collect(version: OcppVersion, source: Readonly<Record<string, JsonSchema>>): VersionSchemas {
  let definitions: Readonly<Record<string, JsonSchema>> | undefined;
  const messages: Record<string, JsonSchema> = {};
  for (const [key, schema] of Object.entries(source)) {
    const { definitions: defs, ...rest } = schema;
    if (defs !== undefined) {
      if (definitions !== undefined && defs !== definitions) {
        throw new Error(`typed-ocpp ${version}: ${key} does not share the version's definitions`);
      }
      definitions = defs as Readonly<Record<string, JsonSchema>>;
    }
    messages[key] = rest;
  }
  definitions ??= {};
  for (const key of Object.keys(messages)) {
    if (key in definitions) throw new Error(`typed-ocpp ${version}: message ${key} collides with a definition`);
  }
  return { messages, definitions, entries: entriesOf(messages) };
}

function entriesOf(messages: Readonly<Record<string, JsonSchema>>): MessageEntry[] {
  const entries: MessageEntry[] = [];
  for (const key of Object.keys(messages)) {
    if (key.endsWith('Response')) continue;
    // 2.1 ships SEND-only messages as a bare action name (NotifyPeriodicEventStream.json): no Request suffix.
    const action = key.endsWith('Request') ? key.slice(0, -'Request'.length) : key;
    const response = `${action}Response`;
    entries.push({ action, request: key, response: response in messages ? response : undefined });
  }
  return entries.sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
}
