/**
 * A small eMSP written from the OCPI spec (versions, credentials both ways, receiver endpoints that record what
 * they get), on a real HTTP server on 127.0.0.1, for tests of Joule's OCPI side. It speaks 2.2.1 and/or 2.1.1 and
 * encodes tokens as base64 (2.2.1) or plain (2.1.1 installations).
 *
 *   const emsp = await startEmsp({ versions: ['2.2.1'] });
 *   await emsp.registerWith(`${joule}/ocpi/versions`, tokenA);   // we are the Sender of the handshake
 *   emsp.received                                               // requests Joule made to its modules
 *   emsp.down = true                                             // connections are dropped until set back
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type EmspVersion = '2.2.1' | '2.1.1';

export interface EmspOptions {
  versions?: EmspVersion[];
  /** How it sends and expects tokens (default: base64 for 2.2.1, plain when it speaks only 2.1.1). */
  encoding?: 'base64' | 'plain';
  countryCode?: string;
  partyId?: string;
  /** Its role in 2.2.1 credentials (default EMSP; HUB for a hub). */
  role?: 'EMSP' | 'HUB';
  /** Module endpoints it offers besides credentials (2.2.1 roles); default locations, sessions, cdrs, tariffs RECEIVER and tokens SENDER. */
  endpoints?: { identifier: string; role: 'SENDER' | 'RECEIVER' }[];
}

export interface ReceivedRequest {
  method: string;
  /** Path below the eMSP's base, e.g. "/2.2.1/locations/NL/JOU/LOC1". */
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Envelope {
  data?: unknown;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: Envelope;
}

const DEFAULT_ENDPOINTS: EmspOptions['endpoints'] = [
  { identifier: 'locations', role: 'RECEIVER' },
  { identifier: 'sessions', role: 'RECEIVER' },
  { identifier: 'cdrs', role: 'RECEIVER' },
  { identifier: 'tariffs', role: 'RECEIVER' },
  { identifier: 'tokens', role: 'SENDER' },
];

export class Emsp {
  readonly received: ReceivedRequest[] = [];
  /** Requests to its credentials/versions endpoints (callbacks of the handshake). */
  readonly handshake: ReceivedRequest[] = [];
  /** When true every connection is dropped (a partner that is down). */
  down = false;
  /** When set, module endpoints answer with this HTTP status (and OCPI 3000 when >= 500). */
  failWithStatus: number | undefined;
  /** OCPI status the module endpoints answer with (default 1000). */
  answerStatusCode = 1000;
  /** Answers module requests itself when it returns something (e.g. real-time authorize, token lists); else the default. */
  respond: ((request: ReceivedRequest, query: URLSearchParams) => { http?: number; status?: number; data?: unknown; headers?: Record<string, string> } | undefined) | undefined;
  /** The Token A it issued (for Joule to register with it). */
  readonly tokenA = randomBytes(16).toString('hex');
  /** The token it gave Joule in the last exchange (what Joule must send), and the token Joule gave it. */
  tokenForJoule: string | undefined;
  jouleToken: string | undefined;
  /** Joule's credentials as last received, and the version agreed. */
  jouleCredentials: Record<string, unknown> | undefined;
  version: EmspVersion | undefined;
  jouleEndpoints: { identifier: string; role?: string; url: string }[] = [];

  readonly versions: EmspVersion[];
  readonly encoding: 'base64' | 'plain';
  readonly countryCode: string;
  readonly partyId: string;
  readonly role: 'EMSP' | 'HUB';
  private readonly endpointList: { identifier: string; role: 'SENDER' | 'RECEIVER' }[];

  private constructor(
    private readonly server: Server,
    readonly base: string,
    options: EmspOptions,
  ) {
    this.versions = options.versions ?? ['2.2.1'];
    this.encoding = options.encoding ?? (this.versions.includes('2.2.1') ? 'base64' : 'plain');
    this.countryCode = options.countryCode ?? 'DE';
    this.partyId = options.partyId ?? 'EMS';
    this.role = options.role ?? 'EMSP';
    this.endpointList = options.endpoints ?? DEFAULT_ENDPOINTS ?? [];
  }

  static async start(options: EmspOptions = {}): Promise<Emsp> {
    const holder: { emsp?: Emsp } = {};
    const server = createServer((req, res) => {
      if (!holder.emsp) return void res.destroy();
      holder.emsp.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.emsp = new Emsp(server, `http://127.0.0.1:${port}`, options);
    return holder.emsp;
  }

  get versionsUrl(): string {
    return `${this.base}/versions`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The module requests Joule made (not the handshake). */
  requestsTo(module: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path.split('/')[2] === module);
  }

  // ------------------------------------------------------------------ client side (it calls Joule)

  encode(token: string): string {
    return `Token ${this.encoding === 'base64' ? Buffer.from(token, 'utf8').toString('base64') : token}`;
  }

  /** Calls Joule with `token` (default: the token Joule gave it). */
  async call(method: string, url: string, body?: unknown, options: { token?: string | null; headers?: Record<string, string> } = {}): Promise<CallResult> {
    const token = options.token === undefined ? this.jouleToken : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null && token !== undefined) headers.authorization = this.encode(token);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Envelope };
  }

  credentials(token: string, version: EmspVersion): Record<string, unknown> {
    const business = { name: 'Test eMSP', website: 'https://emsp.example' };
    if (version === '2.1.1') return { token, url: this.versionsUrl, business_details: business, party_id: this.partyId, country_code: this.countryCode };
    return { token, url: this.versionsUrl, roles: [{ role: this.role, business_details: business, party_id: this.partyId, country_code: this.countryCode }] };
  }

  /**
   * Registers with Joule as the Sender of the handshake: GET versions and details with Token A, POST our
   * credentials (with a fresh token for Joule), keep Joule's token. Returns the POST answer.
   */
  async registerWith(versionsUrl: string, tokenA: string): Promise<CallResult> {
    const versions = await this.call('GET', versionsUrl, undefined, { token: tokenA });
    const list = (versions.body.data ?? []) as { version: string; url: string }[];
    const mutual = this.versions.find((v) => list.some((l) => l.version === v));
    if (!mutual) throw new Error(`no mutual version in ${JSON.stringify(list)}`);
    const detailsUrl = list.find((l) => l.version === mutual)?.url as string;
    const details = await this.call('GET', detailsUrl, undefined, { token: tokenA });
    this.jouleEndpoints = (details.body.data as { endpoints: { identifier: string; role?: string; url: string }[] }).endpoints;
    this.version = mutual;
    this.tokenForJoule = randomBytes(16).toString('hex');
    const answer = await this.call('POST', this.jouleUrl('credentials'), this.credentials(this.tokenForJoule, mutual), { token: tokenA });
    if (answer.body.status_code === 1000) this.accept(answer.body.data);
    return answer;
  }

  /** PUT new credentials (a new token for Joule): Joule answers with a new token for us. */
  async updateCredentials(): Promise<CallResult> {
    if (!this.version) throw new Error('not registered');
    const next = randomBytes(16).toString('hex');
    const previous = this.tokenForJoule;
    this.tokenForJoule = next;
    const answer = await this.call('PUT', this.jouleUrl('credentials'), this.credentials(next, this.version));
    if (answer.body.status_code === 1000) this.accept(answer.body.data);
    else this.tokenForJoule = previous;
    return answer;
  }

  async unregister(): Promise<CallResult> {
    return this.call('DELETE', this.jouleUrl('credentials'));
  }

  /** The URL of one of Joule's endpoints from its version details. */
  jouleUrl(identifier: string): string {
    const endpoint = this.jouleEndpoints.find((e) => e.identifier === identifier);
    if (!endpoint) throw new Error(`Joule lists no ${identifier} endpoint`);
    return endpoint.url;
  }

  private accept(data: unknown): void {
    const credentials = data as Record<string, unknown>;
    this.jouleCredentials = credentials;
    this.jouleToken = credentials.token as string;
  }

  // ------------------------------------------------------------------ server side (Joule calls it)

  private tokenOf(req: IncomingMessage): string | undefined {
    const match = /^Token (\S+)$/.exec(req.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    return this.encoding === 'base64' ? Buffer.from(match[1], 'base64').toString('utf8') : match[1];
  }

  private send(res: ServerResponse, http: number, status: number, data?: unknown, message?: string, req?: IncomingMessage, extra: Record<string, string> = {}): void {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
    const requestId = req?.headers['x-request-id'];
    const correlationId = req?.headers['x-correlation-id'];
    if (typeof requestId === 'string') headers['x-request-id'] = requestId;
    if (typeof correlationId === 'string') headers['x-correlation-id'] = correlationId;
    res.writeHead(http, headers).end(JSON.stringify({ ...(data === undefined ? {} : { data }), status_code: status, ...(message ? { status_message: message } : {}), timestamp: new Date().toISOString() }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) return void req.socket.destroy();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return this.send(res, 400, 2000, undefined, 'not JSON', req);
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: ReceivedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
    const segments = path.split('/').filter(Boolean);
    const token = this.tokenOf(req);
    const config = segments[0] === 'versions' || segments.length === 1 || segments[1] === 'credentials';
    const valid = token !== undefined && (token === this.jouleToken || token === this.tokenForJoule || (config && token === this.tokenA) || (config && this.pendingTokens.has(token)));
    (config ? this.handshake : this.received).push(request);
    if (!valid) return this.send(res, 401, 2000, undefined, 'unknown token', req);

    if (segments[0] === 'versions') {
      return this.send(res, 200, 1000, this.versions.map((v) => ({ version: v, url: `${this.base}/${v}` })), undefined, req);
    }
    const version = this.versions.find((v) => v === segments[0]);
    if (!version) return this.send(res, 404, 2000, undefined, 'no such version', req);
    if (segments.length === 1) {
      const endpoints = [{ identifier: 'credentials', role: 'SENDER' as const }, ...this.endpointList].map((e) =>
        version === '2.1.1' ? { identifier: e.identifier, url: `${this.base}/${version}/${e.identifier}` } : { ...e, url: `${this.base}/${version}/${e.identifier}` },
      );
      return this.send(res, 200, 1000, { version, endpoints }, undefined, req);
    }
    if (segments[1] === 'credentials') return this.credentialsServer(req, res, version, token, body);
    if (this.failWithStatus !== undefined) return this.send(res, this.failWithStatus, this.failWithStatus >= 500 ? 3000 : 2000, undefined, 'failing on purpose', req);
    const custom = this.respond?.(request, new URLSearchParams((req.url ?? '').split('?')[1] ?? ''));
    if (custom) {
      for (const [name, value] of Object.entries(custom.headers ?? {})) res.setHeader(name, value);
      return this.send(res, custom.http ?? 200, custom.status ?? 1000, custom.data, undefined, req);
    }
    // A POSTed object (a CDR) gets its URL at the receiver in a Location header.
    const location: Record<string, string> = req.method === 'POST' ? { location: `${this.base}${path.replace(/\/$/, '')}/${randomUUID()}` } : {};
    return this.send(res, 200, this.answerStatusCode, undefined, undefined, req, location);
  }

  /** Tokens Joule offered in a handshake it started, before the handshake completes. */
  private readonly pendingTokens = new Set<string>();

  private async credentialsServer(req: IncomingMessage, res: ServerResponse, version: EmspVersion, token: string, body: unknown): Promise<void> {
    const registered = this.jouleToken !== undefined && token !== this.tokenA;
    switch (req.method) {
      case 'GET':
        return this.send(res, 200, 1000, this.credentials(this.tokenForJoule ?? this.tokenA, version), undefined, req);
      case 'POST':
      case 'PUT': {
        if (req.method === 'POST' && registered) return this.send(res, 405, 2000, undefined, 'already registered', req);
        if (req.method === 'PUT' && !registered) return this.send(res, 405, 2000, undefined, 'not registered', req);
        const theirs = body as { token?: string; url?: string };
        if (typeof theirs?.token !== 'string' || typeof theirs.url !== 'string') return this.send(res, 200, 2001, undefined, 'token and url are required', req);
        // Callback: GET their versions and details with the token they gave us.
        this.pendingTokens.add(theirs.token);
        const ok = await this.fetchJoule(theirs.url, theirs.token, version);
        if (!ok) return this.send(res, 200, 3001, undefined, 'cannot use your API', req);
        this.jouleToken = theirs.token;
        this.jouleCredentials = body as Record<string, unknown>;
        this.version = version;
        this.tokenForJoule = randomBytes(16).toString('hex');
        return this.send(res, 200, 1000, this.credentials(this.tokenForJoule, version), undefined, req);
      }
      case 'DELETE':
        if (!registered) return this.send(res, 405, 2000, undefined, 'not registered', req);
        this.jouleToken = undefined;
        this.tokenForJoule = undefined;
        return this.send(res, 200, 1000, undefined, undefined, req);
      default:
        return this.send(res, 405, 2000, undefined, 'method not allowed', req);
    }
  }

  private async fetchJoule(versionsUrl: string, token: string, version: EmspVersion): Promise<boolean> {
    try {
      const headers = { authorization: this.encode(token), 'x-request-id': randomUUID(), 'x-correlation-id': randomUUID() };
      const versions = (await (await fetch(versionsUrl, { headers })).json()) as Envelope;
      const entry = (versions.data as { version: string; url: string }[] | undefined)?.find((v) => v.version === version);
      if (!entry) return false;
      const details = (await (await fetch(entry.url, { headers })).json()) as Envelope;
      if (details.status_code !== 1000) return false;
      this.jouleEndpoints = (details.data as { endpoints: { identifier: string; role?: string; url: string }[] }).endpoints;
      return true;
    } catch {
      return false;
    }
  }
}

export function startEmsp(options: EmspOptions = {}): Promise<Emsp> {
  return Emsp.start(options);
}
