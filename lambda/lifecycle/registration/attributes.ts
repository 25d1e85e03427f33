/**
 * The attributes of `Custom::AtlasPrivateEndpoint` that `Fn::GetAtt` reads: flat strings, every key present
 * (empty where the provider has no such value).
 */
import type { InterfaceEndpoint } from '../../atlas/models';
import type { EndpointRef } from './physical-id';
import { connectionOf } from './status';

export const ENDPOINT_ATTRIBUTE_NAMES = [
  'InterfaceEndpointId',
  'ConnectionStatus',
  'DeleteRequested',
  'ErrorMessage',
  'EndpointServiceId',
  'ProjectId',
  'ProviderName',
  'PrivateEndpointConnectionName',
  'PrivateEndpointIpAddress',
  'GcpProjectId',
  'EndpointGroupName',
] as const;
export type EndpointAttributes = Record<(typeof ENDPOINT_ATTRIBUTE_NAMES)[number], string>;

export function endpointAttributes(ref: EndpointRef, endpoint: InterfaceEndpoint): EndpointAttributes {
  const c = connectionOf(endpoint);
  return {
    InterfaceEndpointId: endpoint.cloudProvider === 'AWS' ? endpoint.interfaceEndpointId : ref.endpointId,
    ConnectionStatus: c.status,
    DeleteRequested: String(endpoint.deleteRequested === true),
    ErrorMessage: c.errorMessage,
    EndpointServiceId: ref.serviceId,
    ProjectId: ref.projectId,
    ProviderName: ref.provider,
    PrivateEndpointConnectionName: (endpoint.cloudProvider === 'AZURE' && endpoint.privateEndpointConnectionName) || '',
    PrivateEndpointIpAddress: (endpoint.cloudProvider === 'AZURE' && endpoint.privateEndpointIPAddress) || '',
    GcpProjectId: (endpoint.cloudProvider === 'GCP' && endpoint.gcpProjectId) || '',
    EndpointGroupName: (endpoint.cloudProvider === 'GCP' && endpoint.endpointGroupName) || '',
  };
}
