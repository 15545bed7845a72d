/** /stations: register, update (incl. password rotation and accepting a Pending station), delete, list, detail, connectors, device model. */
import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OcppVersion, RegistrationStatus, Strictness } from '../../domain/model.ts';
import type { StationPatch } from '../../domain/ports.ts';
import { hashPassword } from '../../shared/password.ts';
import { ApiError, errorResponses, notFound } from '../errors.ts';
import type { ApiDeps } from '../index.ts';
import { presentConnector, presentStation, presentStationDetail, presentVariable } from '../presenters.ts';
import {
  connectorResponse,
  fetchPage,
  ocppVersionSchema,
  offsetPage,
  pageQueryProperties,
  passwordSchema,
  registrationStatusSchema,
  stationDetailResponse,
  stationIdSchema,
  stationParams,
  stationResponse,
  strictnessSchema,
  variableResponse,
  type PageQuery,
} from '../schemas.ts';

const TAGS = ['stations'];

interface StationBody {
  id: string;
  password?: string;
  securityProfile: number;
  allowedVersions?: OcppVersion[];
  fallbackVersion?: OcppVersion;
  strictness?: Strictness;
  signedMessages?: boolean;
  signingCertificate?: string;
  registrationStatus?: RegistrationStatus;
}

interface StationPatchBody {
  password?: string;
  securityProfile?: number;
  allowedVersions?: OcppVersion[];
  fallbackVersion?: OcppVersion | null;
  strictness?: Strictness | null;
  signedMessages?: boolean;
  signingCertificate?: string | null;
  registrationStatus?: RegistrationStatus;
}

const securityProfileSchema = {
  type: 'integer',
  enum: [0, 1, 2, 3],
  description: '0 none (test setups), 1 Basic auth over ws, 2 Basic auth over TLS, 3 TLS client certificate',
} as const;
const allowedVersionsSchema = { type: 'array', items: ocppVersionSchema, uniqueItems: true, maxItems: 3, description: 'Empty: any version the server supports.' } as const;
const signedMessagesSchema = {
  type: 'boolean',
  description: 'Accept `<Action>-Signed` messages (OCPP-J Part 4 §7), verify them against signingCertificate and sign the replies when the CSMS has a signing key.',
} as const;
const signingCertificateSchema = { type: 'string', minLength: 1, maxLength: 32768, description: 'PEM certificate(s) whose keys the station signs with.' } as const;

/** A signing certificate must be PEM X.509 (checked here so a typo is a 400, not a failed verification later). */
function checkSigningCertificate(pem: string | null | undefined): void {
  if (pem === undefined || pem === null) return;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const bad = blocks.length === 0 ? 'contains no PEM certificate' : blocks.some((block) => !parsesAsCertificate(block)) ? 'is not a valid X.509 certificate' : undefined;
  if (bad) throw new ApiError('validation_failed', `signingCertificate ${bad}`, { fields: [{ in: 'body', field: 'signingCertificate', message: bad }] });
}

function parsesAsCertificate(block: string): boolean {
  try {
    new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

/** Security profiles 1 and 2 authenticate with a password. */
const needsPassword = (profile: number): boolean => profile === 1 || profile === 2;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'securityProfile'],
  properties: {
    id: stationIdSchema,
    password: { ...passwordSchema, description: 'Basic-auth password (profiles 1 and 2); stored as a salted hash, never returned.' },
    securityProfile: securityProfileSchema,
    allowedVersions: allowedVersionsSchema,
    fallbackVersion: ocppVersionSchema,
    strictness: strictnessSchema,
    signedMessages: signedMessagesSchema,
    signingCertificate: signingCertificateSchema,
    registrationStatus: { ...registrationStatusSchema, description: 'Default Pending (as `joule station add`): the station is let in once an operator sets Accepted.' },
  },
  if: { required: ['securityProfile'], properties: { securityProfile: { enum: [1, 2] } } },
  then: { required: ['password'] },
} as const;

const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    password: { ...passwordSchema, description: 'New Basic-auth password (rotation).' },
    securityProfile: securityProfileSchema,
    allowedVersions: allowedVersionsSchema,
    fallbackVersion: { type: ['string', 'null'], enum: [...ocppVersionSchema.enum, null] },
    strictness: { type: ['string', 'null'], enum: [...strictnessSchema.enum, null] },
    signedMessages: signedMessagesSchema,
    signingCertificate: { ...signingCertificateSchema, type: ['string', 'null'] },
    registrationStatus: { ...registrationStatusSchema, description: 'Accepted lets a Pending station in on its next BootNotification.' },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { connected: { type: 'boolean' }, ...pageQueryProperties },
} as const;

const variablesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { component: { type: 'string', minLength: 1, maxLength: 50 }, variable: { type: 'string', minLength: 1, maxLength: 50 } },
} as const;

export function stationRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { stations } = deps.repos;

  api.post<{ Body: StationBody }>(
    '/stations',
    {
      schema: {
        tags: TAGS,
        summary: 'Register a station',
        body: createBody,
        response: { 201: stationResponse, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const { password, ...rest } = request.body;
      checkSigningCertificate(rest.signingCertificate);
      const station = await stations.create({ ...rest, passwordHash: password === undefined ? null : await hashPassword(password) });
      void reply.code(201).header('location', `/api/v1/stations/${encodeURIComponent(station.id)}`);
      return presentStation(station);
    },
  );

  api.get<{ Querystring: PageQuery & { connected?: boolean } }>(
    '/stations',
    {
      schema: {
        tags: TAGS,
        summary: 'List stations with their connection state',
        querystring: listQuery,
        response: { 200: offsetPage(stationResponse), ...errorResponses(400) },
      },
    },
    async (request) => {
      const { connected } = request.query;
      return fetchPage(request.query, (page) => stations.list({ ...page, ...(connected === undefined ? {} : { connected }) }), presentStation);
    },
  );

  api.get<{ Params: { id: string } }>(
    '/stations/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'A station with its EVSEs, connectors and their status',
        params: stationParams,
        response: { 200: stationDetailResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const station = await stations.get(request.params.id);
      if (!station) throw notFound('station', request.params.id);
      const [evses, connectors] = await Promise.all([stations.listEvses(station.id), stations.listConnectors(station.id)]);
      return presentStationDetail(station, evses, connectors);
    },
  );

  api.patch<{ Params: { id: string }; Body: StationPatchBody }>(
    '/stations/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Update a station: password rotation, security profile, versions, registration status',
        params: stationParams,
        body: patchBody,
        response: { 200: stationResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { password, ...rest } = request.body;
      checkSigningCertificate(rest.signingCertificate);
      const current = await stations.get(id);
      if (!current) throw notFound('station', id);
      const profile = rest.securityProfile ?? current.securityProfile;
      if (needsPassword(profile) && password === undefined && current.passwordHash === null) {
        throw new ApiError('validation_failed', `security profile ${profile} needs a password`, {
          fields: [{ in: 'body', field: 'password', message: `is required for security profile ${profile}` }],
        });
      }
      const patch: StationPatch = { ...rest };
      if (password !== undefined) patch.passwordHash = await hashPassword(password);
      const updated = await stations.update(id, patch);
      if (!updated) throw notFound('station', id);
      return presentStation(updated);
    },
  );

  api.delete<{ Params: { id: string } }>(
    '/stations/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a station and everything that belongs to it (the message log is kept)',
        params: stationParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      if (!(await stations.delete(request.params.id))) throw notFound('station', request.params.id);
      return reply.code(204).send();
    },
  );

  api.get<{ Params: { id: string } }>(
    '/stations/:id/connectors',
    {
      schema: {
        tags: TAGS,
        summary: 'Connectors of a station and their status',
        params: stationParams,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: connectorResponse } } }, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await stations.get(id))) throw notFound('station', id);
      return { items: (await stations.listConnectors(id)).map(presentConnector) };
    },
  );

  api.get<{ Params: { id: string }; Querystring: { component?: string; variable?: string } }>(
    '/stations/:id/variables',
    {
      schema: {
        tags: TAGS,
        summary: 'Device model: 2.0.1 components and variables, 1.6 configuration keys (component OCPP16)',
        params: stationParams,
        querystring: variablesQuery,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: variableResponse } } }, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await stations.get(id))) throw notFound('station', id);
      return { items: (await deps.repos.deviceModel.list(id, request.query)).map(presentVariable) };
    },
  );
}
