/**
 * The deadline: when the answer must be out, and the one verdict for a request whose time ran out, whatever
 * it was waiting for.
 */
import {
  DEADLINE_MARGIN_FRACTION,
  DEADLINE_MARGIN_MAX_SECONDS,
  DEADLINE_MARGIN_MIN_SECONDS,
  DEADLINE_MARGIN_STEP_SECONDS,
  MAX_SERVICE_TIMEOUT_SECONDS,
} from '../../model/timing';
import { OUTCOME } from '../../model/wait-loop';
import type { Clocked, Verdict } from './verdict';

/**
 * When the answer must be out: CloudFormation's `ServiceTimeout` minus a margin for the time between
 * CloudFormation sending the request and the provider first seeing it, and for the answer step itself.
 */
export function deadlineFor(receivedAt: number, serviceTimeoutSeconds: number): number {
  const fraction = Math.min(
    DEADLINE_MARGIN_MAX_SECONDS,
    Math.max(DEADLINE_MARGIN_MIN_SECONDS, Math.round(serviceTimeoutSeconds * DEADLINE_MARGIN_FRACTION)),
  );
  const margin = Math.max(fraction, DEADLINE_MARGIN_STEP_SECONDS);
  return receivedAt + Math.max(1, serviceTimeoutSeconds - margin) * 1000;
}

/** Whole seconds left before the deadline (zero or less once it has passed). */
export function remainingSeconds(c: Pick<Clocked, 'now' | 'deadlineAt'>): number {
  return Math.floor((c.deadlineAt - c.now) / 1000);
}

/**
 * The request ran out of time while `activity` ("waiting for service … to be deleted"): FAILED, with the
 * last status Atlas reported, before CloudFormation's own timeout.
 */
export function deadlineVerdict(physicalResourceId: string, activity: string, lastStatus: string | undefined): Verdict {
  return {
    outcome: OUTCOME.deadline,
    answer: {
      status: 'FAILED',
      physicalResourceId,
      reason:
        `Timed out while ${activity}; the last status Atlas reported was ${lastStatus ?? 'unknown'}. ` +
        `The wait stops before CloudFormation's ServiceTimeout so that this answer arrives; raise ServiceTimeout (up to ${MAX_SERVICE_TIMEOUT_SECONDS} seconds) if Atlas needs longer.`,
    },
  };
}
