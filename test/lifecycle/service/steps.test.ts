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
