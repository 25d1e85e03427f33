/**
 * The Lambda steps of the wait loop: `act` (change something in Atlas), `poll` (look at it), `give-up`
 * (after a step kept failing) and `answer` (tell CloudFormation). Each takes the execution state and
 * returns the next one. The resource's own steps are in `service-steps.ts` and `endpoint-steps.ts`.
 */
import { AtlasApiError } from '../atlas/errors';
import { renderAnswer } from '../cloudformation/answer';
import { requestLogKeys } from '../cloudformation/request';
import { CredentialsError } from '../credentials/secret-format';
import type { LogFields } from '../logging';
import { describeTask, giveUpAnswer } from './decisions';
import { actOnEndpoint, isEndpointTask, pollEndpoint } from './endpoint-steps';
import type { ExecutionState } from './execution-state';
import { actOnService, pollService } from './service-steps';
import { apply, deadlineVerdict, describeError, fail, isWaiting, retryLater, type StepPorts } from './step-kit';

export type { StepPorts } from './step-kit';
export type StepName = 'act' | 'poll' | 'give-up' | 'answer';

export async function runStep(step: StepName, state: ExecutionState, ports: StepPorts): Promise<ExecutionState> {
  const log = { ...requestLogKeys(state.request), step, task: state.task.kind };
  // A step re-run on a state that already holds its answer (a retried step) changes nothing.
  if (state.answer && step !== 'answer') return state;
  switch (step) {
    case 'act':
    case 'poll': {
      const endpoint = isEndpointTask(state.task);
      const polling = step === 'poll' && isWaiting(state.task);
      return guarded(state, ports, log, () =>
        endpoint ? (polling ? pollEndpoint(state, ports) : actOnEndpoint(state, ports)) : polling ? pollService(state, ports) : actOnService(state, ports),
      );
    }
    case 'give-up': {
      const answer = giveUpAnswer(state);
      ports.logger.error('Giving up after repeated step failures', { ...log, failures: state.stepFailures.count, reason: answer.reason });
      return { ...state, answer, outcome: 'FAILED', next: 'answer', waitSeconds: 0, task: { kind: 'done' } };
    }
    case 'answer': {
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

/** Maps errors that are not bugs to verdicts: Atlas asking to wait, a refusal, credentials that cannot be read. */
async function guarded(state: ExecutionState, ports: StepPorts, log: LogFields, body: () => Promise<ExecutionState>): Promise<ExecutionState> {
  if (ports.now() >= state.deadlineAt) return apply(state, deadlineVerdict(state), ports, log);
  try {
    return await body();
  } catch (err) {
    if ((err instanceof AtlasApiError || err instanceof CredentialsError) && err.retryable) return retryLater(state, err, ports, log);
    if (err instanceof AtlasApiError || err instanceof CredentialsError || err instanceof RangeError) {
      ports.logger.error('Request failed', { ...log, error: describeError(err) });
      return fail(state, `${capitalise(describeTask(state.task))} failed: ${err.message}`, ports, log);
    }
    throw err; // a bug or an outage: the state machine counts it, retries, and gives up with an answer
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
