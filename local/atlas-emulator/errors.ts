/**
 * Atlas error responses: `{detail, error, errorCode, parameters, reason}` with `Content-Type:
 * application/json`. Where live Atlas's exact code or wording is not on record, the comment says the
 * emulator chose it, so that nobody mistakes it for a verified fact.
 */
import { STATUS_CODES } from 'node:http';
import type { AtlasErrorBody } from '../../lambda/atlas/models';
import { ATLAS_ERROR_CODES } from '../../lambda/atlas/models';
import type { RateLimitSettings } from './rate-limit';

/** The link a live 429 detail ends with. */
export const RATE_LIMIT_DOC_LINK = 'http://dochub.mongodb.org/core/atlas-api-rate-limit';

export class AtlasHttpError extends Error {
  override readonly name = 'AtlasHttpError';
  readonly body: AtlasErrorBody;

  constructor(
    readonly status: number,
    errorCode: string,
    detail: string,
    parameters: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
    // Atlas's key order, as recorded responses show it.
    this.body = { detail, error: status, errorCode, parameters, reason: reasonPhrase(status) };
  }
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

export const errors = {
  resourceNotFound: (path: string) =>
    new AtlasHttpError(404, ATLAS_ERROR_CODES.notFound, `Cannot find resource ${path}.`, [path]),

  groupNotFound: (groupId: string) => new AtlasHttpError(404, 'GROUP_NOT_FOUND', `No group with ID ${groupId} exists.`, [groupId]),

  // Emulator's choice from recollection of Atlas's code list; live wording unverified.
  invalidGroupId: (groupId: string) => new AtlasHttpError(400, 'INVALID_GROUP_ID', `An invalid group ID ${groupId} was specified.`, [groupId]),

  invalidAttribute: (name: string) => new AtlasHttpError(400, 'INVALID_ATTRIBUTE', `Invalid attribute ${name} specified.`, [name]),

  invalidEnumeration: (value: string) =>
    new AtlasHttpError(400, 'INVALID_ENUMERATION_VALUE', `An invalid enumeration value ${value} was specified.`, [value]),

  validation: (detail: string, parameters: unknown[] = []) => new AtlasHttpError(400, 'VALIDATION_ERROR', detail, parameters),

  invalidJson: () => new AtlasHttpError(400, 'INVALID_JSON', 'Received JSON is malformed.'),

  serviceAlreadyExists: (provider: string, regionName: string) =>
    new AtlasHttpError(
      409,
      ATLAS_ERROR_CODES.serviceAlreadyExists,
      `A private endpoint service already exists for ${provider} region ${regionName}.`,
      [provider, regionName],
    ),

  // Emulator's choice: the live code for registering the same endpoint twice is unverified.
  endpointAlreadyExists: (endpointId: string) =>
    new AtlasHttpError(409, 'PRIVATE_ENDPOINT_ALREADY_EXISTS', `A private endpoint with ID ${endpointId} already exists.`, [endpointId]),

  // Emulator's choice: the live code for deleting a service that still has endpoints is unverified.
  cannotDeleteServiceWithEndpoints: (serviceId: string) =>
    new AtlasHttpError(
      409,
      'CANNOT_DELETE_PRIVATE_ENDPOINT_SERVICE_WITH_ENDPOINTS',
      `Cannot delete private endpoint service ${serviceId} while it has private endpoints.`,
      [serviceId],
    ),

  // Emulator's choice: live Atlas's answer to registering an endpoint with a service that is not ready
  // (INITIATING, FAILED, DELETING) is unverified.
  serviceNotReady: (serviceId: string, status: string) =>
    new AtlasHttpError(
      409,
      'PRIVATE_ENDPOINT_SERVICE_NOT_READY',
      `Private endpoint service ${serviceId} is ${status} and cannot accept private endpoints.`,
      [serviceId, status],
    ),

  // Emulator's choice among the codes Atlas uses for a failed authentication; the detail is Atlas's.
  unauthenticated: (challenge?: string) =>
    new AtlasHttpError(
      401,
      'UNAUTHORIZED',
      'You are not authorized for this resource.',
      [],
      challenge ? { 'WWW-Authenticate': challenge } : {},
    ),

  // What Atlas answers when a credential cannot see a project (the Atlas Kubernetes operator acts on it).
  notInGroup: (groupId: string) =>
    new AtlasHttpError(401, 'NOT_IN_GROUP', `Current user is not in the group, or the group does not exist.`, [groupId]),

  userUnauthorized: () => new AtlasHttpError(401, 'USER_UNAUTHORIZED', 'Current user is not authorized to perform this action.'),

  ipNotOnAccessList: (ip: string) =>
    new AtlasHttpError(403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', `IP address ${ip} is not allowed to access this resource.`, [ip]),

  // Emulator's choice: live Atlas's answer to a wrong method is unverified.
  methodNotAllowed: (method: string, allow: string[]) =>
    new AtlasHttpError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed for this resource.`, [method], {
      Allow: allow.join(', '),
    }),

  // Body per best recollection of live Atlas.
  notAcceptable: () => new AtlasHttpError(406, 'INVALID_VERSION_DATE', 'Invalid accept header or version date.'),

  // Emulator's choice: live Atlas's 415 body is unverified.
  unsupportedMediaType: (contentType: string) =>
    new AtlasHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Unsupported content type ${contentType || '(none)'}.`, [contentType]),

  // As recorded live: the detail names the concrete path (no leading slash) and ends with the documentation
  // link; the parameters are the path, the wait and the bucket's capacity, refill and interval.
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
