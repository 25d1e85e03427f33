/**
 * Step behaviour that the emulator cannot provoke: Atlas refusing a delete it is already carrying out.
 * The Atlas API is a stand-in here; everything else is the real step code.
 */
import { AtlasApiError } from '../../../lambda/atlas/errors';
import type { EndpointService } from '../../../lambda/atlas/models';
import { runStep } from '../../../lambda/lifecycle/core/engine';
import type { ExecutionState } from '../../../lambda/lifecycle/core/execution-state';
import type { AtlasApi, StepPorts } from '../../../lambda/lifecycle/core/ports';
import { silentLogger } from '../../../lambda/logging';
import { notAsked } from '../../support/cloudformation';

const ref = { projectId: '5f1e0a1b2c3d4e5f6a7b8c9d', serviceId: '6b0afe2c5721d53048387adc', provider: 'AWS' as const, region: 'US_EAST_1' };
const ID = `${ref.projectId}-${ref.serviceId}-AWS-US_EAST_1`;

function state(): ExecutionState {
  return {
    request: {
      RequestType: 'Delete',
      ResponseURL: 'https://example.invalid/r',
      StackId: 's',
      RequestId: 'r',
      ResourceType: 'Custom::AtlasPrivateEndpointService',
      LogicalResourceId: 'L',
      PhysicalResourceId: ID,
      ResourceProperties: { ProjectId: ref.projectId, ProviderName: 'AWS', Region: 'us-east-1' },
    },
    receivedAt: 0,
    deadlineAt: 10_000_000,
    task: { kind: 'delete', ref },
    next: 'act',
    outcome: 'WAIT',
    waitSeconds: 0,
    polls: 0,
    stepFailures: { count: 0, backoffSeconds: 5 },
  };
}

function ports(live: Partial<EndpointService> | undefined): StepPorts {
  const refused = new AtlasApiError({
    operation: 'deleteEndpointService',
    status: 400,
    errorCode: 'SOME_REFUSAL',
    detail: 'refused',
    retryable: false,
    attempts: 1,
  });
  const api = {
    deleteEndpointService: async () => {
      throw refused;
    },
    getEndpointService: async () => {
      if (!live)
        throw new AtlasApiError({
          operation: 'getEndpointService',
          status: 404,
          errorCode: 'RESOURCE_NOT_FOUND',
          retryable: false,
          attempts: 1,
        });
      return {
        cloudProvider: 'AWS',
        id: ref.serviceId,
        regionName: 'US_EAST_1',
        errorMessage: null,
        endpointServiceName: null,
        interfaceEndpoints: [],
        status: 'AVAILABLE',
        ...live,
      } as EndpointService;
    },
  } as unknown as AtlasApi;
  return { now: () => 0, logger: silentLogger, atlasFor: async () => api, deliver: async () => undefined, cloudFormation: notAsked };
}

describe('deleting', () => {
  it('waits for a deletion Atlas is carrying out already, even though it refused the request', async () => {
    const next = await runStep('act', state(), ports({ status: 'DELETING' }));
    expect(next).toMatchObject({ outcome: 'WAIT', next: 'poll', task: { kind: 'await-gone' } });
  });

  it('fails with the refusal when the service is not being deleted', async () => {
    const next = await runStep('act', state(), ports({ status: 'AVAILABLE' }));
    expect(next).toMatchObject({ outcome: 'FAILED', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(next.answer?.reason).toMatch(/Atlas refused to delete the AWS private endpoint service 6b0afe2c5721d53048387adc.*SOME_REFUSAL/);
  });
});

describe('deleting against the deadline', () => {
  const notFound = (operation: 'getEndpointService' | 'getInterfaceEndpoint') =>
    new AtlasApiError({ operation, status: 404, errorCode: 'RESOURCE_NOT_FOUND', retryable: false, attempts: 1 });

  /** Atlas as a stand-in: the DELETE accepted or refused with 409, the service as listed, each registration's deleteRequested. */
  function atlas(o: { refuse?: boolean; service?: Partial<EndpointService>; removing?: Record<string, boolean>; now?: number }) {
    const lines: string[] = [];
    const api = {
      deleteEndpointService: async () => {
        if (o.refuse)
          throw new AtlasApiError({
            operation: 'deleteEndpointService',
            status: 409,
            errorCode: 'CANNOT_DELETE_PRIVATE_ENDPOINT_SERVICE_WITH_ENDPOINTS',
            detail: 'has private endpoints',
            retryable: false,
            attempts: 1,
          });
      },
      getEndpointService: async () => {
        if (!o.service) throw notFound('getEndpointService');
        return {
          cloudProvider: 'AWS',
          id: ref.serviceId,
          regionName: 'US_EAST_1',
          interfaceEndpoints: [],
          status: 'AVAILABLE',
          ...o.service,
        };
      },
      getInterfaceEndpoint: async (_p: string, _c: string, _s: string, endpointId: string) => {
        if (!(endpointId in (o.removing ?? {}))) throw notFound('getInterfaceEndpoint');
        return { cloudProvider: 'AWS', id: endpointId, connectionStatus: 'AVAILABLE', deleteRequested: o.removing![endpointId] };
      },
    } as unknown as AtlasApi;
    const log = (m: string) => lines.push(m);
    const p: StepPorts = {
      now: () => o.now ?? 0,
      logger: { debug: log, info: log, warn: log, error: log },
      atlasFor: async () => api,
      deliver: async () => undefined,
      cloudFormation: notAsked,
    };
    return { ports: p, lines };
  }

  it('a DELETE Atlas accepts with no time left answers SUCCESS at once, logging that the deletion is underway', async () => {
    const { ports: p, lines } = atlas({ service: { status: 'DELETING' }, now: 9_999_500 });
    const next = await runStep('act', state(), p);
    expect(next).toMatchObject({ outcome: 'DEADLINE', next: 'answer', answer: { status: 'SUCCESS', physicalResourceId: ID } });
    expect(lines.some((l) => /deletion is underway in Atlas/.test(l))).toBe(true);
  });

  it('a DELETE Atlas accepts with time left waits for 404, within the deadline', async () => {
    const { ports: p } = atlas({ service: { status: 'DELETING' }, now: 9_995_000 });
    expect(await runStep('act', state(), p)).toMatchObject({ outcome: 'WAIT', next: 'poll', waitSeconds: 5, task: { kind: 'await-gone' } });
  });

  it('the wait for 404 of a deletion Atlas accepted ends SUCCESS at the deadline, whatever Atlas still shows', async () => {
    const { ports: p } = atlas({ service: { status: 'DELETING' }, now: 10_000_000 });
    const next = await runStep('poll', { ...state(), task: { kind: 'await-gone', ref }, next: 'poll' }, p);
    expect(next).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'SUCCESS', physicalResourceId: ID } });
  });

  it('a delete not yet accepted by the deadline fails, saying what it was doing and what to do', async () => {
    const { ports: p } = atlas({ service: {}, now: 10_000_000 });
    const next = await runStep('act', state(), p);
    expect(next).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'FAILED', physicalResourceId: ID } });
    expect(next.answer?.reason).toMatch(/Timed out while deleting service 6b0afe2c5721d53048387adc.*raise ServiceTimeout/);
  });

  it('a delete whose last attempt had an unclear outcome is sent once more at the deadline: accepted, it answers SUCCESS', async () => {
    const { ports: p } = atlas({ service: { status: 'DELETING' }, now: 10_000_000 });
    const unclear = { ...state(), stepFailures: { count: 1, backoffSeconds: 10 } };
    const next = await runStep('act', unclear, p);
    expect(next).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'SUCCESS', physicalResourceId: ID } });
    // Without an unclear attempt the deadline is as before: nothing is sent after it.
    expect(await runStep('act', state(), atlas({ service: {}, now: 10_000_000 }).ports)).toMatchObject({ answer: { status: 'FAILED' } });
  });

  it('refused while Atlas removes every registration of the service: asks again after the poll interval', async () => {
    const { ports: p } = atlas({ refuse: true, service: { interfaceEndpoints: ['vpce-1', 'vpce-2'] }, removing: { 'vpce-1': true } });
    expect(await runStep('act', state(), p)).toMatchObject({ outcome: 'WAIT', next: 'act', waitSeconds: 14, task: { kind: 'delete' } });
  });

  it('refused while a registration stays: fails with the refusal, and at the deadline of a refused delete too', async () => {
    const stays = atlas({ refuse: true, service: { interfaceEndpoints: ['vpce-1'] }, removing: { 'vpce-1': false } });
    const next = await runStep('act', state(), stays.ports);
    expect(next).toMatchObject({ outcome: 'FAILED', answer: { status: 'FAILED' } });
    expect(next.answer?.reason).toMatch(/interface endpoints still registered with it must be removed first/);
    const late = atlas({ refuse: true, service: { interfaceEndpoints: ['vpce-1'] }, removing: { 'vpce-1': true }, now: 9_999_500 });
    const lateNext = await runStep('act', state(), late.ports);
    expect(lateNext).toMatchObject({ outcome: 'DEADLINE', answer: { status: 'FAILED' } });
    expect(lateNext.answer?.reason).toMatch(/Timed out while deleting service .*removals Atlas accepted had not finished/);
  });
});
