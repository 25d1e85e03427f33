/** The lifecycle's decisions as plain functions of data: no I/O. */
import type { AwsEndpointService, EndpointService } from '../../lambda/atlas/models';
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import { deadlineFor } from '../../lambda/lifecycle/core/deadline';
import { executionName, initialState } from '../../lambda/lifecycle/core/start';
import { pollWaitSeconds } from '../../lambda/lifecycle/core/wait';
import { planRequest } from '../../lambda/lifecycle/registry';
import { inspect, isReady, judgeGone, judgeReadiness, ownerOfConflict } from '../../lambda/lifecycle/service/decisions';
import { parseServiceProperties } from '../../lambda/model/service-properties';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const ID = `${PROJECT}-${SERVICE}-AWS-US_EAST_1`;
const ref = { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, region: 'US_EAST_1' };
const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };

function req(fields: Partial<CloudFormationRequest>): CloudFormationRequest {
  return {
    RequestType: 'Create',
    ResponseURL: 'https://s3.example/response?X-Amz-Signature=abc',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
    RequestId: 'r-1',
    ResourceType: 'Custom::AtlasPrivateEndpointService',
    LogicalResourceId: 'Service',
    ResourceProperties: props,
    ...fields,
  };
}

const aws = (fields: Partial<AwsEndpointService>): EndpointService => ({
  cloudProvider: 'AWS',
  id: SERVICE,
  regionName: 'US_EAST_1',
  status: 'INITIATING',
  errorMessage: null,
  endpointServiceName: null,
  interfaceEndpoints: [],
  ...fields,
});

describe('planning a request', () => {
  it('Create: inspect the region first; bad properties answer FAILED with a marker id', () => {
    expect(planRequest(req({}))).toEqual({ task: { kind: 'inspect' } });
    const bad = planRequest(req({ ResourceProperties: { ...props, Region: 'eastus2' } }));
    expect(bad).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: 'not-created-r-1' } });
  });

  it('Delete: an id that names nothing of ours is a no-op SUCCESS with that id', () => {
    expect(planRequest(req({ RequestType: 'Delete', PhysicalResourceId: 'made-up-by-cloudformation' }))).toEqual({
      answer: { status: 'SUCCESS', physicalResourceId: 'made-up-by-cloudformation' },
    });
    expect(planRequest(req({ RequestType: 'Delete', PhysicalResourceId: ID }))).toEqual({ task: { kind: 'delete', ref } });
  });

  it('Update: region compared by meaning; project, provider or region change replaces', () => {
    const update = (next: Record<string, unknown>, old: Record<string, unknown> = props) => planRequest(req({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: { ...props, ...next }, OldResourceProperties: old }));
    expect(update({ Region: 'US_EAST_1' })).toEqual({ task: { kind: 'refresh', ref } });
    expect(update({ Region: 'us-east-2' })).toEqual({ task: { kind: 'inspect', replacing: ref } });
    expect(update({ ProjectId: 'aaaaaaaaaaaaaaaaaaaaaaaa' })).toEqual({ task: { kind: 'inspect', replacing: ref } });
    expect(update({ SupportedRemoteRegions: ['us-west-2'] })).toEqual({ task: { kind: 'patch', ref, remoteRegions: ['US_WEST_2'] } });
    expect(update({}, { ...props, SupportedRemoteRegions: ['us-west-2'] })).toEqual({ task: { kind: 'patch', ref, remoteRegions: [] } });
    expect(update({ Profile: 'other', AdoptExisting: 'true' })).toEqual({ task: { kind: 'refresh', ref } });
    expect(update({ Region: 'nowhere' })).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: ID } });
  });

  it('Update of an id that is not ours creates the service', () => {
    expect(planRequest(req({ RequestType: 'Update', PhysicalResourceId: 'not-created-x', OldResourceProperties: props }))).toEqual({ task: { kind: 'inspect' } });
  });
});

describe('judging Atlas', () => {
  const clock = { now: 1_000_000, deadlineAt: 1_000_000 + 600_000, polls: 0 };

  it('ready means AVAILABLE or WAITING_FOR_USER, and for AWS a service name', () => {
    expect(isReady(aws({ status: 'WAITING_FOR_USER', endpointServiceName: null }))).toBe(false);
    expect(isReady(aws({ status: 'WAITING_FOR_USER', endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' }))).toBe(true);
    expect(isReady(aws({ status: 'AVAILABLE', endpointServiceName: 'x', supportedRemoteRegions: ['US_WEST_2'] }), ['US_WEST_2'])).toBe(true);
    expect(isReady(aws({ status: 'AVAILABLE', endpointServiceName: 'x', supportedRemoteRegions: [] }), ['US_WEST_2'])).toBe(false);
  });

  it('waits with backoff, fails on FAILED with Atlas\'s message, succeeds with every attribute', () => {
    expect(judgeReadiness(aws({}), ref, ID, clock)).toEqual({ outcome: 'WAIT', waitSeconds: 5, lastStatus: 'INITIATING' });
    const failed = judgeReadiness(aws({ status: 'FAILED', errorMessage: 'no capacity' }), ref, ID, clock);
    expect(failed).toMatchObject({ outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(failed.outcome !== 'WAIT' && failed.answer.reason).toContain('no capacity');
    const ready = judgeReadiness(aws({ status: 'AVAILABLE', endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' }), ref, ID, clock);
    expect(ready.outcome === 'READY' && ready.answer.data).toMatchObject({ Id: SERVICE, PrivateLinkId: SERVICE, ProjectId: PROJECT, ProviderName: 'AWS', PrivateLinkServiceName: '' });
    expect(judgeReadiness(undefined, ref, ID, clock)).toMatchObject({ outcome: 'FAILED' });
  });

  it('never waits past the deadline, and answers DEADLINE with the last status once it has passed', () => {
    expect(judgeReadiness(aws({}), ref, ID, { ...clock, polls: 20, deadlineAt: clock.now + 7_000 })).toMatchObject({ outcome: 'WAIT', waitSeconds: 7 });
    const late = judgeReadiness(aws({}), ref, ID, { ...clock, deadlineAt: clock.now });
    expect(late).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(late.outcome !== 'WAIT' && late.answer.reason).toMatch(/last status Atlas reported was INITIATING/);
    expect(judgeGone(undefined, ID, clock)).toEqual({ outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: ID } });
  });

  it('backs off from 5 s to a 60 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 20].map(pollWaitSeconds)).toEqual([5, 8, 11, 17, 25, 38, 57, 60, 60, 60]);
  });

  it('keeps a margin before ServiceTimeout of a tenth, but never less than one step and the answer can take', () => {
    expect(deadlineFor(0, 3600)).toBe(3420_000);
    expect(deadlineFor(0, 1800)).toBe(1620_000);
    // Two Atlas calls of up to 45 s and the answer: a step begun before the deadline still ends before ServiceTimeout.
    expect(deadlineFor(0, 600)).toBe(500_000);
    expect(deadlineFor(0, 150)).toBe(50_000);
    expect(deadlineFor(0, 30)).toBe(1_000);
  });
});

describe('the region and whose service is in it', () => {
  const parsed = (extra: object = {}) => {
    const p = parseServiceProperties({ ...props, ...extra });
    if (!p.ok) throw new Error('bad test properties');
    return p.value;
  };

  it('creates in a free region, waits for one being deleted, adopts only when asked', () => {
    expect(inspect([], parsed())).toEqual({ action: 'create' });
    expect(inspect([aws({ regionName: 'US_EAST_2' })], parsed())).toEqual({ action: 'create' });
    expect(inspect([aws({ status: 'DELETING' })], parsed())).toMatchObject({ action: 'wait-for-deletion' });
    expect(inspect([aws({ status: 'AVAILABLE' })], parsed())).toMatchObject({ action: 'conflict' });
    expect(inspect([aws({ status: 'AVAILABLE' })], parsed({ AdoptExisting: 'true' }))).toMatchObject({ action: 'adopt' });
  });

  it('a 409 is ours only when an earlier attempt may have created it', () => {
    expect(ownerOfConflict(true, false)).toBe('ours');
    expect(ownerOfConflict(false, false)).toBe('conflict');
    expect(ownerOfConflict(false, true)).toBe('adopt');
  });
});

describe('starting an execution', () => {
  it('names the execution from the request delivery: same event, same name; reused RequestId with a new URL, new name', () => {
    const a = req({});
    expect(executionName(a)).toBe(executionName({ ...a }));
    expect(executionName(a)).not.toBe(executionName({ ...a, ResponseURL: 'https://s3.example/response?X-Amz-Signature=def' }));
    expect(executionName(a)).toMatch(/^Service-Create-[0-9a-f]{40}$/);
    expect(executionName(a).length).toBeLessThanOrEqual(80);
    expect(executionName(a)).not.toContain('abc');
  });

  it('sets the deadline from ServiceTimeout and answers at once what needs no Atlas call', () => {
    const s = initialState(req({ ResourceProperties: { ...props, ServiceTimeout: '600' } }), 0);
    expect(s).toMatchObject({ deadlineAt: 500_000, next: 'act', outcome: 'WAIT', task: { kind: 'inspect' }, stepFailures: { count: 0, backoffSeconds: 5 } });
    const d = initialState(req({ RequestType: 'Delete', PhysicalResourceId: 'not-created-x' }), 0);
    expect(d).toMatchObject({ next: 'answer', outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: 'not-created-x' } });
  });
});
