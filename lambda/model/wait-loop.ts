/**
 * The contract between the wait loop's Step Functions definition (`lib/waiter-state-machine.ts`) and the
 * Lambda steps it invokes (`lambda/lifecycle/core/engine.ts`): step names, outcomes, the paths of the
 * execution state the definition reads, and the bound on failed steps. Both sides import this module, so
 * a name changed on one side is a compile error on the other (as the CDK provider framework shares its
 * `runtime/consts.ts`). Pure: no I/O, no CDK.
 */
import { STEP_FAILURE_BACKOFF_SEED_SECONDS } from './timing';

/** The Lambda steps a Task state invokes, by the name the step payload carries. */
export const STEP = { act: 'act', poll: 'poll', giveUp: 'give-up', answer: 'answer', confirm: 'confirm' } as const;
export type StepName = (typeof STEP)[keyof typeof STEP];
export const STEP_NAMES: readonly StepName[] = Object.values(STEP);

export function isStepName(value: unknown): value is StepName {
  return typeof value === 'string' && (STEP_NAMES as readonly string[]).includes(value);
}

/**
 * What a step tells the Route state: keep waiting, one of the three ways a request is answered, or done (the
 * answer is out and CloudFormation's verdict on it seen, or CloudFormation moved on and what the request
 * made is removed).
 */
export const OUTCOME = { wait: 'WAIT', ready: 'READY', failed: 'FAILED', deadline: 'DEADLINE', done: 'DONE' } as const;
export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];
/** The outcomes that go to the answer step. */
export const FINAL_OUTCOMES: readonly Outcome[] = [OUTCOME.ready, OUTCOME.failed, OUTCOME.deadline];

/** The step that runs after the wait: act on Atlas, poll it, answer, or look at what CloudFormation did with the answer. */
export type NextStep = typeof STEP.act | typeof STEP.poll | typeof STEP.answer | typeof STEP.confirm;

/** Failed attempts of one step, counted by the state machine, and the wait before the next attempt. */
export interface StepFailures {
  count: number;
  backoffSeconds: number;
}

/** Failed attempts of one step before the execution gives up and answers FAILED. */
export const MAX_STEP_FAILURES = 3;

/**
 * The longest `lastStatus` an execution state carries (Atlas's word, or what a wait lacks, such as each named
 * cluster's state): the steps clip to it, and a step input with a longer one is not the state machine's.
 */
export const MAX_LAST_STATUS_CHARS = 400;

/** After a step succeeds: no failures, and the first retry of a later failure waits twice the seed (10 s). */
export const NO_STEP_FAILURES: StepFailures = { count: 0, backoffSeconds: STEP_FAILURE_BACKOFF_SEED_SECONDS };

/**
 * The fields of the execution state the definition reads or writes, as JSONPath. The Lambda side's
 * `ExecutionState` has these fields under these names.
 */
export const STATE_PATH = {
  /** Read by Route. */
  outcome: '$.outcome',
  /** Read by Route and RetryStep. */
  next: '$.next',
  /** Read by the Wait states before Act and Poll. */
  waitSeconds: '$.waitSeconds',
  /** Written by CountFailure. */
  stepFailures: '$.stepFailures',
  stepFailureCount: '$.stepFailures.count',
  stepFailureBackoffSeconds: '$.stepFailures.backoffSeconds',
  /** Written by every Catch: the failed step's `{Error, Cause}`. */
  stepError: '$.stepError',
  /** Read by MadeSomething after an answer that could not be delivered. */
  made: '$.made',
} as const;

/** What a Task state sends the step function: the step to run and the whole execution state. */
export interface StepInvocation<State> {
  step: StepName;
  state: State;
  /** The Task's own retries of this invocation so far (`$$.State.RetryCount`): above 0, an earlier one may have acted. */
  retryCount?: number;
}
