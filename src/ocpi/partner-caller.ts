/** Calls a partner by id: finds its endpoint for a module (or takes a URL it gave us), its token and version. */
import { OcpiPeerError } from '../domain/ocpi/errors.ts';
import type { InterfaceRole, Partner, PartyRef } from '../domain/ocpi/model.ts';
import type { PartnerService } from '../domain/ocpi/partners.ts';
import { sameParty } from '../domain/ocpi/partners.ts';
import type { OcpiClient, OcpiResponse, OcpiTarget } from './client.ts';
import type { OurParty } from './types.ts';

export interface PartnerCall {
  method: string;
  /** A module endpoint of the partner (with `role`, default any) plus `path` ... */
  module?: string;
  role?: InterfaceRole;
  path?: string;
  /** ... or an absolute URL the partner gave us (e.g. a command's response_url). */
  url?: string;
  body?: unknown;
  query?: Record<string, string>;
  /** Our party (default: the partner's default) and theirs (default: its first role). */
  from?: PartyRef;
  to?: PartyRef;
  correlationId?: string;
  acceptOcpiErrors?: boolean;
}

export class PartnerCaller {
  constructor(
    private readonly service: PartnerService,
    private readonly client: OcpiClient,
    private readonly parties: readonly OurParty[],
  ) {}

  async call<T = unknown>(partnerId: string, call: PartnerCall): Promise<OcpiResponse<T>> {
    const partner = await this.service.get(partnerId);
    const target = await this.target(partner, call);
    return this.client.request<T>(call.method, target, { body: call.body, acceptOcpiErrors: call.acceptOcpiErrors });
  }

  /** Every page of a partner's list endpoint (following Link). */
  async getAll<T = unknown>(partnerId: string, module: string, query: Record<string, string> = {}, role: InterfaceRole = 'SENDER', key?: (item: T) => string): Promise<T[]> {
    const partner = await this.service.get(partnerId);
    const target = await this.target(partner, { method: 'GET', module, role });
    return this.client.getAll<T>(target, query, { key });
  }

  /** Our party that speaks to this partner by default. */
  ourParty(partner: Partner): OurParty {
    const own = partner.ourParty;
    const found = own ? this.parties.find((p) => sameParty(p, own)) : undefined;
    const first = found ?? this.parties[0];
    if (!first) throw new Error('no OCPI party configured (ocpi.parties)');
    return first;
  }

  private async target(partner: Partner, call: PartnerCall): Promise<OcpiTarget> {
    if (partner.status !== 'REGISTERED') throw new OcpiPeerError('status', `partner ${partner.id} is not registered`);
    const auth = await this.service.outboundAuth(partner);
    if (!auth) throw new OcpiPeerError('status', `no token for partner ${partner.id}`);
    let url: string;
    if (call.url !== undefined) {
      url = call.url;
    } else {
      const endpoint = partner.endpoints.find((e) => e.identifier === call.module && (!call.role || e.role === null || e.role === call.role));
      if (!endpoint) throw new OcpiPeerError('status', `partner ${partner.id} has no ${call.module ?? '?'} ${call.role ?? ''} endpoint`.trim());
      url = joinPath(endpoint.url, call.path ?? '');
    }
    if (call.query) {
      const withQuery = new URL(url);
      for (const [key, value] of Object.entries(call.query)) withQuery.searchParams.set(key, value);
      url = withQuery.toString();
    }
    const to = call.to ?? partner.roles[0];
    const from = call.from ?? this.ourParty(partner);
    return {
      url,
      auth,
      version: partner.version,
      routing: to ? { from: { countryCode: from.countryCode, partyId: from.partyId }, to: { countryCode: to.countryCode, partyId: to.partyId } } : undefined,
      correlationId: call.correlationId,
    };
  }
}

/** endpoint + "/NL/JOU/1" without doubling or losing the slash. */
export function joinPath(base: string, path: string): string {
  if (path === '') return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
