/**
 * The steps of `Custom::AtlasPrivateEndpointService`: create (after looking at the region), patch, read,
 * delete, and the polls that wait for Atlas. What follows from what Atlas said is decided in
 * `decisions.ts`.
 */
import { UNSEEN_EMPTY_LOOKS } from '../../model/timing';
import { AtlasApiError, unlessNotFound } from '../../atlas/errors';
import type { EndpointService } from '../../atlas/models';
import type { LogFields } from '../../logging';
import { parseServiceProperties, type ServiceProperties } from '../../model/service-properties';
import { OUTCOME, STEP } from '../../model/wait-loop';
import { requestDeletion } from '../core/deletion';
import type { ExecutionState } from '../core/execution-state';
import type { AtlasApi, StepContext, StepPorts } from '../core/ports';
import { credentialsOf, propertiesOf } from '../core/properties';
import { answerIdOnFailure, apply, clockOf, fail, physicalIdFor, retryLater, lookAgainIfUnsure } from '../core/transitions';
import { othersDeletionWaitSeconds, waitOrDeadline, waitWithin } from '../core/wait';
import { findRegion } from '../../model/regions';
import { describeTask, type Task } from '../tasks';
import { serviceAttributes } from './attributes';
import {
  conflictReason,
  inspect,
  isDeleting,
  judgeGone,
  judgeReadiness,
  mayRestore,
  onlyRemovalsInTheWay,
  ownerOfConflict,
  portMappingChangeReason,
  refOf,
  registrationIdsOf,
} from './decisions';
import { getOrGone as getRegistrationOrGone } from '../registration/unseen';
import { formatServicePhysicalId, replacedIdFor, type ServiceRef } from './physical-id';
import { createdSince, findCreatedSince } from './unseen';

function propsOf(state: ExecutionState): ServiceProperties {
  return propertiesOf(state, parseServiceProperties);
}

/** Act on a service task (act state). */
export async function actOnService(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { step: STEP.act, task: state.task.kind };
  const task = state.task;
  switch (task.kind) {
    case 'inspect': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      const found = inspect(await api.listEndpointServices(props.projectId, props.provider), props);
      switch (found.action) {
        case 'create':
          return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, {
            kind: 'create',
            ...(task.maybeProcessed ? { maybeProcessed: true } : {}),
            ...(task.unseenConflicts ? { unseenConflicts: task.unseenConflicts } : {}),
          });
        case 'wait-for-deletion':
          ports.logger.info('A service in this region is being deleted; waiting for it to go', { ...log, serviceId: found.service.id });
          // Each look counts as a poll, so the waits grow (5 s, 8 s, ... 60 s) instead of polling at the readiness
          // interval for an hour; the wait stops at the deadline instead of polling past it.
          return apply(
            { ...state, polls: state.polls + 1 },
            waitWithin(clockOf(state, ports), othersDeletionWaitSeconds(state.polls), {
              physicalResourceId: answerIdOnFailure(state),
              activity: describeTask(task),
              lastStatus: found.service.status,
            }),
            ports,
            log,
          );
        case 'adopt':
          ports.logger.warn('Adopting the existing service (AdoptExisting)', { ...log, serviceId: found.service.id });
          return awaitReady(
            { state, ports, log },
            { ref: refOf(props.projectId, found.service), origin: 'adopted', service: found.service },
          );
        case 'conflict':
          return fail(state, conflictReason(props.projectId, found.service), ports, log);
      }
      break;
    }
    case 'create': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      try {
        const service = await api.createEndpointService(props.projectId, {
          providerName: props.provider,
          region: props.region.atlasName ?? props.region.input,
          ...(props.portMappingEnabled !== undefined ? { portMappingEnabled: props.portMappingEnabled } : {}),
          ...(props.supportedRemoteRegions?.length ? { supportedRemoteRegions: [...props.supportedRemoteRegions] } : {}),
        });
        ports.logger.info('Created the private endpoint service', { ...log, serviceId: service.id, status: service.status });
        return awaitReady({ state, ports, log }, { ref: refOf(props.projectId, service), origin: 'created', service });
      } catch (err) {
        if (!(err instanceof AtlasApiError)) throw err;
        // An earlier attempt of this request may have created the service: a POST without a clear answer, a
        // step that failed after acting (counted by the state machine), or a Lambda-level retry of this step.
        const mayBeOurs =
          task.maybeProcessed === true || err.maybeProcessed || state.stepFailures.count > 0 || state.invocationRetried === true;
        if (err.existingService) {
          let services: EndpointService[];
          try {
            services = await api.listEndpointServices(props.projectId, props.provider);
          } catch (listErr) {
            // The 409 may name our own service (the client's own retry of a POST Atlas had carried out):
            // that knowledge must survive the wait, which resets the failure count.
            if (mayBeOurs && listErr instanceof AtlasApiError && listErr.retryable)
              return retryLater(state, listErr, ports, log, { ...task, maybeProcessed: true });
            throw listErr;
          }
          const existing = services.find((s) => sameRegion(props.provider, s.regionName, err.existingService!.region));
          if (!existing) return conflictNotListed(state, task, mayBeOurs, ports, log);
          // A service made before CloudFormation sent this request cannot be this request's.
          const owner = ownerOfConflict(mayBeOurs && createdSince(existing, state.receivedAt), props.adoptExisting);
          ports.logger.warn('Create answered 409: the region has a service', { ...log, serviceId: existing.id, owner });
          if (owner === 'conflict') {
            return fail(state, conflictReason(props.projectId, existing), ports, log);
          }
          return awaitReady(
            { state, ports, log },
            { ref: refOf(props.projectId, existing), origin: owner === 'ours' ? 'created' : 'adopted', service: existing },
          );
        }
        if (err.retryable) {
          // Remember that this POST may have been carried out, so a later 409 is recognised as our own.
          return retryLater(state, err, ports, log, { ...task, maybeProcessed: mayBeOurs });
        }
        return fail(
          state,
          `Atlas refused to create the ${props.provider} private endpoint service in ${props.region.input}: ${err.message}`,
          ports,
          log,
        );
      }
    }
    case 'patch': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      try {
        const service = await api.updateEndpointService(task.ref.projectId, task.ref.serviceId, {
          cloudProvider: task.ref.provider,
          supportedRemoteRegions: task.remoteRegions,
        });
        ports.logger.info('Updated supportedRemoteRegions', { ...log, serviceId: service.id, remoteRegions: task.remoteRegions });
        return awaitReady({ state, ports, log }, { ref: task.ref, origin: 'patched', service, remoteRegions: task.remoteRegions });
      } catch (err) {
        if (err instanceof AtlasApiError && err.isNotFound) return vanished(state, task.ref, ports, log);
        throw err;
      }
    }
    case 'refresh': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      const service = await getOrGone(api, task.ref);
      if (!service) return vanished(state, task.ref, ports, log);
      if (
        task.portMappingEnabled !== undefined &&
        service.cloudProvider === 'GCP' &&
        (service.portMappingEnabled ?? false) !== task.portMappingEnabled
      ) {
        return fail(state, portMappingChangeReason(task.ref.region), ports, log);
      }
      return apply(
        state,
        {
          outcome: OUTCOME.ready,
          answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state), data: serviceAttributes(task.ref.projectId, service) },
        },
        ports,
        log,
      );
    }
    case 'restore': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      const service = await getOrGone(api, task.ref);
      if (!service || !mayRestore(service, task.ref, props)) {
        ports.logger.info('The service the stack had before the replacement is not there as it was; replacing as usual', {
          ...log,
          serviceId: task.ref.serviceId,
          ...(service ? { status: service.status } : {}),
        });
        return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, { kind: 'inspect' });
      }
      // The rollback of a replacement: the stack's earlier service is still there, so the stack gets it back as it
      // was; the replacement stays for CloudFormation's cleanup Delete of its id.
      ports.logger.info('Taking back the service the stack had before the replacement', { ...log, serviceId: service.id });
      return apply(
        state,
        {
          outcome: OUTCOME.ready,
          answer: { status: 'SUCCESS', physicalResourceId: task.physicalResourceId, data: serviceAttributes(task.ref.projectId, service) },
        },
        ports,
        log,
      );
    }
    case 'delete': {
      const api = await ports.atlasFor(credentialsOf(state));
      const { ref } = task;
      return requestDeletion({
        state,
        ports,
        log: { ...log, serviceId: ref.serviceId },
        del: () => api.deleteEndpointService(ref.projectId, ref.provider, ref.serviceId),
        refusal: (err) =>
          `Atlas refused to delete the ${ref.provider} private endpoint service ${ref.serviceId}` +
          (err.isConflict || err.isBadRequest ? ' (interface endpoints still registered with it must be removed first)' : '') +
          `: ${err.message}`,
        then: { kind: 'await-gone', ref },
        alreadyGoing: async () => isDeleting(await getOrGone(api, ref)),
        // A stack deletes the registrations first; their Deletes succeed once Atlas accepted the removal.
        refusedUntilRemovalsEnd: async () => {
          const ids = registrationIdsOf(await getOrGone(api, ref));
          if (ids.length === 0) return false;
          const registrations = await Promise.all(
            ids.map((endpointId) =>
              getRegistrationOrGone(api, { projectId: ref.projectId, serviceId: ref.serviceId, provider: ref.provider, endpointId }),
            ),
          );
          return onlyRemovalsInTheWay(registrations);
        },
      });
    }
    case 'find-created': {
      const api = await ports.atlasFor(credentialsOf(state));
      const found = await findCreatedSince(api, task);
      if (!found) {
        const again = lookAgainIfUnsure(state, ports, log, task);
        if (again) return again;
        ports.logger.info('The create of unknown outcome made no service', { ...log, looks: UNSEEN_EMPTY_LOOKS });
        return apply(
          state,
          { outcome: OUTCOME.ready, answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state) } },
          ports,
          log,
        );
      }
      ports.logger.warn('The create of unknown outcome made a service; deleting it', { ...log, serviceId: found.id });
      return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, { kind: 'delete', ref: refOf(task.projectId, found) });
    }
    case 'await-ready':
    case 'await-gone':
      return pollService(state, ports);
    default:
      throw new Error(`not a service task: ${task.kind}`);
  }
}

/** Poll a service task (poll state). */
export async function pollService(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { step: STEP.poll, task: state.task.kind };
  const task = state.task;
  if (task.kind === 'await-ready') {
    const api = await ports.atlasFor(propsOf(state).credentials);
    return awaitReady(
      { state, ports, log },
      { ref: task.ref, origin: task.origin, service: await getOrGone(api, task.ref), remoteRegions: task.remoteRegions },
    );
  }
  if (task.kind === 'await-gone') {
    const api = await ports.atlasFor(credentialsOf(state));
    const service = await getOrGone(api, task.ref);
    return apply(state, judgeGone(service, physicalIdFor(state), clockOf(state, ports)), ports, log);
  }
  return actOnService(state, ports);
}

/** Judges a service the step has just seen (or found gone) while waiting for it to be ready. */
function awaitReady(
  { state, ports, log }: StepContext,
  {
    ref,
    origin,
    service,
    remoteRegions,
  }: { ref: ServiceRef; origin: 'created' | 'adopted' | 'patched'; service: EndpointService | undefined; remoteRegions?: string[] },
): ExecutionState {
  const replaces = origin === 'patched' ? undefined : replacedIdFor(state.request, ref);
  const task: Task = { kind: 'await-ready', ref, origin, ...(remoteRegions ? { remoteRegions } : {}), ...(replaces ? { replaces } : {}) };
  // Success answers the service (an Update in place: the id it received); a failure only what this request made.
  const ids = {
    ready: origin === 'patched' ? physicalIdFor(state) : formatServicePhysicalId(ref, replaces),
    failed: answerIdOnFailure({ ...state, task }),
  };
  const verdict = judgeReadiness(service, ref, ids, clockOf(state, ports), remoteRegions);
  if (verdict.outcome === OUTCOME.ready) ports.logger.info('Service is ready', { ...log, serviceId: ref.serviceId });
  return apply({ ...state, task }, verdict, ports, log, task);
}

function vanished(state: ExecutionState, ref: ServiceRef, ports: StepPorts, log: LogFields): ExecutionState {
  ports.logger.warn('The service is gone from Atlas (deleted out of band); creating it again under a new physical id', {
    ...log,
    serviceId: ref.serviceId,
  });
  return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, { kind: 'inspect' });
}

/** Most 409s whose service the region's list does not show before the request gives up on the region. */
export const MAX_UNSEEN_CONFLICTS = 5;

/**
 * Atlas answered 409 for a region whose list shows no service (a list that lags behind, or a region Atlas
 * spells another way): look again after the poll schedule's wait, a bounded number of times.
 */
function conflictNotListed(
  state: ExecutionState,
  task: Extract<Task, { kind: 'create' }>,
  mayBeOurs: boolean,
  ports: StepPorts,
  log: LogFields,
): ExecutionState {
  const unseenConflicts = (task.unseenConflicts ?? 0) + 1;
  ports.logger.warn("Create answered 409 but the region's list shows no service; looking again", { ...log, unseenConflicts });
  if (unseenConflicts >= MAX_UNSEEN_CONFLICTS) {
    return fail(
      state,
      `Atlas answered 409 (a service already exists) to ${unseenConflicts} creates in this region, but its list of the project's services never showed one there. Check the project's private endpoints in the Atlas UI, then deploy again.`,
      ports,
      log,
    );
  }
  const next: Task = { kind: 'inspect', ...(mayBeOurs ? { maybeProcessed: true } : {}), unseenConflicts };
  return apply(
    { ...state, polls: state.polls + 1 },
    waitOrDeadline(clockOf(state, ports), state.lastStatus, answerIdOnFailure(state), describeTask(task)),
    ports,
    log,
    next,
  );
}

/** Both spellings of a region name the same Atlas region. */
function sameRegion(provider: ServiceRef['provider'], atlasName: string, other: string): boolean {
  return atlasName === other || findRegion(provider, other)?.atlasName === atlasName;
}

function getOrGone(api: AtlasApi, ref: ServiceRef): Promise<EndpointService | undefined> {
  return unlessNotFound(api.getEndpointService(ref.projectId, ref.provider, ref.serviceId));
}
