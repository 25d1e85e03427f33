/**
 * The one error type of the Atlas client: what was called, what Atlas answered, and whether trying again
 * can help. Messages name the operation, the status and Atlas's own words, never a credential.
 */
import { ProviderError } from '../model/errors';
import { ATLAS_ERROR_CODES, type AtlasErrorBody } from './models';

export type AtlasOperation =
  | 'createEndpointService'
  | 'getEndpointService'
  | 'listEndpointServices'
  | 'updateEndpointService'
  | 'deleteEndpointService'
  | 'createInterfaceEndpoint'
  | 'getInterfaceEndpoint'
  | 'deleteInterfaceEndpoint'
  | 'getCluster'
  | 'getAccessToken';

const DESCRIPTIONS: Record<AtlasOperation, string> = {
  createEndpointService: 'create the private endpoint service',
  getEndpointService: 'read the private endpoint service',
  listEndpointServices: 'list the private endpoint services',
  updateEndpointService: 'update the private endpoint service',
  deleteEndpointService: 'delete the private endpoint service',
  createInterfaceEndpoint: 'register the interface endpoint',
  getInterfaceEndpoint: 'read the interface endpoint',
  deleteInterfaceEndpoint: 'delete the interface endpoint',
  getCluster: 'read the cluster',
  getAccessToken: 'get a service account access token',
};

const WRITES: readonly AtlasOperation[] = [
  'createEndpointService',
  'updateEndpointService',
  'deleteEndpointService',
  'createInterfaceEndpoint',
  'deleteInterfaceEndpoint',
];

/** Codes for failures that never reached an Atlas response. */
export type TransportErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'INVALID_RESPONSE';

export interface AtlasApiErrorFields {
  operation: AtlasOperation;
  /** HTTP status; undefined when no response came (connection refused, reset, timed out). */
  status?: number;
  errorCode: string;
  detail?: string;
  parameters?: unknown[];
  /** True when the same call may succeed later. */
  retryable: boolean;
  /** When retryable: the least wait Atlas asked for, or the client's backoff, in whole seconds. */
  retryAfterSeconds?: number;
  /** How many requests the call made (auth round trips not counted). */
  attempts: number;
  /**
   * True when an earlier attempt of this call may have been carried out by Atlas without the client hearing
   * the response. A create's 409 "already exists" is then possibly the client's own service.
   */
  earlierAttemptMaybeProcessed?: boolean;
  /** True when this call (its last attempt included) may have been carried out by Atlas. */
  maybeProcessed?: boolean;
  projectId?: string;
  cause?: unknown;
}

export class AtlasApiError extends ProviderError {
  override readonly name = 'AtlasApiError';
  readonly operation: AtlasOperation;
  readonly status: number | undefined;
  readonly errorCode: string;
  readonly detail: string | undefined;
  readonly parameters: unknown[];
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly attempts: number;
  readonly earlierAttemptMaybeProcessed: boolean;
  readonly maybeProcessed: boolean;

  constructor(fields: AtlasApiErrorFields) {
    super(describe(fields), fields.cause !== undefined ? { cause: fields.cause } : undefined);
    this.operation = fields.operation;
    this.status = fields.status;
    this.errorCode = fields.errorCode;
    this.detail = fields.detail;
    this.parameters = fields.parameters ?? [];
    this.retryable = fields.retryable;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.attempts = fields.attempts;
    this.earlierAttemptMaybeProcessed = fields.earlierAttemptMaybeProcessed ?? false;
    this.maybeProcessed = fields.maybeProcessed ?? this.earlierAttemptMaybeProcessed;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** 401 or 403: Atlas refused the credentials, or their role or IP access list does not allow the call. */
  get isUnauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** 409: Atlas refuses because of what exists (a service in the region, a registration, a service still in use). */
  get isConflict(): boolean {
    return this.status === 409;
  }

  /** 400: Atlas refuses the request as it is. */
  get isBadRequest(): boolean {
    return this.status === 400;
  }

  /**
   * Atlas's 400 ATLAS_GENERAL_ERROR "Reason: No Capacity." (recorded live on creates, on every provider): the
   * cloud region has no room now. Not a transient worth retrying for an hour; the person deploying decides.
   */
  get isNoCapacity(): boolean {
    return isNoCapacity(this);
  }

  /**
   * For a 409 PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION: the provider and Atlas region of the
   * service that is in the way.
   */
  get existingService(): { provider: string; region: string } | undefined {
    if (this.status !== 409 || this.errorCode !== ATLAS_ERROR_CODES.serviceAlreadyExists) return undefined;
    const [provider, region] = this.parameters;
    if (typeof provider === 'string' && typeof region === 'string') return { provider, region };
    const m = /for (\w+) region (\w+)/.exec(this.detail ?? '');
    return m ? { provider: m[1], region: m[2] } : undefined;
  }

  /** A JSON-safe summary for logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      status: this.status,
      errorCode: this.errorCode,
      retryable: this.retryable,
      retryAfterSeconds: this.retryAfterSeconds,
      attempts: this.attempts,
      earlierAttemptMaybeProcessed: this.earlierAttemptMaybeProcessed,
    };
  }

  /**
   * Builds the error from an Atlas error response, or whatever came back instead of one: recorded live are
   * bodies without `errorCode` (a 401), pretty-printed JSON, non-JSON 5xx pages and an empty 405. Each keeps
   * its status; a missing code becomes `HTTP_<status>`.
   */
  static fromResponse(
    operation: AtlasOperation,
    status: number,
    body: unknown,
    extra: Omit<AtlasApiErrorFields, 'operation' | 'status' | 'errorCode'>,
  ): AtlasApiError {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Partial<AtlasErrorBody> & {
      error?: unknown;
      error_description?: unknown;
    };
    const errorCode = typeof b.errorCode === 'string' ? b.errorCode : typeof b.error === 'string' ? b.error : `HTTP_${status}`;
    const detail = typeof b.detail === 'string' ? b.detail : typeof b.error_description === 'string' ? b.error_description : undefined;
    return new AtlasApiError({
      ...extra,
      operation,
      status,
      errorCode,
      detail,
      parameters: Array.isArray(b.parameters) ? b.parameters : [],
    });
  }
}

function describe(f: AtlasApiErrorFields): string {
  const what = `Atlas API: could not ${DESCRIPTIONS[f.operation]}`;
  const outcome =
    f.status === undefined
      ? `no answer from Atlas (${f.errorCode}${f.detail ? `: ${f.detail}` : ''})`
      : `HTTP ${f.status} ${f.errorCode}${f.detail ? `: ${f.detail.replace(/\.$/, '')}` : ''}`;
  const parts = [`${what}: ${outcome}.`];
  if (f.status === 401 || f.status === 403) parts.push(accessAdvice(f));
  if (isNoCapacity(f)) {
    parts.push(
      'The cloud region has no capacity for a private endpoint service right now: retry the deployment later, or choose another region.',
    );
  }
  if (f.retryable && f.retryAfterSeconds !== undefined) parts.push(`Retry after ${f.retryAfterSeconds} seconds.`);
  if (f.earlierAttemptMaybeProcessed && f.status === 409) {
    parts.push('An earlier attempt of this call got no clear answer, so the existing resource may be the one it created.');
  }
  return parts.join(' ');
}

function isNoCapacity(f: Pick<AtlasApiErrorFields, 'status' | 'errorCode' | 'detail' | 'parameters'>): boolean {
  if (f.status !== 400 || f.errorCode !== ATLAS_ERROR_CODES.generalError) return false;
  return /no capacity/i.test(f.detail ?? '') || (f.parameters ?? []).some((p) => typeof p === 'string' && /no capacity/i.test(p));
}

function accessAdvice(f: AtlasApiErrorFields): string {
  if (f.operation === 'getAccessToken') {
    return 'Atlas rejected the service account credentials: check the client id and secret in the credentials secret, and that the service account still exists.';
  }
  const project = f.projectId ? ` on project ${f.projectId}` : '';
  const role = WRITES.includes(f.operation) ? 'Project Owner' : 'Project Read Only (or higher)';
  return (
    `This operation needs the ${role} role${project} for the API key or service account. ` +
    'If the organization requires an IP access list for the Atlas Administration API, the address the calls come from ' +
    "(for a Lambda in a VPC, its NAT gateway) must be on the key's access list."
  );
}

/** What an Atlas read answers, or undefined when Atlas answers 404: the object is gone (or never was). */
export async function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof AtlasApiError && err.isNotFound) return undefined;
    throw err;
  }
}
