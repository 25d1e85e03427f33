/**
 * The runner's CloudFormation: what DescribeStackResource and DescribeStacks show through a stack's requests,
 * answers, cancellations, rollbacks and cleanups, and the lag of its eventually consistent reads.
 */
import type { CloudFormationRequest, RequestType } from '../../lambda/cloudformation/request';
import { type CleanupShows, CloudFormationStacks, type StackPhase } from '../../local/runner/cloudformation-stacks';

const STACK = 'arn:aws:cloudformation:us-east-1:000000000000:stack/app/1';
const TYPE = 'Custom::AtlasPrivateEndpointService';
const T0 = Date.UTC(2026, 11, 7, 16, 0, 0);

let clock: number;
let seq = 0;

function model(options: { lagSeconds?: number; cleanupShows?: CleanupShows } = {}): CloudFormationStacks {
  clock = T0;
  return new CloudFormationStacks(() => clock, options);
}

/** Sends a request into the model at the next second; returns the event. */
function send(m: CloudFormationStacks, type: RequestType, phase: StackPhase, physicalResourceId?: string, logicalId = 'Service') {
  clock += 1000;
  const event: CloudFormationRequest = {
    RequestType: type,
    ResponseURL: `http://127.0.0.1/cloudformation-responses/${++seq}`,
    StackId: STACK,
    RequestId: `r-${seq}`,
    ResourceType: TYPE,
    LogicalResourceId: logicalId,
    ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
    ResourceProperties: {},
  };
  m.requestSent(event, phase);
  return event;
}

function answer(
  m: CloudFormationStacks,
  event: CloudFormationRequest,
  status: 'SUCCESS' | 'FAILED',
  physicalResourceId: string,
  reason?: string,
) {
  clock += 1000;
  m.answered(event, { Status: status, PhysicalResourceId: physicalResourceId, ...(reason ? { Reason: reason } : {}) });
}

const shown = (m: CloudFormationStacks, logicalId = 'Service') => m.view(STACK, logicalId);

describe('a stack being created', () => {
  it('unknown before any request: neither stack nor resource', async () => {
    await expect(model().describe(STACK, 'Service')).resolves.toEqual({});
  });

  it('Create: CREATE_IN_PROGRESS without a physical id; SUCCESS: CREATE_COMPLETE with the answered id; the operation ends CREATE_COMPLETE', async () => {
    const m = model();
    const create = send(m, 'Create', 'forward');
    await expect(m.describe(STACK, 'Service')).resolves.toEqual({
      stackStatus: 'CREATE_IN_PROGRESS',
      resource: { resourceType: TYPE, status: 'CREATE_IN_PROGRESS', lastUpdated: T0 + 1000 },
    });
    answer(m, create, 'SUCCESS', 'svc-1');
    expect(shown(m)).toEqual({
      stackStatus: 'CREATE_IN_PROGRESS',
      resource: { resourceType: TYPE, status: 'CREATE_COMPLETE', physicalResourceId: 'svc-1', lastUpdated: T0 + 2000 },
    });
    m.operationEnded(STACK);
    expect(m.stackStatus(STACK)).toBe('CREATE_COMPLETE');
    // Another logical id of the stack: not there.
    await expect(m.describe(STACK, 'Other')).resolves.toEqual({ stackStatus: 'CREATE_COMPLETE' });
    expect(m.describeCalls).toBe(2);
    expect(m.describeCallsByStack.get(STACK)).toBe(2);
  });

  it('Create FAILED: CREATE_FAILED with the answered id and reason, the stack rolls back; the rollback Delete of that id; ROLLBACK_COMPLETE', () => {
    const m = model();
    const create = send(m, 'Create', 'forward');
    answer(m, create, 'FAILED', 'svc-1', 'Atlas refused');
    expect(shown(m)).toMatchObject({
      stackStatus: 'ROLLBACK_IN_PROGRESS',
      resource: { status: 'CREATE_FAILED', physicalResourceId: 'svc-1', statusReason: 'Atlas refused' },
    });
    const del = send(m, 'Delete', 'rollback', 'svc-1');
    expect(shown(m)).toMatchObject({
      stackStatus: 'ROLLBACK_IN_PROGRESS',
      resource: { status: 'DELETE_IN_PROGRESS', physicalResourceId: 'svc-1' },
    });
    answer(m, del, 'SUCCESS', 'svc-1');
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({
      stackStatus: 'ROLLBACK_COMPLETE',
      resource: { status: 'DELETE_COMPLETE', physicalResourceId: 'svc-1' },
    });
  });

  it('a Create cancelled before any answer: CREATE_FAILED "Resource creation cancelled" without an id, then the Delete of a made-up id', () => {
    const m = model();
    const create = send(m, 'Create', 'forward');
    clock += 30_000;
    m.abandoned(create, false);
    expect(shown(m)).toEqual({
      stackStatus: 'ROLLBACK_IN_PROGRESS',
      resource: { resourceType: TYPE, status: 'CREATE_FAILED', statusReason: 'Resource creation cancelled', lastUpdated: clock },
    });
    const del = send(m, 'Delete', 'rollback', 'app-Service-1A2B3C4D5E6F');
    expect(shown(m).resource).toMatchObject({ status: 'DELETE_IN_PROGRESS', physicalResourceId: 'app-Service-1A2B3C4D5E6F' });
    // The cancelled Create's late answer changes nothing.
    answer(m, create, 'SUCCESS', 'svc-late');
    expect(shown(m).resource).toMatchObject({ status: 'DELETE_IN_PROGRESS', physicalResourceId: 'app-Service-1A2B3C4D5E6F' });
    answer(m, del, 'SUCCESS', 'app-Service-1A2B3C4D5E6F');
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({ stackStatus: 'ROLLBACK_COMPLETE', resource: { status: 'DELETE_COMPLETE' } });
  });

  it('a Create whose ServiceTimeout passed: CREATE_FAILED with a reason that is not the cancellation', () => {
    const m = model();
    const create = send(m, 'Create', 'forward');
    m.abandoned(create, true);
    expect(shown(m).resource).toMatchObject({
      status: 'CREATE_FAILED',
      statusReason: expect.stringContaining('did not receive a response'),
    });
    expect(shown(m).resource?.physicalResourceId).toBeUndefined();
  });

  it('a failed rollback Delete: DELETE_FAILED, and the stack ends ROLLBACK_FAILED', () => {
    const m = model();
    m.abandoned(send(m, 'Create', 'forward'), false);
    answer(m, send(m, 'Delete', 'rollback', 'made-up'), 'FAILED', 'made-up', 'still there');
    expect(shown(m).resource).toMatchObject({ status: 'DELETE_FAILED', statusReason: 'still there' });
    m.operationEnded(STACK);
    expect(m.stackStatus(STACK)).toBe('ROLLBACK_FAILED');
  });
});

/** A stack whose Service was created as svc-A. */
function created(options: { lagSeconds?: number; cleanupShows?: CleanupShows } = {}): CloudFormationStacks {
  const m = model(options);
  answer(m, send(m, 'Create', 'forward'), 'SUCCESS', 'svc-A');
  m.operationEnded(STACK);
  return m;
}

describe('a stack being updated', () => {
  it('Update: UPDATE_IN_PROGRESS with the request id; a replacing SUCCESS, then the cleanup Delete of the old id', () => {
    const m = created();
    const update = send(m, 'Update', 'forward', 'svc-A');
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_IN_PROGRESS',
      resource: { status: 'UPDATE_IN_PROGRESS', physicalResourceId: 'svc-A' },
    });
    answer(m, update, 'SUCCESS', 'svc-B');
    expect(shown(m).resource).toMatchObject({ status: 'UPDATE_COMPLETE', physicalResourceId: 'svc-B' });
    const cleanup = send(m, 'Delete', 'cleanup', 'svc-A');
    // Undocumented; by default the old id is shown being deleted.
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      resource: { status: 'DELETE_IN_PROGRESS', physicalResourceId: 'svc-A' },
    });
    answer(m, cleanup, 'SUCCESS', 'svc-A');
    expect(shown(m).resource).toMatchObject({ status: 'DELETE_COMPLETE', physicalResourceId: 'svc-A' });
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_COMPLETE',
      resource: { status: 'UPDATE_COMPLETE', physicalResourceId: 'svc-B' },
    });
  });

  it("cleanupShows 'current': the replaced id's Delete shows the current resource throughout", () => {
    const m = created({ cleanupShows: 'current' });
    answer(m, send(m, 'Update', 'forward', 'svc-A'), 'SUCCESS', 'svc-B');
    const before = shown(m);
    const cleanup = send(m, 'Delete', 'cleanup', 'svc-A');
    expect(shown(m)).toEqual({ ...before, stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' });
    answer(m, cleanup, 'FAILED', 'svc-A', 'could not delete');
    expect(shown(m).resource).toEqual(before.resource);
    m.operationEnded(STACK);
    // A cleanup that failed does not fail the update.
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_COMPLETE',
      resource: { physicalResourceId: 'svc-B', status: 'UPDATE_COMPLETE' },
    });
  });

  it('Update FAILED: UPDATE_FAILED keeping the old id, the stack rolls back; the Update back; UPDATE_ROLLBACK_COMPLETE', () => {
    const m = created();
    answer(m, send(m, 'Update', 'forward', 'svc-A'), 'FAILED', 'svc-B', 'refused');
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
      resource: { status: 'UPDATE_FAILED', physicalResourceId: 'svc-A', statusReason: 'refused' },
    });
    const back = send(m, 'Update', 'rollback', 'svc-A');
    expect(shown(m)).toMatchObject({ stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', resource: { status: 'UPDATE_IN_PROGRESS' } });
    answer(m, back, 'SUCCESS', 'svc-A');
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
      resource: { status: 'UPDATE_COMPLETE', physicalResourceId: 'svc-A' },
    });
  });

  it('an Update cancelled: UPDATE_FAILED "Resource update cancelled" with the old id; the rollback\'s cleanup is the rollback variant', () => {
    const m = created();
    m.abandoned(send(m, 'Update', 'forward', 'svc-A'), false);
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
      resource: { status: 'UPDATE_FAILED', statusReason: 'Resource update cancelled', physicalResourceId: 'svc-A' },
    });
    answer(m, send(m, 'Update', 'rollback', 'svc-A'), 'SUCCESS', 'svc-A');
    const cleanup = send(m, 'Delete', 'cleanup', 'svc-B');
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      resource: { status: 'DELETE_IN_PROGRESS', physicalResourceId: 'svc-B' },
    });
    answer(m, cleanup, 'SUCCESS', 'svc-B');
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
      resource: { status: 'UPDATE_COMPLETE', physicalResourceId: 'svc-A' },
    });
  });

  it('a replacement rolled back by a sibling without an Update back: the old id restored, the replacement cleaned up', () => {
    const m = created();
    answer(m, send(m, 'Update', 'forward', 'svc-A'), 'SUCCESS', 'svc-B');
    m.rollBack(STACK);
    expect(m.stackStatus(STACK)).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    m.restore(STACK, 'Service', 'svc-A');
    send(m, 'Delete', 'cleanup', 'svc-B');
    expect(shown(m)).toMatchObject({
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      resource: { physicalResourceId: 'svc-B' },
    });
  });

  it('a failed rollback Update ends the stack UPDATE_ROLLBACK_FAILED', () => {
    const m = created();
    m.abandoned(send(m, 'Update', 'forward', 'svc-A'), false);
    answer(m, send(m, 'Update', 'rollback', 'svc-A'), 'FAILED', 'svc-A', 'no');
    m.operationEnded(STACK);
    expect(m.stackStatus(STACK)).toBe('UPDATE_ROLLBACK_FAILED');
  });

  it('a logical id a later template dropped: deleted in cleanup, then gone from the stack', () => {
    const m = created();
    answer(m, send(m, 'Create', 'forward', undefined, 'Other'), 'SUCCESS', 'svc-O');
    m.operationEnded(STACK);
    answer(m, send(m, 'Delete', 'cleanup', 'svc-O', 'Other'), 'SUCCESS', 'svc-O');
    expect(shown(m, 'Other').resource).toMatchObject({ status: 'DELETE_COMPLETE' });
    m.operationEnded(STACK);
    expect(shown(m, 'Other')).toEqual({ stackStatus: 'UPDATE_COMPLETE' });
    expect(shown(m).resource).toMatchObject({ physicalResourceId: 'svc-A' });
    // Or removed outright.
    m.removeResource(STACK, 'Service');
    expect(shown(m)).toEqual({ stackStatus: 'UPDATE_COMPLETE' });
  });
});

describe('a stack being deleted', () => {
  it('DELETE_IN_PROGRESS with the id; DELETE_COMPLETE, and the deleted stack still answers by its StackId', () => {
    const m = created();
    const del = send(m, 'Delete', 'delete', 'svc-A');
    expect(shown(m)).toMatchObject({
      stackStatus: 'DELETE_IN_PROGRESS',
      resource: { status: 'DELETE_IN_PROGRESS', physicalResourceId: 'svc-A' },
    });
    answer(m, del, 'SUCCESS', 'svc-A');
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({
      stackStatus: 'DELETE_COMPLETE',
      resource: { status: 'DELETE_COMPLETE', physicalResourceId: 'svc-A' },
    });
  });

  it('a Delete cancelled: DELETE_FAILED, the stack DELETE_FAILED', () => {
    const m = created();
    m.abandoned(send(m, 'Delete', 'delete', 'svc-A'), true);
    m.operationEnded(STACK);
    expect(shown(m)).toMatchObject({ stackStatus: 'DELETE_FAILED', resource: { status: 'DELETE_FAILED', physicalResourceId: 'svc-A' } });
  });
});

describe('eventually consistent reads', () => {
  it('for the lag after a change, a look shows the view before it (one step behind); after it, the change', async () => {
    const m = created({ lagSeconds: 3 });
    clock += 10_000;
    const update = send(m, 'Update', 'forward', 'svc-A');
    // The stack and the resource changed a moment ago: the look still sees them complete.
    await expect(m.describe(STACK, 'Service')).resolves.toMatchObject({
      stackStatus: 'CREATE_COMPLETE',
      resource: { status: 'CREATE_COMPLETE', physicalResourceId: 'svc-A' },
    });
    clock += 2_999;
    await expect(m.describe(STACK, 'Service')).resolves.toMatchObject({ resource: { status: 'CREATE_COMPLETE' } });
    clock += 1;
    await expect(m.describe(STACK, 'Service')).resolves.toMatchObject({
      stackStatus: 'UPDATE_IN_PROGRESS',
      resource: { status: 'UPDATE_IN_PROGRESS', physicalResourceId: 'svc-A' },
    });
    // The answer taken: one step behind is the in-progress view, not the one before it.
    answer(m, update, 'SUCCESS', 'svc-B');
    await expect(m.describe(STACK, 'Service')).resolves.toMatchObject({
      resource: { status: 'UPDATE_IN_PROGRESS', physicalResourceId: 'svc-A' },
    });
    // What the model holds is not lagged.
    expect(shown(m).resource).toMatchObject({ status: 'UPDATE_COMPLETE', physicalResourceId: 'svc-B' });
  });

  it('a Create a moment ago: the logical id is not there yet', async () => {
    const m = model({ lagSeconds: 3 });
    send(m, 'Create', 'forward');
    await expect(m.describe(STACK, 'Service')).resolves.toEqual({});
    clock += 3000;
    await expect(m.describe(STACK, 'Service')).resolves.toMatchObject({
      stackStatus: 'CREATE_IN_PROGRESS',
      resource: { status: 'CREATE_IN_PROGRESS' },
    });
  });

  it('no lag by default', async () => {
    const m = created();
    send(m, 'Update', 'forward', 'svc-A');
    await expect(m.describe(STACK, 'Service')).resolves.toMatchObject({ stackStatus: 'UPDATE_IN_PROGRESS' });
  });
});
