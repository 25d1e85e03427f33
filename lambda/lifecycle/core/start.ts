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
import type { EarlierExecution, UndoItem } from './cancellation';
import type { ExecutionState } from './execution-state';

export interface ExecutionStarter {
  /** Starts the wait loop; 'duplicate' when an execution of that name exists already. */
  start(name: string, input: ExecutionState): Promise<'started' | 'duplicate'>;
  /**
   * The newest execution of an earlier request for the same stack and logical id as `request` (any
   * execution but `ownName`), as Step Functions keeps it; undefined when there is none.
   */
  findPrevious?(request: CloudFormationRequest, ownName: string): Promise<EarlierExecution | undefined>;
  /** Stops a running execution; returns it as the stop left it (its latest state, a step still in flight). */
  stopPrevious?(execution: EarlierExecution): Promise<EarlierExecution>;
}

/**
 * The name prefix shared by the executions of every request for one logical id of one stack (see
 * `executionName`), so that the previous request's execution is found by name, without reading others'.
 */
export function executionNamePrefix(request: Pick<CloudFormationRequest, 'StackId' | 'LogicalResourceId'>): string {
  const logical = request.LogicalResourceId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24);
  const stack = createHash('sha256').update(request.StackId).digest('hex').slice(0, 8);
  return `${logical}-${stack}-`;
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
  // At most 24 + 1 + 8 + 1 + 6 + 1 + 32 = 73 characters: Step Functions allows 80.
  return `${executionNamePrefix(request)}${request.RequestType}-${hash.slice(0, 32)}`;
}

export function serviceTimeoutOf(request: CloudFormationRequest): number {
  return serviceTimeoutSeconds(request.ResourceProperties?.ServiceTimeout) ?? DEFAULT_SERVICE_TIMEOUT_SECONDS;
}

/**
 * The first execution state of a request. `undo`: what an earlier request CloudFormation gave up on made
 * (`cancellation.ts`), undone before the request's own task, or before its planned answer goes out.
 */
export function initialState(request: CloudFormationRequest, receivedAt: number, undo: UndoItem[] = []): ExecutionState {
  const plan = planRequest(request);
  const base = {
    request,
    receivedAt,
    deadlineAt: deadlineFor(receivedAt, serviceTimeoutOf(request)),
    polls: 0,
    waitSeconds: 0,
    stepFailures: { ...NO_STEP_FAILURES },
  };
  if (undo.length) {
    const own = 'answer' in plan ? { task: { kind: 'done' as const }, answerAfterUndo: plan.answer } : { task: plan.task };
    return { ...base, ...own, undo, next: STEP.act, outcome: OUTCOME.wait };
  }
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
