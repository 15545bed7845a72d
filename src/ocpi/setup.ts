/** Builds the OCPI services from the configuration and the storage ports (called by the composition root). */
import type { OcpiOutboxRepository, OcpiPartnerRepository } from '../domain/ocpi/ports.ts';
import { OcpiOutbox } from '../domain/ocpi/outbox.ts';
import { PartnerService } from '../domain/ocpi/partners.ts';
import type { PartyRole } from '../domain/ocpi/model.ts';
import type { JouleConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { OcpiClient } from './client.ts';
import type { OcpiDeps } from './index.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { PartnerCaller } from './partner-caller.ts';
import type { OurParty } from './types.ts';

export interface OcpiServices {
  partnerService: PartnerService;
  outbox: OcpiOutbox;
  client: OcpiClient;
  worker: OutboxWorker;
  parties: OurParty[];
  /** What registerOcpi needs (add `modules`). */
  deps: OcpiDeps;
}

export interface OcpiServicesOptions {
  partners: OcpiPartnerRepository;
  entries: OcpiOutboxRepository;
  config: JouleConfig['ocpi'];
  logger: Logger;
  /** Public URL of /ocpi (known only once the server listens when the port is 0). */
  baseUrl(): string;
}

export function ourParties(config: JouleConfig['ocpi']): OurParty[] {
  return config.parties.map((p) => ({
    countryCode: p.countryCode.toUpperCase(),
    partyId: p.partyId.toUpperCase(),
    name: p.name,
    ...(p.website ? { website: p.website } : {}),
  }));
}

export function createOcpiServices(options: OcpiServicesOptions): OcpiServices {
  const { config, logger } = options;
  const parties = ourParties(config);
  const roles: PartyRole[] = parties.map((p) => ({
    role: 'CPO',
    countryCode: p.countryCode,
    partyId: p.partyId,
    businessDetails: { name: p.name, ...(p.website ? { website: p.website } : {}) },
  }));
  const client = new OcpiClient({ timeoutMs: config.timeoutMs, logger });
  const partnerService = new PartnerService({
    partners: options.partners,
    peer: client,
    versionsUrl: () => `${options.baseUrl()}/versions`,
    ourRoles: () => roles,
    allowPlainHttp: config.allowPlainHttp,
  });
  const outbox = new OcpiOutbox(options.partners, options.entries);
  const worker = new OutboxWorker({
    entries: options.entries,
    outbox,
    partners: partnerService,
    caller: new PartnerCaller(partnerService, client, parties),
    logger,
    retryBaseMs: config.outbox.retryBaseMs,
    retryMaxMs: config.outbox.retryMaxMs,
    pollMs: config.outbox.pollMs,
    leaseMs: config.timeoutMs * 3,
  });
  return {
    partnerService,
    outbox,
    client,
    worker,
    parties,
    deps: { partnerService, outbox, client, parties, pageLimit: config.pageLimit, logger, baseUrl: options.baseUrl },
  };
}
