/**
 * What the core needs to know of every task, declared by each resource beside its tasks: whether the task
 * only polls Atlas, how to say what it is doing, and what it has brought under management.
 */

export interface TaskTraits<T extends { kind: string }> {
  /** True for tasks that only read Atlas until something changes: the Poll state runs them. */
  readonly waiting: boolean;
  /** What the task is doing, for reasons: "waiting for service … to be deleted". */
  describe(task: T): string;
  /**
   * The physical id of what this request brought under management (a service it created or adopted, a
   * registration it made or adopted), when the task is waiting on one: a FAILED answer carries it so that
   * CloudFormation's rollback removes it. Undefined otherwise.
   */
  managedId?(task: T): string | undefined;
  /**
   * What this task took over without making it (an adopted service, a registration taken over), which a
   * failure leaves in Atlas: its physical id, which a FAILED answer must not carry (CloudFormation's
   * rollback would delete it), and the sentence the answer's reason ends with. Undefined otherwise.
   */
  keptOnFailure?(task: T): KeptOnFailure | undefined;
  /**
   * The task to carry on with after an attempt of it that may have acted without the state showing it (a
   * step that failed after acting, a Lambda-level retry): for a create, "an earlier attempt may have
   * created it", which must survive every later retry.
   */
  afterUnclearAttempt?(task: T): T;
  /**
   * True for tasks that wait for a deletion Atlas has accepted (its DELETE answered 202/204, or it was
   * deleting already): the deadline answers SUCCESS, since Atlas finishes the deletion on its own.
   */
  readonly deletionAccepted?: boolean;
  /** True for tasks that ask Atlas to delete: safe to repeat, so sent once more at the deadline after an unclear attempt. */
  readonly deletes?: boolean;
}

/** Something a request took over but did not make: a failure of the request leaves it where it was. */
export interface KeptOnFailure {
  readonly physicalResourceId: string;
  /** For the FAILED reason: "The adopted service … stays in Atlas: this stack did not create it, …". */
  readonly sentence: string;
}

/** Traits for every kind of a task union. */
export type TaskCatalogue<T extends { kind: string }> = { readonly [K in T['kind']]: TaskTraits<Extract<T, { kind: K }>> };
