/**
 * Atlas error responses: `{detail, error, errorCode, parameters, reason}` with `Content-Type:
 * application/json`. Where live Atlas's exact code or wording is not on record, the comment says the
 * emulator chose it, so that nobody mistakes it for a verified fact.
 */
import { STATUS_CODES } from 'node:http';
import { ATLAS_ERROR_CODES } from '../../lambda/atlas/models';
import type { ResponseShapes } from './config';
import type { RateLimitSettings } from './rate-limit';

/** The link a live 429 detail ends with. */
export const RATE_LIMIT_DOC_LINK = 'http://dochub.mongodb.org/core/atlas-api-rate-limit';

/** The key order and content of an Atlas error body; `undefined` fields are left out. */
export interface ErrorBody {
  detail?: string;
  error: number;
  errorCode?: string;
  parameters?: unknown[];
  reason?: string;
}

export class AtlasHttpError extends Error {
  override readonly name = 'AtlasHttpError';
  /** Undefined: the answer has no body at all (a recorded 405). */
  readonly body: ErrorBody | undefined;
  /** Serialized the way the recorded 401 is: Jackson's pretty printer (`"key" : value`, two-space indent). */
  readonly pretty: boolean;

  constructor(
    readonly status: number,
    errorCode: string,
    detail: string,
    parameters: unknown[] = [],
    readonly headers: Record<string, string> = {},
    shape: { body?: ErrorBody | null; pretty?: boolean } = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
    // Atlas's key order, as recorded responses show it.
    this.body =
      shape.body === null ? undefined : (shape.body ?? { detail, error: status, errorCode, parameters, reason: reasonPhrase(status) });
    this.pretty = shape.pretty ?? false;
  }
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** Jackson's DefaultPrettyPrinter layout of a flat object, which the recorded 401 body has. */
export function prettyJson(body: object): string {
  const lines = Object.entries(body).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

const UNAUTHORIZED_DETAIL = 'You are not authorized for this resource.';

/**
 * Where the recorded sources leave a choice open, the emulator keeps its earlier choice; each is marked
 * "Open choice" below and listed in contract/atlas-api/README.md ("Open choices") with what would settle it.
 */
export const errors = {
  resourceNotFound: (path: string) => new AtlasHttpError(404, ATLAS_ERROR_CODES.notFound, `Cannot find resource ${path}.`, [path]),

  // Open choice: the code is the one MongoDB's Kubernetes operator acts on ("the cluster doesn't exist"); the detail's
  // wording is not on record. A recorded 404 of the search index API reads CLUSTER_NAME_NOT_FOUND "No cluster with
  // name "<name>" exists in group <groupId>.", parameters [name, groupId].
  clusterNotFound: (name: string, groupId: string) =>
    new AtlasHttpError(404, ATLAS_ERROR_CODES.clusterNotFound, `No cluster named ${name} exists in group ${groupId}.`, [name, groupId]),
  groupNotFound: (groupId: string) => new AtlasHttpError(404, 'GROUP_NOT_FOUND', `No group with ID ${groupId} exists.`, [groupId]),

  // Emulator's choice from recollection of Atlas's code list; live wording unverified.
  invalidGroupId: (groupId: string) =>
    new AtlasHttpError(400, 'INVALID_GROUP_ID', `An invalid group ID ${groupId} was specified.`, [groupId]),

  invalidAttribute: (name: string) => new AtlasHttpError(400, 'INVALID_ATTRIBUTE', `Invalid attribute ${name} specified.`, [name]),

  // Recorded live (not the docs' INVALID_ENUMERATION_VALUE).
  invalidEnumValue: (value: string) =>
    new AtlasHttpError(400, 'INVALID_ENUM_VALUE', `An invalid enumeration value ${value} was specified.`, [value]),

  // Recorded live.
  missingAttribute: (name: string) =>
    new AtlasHttpError(400, 'MISSING_ATTRIBUTE', `The required attribute ${name} was not specified.`, [name]),

  // Recorded code; the detail is the emulator's.
  invalidJsonAttribute: (name: string) =>
    new AtlasHttpError(400, 'INVALID_JSON_ATTRIBUTE', `Invalid JSON attribute ${name} specified.`, [name]),

  // Recorded live.
  malformedJson: () => new AtlasHttpError(400, 'MALFORMED_JSON', 'Received JSON is malformed.'),

  // Recorded code for supportedRemoteRegions naming the service's own region; the detail is the emulator's.
  crossRegionSelfRegion: (region: string) =>
    new AtlasHttpError(
      400,
      'CROSS_REGION_PRIVATE_LINK_SELF_REGION',
      `The supported remote regions cannot include the endpoint service's own region ${region}.`,
      [region],
    ),

  // Recorded code for supportedRemoteRegions on a provider other than AWS; the detail is the emulator's.
  providerUnsupported: (provider: string) =>
    new AtlasHttpError(400, 'PROVIDER_UNSUPPORTED', `Cross-region private endpoints are not supported for provider ${provider}.`, [
      provider,
    ]),

  // Recorded live on create, on every provider, when the cloud region has no room.
  noCapacity: () => new AtlasHttpError(400, ATLAS_ERROR_CODES.generalError, 'Reason: No Capacity.', ['No Capacity']),

  validation: (detail: string, parameters: unknown[] = []) => new AtlasHttpError(400, 'VALIDATION_ERROR', detail, parameters),

  serviceAlreadyExists: (provider: string, regionName: string) =>
    new AtlasHttpError(
      409,
      ATLAS_ERROR_CODES.serviceAlreadyExists,
      `A private endpoint service already exists for ${provider} region ${regionName}.`,
      [provider, regionName],
    ),

  // Open choice: the docs name this PRIVATELINK_INTERFACE_ENDPOINT_ALREADY_EXISTS; the v2 name is not on record.
  endpointAlreadyExists: (endpointId: string) =>
    new AtlasHttpError(409, 'PRIVATE_ENDPOINT_ALREADY_EXISTS', `A private endpoint with ID ${endpointId} already exists.`, [endpointId]),

  // Open choice: the docs name this CANNOT_DELETE_PRIVATELINK_WITH_ENDPOINTS; the v2 name is not on record.
  cannotDeleteServiceWithEndpoints: (serviceId: string) =>
    new AtlasHttpError(
      409,
      'CANNOT_DELETE_PRIVATE_ENDPOINT_SERVICE_WITH_ENDPOINTS',
      `Cannot delete private endpoint service ${serviceId} while it has private endpoints.`,
      [serviceId],
    ),

  // Open choice: the docs name this PRIVATELINK_CANNOT_ACCEPT_ENDPOINTS; the v2 name is not on record.
  serviceNotReady: (serviceId: string, status: string) =>
    new AtlasHttpError(
      409,
      'PRIVATE_ENDPOINT_SERVICE_NOT_READY',
      `Private endpoint service ${serviceId} is ${status} and cannot accept private endpoints.`,
      [serviceId, status],
    ),

  /**
   * Recorded live for wrong or missing credentials and for a key that cannot see the project: a pretty-printed
   * body without `errorCode` and `parameters`; since mid-2026 it adds `"errorCode" : "UNEXPECTED_ERROR"`.
   */
  unauthenticated: (challenge?: string, shape: ResponseShapes['unauthorized'] = 'recorded') =>
    new AtlasHttpError(401, 'UNAUTHORIZED', UNAUTHORIZED_DETAIL, [], challenge ? { 'WWW-Authenticate': challenge } : {}, {
      body:
        shape === 'recorded'
          ? { error: 401, reason: 'Unauthorized', detail: UNAUTHORIZED_DETAIL }
          : { error: 401, errorCode: 'UNEXPECTED_ERROR', reason: 'Unauthorized', detail: UNAUTHORIZED_DETAIL },
      pretty: true,
    }),

  // Open choice: a key without the role for a write; the live answer is not on record (401 or 403).
  userUnauthorized: () => new AtlasHttpError(401, 'USER_UNAUTHORIZED', 'Current user is not authorized to perform this action.'),

  ipNotOnAccessList: (ip: string) =>
    new AtlasHttpError(403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', `IP address ${ip} is not allowed to access this resource.`, [ip]),

  // Recorded live: no body (Content-Length: 0) and an Allow header.
  methodNotAllowed: (method: string, allow: string[]) =>
    new AtlasHttpError(
      405,
      'METHOD_NOT_ALLOWED',
      `Method ${method} is not allowed for this resource.`,
      [method],
      { Allow: allow.join(', ') },
      { body: null },
    ),

  // Recorded live.
  notAcceptable: () => new AtlasHttpError(406, 'INVALID_VERSION_DATE', 'Invalid accept header or version date.'),

  // Recorded code for a sunset version date; the detail is the emulator's.
  versionGone: (version: string) => new AtlasHttpError(410, 'VERSION_GONE', `The API version ${version} has been sunset.`, [version]),

  // Open choice: live Atlas's 415 is not on record.
  unsupportedMediaType: (contentType: string) =>
    new AtlasHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Unsupported content type ${contentType || '(none)'}.`, [contentType]),

  rateLimited: (path: string, retryAfterSeconds: number, limit: Readonly<RateLimitSettings>) => {
    const scope = path.replace(/^\/+/, '');
    const { capacity, refillRate, refillDurationSeconds } = limit;
    return new AtlasHttpError(
      429,
      ATLAS_ERROR_CODES.rateLimited,
      `Rate limit exceeded for ${scope}. Please retry after ${retryAfterSeconds} seconds. Request capacity: ${capacity}. ` +
        `Refill rate: ${refillRate} per ${refillDurationSeconds} seconds. For more information, see: ${RATE_LIMIT_DOC_LINK}.`,
      [scope, retryAfterSeconds, capacity, refillRate, refillDurationSeconds],
      { 'Retry-After': String(retryAfterSeconds), 'RateLimit-Limit': String(capacity), 'RateLimit-Remaining': '0' },
    );
  },

  serverError: (status: 500 | 502 | 503 | 504, retryAfterSeconds?: number) => {
    const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {};
    return status === 503
      ? new AtlasHttpError(503, 'SERVICE_UNAVAILABLE', 'Service is temporarily unavailable.', [], headers)
      : new AtlasHttpError(status, 'UNEXPECTED_ERROR', 'Unexpected error.', [], headers);
  },
};

/** A 503 whose body is not JSON, as recorded live (a proxy's page rather than an Atlas error). */
export const NON_JSON_503_BODY =
  '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n';
