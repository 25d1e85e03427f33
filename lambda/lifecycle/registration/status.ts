/**
 * What Atlas's statuses of a registered interface endpoint mean to the lifecycle, per provider: AWS reports
 * `connectionStatus`, Azure and GCP `status`, each with its own words.
 */
import type { AwsConnectionStatus, AzureEndpointStatus, GcpEndpointStatus, InterfaceEndpoint } from '../../atlas/models';
import type { CloudProvider } from '../../model/provider';
import { classify, type StatusClass, type StatusTable } from '../core/status-table';

export const REGISTRATION_STATUS: {
  readonly [P in CloudProvider]: StatusTable<
    P extends 'AWS' ? AwsConnectionStatus : P extends 'AZURE' ? AzureEndpointStatus : GcpEndpointStatus
  >;
} = {
  AWS: { pending: ['PENDING_ACCEPTANCE', 'PENDING'], ready: ['AVAILABLE'], failed: ['REJECTED'], deleting: ['DELETING'] },
  AZURE: { pending: ['INITIATING'], ready: ['AVAILABLE'], failed: ['FAILED'], deleting: ['DELETING'] },
  GCP: { pending: ['INITIATING', 'VERIFIED'], ready: ['AVAILABLE'], failed: ['FAILED'], deleting: ['DELETING'] },
};

/** Where a registration stands, whatever the provider calls it. */
export interface Connection {
  state: StatusClass;
  /** Atlas's own word: AWS connectionStatus, Azure/GCP status. */
  status: string;
  errorMessage: string;
}

export function connectionOf(endpoint: InterfaceEndpoint): Connection {
  const status = endpoint.cloudProvider === 'AWS' ? endpoint.connectionStatus : endpoint.status;
  const errorMessage = endpoint.errorMessage ?? '';
  // Atlas may flag a registration for deletion before its status says so.
  if (endpoint.deleteRequested) return { state: 'deleting', status, errorMessage };
  return { state: classify(REGISTRATION_STATUS[endpoint.cloudProvider], status), status, errorMessage };
}
