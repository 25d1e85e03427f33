/**
 * The steps of `Custom::AtlasPrivateEndpoint`: register an interface endpoint with a service (once, however
 * often the step runs), wait for Atlas to settle its connection, remove it and wait until it is gone.
 * What follows from what Atlas said is decided in `decisions.ts`.
 */
import { UNSEEN_EMPTY_LOOKS } from '../../model/timing';
import { AtlasApiError, unlessNotFound } from '../../atlas/errors';
import type { InterfaceEndpoint } from '../../atlas/models';
import { type EndpointProperties, parseEndpointProperties } from '../../model/endpoint-properties';
import { OUTCOME, STEP } from '../../model/wait-loop';
import { requestDeletion } from '../core/deletion';
import { isRollingBack } from '../core/standing';
import type { ExecutionState } from '../core/execution-state';
import type { AtlasApi, StepContext, StepPorts } from '../core/ports';
import { credentialsOf, propertiesOf } from '../core/properties';
import { answerIdOnFailure, apply, clockOf, fail, physicalIdFor, retryLater, lookAgainIfUnsure } from '../core/transitions';
import type { Task } from '../tasks';
import {
  gcpEndpointsProblem,
  judgeConnection,
  judgeRemoval,
  ownerOfRegistration,
  registeredAlreadyReason,
  registrationBody,
} from './decisions';
import { type EndpointRef, formatEndpointPhysicalId } from './physical-id';
import { getOrGone } from './unseen';
import { type ClusterLook, clustersProblem, judgeClusters, withConnectionStrings } from './connection-strings';
import { connectionOf } from './status';

/**
 * What the step checks before it registers, or keeps a registration in an Update, read in one round (each call
 * at once, so that a look takes one call's time): the registration, and for the checks the service (a GCP
 * group's rule count; the named clusters' regions) and the named clusters. The clusters are not judged while
 * the stack rolls back: the rollback puts back what the stack held, whatever became of the clusters since.
 * The registration is judged first, whatever the other reads did: `checks()` throws what one of them threw.
 */
async function lookBefore(api: AtlasApi, props: EndpointProperties, ref: EndpointRef, o: { rollingBack: boolean; gcpRules: boolean }) {
  const clusters = props.clusterNames.length > 0 && !o.rollingBack;
  const [endpoint, service, looks] = await Promise.allSettled([
    getOrGone(api, ref),
    // A service Atlas does not show is left to the register's own 404, which says what to check.
    (props.provider === 'GCP' && o.gcpRules) || clusters
      ? unlessNotFound(api.getEndpointService(props.projectId, props.provider, props.endpointServiceId))
      : undefined,
    clusters ? lookAtClusters(api, props.projectId, props.clusterNames) : undefined,
  ]);
  if (endpoint.status === 'rejected') throw endpoint.reason;
  return {
    endpoint: endpoint.value,
    checks() {
      if (service.status === 'rejected') throw service.reason;
      if (looks.status === 'rejected') throw looks.reason;
      return {
        service: service.value,
        clustersProblem: looks.value ? clustersProblem(looks.value, ref, service.value?.regionName) : undefined,
      };
    },
  };
}

function propsOf(state: ExecutionState): EndpointProperties {
  return propertiesOf(state, parseEndpointProperties);
}

export async function actOnEndpoint(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { step: STEP.act, task: state.task.kind };
  const task = state.task;
  switch (task.kind) {
    case 'register': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      const ref: EndpointRef = {
        projectId: props.projectId,
        serviceId: props.endpointServiceId,
        provider: props.provider,
        endpointId: props.endpointId,
      };
      if (!task.checked && !task.uncertain) {
        // Look before registering: a registration there now is someone else's (or one to take over), and once
        // the state says none was, one found after an attempt whose outcome is unknown is this request's.
        const rollingBack = isRollingBack(state);
        const look = await lookBefore(api, props, ref, { rollingBack, gcpRules: true });
        const existing = look.endpoint;
        if (existing) {
          const owner = ownerOfRegistration(false, props.adoptExisting, rollingBack);
          ports.logger.warn('The interface endpoint is registered with this service already', {
            ...log,
            endpointId: ref.endpointId,
            owner,
          });
          // Someone else's, whatever the other reads said.
          if (owner === 'refuse') return fail(state, registeredAlreadyReason(ref, existing), ports, log);
        }
        const { service, clustersProblem: unusable } = look.checks();
        // A cluster that cannot publish a string would fail the request after the registration: say so before.
        if (unusable) return fail(state, `${unusable} Nothing was registered.`, ports, log);
        if (!existing) {
          const misfit = service ? gcpEndpointsProblem(props, service) : undefined;
          if (misfit) return fail(state, misfit, ports, log);
          return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, { ...task, checked: true });
        }
        return awaitConnection(
          { state, ports, log },
          { ref, origin: 'adopted', endpoint: existing, enforce: props.enforceConnectionSuccess },
        );
      }
      let endpoint: InterfaceEndpoint;
      try {
        endpoint = await api.createInterfaceEndpoint(ref.projectId, ref.serviceId, registrationBody(ref.endpointId, props.details));
      } catch (err) {
        if (!(err instanceof AtlasApiError)) throw err;
        // An earlier attempt of this request may have registered it: a POST without a clear answer, a step
        // that failed after acting (counted by the state machine), or a Lambda-level retry of this step.
        const mayBeOurs = task.uncertain === true || err.maybeProcessed || state.stepFailures.count > 0 || state.invocationRetried === true;
        const carryOn: Task = mayBeOurs ? { ...task, uncertain: true } : task;
        if (err.isConflict) {
          let existing: InterfaceEndpoint | undefined;
          try {
            existing = await getOrGone(api, ref);
          } catch (readErr) {
            // The look after the 409 must wait: what the POST may have done stays in the task.
            if (readErr instanceof AtlasApiError && readErr.retryable) return retryLater(state, readErr, ports, log, carryOn);
            throw readErr;
          }
          if (existing) {
            // Registered already: by an earlier attempt of this request, or before it (taken over only when asked).
            const owner = ownerOfRegistration(mayBeOurs, props.adoptExisting, isRollingBack(state));
            ports.logger.warn('Register answered 409: the interface endpoint is registered with this service already', {
              ...log,
              endpointId: ref.endpointId,
              owner,
            });
            if (owner === 'refuse') return fail(state, registeredAlreadyReason(ref, existing), ports, log);
            return awaitConnection(
              { state, ports, log },
              { ref, origin: owner === 'ours' ? 'registered' : 'adopted', endpoint: existing, enforce: props.enforceConnectionSuccess },
            );
          }
          return fail(
            state,
            `Atlas refused to register interface endpoint ${ref.endpointId} with private endpoint service ${ref.serviceId}: ${err.message}`,
            ports,
            log,
          );
        }
        if (err.isNotFound) {
          return fail(
            state,
            `Atlas project ${ref.projectId} has no ${ref.provider} private endpoint service ${ref.serviceId} (404). Check EndpointServiceId: it is the service resource's PrivateLinkId attribute.`,
            ports,
            log,
          );
        }
        // Remember that this POST may have been carried out, so a later 409 is recognised as our own.
        if (err.retryable) return retryLater(state, err, ports, log, carryOn);
        return fail(state, `Atlas refused to register interface endpoint ${ref.endpointId}: ${err.message}`, ports, log);
      }
      ports.logger.info('Registered the interface endpoint', { ...log, endpointId: ref.endpointId, serviceId: ref.serviceId });
      // Outside the try: a failed look at a cluster is no failed register.
      return awaitConnection({ state, ports, log }, { ref, origin: 'registered', endpoint, enforce: props.enforceConnectionSuccess });
    }
    case 'refresh-endpoint': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      const rollingBack = isRollingBack(state);
      const look = await lookBefore(api, props, task.ref, { rollingBack, gcpRules: false });
      const endpoint = look.endpoint;
      // Gone: registered anew, with the register's own checks.
      if (endpoint) {
        const { clustersProblem: unusable } = look.checks();
        if (unusable) return fail(state, `${unusable} The registration stays as it was.`, ports, log);
      }
      if (!endpoint) {
        ports.logger.warn('The registration is gone from Atlas (removed out of band); registering it again', {
          ...log,
          endpointId: task.ref.endpointId,
        });
        return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, { kind: 'register' });
      }
      return awaitConnection(
        { state, ports, log },
        { ref: task.ref, origin: 'existing', endpoint, enforce: props.enforceConnectionSuccess },
      );
    }
    case 'find-registered': {
      const api = await ports.atlasFor(credentialsOf(state));
      if (!(await getOrGone(api, task.ref))) {
        const again = lookAgainIfUnsure(state, ports, log, task);
        if (again) return again;
        ports.logger.info('The register of unknown outcome registered nothing', { ...log, looks: UNSEEN_EMPTY_LOOKS });
        return apply(
          state,
          { outcome: OUTCOME.ready, answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state) } },
          ports,
          log,
        );
      }
      ports.logger.warn('The register of unknown outcome registered the interface endpoint; removing it', {
        ...log,
        endpointId: task.ref.endpointId,
      });
      return apply(state, { outcome: OUTCOME.wait, waitSeconds: 0 }, ports, log, { kind: 'deregister', ref: task.ref });
    }
    case 'deregister': {
      const api = await ports.atlasFor(credentialsOf(state));
      const { ref } = task;
      return requestDeletion({
        state,
        ports,
        log: { ...log, endpointId: ref.endpointId },
        del: () => api.deleteInterfaceEndpoint(ref.projectId, ref.provider, ref.serviceId, ref.endpointId),
        refusal: (err) => `Atlas refused to remove interface endpoint ${ref.endpointId}: ${err.message}`,
        then: { kind: 'await-removal', ref },
        alreadyGoing: async () => (await getOrGone(api, ref))?.deleteRequested === true,
      });
    }
    case 'await-connection':
    case 'await-removal':
      return pollEndpoint(state, ports);
    default:
      throw new Error(`not a registration task: ${task.kind}`);
  }
}

export async function pollEndpoint(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { step: STEP.poll, task: state.task.kind };
  const task = state.task;
  if (task.kind === 'await-connection') {
    const props = propsOf(state);
    const api = await ports.atlasFor(props.credentials);
    // Once the registration is settled, each look reads it and the named clusters at once: one call's time.
    const clusters = task.settled === true && props.clusterNames.length > 0;
    // A rollback answers what the clusters publish now, and a cluster it cannot read publishes nothing.
    const tolerant = isRollingBack(state);
    const [endpoint, looks] = await Promise.all([
      getOrGone(api, task.ref),
      clusters ? lookAtClusters(api, props.projectId, props.clusterNames, tolerant) : undefined,
    ]);
    return awaitConnection(
      { state, ports, log },
      { ref: task.ref, origin: task.origin, endpoint, enforce: props.enforceConnectionSuccess },
      looks,
    );
  }
  if (task.kind === 'await-removal') {
    const api = await ports.atlasFor(credentialsOf(state));
    return apply(state, judgeRemoval(await getOrGone(api, task.ref), physicalIdFor(state), clockOf(state, ports)), ports, log);
  }
  return actOnEndpoint(state, ports);
}

/**
 * Judges a registration the step has just seen (or found gone) while waiting for Atlas to settle it, and
 * once it is settled, the named clusters' connection strings through it (`connection-strings.ts`), read with
 * it in the next look (`looks`).
 */
function awaitConnection(
  { state, ports, log }: StepContext,
  {
    ref,
    origin,
    endpoint,
    enforce,
  }: { ref: EndpointRef; origin: 'registered' | 'adopted' | 'existing'; endpoint: InterfaceEndpoint | undefined; enforce: boolean },
  looks?: readonly ClusterLook[],
): ExecutionState {
  const task: Task = { kind: 'await-connection', ref, origin };
  // An Update that keeps the registration answers the id it received, a new or taken-over registration its
  // own id; a failure only what this request made.
  const ids = {
    ready: origin === 'existing' ? physicalIdFor(state) : formatEndpointPhysicalId(ref),
    failed: answerIdOnFailure({ ...state, task }),
  };
  const clock = clockOf(state, ports);
  const registration = judgeConnection(endpoint, ref, ids, clock, enforce);
  const names = propsOf(state).clusterNames;
  if (!endpoint || names.length === 0 || registration.outcome !== OUTCOME.ready)
    return apply({ ...state, task }, registration, ports, log, task);
  const connection = connectionOf(endpoint);
  const settled: Task = { ...task, settled: true };
  if (!looks && connection.state === 'ready') {
    // Settled: the clusters are read in the next look, with the registration.
    return apply(
      { ...state, task: settled },
      { outcome: OUTCOME.wait, waitSeconds: 0, lastStatus: connection.status },
      ports,
      log,
      settled,
    );
  }
  const rollingBack = isRollingBack(state);
  const judgement = looks ? judgeClusters(looks, ref) : undefined;
  if (rollingBack && judgement && judgement.state !== 'ready') {
    ports.logger.warn('The stack rolls back: answering the connection strings the clusters publish now, without waiting', {
      ...log,
      clusters: judgement.state === 'failed' ? judgement.reason : judgement.status,
    });
  }
  const verdict = withConnectionStrings(
    registration,
    connection,
    { names, judgement },
    { ref, ids, clock, request: state.request, rollingBack },
  );
  return apply({ ...state, task: settled }, verdict, ports, log, settled);
}

/**
 * One look at each named cluster, all at once; a name Atlas does not know (404) is a look too, and with
 * `tolerant` (a rollback) so is any other error.
 */
async function lookAtClusters(api: AtlasApi, projectId: string, names: readonly string[], tolerant = false): Promise<ClusterLook[]> {
  return Promise.all(
    names.map(async (name): Promise<ClusterLook> => {
      try {
        const cluster = await unlessNotFound(api.getCluster(projectId, name));
        return cluster ? { name, cluster } : { name, missing: true };
      } catch (err) {
        if (tolerant && err instanceof AtlasApiError) return { name, unread: err.message.slice(0, 80) };
        throw err;
      }
    }),
  );
}
