/**
 * Requests CloudFormation gave up on. CloudFormation sends one request at a time for a resource: while a
 * Create or Update of it is still unanswered it sends nothing else for it, unless it has given up on that
 * request (a sibling resource failed, the stack was cancelled, `ServiceTimeout` passed). So when a new
 * request for a stack's logical id finds the execution of the previous one still running, or ended without
 * its answer getting through, CloudFormation will never learn what that execution made: the new request
 * stops it and, before its own work, undoes what it made. Without this a cancelled Create lands its service
 * after the Delete of a made-up physical id was answered as a no-op, and nobody owns it.
 *
 * Pure: the Step Functions adapter finds the executions (`ExecutionStarter.earlier`), this decides.
 */
import type { CloudFormationRequest } from '../../cloudformation/request';
import type { ExecutionState } from './execution-state';
import type { Task } from '../tasks';

/** How Step Functions ended (or has not ended) an execution. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** The execution of an earlier request for the same stack and logical id, as Step Functions keeps it. */
export interface EarlierExecution {
  name: string;
  /** Its status when the new request looked, before stopping it. */
  status: ExecutionStatus;
  /** Epoch ms. */
  startedAt: number;
  /** The latest execution state Step Functions holds for it (its output once it has ended well). */
  last: ExecutionState;
  /** A step was running on `last` when it was looked at (or stopped): that step may still act. */
  stepInFlight: boolean;
}

/** Something an earlier request may have made, to undo before the new request's own work: a task of its resource. */
export interface UndoItem {
  resourceType: string;
  task: Task;
}

/** Most undo items an execution state carries (what one abandoned request leaves, and what an earlier undo could not finish). */
export const MAX_UNDO_ITEMS = 4;

/** What a resource can undo of an execution CloudFormation gave up on. */
export type UndoPlanner = (last: ExecutionState, stepInFlight: boolean, now: number) => Task | undefined;

/** True when `e` is the execution of a request for the same stack and logical id as `request`. */
export function sameResource(request: Pick<CloudFormationRequest, 'StackId' | 'LogicalResourceId'>, e: EarlierExecution): boolean {
  return e.last.request.StackId === request.StackId && e.last.request.LogicalResourceId === request.LogicalResourceId;
}

/**
 * Whether CloudFormation gave up on the previous request for this resource (the newest earlier execution
 * for its stack and logical id), so that what it made is nobody's unless `request` undoes it.
 */
export function isAbandoned(request: CloudFormationRequest, previous: EarlierExecution): boolean {
  const before = previous.last.request;
  // A Delete's execution makes nothing to undo.
  if (before.RequestType === 'Delete') return false;
  // The Delete of the id an Update came with, after that Update ended with another id as its answer: the
  // cleanup after a replacement, so CloudFormation took the answer (its step may have failed after the PUT landed).
  const cleanupAfterReplacement =
    request.RequestType === 'Delete' &&
    before.RequestType === 'Update' &&
    request.PhysicalResourceId === before.PhysicalResourceId &&
    previous.last.answer?.status === 'SUCCESS' &&
    previous.last.answer.physicalResourceId !== before.PhysicalResourceId;
  if (previous.status !== 'RUNNING' && cleanupAfterReplacement) return false;
  // Still running, or ended without its answer getting through (the answer step is its last).
  if (previous.status !== 'SUCCEEDED') return true;
  // It answered, but what CloudFormation sends now shows it never took the answer.
  const answeredId = previous.last.answer?.physicalResourceId;
  if (answeredId === undefined || answeredId === before.PhysicalResourceId) return false;
  if (request.RequestType === 'Delete') {
    // A Delete of neither the answered id nor the id the previous request came with (a replacement's
    // cleanup): the id CloudFormation made up for a Create it gave up on.
    return request.PhysicalResourceId !== answeredId && request.PhysicalResourceId !== before.PhysicalResourceId;
  }
  // An Update sent back to the id the previous Update came with, although that Update answered another:
  // the rollback of an Update CloudFormation gave up on.
  return request.RequestType === 'Update' && before.RequestType === 'Update' && request.PhysicalResourceId === before.PhysicalResourceId;
}

/** What `request` must undo first of an abandoned earlier execution (see `isAbandoned`), by its resource. */
export function undoOf(
  request: CloudFormationRequest,
  previous: EarlierExecution,
  plannerFor: (resourceType: string) => UndoPlanner | undefined,
  now: number,
): UndoItem[] {
  const resourceType = previous.last.request.ResourceType;
  const task = plannerFor(resourceType)?.(previous.last, previous.stepInFlight, now);
  if (!task) return [];
  // Never undo what the new request names: CloudFormation got that answer after all.
  if (request.PhysicalResourceId && previous.last.made === request.PhysicalResourceId) return [];
  return [{ resourceType, task }];
}
