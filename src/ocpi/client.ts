/**
 * Calls partners (node fetch): Authorization in the partner's encoding, X-Request-ID / X-Correlation-ID and the
 * OCPI-to/from routing headers (2.2.1), a timeout, and envelope parsing. Implements the domain's OcpiPeer port
 * for the credentials exchange. Tokens never reach a log line or an error message.
 */
import { randomUUID } from 'node:crypto';
import { OcpiPeerError } from '../domain/ocpi/errors.ts';
import type { OcpiVersion, PartnerEndpoint, PartyRef } from '../domain/ocpi/model.ts';
import type { OcpiPeer, PeerAuth, PeerCredentials, PeerVersion } from '../domain/ocpi/ports.ts';
import { isJsonObject } from '../shared/json.ts';
import type { Logger } from '../shared/logger.ts';
import { credentialsJson, CredentialsFormatError, parseCredentials } from './credentials-format.ts';
import type { OcpiEnvelope } from './status.ts';

export interface OcpiTarget {
  url: string;
  auth: PeerAuth;
  /** The partner's version (null: not negotiated yet, e.g. GET versions). 2.1.1 gets no 2.2.1 headers. */
  version: OcpiVersion | null;
  /** Functional modules: FROM = our party, TO = theirs. */
  routing?: { from: PartyRef; to: PartyRef };
  correlationId?: string;
}

export interface OcpiResponse<T = unknown> {
  httpStatus: number;
  headers: Headers;
  envelope: OcpiEnvelope<T>;
  requestId: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Resolve (instead of throwing 'status') when the envelope carries a non-1xxx status code. */
  acceptOcpiErrors?: boolean;
}

export interface OcpiClientOptions {
  timeoutMs: number;
  logger: Logger;
}

export function authorizationHeader(auth: Pick<PeerAuth, 'token' | 'encoding'>): string {
  return `Token ${auth.encoding === 'base64' ? Buffer.from(auth.token, 'utf8').toString('base64') : auth.token}`;
}

/** Where a URL may go: https always, http only with the partner's allowance. */
export function checkScheme(url: string, allowPlainHttp: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OcpiPeerError('format', `not a URL: ${url}`);
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && allowPlainHttp)) return parsed;
  throw new OcpiPeerError('insecure', `refusing ${parsed.protocol}// URL ${parsed.origin} (https only unless the partner allows plain http)`);
}

export class OcpiClient implements OcpiPeer {
  constructor(private readonly options: OcpiClientOptions) {}

  async request<T = unknown>(method: string, target: OcpiTarget, options: RequestOptions = {}): Promise<OcpiResponse<T>> {
    const url = checkScheme(target.url, target.auth.allowPlainHttp);
    const requestId = randomUUID();
    const headers: Record<string, string> = { authorization: authorizationHeader(target.auth), accept: 'application/json' };
    if (target.version !== '2.1.1') {
      headers['x-request-id'] = requestId;
      headers['x-correlation-id'] = target.correlationId ?? randomUUID();
      if (target.routing) {
        headers['ocpi-from-country-code'] = target.routing.from.countryCode;
        headers['ocpi-from-party-id'] = target.routing.from.partyId;
        headers['ocpi-to-country-code'] = target.routing.to.countryCode;
        headers['ocpi-to-party-id'] = target.routing.to.partyId;
      }
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : (error as Error).message;
      this.options.logger.debug({ method, url: url.origin + url.pathname, requestId, reason }, 'OCPI call failed');
      throw new OcpiPeerError('transport', `${method} ${url.origin}${url.pathname}: ${reason}`);
    }
    const where = `${method} ${url.origin}${url.pathname}`;
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status < 200 || response.status >= 300) {
      const message = isJsonObject(body) && typeof body.status_message === 'string' ? `: ${body.status_message}` : '';
      throw new OcpiPeerError('http', `${where}: HTTP ${response.status}${message}`, {
        httpStatus: response.status,
        ocpiStatus: isJsonObject(body) && typeof body.status_code === 'number' ? body.status_code : undefined,
      });
    }
    if (!isJsonObject(body) || typeof body.status_code !== 'number') {
      throw new OcpiPeerError('format', `${where}: the answer is not an OCPI envelope`, { httpStatus: response.status });
    }
    const envelope = body as unknown as OcpiEnvelope<T>;
    if (!options.acceptOcpiErrors && (envelope.status_code < 1000 || envelope.status_code >= 2000)) {
      throw new OcpiPeerError('status', `${where}: OCPI ${envelope.status_code}${envelope.status_message ? ` ${envelope.status_message}` : ''}`, {
        httpStatus: response.status,
        ocpiStatus: envelope.status_code,
      });
    }
    return { httpStatus: response.status, headers: response.headers, envelope, requestId };
  }

  /**
   * GETs every page of a list by following `Link: <…>; rel="next"` (never computing offsets), concatenated.
   * When X-Total-Count drops during the crawl (objects left the filter window, so later ones moved forward), the
   * page is fetched again that many places earlier so nothing is skipped; items already seen (same `key`, by
   * default the same JSON) are not repeated. `maxPages` bounds a partner that links forever.
   */
  async getAll<T = unknown>(target: OcpiTarget, query: Record<string, string> = {}, options: { maxPages?: number; key?: (item: T) => string } = {}): Promise<T[]> {
    const key = options.key ?? ((item: T) => JSON.stringify(item));
    const first = new URL(target.url);
    for (const [name, value] of Object.entries(query)) first.searchParams.set(name, value);
    const items: T[] = [];
    const seen = new Set<string>();
    let total: number | undefined;
    let next: string | undefined = first.toString();
    for (let page = 0; next !== undefined && page < (options.maxPages ?? 10_000); page++) {
      let url: string = next;
      let response = await this.page<T>(target, url);
      const count = Number(response.headers.get('x-total-count') ?? Number.NaN);
      if (total !== undefined && Number.isFinite(count) && count < total) {
        const shifted = new URL(url);
        const offset = Number(shifted.searchParams.get('offset') ?? 0);
        if (offset > 0) {
          shifted.searchParams.set('offset', String(Math.max(0, offset - (total - count))));
          url = shifted.toString();
          response = await this.page<T>(target, url);
        }
      }
      if (Number.isFinite(count)) total = count;
      for (const item of response.envelope.data ?? []) {
        const id = key(item);
        if (seen.has(id)) continue;
        seen.add(id);
        items.push(item);
      }
      next = nextLink(response.headers.get('link'), url);
    }
    return items;
  }

  private async page<T>(target: OcpiTarget, url: string): Promise<OcpiResponse<T[]>> {
    const response = await this.request<T[]>('GET', { ...target, url });
    if (response.envelope.data !== undefined && !Array.isArray(response.envelope.data)) throw new OcpiPeerError('format', 'a list page whose data is not an array');
    return response;
  }

  // ---------------------------------------------------------------- OcpiPeer (credentials exchange)

  async getVersions(url: string, auth: PeerAuth): Promise<PeerVersion[]> {
    const { envelope } = await this.request('GET', { url, auth, version: null });
    if (!Array.isArray(envelope.data)) throw new OcpiPeerError('format', 'versions: data is not an array');
    return envelope.data.filter(isJsonObject).flatMap((v) => (typeof v.version === 'string' && typeof v.url === 'string' ? [{ version: v.version, url: v.url }] : []));
  }

  async getVersionDetails(url: string, auth: PeerAuth, version: OcpiVersion): Promise<PartnerEndpoint[]> {
    const { envelope } = await this.request('GET', { url, auth, version });
    const data = envelope.data;
    if (!isJsonObject(data) || !Array.isArray(data.endpoints)) throw new OcpiPeerError('format', 'version details: data.endpoints is not an array');
    if (typeof data.version === 'string' && data.version !== version) throw new OcpiPeerError('format', `version details are for ${data.version}, not ${version}`);
    return data.endpoints.filter(isJsonObject).flatMap((e): PartnerEndpoint[] => {
      if (typeof e.identifier !== 'string' || typeof e.url !== 'string') return [];
      const role = version === '2.1.1' ? null : e.role === 'SENDER' || e.role === 'RECEIVER' ? e.role : null;
      return [{ identifier: e.identifier, role, url: e.url }];
    });
  }

  async sendCredentials(method: 'POST' | 'PUT', url: string, auth: PeerAuth, version: OcpiVersion, ours: PeerCredentials): Promise<PeerCredentials> {
    const { envelope } = await this.request(method, { url, auth, version }, { body: credentialsJson(ours, version) });
    try {
      return parseCredentials(envelope.data, version);
    } catch (error) {
      if (error instanceof CredentialsFormatError) throw new OcpiPeerError('format', `their credentials: ${error.message}`);
      throw error;
    }
  }

  async deleteCredentials(url: string, auth: PeerAuth, version: OcpiVersion): Promise<void> {
    await this.request('DELETE', { url, auth, version });
  }
}

/** The rel="next" target of a Link header, resolved against the current URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (match && /(^|;)\s*rel="?next"?\s*(;|$)/i.test(match[2] ?? '')) return new URL(match[1] ?? '', base).toString();
  }
  return undefined;
}
