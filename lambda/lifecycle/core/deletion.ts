/**
 * The deletion protocol every resource follows: ask Atlas to delete, take 404 as done, take a refusal as the
 * end of the request unless the deletion is under way already, and otherwise wait until it is gone while the
 * deadline allows. Once Atlas has accepted the deletion the deadline answers SUCCESS: Atlas finishes it alone.
 */
import { AtlasApiError } from '../../atlas/errors';
import { describeError, type LogFields } from '../../logging';
import { OUTCOME } from '../../model/wait-loop';
import { describeTask, type Task } from '../tasks';
import type { ExecutionState } from './execution-state';
import type { StepPorts } from './ports';
import { answerIdOnFailure, apply, clockOf, fail, physicalIdFor } from './transitions';
import { waitForDeletion, waitOrDeadline } from './wait';

export interface Deletion {
  state: ExecutionState;
  ports: StepPorts;
  log: LogFields;
  /** Asks Atlas to delete. */
  del: () => Promise<void>;
  /** The reason when Atlas refuses and nothing is being deleted. */
  refusal: (err: AtlasApiError) => string;
  /** The task that waits until it is gone. */
  then: Task;
  /** True when Atlas is deleting it already (on its own, or after an earlier attempt's request). */
  alreadyGoing: () => Promise<boolean>;
  /**
   * True when the refusal lasts only until Atlas finishes removals it has accepted (a service whose
   * registrations are being removed): the delete is asked again after the poll interval, while the deadline allows.
   */
  refusedUntilRemovalsEnd?: () => Promise<boolean>;
}

export async function requestDeletion(d: Deletion): Promise<ExecutionState> {
  const { state, ports, log } = d;
  try {
    await d.del();
  } catch (err) {
    if (err instanceof AtlasApiError && err.isNotFound) {
      ports.logger.info('Already gone', log);
      return apply(state, { outcome: OUTCOME.ready, answer: { status: 'SUCCESS', physicalResourceId: physicalIdFor(state) } }, ports, log);
    }
    if (err instanceof AtlasApiError && !err.retryable) {
      if (!(await d.alreadyGoing())) {
        if (!(await d.refusedUntilRemovalsEnd?.())) return fail(state, d.refusal(err), ports, log);
        ports.logger.info('Atlas refuses the delete until the removals it accepted are done; asking again', {
          ...log,
          error: describeError(err),
        });
        const activity = `${describeTask(state.task)} (${d.refusal(err)}; the removals Atlas accepted had not finished)`;
        return apply(state, waitOrDeadline(clockOf(state, ports), state.lastStatus, answerIdOnFailure(state), activity), ports, log);
      }
      ports.logger.info('Atlas refused the delete, but the deletion is under way already', { ...log, error: describeError(err) });
    } else throw err;
  }
  ports.logger.info('Deletion requested', log);
  // Accepted: wait for it to be gone while the deadline allows; past it, the deletion is Atlas's to finish.
  return apply(
    state,
    waitForDeletion(clockOf(state, ports), state.lastStatus, physicalIdFor(state), describeTask(d.then)),
    ports,
    log,
    d.then,
  );
}
