/** What Atlas's endpoint service statuses mean to the lifecycle: one table, the same for every provider. */
import type { EndpointServiceStatus } from '../../atlas/models';
import type { StatusTable } from '../core/status-table';

export const SERVICE_STATUS: StatusTable<EndpointServiceStatus> = {
  pending: ['INITIATING'],
  /** WAITING_FOR_USER: Atlas has done its part and waits for interface endpoints, which is what depends on it. */
  ready: ['AVAILABLE', 'WAITING_FOR_USER'],
  failed: ['FAILED'],
  deleting: ['DELETING'],
};
