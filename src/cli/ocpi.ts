/**
 * `joule ocpi ...`: OCPI partners from the command line, through the REST API of a running Joule (registering,
 * rotating and unregistering call the partner, which calls Joule back, so the server must be up).
 * The API is found at JOULE_API_URL (default http://127.0.0.1:<port>) with the key in JOULE_API_KEY (or --url / --key).
 */
import { loadConfig } from '../shared/config.ts';
import type { CliCommand } from './commands.ts';

const USAGE = 'ocpi partner add|register|list|show|rotate|refresh|unregister|token-a|pull-tokens ... | ocpi cdr list|correct | ocpi outbox   OCPI roaming partners (see joule ocpi help)';

const HELP = `joule ocpi — OCPI roaming partners (through the REST API of the running server)

  joule ocpi partner add <name> [options]                       create a partner and its Token A (printed once)
  joule ocpi partner register <name> <versionsUrl> <tokenA> [options]   register with a partner
  joule ocpi partner list
  joule ocpi partner show <id>
  joule ocpi partner rotate <id>                                rotate our token (PUT credentials)
  joule ocpi partner refresh <id>                               re-fetch its versions and endpoints
  joule ocpi partner unregister <id>                            DELETE credentials, stop all traffic
  joule ocpi partner token-a <id>                               a new Token A (not registered yet)
  joule ocpi partner pull-tokens <id>                           pull the partner's token list into the token store
  joule ocpi cdr list [--partner <id>] [--limit <n>] [--offset <n>]   issued CDRs, newest first
  joule ocpi cdr correct <id>                                   credit CDR + replacement, both pushed to the eMSP
  joule ocpi outbox [--partner <id>] [--status pending|delivered|failed]

options: --encoding base64|plain|both  --allow-http  --require <module[:ROLE]>,...  --party <CC>/<PID>
         --url <api base>  --key <api key>   (or JOULE_API_URL, JOULE_API_KEY)`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parse(args: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (name === 'allow-http') flags.set(name, true);
    else {
      const value = args[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

function flag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** The partner settings given as options. */
function settings(parsed: Parsed): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const encoding = flag(parsed, 'encoding');
  if (encoding !== undefined) body.tokenEncoding = encoding;
  if (parsed.flags.get('allow-http') === true) body.allowPlainHttp = true;
  const required = flag(parsed, 'require');
  if (required !== undefined) body.requiredEndpoints = required.split(',').map((s) => s.trim()).filter(Boolean);
  const party = flag(parsed, 'party');
  if (party !== undefined) {
    const [countryCode, partyId] = party.split('/');
    body.ourParty = { countryCode, partyId };
  }
  return body;
}

export interface ApiTarget {
  url: string;
  key: string;
}

function target(parsed: Parsed): ApiTarget {
  const url = flag(parsed, 'url') ?? process.env.JOULE_API_URL ?? `http://127.0.0.1:${loadConfig().port}`;
  const key = flag(parsed, 'key') ?? process.env.JOULE_API_KEY;
  if (!key) throw new Error('an API key is needed: --key <key> or JOULE_API_KEY (see joule apikey create)');
  return { url: url.replace(/\/+$/, ''), key };
}

async function api(to: ApiTarget, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${to.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${to.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${String(json.error ?? '')}: ${String(json.message ?? text)}`);
  return json;
}

function describe(partner: Record<string, unknown>): string {
  const roles = (partner.roles as { role: string; countryCode: string; partyId: string }[] | undefined) ?? [];
  const endpoints = (partner.endpoints as { identifier: string; role: string | null }[] | undefined) ?? [];
  return [
    `${String(partner.id)}\t${String(partner.name)}\t${String(partner.status)}\tOCPI ${String(partner.version ?? '-')}`,
    `  parties: ${roles.map((r) => `${r.role} ${r.countryCode}/${r.partyId}`).join(', ') || '-'}`,
    `  endpoints: ${endpoints.map((e) => (e.role ? `${e.identifier}:${e.role}` : e.identifier)).join(', ') || '-'}`,
    `  token encoding: ${String(partner.tokenEncoding)}; plain http: ${partner.allowPlainHttp ? 'allowed' : 'refused'}; last sync: ${String(partner.lastSyncAt ?? 'never')}`,
  ].join('\n');
}

export async function runOcpi(args: string[], print: (line: string) => void = console.log): Promise<void> {
  const parsed = parse(args);
  const [area, sub, ...rest] = parsed.positional;
  if (area === 'partner') {
    const to = target(parsed);
    const id = rest[0];
    switch (sub) {
      case 'add': {
        const name = rest.join(' ').trim();
        if (!name) throw new Error('ocpi partner add needs a name');
        const created = await api(to, 'POST', '/ocpi/partners', { name, ...settings(parsed) });
        const partner = created.partner as Record<string, unknown>;
        print(`partner ${String(partner.id)} '${name}' created. Give the partner (out of band, shown once):`);
        print(`  versions URL: ${String(created.versionsUrl)}`);
        print(`  Token A:      ${String(created.tokenA)}`);
        return;
      }
      case 'register': {
        const [name, versionsUrl, tokenA] = rest;
        if (!name || !versionsUrl || !tokenA) throw new Error('ocpi partner register needs <name> <versionsUrl> <tokenA>');
        print(describe(await api(to, 'POST', '/ocpi/partners/register', { name, versionsUrl, tokenA, ...settings(parsed) })));
        return;
      }
      case 'list':
        for (const partner of (await api(to, 'GET', '/ocpi/partners')).items as Record<string, unknown>[]) print(describe(partner));
        return;
      case 'show':
      case 'rotate':
      case 'refresh':
      case 'unregister':
      case 'token-a': {
        if (!id) throw new Error(`ocpi partner ${sub} needs the partner id (see ocpi partner list)`);
        if (sub === 'show') return print(describe(await api(to, 'GET', `/ocpi/partners/${encodeURIComponent(id)}`)));
        const result = await api(to, 'POST', `/ocpi/partners/${encodeURIComponent(id)}/${sub}`);
        if (sub === 'token-a') {
          print(`new Token A (shown once): ${String(result.tokenA)}\n  versions URL: ${String(result.versionsUrl)}`);
        } else if (sub === 'unregister') {
          print(describe(result.partner as Record<string, unknown>));
          print(`partner told: ${String(result.remote)}${result.error ? ` (${String(result.error)})` : ''}`);
        } else {
          print(describe(result));
        }
        return;
      }
      case 'pull-tokens': {
        if (!id) throw new Error('ocpi partner pull-tokens needs the partner id (see ocpi partner list)');
        const result = await api(to, 'POST', `/ocpi/partners/${encodeURIComponent(id)}/tokens/pull`);
        print(`tokens fetched: ${String(result.fetched)}, stored: ${String(result.stored)}, refused: ${String(result.refused)}`);
        return;
      }
      default:
        break;
    }
  } else if (area === 'cdr' && (sub === 'list' || sub === 'correct')) {
    const to = target(parsed);
    if (sub === 'correct') {
      const id = rest[0];
      if (!id) throw new Error('ocpi cdr correct needs the CDR id (see ocpi cdr list)');
      const result = await api(to, 'POST', `/ocpi/cdrs/${encodeURIComponent(id)}/correct`);
      print(`credit CDR: ${String(result.creditCdrId)}\nreplacement CDR: ${String(result.replacementCdrId ?? '-')}`);
      return;
    }
    const query = new URLSearchParams();
    for (const [name, key] of [['partner', 'partnerId'], ['limit', 'limit'], ['offset', 'offset']] as const) {
      const value = flag(parsed, name);
      if (value !== undefined) query.set(key, value);
    }
    for (const c of (await api(to, 'GET', `/ocpi/cdrs${query.size ? `?${query.toString()}` : ''}`)).items as Record<string, unknown>[]) {
      const cost = c.totalCost as { excl_vat?: number } | undefined;
      print(`${String(c.id)}\t${String(c.countryCode)}/${String(c.partyId)}\t${c.credit ? 'credit' : 'cdr'}\t${String(c.startDateTime)}\t${String(c.totalEnergy)} kWh\t${String(cost?.excl_vat ?? '-')} ${String(c.currency)}`);
    }
    return;
  } else if (area === 'outbox') {
    const to = target(parsed);
    const query = new URLSearchParams();
    const partner = flag(parsed, 'partner');
    const status = flag(parsed, 'status');
    if (partner) query.set('partnerId', partner);
    if (status) query.set('status', status);
    for (const e of (await api(to, 'GET', `/ocpi/outbox${query.size ? `?${query.toString()}` : ''}`)).items as Record<string, unknown>[]) {
      print(`${String(e.id)}\t${String(e.status)}\t${String(e.partnerId)}\t${String(e.method)} ${String(e.module)}${String(e.path)}\tattempts ${String(e.attempts)}${e.lastError ? `\t${String(e.lastError)}` : ''}`);
    }
    return;
  }
  print(HELP);
  if (area !== 'help') process.exitCode = 2;
}

export const ocpiCommand: CliCommand = { name: 'ocpi', usage: USAGE, run: (args) => runOcpi(args) };
