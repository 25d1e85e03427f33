/**
 * Request and response models of the Atlas Administration API v2 private endpoint operations
 * (`contract/atlas-api/*.openapi.yaml`). Fields the spec types as strings may be `null` in live
 * responses (see the contract README's allowances), so they are typed `string | null`.
 */
import type { CloudProvider } from '../model/provider';

/** The media type every one of these operations exists in. */
export const ATLAS_MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';

export const ENDPOINT_SERVICE_STATUSES = ['INITIATING', 'AVAILABLE', 'WAITING_FOR_USER', 'FAILED', 'DELETING'] as const;
export type EndpointServiceStatus = (typeof ENDPOINT_SERVICE_STATUSES)[number];

interface EndpointServiceBase {
  /** 24 hex digits. */
  id: string;
  /** Atlas spelling: `US_EAST_1`. */
  regionName: string;
  status: EndpointServiceStatus;
  /** `null` when all is well. */
  errorMessage: string | null;
}

export interface AwsEndpointService extends EndpointServiceBase {
  cloudProvider: 'AWS';
  /** `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`; `null` while Atlas creates the service. */
  endpointServiceName: string | null;
  /** `vpce-…` ids of the interface endpoints registered with this service. */
  interfaceEndpoints: string[];
  /** Atlas spelling. Recorded live as `null` when none were set. */
  supportedRemoteRegions?: string[] | null;
}

export interface AzureEndpointService extends EndpointServiceBase {
  cloudProvider: 'AZURE';
  /** Resource paths of the Azure private endpoints registered with this service. */
  privateEndpoints?: string[];
  /** `pls_<24 hex>`; `null` until Atlas has it. */
  privateLinkServiceName?: string | null;
  privateLinkServiceResourceId?: string | null;
}

export interface GcpEndpointService extends EndpointServiceBase {
  cloudProvider: 'GCP';
  endpointGroupNames?: string[];
  /**
   * Empty while the service is being created. Recorded live without a scheme (`projects/p-…/regions/…/
   * serviceAttachments/…`, 6 of them without port mapping); older documentation shows 50 `https://…` URLs.
   */
  serviceAttachmentNames?: string[];
  portMappingEnabled?: boolean;
}

export type EndpointService = AwsEndpointService | AzureEndpointService | GcpEndpointService;

/** `POST /groups/{groupId}/privateEndpoint/endpointService`. */
export interface CreateEndpointServiceRequest {
  providerName: CloudProvider;
  /** Either spelling: `us-east-1` or `US_EAST_1`. */
  region: string;
  /** GCP only. */
  portMappingEnabled?: boolean;
  /** AWS only; Atlas spelling. */
  supportedRemoteRegions?: string[];
}

/** `PATCH /groups/{groupId}/privateEndpoint/endpointService/{endpointServiceId}`. */
export interface UpdateEndpointServiceRequest {
  cloudProvider: CloudProvider;
  supportedRemoteRegions?: string[];
}

export const AWS_CONNECTION_STATUSES = ['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE', 'REJECTED', 'DELETING'] as const;
export type AwsConnectionStatus = (typeof AWS_CONNECTION_STATUSES)[number];
export const AZURE_ENDPOINT_STATUSES = ['INITIATING', 'AVAILABLE', 'FAILED', 'DELETING'] as const;
export type AzureEndpointStatus = (typeof AZURE_ENDPOINT_STATUSES)[number];
export const GCP_ENDPOINT_STATUSES = ['INITIATING', 'VERIFIED', 'AVAILABLE', 'FAILED', 'DELETING'] as const;
export type GcpEndpointStatus = (typeof GCP_ENDPOINT_STATUSES)[number];

interface InterfaceEndpointBase {
  deleteRequested?: boolean;
  errorMessage?: string | null;
}

/** An AWS interface endpoint registered with an endpoint service (`AWSInterfaceEndpoint`). */
export interface AwsInterfaceEndpoint extends InterfaceEndpointBase {
  cloudProvider: 'AWS';
  /** The `vpce-…` id. */
  interfaceEndpointId: string;
  connectionStatus: AwsConnectionStatus;
}

/** An Azure private endpoint registered with an endpoint service (`AzurePrivateEndpoint`). */
export interface AzurePrivateEndpoint extends InterfaceEndpointBase {
  cloudProvider: 'AZURE';
  privateEndpointConnectionName?: string | null;
  privateEndpointIPAddress?: string | null;
  privateEndpointResourceId?: string | null;
  status: AzureEndpointStatus;
}

export interface GcpForwardingRule {
  endpointName?: string;
  ipAddress?: string;
  status?: string;
}

/** A GCP endpoint group registered with an endpoint service (`PrivateGCPEndpointGroup`). */
export interface GcpEndpointGroup extends InterfaceEndpointBase {
  cloudProvider: 'GCP';
  endpointGroupName?: string;
  endpoints?: GcpForwardingRule[];
  gcpProjectId?: string;
  portMappingEnabled?: boolean;
  status: GcpEndpointStatus;
}

export type InterfaceEndpoint = AwsInterfaceEndpoint | AzurePrivateEndpoint | GcpEndpointGroup;

/** `POST …/{cloudProvider}/endpointService/{id}/endpoint`, one body shape per provider. */
export type CreateInterfaceEndpointRequest =
  | { cloudProvider: 'AWS'; /** `vpce-<17 hex>` */ id: string }
  | { cloudProvider: 'AZURE'; /** the Azure private endpoint's resource path */ id: string; privateEndpointIPAddress: string }
  | {
      cloudProvider: 'GCP';
      endpointGroupName: string;
      gcpProjectId: string;
      endpoints?: { endpointName: string; ipAddress: string }[];
    };

/**
 * The media type of the cluster read (`getCluster`): `ClusterDescription20240805`, the current version of
 * the cluster API. The private endpoint operations stay on {@link ATLAS_MEDIA_TYPE}.
 */
export const ATLAS_CLUSTER_MEDIA_TYPE = 'application/vnd.atlas.2024-08-05+json';

/** `stateName` of a cluster. */
export const CLUSTER_STATES = ['IDLE', 'CREATING', 'UPDATING', 'DELETING', 'REPAIRING'] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

/** One endpoint a private-endpoint connection string goes through (`…PrivateEndpointEndpoint`). */
export interface ClusterPrivateEndpointRef {
  /** The cloud provider's id of the private endpoint (AWS: `vpce-…`). */
  endpointId?: string;
  providerName?: CloudProvider;
  region?: string;
}

/** One entry of `connectionStrings.privateEndpoint[]`: the strings for one set of endpoints, one per region. */
export interface ClusterPrivateEndpointStrings {
  connectionString?: string;
  srvConnectionString?: string;
  /** Sharded clusters. */
  srvShardOptimizedConnectionString?: string;
  /** `MONGOD` (replica set) or `MONGOS` (sharded). */
  type?: string;
  endpoints?: ClusterPrivateEndpointRef[];
}

/** What the connection wait reads of a cluster (`GET /groups/{groupId}/clusters/{clusterName}`). */
export interface Cluster {
  name?: string;
  stateName?: ClusterState | string;
  paused?: boolean;
  connectionStrings?: { privateEndpoint?: ClusterPrivateEndpointStrings[] | null } | null;
  /** Where the cluster's nodes are: one spec per shard (one for a replica set), one region config per region (`TENANT` on the shared tier). */
  replicationSpecs?: { zoneName?: string; regionConfigs?: { providerName?: string; regionName?: string; priority?: number }[] }[] | null;
}

/** The body of an Atlas error response. A 401 was recorded without `errorCode` and `parameters`. */
export interface AtlasErrorBody {
  detail?: string;
  error: number;
  errorCode?: string;
  /** The spec says objects; Atlas sends strings and numbers. */
  parameters?: unknown[];
  reason?: string;
  badRequestDetail?: { fields?: { description: string; field: string }[] };
}

/** Error codes this project acts on. */
export const ATLAS_ERROR_CODES = {
  serviceAlreadyExists: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
  notFound: 'RESOURCE_NOT_FOUND',
  /** A cluster name the project does not have (404). */
  clusterNotFound: 'CLUSTER_NOT_FOUND',
  rateLimited: 'RATE_LIMITED_TOKEN_BUCKET',
  /** With detail "Reason: No Capacity." and parameters `["No Capacity"]` on a create: the region has no room now. */
  generalError: 'ATLAS_GENERAL_ERROR',
} as const;
