/** How long the wait loop waits before the next look at Atlas: the poll schedule, never past the deadline. */
import { MIN_WAIT_SECONDS, POLL_CAP_SECONDS, POLL_FACTOR, POLL_FIRST_SECONDS } from '../../model/timing';
import { OUTCOME } from '../../model/wait-loop';
import type { Task } from '../tasks';
import { deadlineVerdict, remainingSeconds } from './deadline';
import type { Clocked, Verdict } from './verdict';

/** The wait after `polls` polls: the first wait, growing by the factor, to the cap. */
export function pollWaitSeconds(polls: number): number {
  return Math.min(POLL_CAP_SECONDS, Math.round(POLL_FIRST_SECONDS * POLL_FACTOR ** Math.max(0, polls)));
}

/**
 * Wait `seconds` (cut to what is left before the deadline) and come back, or, once the deadline has
 * passed, the deadline verdict.
 */
export function waitWithin(
  c: Clocked,
  seconds: number,
  onDeadline: { physicalResourceId: string; activity: string; lastStatus: string | undefined },
  task?: Task,
): Verdict {
  const remaining = remainingSeconds(c);
  if (remaining < MIN_WAIT_SECONDS) return deadlineVerdict(onDeadline.physicalResourceId, onDeadline.activity, onDeadline.lastStatus);
  return {
    outcome: OUTCOME.wait,
    waitSeconds: Math.max(MIN_WAIT_SECONDS, Math.min(seconds, remaining)),
    ...(onDeadline.lastStatus !== undefined ? { lastStatus: onDeadline.lastStatus } : {}),
    ...(task ? { task } : {}),
  };
}

/** Atlas is not there yet (its status says so): wait the poll schedule's next wait, within the deadline. */
export function waitOrDeadline(c: Clocked, lastStatus: string | undefined, physicalResourceId: string, activity: string): Verdict {
  return waitWithin(c, pollWaitSeconds(c.polls), { physicalResourceId, activity, lastStatus });
}
