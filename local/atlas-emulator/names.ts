/**
 * The names a cloud gives the endpoint service Atlas builds for it, in the shapes live Atlas answers
 * (and the specification's patterns demand). Made once, when the service is created, so that every read
 * shows the same names once the service is ready.
 */
import type { Region } from '../../lambda/model/regions';
import { randomHex, randomLowerAlnum, randomUUID } from './ids';

export interface ProviderNames {
  /** AWS: `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`. */
  endpointServiceName?: string;
  /** AZURE: `pls_<24 hex>`. */
  privateLinkServiceName?: string;
  /** AZURE: the Private Link Service's resource path. */
  privateLinkServiceResourceId?: string;
  /** GCP: one service attachment per Atlas node (6 recorded), or one when port mapping is on. */
  serviceAttachmentNames?: string[];
}

export function makeProviderNames(
  serviceId: string,
  region: Region,
  options: { projectId: string; portMappingEnabled: boolean; gcpServiceAttachmentCount: number; gcpAttachmentUrls: boolean },
): ProviderNames {
  switch (region.provider) {
    case 'AWS':
      return { endpointServiceName: `com.amazonaws.vpce.${region.cloudName}.vpce-svc-${randomHex(17)}` };
    case 'AZURE': {
      const pls = `pls_${randomHex(24)}`;
      return {
        privateLinkServiceName: pls,
        privateLinkServiceResourceId: `/subscriptions/${randomUUID()}/resourceGroups/rg_${serviceId}_${randomHex(8)}/providers/Microsoft.Network/privateLinkServices/${pls}`,
      };
    }
    case 'GCP': {
      const project = `p-${randomLowerAlnum(24)}`;
      const count = options.portMappingEnabled ? 1 : options.gcpServiceAttachmentCount;
      // Recorded live: `projects/p-…/regions/us-east4/serviceAttachments/sa-us-east4-<groupId>-<n>`, no scheme;
      // the older documented form is a full compute API URL.
      const prefix = options.gcpAttachmentUrls ? 'https://www.googleapis.com/compute/v1/' : '';
      return {
        serviceAttachmentNames: Array.from(
          { length: count },
          (_, n) =>
            `${prefix}projects/${project}/regions/${region.cloudName}/serviceAttachments/sa-${region.cloudName}-${options.projectId}-${n}`,
        ),
      };
    }
  }
}
