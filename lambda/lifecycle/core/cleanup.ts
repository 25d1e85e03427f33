/**
 * Whoever made it removes it. When CloudFormation moves on without taking what a request made (a cancelled
 * Create's service, a replacing Update's new service whose answer was ignored, a registration), nobody else
 * will ever learn of it: the execution that made it removes it, with the credentials of the request that
 * made it, through the same act and poll code as any task of its resource. What an attempt of unknown
 * outcome may have made is looked for first (`LifecycleResource.cleanup`).
 */
import type { Task } from '../tasks';
import type { ExecutionState } from './execution-state';

/** Something this execution made, to remove: a task of its resource. */
export interface UndoItem {
  resourceType: string;
  /** The task as it was when the removal started, or where it got to. */
  task: Task;
  /** Attempts that failed so far. */
  attempts?: number;
}

/** At most what one execution can leave: one item (a few, to spare a later change). */
export const MAX_UNDO_ITEMS = 4;

/** The task that removes what an execution made, from its own state; undefined when it made nothing. */
export type CleanupPlanner = (state: ExecutionState, now: number) => Task | undefined;

/** What `state`'s execution must remove now that CloudFormation will not hold it. */
export function cleanupOf(
  state: ExecutionState,
  plannerFor: (resourceType: string) => CleanupPlanner | undefined,
  now: number,
): UndoItem[] {
  const resourceType = state.request.ResourceType;
  const task = plannerFor(resourceType)?.(state, now);
  return task ? [{ resourceType, task }] : [];
}
