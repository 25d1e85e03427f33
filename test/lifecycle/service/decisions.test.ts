/** The service's decisions (`Custom::AtlasPrivateEndpointService`) as plain functions of data: no I/O. */
import type { AwsEndpointService, EndpointService } from '../../../lambda/atlas/models';
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import { planRequest } from '../../../lambda/lifecycle/registry';
import { inspect, isReady, judgeGone, judgeReadiness, ownerOfConflict } from '../../../lambda/lifecycle/service/decisions';
import { pollWaitSeconds } from '../../../lambda/lifecycle/core/wait';
import { parseServiceProperties } from '../../../lambda/model/service-properties';
import { cfnRequest } from '../../support/requests';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const ID = `${PROJECT}-${SERVICE}-AWS-US_EAST_1`;
/** A service the request created: it answers the service's id whatever the outcome. */
const IDS = { ready: ID, failed: ID };
const ref = { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, region: 'US_EAST_1' };
const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };

function req(fields: Partial<CloudFormationRequest> = {}): CloudFormationRequest {
  return cfnRequest({ ResourceProperties: props, ...fields });
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
    const update = (next: Record<string, unknown>, old: Record<string, unknown> = props) =>
      planRequest(
        req({ RequestType: 'Update', PhysicalResourceId: ID, ResourceProperties: { ...props, ...next }, OldResourceProperties: old }),
      );
    expect(update({ Region: 'US_EAST_1' })).toEqual({ task: { kind: 'refresh', ref } });
    // A replacement creates the new service (after looking at its region); CloudFormation deletes the old one.
    expect(update({ Region: 'us-east-2' })).toEqual({ task: { kind: 'inspect' } });
    expect(update({ ProjectId: 'aaaaaaaaaaaaaaaaaaaaaaaa' })).toEqual({ task: { kind: 'inspect' } });
    expect(update({ ProviderName: 'GCP', Region: 'us-central1' })).toEqual({ task: { kind: 'inspect' } });
    expect(update({ SupportedRemoteRegions: ['us-west-2'] })).toEqual({ task: { kind: 'patch', ref, remoteRegions: ['US_WEST_2'] } });
    expect(update({}, { ...props, SupportedRemoteRegions: ['us-west-2'] })).toEqual({ task: { kind: 'patch', ref, remoteRegions: [] } });
    expect(update({ Profile: 'other', AdoptExisting: 'true' })).toEqual({ task: { kind: 'refresh', ref } });
    expect(update({ Region: 'nowhere' })).toMatchObject({ answer: { status: 'FAILED', physicalResourceId: ID } });
  });

  it('Update of an id that is not ours creates the service', () => {
    expect(planRequest(req({ RequestType: 'Update', PhysicalResourceId: 'not-created-x', OldResourceProperties: props }))).toEqual({
      task: { kind: 'inspect' },
    });
  });
});

describe('judging Atlas', () => {
  const clock = { now: 1_000_000, deadlineAt: 1_000_000 + 600_000, polls: 0 };

  it('ready means AVAILABLE or WAITING_FOR_USER, and for AWS a service name', () => {
    expect(isReady(aws({ status: 'WAITING_FOR_USER', endpointServiceName: null }))).toBe(false);
    expect(
      isReady(aws({ status: 'WAITING_FOR_USER', endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' })),
    ).toBe(true);
    expect(isReady(aws({ status: 'AVAILABLE', endpointServiceName: 'x', supportedRemoteRegions: ['US_WEST_2'] }), ['US_WEST_2'])).toBe(
      true,
    );
    expect(isReady(aws({ status: 'AVAILABLE', endpointServiceName: 'x', supportedRemoteRegions: [] }), ['US_WEST_2'])).toBe(false);
  });

  it("waits the poll interval, fails on FAILED with Atlas's message, succeeds with every attribute", () => {
    expect(judgeReadiness(aws({}), ref, IDS, clock)).toEqual({ outcome: 'WAIT', waitSeconds: pollWaitSeconds(), lastStatus: 'INITIATING' });
    const failed = judgeReadiness(aws({ status: 'FAILED', errorMessage: 'no capacity' }), ref, IDS, clock);
    expect(failed).toMatchObject({ outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(failed.outcome !== 'WAIT' && failed.answer.reason).toContain('no capacity');
    const ready = judgeReadiness(
      aws({ status: 'AVAILABLE', endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' }),
      ref,
      IDS,
      clock,
    );
    expect(ready.outcome === 'READY' && ready.answer.data).toMatchObject({
      Id: SERVICE,
      PrivateLinkId: SERVICE,
      ProjectId: PROJECT,
      ProviderName: 'AWS',
      PrivateLinkServiceName: '',
    });
    expect(judgeReadiness(undefined, ref, IDS, clock)).toMatchObject({ outcome: 'FAILED' });
  });

  it('never waits past the deadline, and answers DEADLINE with the last status once it has passed', () => {
    expect(judgeReadiness(aws({}), ref, IDS, { ...clock, polls: 20, deadlineAt: clock.now + 7_000 })).toMatchObject({
      outcome: 'WAIT',
      waitSeconds: 7,
    });
    const late = judgeReadiness(aws({}), ref, IDS, { ...clock, deadlineAt: clock.now });
    expect(late).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(late.outcome !== 'WAIT' && late.answer.reason).toMatch(/last status Atlas reported was INITIATING/);
    expect(judgeGone(undefined, ID, clock)).toEqual({ outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: ID } });
  });

  it('a deletion Atlas accepted waits for 404 while the deadline allows, then answers SUCCESS whatever the status shows', () => {
    expect(judgeGone(aws({ status: 'DELETING' }), ID, { ...clock, deadlineAt: clock.now + 5_000 })).toEqual({
      outcome: 'WAIT',
      waitSeconds: 5,
      lastStatus: 'DELETING',
    });
    for (const status of ['DELETING', 'AVAILABLE'] as const) {
      expect(judgeGone(aws({ status }), ID, { ...clock, deadlineAt: clock.now })).toEqual({
        outcome: 'DEADLINE',
        answer: { status: 'SUCCESS', physicalResourceId: ID },
      });
    }
  });

  it('an adopted service that fails, is being deleted, vanishes or runs out of time answers an id that is not its own', () => {
    const adopted = { ready: ID, failed: 'not-created-r-1' };
    const failed = judgeReadiness(aws({ status: 'FAILED', errorMessage: 'no capacity' }), ref, adopted, clock);
    expect(failed).toMatchObject({ outcome: 'FAILED', answer: { physicalResourceId: 'not-created-r-1' } });
    // Only a service the request created is removed by the rollback.
    expect(failed.outcome !== 'WAIT' && failed.answer.reason).not.toMatch(/rollback deletes it/);
    expect(judgeReadiness(aws({ status: 'DELETING' }), ref, adopted, clock)).toMatchObject({
      answer: { physicalResourceId: 'not-created-r-1' },
    });
    expect(judgeReadiness(undefined, ref, adopted, clock)).toMatchObject({ answer: { physicalResourceId: 'not-created-r-1' } });
    expect(judgeReadiness(aws({}), ref, adopted, { ...clock, deadlineAt: clock.now })).toMatchObject({
      outcome: 'DEADLINE',
      answer: { physicalResourceId: 'not-created-r-1' },
    });
    const ready = judgeReadiness(
      aws({ status: 'AVAILABLE', endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0' }),
      ref,
      adopted,
      clock,
    );
    expect(ready).toMatchObject({ outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: ID } });
  });

  it('waits the same after every poll, within what the benchmark targets allow', () => {
    const waits = [0, 1, 2, 5, 20, 200].map((polls) => judgeReadiness(aws({}), ref, IDS, { ...clock, polls }));
    expect(new Set(waits.map((w) => (w.outcome === 'WAIT' ? w.waitSeconds : -1))).size).toBe(1);
    // Issue 9: Atlas ready is heard of within 15 s at worst, at no more than 40% of a 5 s poll's calls (so at least 12.5 s apart).
    expect(pollWaitSeconds()).toBeLessThanOrEqual(15);
    expect(pollWaitSeconds()).toBeGreaterThanOrEqual(12.5);
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
