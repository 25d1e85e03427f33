/**
 * Physical ids of `Custom::AtlasPrivateEndpointService`: `{ProjectId}-{PrivateLinkId}-{ProviderName}-{Region}`,
 * the import id users know from Terraform's `mongodbatlas_privatelink_endpoint`, with the region in Atlas's
 * spelling. Anything that does not parse names nothing of ours: a failed Create's marker or an id
 * CloudFormation made up for a cancelled Create; deleting it is a no-op.
 */
import { CLOUD_PROVIDERS, type CloudProvider } from '../model/provider';

export interface ServiceRef {
  projectId: string;
  serviceId: string;
  provider: CloudProvider;
  /** Atlas spelling. */
  region: string;
}

const PATTERN = new RegExp(`^([a-f0-9]{24})-([a-f0-9]{24})-(${CLOUD_PROVIDERS.join('|')})-([A-Za-z0-9_-]+)$`);

export function formatServicePhysicalId(ref: ServiceRef): string {
  return `${ref.projectId}-${ref.serviceId}-${ref.provider}-${ref.region}`;
}

export function parseServicePhysicalId(id: string | undefined): ServiceRef | undefined {
  const m = id ? PATTERN.exec(id) : null;
  return m ? { projectId: m[1], serviceId: m[2], provider: m[3] as CloudProvider, region: m[4] } : undefined;
}

/** An interface endpoint registered with an endpoint service. */
export interface EndpointRef {
  projectId: string;
  serviceId: string;
  provider: CloudProvider;
  /** AWS: the `vpce-…` id. */
  endpointId: string;
}

const ENDPOINT_PATTERN = /^([a-f0-9]{24})--([a-f0-9]{24})--(.{1,1000})$/;
/**
 * The id goes into Atlas URL paths: AWS's exact form; for the others (Azure resource ids hold slashes,
 * which the client encodes) nothing that is a dot segment or holds one.
 */
const OTHER_ENDPOINT_ID = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[\x21-\x7e]{1,1000}$/;
const ENDPOINT_ID_PATTERNS: Record<CloudProvider, RegExp> = { AWS: /^vpce-[0-9a-f]{17}$/, AZURE: OTHER_ENDPOINT_ID, GCP: OTHER_ENDPOINT_ID };

/**
 * Physical ids of `Custom::AtlasPrivateEndpoint`: `{ProjectId}--{EndpointServiceId}--{EndpointId}` (the form
 * MongoDB's own CloudFormation resource uses). The provider is not part of it: it comes with the request's
 * properties (AWS when they do not say).
 */
export function formatEndpointPhysicalId(ref: EndpointRef): string {
  return `${ref.projectId}--${ref.serviceId}--${ref.endpointId}`;
}

export function parseEndpointPhysicalId(id: string | undefined, provider: CloudProvider = 'AWS'): EndpointRef | undefined {
  const m = id ? ENDPOINT_PATTERN.exec(id) : null;
  return m && ENDPOINT_ID_PATTERNS[provider]?.test(m[3]) ? { projectId: m[1], serviceId: m[2], provider, endpointId: m[3] } : undefined;
}

/** The id answered when a Create failed before anything existed in Atlas. */
export function notCreatedMarker(requestId: string): string {
  return `not-created-${requestId}`.slice(0, 200);
}
