/**
 * Adopted is not created: every way a request can fail after it took something over (a service adopted
 * with AdoptExisting, a registration taken over) answers an id that does not name it, so CloudFormation's
 * rollback leaves it alone, and says in the reason that it stays. The real step code; Atlas is a stand-in
 * that answers what each path needs.
 */
import { AtlasApiError } from '../../../lambda/atlas/errors';
import type { EndpointService, InterfaceEndpoint } from '../../../lambda/atlas/models';
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import { runStep } from '../../../lambda/lifecycle/core/engine';
import type { ExecutionState } from '../../../lambda/lifecycle/core/execution-state';
import { giveUpAnswer } from '../../../lambda/lifecycle/core/give-up';
import type { AtlasApi, StepPorts } from '../../../lambda/lifecycle/core/ports';
import type { Task } from '../../../lambda/lifecycle/tasks';
import { silentLogger } from '../../../lambda/logging';
import { notAsked } from '../../support/cloudformation';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const SERVICE_ID = `${PROJECT}-${SERVICE}-AWS-US_EAST_1`;
const ENDPOINT_ID = `${PROJECT}--${SERVICE}--${VPCE}`;
const MARKER = 'not-created-r-1';
const NOW = 1_000_000;

const serviceRef = { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, region: 'US_EAST_1' };
const endpointRef = { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, endpointId: VPCE };

/** What Atlas answers to the one read a poll makes. */
type Look = { status: string; errorMessage?: string } | 'gone' | AtlasApiError;

interface Kind {
  name: string;
  resourceType: string;
  properties: Record<string, unknown>;
  ownId: string;
  task(origin: 'made' | 'taken'): Task;
  /** The statuses Atlas reports for a failed one, one being deleted, one still pending. */
  statuses: { failed: string; deleting: string; pending: string };
  stays: RegExp;
}

const KINDS: Kind[] = [
  {
    name: 'an adopted service',
    resourceType: 'Custom::AtlasPrivateEndpointService',
    properties: { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1', AdoptExisting: 'true' },
    ownId: SERVICE_ID,
    task: (origin) => ({ kind: 'await-ready', ref: serviceRef, origin: origin === 'made' ? 'created' : 'adopted' }),
    statuses: { failed: 'FAILED', deleting: 'DELETING', pending: 'INITIATING' },
    stays: new RegExp(`The adopted service ${SERVICE} stays in Atlas: this stack did not create it`),
  },
  {
    name: 'a registration taken over',
    resourceType: 'Custom::AtlasPrivateEndpoint',
    properties: { ProjectId: PROJECT, EndpointServiceId: SERVICE, EndpointId: VPCE, AdoptExisting: 'true' },
    ownId: ENDPOINT_ID,
    task: (origin) => ({ kind: 'await-connection', ref: endpointRef, origin: origin === 'made' ? 'registered' : 'adopted' }),
    statuses: { failed: 'REJECTED', deleting: 'DELETING', pending: 'PENDING_ACCEPTANCE' },
    stays: new RegExp(
      `The registration of interface endpoint ${VPCE} with service ${SERVICE} stays in Atlas: this request found it registered and took it over`,
    ),
  },
];

function stateOf(kind: Kind, task: Task, request: Partial<CloudFormationRequest> = {}): ExecutionState {
  return {
    request: {
      RequestType: 'Create',
      ResponseURL: 'https://example.invalid/r',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
      RequestId: 'r-1',
      ResourceType: kind.resourceType,
      LogicalResourceId: 'L',
      ResourceProperties: kind.properties,
      ...request,
    },
    receivedAt: 0,
    deadlineAt: NOW + 600_000,
    task,
    next: 'poll',
    outcome: 'WAIT',
    waitSeconds: 5,
    polls: 3,
    stepFailures: { count: 0, backoffSeconds: 5 },
  };
}

function atlasError(status: number, retryAfterSeconds?: number): AtlasApiError {
  return new AtlasApiError({
    operation: 'getEndpointService',
    status,
    errorCode: status === 429 ? 'RATE_LIMITED' : status === 404 ? 'RESOURCE_NOT_FOUND' : 'UNAUTHORIZED',
    detail: 'stand-in',
    retryable: status === 429,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    attempts: 1,
  });
}

function portsFor(look: Look, now = NOW): StepPorts {
  const answer = async (shape: (s: { status: string; errorMessage?: string }) => unknown) => {
    if (look === 'gone') throw atlasError(404);
    if (look instanceof AtlasApiError) throw look;
    return shape(look);
  };
  const api = {
    getEndpointService: () =>
      answer(
        (s) =>
          ({
            cloudProvider: 'AWS',
            id: SERVICE,
            regionName: 'US_EAST_1',
            status: s.status,
            errorMessage: s.errorMessage ?? null,
            endpointServiceName: s.status === 'AVAILABLE' ? 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' : null,
            interfaceEndpoints: [],
          }) as EndpointService,
      ),
    getInterfaceEndpoint: () =>
      answer(
        (s) =>
          ({
            cloudProvider: 'AWS',
            interfaceEndpointId: VPCE,
            connectionStatus: s.status,
            deleteRequested: false,
            errorMessage: s.errorMessage ?? null,
          }) as InterfaceEndpoint,
      ),
  } as unknown as AtlasApi;
  return { now: () => now, logger: silentLogger, atlasFor: async () => api, deliver: async () => undefined, cloudFormation: notAsked };
}

describe.each(KINDS)('$name', (kind) => {
  const paths: Array<[string, () => Promise<ExecutionState>]> = [
    ['Atlas reports it failed', () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor({ status: kind.statuses.failed }))],
    ['Atlas is deleting it', () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor({ status: kind.statuses.deleting }))],
    ['it vanished (404)', () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor('gone'))],
    [
      'the deadline passed before the step',
      () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor({ status: kind.statuses.pending }, NOW + 600_000)),
    ],
    [
      'the deadline comes before the next look',
      () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor({ status: kind.statuses.pending }, NOW + 599_500)),
    ],
    [
      'Atlas asks to wait and no time is left',
      () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor(atlasError(429, 120), NOW + 599_500)),
    ],
    ['Atlas refuses the read (401)', () => runStep('poll', stateOf(kind, kind.task('taken')), portsFor(atlasError(401)))],
    [
      'the step kept failing and the state machine gave up',
      async () => {
        const s = stateOf(kind, kind.task('taken'));
        const failing = { ...s, stepFailures: { count: 3, backoffSeconds: 40 }, stepError: { Error: 'Sandbox.Timedout' } };
        const answer = giveUpAnswer(failing);
        return { ...failing, answer };
      },
    ],
  ];

  it.each(paths)('when %s: FAILED, no id of what it took over, and the reason says it stays', async (_path, run) => {
    const next = await run();
    expect(next.answer?.status).toBe('FAILED');
    expect(next.answer?.physicalResourceId).toBe(MARKER);
    expect(next.answer?.reason).toMatch(kind.stays);
    expect(next.answer?.reason).not.toMatch(/rollback deletes it/);
  });

  it('a failed Update that took it over answers the id CloudFormation holds', async () => {
    const held =
      kind.resourceType === 'Custom::AtlasPrivateEndpoint'
        ? `${PROJECT}--${SERVICE}--vpce-11111111111111111`
        : `${PROJECT}-6b0afe2c5721d53048387add-AWS-US_WEST_2`;
    const next = await runStep(
      'poll',
      stateOf(kind, kind.task('taken'), { RequestType: 'Update', PhysicalResourceId: held, OldResourceProperties: kind.properties }),
      portsFor({ status: kind.statuses.failed }),
    );
    expect(next.answer).toMatchObject({ status: 'FAILED', physicalResourceId: held });
    expect(next.answer?.reason).toMatch(kind.stays);
  });

  it('what the request made itself is answered on failure, so the rollback removes it, and nothing is said to stay', async () => {
    const failed = await runStep('poll', stateOf(kind, kind.task('made')), portsFor({ status: kind.statuses.failed }));
    expect(failed.answer).toMatchObject({ status: 'FAILED', physicalResourceId: kind.ownId });
    expect(failed.answer?.reason).not.toMatch(/took it over|did not create it/);
    const late = await runStep('poll', stateOf(kind, kind.task('made')), portsFor({ status: kind.statuses.pending }, NOW + 600_000));
    expect(late.answer).toMatchObject({ status: 'FAILED', physicalResourceId: kind.ownId });
  });

  it("once ready, what it took over is the stack's: SUCCESS answers its id", async () => {
    const next = await runStep('poll', stateOf(kind, kind.task('taken')), portsFor({ status: 'AVAILABLE' }));
    expect(next.answer).toMatchObject({ status: 'SUCCESS', physicalResourceId: kind.ownId });
    expect(next.answer?.reason).toBeUndefined();
  });
});
