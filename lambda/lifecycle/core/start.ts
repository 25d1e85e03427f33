/**
 * The entry of every request: turn CloudFormation's event, once CloudFormation has confirmed it is waiting for
 * it, into the first execution state, and start one Step Functions execution for it, exactly once however
 * often the event is delivered.
 */
import { createHash } from 'node:crypto';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { serviceTimeoutSeconds } from '../../model/property-reader';
import { DEFAULT_SERVICE_TIMEOUT_SECONDS } from '../../model/timing';
import { NO_STEP_FAILURES, OUTCOME, STEP } from '../../model/wait-loop';
import { planRequest } from '../registry';
import { deadlineFor } from './deadline';
import type { ExecutionState } from './execution-state';
import type { Stamp } from './standing';

export interface ExecutionStarter {
  /** Starts the wait loop; 'duplicate' when an execution of that name exists already. */
  start(name: string, input: ExecutionState): Promise<'started' | 'duplicate'>;
}

/**
 * Deterministic per request delivery: the same event delivered twice maps to the same name (Step Functions
 * refuses the second), while a retried deployment that reuses a RequestId comes with a new pre-signed
 * ResponseURL and so gets a new execution (a name from the RequestId alone would collide with the
 * finished one and leave the new request unanswered). The URL enters only through a one-way hash; the
 * logical id is there for the reader of the console.
 */
export function executionName(request: CloudFormationRequest): string {
  const hash = createHash('sha256')
    .update([request.StackId, request.LogicalResourceId, request.RequestId, request.RequestType, request.ResponseURL].join('\n'))
    .digest('hex');
  const logical = request.LogicalResourceId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  // At most 32 + 1 + 6 + 1 + 32 = 72 characters: Step Functions allows 80.
  return `${logical}-${request.RequestType}-${hash.slice(0, 32)}`;
}

export function serviceTimeoutOf(request: CloudFormationRequest): number {
  return serviceTimeoutSeconds(request.ResourceProperties?.ServiceTimeout) ?? DEFAULT_SERVICE_TIMEOUT_SECONDS;
}

/** What CloudFormation showed when the request was accepted (`core/standing.ts`). */
export interface DoorView {
  stamp: Stamp;
  stackStatus?: string;
  /** Epoch ms of that look. */
  lookedAt: number;
}

/** The first execution state of a request, accepted at the door with what CloudFormation showed then. */
export function initialState(request: CloudFormationRequest, receivedAt: number, door?: DoorView): ExecutionState {
  const plan = planRequest(request, door?.stackStatus !== undefined ? { stackStatus: door.stackStatus } : {});
  const base = {
    request,
    receivedAt,
    deadlineAt: deadlineFor(receivedAt, serviceTimeoutOf(request)),
    polls: 0,
    waitSeconds: 0,
    stepFailures: { ...NO_STEP_FAILURES },
    ...(door ? { stamp: door.stamp, lookedAt: door.lookedAt, ...(door.stackStatus ? { stackStatus: door.stackStatus } : {}) } : {}),
  };
  if ('answer' in plan) {
    return {
      ...base,
      task: { kind: 'done' },
      next: STEP.answer,
      outcome: plan.answer.status === 'SUCCESS' ? OUTCOME.ready : OUTCOME.failed,
      answer: plan.answer,
    };
  }
  return { ...base, task: plan.task, next: STEP.act, outcome: OUTCOME.wait };
}
