/**
 * OCPI partner use cases: both directions of the credentials exchange (credentials.asciidoc), updates, token
 * rotation and unregistering. Tokens the partner presents to us are stored as SHA-256 hashes; the token we present
 * to them is stored as given (we must send it) and never logged.
 *
 * Rotation keeps the old token valid until the exchange completes: the token we offer is accepted ("pending")
 * while our PUT is in flight and dropped if it fails; after any exchange the previous token stays valid until
 * the partner first uses the new one (its confirming call), then it is forgotten.
 */
import { OcpiFailure, OcpiPeerError } from './errors.ts';
import { OCPI_VERSIONS, type OcpiVersion, type Partner, type PartnerEndpoint, type PartyRef, type PartyRole, type RequiredEndpoint, type TokenEncoding, type TokenSlot } from './model.ts';
import type { OcpiPartnerRepository, OcpiPeer, PeerAuth, PeerCredentials } from './ports.ts';
import { generateCredentialsToken, hashCredentialsToken, isValidCredentialsToken } from './tokens.ts';

export interface PartnerServiceOptions {
  partners: OcpiPartnerRepository;
  peer: OcpiPeer;
  /** Our versions URL as partners reach it (absolute). */
  versionsUrl(): string;
  /** Our parties, as sent in our credentials (2.1.1 sends the partner's default one, flat). */
  ourRoles(): PartyRole[];
  /** Global `ocpi.allowPlainHttp`: http:// partner URLs allowed for every partner. */
  allowPlainHttp: boolean;
  /** Versions we serve, highest first (default: all). */
  versions?: readonly OcpiVersion[];
  now?: () => Date;
}

export interface PartnerSettings {
  name: string;
  tokenEncoding?: TokenEncoding;
  allowPlainHttp?: boolean;
  requiredEndpoints?: RequiredEndpoint[];
  ourParty?: PartyRef | null;
}

/** Authentication result for an incoming request. */
export interface Authenticated {
  partner: Partner;
  slot: TokenSlot;
  token: string;
}

const REQUIRED_ENDPOINT = /^[a-z][a-z0-9_-]*(:(SENDER|RECEIVER))?$/i;

export class PartnerService {
  private readonly repo: OcpiPartnerRepository;
  private readonly versions: readonly OcpiVersion[];
  private readonly now: () => Date;

  constructor(private readonly options: PartnerServiceOptions) {
    this.repo = options.partners;
    this.versions = options.versions ?? OCPI_VERSIONS;
    this.now = options.now ?? (() => new Date());
  }

  list(): Promise<Partner[]> {
    return this.repo.list();
  }

  async get(id: string): Promise<Partner> {
    const partner = await this.repo.get(id);
    if (!partner) throw new OcpiFailure('unknown_partner', `OCPI partner ${id} not found`);
    return partner;
  }

  /** How we authenticate towards this partner right now (undefined when we hold no token of theirs). */
  async outboundAuth(partner: Partner): Promise<PeerAuth | undefined> {
    const token = await this.repo.outboundToken(partner.id);
    if (token === undefined) return undefined;
    return { token, encoding: this.outboundEncoding(partner, partner.version), allowPlainHttp: this.plainHttpAllowed(partner) };
  }

  plainHttpAllowed(partner: Pick<Partner, 'allowPlainHttp'>): boolean {
    return this.options.allowPlainHttp || partner.allowPlainHttp;
  }

  // ------------------------------------------------------------ inbound authentication

  /**
   * Finds the partner of a credentials token from the Authorization header. `candidates` are the header value
   * as sent and, when it is valid Base64, decoded; the partner's tokenEncoding decides which form it may use.
   * Using the current token after a rotation forgets the previous one (the partner has confirmed).
   */
  async authenticate(candidates: { plain: string; decoded: string | undefined }): Promise<Authenticated | undefined> {
    const tries: { token: string; form: 'plain' | 'base64' }[] = [];
    if (candidates.decoded !== undefined) tries.push({ token: candidates.decoded, form: 'base64' });
    tries.push({ token: candidates.plain, form: 'plain' });
    for (const { token, form } of tries) {
      const found = await this.repo.findByTokenHash(hashCredentialsToken(token));
      if (!found) continue;
      const { partner, slot, hasPrevious } = found;
      if (partner.status === 'UNREGISTERED') continue;
      if (partner.tokenEncoding !== 'both' && partner.tokenEncoding !== form) continue;
      if (slot === 'current' && hasPrevious) {
        const fresh = await this.repo.update(partner.id, { previousTokenHash: null });
        return { partner: fresh ?? partner, slot, token };
      }
      return { partner, slot, token };
    }
    return undefined;
  }

  // ------------------------------------------------------------ operator: partner registers with us

  /** Creates a partner with a fresh Token A, to hand over (with our versions URL) out of band. */
  async createWithTokenA(settings: PartnerSettings): Promise<{ partner: Partner; tokenA: string }> {
    const tokenA = generateCredentialsToken();
    const partner = await this.repo.create({
      ...this.checkedSettings(settings),
      status: 'PENDING',
      tokenAHash: hashCredentialsToken(tokenA),
      initiatedBy: 'them',
    });
    return { partner, tokenA };
  }

  /** A new Token A for a partner that has not registered yet (the old one stops working). */
  async renewTokenA(id: string): Promise<{ partner: Partner; tokenA: string }> {
    const partner = await this.get(id);
    if (partner.status === 'REGISTERED') throw new OcpiFailure('already_registered', `OCPI partner ${id} is registered: rotate its token instead`);
    const tokenA = generateCredentialsToken();
    const updated = await this.repo.update(id, { tokenAHash: hashCredentialsToken(tokenA), status: 'PENDING', initiatedBy: 'them' });
    return { partner: updated ?? partner, tokenA };
  }

  async updateSettings(id: string, settings: Partial<PartnerSettings>): Promise<Partner> {
    const partner = await this.get(id);
    const checked = this.checkedSettings({ ...partner, ...settings });
    return (await this.repo.update(id, checked)) ?? partner;
  }

  // ------------------------------------------------------------ inbound credentials module

  /** POST credentials (with Token A): fetch their versions with their token, answer with our Token C. */
  async acceptRegistration(auth: Authenticated, version: OcpiVersion, theirs: PeerCredentials): Promise<PeerCredentials> {
    if (auth.slot !== 'A' || auth.partner.status === 'REGISTERED') throw new OcpiFailure('already_registered', 'already registered: use PUT to update credentials');
    const partner = auth.partner;
    const synced = await this.syncPartner(partner, theirs, version);
    const tokenC = generateCredentialsToken();
    const updated = await this.repo.update(partner.id, {
      ...synced,
      status: 'REGISTERED',
      initiatedBy: 'them',
      tokenAHash: null,
      tokenHash: hashCredentialsToken(tokenC),
      previousTokenHash: null,
      pendingTokenHash: null,
      outboundToken: theirs.token,
    });
    return this.ourCredentials(updated ?? partner, tokenC, version);
  }

  /** PUT credentials: re-fetch their versions and endpoints with the new token, switch to this version, new token for them. */
  async acceptUpdate(auth: Authenticated, version: OcpiVersion, theirs: PeerCredentials): Promise<PeerCredentials> {
    if (auth.slot === 'A' || auth.partner.status !== 'REGISTERED') throw new OcpiFailure('not_registered', 'not registered: use POST to register');
    const partner = auth.partner;
    const synced = await this.syncPartner(partner, theirs, version);
    const token = generateCredentialsToken();
    // The token they used stays valid until they use the new one.
    const updated = await this.repo.promoteToken(partner.id, hashCredentialsToken(token), { ...synced, outboundToken: theirs.token });
    return this.ourCredentials(updated ?? partner, token, version);
  }

  /** DELETE credentials: stop all traffic with them. */
  async acceptUnregister(auth: Authenticated): Promise<void> {
    if (auth.slot === 'A' || auth.partner.status !== 'REGISTERED') throw new OcpiFailure('not_registered', 'not registered');
    await this.repo.update(auth.partner.id, this.unregisteredPatch());
  }

  /** GET credentials: ours as the caller sees them (the token is the one it authenticated with). */
  currentCredentials(auth: Authenticated, version: OcpiVersion): PeerCredentials {
    return this.ourCredentials(auth.partner, auth.token, version);
  }

  // ------------------------------------------------------------ operator: we register with a partner

  /** Registers with a partner from its versions URL and Token A (we are the "Sender" of the handshake). */
  async registerWith(settings: PartnerSettings & { versionsUrl: string; tokenA: string; tokenEncoding?: TokenEncoding }): Promise<Partner> {
    if (!isValidCredentialsToken(settings.tokenA)) throw new OcpiFailure('invalid', 'tokenA must be 1-64 printable non-space ASCII characters');
    const checked = this.checkedSettings(settings);
    this.checkUrl(settings.versionsUrl, checked);
    const partner = await this.repo.create({ ...checked, status: 'PENDING', versionsUrl: settings.versionsUrl, initiatedBy: 'us' });
    try {
      return await this.registerExisting(partner, settings.versionsUrl, settings.tokenA);
    } catch (error) {
      await this.repo.delete(partner.id);
      throw error;
    }
  }

  private async registerExisting(partner: Partner, versionsUrl: string, tokenA: string): Promise<Partner> {
    const authA: PeerAuth = { token: tokenA, encoding: partner.tokenEncoding === 'plain' ? 'plain' : 'base64', allowPlainHttp: this.plainHttpAllowed(partner) };
    const { version, endpoints, credentialsUrl, auth } = await this.discover(partner, versionsUrl, authA);
    const tokenB = generateCredentialsToken();
    // They call our versions back with B before answering: B must already work (as the pending token).
    await this.repo.update(partner.id, { pendingTokenHash: hashCredentialsToken(tokenB), versionsUrl, version, endpoints });
    const theirs = await this.call(() => this.options.peer.sendCredentials('POST', credentialsUrl, auth, version, this.ourCredentials(partner, tokenB, version)));
    this.checkToken(theirs);
    const updated = await this.repo.update(partner.id, {
      status: 'REGISTERED',
      initiatedBy: 'us',
      roles: theirs.roles,
      tokenHash: hashCredentialsToken(tokenB),
      pendingTokenHash: null,
      previousTokenHash: null,
      tokenAHash: null,
      outboundToken: theirs.token,
      lastSyncAt: this.now(),
    });
    // Their versions URL may have changed in their answer: follow it.
    if (theirs.url !== versionsUrl) await this.refresh(partner.id).catch(() => undefined);
    return (await this.repo.get(partner.id)) ?? updated ?? partner;
  }

  /**
   * Rotates our token (PUT our credentials with a new token). The new token works from before the PUT, the old
   * one until the partner uses the new one; if the PUT fails nothing changes (the new token is dropped).
   */
  async rotate(id: string): Promise<Partner> {
    const partner = await this.get(id);
    const auth = partner.status === 'REGISTERED' ? await this.outboundAuth(partner) : undefined;
    if (!auth || !partner.version) throw new OcpiFailure('not_registered', `OCPI partner ${id} is not registered`);
    const credentialsUrl = this.endpointUrl(partner.endpoints, 'credentials');
    if (!credentialsUrl) throw new OcpiFailure('missing_endpoints', `OCPI partner ${id} has no credentials endpoint`);
    const token = generateCredentialsToken();
    await this.repo.update(id, { pendingTokenHash: hashCredentialsToken(token) });
    let theirs: PeerCredentials;
    try {
      theirs = await this.call(() => this.options.peer.sendCredentials('PUT', credentialsUrl, auth, partner.version as OcpiVersion, this.ourCredentials(partner, token, partner.version as OcpiVersion)));
      this.checkToken(theirs);
    } catch (error) {
      await this.repo.update(id, { pendingTokenHash: null });
      throw error;
    }
    // The token they used until now stays valid until they use the new one.
    await this.repo.promoteToken(id, hashCredentialsToken(token), { outboundToken: theirs.token, roles: theirs.roles });
    // Refresh the cached endpoints with the new token (checklist: after every rotation).
    await this.refresh(id).catch(() => undefined);
    return this.get(id);
  }

  /** Re-fetches their versions and endpoints with our current token (keeps the negotiated version). */
  async refresh(id: string): Promise<Partner> {
    const partner = await this.get(id);
    const auth = await this.outboundAuth(partner);
    if (!auth || !partner.versionsUrl) throw new OcpiFailure('not_registered', `OCPI partner ${id} is not registered`);
    const { version, endpoints } = await this.discover(partner, partner.versionsUrl, auth, partner.version ?? undefined);
    return (await this.repo.update(id, { version, endpoints, lastSyncAt: this.now() })) ?? partner;
  }

  /** DELETE our credentials at the partner, then stop all traffic. Local state is cleared even if the call fails. */
  async unregister(id: string): Promise<{ partner: Partner; remote: 'ok' | 'failed'; error?: string }> {
    const partner = await this.get(id);
    if (partner.status !== 'REGISTERED') throw new OcpiFailure('not_registered', `OCPI partner ${id} is not registered`);
    const auth = await this.outboundAuth(partner);
    const credentialsUrl = this.endpointUrl(partner.endpoints, 'credentials');
    let remote: 'ok' | 'failed' = 'ok';
    let message: string | undefined;
    try {
      if (!auth || !credentialsUrl || !partner.version) throw new OcpiFailure('missing_endpoints', 'no credentials endpoint or token');
      await this.options.peer.deleteCredentials(credentialsUrl, auth, partner.version);
    } catch (error) {
      remote = 'failed';
      message = (error as Error).message;
    }
    const updated = await this.repo.update(id, this.unregisteredPatch());
    return { partner: updated ?? partner, remote, ...(message === undefined ? {} : { error: message }) };
  }

  async remove(id: string): Promise<boolean> {
    return this.repo.delete(id);
  }

  // ------------------------------------------------------------ helpers

  /** Our credentials for this partner in `version` (2.1.1: the partner's default party, flat, by the adapter). */
  ourCredentials(partner: Partner, token: string, _version: OcpiVersion): PeerCredentials {
    const roles = this.options.ourRoles();
    const own = partner.ourParty;
    const ordered = own ? [...roles.filter((r) => sameParty(r, own)), ...roles.filter((r) => !sameParty(r, own))] : roles;
    return { token, url: this.options.versionsUrl(), roles: ordered };
  }

  /** Fetches their versions with `auth`, checks the version and their endpoints (3001/3002/3003). */
  private async syncPartner(partner: Partner, theirs: PeerCredentials, version: OcpiVersion) {
    this.checkToken(theirs);
    this.checkUrl(theirs.url, partner);
    const auth: PeerAuth = { token: theirs.token, encoding: this.outboundEncoding(partner, version), allowPlainHttp: this.plainHttpAllowed(partner) };
    const { endpoints } = await this.discover(partner, theirs.url, auth, version);
    return { version, versionsUrl: theirs.url, endpoints, roles: theirs.roles, lastSyncAt: this.now() };
  }

  /**
   * GET versions, pick `wanted` (or the highest mutual one), GET its details, check required endpoints.
   */
  private async discover(partner: Partner, versionsUrl: string, initialAuth: PeerAuth, wanted?: OcpiVersion) {
    let auth = initialAuth;
    let list;
    try {
      list = await this.options.peer.getVersions(versionsUrl, auth);
    } catch (error) {
      // `both`: a 401 may mean the other encoding (2.1.1 installations expect plain tokens, 2.2.1 base64).
      if (!(error instanceof OcpiPeerError && error.details.httpStatus === 401 && partner.tokenEncoding === 'both')) return this.call(() => Promise.reject(error));
      auth = { ...auth, encoding: auth.encoding === 'base64' ? 'plain' : 'base64' };
      list = await this.call(() => this.options.peer.getVersions(versionsUrl, auth));
    }
    const mutual = this.versions.filter((v) => list.some((l) => l.version === v));
    const version = wanted ?? mutual[0];
    const entry = version === undefined ? undefined : list.find((l) => l.version === version);
    if (!version || !entry) {
      throw new OcpiFailure('unsupported_version', `no mutual OCPI version (theirs: ${list.map((l) => l.version).join(', ') || 'none'}; ours: ${this.versions.join(', ')})`);
    }
    this.checkUrl(entry.url, partner);
    const versionAuth = auth;
    const endpoints = await this.call(() => this.options.peer.getVersionDetails(entry.url, versionAuth, version));
    for (const endpoint of endpoints) this.checkUrl(endpoint.url, partner);
    const missing = missingEndpoints(endpoints, partner.requiredEndpoints, version);
    if (missing.length > 0) throw new OcpiFailure('missing_endpoints', `partner lacks required endpoints: ${missing.join(', ')}`);
    if (!endpoints.some((e) => e.identifier === 'credentials')) throw new OcpiFailure('missing_endpoints', 'partner lacks a credentials endpoint');
    const credentialsUrl = this.endpointUrl(endpoints, 'credentials') as string;
    return { version, endpoints, credentialsUrl, auth: versionAuth };
  }

  private endpointUrl(endpoints: readonly PartnerEndpoint[], identifier: string): string | undefined {
    return endpoints.find((e) => e.identifier === identifier)?.url;
  }

  /** base64 or plain per the partner's setting; `both` follows the version (2.2.1 base64, 2.1.1 plain). */
  private outboundEncoding(partner: Pick<Partner, 'tokenEncoding'>, version: OcpiVersion | null): 'base64' | 'plain' {
    if (partner.tokenEncoding === 'both') return version === '2.1.1' ? 'plain' : 'base64';
    return partner.tokenEncoding;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof OcpiPeerError) {
        throw new OcpiFailure(error.reason === 'insecure' ? 'insecure_url' : 'unreachable', `partner API unusable: ${error.message}`);
      }
      throw error;
    }
  }

  private checkToken(theirs: PeerCredentials): void {
    if (!isValidCredentialsToken(theirs.token)) throw new OcpiFailure('invalid', 'token must be 1-64 printable non-space ASCII characters');
  }

  private checkUrl(url: string, partner: Pick<Partner, 'allowPlainHttp'>): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OcpiFailure('invalid', `not a URL: ${url}`);
    }
    if (parsed.protocol === 'https:') return;
    if (parsed.protocol === 'http:' && this.plainHttpAllowed(partner)) return;
    throw new OcpiFailure('insecure_url', `${parsed.protocol}// URLs are refused for this partner (https only unless allowPlainHttp): ${url}`);
  }

  private checkedSettings<T extends Partial<PartnerSettings>>(settings: T) {
    const name = settings.name?.trim() ?? '';
    if (name.length === 0 || name.length > 100) throw new OcpiFailure('invalid', 'name must be 1-100 characters');
    for (const required of settings.requiredEndpoints ?? []) {
      if (!REQUIRED_ENDPOINT.test(required)) throw new OcpiFailure('invalid', `requiredEndpoints: '${required}' is not "module" or "module:SENDER|RECEIVER"`);
    }
    return {
      name,
      tokenEncoding: settings.tokenEncoding ?? 'both',
      allowPlainHttp: settings.allowPlainHttp ?? false,
      requiredEndpoints: settings.requiredEndpoints ?? [],
      ourParty: settings.ourParty ? { countryCode: settings.ourParty.countryCode.toUpperCase(), partyId: settings.ourParty.partyId.toUpperCase() } : null,
    };
  }

  private unregisteredPatch() {
    return { status: 'UNREGISTERED' as const, tokenAHash: null, tokenHash: null, previousTokenHash: null, pendingTokenHash: null, outboundToken: null };
  }
}

export function sameParty(a: PartyRef, b: PartyRef): boolean {
  return a.countryCode.toUpperCase() === b.countryCode.toUpperCase() && a.partyId.toUpperCase() === b.partyId.toUpperCase();
}

/** Required entries ("module" or "module:ROLE") the endpoints do not satisfy (roles are ignored in 2.1.1). */
export function missingEndpoints(endpoints: readonly PartnerEndpoint[], required: readonly RequiredEndpoint[], version: OcpiVersion): string[] {
  return required.filter((entry) => {
    const [identifier, role] = entry.split(':');
    return !endpoints.some((e) => e.identifier.toLowerCase() === identifier?.toLowerCase() && (version === '2.1.1' || !role || e.role === role.toUpperCase()));
  });
}
