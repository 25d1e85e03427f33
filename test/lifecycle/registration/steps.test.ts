/**
 * The register step when Atlas answers 409: the registration is this request's own only when an earlier
 * attempt of it may have made it, is taken over only with AdoptExisting, and the knowledge that an earlier
 * attempt may have registered survives every wait. Atlas is a stand-in; everything else is the real step code.
 */
import { AtlasApiError } from '../../../lambda/atlas/errors';
import type { InterfaceEndpoint } from '../../../lambda/atlas/models';
import { runStep } from '../../../lambda/lifecycle/core/engine';
import type { ExecutionState } from '../../../lambda/lifecycle/core/execution-state';
import type { AtlasApi, StepPorts } from '../../../lambda/lifecycle/core/ports';
import type { Task } from '../../../lambda/lifecycle/tasks';
import { silentLogger } from '../../../lambda/logging';
import { notAsked } from '../../support/cloudformation';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const ID = `${PROJECT}--${SERVICE}--${VPCE}`;

function state(extra: Record<string, unknown> = {}, task: Task = { kind: 'register', checked: true }): ExecutionState {
  return {
    request: {
      RequestType: 'Create',
      ResponseURL: 'https://example.invalid/r',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
      RequestId: 'r-1',
      ResourceType: 'Custom::AtlasPrivateEndpoint',
      LogicalResourceId: 'Registration',
      ResourceProperties: { ProjectId: PROJECT, EndpointServiceId: SERVICE, EndpointId: VPCE, ...extra },
    },
    receivedAt: 0,
    deadlineAt: 10_000_000,
    task,
    next: 'act',
    outcome: 'WAIT',
    waitSeconds: 0,
    polls: 0,
    stepFailures: { count: 0, backoffSeconds: 5 },
  };
}

function error(operation: 'createInterfaceEndpoint' | 'getInterfaceEndpoint', status: number, maybeProcessed = false): AtlasApiError {
  return new AtlasApiError({
    operation,
    status,
    errorCode: status === 409 ? 'PRIVATE_ENDPOINT_ALREADY_EXISTS' : status === 429 ? 'RATE_LIMITED' : 'SERVICE_UNAVAILABLE',
    detail: 'stand-in',
    retryable: status === 429 || status === 503,
    ...(status === 429 ? { retryAfterSeconds: 10 } : {}),
    attempts: 1,
    maybeProcessed,
  });
}

const existing: InterfaceEndpoint = {
  cloudProvider: 'AWS',
  interfaceEndpointId: VPCE,
  connectionStatus: 'AVAILABLE',
  deleteRequested: false,
  errorMessage: null,
};

function ports(post: AtlasApiError, get: InterfaceEndpoint | AtlasApiError = existing): StepPorts {
  const api = {
    createInterfaceEndpoint: async () => {
      throw post;
    },
    getInterfaceEndpoint: async () => {
      if (get instanceof AtlasApiError) throw get;
      return get;
    },
  } as unknown as AtlasApi;
  return {
    now: () => 1_000_000,
    logger: silentLogger,
    atlasFor: async () => api,
    deliver: async () => undefined,
    cloudFormation: notAsked,
  };
}

describe('the look before the POST', () => {
  it('finds no registration: the POST comes next, and the task says none was there', async () => {
    const next = await runStep(
      'act',
      state({}, { kind: 'register' }),
      ports(error('createInterfaceEndpoint', 409), error('getInterfaceEndpoint', 404)),
    );
    expect(next).toMatchObject({ outcome: 'WAIT', next: 'act', waitSeconds: 0, task: { kind: 'register', checked: true } });
  });

  it('finds one registered before the request: refused without the opt-in (no POST), taken over with it', async () => {
    const refused = await runStep('act', state({}, { kind: 'register' }), ports(error('createInterfaceEndpoint', 500)));
    expect(refused.answer).toMatchObject({ status: 'FAILED', physicalResourceId: 'not-created-r-1' });
    expect(refused.answer?.reason).toMatch(/already registered/);
    // Even after a failed step: the look made nothing, so what is there was there before.
    const afterFailure = await runStep(
      'act',
      { ...state({}, { kind: 'register' }), stepFailures: { count: 1, backoffSeconds: 10 } },
      ports(error('createInterfaceEndpoint', 500)),
    );
    expect(afterFailure.answer).toMatchObject({ status: 'FAILED', physicalResourceId: 'not-created-r-1' });
    const adopted = await runStep(
      'act',
      state({ AdoptExisting: 'true' }, { kind: 'register' }),
      ports(error('createInterfaceEndpoint', 500)),
    );
    expect(adopted.answer).toMatchObject({ status: 'SUCCESS', physicalResourceId: ID });
  });
});

describe('a register answered 409 for a registration that is there', () => {
  it('without AdoptExisting and without an earlier attempt: FAILED, the not-created marker, a reason that says what to do', async () => {
    const next = await runStep('act', state(), ports(error('createInterfaceEndpoint', 409)));
    expect(next.answer).toMatchObject({ status: 'FAILED', physicalResourceId: 'not-created-r-1' });
    expect(next.answer?.reason).toMatch(new RegExp(`${VPCE} is already registered with private endpoint service ${SERVICE}`));
    expect(next.answer?.reason).toMatch(/set AdoptExisting to true; otherwise remove the registration in Atlas/);
  });

  it('with AdoptExisting: taken over (a failure later leaves it in place)', async () => {
    const next = await runStep('act', state({ AdoptExisting: 'true' }), ports(error('createInterfaceEndpoint', 409)));
    expect(next.answer).toMatchObject({ status: 'SUCCESS', physicalResourceId: ID });
    const pending = await runStep(
      'act',
      state({ AdoptExisting: 'true' }),
      ports(error('createInterfaceEndpoint', 409), { ...existing, connectionStatus: 'PENDING' }),
    );
    expect(pending.task).toEqual({ kind: 'await-connection', ref: expect.objectContaining({ endpointId: VPCE }), origin: 'adopted' });
  });

  it("an Update back to a registration the stack still holds (a replacement's rollback, as CloudFormation's stack status says) takes it over without the opt-in", async () => {
    const held = `${PROJECT}--${SERVICE}--vpce-11111111111111111`;
    const s = state();
    const update: ExecutionState = {
      ...s,
      stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
      request: {
        ...s.request,
        RequestType: 'Update',
        PhysicalResourceId: held,
        OldResourceProperties: { ...s.request.ResourceProperties, EndpointId: 'vpce-11111111111111111' },
      },
    };
    const next = await runStep('act', update, ports(error('createInterfaceEndpoint', 409)));
    expect(next.answer).toMatchObject({ status: 'SUCCESS', physicalResourceId: ID });
    // Should it fail afterwards, it stays, and the answer names what CloudFormation holds.
    const rejected = await runStep(
      'act',
      update,
      ports(error('createInterfaceEndpoint', 409), { ...existing, connectionStatus: 'REJECTED' }),
    );
    expect(rejected.answer).toMatchObject({ status: 'FAILED', physicalResourceId: held });
    expect(rejected.answer?.reason).toMatch(/stays in Atlas/);
  });

  it.each<[string, ExecutionState, AtlasApiError]>([
    [
      'the task says an earlier attempt may have registered',
      state({}, { kind: 'register', checked: true, uncertain: true }),
      error('createInterfaceEndpoint', 409),
    ],
    ["the client's own earlier attempt may have been processed", state(), error('createInterfaceEndpoint', 409, true)],
    ['the step failed before', { ...state(), stepFailures: { count: 1, backoffSeconds: 10 } }, error('createInterfaceEndpoint', 409)],
    ['Lambda retried the step', { ...state(), invocationRetried: true }, error('createInterfaceEndpoint', 409)],
  ])('is our own, without the opt-in, when %s: the answer names it', async (_why, s, post) => {
    const next = await runStep('act', s, ports(post, { ...existing, connectionStatus: 'REJECTED' }));
    // Ours: a failure names it, so the rollback removes it.
    expect(next.answer).toMatchObject({ status: 'FAILED', physicalResourceId: ID });
    expect(next.answer?.reason).not.toMatch(/already registered|stays in Atlas/);
  });
});

describe('what an earlier attempt may have done survives every wait', () => {
  it('a register that may have been processed and must wait remembers it', async () => {
    const next = await runStep('act', state(), ports(error('createInterfaceEndpoint', 503, true)));
    expect(next).toMatchObject({ outcome: 'WAIT', next: 'act', task: { kind: 'register', uncertain: true } });
  });

  it('a clean refusal to wait (429 before processing) adds nothing', async () => {
    const next = await runStep('act', state(), ports(error('createInterfaceEndpoint', 429)));
    expect(next).toMatchObject({ outcome: 'WAIT', next: 'act', task: { kind: 'register' } });
    expect(next.task).not.toHaveProperty('uncertain');
  });

  it('a 409 after a lost answer whose look must wait keeps the uncertainty', async () => {
    const next = await runStep('act', state(), ports(error('createInterfaceEndpoint', 409, true), error('getInterfaceEndpoint', 429)));
    expect(next).toMatchObject({ outcome: 'WAIT', next: 'act', task: { kind: 'register', uncertain: true } });
  });
});
