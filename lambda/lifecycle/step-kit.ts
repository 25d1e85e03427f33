/**
 * What every resource's steps share: the ports they act through, and how a verdict becomes the next
 * execution state (wait and come back, or answer).
 */
import { AtlasApiError } from '../atlas/errors';
import type { CredentialsError } from '../credentials/secret-format';
import type { LogFields, LoggerLike } from '../logging';
import type { CredentialsSource } from '../model/credentials-secret';
import { describeProblems, type Parsed } from '../model/property-reader';
import type { AtlasApi } from './atlas-access';
import { describeTask, managedIdOf, physicalIdFor, pollWaitSeconds, type Verdict } from './decisions';
import { type ExecutionState, NO_STEP_FAILURES, type Task } from './execution-state';

export interface StepPorts {
  now(): number;
  logger: LoggerLike;
  atlasFor(source: CredentialsSource): Promise<AtlasApi>;
  deliver(responseUrl: string, body: string): Promise<unknown>;
}

/** Tasks that only read Atlas until something changes: the Poll state's. */
export function isWaiting(task: Task): boolean {
  return task.kind === 'await-ready' || task.kind === 'await-gone' || task.kind === 'await-connection' || task.kind === 'await-removal';
}

export function clockOf(state: ExecutionState, ports: StepPorts) {
  return { now: ports.now(), deadlineAt: state.deadlineAt, polls: state.polls };
}

/** The next execution state for a verdict: wait and act or poll again, or hold the answer. */
export function apply(state: ExecutionState, verdict: Verdict, ports: StepPorts, log: LogFields, task?: Task): ExecutionState {
  const next: ExecutionState = { ...state, task: task ?? state.task, stepFailures: { ...NO_STEP_FAILURES } };
  delete next.stepError;
  if (verdict.outcome === 'WAIT') {
    const t = verdict.task ?? next.task;
    const waiting = isWaiting(t);
    ports.logger.info('Waiting', { ...log, status: verdict.lastStatus ?? state.lastStatus, waitSeconds: verdict.waitSeconds, next: waiting ? 'poll' : 'act' });
    return {
      ...next,
      task: t,
      outcome: 'WAIT',
      next: waiting ? 'poll' : 'act',
      waitSeconds: verdict.waitSeconds,
      polls: waiting ? state.polls + 1 : state.polls,
      ...(verdict.lastStatus ? { lastStatus: verdict.lastStatus } : {}),
    };
  }
  return { ...next, outcome: verdict.outcome, next: 'answer', waitSeconds: 0, answer: verdict.answer, task: { kind: 'done' } };
}

/** Ends the request with FAILED, naming what this request manages if anything. */
export function fail(state: ExecutionState, reason: string, ports: StepPorts, log: LogFields): ExecutionState {
  return apply(state, { outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: answerIdOnFailure(state), reason } }, ports, log);
}

/** Atlas (or Secrets Manager) asked to wait: the same step runs again after the wait, within the deadline. */
export function retryLater(state: ExecutionState, err: AtlasApiError | CredentialsError, ports: StepPorts, log: LogFields, task?: Task): ExecutionState {
  const wait = 'retryAfterSeconds' in err && err.retryAfterSeconds !== undefined ? err.retryAfterSeconds : pollWaitSeconds(state.polls);
  const remaining = Math.floor((state.deadlineAt - ports.now()) / 1000);
  ports.logger.warn('Atlas or Secrets Manager asked to wait; will try again', { ...log, error: describeError(err), waitSeconds: wait });
  if (remaining < 1) return apply(state, deadlineVerdict(state), ports, log);
  return apply(state, { outcome: 'WAIT', waitSeconds: Math.max(1, Math.min(wait, remaining)) }, ports, log, task);
}

export function deadlineVerdict(state: ExecutionState): Verdict {
  return {
    outcome: 'DEADLINE',
    answer: {
      status: 'FAILED',
      physicalResourceId: answerIdOnFailure(state),
      reason: `Timed out while ${describeTask(state.task)}; the last status Atlas reported was ${state.lastStatus ?? 'unknown'}. The wait stops before CloudFormation's ServiceTimeout so that this answer arrives; raise ServiceTimeout (up to 3600 seconds) if Atlas needs longer.`,
    },
  };
}

/** A failed answer names what exists: what this request created or adopted, else what CloudFormation knows. */
export function answerIdOnFailure(state: ExecutionState): string {
  return physicalIdFor(state, managedIdOf(state.task));
}

/** The request's properties through the resource's parser; a bad value (only possible if a step is fed a state the plan would have refused) ends the step as an input error. */
export function propertiesOf<T>(state: ExecutionState, parse: (raw: Record<string, unknown> | undefined) => Parsed<T>): T {
  const parsed = parse(state.request.ResourceProperties);
  if (!parsed.ok) throw new RangeError(describeProblems(parsed.problems));
  return parsed.value;
}

/** Credentials named by the resource (both resource types use the same property names). */
export function credentialsOf(state: ExecutionState): CredentialsSource {
  const p = state.request.ResourceProperties ?? {};
  return {
    ...(typeof p.Profile === 'string' && p.Profile ? { profile: p.Profile } : {}),
    ...(typeof p.CredentialsSecretArn === 'string' && p.CredentialsSecretArn ? { secretArn: p.CredentialsSecretArn } : {}),
  };
}

export function describeError(err: unknown): LogFields {
  if (err && typeof err === 'object' && 'toJSON' in err && typeof (err as { toJSON: unknown }).toJSON === 'function') {
    return (err as { toJSON(): LogFields }).toJSON();
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { message: String(err) };
}

/**
 * Asks Atlas to delete something: 404 means it is gone already (success), a refusal ends the request
 * with `refusal(err)` unless `alreadyGoing()` finds the deletion under way (Atlas deleting it on its own,
 * or an earlier attempt's request), and otherwise the execution waits with `then` until it is gone.
 */
export async function requestDeletion(
  state: ExecutionState,
  ports: StepPorts,
  log: LogFields,
  del: () => Promise<void>,
  refusal: (err: AtlasApiError) => string,
  then: Task,
  alreadyGoing: () => Promise<boolean>,
): Promise<ExecutionState> {
  try {
    await del();
  } catch (err) {
    if (err instanceof AtlasApiError && err.isNotFound) {
      ports.logger.info('Already gone', log);
      return apply(state, { outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state) } }, ports, log);
    }
    if (err instanceof AtlasApiError && !err.retryable) {
      if (!(await alreadyGoing())) return fail(state, refusal(err), ports, log);
      ports.logger.info('Atlas refused the delete, but the deletion is under way already', { ...log, error: describeError(err) });
    } else throw err;
  }
  ports.logger.info('Deletion requested', log);
  return apply(state, { outcome: 'WAIT', waitSeconds: pollWaitSeconds(0) }, ports, log, then);
}
