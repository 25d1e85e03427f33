/**
 * The Lambda steps of the wait loop (`model/wait-loop.ts` names them): `act` (change something in Atlas),
 * `poll` (look at it), `give-up` (after a step kept failing) and `answer` (tell CloudFormation). Each takes
 * the execution state and returns the next one; the request's resource (`registry.ts`) does the acting and
 * polling.
 */
import { AtlasApiError } from '../../atlas/errors';
import { type AnswerInput, renderAnswer } from '../../cloudformation/answer';
import { requestLogKeys } from '../../cloudformation/request';
import { CredentialsError } from '../../credentials/secret-format';
import { describeError, type LogFields, withFields } from '../../logging';
import { InvalidPropertiesError } from '../../model/errors';
import { IN_STEP_POLL_BUDGET_SECONDS } from '../../model/timing';
import { OUTCOME, STEP, type StepName } from '../../model/wait-loop';
import { resourceFor } from '../registry';
import { afterUnclearAttempt, describeTask, isWaiting } from '../tasks';
import type { ExecutionState } from './execution-state';
import { giveUpAnswer } from './give-up';
import type { StepPorts } from './ports';
import type { LifecycleResource } from './resource';
import { physicalIdOfNothingMade } from './physical-id';
import { apply, deadlineReached, fail, retryLater } from './transitions';

export type { StepPorts } from './ports';
export type { StepName } from '../../model/wait-loop';

export async function runStep(step: StepName, state: ExecutionState, rawPorts: StepPorts): Promise<ExecutionState> {
  // Every line a step logs carries the request's keys.
  const ports: StepPorts = { ...rawPorts, logger: withFields(rawPorts.logger, requestLogKeys(state.request)) };
  const log = { step, task: state.task.kind };
  // A step re-run on a state that already holds its answer (a retried step) changes nothing.
  if (state.answer && step !== STEP.answer) return state;
  switch (step) {
    case STEP.act:
    case STEP.poll: {
      if (state.undo?.length) return undoStep(step, state, ports);
      const resource = resourceFor(state.request.ResourceType);
      if (!resource) throw new Error(`no resource serves ${state.request.ResourceType}: the plan answers such requests at once`);
      return namingUnseen(state, await actAndPoll(step, state, resource, ports), ports);
    }
    case STEP.giveUp: {
      // While undoing what an abandoned request made, the step that kept failing was the undo's: say so.
      const undoing = state.undo?.[0];
      const answer = undoing ? undoFailed(state, giveUpAnswer({ ...state, task: undoing.task }).reason) : giveUpAnswer(state);
      ports.logger.error('Giving up after repeated step failures', { ...log, failures: state.stepFailures.count, reason: answer.reason });
      const next: ExecutionState = { ...state, answer, outcome: OUTCOME.failed, next: STEP.answer, waitSeconds: 0, task: { kind: 'done' } };
      return state.undo?.length ? next : namingUnseen(state, next, ports);
    }
    case STEP.answer: {
      if (!state.answer) throw new Error('answer step reached without an answer');
      const body = renderAnswer(state.request, state.answer);
      await ports.deliver(state.request.ResponseURL, body);
      ports.logger.info('Answered CloudFormation', {
        ...log,
        Status: state.answer.status,
        PhysicalResourceId: state.answer.physicalResourceId,
        Reason: state.answer.reason,
        bytes: Buffer.byteLength(body),
      });
      return state;
    }
  }
}

/**
 * Acts, or polls and then, while Atlas is not done and the next look still starts within the step's
 * in-process budget, sleeps the wait and polls again; the wait that does not fit goes back to Step
 * Functions. Each look goes through the same code and yields the same execution state as a look in a step
 * of its own would, and a poll step only reads, so a step that fails after some looks is retried from the
 * state the state machine holds at no risk. An act step returns after acting: its retry must start from
 * the state just before the act, which the state machine holds.
 */
async function actAndPoll(
  step: typeof STEP.act | typeof STEP.poll,
  state: ExecutionState,
  resource: LifecycleResource,
  ports: StepPorts,
): Promise<ExecutionState> {
  const once = (s: ExecutionState, st: StepName) => {
    const polling = st === STEP.poll && isWaiting(s.task);
    return guarded(s, ports, { step: st, task: s.task.kind }, () => (polling ? resource.poll(s, ports) : resource.act(s, ports)));
  };
  const started = ports.now();
  let next = await once(state, step);
  while (
    step === STEP.poll &&
    ports.sleep &&
    next.outcome === OUTCOME.wait &&
    next.next === STEP.poll &&
    ports.now() - started + next.waitSeconds * 1000 <= IN_STEP_POLL_BUDGET_SECONDS * 1000
  ) {
    await ports.sleep(next.waitSeconds * 1000);
    next = await once(next, STEP.poll);
  }
  return next;
}

/**
 * Maps the errors that are not bugs to verdicts: Atlas or Secrets Manager asking to wait, a refusal,
 * credentials that cannot be read, properties that cannot be used. Anything else is rethrown.
 */
async function guarded(
  state: ExecutionState,
  ports: StepPorts,
  log: LogFields,
  body: () => Promise<ExecutionState>,
): Promise<ExecutionState> {
  if (ports.now() >= state.deadlineAt) return apply(state, deadlineReached(state), ports, log);
  try {
    return await body();
  } catch (err) {
    if ((err instanceof AtlasApiError || err instanceof CredentialsError) && err.retryable) {
      // The wait resets the failure count: what an unclear earlier attempt may have done must stay in the task.
      const unclear = state.stepFailures.count > 0 || state.invocationRetried === true;
      return retryLater(state, err, ports, log, unclear ? afterUnclearAttempt(state.task) : undefined);
    }
    if (err instanceof AtlasApiError || err instanceof CredentialsError || err instanceof InvalidPropertiesError) {
      ports.logger.error('Request failed', { ...log, error: describeError(err) });
      return fail(state, `${capitalise(describeTask(state.task))} failed: ${err.message}`, ports, log);
    }
    throw err; // a bug or an outage: the state machine counts it, retries, and gives up with an answer
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * A request about to end FAILED without naming anything it created, after an attempt to create whose
 * outcome is unknown: look in Atlas first, and name what that attempt created, so that CloudFormation's
 * rollback deletes it rather than leaving it to nobody.
 */
async function namingUnseen(before: ExecutionState, after: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  if (after.answer?.status !== 'FAILED' || after.made) return after;
  const resource = resourceFor(before.request.ResourceType);
  if (!resource?.findUnseen) return after;
  let found: string | undefined;
  try {
    found = await resource.findUnseen(before, ports);
  } catch (err) {
    ports.logger.warn('Could not look for what an unclear attempt created', { task: before.task.kind, error: describeError(err) });
    return after;
  }
  if (!found) return after;
  ports.logger.warn('An attempt whose outcome was unknown did create it; the answer names it so that the rollback removes it', {
    physicalResourceId: found,
  });
  return {
    ...after,
    made: found,
    answer: {
      ...after.answer,
      physicalResourceId: found,
      reason: `${after.answer.reason} An earlier attempt of this request did create ${found}; the answer names it so that CloudFormation's rollback deletes it.`,
    },
  };
}

/**
 * One step of undoing what an earlier request CloudFormation gave up on made (`state.undo[0]`), through
 * the same act and poll code as any task of its resource. Once every item is undone, the request's own
 * task starts (or its planned answer goes out); if one cannot be undone, the request fails and says why.
 */
async function undoStep(step: typeof STEP.act | typeof STEP.poll, state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const [item, ...rest] = state.undo ?? [];
  const resource = resourceFor(item.resourceType);
  const view: ExecutionState = { ...state, task: item.task };
  delete view.undo;
  delete view.answerAfterUndo;
  delete view.made;
  const after = resource
    ? await actAndPoll(step, view, resource, ports)
    : { ...view, answer: { status: 'SUCCESS' as const, physicalResourceId: '' } };
  const carried = { made: state.made, answerAfterUndo: state.answerAfterUndo };
  const base: ExecutionState = { ...after, task: state.task, ...dropUndefined(carried) };
  delete base.answer;
  if (!after.answer) return { ...base, undo: [{ resourceType: item.resourceType, task: after.task }, ...rest] };
  if (after.answer.status === 'FAILED') {
    const answer = undoFailed(state, after.answer.reason);
    ports.logger.error('Could not undo what an abandoned request made', { task: item.task.kind, reason: answer.reason });
    // What is left to undo stays in the state: the next request for the resource takes it over (`undoFirst`).
    return {
      ...base,
      undo: [{ resourceType: item.resourceType, task: after.task.kind === 'done' ? item.task : after.task }, ...rest],
      answer,
      outcome: OUTCOME.failed,
      next: STEP.answer,
      waitSeconds: 0,
      task: { kind: 'done' },
    };
  }
  ports.logger.info('Undone what an abandoned request made', { task: item.task.kind });
  if (rest.length) return { ...base, undo: rest, outcome: OUTCOME.wait, next: STEP.act, waitSeconds: 0 };
  const own: ExecutionState = { ...base, outcome: OUTCOME.wait, next: STEP.act, waitSeconds: 0 };
  delete own.undo;
  if (state.answerAfterUndo) {
    delete own.answerAfterUndo;
    const answer = state.answerAfterUndo;
    return {
      ...own,
      answer,
      outcome: answer.status === 'SUCCESS' ? OUTCOME.ready : OUTCOME.failed,
      next: STEP.answer,
      task: { kind: 'done' },
    };
  }
  return own;
}

/** The FAILED answer of a request that could not undo what an abandoned request made. */
function undoFailed(state: ExecutionState, why: string | undefined): AnswerInput {
  return {
    status: 'FAILED',
    physicalResourceId: physicalIdOfNothingMade(state.request),
    reason: `An earlier request for this resource, which CloudFormation gave up on, left something in Atlas that could not be removed; the next request for this resource (continuing the rollback, or deleting again) tries again. The removal failed: ${why ?? 'no reason given'}`,
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
