/**
 * How a verdict becomes the next execution state: wait and act or poll again, or hold the answer. The
 * shared ways to end a request (FAILED with a reason) or to come back later (Atlas or Secrets Manager
 * asked to wait).
 */
import type { AtlasApiError } from '../../atlas/errors';
import type { CredentialsError } from '../../credentials/secret-format';
import { describeError, type LogFields } from '../../logging';
import { POLL_INTERVAL_SECONDS, UNSEEN_EMPTY_LOOKS } from '../../model/timing';
import { MAX_LAST_STATUS_CHARS, NO_STEP_FAILURES, OUTCOME, STEP } from '../../model/wait-loop';
import { describeTask, isDeletionAccepted, isWaiting, managedIdOf, type Task } from '../tasks';
import type { ExecutionState } from './execution-state';
import { type AtDeadline, deadlineVerdict, isDeletionUnderway } from './deadline';
import { sayWhatStays } from './kept-on-failure';
import { physicalIdOfNothingMade } from './physical-id';
import type { StepPorts } from './ports';
import type { Clocked, Verdict } from './verdict';
import { pollWaitSeconds, waitWithin } from './wait';

export function clockOf(state: ExecutionState, ports: StepPorts): Clocked {
  return { now: ports.now(), deadlineAt: state.deadlineAt, polls: state.polls };
}

/** The physical id an answer carries: what the request made or adopted, else the id it came with. */
export function physicalIdFor(state: Pick<ExecutionState, 'request'>, managedId?: string): string {
  return managedId || physicalIdOfNothingMade(state.request);
}

/** A failed answer names what exists: what this request created or adopted, else what CloudFormation knows. */
export function answerIdOnFailure(state: ExecutionState): string {
  return physicalIdFor(state, managedIdOf(state.task));
}

/** The next execution state for a verdict: wait and act or poll again, or hold the answer. */
export function apply(state: ExecutionState, verdict: Verdict, ports: StepPorts, log: LogFields, task?: Task): ExecutionState {
  const made = managedIdOf(task ?? state.task) ?? state.made;
  const next: ExecutionState = { ...state, task: task ?? state.task, stepFailures: { ...NO_STEP_FAILURES }, ...(made ? { made } : {}) };
  delete next.stepError;
  delete next.invocationRetried;
  if (verdict.outcome === OUTCOME.wait) {
    const t = verdict.task ?? next.task;
    const waiting = isWaiting(t);
    const madeNow = managedIdOf(t);
    const step = waiting ? STEP.poll : STEP.act;
    ports.logger.info('Waiting', { ...log, status: verdict.lastStatus ?? state.lastStatus, waitSeconds: verdict.waitSeconds, next: step });
    return {
      ...next,
      task: t,
      outcome: OUTCOME.wait,
      next: step,
      waitSeconds: verdict.waitSeconds,
      polls: waiting ? state.polls + 1 : state.polls,
      ...(madeNow ? { made: madeNow } : {}),
      ...(verdict.lastStatus ? { lastStatus: clipStatus(verdict.lastStatus) } : {}),
    };
  }
  if (isDeletionUnderway(verdict)) {
    ports.logger.info(
      'Deadline reached while Atlas deletes; the deletion is underway in Atlas and finishes on its own: answering SUCCESS',
      {
        ...log,
        status: state.lastStatus,
        activity: describeTask(next.task),
      },
    );
  }
  const answer = sayWhatStays(verdict.answer, next.task, state.request);
  return { ...next, outcome: verdict.outcome, next: STEP.answer, waitSeconds: 0, answer, task: { kind: 'done' } };
}

/** Ends the request with FAILED, naming what this request manages if anything. */
export function fail(state: ExecutionState, reason: string, ports: StepPorts, log: LogFields): ExecutionState {
  return apply(
    state,
    { outcome: OUTCOME.failed, answer: { status: 'FAILED', physicalResourceId: answerIdOnFailure(state), reason } },
    ports,
    log,
  );
}

/** The deadline verdict for the state's own task. */
export function deadlineReached(state: ExecutionState): Verdict {
  return deadlineVerdict(onDeadline(state));
}

/** Atlas (or Secrets Manager) asked to wait: the same step runs again after the wait, within the deadline. */
export function retryLater(
  state: ExecutionState,
  err: AtlasApiError | CredentialsError,
  ports: StepPorts,
  log: LogFields,
  task?: Task,
): ExecutionState {
  const wait = 'retryAfterSeconds' in err && err.retryAfterSeconds !== undefined ? err.retryAfterSeconds : pollWaitSeconds();
  ports.logger.warn('Atlas or Secrets Manager asked to wait; will try again', { ...log, error: describeError(err), waitSeconds: wait });
  return apply(state, waitWithin(clockOf(state, ports), wait, onDeadline(state), task), ports, log, task);
}

/**
 * After a look that found nothing an attempt of unknown outcome made: look again a poll interval later,
 * until UNSEEN_EMPTY_LOOKS looks found nothing (Atlas's lists lag); undefined once they have.
 */
export function lookAgainIfUnsure(
  state: ExecutionState,
  ports: StepPorts,
  log: LogFields,
  task: Task & { emptyLooks?: number },
): ExecutionState | undefined {
  const looks = (task.emptyLooks ?? 0) + 1;
  if (looks >= UNSEEN_EMPTY_LOOKS) return undefined;
  return apply(state, waitWithin(clockOf(state, ports), POLL_INTERVAL_SECONDS, onDeadline(state)), ports, log, {
    ...task,
    emptyLooks: looks,
  } as Task);
}

function onDeadline(state: ExecutionState): AtDeadline {
  const deletionAccepted = isDeletionAccepted(state.task);
  return {
    // A deletion under way answers the id CloudFormation sent; a failure names only what the request made.
    physicalResourceId: deletionAccepted ? physicalIdFor(state) : answerIdOnFailure(state),
    activity: describeTask(state.task),
    lastStatus: state.lastStatus,
    ...(deletionAccepted ? { deletionAccepted } : {}),
  };
}

/** A status as the execution state may carry it: cut to MAX_LAST_STATUS_CHARS, marked where cut. */
function clipStatus(status: string): string {
  return status.length <= MAX_LAST_STATUS_CHARS ? status : `${status.slice(0, MAX_LAST_STATUS_CHARS - 1)}…`;
}
