/** After the state machine gave up on a step that kept failing: one FAILED answer that says what failed. */
import type { AnswerInput } from '../../cloudformation/answer';
import { describeTask, managedIdOf } from '../tasks';
import type { ExecutionState } from './execution-state';
import { sayWhatStays } from './kept-on-failure';
import { physicalIdFor } from './transitions';

export function giveUpAnswer(state: ExecutionState): AnswerInput {
  const task = state.task;
  let cause = state.stepError?.Error ?? 'unknown error';
  try {
    const c = JSON.parse(state.stepError?.Cause ?? '{}') as { errorType?: string; errorMessage?: string };
    if (c.errorMessage) cause = `${c.errorType ?? cause}: ${c.errorMessage}`;
  } catch {
    if (state.stepError?.Cause) cause = `${cause}: ${state.stepError.Cause}`;
  }
  return sayWhatStays(
    {
      status: 'FAILED',
      physicalResourceId: physicalIdFor(state, managedIdOf(task)),
      reason: `The provider's ${state.next} step failed ${state.stepFailures.count} times in a row while ${describeTask(task)} (last error: ${cause}). See the provider's log group for details; deploying again retries.`,
    },
    task,
    state.request,
  );
}
