/** The tasks of `Custom::AtlasPrivateEndpointService`, as the execution state carries them, and their traits. */
import type { TaskCatalogue } from '../core/task';
import { formatServicePhysicalId, type ServiceRef } from './physical-id';

export type ServiceTask =
  /** Create: look for a service already in the region. */
  | { kind: 'inspect'; replacing?: ServiceRef }
  /** Create: the region was free at inspection; POST (again, after a retryable failure). */
  | { kind: 'create'; replacing?: ServiceRef; /** an earlier POST may have been carried out */ uncertain?: boolean }
  /** Wait until the service is ready (after create, adopt or patch). */
  | { kind: 'await-ready'; ref: ServiceRef; origin: 'created' | 'adopted' | 'patched'; remoteRegions?: string[] }
  /** Update in place: PATCH `supportedRemoteRegions`. */
  | { kind: 'patch'; ref: ServiceRef; remoteRegions: string[] }
  /**
   * Update without change in Atlas: read the attributes. `portMappingEnabled` is what the properties ask
   * for when it differs from the old properties; the live service decides whether that is a change.
   */
  | { kind: 'refresh'; ref: ServiceRef; portMappingEnabled?: boolean }
  /** Delete: ask Atlas to delete (again, after a retryable failure). */
  | { kind: 'delete'; ref: ServiceRef }
  /** Delete: wait for 404. */
  | { kind: 'await-gone'; ref: ServiceRef };

export const SERVICE_TASKS: TaskCatalogue<ServiceTask> = {
  inspect: { waiting: false, describe: () => 'checking the region for an existing service' },
  create: { waiting: false, describe: () => 'creating the private endpoint service' },
  'await-ready': {
    waiting: true,
    describe: (t) => `waiting for service ${t.ref.serviceId} to become ready`,
    managedId: (t) => (t.origin !== 'patched' ? formatServicePhysicalId(t.ref) : undefined),
  },
  patch: { waiting: false, describe: (t) => `updating service ${t.ref.serviceId}` },
  refresh: { waiting: false, describe: (t) => `reading service ${t.ref.serviceId}` },
  delete: { waiting: false, describe: (t) => `deleting service ${t.ref.serviceId}` },
  'await-gone': { waiting: true, describe: (t) => `waiting for service ${t.ref.serviceId} to be deleted` },
};
