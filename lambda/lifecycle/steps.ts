/**
 * The Lambda steps of the wait loop: `act` (change something in Atlas), `poll` (look at it), `give-up`
 * (after a step kept failing) and `answer` (tell CloudFormation). Each takes the execution state and
 * returns the next one; what follows from what Atlas said is decided in `decisions.ts`.
 */
import { AtlasApiError } from '../atlas/errors';
import type { EndpointService } from '../atlas/models';
import { renderAnswer } from '../cloudformation/answer';
import { requestLogKeys } from '../cloudformation/request';
import { CredentialsError } from '../credentials/secret-format';
import type { LogFields, LoggerLike } from '../logging';
import { parseServiceProperties, type ServiceProperties } from '../model/service-properties';
import type { EndpointServiceApi } from './atlas-access';
import { serviceAttributes } from './attributes';
import {
  atlasFailureReason,
  conflictReason,
  describeTask,
  giveUpAnswer,
  inspect,
  judgeGone,
  judgeReadiness,
  ownerOfConflict,
  physicalIdFor,
  pollWaitSeconds,
  portMappingChangeReason,
  refOf,
  type Verdict,
} from './decisions';
import { type ExecutionState, NO_STEP_FAILURES, type Task } from './execution-state';
import { formatServicePhysicalId, type ServiceRef } from './physical-id';

export interface StepPorts {
  now(): number;
  logger: LoggerLike;
  atlasFor(source: ServiceProperties['credentials']): Promise<EndpointServiceApi>;
  deliver(responseUrl: string, body: string): Promise<unknown>;
}

export type StepName = 'act' | 'poll' | 'give-up' | 'answer';

export async function runStep(step: StepName, state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { ...requestLogKeys(state.request), step, task: state.task.kind };
  // A step re-run on a state that already holds its answer (a retried step) changes nothing.
  if (state.answer && step !== 'answer') return state;
  switch (step) {
    case 'act':
    case 'poll':
      return guarded(state, ports, log, () => (step === 'act' || !isWaiting(state.task) ? act(state, ports) : poll(state, ports)));
    case 'give-up': {
      const answer = giveUpAnswer(state);
      ports.logger.error('Giving up after repeated step failures', { ...log, failures: state.stepFailures.count, reason: answer.reason });
      return { ...state, answer, outcome: 'FAILED', next: 'answer', waitSeconds: 0, task: { kind: 'done' } };
    }
    case 'answer': {
      if (!state.answer) throw new Error('answer step reached without an answer');
      const body = renderAnswer(state.request, state.answer);
      await ports.deliver(state.request.ResponseURL, body);
      ports.logger.info('Answered CloudFormation', {
        ...log,
        Status: state.answer.status,
        PhysicalResourceId: state.answer.physicalResourceId,
        Reason: state.answer.reason,
        bytes: Buffer.byteLength(body),
      });
      return state;
    }
  }
}

function isWaiting(task: Task): boolean {
  return task.kind === 'await-ready' || task.kind === 'await-gone';
}

/** Maps errors that are not bugs to verdicts: Atlas asking to wait, credentials that cannot be read. */
async function guarded(state: ExecutionState, ports: StepPorts, log: LogFields, body: () => Promise<ExecutionState>): Promise<ExecutionState> {
  const now = ports.now();
  if (now >= state.deadlineAt) {
    return apply(state, judgeReadinessDeadline(state), ports, log);
  }
  try {
    return await body();
  } catch (err) {
    if ((err instanceof AtlasApiError || err instanceof CredentialsError) && err.retryable) {
      return retryLater(state, err, ports, log);
    }
    if (err instanceof AtlasApiError || err instanceof CredentialsError || err instanceof RangeError) {
      ports.logger.error('Request failed', { ...log, error: describe(err) });
      const reason = `${capitalise(describeTask(state.task))} failed: ${err.message}`;
      return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: answerIdOnFailure(state), reason } }, ports, log);
    }
    throw err; // a bug or an outage: the state machine counts it, retries, and gives up with an answer
  }
}

/** Atlas (or Secrets Manager) asked to wait: the same step runs again after the wait, within the deadline. */
function retryLater(state: ExecutionState, err: AtlasApiError | CredentialsError, ports: StepPorts, log: LogFields, task?: Task): ExecutionState {
  const wait = err instanceof AtlasApiError ? (err.retryAfterSeconds ?? pollWaitSeconds(state.polls)) : pollWaitSeconds(state.polls);
  const remaining = Math.floor((state.deadlineAt - ports.now()) / 1000);
  ports.logger.warn('Atlas or Secrets Manager asked to wait; will try again', { ...log, error: describe(err), waitSeconds: wait });
  if (remaining < 1) return apply(state, judgeReadinessDeadline(state), ports, log);
  return apply(state, { outcome: 'WAIT', waitSeconds: Math.max(1, Math.min(wait, remaining)) }, ports, log, task);
}

function judgeReadinessDeadline(state: ExecutionState): Verdict {
  return {
    outcome: 'DEADLINE',
    answer: {
      status: 'FAILED',
      physicalResourceId: answerIdOnFailure(state),
      reason: `Timed out while ${describeTask(state.task)}; the last status Atlas reported was ${state.lastStatus ?? 'unknown'}. The wait stops before CloudFormation's ServiceTimeout so that this answer arrives; raise ServiceTimeout (up to 3600 seconds) if Atlas needs longer.`,
    },
  };
}

/** A failed answer names what exists: a service this request created, else what CloudFormation knows. */
function answerIdOnFailure(state: ExecutionState): string {
  const t = state.task;
  if (t.kind === 'await-ready' && t.origin !== 'patched') return formatServicePhysicalId(t.ref);
  return physicalIdFor(state);
}

function apply(state: ExecutionState, verdict: Verdict, ports: StepPorts, log: LogFields, task?: Task): ExecutionState {
  const next: ExecutionState = { ...state, task: task ?? state.task, stepFailures: { ...NO_STEP_FAILURES } };
  delete next.stepError;
  if (verdict.outcome === 'WAIT') {
    const t = verdict.task ?? next.task;
    const waiting = isWaiting(t);
    ports.logger.info('Waiting', { ...log, status: verdict.lastStatus ?? state.lastStatus, waitSeconds: verdict.waitSeconds, next: waiting ? 'poll' : 'act' });
    return {
      ...next,
      task: t,
      outcome: 'WAIT',
      next: waiting ? 'poll' : 'act',
      waitSeconds: verdict.waitSeconds,
      polls: waiting ? state.polls + 1 : state.polls,
      ...(verdict.lastStatus ? { lastStatus: verdict.lastStatus } : {}),
    };
  }
  return { ...next, outcome: verdict.outcome, next: 'answer', waitSeconds: 0, answer: verdict.answer, task: { kind: 'done' } };
}

function propsOf(state: ExecutionState): ServiceProperties {
  const parsed = parseServiceProperties(state.request.ResourceProperties);
  if (!parsed.ok) throw new RangeError(parsed.problems.map((p) => p.message).join(' '));
  return parsed.value;
}

/** Credentials for a Delete: the resource's, or the default profile when its properties no longer parse. */
function credentialsOf(state: ExecutionState): ServiceProperties['credentials'] {
  const parsed = parseServiceProperties(state.request.ResourceProperties);
  if (parsed.ok) return parsed.value.credentials;
  const p = state.request.ResourceProperties ?? {};
  return {
    ...(typeof p.Profile === 'string' && p.Profile ? { profile: p.Profile } : {}),
    ...(typeof p.CredentialsSecretArn === 'string' && p.CredentialsSecretArn ? { secretArn: p.CredentialsSecretArn } : {}),
  };
}

async function act(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { ...requestLogKeys(state.request), step: 'act', task: state.task.kind };
  const task = state.task;
  switch (task.kind) {
    case 'inspect': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      const found = inspect(await api.listEndpointServices(props.projectId, props.provider), props);
      switch (found.action) {
        case 'create':
          return apply(state, { outcome: 'WAIT', waitSeconds: 0 }, ports, log, { kind: 'create', ...(task.replacing ? { replacing: task.replacing } : {}) });
        case 'wait-for-deletion':
          ports.logger.info('A service in this region is being deleted; waiting for it to go', { ...log, serviceId: found.service.id });
          return apply(state, { outcome: 'WAIT', waitSeconds: pollWaitSeconds(state.polls), lastStatus: found.service.status }, ports, log);
        case 'adopt':
          ports.logger.warn('Adopting the existing service (AdoptExisting)', { ...log, serviceId: found.service.id });
          return awaitReady(state, refOf(props.projectId, found.service), 'adopted', found.service, ports, log);
        case 'conflict':
          return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: physicalIdFor(state), reason: conflictReason(props.projectId, found.service) } }, ports, log);
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
        return awaitReady(state, refOf(props.projectId, service), 'created', service, ports, log);
      } catch (err) {
        if (!(err instanceof AtlasApiError)) throw err;
        if (err.existingService) {
          const services = await api.listEndpointServices(props.projectId, props.provider);
          const existing = services.find((s) => s.regionName === err.existingService!.region);
          if (!existing) return apply(state, { outcome: 'WAIT', waitSeconds: 0 }, ports, log, { kind: 'inspect', ...(task.replacing ? { replacing: task.replacing } : {}) });
          const owner = ownerOfConflict(task.uncertain === true || err.maybeProcessed || state.stepFailures.count > 0, props.adoptExisting);
          ports.logger.warn('Create answered 409: the region has a service', { ...log, serviceId: existing.id, owner });
          if (owner === 'conflict') {
            return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: physicalIdFor(state), reason: conflictReason(props.projectId, existing) } }, ports, log);
          }
          return awaitReady(state, refOf(props.projectId, existing), owner === 'ours' ? 'created' : 'adopted', existing, ports, log);
        }
        if (err.retryable) {
          // Remember that this POST may have been carried out, so a later 409 is recognised as our own.
          return retryLater(state, err, ports, log, { ...task, uncertain: task.uncertain === true || err.maybeProcessed });
        }
        return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: physicalIdFor(state), reason: atlasFailureReason(err, `Atlas refused to create the ${props.provider} private endpoint service in ${props.region.input}`) } }, ports, log);
      }
    }
    case 'patch': {
      const props = propsOf(state);
      const api = await ports.atlasFor(props.credentials);
      try {
        const service = await api.updateEndpointService(task.ref.projectId, task.ref.serviceId, { cloudProvider: task.ref.provider, supportedRemoteRegions: task.remoteRegions });
        ports.logger.info('Updated supportedRemoteRegions', { ...log, serviceId: service.id, remoteRegions: task.remoteRegions });
        return awaitReady(state, task.ref, 'patched', service, ports, log, task.remoteRegions);
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
      if (task.portMappingEnabled !== undefined && service.cloudProvider === 'GCP' && (service.portMappingEnabled ?? false) !== task.portMappingEnabled) {
        return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: physicalIdFor(state), reason: portMappingChangeReason(task.ref.region) } }, ports, log);
      }
      return apply(state, { outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state), data: serviceAttributes(task.ref.projectId, service) } }, ports, log);
    }
    case 'delete': {
      const api = await ports.atlasFor(credentialsOf(state));
      try {
        await api.deleteEndpointService(task.ref.projectId, task.ref.provider, task.ref.serviceId);
      } catch (err) {
        if (err instanceof AtlasApiError && err.isNotFound) {
          ports.logger.info('Service already gone', { ...log, serviceId: task.ref.serviceId });
          return apply(state, { outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state) } }, ports, log);
        }
        if (err instanceof AtlasApiError && !err.retryable) {
          const reason = atlasFailureReason(
            err,
            `Atlas refused to delete the ${task.ref.provider} private endpoint service ${task.ref.serviceId}` +
              (err.status === 409 || err.status === 400 ? ' (interface endpoints still registered with it must be removed first)' : ''),
          );
          return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: physicalIdFor(state), reason } }, ports, log);
        }
        throw err;
      }
      ports.logger.info('Deletion requested', { ...log, serviceId: task.ref.serviceId });
      return apply(state, { outcome: 'WAIT', waitSeconds: pollWaitSeconds(0) }, ports, log, { kind: 'await-gone', ref: task.ref });
    }
    case 'await-ready':
    case 'await-gone':
      return poll(state, ports);
    case 'done':
      return state;
  }
  throw new Error('unreachable');
}

async function poll(state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { ...requestLogKeys(state.request), step: 'poll', task: state.task.kind };
  const task = state.task;
  if (task.kind === 'await-ready') {
    const api = await ports.atlasFor(propsOf(state).credentials);
    return awaitReady(state, task.ref, task.origin, await getOrGone(api, task.ref), ports, log, task.remoteRegions);
  }
  if (task.kind === 'await-gone') {
    const api = await ports.atlasFor(credentialsOf(state));
    const service = await getOrGone(api, task.ref);
    return apply(state, judgeGone(service, physicalIdFor(state), clockOf(state, ports)), ports, log);
  }
  return act(state, ports);
}

function awaitReady(
  state: ExecutionState,
  ref: ServiceRef,
  origin: 'created' | 'adopted' | 'patched',
  service: EndpointService | undefined,
  ports: StepPorts,
  log: LogFields,
  remoteRegions?: string[],
): ExecutionState {
  const task: Task = { kind: 'await-ready', ref, origin, ...(remoteRegions ? { remoteRegions } : {}) };
  const physicalResourceId = origin === 'patched' ? physicalIdFor(state) : formatServicePhysicalId(ref);
  const verdict = judgeReadiness(service, ref, physicalResourceId, clockOf(state, ports), remoteRegions);
  if (verdict.outcome === 'READY') ports.logger.info('Service is ready', { ...log, serviceId: ref.serviceId });
  return apply({ ...state, task }, verdict, ports, log, task);
}

function vanished(state: ExecutionState, ref: ServiceRef, ports: StepPorts, log: LogFields): ExecutionState {
  ports.logger.warn('The service is gone from Atlas (deleted out of band); creating it again under a new physical id', { ...log, serviceId: ref.serviceId });
  return apply(state, { outcome: 'WAIT', waitSeconds: 0 }, ports, log, { kind: 'inspect' });
}

async function getOrGone(api: EndpointServiceApi, ref: ServiceRef): Promise<EndpointService | undefined> {
  try {
    return await api.getEndpointService(ref.projectId, ref.provider, ref.serviceId);
  } catch (err) {
    if (err instanceof AtlasApiError && err.isNotFound) return undefined;
    throw err;
  }
}

function clockOf(state: ExecutionState, ports: StepPorts) {
  return { now: ports.now(), deadlineAt: state.deadlineAt, polls: state.polls };
}

function describe(err: unknown): LogFields {
  if (err instanceof AtlasApiError) return err.toJSON();
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { message: String(err) };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
