/**
 * The attributes `Fn::GetAtt` reads: flat strings, lists joined with commas, every key present (a missing
 * key fails `Fn::GetAtt`), empty where it does not apply.
 */
import type { EndpointService } from '../../atlas/models';

export const SERVICE_ATTRIBUTE_NAMES = [
  'Id',
  'PrivateLinkId',
  'EndpointServiceName',
  'Status',
  'ErrorMessage',
  'InterfaceEndpoints',
  'PrivateEndpoints',
  'PrivateLinkServiceName',
  'PrivateLinkServiceResourceId',
  'EndpointGroupNames',
  'RegionName',
  'ServiceAttachmentNames',
  'ServiceAttachmentBaseUrl',
  'ProjectId',
  'ProviderName',
] as const;
export type ServiceAttributeName = (typeof SERVICE_ATTRIBUTE_NAMES)[number];
export type ServiceAttributes = Record<ServiceAttributeName, string>;

/** Space the attributes may take in an answer, leaving room for the envelope and a short Reason. */
export const ATTRIBUTES_BUDGET_BYTES = 3200;

export function serviceAttributes(projectId: string, service: EndpointService): ServiceAttributes {
  const list = (v: readonly string[] | undefined) => (v ?? []).join(',');
  const text = (v: string | null | undefined) => v ?? '';
  const attrs: ServiceAttributes = {
    Id: service.id,
    PrivateLinkId: service.id,
    EndpointServiceName: service.cloudProvider === 'AWS' ? text(service.endpointServiceName) : '',
    Status: service.status,
    ErrorMessage: text(service.errorMessage),
    InterfaceEndpoints: service.cloudProvider === 'AWS' ? list(service.interfaceEndpoints) : '',
    PrivateEndpoints: service.cloudProvider === 'AZURE' ? list(service.privateEndpoints) : '',
    PrivateLinkServiceName: service.cloudProvider === 'AZURE' ? text(service.privateLinkServiceName) : '',
    PrivateLinkServiceResourceId: service.cloudProvider === 'AZURE' ? text(service.privateLinkServiceResourceId) : '',
    EndpointGroupNames: service.cloudProvider === 'GCP' ? list(service.endpointGroupNames) : '',
    RegionName: service.regionName,
    ServiceAttachmentNames: service.cloudProvider === 'GCP' ? list(service.serviceAttachmentNames) : '',
    ServiceAttachmentBaseUrl: service.cloudProvider === 'GCP' ? commonBase(service.serviceAttachmentNames ?? []) : '',
    ProjectId: projectId,
    ProviderName: service.cloudProvider,
  };
  return fitAttachments(attrs);
}

/**
 * A GCP service without port mapping has several service attachments, in one of two shapes: recorded live,
 * 6 names `projects/p-…/regions/<region>/serviceAttachments/sa-…` without a scheme; in older documentation,
 * 50 `https://www.googleapis.com/compute/v1/projects/…` URLs, which alone pass the 4096-byte answer limit.
 * Either way they share everything up to the attachment name (`ServiceAttachmentBaseUrl`), so past the
 * budget they are given as names only: prefix + name is each attachment as Atlas gave it.
 */
function fitAttachments(attrs: ServiceAttributes): ServiceAttributes {
  if (Buffer.byteLength(JSON.stringify(attrs)) <= ATTRIBUTES_BUDGET_BYTES || attrs.ServiceAttachmentBaseUrl === '') return attrs;
  return {
    ...attrs,
    ServiceAttachmentNames: attrs.ServiceAttachmentNames.split(',')
      .map((url) => url.slice(attrs.ServiceAttachmentBaseUrl.length))
      .join(','),
  };
}

/** The part every attachment shares (a URL or a resource path), up to and including the last `/`; empty when they differ. */
function commonBase(urls: readonly string[]): string {
  if (urls.length === 0) return '';
  const base = urls[0].slice(0, urls[0].lastIndexOf('/') + 1);
  return urls.every((u) => u.startsWith(base) && !u.slice(base.length).includes('/')) ? base : '';
}
