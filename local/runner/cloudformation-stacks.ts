/**
 * CloudFormation's side of `DescribeStackResource` and `DescribeStacks` for the stacks the runner plays: per
 * StackId the stack's status, per logical id the resource's type, status, reason, physical id and last change
 * (on the runner's clock), moved as CloudFormation moves them when it sends a request, takes an answer, gives
 * up on a request and ends a stack operation. The provider asks it through the same port as the AWS adapter.
 *
 * Statuses follow CloudFormation's user guide and what is observed of custom resources (see the notes on the
 * custom resource protocol): a Create CloudFormation gives up on shows `CREATE_FAILED` "Resource creation
 * cancelled" without a physical id, then the rollback's `DELETE_IN_PROGRESS` of a made-up one; an Update it gives
 * up on shows `UPDATE_FAILED` with the old id while the stack rolls back.
 */
import type { Answer } from '../../lambda/cloudformation/answer';
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import type { CloudFormationReader, StackResourceDetail, StackResourceView } from '../../lambda/cloudformation/stack-view';

/**
 * The part of a stack operation a request is sent in: `forward` (creating or updating the stack), `rollback`
 * (undoing a failed create or update), `cleanup` (deleting what an update replaced or dropped, after the
 * update or after its rollback), `delete` (deleting the stack).
 */
export type StackPhase = 'forward' | 'rollback' | 'cleanup' | 'delete';

/**
 * What `DescribeStackResource` shows for the logical id while a cleanup phase deletes a physical id that is not
 * the logical id's current one (a replaced one): CloudFormation does not document it. `old`: that id in
 * `DELETE_IN_PROGRESS`; `current`: the logical id's current resource (the replacement) as it was.
 */
export type CleanupShows = 'old' | 'current';

export interface CloudFormationStacksOptions {
  /** Seconds of the runner's clock after each change during which `describe` shows the view before it (default 0). */
  lagSeconds?: number;
  /** Default `old`. */
  cleanupShows?: CleanupShows;
}

/** A resource's or stack's value as shown, and the one before its last change (what a lagging read returns). */
interface Shown<T> {
  value: T;
  before: T;
  changedAt: number;
}

interface StackModel {
  stackId: string;
  status?: string;
  /** The stack reached CREATE_COMPLETE once: a forward request is an update, a rollback an update rollback. */
  created: boolean;
  /** The stack operation under way rolled back: its cleanup is the rollback's. */
  rolledBack: boolean;
  /** A request of the operation's rollback or delete failed or went unanswered: the operation ends FAILED. */
  failed: boolean;
  /** The logical ids' current resources. */
  resources: Map<string, StackResourceDetail>;
  /** Under `cleanupShows: 'old'`, a replaced physical id being deleted in cleanup, shown instead of the current. */
  replaced: Map<string, StackResourceDetail>;
  shownStatus: Shown<string | undefined>;
  shownResources: Map<string, Shown<StackResourceDetail | undefined>>;
}

/** What a request did to the model when it was sent, to know what its answer or abandonment changes. */
interface SentRequest {
  phase: StackPhase;
  /** The request concerns a replaced physical id, not the logical id's current resource. */
  replaced: boolean;
  /** The current resource's physical id when the request was sent (kept when an Update fails). */
  previousId?: string;
}

const COMPLETE: Record<string, (failed: boolean) => string> = {
  CREATE_IN_PROGRESS: () => 'CREATE_COMPLETE',
  UPDATE_IN_PROGRESS: () => 'UPDATE_COMPLETE',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: () => 'UPDATE_COMPLETE',
  ROLLBACK_IN_PROGRESS: (failed) => (failed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE'),
  UPDATE_ROLLBACK_IN_PROGRESS: (failed) => (failed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE'),
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: (failed) => (failed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE'),
  DELETE_IN_PROGRESS: (failed) => (failed ? 'DELETE_FAILED' : 'DELETE_COMPLETE'),
};

/** How CloudFormation words a request it stopped waiting for, by request type. */
const CANCELLED: Record<string, string> = {
  Create: 'Resource creation cancelled',
  Update: 'Resource update cancelled',
  Delete: 'Resource deletion cancelled',
};

export class CloudFormationStacks implements CloudFormationReader {
  private readonly stacks = new Map<string, StackModel>();
  private readonly sent = new Map<string, SentRequest>();
  private readonly lagMs: number;
  readonly cleanupShows: CleanupShows;
  /** Errors the next `describe` calls throw, one each (what the AWS adapter throws once its retries are spent). */
  readonly faults: Error[] = [];
  /** `describe` calls (each is one DescribeStacks and one DescribeStackResource on AWS). */
  describeCalls = 0;
  /** `describe` calls by StackId. */
  readonly describeCallsByStack = new Map<string, number>();

  /** `now` is the runner's clock (epoch ms). */
  constructor(
    private readonly now: () => number,
    options: CloudFormationStacksOptions = {},
  ) {
    this.lagMs = Math.max(0, options.lagSeconds ?? 0) * 1000;
    this.cleanupShows = options.cleanupShows ?? 'old';
  }

  /** The port: one look, as CloudFormation's eventually consistent reads may return it (lagging when asked to). */
  async describe(stackId: string, logicalResourceId: string): Promise<StackResourceView> {
    this.describeCalls++;
    const fault = this.faults.shift();
    if (fault) throw fault;
    this.describeCallsByStack.set(stackId, (this.describeCallsByStack.get(stackId) ?? 0) + 1);
    const stack = this.stacks.get(stackId);
    if (!stack) return {};
    const status = this.read(stack.shownStatus);
    const shown = stack.shownResources.get(logicalResourceId);
    const resource = shown ? this.read(shown) : undefined;
    return { ...(status ? { stackStatus: status } : {}), ...(resource ? { resource: { ...resource } } : {}) };
  }

  /** What CloudFormation holds now, without lag and without counting a call (for tests and the runner). */
  view(stackId: string, logicalResourceId: string): StackResourceView {
    const stack = this.stacks.get(stackId);
    if (!stack) return {};
    const resource = this.shownResource(stack, logicalResourceId);
    return { ...(stack.status ? { stackStatus: stack.status } : {}), ...(resource ? { resource: { ...resource } } : {}) };
  }

  /** The stack's status now (undefined for a stack CloudFormation never had). */
  stackStatus(stackId: string): string | undefined {
    return this.stacks.get(stackId)?.status;
  }

  /**
   * CloudFormation sends a request: the stack enters the phase's status, the resource the request's
   * `…_IN_PROGRESS` (a Create without a physical id; an Update or Delete with the request's).
   */
  requestSent(event: CloudFormationRequest, phase: StackPhase): void {
    const stack = this.stack(event.StackId);
    this.enterPhase(stack, phase);
    const logicalId = event.LogicalResourceId;
    const current = stack.resources.get(logicalId);
    const at = this.now();
    const sent: SentRequest = {
      phase,
      replaced: false,
      ...(current?.physicalResourceId ? { previousId: current.physicalResourceId } : {}),
    };
    if (event.RequestType === 'Create') {
      stack.resources.set(logicalId, { resourceType: event.ResourceType, status: 'CREATE_IN_PROGRESS', lastUpdated: at });
    } else if (event.RequestType === 'Update') {
      stack.resources.set(logicalId, {
        resourceType: event.ResourceType,
        status: 'UPDATE_IN_PROGRESS',
        ...(event.PhysicalResourceId ? { physicalResourceId: event.PhysicalResourceId } : {}),
        lastUpdated: at,
      });
    } else {
      const deleting: StackResourceDetail = {
        resourceType: event.ResourceType,
        status: 'DELETE_IN_PROGRESS',
        ...(event.PhysicalResourceId ? { physicalResourceId: event.PhysicalResourceId } : {}),
        lastUpdated: at,
      };
      sent.replaced = phase === 'cleanup' && current !== undefined && current.physicalResourceId !== event.PhysicalResourceId;
      if (!sent.replaced) stack.resources.set(logicalId, deleting);
      else if (this.cleanupShows === 'old') stack.replaced.set(logicalId, deleting);
    }
    this.sent.set(event.ResponseURL, sent);
    this.publish(stack);
  }

  /** CloudFormation takes an answer that came in time. */
  answered(event: CloudFormationRequest, answer: Pick<Answer, 'Status' | 'PhysicalResourceId' | 'Reason'>): void {
    const sent = this.sent.get(event.ResponseURL);
    const stack = this.stacks.get(event.StackId);
    if (!sent || !stack) return;
    this.sent.delete(event.ResponseURL);
    const failed = answer.Status !== 'SUCCESS';
    const reason = failed ? answer.Reason : undefined;
    if (event.RequestType === 'Create') {
      this.settle(stack, event.LogicalResourceId, failed ? 'CREATE_FAILED' : 'CREATE_COMPLETE', answer.PhysicalResourceId, reason);
    } else if (event.RequestType === 'Update') {
      const id = failed ? (sent.previousId ?? event.PhysicalResourceId) : answer.PhysicalResourceId;
      this.settle(stack, event.LogicalResourceId, failed ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE', id, reason);
    } else {
      this.settleDelete(stack, event, sent, failed ? 'DELETE_FAILED' : 'DELETE_COMPLETE', reason);
    }
    if (failed) this.failedIn(stack, sent.phase);
    this.publish(stack);
  }

  /** CloudFormation stops waiting for a request (cancelled, or its ServiceTimeout passed) before any answer. */
  abandoned(event: CloudFormationRequest, timedOut: boolean): void {
    const sent = this.sent.get(event.ResponseURL);
    const stack = this.stacks.get(event.StackId);
    if (!sent || !stack) return;
    this.sent.delete(event.ResponseURL);
    // The timeout's wording as reported for custom resources; the cancellation's as observed.
    const reason = timedOut
      ? `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${event.RequestId}].`
      : CANCELLED[event.RequestType]!;
    if (event.RequestType === 'Create') this.settle(stack, event.LogicalResourceId, 'CREATE_FAILED', undefined, reason);
    else if (event.RequestType === 'Update') {
      this.settle(stack, event.LogicalResourceId, 'UPDATE_FAILED', sent.previousId ?? event.PhysicalResourceId, reason);
    } else this.settleDelete(stack, event, sent, 'DELETE_FAILED', reason);
    this.failedIn(stack, sent.phase);
    this.publish(stack);
  }

  /**
   * The stack operation under way rolls back without a request having failed here (a sibling failed, the
   * stack was cancelled): the stack enters its rollback status.
   */
  rollBack(stackId: string): void {
    const stack = this.stack(stackId);
    this.enterPhase(stack, 'rollback');
    this.publish(stack);
  }

  /**
   * The logical id's resource is put back to `physicalResourceId` without a request (a rollback that sent no
   * Update back to the replaced resource): `UPDATE_COMPLETE` with that id.
   */
  restore(stackId: string, logicalResourceId: string, physicalResourceId: string): void {
    const stack = this.stack(stackId);
    const current = stack.resources.get(logicalResourceId);
    if (!current) return;
    stack.resources.set(logicalResourceId, {
      resourceType: current.resourceType,
      status: 'UPDATE_COMPLETE',
      physicalResourceId,
      lastUpdated: this.now(),
    });
    this.publish(stack);
  }

  /**
   * The stack operation under way ends: the stack takes the phase's `…_COMPLETE` (or `…_FAILED`) status; an
   * update or update rollback that completed no longer lists the resources it deleted.
   */
  operationEnded(stackId: string): void {
    const stack = this.stacks.get(stackId);
    if (!stack?.status) return;
    const next = COMPLETE[stack.status]?.(stack.failed);
    if (next) stack.status = next;
    if (next === 'CREATE_COMPLETE' || next === 'UPDATE_COMPLETE') stack.created = true;
    if (next === 'UPDATE_COMPLETE' || next === 'UPDATE_ROLLBACK_COMPLETE') {
      for (const [id, r] of stack.resources) if (r.status === 'DELETE_COMPLETE') stack.resources.delete(id);
    }
    stack.replaced.clear();
    stack.rolledBack = false;
    stack.failed = false;
    this.publish(stack);
  }

  /** A later template dropped the logical id: the stack no longer has it. */
  removeResource(stackId: string, logicalResourceId: string): void {
    const stack = this.stacks.get(stackId);
    if (!stack) return;
    stack.resources.delete(logicalResourceId);
    stack.replaced.delete(logicalResourceId);
    this.publish(stack);
  }

  private stack(stackId: string): StackModel {
    let stack = this.stacks.get(stackId);
    if (!stack) {
      stack = {
        stackId,
        created: false,
        rolledBack: false,
        failed: false,
        resources: new Map(),
        replaced: new Map(),
        shownStatus: { value: undefined, before: undefined, changedAt: 0 },
        shownResources: new Map(),
      };
      this.stacks.set(stackId, stack);
    }
    return stack;
  }

  private enterPhase(stack: StackModel, phase: StackPhase): void {
    if (phase === 'rollback') stack.rolledBack = true;
    stack.status = {
      forward: stack.created ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS',
      rollback: stack.created ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'ROLLBACK_IN_PROGRESS',
      cleanup: stack.rolledBack ? 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' : 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      delete: 'DELETE_IN_PROGRESS',
    }[phase];
  }

  /** A forward request failed: the stack rolls back; a rollback or delete request failed: the operation fails. */
  private failedIn(stack: StackModel, phase: StackPhase): void {
    if (phase === 'forward') this.enterPhase(stack, 'rollback');
    else if (phase === 'rollback' || phase === 'delete') stack.failed = true;
  }

  private settle(stack: StackModel, logicalId: string, status: string, physicalResourceId: string | undefined, reason?: string): void {
    const current = stack.resources.get(logicalId);
    if (!current) return;
    stack.resources.set(logicalId, {
      resourceType: current.resourceType,
      status,
      ...(reason ? { statusReason: reason } : {}),
      ...(physicalResourceId ? { physicalResourceId } : {}),
      lastUpdated: this.now(),
    });
  }

  private settleDelete(stack: StackModel, event: CloudFormationRequest, sent: SentRequest, status: string, reason?: string): void {
    if (!sent.replaced) return this.settle(stack, event.LogicalResourceId, status, event.PhysicalResourceId, reason);
    // A replaced id's cleanup: shown in its own right under 'old'; the current resource stays as it is.
    const shown = stack.replaced.get(event.LogicalResourceId);
    if (shown) {
      stack.replaced.set(event.LogicalResourceId, {
        ...shown,
        status,
        ...(reason ? { statusReason: reason } : {}),
        lastUpdated: this.now(),
      });
    }
  }

  private shownResource(stack: StackModel, logicalId: string): StackResourceDetail | undefined {
    return stack.replaced.get(logicalId) ?? stack.resources.get(logicalId);
  }

  /** Records what each look would now show; a changed value keeps the one before it for the lag. */
  private publish(stack: StackModel): void {
    const at = this.now();
    const change = <T>(shown: Shown<T>, value: T) => {
      if (JSON.stringify(shown.value) === JSON.stringify(value)) return;
      shown.before = shown.value;
      shown.value = value;
      shown.changedAt = at;
    };
    change(stack.shownStatus, stack.status);
    const ids = new Set([...stack.resources.keys(), ...stack.replaced.keys(), ...stack.shownResources.keys()]);
    for (const id of ids) {
      let shown = stack.shownResources.get(id);
      if (!shown) {
        shown = { value: undefined, before: undefined, changedAt: at };
        stack.shownResources.set(id, shown);
      }
      const value = this.shownResource(stack, id);
      change(shown, value ? { ...value } : undefined);
    }
  }

  private read<T>(shown: Shown<T>): T {
    return this.lagMs > 0 && this.now() < shown.changedAt + this.lagMs ? shown.before : shown.value;
  }
}
