/**
 * Requests CloudFormation gave up on, judged from what Step Functions keeps of the previous request's
 * execution. The facts: CloudFormation sends one request at a time per resource; a Create it cancelled is
 * followed by a Delete of an id it made up, and a late answer is ignored; an Update that replaced the
 * resource is followed by the Delete of the old id in cleanup.
 */
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import { type EarlierExecution, isAbandoned, undoOf } from '../../../lambda/lifecycle/core/cancellation';
import type { ExecutionState } from '../../../lambda/lifecycle/core/execution-state';
import { executionName, initialState } from '../../../lambda/lifecycle/core/start';
import { resourceFor } from '../../../lambda/lifecycle/registry';
import { cfnRequest } from '../../support/requests';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const A = `${PROJECT}-6b0c872b7f6b6644e9a590d7-AWS-US_EAST_1`;
const B = `${PROJECT}-6b0c872b7f6b6644e9a590d8-AWS-EU_WEST_1`;
const MADE_UP = 'stack-Service-1A2B3C4D5E6F';
const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };
const moved = { ...props, Region: 'eu-west-1' };

function req(fields: Partial<CloudFormationRequest> = {}): CloudFormationRequest {
  return cfnRequest({
    ResponseURL: `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=${Math.random()}`,
    ResourceProperties: props,
    ...fields,
  });
}

function earlier(request: CloudFormationRequest, status: EarlierExecution['status'], last: Partial<ExecutionState> = {}): EarlierExecution {
  return {
    name: executionName(request),
    status,
    startedAt: 1_000,
    last: { ...initialState(request, 1_000), ...last },
    stepInFlight: false,
  };
}

const planner = (type: string) => resourceFor(type)?.undo;
const answered = (physicalResourceId: string) => ({
  answer: { status: 'SUCCESS' as const, physicalResourceId },
  task: { kind: 'done' as const },
});

describe('whether CloudFormation gave up on the previous request', () => {
  const create = req({});
  const deleteMadeUp = req({ RequestType: 'Delete', PhysicalResourceId: MADE_UP, RequestId: 'r-2' });

  it('a Create still running when a Delete of a made-up id comes: abandoned', () => {
    expect(isAbandoned(deleteMadeUp, earlier(create, 'RUNNING'))).toBe(true);
  });

  it('a Create whose execution ended without its answer getting through: abandoned', () => {
    expect(isAbandoned(deleteMadeUp, earlier(create, 'FAILED', { ...answered(A), made: A }))).toBe(true);
  });

  it('a Create that answered A, then the Delete of A: CloudFormation took the answer', () => {
    const del = req({ RequestType: 'Delete', PhysicalResourceId: A, RequestId: 'r-2' });
    expect(isAbandoned(del, earlier(create, 'SUCCEEDED', { ...answered(A), made: A }))).toBe(false);
  });

  it('a Create that answered A late, then the Delete of a made-up id: CloudFormation ignored the answer', () => {
    expect(isAbandoned(deleteMadeUp, earlier(create, 'SUCCEEDED', { ...answered(A), made: A }))).toBe(true);
  });

  it("a replacing Update whose execution failed after its answer landed, then the Delete of the old id: the replacement's cleanup", () => {
    const update = req({ RequestType: 'Update', PhysicalResourceId: A, ResourceProperties: moved, OldResourceProperties: props });
    const cleanup = req({ RequestType: 'Delete', PhysicalResourceId: A, RequestId: 'r-2' });
    const failedAfterPut = earlier(update, 'FAILED', { ...answered(`${B}~${A}`), made: `${B}~${A}` });
    expect(isAbandoned(cleanup, failedAfterPut)).toBe(false);
    // Still running: its answer cannot have gone out, so the Delete is not that cleanup.
    expect(isAbandoned(cleanup, { ...failedAfterPut, status: 'RUNNING' })).toBe(true);
  });

  it('a Create that answered FAILED with the not-created marker, then the Delete of that marker: nothing to undo', () => {
    const marker = 'not-created-r-1';
    const failed = earlier(create, 'SUCCEEDED', { answer: { status: 'FAILED', physicalResourceId: marker, reason: 'x' } });
    expect(isAbandoned(req({ RequestType: 'Delete', PhysicalResourceId: marker, RequestId: 'r-2' }), failed)).toBe(false);
  });

  it("a replacing Update that answered B, then the cleanup Delete of the old id A: not a cancellation (B is the stack's)", () => {
    const update = req({ RequestType: 'Update', PhysicalResourceId: A, ResourceProperties: moved, OldResourceProperties: props });
    const cleanup = req({ RequestType: 'Delete', PhysicalResourceId: A, RequestId: 'r-3' });
    expect(isAbandoned(cleanup, earlier(update, 'SUCCEEDED', { ...answered(B), made: B }))).toBe(false);
  });

  it('a replacing Update that answered B late, then the rollback Update on A: CloudFormation ignored B', () => {
    const update = req({ RequestType: 'Update', PhysicalResourceId: A, ResourceProperties: moved, OldResourceProperties: props });
    const back = req({
      RequestType: 'Update',
      PhysicalResourceId: A,
      ResourceProperties: props,
      OldResourceProperties: moved,
      RequestId: 'r-3',
    });
    expect(isAbandoned(back, earlier(update, 'SUCCEEDED', { ...answered(B), made: B }))).toBe(true);
    // The rollback of a replacement CloudFormation took (variant a) comes on B: not a cancellation.
    expect(isAbandoned({ ...back, PhysicalResourceId: B }, earlier(update, 'SUCCEEDED', { ...answered(B), made: B }))).toBe(false);
  });

  it('a Delete, running or not, makes nothing to undo', () => {
    const del = req({ RequestType: 'Delete', PhysicalResourceId: A });
    expect(isAbandoned(req({ RequestId: 'r-9' }), earlier(del, 'RUNNING'))).toBe(false);
  });
});

describe('what is undone', () => {
  const create = req({});
  const deleteMadeUp = req({ RequestType: 'Delete', PhysicalResourceId: MADE_UP, RequestId: 'r-2' });

  it('the service the abandoned request created is deleted', () => {
    const prev = earlier(create, 'RUNNING', { made: A, task: { kind: 'await-ready', ref: refA(), origin: 'created' } });
    expect(undoOf(deleteMadeUp, prev, planner, 5_000)).toEqual([
      { resourceType: 'Custom::AtlasPrivateEndpointService', task: { kind: 'delete', ref: refA() } },
    ]);
  });

  it('an adopted service is not undone: adopted is not created', () => {
    const prev = earlier(create, 'RUNNING', { task: { kind: 'await-ready', ref: refA(), origin: 'adopted' } });
    expect(undoOf(deleteMadeUp, prev, planner, 5_000)).toEqual([]);
  });

  it('a create step stopped in flight: look for what it made once its Lambda timeout has passed', () => {
    const prev = { ...earlier(create, 'ABORTED', { task: { kind: 'create' } }), stepInFlight: true };
    expect(undoOf(deleteMadeUp, prev, planner, 5_000)).toEqual([
      {
        resourceType: 'Custom::AtlasPrivateEndpointService',
        task: {
          kind: 'find-created',
          projectId: PROJECT,
          provider: 'AWS',
          region: 'US_EAST_1',
          since: 1_000,
          until: 95_000,
          notBefore: 95_000,
        },
      },
    ]);
  });

  it('a create whose POST had an unknown outcome, stopped while waiting: only a service made before the stop can be its', () => {
    const prev = earlier(create, 'ABORTED', { task: { kind: 'create', maybeProcessed: true } });
    expect(undoOf(deleteMadeUp, prev, planner, 5_000)).toEqual([
      {
        resourceType: 'Custom::AtlasPrivateEndpointService',
        task: { kind: 'find-created', projectId: PROJECT, provider: 'AWS', region: 'US_EAST_1', since: 1_000, until: 5_000 },
      },
    ]);
  });

  it('a create not yet attempted (waiting before its act step) made nothing', () => {
    expect(undoOf(deleteMadeUp, earlier(create, 'RUNNING', { task: { kind: 'create' } }), planner, 5_000)).toEqual([]);
    expect(undoOf(deleteMadeUp, earlier(create, 'RUNNING'), planner, 5_000)).toEqual([]); // still inspecting
  });

  it('never undoes what the new request names', () => {
    const prev = earlier(create, 'FAILED', { made: A, ...answered(A) });
    expect(undoOf(req({ RequestType: 'Delete', PhysicalResourceId: A }), prev, planner, 5_000)).toEqual([]);
  });

  it('a register step stopped in flight: look for the registration once its Lambda timeout has passed', () => {
    const reg = req({
      ResourceType: 'Custom::AtlasPrivateEndpoint',
      LogicalResourceId: 'Registration',
      ResourceProperties: { ProjectId: PROJECT, EndpointServiceId: '6b0c872b7f6b6644e9a590d7', EndpointId: 'vpce-0a1b2c3d4e5f60718' },
    });
    const prev = { ...earlier(reg, 'ABORTED', { task: { kind: 'register', checked: true } }), stepInFlight: true };
    expect(undoOf({ ...reg, RequestType: 'Delete', PhysicalResourceId: MADE_UP }, prev, planner, 5_000)).toEqual([
      {
        resourceType: 'Custom::AtlasPrivateEndpoint',
        task: {
          kind: 'find-registered',
          ref: { projectId: PROJECT, serviceId: '6b0c872b7f6b6644e9a590d7', provider: 'AWS', endpointId: 'vpce-0a1b2c3d4e5f60718' },
          notBefore: 95_000,
        },
      },
    ]);
    // The step in flight was the look before the POST: a registration there now was there before.
    const looking = { ...earlier(reg, 'ABORTED', { task: { kind: 'register' } }), stepInFlight: true };
    expect(undoOf({ ...reg, RequestType: 'Delete', PhysicalResourceId: MADE_UP }, looking, planner, 5_000)).toEqual([]);
    // Not yet attempted: nothing to look for.
    expect(undoOf({ ...reg, RequestType: 'Delete', PhysicalResourceId: MADE_UP }, earlier(reg, 'RUNNING'), planner, 5_000)).toEqual([]);
  });

  it('a registration the abandoned request made is removed', () => {
    const reg = req({
      ResourceType: 'Custom::AtlasPrivateEndpoint',
      LogicalResourceId: 'Registration',
      ResourceProperties: { ProjectId: PROJECT, EndpointServiceId: '6b0c872b7f6b6644e9a590d7', EndpointId: 'vpce-0a1b2c3d4e5f60718' },
    });
    const made = `${PROJECT}--6b0c872b7f6b6644e9a590d7--vpce-0a1b2c3d4e5f60718`;
    const prev = earlier(reg, 'RUNNING', { made });
    expect(undoOf({ ...reg, RequestType: 'Delete', PhysicalResourceId: MADE_UP }, prev, planner, 5_000)).toEqual([
      {
        resourceType: 'Custom::AtlasPrivateEndpoint',
        task: {
          kind: 'deregister',
          ref: { projectId: PROJECT, serviceId: '6b0c872b7f6b6644e9a590d7', provider: 'AWS', endpointId: 'vpce-0a1b2c3d4e5f60718' },
        },
      },
    ]);
  });
});

function refA() {
  return { projectId: PROJECT, serviceId: '6b0c872b7f6b6644e9a590d7', provider: 'AWS' as const, region: 'US_EAST_1' };
}
