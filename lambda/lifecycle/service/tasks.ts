/** The tasks of `Custom::AtlasPrivateEndpointService`, as the execution state carries them, and their traits. */
import type { CloudProvider } from '../../model/provider';
import type { TaskCatalogue } from '../core/task';
import { formatServicePhysicalId, type ServiceRef } from './physical-id';

export type ServiceTask =
  /**
   * Create: look for a service already in the region. `maybeProcessed`: an earlier POST of this request may
   * have been carried out by Atlas; `unseenConflicts`: how often Atlas answered 409 for a region its list showed free.
   */
  | { kind: 'inspect'; maybeProcessed?: boolean; unseenConflicts?: number }
  /** Create: the region was free at inspection; POST (again, after a retryable failure). */
  | { kind: 'create'; /** an earlier POST may have been carried out by Atlas */ maybeProcessed?: boolean; unseenConflicts?: number }
  /**
   * Wait until the service is ready (after create, adopt or patch). `replaces`: the physical id of the service
   * a replacing Update replaces, recorded in the new service's id.
   */
  | { kind: 'await-ready'; ref: ServiceRef; origin: 'created' | 'adopted' | 'patched'; remoteRegions?: string[]; replaces?: string }
  /**
   * An Update back to the service the request's physical id records as replaced (a rollback of the
   * replacement): answer that service's id if it is still there, else create as for any replacement.
   */
  | { kind: 'restore'; ref: ServiceRef; physicalResourceId: string }
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
  | { kind: 'await-gone'; ref: ServiceRef }
  /**
   * Clean-up (`unseen.ts`): find the service a create of unknown outcome may have created unseen, and delete
   * it; `emptyLooks`: looks so far that found none (Atlas's list may lag).
   */
  | {
      kind: 'find-created';
      projectId: string;
      provider: CloudProvider;
      region: string;
      since: number;
      until?: number;
      emptyLooks?: number;
    };

export const SERVICE_TASKS: TaskCatalogue<ServiceTask> = {
  inspect: { waiting: false, describe: () => 'checking the region for an existing service' },
  create: {
    waiting: false,
    describe: () => 'creating the private endpoint service',
    afterUnclearAttempt: (t) => ({ ...t, maybeProcessed: true }),
  },
  'await-ready': {
    waiting: true,
    describe: (t) => `waiting for service ${t.ref.serviceId} to become ready`,
    // Only what this request created: an adopted service stays when the request fails (adopted is not created).
    managedId: (t) => (t.origin === 'created' ? formatServicePhysicalId(t.ref, t.replaces) : undefined),
    keptOnFailure: (t) =>
      t.origin === 'adopted'
        ? {
            physicalResourceId: formatServicePhysicalId(t.ref),
            sentence: `The adopted service ${t.ref.serviceId} stays in Atlas: this stack did not create it (AdoptExisting took it over), so the rollback leaves it alone.`,
          }
        : undefined,
  },
  restore: { waiting: false, describe: (t) => `looking for service ${t.ref.serviceId}, which the stack had before the replacement` },
  patch: { waiting: false, describe: (t) => `updating service ${t.ref.serviceId}` },
  refresh: { waiting: false, describe: (t) => `reading service ${t.ref.serviceId}` },
  delete: { waiting: false, deletes: true, describe: (t) => `deleting service ${t.ref.serviceId}` },
  'await-gone': {
    waiting: true,
    // Atlas has accepted the delete by then: the deadline answers SUCCESS, and Atlas finishes the deletion on its own.
    deletionAccepted: true,
    describe: (t) => `waiting for service ${t.ref.serviceId} to be deleted (Atlas accepted the delete and finishes it on its own)`,
  },
  'find-created': {
    waiting: false,
    describe: (t) => `looking for a ${t.provider} private endpoint service in ${t.region} that a create of unknown outcome may have made`,
  },
};
