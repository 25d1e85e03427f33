/**
 * Every timing of the provider in one place, each with the reason for its value. Pure constants: the
 * Lambda, the state machine's definition (`lib/`) and the tests read them from here.
 */

// --- The poll schedule: how long the wait loop waits between two looks at Atlas --------------------------

/**
 * The wait between two looks, fixed. Atlas's status tells nothing of how long INITIATING or DELETING will
 * last (the benchmark's services take 30 s to 45 min), so no schedule can aim at the moment Atlas is done:
 * a look every 14 s answers at most 14 s and on average 7 s after it, and costs a third of the Atlas calls
 * of a 5 s poll. (Waits that grow answer a long wait up to their cap late, every time.) See README
 * "Performance" and `npm run bench`.
 */
export const POLL_INTERVAL_SECONDS = 14;

/**
 * Waiting for a service someone else is deleting (it may be stuck for an hour): the first wait, growing by
 * half after each look, to a minute's cap, so that half an hour of waiting costs some 40 looks, not 130.
 */
export const OTHERS_DELETION_WAIT = { firstSeconds: 5, factor: 1.5, capSeconds: 60 } as const;
/** Shortest wait Step Functions is asked for: a Wait state of 0 s would spin. */
export const MIN_WAIT_SECONDS = 1;

// --- Asking CloudFormation -------------------------------------------------------------------------------------

/**
 * The looks at the door before a request whose resource is not (yet) in the status it implies is dropped:
 * CloudFormation's describe calls may show a status one step behind for a few seconds. Waits between looks
 * (0, 1, 3, 7 and 15 s): within the ServiceToken function's 30 s.
 */
export const DOOR_LOOK_WAITS_SECONDS: readonly number[] = [1, 2, 4, 8];
/** While waiting for Atlas, CloudFormation is looked at this often (and before every act), so a request it gave up on stops within a minute. */
export const CLOUDFORMATION_LOOK_INTERVAL_SECONDS = 60;
/** A look before an act that shows an older status (a lagging read) is made again after this wait, at most this many times; then the request fails without acting. */
export const BEHIND_WAIT_SECONDS = 5;
export const BEHIND_LOOKS_MAX = 12;
/**
 * After the answer: the waits between looks for CloudFormation's verdict on it (2 s, doubling to a minute), for
 * at least CONFIRM_WINDOW_SECONDS after the answer, and until the request's ServiceTimeout and this grace have
 * passed (an answer that could not be delivered is settled by CloudFormation giving up at its ServiceTimeout).
 */
export const CONFIRM_WAIT = { firstSeconds: 2, factor: 2, capSeconds: 60 } as const;
export const CONFIRM_WINDOW_SECONDS = 300;
export const CONFIRM_GRACE_SECONDS = 120;
/** Time a removal of what CloudFormation did not take gets, from when CloudFormation moved on (the request's own deadline may have passed). */
export const CLEANUP_SECONDS = 1800;
/** A removal Atlas refused (or that failed) is tried again after 30 s, doubling to 5 minutes, within CLEANUP_SECONDS. */
export const CLEANUP_RETRY = { firstSeconds: 30, capSeconds: 300 } as const;
/** Empty looks, a poll interval apart, before "an unclear create or register made nothing" is concluded (Atlas's lists lag). */
export const UNSEEN_EMPTY_LOOKS = 3;

// --- Failed steps: counted and retried by the state machine --------------------------------------------------

/** The backoff a failure count starts from; the state machine doubles it before each retry: 10 s, then 20 s. */
export const STEP_FAILURE_BACKOFF_SEED_SECONDS = 5;

/** Lambda service errors (the function never ran): retried by the Task itself, quickly, as AWS advises. */
export const LAMBDA_SERVICE_RETRY = { intervalSeconds: 2, backoffRate: 2, maxAttempts: 6 } as const;
/** The answer step: its PUT may meet a passing S3 error; about 5 minutes of retries, well inside the URL's 2 hours. */
export const ANSWER_STEP_RETRY = { intervalSeconds: 5, backoffRate: 2, maxAttempts: 6 } as const;

// --- Lambda timeouts --------------------------------------------------------------------------------------------

/** The step function: a step makes a few Atlas calls, each ending within ATLAS_CALL_MAX_MS plus one attempt. */
export const STEP_LAMBDA_TIMEOUT_SECONDS = 90;
/** The ServiceToken function: one Step Functions StartExecution call, or one direct FAILED answer. */
export const ON_EVENT_LAMBDA_TIMEOUT_SECONDS = 30;

// --- One Atlas call -----------------------------------------------------------------------------------------------

/** Attempts of one call, the first included: enough for a passing 5xx or dropped connection, no more. */
export const ATLAS_MAX_ATTEMPTS = 4;
/** First backoff ceiling (doubles per attempt, full jitter) and the largest one. */
export const ATLAS_BACKOFF_BASE_MS = 500;
export const ATLAS_BACKOFF_MAX_MS = 8_000;
/** Sleep a client may spend between attempts unless its caller says otherwise. */
export const ATLAS_RETRY_BUDGET_MS = 10_000;
/** Sleep a Lambda step may spend between attempts; longer waits are the wait loop's, which costs nothing. */
export const STEP_ATLAS_RETRY_BUDGET_MS = 5_000;
/** No attempt starts after this, so that a call (each attempt bounded below) ends well inside the step's 90 s. */
export const ATLAS_CALL_MAX_MS = 45_000;

// --- The deadline: the answer must reach CloudFormation before its ServiceTimeout --------------------------

/** CloudFormation's ServiceTimeout when the template gives none, and the most it accepts (one hour). */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
export const MAX_SERVICE_TIMEOUT_SECONDS = 3600;
/**
 * The margin kept before ServiceTimeout: after the deadline no step starts a look at Atlas, so the margin
 * holds the last look (one Atlas call, up to ATLAS_CALL_MAX_MS, started just before the deadline) and the
 * answer step (ANSWER_STEP_SECONDS), and, for long timeouts, a tenth of the timeout more for the time between
 * CloudFormation sending the request and the provider seeing it (asynchronous invoke and its retries), at
 * most 3 minutes. Proportionate: a 2-minute timeout keeps 50 s, not most of its time.
 */
export const DEADLINE_MARGIN_FRACTION = 0.1;
export const DEADLINE_MARGIN_MAX_SECONDS = 180;
/** The answer step: one PUT to the ResponseURL, a few seconds even when the first attempt is reset. */
export const ANSWER_STEP_SECONDS = 5;
export const DEADLINE_MARGIN_MIN_SECONDS = ATLAS_CALL_MAX_MS / 1000 + ANSWER_STEP_SECONDS;

/** The margin kept before a `ServiceTimeout` of `serviceTimeoutSeconds`. */
export function deadlineMarginSeconds(serviceTimeoutSeconds: number): number {
  return Math.min(
    DEADLINE_MARGIN_MAX_SECONDS,
    Math.max(DEADLINE_MARGIN_MIN_SECONDS, Math.ceil(serviceTimeoutSeconds * DEADLINE_MARGIN_FRACTION)),
  );
}

/**
 * The least time the wait needs before the deadline: one wait of the poll schedule and one Atlas call, so a
 * request can see Atlas change at least once. A ServiceTimeout whose margin leaves less is refused (at synth
 * time by the constructs, in the property check for plain templates) rather than run to an early deadline.
 */
export const MIN_WAIT_BEFORE_DEADLINE_SECONDS = POLL_INTERVAL_SECONDS + ATLAS_CALL_MAX_MS / 1000;

/** The smallest ServiceTimeout whose margin leaves MIN_WAIT_BEFORE_DEADLINE_SECONDS (109 s). */
export const MIN_SERVICE_TIMEOUT_SECONDS = smallestServiceTimeout();

function smallestServiceTimeout(): number {
  let t = MIN_WAIT_BEFORE_DEADLINE_SECONDS;
  while (t - deadlineMarginSeconds(t) < MIN_WAIT_BEFORE_DEADLINE_SECONDS) t++;
  return t;
}

// --- Looks within one step ---------------------------------------------------------------------------------------

/**
 * A step that finds Atlas not done yet sleeps the poll interval and looks again itself, while the next look
 * still starts within this many seconds of the step's start; then Step Functions does the next wait. Sleeping
 * in the step is cheaper than the three state transitions a wait in Step Functions costs (14 s of the
 * 256 MB arm64 function: 4.7e-5 USD; three transitions: 7.5e-5 USD) and saves the invocations. The budget
 * leaves the last look a whole call (ATLAS_CALL_MAX_MS) and a margin inside the step's timeout.
 */
export const IN_STEP_POLL_BUDGET_SECONDS = STEP_LAMBDA_TIMEOUT_SECONDS - ATLAS_CALL_MAX_MS / 1000 - 5;

// --- One HTTP exchange (Atlas and the ResponseURL) ----------------------------------------------------------------

/** One attempt takes at most about 35 s (connect + headers + body): well inside a step's 90 s. */
export const HTTP_CONNECT_TIMEOUT_MS = 5_000;
export const HTTP_HEADERS_TIMEOUT_MS = 15_000;
export const HTTP_BODY_TIMEOUT_MS = 15_000;
/** The whole exchange, however the server paces its answer (the body timeout is a silence between chunks). */
export const HTTP_TOTAL_TIMEOUT_MS = 35_000;
/** Idle connections are kept this long: a poll a few seconds later reuses its TLS session. */
export const HTTP_KEEP_ALIVE_MS = 10_000;

// --- Delivering the answer -------------------------------------------------------------------------------------------

/** PUTs within one answer step; the state machine retries the whole step beyond that (ANSWER_STEP_RETRY). */
export const ANSWER_PUT_ATTEMPTS = 3;
/** Wait before the next PUT: 250 ms × 2^attempt (0.5 s, 1 s, ...), at most 8 s, so the step ends long before its timeout. */
export const ANSWER_PUT_BACKOFF_BASE_MS = 250;
export const ANSWER_PUT_BACKOFF_MAX_MS = 8_000;

// --- Credentials ----------------------------------------------------------------------------------------------------

/** A read secret is reused this long: a rotated secret is picked up within minutes without a redeploy. */
export const CREDENTIALS_MAX_AGE_MS = 5 * 60_000;
/** A service account token is renewed this long before it expires (or a tenth of its life, the larger, at most half). */
export const TOKEN_RENEW_BEFORE_MS = 60_000;
