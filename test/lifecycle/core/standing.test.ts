/**
 * What CloudFormation's answers mean for a request, against the facts on record (the project's notes on
 * the custom resource protocol): the status a request implies, a cancellation's `CREATE_FAILED` then the
 * made-up id's `DELETE_IN_PROGRESS`, the cleanup phase's two possible views, a read one step behind.
 */
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import type { StackResourceView } from '../../../lambda/cloudformation/stack-view';
import { judgeAnswer, judgeAtDoor, judgeSince, STATUS_AFTER_SENT_SLACK_MS } from '../../../lambda/lifecycle/core/standing';
import { isReplacementPair } from '../../../lambda/lifecycle/registry';

const TYPE = 'Custom::AtlasPrivateEndpointService';
const A = '5f1e0a1b2c3d4e5f6a7b8c9d-6b0afe2c5721d53048387adc-AWS-US_EAST_1';
const B = `5f1e0a1b2c3d4e5f6a7b8c9d-6b0afe2c5721d53048387add-AWS-EU_WEST_1~${A}`;
const SENT = 1_000_000;

const req = (over: Partial<CloudFormationRequest>): CloudFormationRequest => ({
  RequestType: 'Create',
  ResponseURL: 'https://example/r',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
  RequestId: 'r',
  ResourceType: TYPE,
  LogicalResourceId: 'Service',
  ResourceProperties: {},
  ...over,
});
const view = (
  status: string,
  physicalResourceId?: string,
  lastUpdated = SENT - 500,
  stackStatus = 'UPDATE_IN_PROGRESS',
): StackResourceView => ({
  stackStatus,
  resource: { resourceType: TYPE, status, lastUpdated, ...(physicalResourceId ? { physicalResourceId } : {}) },
});

describe('at the door', () => {
  it.each([
    ['a Create', req({}), view('CREATE_IN_PROGRESS')],
    ['an Update of the id CloudFormation holds', req({ RequestType: 'Update', PhysicalResourceId: A }), view('UPDATE_IN_PROGRESS', A)],
    ['a Delete of the id CloudFormation deletes', req({ RequestType: 'Delete', PhysicalResourceId: A }), view('DELETE_IN_PROGRESS', A)],
    [
      'the Delete of the id made up for a cancelled Create',
      req({ RequestType: 'Delete', PhysicalResourceId: 'app-Service-1A2B' }),
      view('DELETE_IN_PROGRESS', 'app-Service-1A2B'),
    ],
    [
      'a cleanup Delete while the logical id shows the replacement that recorded it',
      req({ RequestType: 'Delete', PhysicalResourceId: A }),
      view('UPDATE_COMPLETE', B, SENT - 500, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
    ],
    [
      "a rollback's cleanup Delete of the replacement while the logical id shows the service it replaced",
      req({ RequestType: 'Delete', PhysicalResourceId: B }),
      view('UPDATE_COMPLETE', A, SENT - 500, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'),
    ],
  ])('serves %s', (_what, request, v) => {
    expect(judgeAtDoor(request, SENT, v, isReplacementPair)).toMatchObject({ kind: 'current' });
  });

  it.each([
    [
      'a Delete of a service the stack holds as CREATE_COMPLETE (forged)',
      req({ RequestType: 'Delete', PhysicalResourceId: A }),
      view('CREATE_COMPLETE', A),
    ],
    ['a Delete of an id the resource does not show', req({ RequestType: 'Delete', PhysicalResourceId: A }), view('DELETE_IN_PROGRESS', B)],
    ['an Update of another id', req({ RequestType: 'Update', PhysicalResourceId: A }), view('UPDATE_IN_PROGRESS', B)],
    ['a Create of a resource CloudFormation has cancelled', req({}), view('CREATE_FAILED')],
    ['a resource not (yet) in the stack', req({}), { stackStatus: 'CREATE_IN_PROGRESS' }],
    ['a stack CloudFormation does not know', req({}), {}],
    [
      "a cleanup Delete of an id unrelated to the logical id's resource",
      req({ RequestType: 'Delete', PhysicalResourceId: '5f1e0a1b2c3d4e5f6a7b8c9d-6b0afe2c5721d53048387ade-AWS-US_WEST_2' }),
      view('UPDATE_COMPLETE', B, SENT - 500, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
    ],
    [
      'a Delete in a stack that is not in a cleanup phase',
      req({ RequestType: 'Delete', PhysicalResourceId: A }),
      view('UPDATE_COMPLETE', B),
    ],
  ])('does not serve %s (looked at again: it may be a read one step behind)', (_what, request, v) => {
    expect(judgeAtDoor(request, SENT, v, isReplacementPair).kind).toBe('behind');
  });

  it('never serves a request whose resource changed status after it was sent (a later request of the resource), nor one of another type', () => {
    expect(
      judgeAtDoor(req({}), SENT, view('CREATE_IN_PROGRESS', undefined, SENT + STATUS_AFTER_SENT_SLACK_MS + 1), isReplacementPair).kind,
    ).toBe('moved-on');
    const bucket: StackResourceView = {
      stackStatus: 'CREATE_IN_PROGRESS',
      resource: { resourceType: 'AWS::S3::Bucket', status: 'CREATE_IN_PROGRESS', lastUpdated: SENT },
    };
    expect(judgeAtDoor(req({}), SENT, bucket, isReplacementPair).kind).toBe('moved-on');
  });
});

describe('later looks', () => {
  const stamp = { status: 'CREATE_IN_PROGRESS', lastUpdated: SENT };
  it('still wanted while the resource shows exactly the stamp', () => {
    expect(judgeSince(stamp, view('CREATE_IN_PROGRESS', undefined, SENT)).kind).toBe('current');
  });
  it('moved on once the resource changed after it (cancelled, the made-up id deleted, removed from the stack)', () => {
    expect(judgeSince(stamp, view('CREATE_FAILED', undefined, SENT + 1)).kind).toBe('moved-on');
    expect(judgeSince(stamp, view('DELETE_IN_PROGRESS', 'app-Service-1A2B', SENT + 2)).kind).toBe('moved-on');
  });
  it('behind when the look shows something older, or nothing', () => {
    expect(judgeSince(stamp, view('UPDATE_COMPLETE', A, SENT - 1)).kind).toBe('behind');
    expect(judgeSince(stamp, { stackStatus: 'CREATE_IN_PROGRESS' }).kind).toBe('behind');
  });
});

describe("CloudFormation's verdict on an answer naming what the request made", () => {
  const create = req({});
  const stamp = { status: 'CREATE_IN_PROGRESS', lastUpdated: SENT };
  it('taken once the resource shows the answered id, whatever follows (a rollback then deletes it through its own Delete)', () => {
    expect(judgeAnswer(create, stamp, A, view('CREATE_COMPLETE', A, SENT + 5))).toEqual({ kind: 'taken' });
    expect(judgeAnswer(create, stamp, A, view('DELETE_IN_PROGRESS', A, SENT + 9))).toEqual({ kind: 'taken' });
  });
  it('ignored once CloudFormation moved on without it: a cancelled Create, the made-up id deleted', () => {
    expect(judgeAnswer(create, stamp, A, view('CREATE_FAILED', undefined, SENT + 5)).kind).toBe('ignored');
    expect(judgeAnswer(create, stamp, A, view('DELETE_COMPLETE', 'app-Service-1A2B', SENT + 9)).kind).toBe('ignored');
  });
  it('pending while the resource still shows the stamp (CloudFormation has not read the answer yet, or the read lags)', () => {
    expect(judgeAnswer(create, stamp, A, view('CREATE_IN_PROGRESS', undefined, SENT))).toEqual({ kind: 'pending' });
  });
  it("a replacing Update's answer is taken when the forward cleanup deletes the id it came with, in either view of the cleanup", () => {
    const update = req({ RequestType: 'Update', PhysicalResourceId: A });
    const ustamp = { status: 'UPDATE_IN_PROGRESS', physicalResourceId: A, lastUpdated: SENT };
    expect(judgeAnswer(update, ustamp, B, view('DELETE_IN_PROGRESS', A, SENT + 5, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'))).toEqual({
      kind: 'taken',
    });
    expect(judgeAnswer(update, ustamp, B, view('UPDATE_COMPLETE', B, SENT + 5, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'))).toEqual({
      kind: 'taken',
    });
    // Cancelled: the rollback's Update comes back on the old id; the replacement is nobody's.
    expect(judgeAnswer(update, ustamp, B, view('UPDATE_IN_PROGRESS', A, SENT + 5, 'UPDATE_ROLLBACK_IN_PROGRESS')).kind).toBe('ignored');
  });
});
