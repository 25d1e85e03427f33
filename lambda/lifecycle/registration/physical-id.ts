/**
 * Physical ids of `Custom::AtlasPrivateEndpoint`: `{ProjectId}--{EndpointServiceId}--{EndpointId}` (the form
 * MongoDB's own CloudFormation resource uses). The provider is not part of it: it comes with the request's
 * properties (AWS when they do not say).
 */
import type { CloudProvider } from '../../model/provider';

/** An interface endpoint registered with an endpoint service. */
export interface EndpointRef {
  projectId: string;
  serviceId: string;
  provider: CloudProvider;
  /** AWS: the `vpce-…` id. */
  endpointId: string;
}

const PATTERN = /^([a-f0-9]{24})--([a-f0-9]{24})--(.+)$/;

export function formatEndpointPhysicalId(ref: EndpointRef): string {
  return `${ref.projectId}--${ref.serviceId}--${ref.endpointId}`;
}

export function parseEndpointPhysicalId(id: string | undefined, provider: CloudProvider = 'AWS'): EndpointRef | undefined {
  const m = id ? PATTERN.exec(id) : null;
  return m ? { projectId: m[1], serviceId: m[2], provider, endpointId: m[3] } : undefined;
}
