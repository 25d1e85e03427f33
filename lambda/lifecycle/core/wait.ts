/** How long the wait loop waits before the next look at Atlas: the poll schedule, never past the deadline. */
import { MIN_WAIT_SECONDS, OTHERS_DELETION_WAIT, POLL_INTERVAL_SECONDS } from '../../model/timing';
import { OUTCOME } from '../../model/wait-loop';
import type { Task } from '../tasks';
import { type AtDeadline, deadlineVerdict, remainingSeconds } from './deadline';
import type { Clocked, Verdict } from './verdict';

/** The wait before the next look at Atlas: the poll interval, whatever came before. */
export function pollWaitSeconds(): number {
  return POLL_INTERVAL_SECONDS;
}

/** The wait after `looks` looks at a service another party is deleting: growing to a cap (see `OTHERS_DELETION_WAIT`). */
export function othersDeletionWaitSeconds(looks: number): number {
  const { firstSeconds, factor, capSeconds } = OTHERS_DELETION_WAIT;
  return Math.min(capSeconds, Math.round(firstSeconds * factor ** Math.max(0, looks)));
}

/**
 * Wait `seconds` (cut to what is left before the deadline) and come back, or, once the deadline has
 * passed, the deadline verdict.
 */
export function waitWithin(c: Clocked, seconds: number, onDeadline: AtDeadline, task?: Task): Verdict {
  const remaining = remainingSeconds(c);
  if (remaining < MIN_WAIT_SECONDS) return deadlineVerdict(onDeadline);
  return {
    outcome: OUTCOME.wait,
    waitSeconds: Math.max(MIN_WAIT_SECONDS, Math.min(seconds, remaining)),
    ...(onDeadline.lastStatus !== undefined ? { lastStatus: onDeadline.lastStatus } : {}),
    ...(task ? { task } : {}),
  };
}

/** Atlas is not there yet (its status says so): wait the poll schedule's next wait, within the deadline. */
export function waitOrDeadline(c: Clocked, lastStatus: string | undefined, physicalResourceId: string, activity: string): Verdict {
  return waitWithin(c, pollWaitSeconds(), { physicalResourceId, activity, lastStatus });
}

/**
 * Atlas has accepted a deletion and not finished it yet: wait the poll schedule's next wait while the deadline
 * allows, and at the deadline answer SUCCESS (Atlas finishes the deletion on its own).
 */
export function waitForDeletion(c: Clocked, lastStatus: string | undefined, physicalResourceId: string, activity: string): Verdict {
  return waitWithin(c, pollWaitSeconds(), { physicalResourceId, activity, lastStatus, deletionAccepted: true });
}
