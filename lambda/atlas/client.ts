/**
 * The Atlas Administration API v2 operations on private endpoint services and their interface endpoints.
 * Every call goes through one `AtlasHttp` (one undici Agent, one retry policy, one authenticator).
 */
import type { LoggerLike } from '../logging';
import { ATLAS_CLUSTER_NAME, ATLAS_ID_PATTERN, type CloudProvider, isCloudProvider, VPC_ENDPOINT_ID } from '../model/provider';
import { type Authenticator, DigestAuthenticator, ServiceAccountAuthenticator } from './auth';
import { resolveAtlasBaseUrl } from '../model/base-url';
import { AtlasApiError, type AtlasOperation } from './errors';
import { AtlasHttp } from './http';
import {
  ATLAS_CLUSTER_MEDIA_TYPE,
  type Cluster,
  type CreateEndpointServiceRequest,
  CreateInterfaceEndpointRequest,
  type EndpointService,
  type InterfaceEndpoint,
  type UpdateEndpointServiceRequest,
} from './models';
import { ServiceAccountTokens } from './oauth';
import type { RetryPolicy } from './retry';
import { Transport, type TransportTimeouts } from '../http/transport';

/** Atlas credentials: a programmatic API key (Digest) or a service account (OAuth 2.0). */
export type AtlasCredentials =
  { kind: 'api-key'; publicKey: string; privateKey: string } | { kind: 'service-account'; clientId: string; clientSecret: string };

export interface AtlasClientOptions {
  credentials: AtlasCredentials;
  /** Default https://cloud.mongodb.com; see `resolveAtlasBaseUrl` for what is accepted. */
  baseUrl?: string;
  /** Atlas for Government (https://cloud.mongodbgov.com) when no `baseUrl` is given. */
  government?: boolean;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<TransportTimeouts>;
  logger?: LoggerLike;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Digest client nonce source, injectable for tests. */
  newCnonce?: () => string;
}

export class AtlasClient {
  readonly baseUrl: string;
  private readonly http: AtlasHttp;
  private readonly auth: Authenticator;

  constructor(options: AtlasClientOptions) {
    this.baseUrl = resolveAtlasBaseUrl(options);
    this.http = new AtlasHttp({
      baseUrl: this.baseUrl,
      transport: new Transport({ timeouts: options.timeouts }),
      retry: options.retry,
      logger: options.logger,
      sleep: options.sleep,
      now: options.now,
    });
    const c = options.credentials;
    this.auth =
      c.kind === 'api-key'
        ? new DigestAuthenticator(c.publicKey, c.privateKey, options.newCnonce)
        : new ServiceAccountAuthenticator(
            new ServiceAccountTokens({ requestToken: () => this.requestToken(c.clientId, c.clientSecret), now: options.now }),
          );
  }

  /**
   * Creates the endpoint service for one provider and region. Atlas answers 409
   * `PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION` when the project has one already; when an earlier
   * attempt of this same call got no clear response, the error says so (`earlierAttemptMaybeProcessed`), because
   * the existing service may then be the one this call created. The client never treats it as its own:
   * that decision needs what only the caller knows.
   */
  async createEndpointService(projectId: string, request: CreateEndpointServiceRequest): Promise<EndpointService> {
    checkId('projectId', projectId);
    checkProvider(request.providerName);
    return this.object(
      'createEndpointService',
      await this.http.call<EndpointService>({
        operation: 'createEndpointService',
        method: 'POST',
        path: `${group(projectId)}/privateEndpoint/endpointService`,
        json: request,
        auth: this.auth,
        projectId,
      }),
    );
  }

  async getEndpointService(projectId: string, provider: CloudProvider, endpointServiceId: string): Promise<EndpointService> {
    return this.object(
      'getEndpointService',
      await this.http.call<EndpointService>({
        operation: 'getEndpointService',
        method: 'GET',
        path: servicePath(projectId, provider, endpointServiceId),
        auth: this.auth,
        projectId,
      }),
    );
  }

  /** Every endpoint service of one provider in the project. */
  async listEndpointServices(projectId: string, provider: CloudProvider): Promise<EndpointService[]> {
    checkId('projectId', projectId);
    checkProvider(provider);
    const response = await this.http.call<EndpointService[]>({
      operation: 'listEndpointServices',
      method: 'GET',
      path: `${group(projectId)}/privateEndpoint/${provider}/endpointService`,
      auth: this.auth,
      projectId,
    });
    return Array.isArray(response.body) ? response.body : [];
  }

  /** Changes what can change in place: the AWS `supportedRemoteRegions`. */
  async updateEndpointService(
    projectId: string,
    endpointServiceId: string,
    request: UpdateEndpointServiceRequest,
  ): Promise<EndpointService> {
    checkId('projectId', projectId);
    checkId('endpointServiceId', endpointServiceId);
    checkProvider(request.cloudProvider);
    return this.object(
      'updateEndpointService',
      await this.http.call<EndpointService>({
        operation: 'updateEndpointService',
        method: 'PATCH',
        path: `${group(projectId)}/privateEndpoint/endpointService/${endpointServiceId}`,
        json: request,
        auth: this.auth,
        projectId,
      }),
    );
  }

  /** Starts the deletion; the service reads `DELETING` until it is gone (404). */
  async deleteEndpointService(projectId: string, provider: CloudProvider, endpointServiceId: string): Promise<void> {
    await this.http.call({
      operation: 'deleteEndpointService',
      method: 'DELETE',
      path: servicePath(projectId, provider, endpointServiceId),
      auth: this.auth,
      projectId,
    });
  }

  async createInterfaceEndpoint(
    projectId: string,
    endpointServiceId: string,
    request: CreateInterfaceEndpointRequest,
  ): Promise<InterfaceEndpoint> {
    if (request.cloudProvider === 'AWS' && !VPC_ENDPOINT_ID.test(request.id)) {
      throw new RangeError(`interface endpoint id "${request.id}" is not an AWS VPC endpoint id (vpce- and 17 hexadecimal digits)`);
    }
    return this.object(
      'createInterfaceEndpoint',
      await this.http.call<InterfaceEndpoint>({
        operation: 'createInterfaceEndpoint',
        method: 'POST',
        path: `${servicePath(projectId, request.cloudProvider, endpointServiceId)}/endpoint`,
        json: request,
        auth: this.auth,
        projectId,
      }),
    );
  }

  async getInterfaceEndpoint(
    projectId: string,
    provider: CloudProvider,
    endpointServiceId: string,
    endpointId: string,
  ): Promise<InterfaceEndpoint> {
    return this.object(
      'getInterfaceEndpoint',
      await this.http.call<InterfaceEndpoint>({
        operation: 'getInterfaceEndpoint',
        method: 'GET',
        path: endpointPath(projectId, provider, endpointServiceId, endpointId),
        auth: this.auth,
        projectId,
      }),
    );
  }

  async deleteInterfaceEndpoint(projectId: string, provider: CloudProvider, endpointServiceId: string, endpointId: string): Promise<void> {
    await this.http.call({
      operation: 'deleteInterfaceEndpoint',
      method: 'DELETE',
      path: endpointPath(projectId, provider, endpointServiceId, endpointId),
      auth: this.auth,
      projectId,
    });
  }

  /**
   * One cluster of the project, for its `connectionStrings.privateEndpoint[]` and `stateName`. Needs only
   * Project Read Only. A name the project does not have answers 404 `CLUSTER_NOT_FOUND`.
   */
  async getCluster(projectId: string, clusterName: string): Promise<Cluster> {
    checkId('projectId', projectId);
    if (!ATLAS_CLUSTER_NAME.test(clusterName))
      throw new RangeError(`clusterName "${clusterName.slice(0, 80)}" is not an Atlas cluster name`);
    return this.object(
      'getCluster',
      await this.http.call<Cluster>({
        operation: 'getCluster',
        method: 'GET',
        path: `${group(projectId)}/clusters/${clusterName}`,
        accept: ATLAS_CLUSTER_MEDIA_TYPE,
        auth: this.auth,
        projectId,
      }),
    );
  }

  /** Releases pooled connections (tests, the local runner). A Lambda keeps them for the next invocation. */
  async close(): Promise<void> {
    await this.http.close();
  }

  private object<T>(operation: AtlasOperation, response: { body: T | undefined; status: number; attempts: number }): T {
    if (response.body === undefined || response.body === null || typeof response.body !== 'object') {
      throw new AtlasApiError({
        operation,
        status: response.status,
        errorCode: 'INVALID_RESPONSE',
        detail: 'Atlas answered without the expected JSON object',
        retryable: true,
        attempts: response.attempts,
      });
    }
    return response.body;
  }

  private async requestToken(clientId: string, clientSecret: string) {
    const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    const response = await this.http.call<{ access_token?: unknown; expires_in?: unknown; token_type?: unknown }>({
      operation: 'getAccessToken',
      method: 'POST',
      path: '/api/oauth/token',
      form: 'grant_type=client_credentials',
      accept: 'application/json',
      auth: { fixed: `Basic ${basic}` },
    });
    const { access_token: accessToken, expires_in: expiresIn } = response.body ?? {};
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new AtlasApiError({
        operation: 'getAccessToken',
        status: response.status,
        errorCode: 'INVALID_RESPONSE',
        detail: 'the token endpoint answered without an access_token',
        retryable: false,
        attempts: response.attempts,
      });
    }
    return { accessToken, expiresIn: typeof expiresIn === 'number' ? expiresIn : Number(expiresIn) || 3600 };
  }
}

function group(projectId: string): string {
  return `/api/atlas/v2/groups/${projectId}`;
}

function servicePath(projectId: string, provider: CloudProvider, endpointServiceId: string): string {
  checkId('projectId', projectId);
  checkProvider(provider);
  checkId('endpointServiceId', endpointServiceId);
  return `${group(projectId)}/privateEndpoint/${provider}/endpointService/${endpointServiceId}`;
}

function endpointPath(projectId: string, provider: CloudProvider, endpointServiceId: string, endpointId: string): string {
  // Pasted into the path (encoded): an id of `.` or `..` would still address another resource (the service itself).
  if (
    provider === 'AWS'
      ? !/^vpce-[0-9a-f]{17}$/.test(endpointId)
      : endpointId === '' || endpointId === '.' || endpointId === '..' || endpointId.length > 1000
  ) {
    throw new RangeError(
      `endpointId "${endpointId.slice(0, 80)}" is not an interface endpoint id${provider === 'AWS' ? ' (vpce- and 17 hexadecimal digits)' : ''}`,
    );
  }
  return `${servicePath(projectId, provider, endpointServiceId)}/endpoint/${encodeURIComponent(endpointId)}`;
}

function checkId(name: string, value: string): void {
  if (!ATLAS_ID_PATTERN.test(value)) {
    throw new RangeError(`${name} "${value}" is not an Atlas id: expected 24 lowercase hexadecimal digits`);
  }
}

function checkProvider(value: string): void {
  if (!isCloudProvider(value)) throw new RangeError(`provider "${value}" is not one of AWS, AZURE, GCP`);
}
