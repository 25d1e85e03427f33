/**
 * Physical ids of `Custom::AtlasPrivateEndpoint`: `{ProjectId}--{EndpointServiceId}--{EndpointId}` (the form
 * MongoDB's own CloudFormation resource uses). The provider is not part of it: it comes with the request's
 * properties (AWS when they do not say).
 */
import { ATLAS_ID_SOURCE, type CloudProvider } from '../../model/provider';

/** An interface endpoint registered with an endpoint service. */
export interface EndpointRef {
  projectId: string;
  serviceId: string;
  provider: CloudProvider;
  /** AWS: the `vpce-…` id. */
  endpointId: string;
}

const PATTERN = new RegExp(`^(${ATLAS_ID_SOURCE})--(${ATLAS_ID_SOURCE})--(.{1,1000})$`);
/**
 * The id goes into Atlas URL paths: AWS's exact form; for the others (Azure resource ids hold slashes,
 * which the client encodes) nothing that is a dot segment or holds one.
 */
const OTHER_ENDPOINT_ID = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[\x21-\x7e]{1,1000}$/;
const ENDPOINT_ID_PATTERNS: Record<CloudProvider, RegExp> = {
  AWS: /^vpce-[0-9a-f]{17}$/,
  AZURE: OTHER_ENDPOINT_ID,
  GCP: OTHER_ENDPOINT_ID,
};

export function formatEndpointPhysicalId(ref: EndpointRef): string {
  return `${ref.projectId}--${ref.serviceId}--${ref.endpointId}`;
}

export function parseEndpointPhysicalId(id: string | undefined, provider: CloudProvider = 'AWS'): EndpointRef | undefined {
  const m = id ? PATTERN.exec(id) : null;
  return m && ENDPOINT_ID_PATTERNS[provider]?.test(m[3]) ? { projectId: m[1], serviceId: m[2], provider, endpointId: m[3] } : undefined;
}

/**
 * The provider a registration's properties name (AWS when they do not say): what tells how to read its physical
 * id. Read leniently, for requests whose other properties may be wrong (a Delete must still find what it made).
 */
export function providerNamed(properties: Record<string, unknown> | undefined): CloudProvider {
  const p = String(properties?.ProviderName ?? 'AWS').toUpperCase();
  return p === 'AZURE' || p === 'GCP' ? p : 'AWS';
}

/** True when `id` is a registration's physical id on any provider (the provider read from elsewhere). */
export function isEndpointPhysicalId(id: string | undefined): boolean {
  return (['AWS', 'AZURE', 'GCP'] as const).some((p) => parseEndpointPhysicalId(id, p) !== undefined);
}
