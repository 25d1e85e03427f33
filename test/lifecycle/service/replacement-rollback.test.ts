/**
 * The rollback of a replacing Update (A → B) by an Update back to A's properties on B's id, while A still holds
 * its region: plan, judgement and step, with the Atlas API as a stand-in and everything else the real code.
 */
import { AtlasApiError } from '../../../lambda/atlas/errors';
import type { EndpointService, GcpEndpointService } from '../../../lambda/atlas/models';
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import { runStep } from '../../../lambda/lifecycle/core/engine';
import type { ExecutionState } from '../../../lambda/lifecycle/core/execution-state';
import type { AtlasApi, StepPorts } from '../../../lambda/lifecycle/core/ports';
import { planRequest } from '../../../lambda/lifecycle/registry';
import { mayRestore } from '../../../lambda/lifecycle/service/decisions';
import { formatServicePhysicalId, type ServiceRef } from '../../../lambda/lifecycle/service/physical-id';
import { silentLogger } from '../../../lambda/logging';
import { parseServiceProperties, type ServiceProperties } from '../../../lambda/model/service-properties';
import { cfnRequest } from '../../support/requests';
import { notAsked } from '../../support/cloudformation';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const a: ServiceRef = { projectId: PROJECT, serviceId: '6b0afe2c5721d53048387adc', provider: 'AWS', region: 'US_EAST_1' };
const b: ServiceRef = { projectId: PROJECT, serviceId: '6b0b0a1b5721d53048387add', provider: 'AWS', region: 'EU_WEST_1' };
const A = formatServicePhysicalId(a);
const B = formatServicePhysicalId(b, A);
const propsA = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };
const propsB = { ...propsA, Region: 'eu-west-1' };

function req(fields: Partial<CloudFormationRequest>): CloudFormationRequest {
  return cfnRequest({ RequestType: 'Update', PhysicalResourceId: B, ResourceProperties: propsA, OldResourceProperties: propsB, ...fields });
}

function props(raw: Record<string, unknown>): ServiceProperties {
  const parsed = parseServiceProperties(raw);
  if (!parsed.ok) throw new Error('bad test properties');
  return parsed.value;
}

const live = (fields: Partial<EndpointService> = {}): EndpointService =>
  ({
    cloudProvider: 'AWS',
    id: a.serviceId,
    regionName: 'US_EAST_1',
    status: 'AVAILABLE',
    errorMessage: null,
    endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
    interfaceEndpoints: [],
    ...fields,
  }) as EndpointService;

describe('planning an Update on the id of a replacement', () => {
  const rollingBack = { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' };
  it("back to the replaced service's project, provider and region while the stack rolls back: look for it (in any spelling of the region)", () => {
    const restore = { task: { kind: 'restore', ref: a, physicalResourceId: A } };
    expect(planRequest(req({}), rollingBack)).toEqual(restore);
    expect(planRequest(req({ ResourceProperties: { ...propsA, Region: 'US_EAST_1' } }), rollingBack)).toEqual(restore);
    // Without old properties (or with unreadable ones) the record alone decides.
    expect(planRequest(req({ OldResourceProperties: undefined }), rollingBack)).toEqual(restore);
  });

  it('back to it in a forward Update (the replaced service may have been released with UpdateReplacePolicy: Retain): as any region, look and create', () => {
    for (const stackStatus of ['UPDATE_IN_PROGRESS', undefined]) {
      expect(planRequest(req({}), stackStatus ? { stackStatus } : {})).toEqual({ task: { kind: 'inspect' } });
    }
  });

  it('anywhere else: an ordinary replacement (look at the region, create)', () => {
    expect(planRequest(req({ ResourceProperties: { ...propsA, Region: 'us-west-2' } }), rollingBack)).toEqual({
      task: { kind: 'inspect' },
    });
    expect(planRequest(req({ ResourceProperties: { ...propsA, ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9e' } }))).toEqual({
      task: { kind: 'inspect' },
    });
    expect(planRequest(req({ ResourceProperties: { ...propsA, ProviderName: 'AZURE', Region: 'eastus' } }))).toEqual({
      task: { kind: 'inspect' },
    });
    // An id without the record (made before it, or by a Create): as before.
    expect(planRequest(req({ PhysicalResourceId: formatServicePhysicalId(b) }))).toEqual({ task: { kind: 'inspect' } });
  });

  it("in place, and the Delete of the replacement's id: the replacement only, never the service it replaced", () => {
    expect(planRequest(req({ ResourceProperties: propsB, OldResourceProperties: propsB }))).toEqual({ task: { kind: 'refresh', ref: b } });
    expect(planRequest(req({ RequestType: 'Delete', ResourceProperties: propsB, OldResourceProperties: undefined }))).toEqual({
      task: { kind: 'delete', ref: b },
    });
  });
});

describe('may the Update take the replaced service back', () => {
  const asked = props(propsA);
  it('only the same service, still ready and as the properties describe it', () => {
    expect(mayRestore(live(), a, asked)).toBe(true);
    expect(mayRestore(live({ status: 'WAITING_FOR_USER' }), a, asked)).toBe(true);
    expect(mayRestore(undefined, a, asked)).toBe(false);
    expect(mayRestore(live({ status: 'DELETING' }), a, asked)).toBe(false);
    expect(mayRestore(live({ status: 'FAILED' }), a, asked)).toBe(false);
    expect(mayRestore(live({ status: 'INITIATING', endpointServiceName: null }), a, asked)).toBe(false);
    expect(mayRestore(live({ id: '6b0c0a1b5721d53048387ade' }), a, asked)).toBe(false);
    expect(mayRestore(live({ regionName: 'US_WEST_2' }), a, asked)).toBe(false);
    expect(
      mayRestore(live({ supportedRemoteRegions: ['US_WEST_2'] }), a, props({ ...propsA, SupportedRemoteRegions: ['us-east-2'] })),
    ).toBe(false);
  });

  it('GCP: not when the port mapping differs from what the properties ask for', () => {
    const g: ServiceRef = { ...a, provider: 'GCP', region: 'CENTRAL_US' };
    const gcp = {
      cloudProvider: 'GCP',
      id: g.serviceId,
      regionName: 'CENTRAL_US',
      status: 'AVAILABLE',
      portMappingEnabled: true,
    } as GcpEndpointService;
    const gProps = { ProjectId: PROJECT, ProviderName: 'GCP', Region: 'us-central1' };
    expect(mayRestore(gcp, g, props(gProps))).toBe(true);
    expect(mayRestore(gcp, g, props({ ...gProps, PortMappingEnabled: true }))).toBe(true);
    expect(mayRestore(gcp, g, props({ ...gProps, PortMappingEnabled: false }))).toBe(false);
  });
});

describe('the restore step', () => {
  function state(): ExecutionState {
    return {
      request: req({}),
      receivedAt: 0,
      deadlineAt: 10_000_000,
      task: { kind: 'restore', ref: a, physicalResourceId: A },
      next: 'act',
      outcome: 'WAIT',
      waitSeconds: 0,
      polls: 0,
      stepFailures: { count: 0, backoffSeconds: 5 },
    };
  }
  function ports(service: EndpointService | undefined, calls: string[]): StepPorts {
    const api = {
      getEndpointService: async (projectId: string, provider: string, serviceId: string) => {
        calls.push(`get ${projectId} ${provider} ${serviceId}`);
        if (service) return service;
        throw new AtlasApiError({
          operation: 'getEndpointService',
          status: 404,
          errorCode: 'RESOURCE_NOT_FOUND',
          retryable: false,
          attempts: 1,
        });
      },
    } as unknown as AtlasApi;
    return { now: () => 0, logger: silentLogger, atlasFor: async () => api, deliver: async () => undefined, cloudFormation: notAsked };
  }

  it("answers SUCCESS with the replaced service's own id and attributes, creating and deleting nothing", async () => {
    const calls: string[] = [];
    const next = await runStep('act', state(), ports(live(), calls));
    expect(next).toMatchObject({ outcome: 'READY', next: 'answer', answer: { status: 'SUCCESS', physicalResourceId: A } });
    expect(next.answer?.data).toMatchObject({ Id: a.serviceId, RegionName: 'US_EAST_1', ProjectId: PROJECT });
    expect(calls).toEqual([`get ${PROJECT} AWS ${a.serviceId}`]);
  });

  it('goes the way of any replacement when the service is gone or on its way out', async () => {
    for (const service of [undefined, live({ status: 'DELETING' })]) {
      const next = await runStep('act', state(), ports(service, []));
      expect(next).toMatchObject({ outcome: 'WAIT', next: 'act', task: { kind: 'inspect' } });
      expect(next.answer).toBeUndefined();
    }
  });
});

describe('a replacing Update that creates', () => {
  it("records the replaced service's id in the new id, in a failure's answer as well (so a rollback can find it)", async () => {
    const made = live({ id: b.serviceId, regionName: 'EU_WEST_1', status: 'INITIATING', endpointServiceName: null });
    const api = {
      createEndpointService: async () => made,
      getEndpointService: async () => ({ ...made, status: 'FAILED', errorMessage: 'no capacity' }),
    };
    const p: StepPorts = {
      now: () => 0,
      logger: silentLogger,
      atlasFor: async () => api as unknown as AtlasApi,
      deliver: async () => undefined,
      cloudFormation: notAsked,
    };
    const start: ExecutionState = {
      request: req({ PhysicalResourceId: A, ResourceProperties: propsB, OldResourceProperties: propsA }),
      receivedAt: 0,
      deadlineAt: 10_000_000,
      task: { kind: 'create' },
      next: 'act',
      outcome: 'WAIT',
      waitSeconds: 0,
      polls: 0,
      stepFailures: { count: 0, backoffSeconds: 5 },
    };
    const created = await runStep('act', start, p);
    expect(created.task).toEqual({ kind: 'await-ready', ref: b, origin: 'created', replaces: A });
    const failed = await runStep('poll', created, p);
    expect(failed.answer).toMatchObject({ status: 'FAILED', physicalResourceId: `${formatServicePhysicalId(b)}~${A}` });
  });
});
