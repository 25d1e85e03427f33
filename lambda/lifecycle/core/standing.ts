/**
 * Whether CloudFormation is still waiting for a request, and what it did with an answer, as CloudFormation
 * itself says (`DescribeStackResource`, `DescribeStacks`: `cloudformation/stack-view.ts`). Pure: the
 * adapters look, this decides. Nothing here reads Step Functions or guesses from the order of requests.
 *
 * - At the door (`judgeAtDoor`) a request is served only while its resource is in the status the request
 *   implies: `CREATE_IN_PROGRESS`; `UPDATE_IN_PROGRESS` or `DELETE_IN_PROGRESS` with the request's physical id
 *   (a cleanup Delete may find the logical id showing its current resource, see `isCleanupDelete`). What it
 *   saw is the request's stamp.
 * - Later (`judgeSince`) the request is still wanted while the resource shows exactly that stamp; a newer
 *   status change means CloudFormation moved on (cancelled, timed out, rolled back); an older one is a
 *   lagging read, looked at again.
 * - After the answer (`judgeAnswer`) what the request made is the stack's once the resource shows the
 *   answered physical id; it is nobody's once CloudFormation moved on without it.
 */
import type { CloudFormationRequest } from '../../cloudformation/request';
import type { StackResourceView } from '../../cloudformation/stack-view';

/** What CloudFormation showed for the request's resource when the request was accepted. */
export interface Stamp {
  status: string;
  physicalResourceId?: string;
  /** Epoch ms: `LastUpdatedTimestamp`. */
  lastUpdated: number;
}

export type Standing =
  /** CloudFormation is waiting for this request. */
  | { kind: 'current'; stamp: Stamp }
  /** The look shows a status from before the request (a read that lags): look again. */
  | { kind: 'behind'; why: string }
  /** CloudFormation is no longer waiting for this request. */
  | { kind: 'moved-on'; why: string };

/**
 * How long after the request was signed its resource's status may still change for it. CloudFormation sets
 * the status before it sends the request; a status set later than this is a later request's, so a late
 * delivery (Lambda's asynchronous retry comes after one and two minutes) that finds its status again is not
 * taken for it.
 */
export const STATUS_AFTER_SENT_SLACK_MS = 60_000;

const CLEANUP_PHASES = ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'];

/** Whether `a` and `b` are the physical ids of a replacement and what it replaced (either way round). */
export type ReplacementPair = (resourceType: string, a: string, b: string) => boolean;

function expectedStatus(request: CloudFormationRequest): string {
  return `${request.RequestType.toUpperCase()}_IN_PROGRESS`;
}

function stampOf(view: StackResourceView): Stamp {
  const r = view.resource!;
  return {
    status: r.status,
    lastUpdated: r.lastUpdated,
    ...(r.physicalResourceId !== undefined ? { physicalResourceId: r.physicalResourceId } : {}),
  };
}

/**
 * A Delete in a stack's cleanup phase of an id the logical id no longer shows: CloudFormation removes what
 * a replacement replaced (or, after a rollback, the replacement), and may show the logical id's current
 * resource meanwhile. Genuine only when the current resource and the deleted id are a replacement pair.
 */
export function isCleanupDelete(request: CloudFormationRequest, view: StackResourceView, pair: ReplacementPair): boolean {
  const r = view.resource;
  return (
    request.RequestType === 'Delete' &&
    r !== undefined &&
    CLEANUP_PHASES.includes(view.stackStatus ?? '') &&
    r.physicalResourceId !== undefined &&
    r.physicalResourceId !== request.PhysicalResourceId &&
    !r.status.endsWith('_IN_PROGRESS') &&
    pair(request.ResourceType, r.physicalResourceId, request.PhysicalResourceId ?? '')
  );
}

/** The first look, before anything acts: is CloudFormation waiting for this request? */
export function judgeAtDoor(request: CloudFormationRequest, sentAt: number, view: StackResourceView, pair: ReplacementPair): Standing {
  const r = view.resource;
  if (view.stackStatus === undefined) return { kind: 'behind', why: 'CloudFormation knows no such stack' };
  if (!r) return { kind: 'behind', why: `stack has no resource ${request.LogicalResourceId}` };
  if (r.resourceType !== request.ResourceType)
    return { kind: 'moved-on', why: `the stack's ${request.LogicalResourceId} is a ${r.resourceType}, not a ${request.ResourceType}` };
  if (r.lastUpdated > sentAt + STATUS_AFTER_SENT_SLACK_MS)
    return { kind: 'moved-on', why: `the resource's status changed after this request (${r.status}): a later request is under way` };
  if (isCleanupDelete(request, view, pair)) return { kind: 'current', stamp: stampOf(view) };
  const expected = expectedStatus(request);
  const idMatches = request.RequestType === 'Create' || r.physicalResourceId === request.PhysicalResourceId;
  if (r.status === expected && idMatches) return { kind: 'current', stamp: stampOf(view) };
  return { kind: 'behind', why: `the resource is ${r.status}${r.physicalResourceId ? ` (${r.physicalResourceId})` : ''}, not ${expected}` };
}

/** A later look, before an act or while waiting: is CloudFormation still waiting for this request? */
export function judgeSince(stamp: Stamp, view: StackResourceView): Standing {
  const r = view.resource;
  if (!r) return { kind: 'behind', why: 'the resource is not shown' };
  if (r.lastUpdated > stamp.lastUpdated)
    return { kind: 'moved-on', why: `the resource is now ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}` };
  if (r.lastUpdated < stamp.lastUpdated) return { kind: 'behind', why: 'the look shows an older status' };
  if (r.status === stamp.status && r.physicalResourceId === stamp.physicalResourceId) return { kind: 'current', stamp };
  return { kind: 'moved-on', why: `the resource is now ${r.status}` };
}

export type AnswerFate =
  /** CloudFormation holds the answered physical id: what the request made is the stack's. */
  | { kind: 'taken' }
  /** CloudFormation moved on without it: what the request made is nobody's. */
  | { kind: 'ignored'; why: string }
  /** Not shown yet: look again. */
  | { kind: 'pending' };

/**
 * What CloudFormation did with an answer naming `answeredId` (what the request made). Taken when the
 * resource shows that id (in any later status: a rollback then deletes it through a Delete of its own), or
 * when the stack's forward cleanup deletes the id the Update came with (it replaced it with the answer);
 * ignored when the resource changed since the stamp and shows neither.
 */
export function judgeAnswer(request: CloudFormationRequest, stamp: Stamp, answeredId: string, view: StackResourceView): AnswerFate {
  const r = view.resource;
  if (r?.physicalResourceId === answeredId) return { kind: 'taken' };
  if (
    r &&
    request.RequestType === 'Update' &&
    view.stackStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' &&
    r.physicalResourceId === request.PhysicalResourceId &&
    r.status.startsWith('DELETE_')
  )
    return { kind: 'taken' };
  if (!r) return view.stackStatus === undefined ? { kind: 'pending' } : { kind: 'ignored', why: 'the stack no longer has the resource' };
  if (r.lastUpdated > stamp.lastUpdated)
    return {
      kind: 'ignored',
      why: `the resource is ${r.status}${r.physicalResourceId ? ` with ${r.physicalResourceId}` : ' with no physical id'}`,
    };
  return { kind: 'pending' };
}

/**
 * Whether a stamp is one the door could have accepted for this request: a step state is checked against it,
 * so a hand-made one cannot claim CloudFormation's word for a request CloudFormation never waited for.
 */
export function stampFits(request: CloudFormationRequest, stamp: Stamp, stackStatus: string | undefined, pair: ReplacementPair): boolean {
  const view: StackResourceView = { stackStatus: stackStatus ?? '', resource: { resourceType: request.ResourceType, ...stamp } };
  return judgeAtDoor(request, stamp.lastUpdated, view, pair).kind === 'current';
}

/**
 * CloudFormation is rolling the stack back after a failed update (`UPDATE_ROLLBACK_IN_PROGRESS`, as the door saw
 * it): the request puts back what the stack held, and a failure would leave the stack in UPDATE_ROLLBACK_FAILED.
 */
export function isRollingBack(stack: { readonly stackStatus?: string }): boolean {
  return stack.stackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS';
}
