/** The tasks of `Custom::AtlasPrivateEndpoint`, as the execution state carries them, and their traits. */
import type { TaskCatalogue } from '../core/task';
import { connectionWaitDescription } from './connection-strings';
import { type EndpointRef, formatEndpointPhysicalId } from './physical-id';

export type RegistrationTask =
  /**
   * Add the interface endpoint to the service: first look (`checked` once Atlas said it is not registered,
   * so that what is there later can only be this request's), then POST (again, after a retryable failure;
   * `uncertain`: an earlier attempt may have registered it).
   */
  | { kind: 'register'; checked?: boolean; uncertain?: boolean }
  /**
   * Wait until Atlas has settled the connection: of a registration this request made (`registered`), one
   * that was there before and AdoptExisting took over (`adopted`), or, in an Update, the one it holds (`existing`).
   */
  | {
      kind: 'await-connection';
      ref: EndpointRef;
      origin: 'registered' | 'adopted' | 'existing';
      /** Atlas has settled the connection; the wait is on the `ClusterNames` clusters' connection strings. */
      settled?: boolean;
    }
  /** Update without change in Atlas: read it; register again if it vanished. */
  | { kind: 'refresh-endpoint'; ref: EndpointRef }
  /** Delete: ask Atlas to remove it (again, after a retryable failure). */
  | { kind: 'deregister'; ref: EndpointRef }
  /** Delete: wait for 404. */
  | { kind: 'await-removal'; ref: EndpointRef }
  /**
   * Clean-up (`unseen.ts`): remove the registration a register of unknown outcome may have made unseen, if it
   * is there; `emptyLooks`: looks so far that found none.
   */
  | { kind: 'find-registered'; ref: EndpointRef; emptyLooks?: number };

export const REGISTRATION_TASKS: TaskCatalogue<RegistrationTask> = {
  register: {
    waiting: false,
    describe: () => 'registering the interface endpoint',
    // Only a checked register POSTs: an unchecked one that failed only looked, and must look again.
    afterUnclearAttempt: (t) => (t.checked ? { ...t, uncertain: true } : t),
  },
  'await-connection': {
    waiting: true,
    describe: (t) => (t.settled ? connectionWaitDescription(t.ref) : `waiting for Atlas to accept interface endpoint ${t.ref.endpointId}`),
    // Only a registration this request made: one it took over stays when the request fails.
    managedId: (t) => (t.origin === 'registered' ? formatEndpointPhysicalId(t.ref) : undefined),
    keptOnFailure: (t) =>
      t.origin === 'adopted'
        ? {
            physicalResourceId: formatEndpointPhysicalId(t.ref),
            sentence: `The registration of interface endpoint ${t.ref.endpointId} with service ${t.ref.serviceId} stays in Atlas: this request found it registered and took it over, it did not make it, so the rollback leaves it alone.`,
          }
        : undefined,
  },
  'refresh-endpoint': { waiting: false, describe: (t) => `reading interface endpoint ${t.ref.endpointId}` },
  deregister: { waiting: false, deletes: true, describe: (t) => `removing interface endpoint ${t.ref.endpointId}` },
  'await-removal': {
    waiting: true,
    // Atlas has accepted the removal by then: the deadline answers SUCCESS, and Atlas finishes it on its own.
    deletionAccepted: true,
    describe: (t) => `waiting for Atlas to remove interface endpoint ${t.ref.endpointId}`,
  },
  'find-registered': {
    waiting: false,
    describe: (t) => `looking for interface endpoint ${t.ref.endpointId}, which a register of unknown outcome may have made`,
  },
};
