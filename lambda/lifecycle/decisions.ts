/**
 * The lifecycle's shared decisions: the poll backoff, the deadline, how a request is planned, and the
 * answers that do not depend on the resource type. Plain functions of data, no I/O; the per-resource
 * decisions are in `service-decisions.ts` and `endpoint-decisions.ts`.
 */
import type { AtlasApiError } from '../atlas/errors';
import type { AnswerInput } from '../cloudformation/answer';
import type { CloudFormationRequest } from '../cloudformation/request';
import { RESOURCE_TYPE_ENDPOINT } from '../model/endpoint-properties';
import { RESOURCE_TYPE_SERVICE } from '../model/service-properties';
import { planEndpointRequest } from './endpoint-decisions';
import type { ExecutionState, Task } from './execution-state';
import { formatEndpointPhysicalId, formatServicePhysicalId, notCreatedMarker } from './physical-id';
import { planServiceRequest } from './service-decisions';

/** Poll backoff: 5 s, growing by half each time, to a 60 s cap. */
export const POLL_FIRST_SECONDS = 5;
export const POLL_FACTOR = 1.5;
export const POLL_CAP_SECONDS = 60;

export function pollWaitSeconds(polls: number): number {
  return Math.min(POLL_CAP_SECONDS, Math.round(POLL_FIRST_SECONDS * POLL_FACTOR ** Math.max(0, polls)));
}

/**
 * When the answer must be out: CloudFormation's `ServiceTimeout` minus a margin for the time between
 * CloudFormation sending the request and the provider first seeing it (asynchronous invoke, its retries)
 * and for the answer step itself: 10% of the timeout, at least 5 s, at most 3 minutes.
 */
export function deadlineFor(receivedAt: number, serviceTimeoutSeconds: number): number {
  const margin = Math.min(180, Math.max(5, Math.round(serviceTimeoutSeconds * 0.1)));
  return receivedAt + Math.max(1, serviceTimeoutSeconds - margin) * 1000;
}

export type Verdict =
  | { outcome: 'WAIT'; waitSeconds: number; lastStatus?: string; task?: Task }
  | { outcome: 'READY' | 'FAILED' | 'DEADLINE'; answer: AnswerInput };

export interface Clocked {
  now: number;
  deadlineAt: number;
  polls: number;
}

export function waitOrDeadline(c: Clocked, lastStatus: string | undefined, physicalResourceId: string, what: string, minSeconds = 0): Verdict {
  const remaining = Math.floor((c.deadlineAt - c.now) / 1000);
  if (remaining < 1) {
    return {
      outcome: 'DEADLINE',
      answer: {
        status: 'FAILED',
        physicalResourceId,
        reason: `Timed out ${what}: the last status Atlas reported was ${lastStatus ?? 'unknown'}. The wait stops before CloudFormation's ServiceTimeout so that this answer arrives; raise ServiceTimeout (up to 3600 seconds) if Atlas needs longer, and check the service in the Atlas UI.`,
      },
    };
  }
  return { outcome: 'WAIT', waitSeconds: Math.max(1, Math.min(Math.max(minSeconds, pollWaitSeconds(c.polls)), remaining)), lastStatus };
}

/** A reason for an Atlas error that ends the request. */
export function atlasFailureReason(err: AtlasApiError, context: string): string {
  return `${context}: ${err.message}`;
}

export type Plan = { task: Task } | { answer: AnswerInput };

/** The first step for a request, by resource type. */
export function planRequest(request: CloudFormationRequest): Plan {
  switch (request.ResourceType) {
    case RESOURCE_TYPE_ENDPOINT:
      return planEndpointRequest(request);
    case RESOURCE_TYPE_SERVICE:
    case undefined:
    case '':
      return planServiceRequest(request);
    default:
      if (request.RequestType === 'Delete') return { answer: { status: 'SUCCESS', physicalResourceId: request.PhysicalResourceId || notCreatedMarker(request.RequestId) } };
      return {
        answer: {
          status: 'FAILED',
          physicalResourceId: request.PhysicalResourceId || notCreatedMarker(request.RequestId),
          reason: `This provider serves ${RESOURCE_TYPE_SERVICE} and ${RESOURCE_TYPE_ENDPOINT}, not ${request.ResourceType}. Check the resource's Type and ServiceToken.`,
        },
      };
  }
}

/**
 * The physical id of what this request brought under management (a service it created or adopted, a
 * registration it made or adopted), when it is waiting on one: a FAILED answer carries it so that
 * CloudFormation's rollback removes it. Undefined otherwise.
 */
export function managedIdOf(task: Task): string | undefined {
  if (task.kind === 'await-ready' && task.origin !== 'patched') return formatServicePhysicalId(task.ref);
  if (task.kind === 'await-connection' && task.origin !== 'existing') return formatEndpointPhysicalId(task.ref);
  return undefined;
}

/** The physical id an answer carries. */
export function physicalIdFor(state: Pick<ExecutionState, 'request'>, createdId?: string): string {
  if (createdId) return createdId;
  return state.request.PhysicalResourceId || notCreatedMarker(state.request.RequestId);
}

/** After the state machine gave up on a step that kept failing: one FAILED answer that says what failed. */
export function giveUpAnswer(state: ExecutionState): AnswerInput {
  const task = state.task;
  let cause = state.stepError?.Error ?? 'unknown error';
  try {
    const c = JSON.parse(state.stepError?.Cause ?? '{}') as { errorType?: string; errorMessage?: string };
    if (c.errorMessage) cause = `${c.errorType ?? cause}: ${c.errorMessage}`;
  } catch {
    if (state.stepError?.Cause) cause = `${cause}: ${state.stepError.Cause}`;
  }
  return {
    status: 'FAILED',
    physicalResourceId: physicalIdFor(state, managedIdOf(task)),
    reason: `The provider's ${state.next} step failed ${state.stepFailures.count} times in a row while ${describeTask(task)} (last error: ${cause}). See the provider's log group for details; deploying again retries.`,
  };
}

export function describeTask(task: Task): string {
  switch (task.kind) {
    case 'inspect':
      return 'checking the region for an existing service';
    case 'create':
      return 'creating the private endpoint service';
    case 'await-ready':
      return `waiting for service ${task.ref.serviceId} to become ready`;
    case 'patch':
      return `updating service ${task.ref.serviceId}`;
    case 'refresh':
      return `reading service ${task.ref.serviceId}`;
    case 'delete':
      return `deleting service ${task.ref.serviceId}`;
    case 'await-gone':
      return `waiting for service ${task.ref.serviceId} to be deleted`;
    case 'register':
      return 'registering the interface endpoint';
    case 'await-connection':
      return `waiting for Atlas to accept interface endpoint ${task.ref.endpointId}`;
    case 'refresh-endpoint':
      return `reading interface endpoint ${task.ref.endpointId}`;
    case 'deregister':
      return `removing interface endpoint ${task.ref.endpointId}`;
    case 'await-removal':
      return `waiting for Atlas to remove interface endpoint ${task.ref.endpointId}`;
    case 'done':
      return 'answering';
  }
}
