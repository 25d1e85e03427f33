/**
 * Physical ids of `Custom::AtlasPrivateEndpointService`: `{ProjectId}-{PrivateLinkId}-{ProviderName}-{Region}`,
 * the import id users know from Terraform's `mongodbatlas_privatelink_endpoint`, with the region in Atlas's
 * spelling. Anything that does not parse names nothing of ours: a failed Create's marker or an id
 * CloudFormation made up for a cancelled Create; deleting it is a no-op.
 */
import { ATLAS_ID_SOURCE, CLOUD_PROVIDERS, type CloudProvider } from '../../model/provider';

/** One endpoint service in Atlas. */
export interface ServiceRef {
  projectId: string;
  serviceId: string;
  provider: CloudProvider;
  /** Atlas spelling. */
  region: string;
}

const PATTERN = new RegExp(`^(${ATLAS_ID_SOURCE})-(${ATLAS_ID_SOURCE})-(${CLOUD_PROVIDERS.join('|')})-([A-Za-z0-9_-]+)$`);

export function formatServicePhysicalId(ref: ServiceRef): string {
  return `${ref.projectId}-${ref.serviceId}-${ref.provider}-${ref.region}`;
}

export function parseServicePhysicalId(id: string | undefined): ServiceRef | undefined {
  const m = id ? PATTERN.exec(id) : null;
  return m ? { projectId: m[1], serviceId: m[2], provider: m[3] as CloudProvider, region: m[4] } : undefined;
}
