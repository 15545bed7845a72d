/**
 * The contract between the OCPI framework and its modules: what a module declares, what every request carries,
 * and what a module gets to work with. src/ocpi/README.md explains it with examples.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { InterfaceRole, ModuleId, OcpiVersion, Partner, PartyRef, TokenSlot } from '../domain/ocpi/model.ts';
import type { OcpiOutbox } from '../domain/ocpi/outbox.ts';
import type { PartnerService } from '../domain/ocpi/partners.ts';
import type { Logger } from '../shared/logger.ts';
import type { PartnerCaller } from './partner-caller.ts';

export type { InterfaceRole, ModuleId, OcpiVersion, Partner, PartyRef };

/** One of our own CPO parties (from the `ocpi.parties` configuration). */
export interface OurParty extends PartyRef {
  name: string;
  website?: string;
}

/** What the framework knows about every authenticated request; `request.ocpi` holds it. */
export interface OcpiRequestContext {
  /** The version of the URL tree the request came in on (null on GET /ocpi/versions). */
  version: OcpiVersion | null;
  /** The partner the token belongs to (status PENDING while only Token A is known). */
  partner: Partner;
  /** Which of the partner's tokens was used (A is accepted only by versions and credentials). */
  tokenSlot: TokenSlot;
  /** The credentials token as decoded from the header: GET credentials returns it. Never log it. */
  token: string;
  /** Our CPO party addressed: OCPI-to-* headers, else the partner's default, else the first configured. */
  party: OurParty;
  /** The partner's party that called: OCPI-from-* headers, else its first role (null when it has none yet). */
  remote: PartyRef | null;
  /** X-Request-ID and X-Correlation-ID of the request (generated when absent), echoed on the response. */
  requestId: string;
  correlationId: string;
}

/** Services every module may use. */
export interface OcpiModuleEnv {
  logger: Logger;
  /** Server page cap (`ocpi.pageLimit`): the most items one list page returns, also sent as X-Limit. */
  pageLimit: number;
  parties: readonly OurParty[];
  /** Push to partners (durable, ordered, retried). */
  outbox: OcpiOutbox;
  /** Call a partner directly (e.g. POST a command result to its response_url, real-time authorize). */
  partners: PartnerCaller;
  partnerService: PartnerService;
  /** Absolute public URL of /ocpi (e.g. https://csms.example.com/ocpi), for Link headers and URLs we hand out. */
  baseUrl(): string;
}

/**
 * An OCPI module as Joule serves it. For each version listed, `register` is called once with a Fastify instance
 * scoped to `/ocpi/{version}/{identifier}`; the version details list the module (with `role` in 2.2.1).
 */
export interface OcpiModule {
  identifier: ModuleId;
  /** Our interface role (a CPO is SENDER of locations/sessions/cdrs/tariffs, RECEIVER of tokens/commands/...). */
  role: InterfaceRole;
  versions: readonly OcpiVersion[];
  register(app: FastifyInstance, version: OcpiVersion, env: OcpiModuleEnv): void | Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** OCPI: Token A is accepted (versions and credentials only). */
    ocpiTokenA?: boolean;
    /** OCPI: a configuration module (versions, credentials, hubclientinfo): no OCPI-to/from routing headers. */
    ocpiConfigModule?: boolean;
  }
  interface FastifyRequest {
    ocpi: OcpiRequestContext | null;
  }
}

/** The context of an authenticated OCPI request (every module route is authenticated). */
export function ocpiContext(request: FastifyRequest): OcpiRequestContext {
  if (!request.ocpi) throw new Error('OCPI request context missing: route is not under the OCPI plugin');
  return request.ocpi;
}
