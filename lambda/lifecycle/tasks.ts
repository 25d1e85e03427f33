/**
 * Every task an execution can be in: each resource's own (declared in its folder) and `done`. The core
 * reads a task's traits from here, so it never needs to know which resource a task belongs to.
 */
import type { KeptOnFailure, TaskCatalogue, TaskTraits } from './core/task';
import { REGISTRATION_TASKS, type RegistrationTask } from './registration/tasks';
import { SERVICE_TASKS, type ServiceTask } from './service/tasks';

/** Nothing left to do but answer. */
export type DoneTask = { kind: 'done' };

/** What the execution is doing for the request. */
export type Task = ServiceTask | RegistrationTask | DoneTask;

const TASKS: TaskCatalogue<Task> = {
  ...SERVICE_TASKS,
  ...REGISTRATION_TASKS,
  done: { waiting: false, describe: () => 'answering' },
};

function traitsOf(task: Task): TaskTraits<Task> {
  return TASKS[task.kind] as TaskTraits<Task>;
}

/** Tasks that only read Atlas until something changes: the Poll state's. */
export function isWaiting(task: Task): boolean {
  return traitsOf(task).waiting;
}

export function describeTask(task: Task): string {
  return traitsOf(task).describe(task);
}

/** The task to carry on with after an attempt of it that may have acted unseen. */
export function afterUnclearAttempt(task: Task): Task {
  return traitsOf(task).afterUnclearAttempt?.(task) ?? task;
}

/** The physical id of what the request brought under management while in this task, if anything. */
export function managedIdOf(task: Task): string | undefined {
  return traitsOf(task).managedId?.(task);
}

/** Atlas has accepted the deletion this task waits for: a deadline is no failure (see `TaskTraits.deletionAccepted`). */
export function isDeletionAccepted(task: Task): boolean {
  return traitsOf(task).deletionAccepted === true;
}

/** What the request took over in this task and a failure leaves in Atlas, if anything. */
export function keptOnFailureOf(task: Task): KeptOnFailure | undefined {
  return traitsOf(task).keptOnFailure?.(task);
}

/** The task asks Atlas to delete (see `TaskTraits.deletes`). */
export function isDeletion(task: Task): boolean {
  return traitsOf(task).deletes === true;
}
