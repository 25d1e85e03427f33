/**
 * The deadline: when the answer must be out, and the one verdict for a request whose time ran out, whatever
 * it was waiting for.
 */
import { deadlineMarginSeconds, MAX_SERVICE_TIMEOUT_SECONDS } from '../../model/timing';
import { OUTCOME } from '../../model/wait-loop';
import type { Clocked, Verdict } from './verdict';

/**
 * When the answer must be out: CloudFormation's `ServiceTimeout` minus the margin for the last look at Atlas,
 * the answer step and the delivery of the request (`deadlineMarginSeconds`). A ServiceTimeout below
 * MIN_SERVICE_TIMEOUT_SECONDS is refused by the property check; a Delete still gets at least a second.
 */
export function deadlineFor(receivedAt: number, serviceTimeoutSeconds: number): number {
  return receivedAt + Math.max(1, serviceTimeoutSeconds - deadlineMarginSeconds(serviceTimeoutSeconds)) * 1000;
}

/** Whole seconds left before the deadline (zero or less once it has passed). */
export function remainingSeconds(c: Pick<Clocked, 'now' | 'deadlineAt'>): number {
  return Math.floor((c.deadlineAt - c.now) / 1000);
}

/** What the request was doing when its time ran out. */
export interface AtDeadline {
  readonly physicalResourceId: string;
  /** "waiting for service … to be deleted" */
  readonly activity: string;
  readonly lastStatus: string | undefined;
  /**
   * Atlas has accepted the deletion (its DELETE answered 202/204, or the service or registration was DELETING
   * already): it finishes on its own, so running out of time is no failure.
   */
  readonly deletionAccepted?: boolean;
}

/**
 * The verdict for a request whose time ran out. A deletion Atlas accepted answers SUCCESS: Atlas finishes it
 * whatever CloudFormation hears, and a FAILED Delete would only leave the stack in DELETE_FAILED or
 * ROLLBACK_FAILED over a resource that is going away. Anything else ends FAILED with the last status Atlas
 * reported, before CloudFormation's own timeout.
 */
export function deadlineVerdict(at: AtDeadline): Verdict {
  if (at.deletionAccepted) {
    return { outcome: OUTCOME.deadline, answer: { status: 'SUCCESS', physicalResourceId: at.physicalResourceId } };
  }
  return {
    outcome: OUTCOME.deadline,
    answer: {
      status: 'FAILED',
      physicalResourceId: at.physicalResourceId,
      reason:
        `Timed out while ${at.activity}; the last status Atlas reported was ${at.lastStatus ?? 'unknown'}. ` +
        `The wait stops before CloudFormation's ServiceTimeout so that this answer arrives; raise ServiceTimeout (up to ${MAX_SERVICE_TIMEOUT_SECONDS} seconds) if Atlas needs longer.`,
    },
  };
}

/** True for the verdict of a deadline that came while Atlas was carrying out a deletion it had accepted. */
export function isDeletionUnderway(verdict: Verdict): boolean {
  return verdict.outcome === OUTCOME.deadline && verdict.answer.status === 'SUCCESS';
}
