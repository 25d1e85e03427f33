/**
 * The entry of every request: turn CloudFormation's event into the first execution state and start one
 * Step Functions execution for it, exactly once however often the event is delivered.
 */
import { createHash } from 'node:crypto';
import type { CloudFormationRequest } from '../../cloudformation/request';
import { serviceTimeoutSeconds } from '../../model/property-reader';
import { DEFAULT_SERVICE_TIMEOUT_SECONDS } from '../../model/timing';
import { NO_STEP_FAILURES, OUTCOME, STEP } from '../../model/wait-loop';
import { planRequest } from '../registry';
import { deadlineFor } from './deadline';
import type { ExecutionState } from './execution-state';

export interface ExecutionStarter {
  /** Starts the wait loop; 'duplicate' when an execution of that name exists already. */
  start(name: string, input: ExecutionState): Promise<'started' | 'duplicate'>;
}

/**
 * Deterministic per request delivery: the same event delivered twice maps to the same name (Step Functions
 * refuses the second), while a retried deployment that reuses a RequestId comes with a new pre-signed
 * ResponseURL and so gets a new execution (a name from the RequestId alone would collide with the
 * finished one and leave the new request unanswered). The URL enters only through a one-way hash.
 */
export function executionName(request: CloudFormationRequest): string {
  const hash = createHash('sha256')
    .update([request.StackId, request.LogicalResourceId, request.RequestId, request.RequestType, request.ResponseURL].join('\n'))
    .digest('hex');
  const logical = request.LogicalResourceId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24);
  return `${logical}-${request.RequestType}-${hash.slice(0, 40)}`;
}

export function serviceTimeoutOf(request: CloudFormationRequest): number {
  return serviceTimeoutSeconds(request.ResourceProperties?.ServiceTimeout) ?? DEFAULT_SERVICE_TIMEOUT_SECONDS;
}

export function initialState(request: CloudFormationRequest, receivedAt: number): ExecutionState {
  const plan = planRequest(request);
  const base = {
    request,
    receivedAt,
    deadlineAt: deadlineFor(receivedAt, serviceTimeoutOf(request)),
    polls: 0,
    waitSeconds: 0,
    stepFailures: { ...NO_STEP_FAILURES },
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
