/**
 * Forged requests, tried as a hostile caller who may invoke the functions would: a made-up ResponseURL,
 * a stack of another account, credentials of another team, a hand-made step state. Every port records
 * what it was asked, so each test can tell that nothing acted: no execution, no Atlas call, no PUT.
 */
import type { AtlasApi } from '../../lambda/lifecycle/core/ports';
import type { EarlierExecution } from '../../lambda/lifecycle/core/cancellation';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import type { LoggerLike } from '../../lambda/logging';
import { parseProfileBindings } from '../../lambda/model/profile-bindings';
import { ProviderRuntime, type ProviderRuntimeDeps, StepInputError } from '../../lambda/runtime/provider-runtime';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:Provider-OnEvent';
const context = { invokedFunctionArn: FUNCTION_ARN };
const URL_OK = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/key?X-Amz-Signature=s3cr3tsig';
const STACK = (name: string, account = '123456789012', region = 'eu-west-1') =>
  `arn:aws:cloudformation:${region}:${account}:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab`;
const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const SERVICE_ID = `${PROJECT}-${SERVICE}-AWS-EU_WEST_1`;

function harness(over: Partial<ProviderRuntimeDeps> = {}) {
  const calls = {
    started: [] as string[],
    atlas: 0,
    delivered: [] as { url: string; body: Record<string, unknown> }[],
    logs: [] as string[],
  };
  const log =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      calls.logs.push(JSON.stringify({ level, message, ...Object.assign({}, ...extra) }));
    };
  const logger: LoggerLike = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const runtime = new ProviderRuntime({
    now: () => 1_000_000,
    logger,
    atlasFor: async () => {
      calls.atlas++;
      const refuse = async () => Promise.reject(new Error('no Atlas in this test'));
      return {
        listEndpointServices: refuse,
        getEndpointService: refuse,
        createEndpointService: refuse,
        updateEndpointService: refuse,
        deleteEndpointService: refuse,
        createInterfaceEndpoint: refuse,
        getInterfaceEndpoint: refuse,
        deleteInterfaceEndpoint: refuse,
      } as unknown as AtlasApi;
    },
    deliver: async (url, body) => {
      calls.delivered.push({ url, body: JSON.parse(body) as Record<string, unknown> });
    },
    starter: {
      start: async (name) => {
        calls.started.push(name);
        return 'started';
      },
    },
    ...over,
  });
  return { runtime, calls };
}

const event = (over: Record<string, unknown> = {}) => ({
  RequestType: 'Create',
  ResponseURL: URL_OK,
  StackId: STACK('app-dev'),
  RequestId: 'req-1',
  ResourceType: 'Custom::AtlasPrivateEndpointService',
  LogicalResourceId: 'Service',
  ResourceProperties: { ServiceToken: FUNCTION_ARN, ProjectId: PROJECT, ProviderName: 'AWS', Region: 'eu-west-1' },
  ...over,
});

describe('onEvent: forged requests', () => {
  it("starts the execution for CloudFormation's own request", async () => {
    const { runtime, calls } = harness();
    await runtime.onEvent(event(), context);
    expect(calls.started).toHaveLength(1);
  });

  it.each([
    ["an attacker's https URL", 'https://collector.example/answer?X-Amz-Signature=s3cr3tsig'],
    ['loopback http', 'http://127.0.0.1:9/answer?X-Amz-Signature=s3cr3tsig'],
    ['plain http to S3', 'http://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/key?X-Amz-Signature=s3cr3tsig'],
    [
      'a response bucket of another region',
      'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/key?X-Amz-Signature=s3cr3tsig',
    ],
  ])('drops a request whose answer would go to %s: nothing starts, nothing is PUT', async (_what, ResponseURL) => {
    for (const RequestType of ['Create', 'Update', 'Delete']) {
      const { runtime, calls } = harness();
      await runtime.onEvent(event({ RequestType, ResponseURL, PhysicalResourceId: SERVICE_ID }), context);
      expect(calls).toMatchObject({ started: [], atlas: 0, delivered: [] });
      expect(calls.logs.join('\n')).toContain('Event dropped');
      expect(calls.logs.join('\n')).not.toContain('s3cr3tsig');
    }
  });

  it('accepts loopback http only when the runtime is told to (the local runner)', async () => {
    const { runtime, calls } = harness({ entry: { allowLoopbackHttp: true } });
    await runtime.onEvent(event({ ResponseURL: 'http://127.0.0.1:9/answer' }), context);
    expect(calls.started).toHaveLength(1);
  });

  it.each([
    ['another account', STACK('app-dev', '999999999999')],
    ['another region', STACK('app-dev', '123456789012', 'us-east-1')],
  ])('answers FAILED, without starting anything, for a stack in %s', async (_what, StackId) => {
    const { runtime, calls } = harness();
    await runtime.onEvent(event({ StackId }), context);
    expect(calls.started).toEqual([]);
    expect(calls.atlas).toBe(0);
    expect(calls.delivered).toHaveLength(1);
    expect(calls.delivered[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/serves stacks of account 123456789012, region eu-west-1 only/),
    });
  });

  it('refuses every stack when neither the invocation nor its settings say where it runs', async () => {
    const { runtime, calls } = harness();
    await runtime.onEvent(event(), {});
    expect(calls.started).toEqual([]);
    expect(calls.delivered[0].body).toMatchObject({ Status: 'FAILED' });
  });

  it('answers FAILED at once when the wait loop cannot start, instead of leaving CloudFormation waiting', async () => {
    const denied = Object.assign(new Error('not authorized to perform states:StartExecution'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    const { runtime, calls } = harness({ starter: { start: async () => Promise.reject(denied) } });
    await runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: SERVICE_ID }), context);
    expect(calls.delivered).toHaveLength(1);
    expect(calls.delivered[0].body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: SERVICE_ID,
      RequestId: 'req-1',
      Reason: expect.stringMatching(/AccessDeniedException/),
    });
  });

  it('answers a misconfigured provider FAILED with the setting to fix, not with retried steps', async () => {
    const { runtime, calls } = harness({ configurationProblem: 'ATLAS_BASE_URL is not an https origin.' });
    await runtime.onEvent(event(), context);
    expect(calls.started).toEqual([]);
    expect(calls.delivered[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/ATLAS_BASE_URL/) });
  });
});

describe('profile bindings', () => {
  const bindings = parseProfileBindings(
    JSON.stringify([
      { secret: 'prod', stacks: ['app-prod'] },
      { secret: 'cfn/atlas/profile/dev', stacks: ['app-dev', 'sandbox-*'] },
    ]),
  );

  it('lets a stack use the credentials bound to it', async () => {
    const { runtime, calls } = harness({ bindings });
    await runtime.onEvent(
      event({ StackId: STACK('sandbox-alice'), ResourceProperties: { ...event().ResourceProperties, Profile: 'dev' } }),
      context,
    );
    expect(calls.started).toHaveLength(1);
  });

  it.each([
    ['Create', 'prod', undefined],
    ['Update', 'prod', SERVICE_ID],
    ['Delete', 'prod', SERVICE_ID],
    ['Create', 'default', undefined],
  ])('refuses a %s by a dev stack with the %s profile before reading any secret', async (RequestType, Profile, PhysicalResourceId) => {
    const { runtime, calls } = harness({ bindings });
    await runtime.onEvent(
      event({
        RequestType,
        ...(PhysicalResourceId ? { PhysicalResourceId } : {}),
        ResourceProperties: { ...event().ResourceProperties, Profile },
        ...(RequestType === 'Update' ? { OldResourceProperties: event().ResourceProperties } : {}),
      }),
      context,
    );
    expect(calls.started).toEqual([]);
    expect(calls.atlas).toBe(0);
    expect(calls.delivered[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(new RegExp(`Profile ${Profile} .* may not be used by stack app-dev`)),
    });
  });

  it('lets any stack delete what names nothing of ours', async () => {
    const { runtime, calls } = harness({ bindings });
    await runtime.onEvent(
      event({
        RequestType: 'Delete',
        PhysicalResourceId: 'not-created-req-0',
        ResourceProperties: { ...event().ResourceProperties, Profile: 'prod' },
      }),
      context,
    );
    expect(calls.atlas).toBe(0);
    expect(calls.started).toHaveLength(1); // the execution only answers SUCCESS
  });

  it.each([
    ['a trailing space', 'prod '],
    ['a trailing newline', 'prod\n'],
    ['a no-break space', '\u00a0prod'],
    ['a byte-order mark', '\ufeffprod'],
  ])('judges the profile the steps would read: "prod" with %s is refused for a dev stack', async (_what, Profile) => {
    const { runtime, calls } = harness({ bindings });
    await runtime.onEvent(event({ ResourceProperties: { ...event().ResourceProperties, Profile } }), context);
    expect(calls.started).toEqual([]);
    expect(calls.atlas).toBe(0);
    expect(calls.delivered[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/Profile prod .* may not be used by stack app-dev/),
    });
  });

  it('judges a padded CredentialsSecretArn as the ARN the steps would read', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team-a-AbCdEf';
    const b = parseProfileBindings(JSON.stringify([{ secret: arn, stacks: ['team-a-*'] }]));
    const { runtime, calls } = harness({ bindings: b });
    await runtime.onEvent(event({ ResourceProperties: { ...event().ResourceProperties, CredentialsSecretArn: ` ${arn}\n` } }), context);
    expect(calls.started).toEqual([]);
    expect(calls.delivered[0].body).toMatchObject({
      Reason: expect.stringMatching(`CredentialsSecretArn ${arn} may not be used by stack app-dev`),
    });
    const teamA = harness({ bindings: b });
    await teamA.runtime.onEvent(
      event({ StackId: STACK('team-a-app'), ResourceProperties: { ...event().ResourceProperties, CredentialsSecretArn: ` ${arn}\n` } }),
      context,
    );
    expect(teamA.calls.started).toHaveLength(1);
  });

  it('hands the steps the same credentials the check judged', async () => {
    const seen: unknown[] = [];
    const { runtime } = harness({
      bindings,
      atlasFor: async (source) => {
        seen.push(source);
        return Promise.reject(new Error('no Atlas in this test'));
      },
    });
    const state = stepState({
      request: {
        ...stepState().request,
        StackId: STACK('sandbox-bob'),
        ResourceProperties: { ...stepState().request.ResourceProperties, Profile: ' dev\t' },
      },
    });
    await runtime.onStep({ step: 'act', state }, context).catch(() => undefined);
    expect(seen).toEqual([{ profile: 'dev' }]);
  });

  it('refuses, with or without bindings, a step whose credentials cannot name a secret', async () => {
    for (const b of [bindings, undefined]) {
      for (const Profile of [['prod'], 'pr od']) {
        const { runtime, calls } = harness({ bindings: b });
        const state = stepState({
          request: { ...stepState().request, ResourceProperties: { ...stepState().request.ResourceProperties, Profile } },
        });
        await expect(runtime.onStep({ step: 'act', state }, context)).rejects.toThrow(
          /Profile .*(must be a string|cannot be part of a secret name)/,
        );
        expect(calls.atlas).toBe(0);
      }
    }
  });

  it('answers a refused Delete with how to let it finish', async () => {
    const { runtime, calls } = harness({ bindings });
    await runtime.onEvent(
      event({
        RequestType: 'Delete',
        PhysicalResourceId: SERVICE_ID,
        ResourceProperties: { ...event().ResourceProperties, Profile: 'prod' },
      }),
      context,
    );
    expect(calls.delivered[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(
        new RegExp(
          `To let this Delete finish: bind stack app-dev .* or delete the stack again with --retain-resources Service .* delete ${SERVICE_ID} in Atlas`,
        ),
      ),
    });
    expect(JSON.stringify(calls.delivered[0].body).length).toBeLessThanOrEqual(4096);
  });

  it('refuses a request for an Atlas project its credentials are not bound to, and a step whose task names one', async () => {
    const OTHER = '0123456789abcdef01234567';
    const b = parseProfileBindings(JSON.stringify([{ secret: 'team-a', stacks: ['*'], projects: [PROJECT] }]));
    const { runtime, calls } = harness({ bindings: b });
    await runtime.onEvent(event({ ResourceProperties: { ...event().ResourceProperties, Profile: 'team-a', ProjectId: OTHER } }), context);
    expect(calls.started).toEqual([]);
    expect(calls.delivered[0].body).toMatchObject({ Reason: expect.stringMatching(`may not be used for Atlas project ${OTHER}`) });
    await runtime.onEvent(
      event({ ResourceProperties: { ...event().ResourceProperties, Profile: 'team-a', ProjectId: ` ${PROJECT.toUpperCase()}` } }),
      context,
    );
    expect(calls.started).toHaveLength(1);
    const other = stepState({
      request: {
        ...stepState().request,
        ResourceProperties: { ...stepState().request.ResourceProperties, Profile: 'team-a', ProjectId: OTHER },
      },
      task: { kind: 'delete', ref: { projectId: OTHER, serviceId: SERVICE, provider: 'AWS', region: 'EU_WEST_1' } },
    });
    await expect(runtime.onStep({ step: 'poll', state: other }, context)).rejects.toThrow(/may not be used for Atlas project/);
    expect(calls.atlas).toBe(0);
  });

  it('checks the give-up step too: it answers FAILED without reading the credentials', async () => {
    // A create that failed three times may have been carried out: give-up looks in Atlas for what it made.
    const gaveUp = (Profile: string) =>
      stepState({
        request: {
          ...stepState().request,
          RequestType: 'Create',
          PhysicalResourceId: undefined,
          ResourceProperties: { ...stepState().request.ResourceProperties, Profile },
        },
        task: { kind: 'create', maybeProcessed: true },
        stepFailures: { count: 3, backoffSeconds: 40 },
        stepError: { Error: 'Error', Cause: '{}' },
      });
    const { runtime, calls } = harness({ bindings });
    const after = await runtime.onStep({ step: 'give-up', state: gaveUp('prod') }, context);
    expect(calls.atlas).toBe(0);
    expect(after.answer).toMatchObject({ status: 'FAILED' });
    const allowed = harness({ bindings: parseProfileBindings(JSON.stringify([{ secret: 'prod', stacks: ['app-dev'] }])) });
    await allowed.runtime.onStep({ step: 'give-up', state: gaveUp('prod') }, context);
    expect(allowed.calls.atlas).toBe(1); // the same give-up with bound credentials does look
  });

  it('refuses a step for a stack the credentials are not bound to', async () => {
    const { runtime, calls } = harness({ bindings });
    const state = stepState({
      request: { ...stepState().request, ResourceProperties: { ...stepState().request.ResourceProperties, Profile: 'prod' } },
    });
    await expect(runtime.onStep({ step: 'act', state }, context)).rejects.toThrow(StepInputError);
    expect(calls.atlas).toBe(0);
  });
});

function stepState(over: Partial<ExecutionState> = {}): ExecutionState {
  return {
    request: {
      RequestType: 'Delete',
      ResponseURL: URL_OK,
      StackId: STACK('app-dev'),
      RequestId: 'req-1',
      ResourceType: 'Custom::AtlasPrivateEndpointService',
      LogicalResourceId: 'Service',
      PhysicalResourceId: SERVICE_ID,
      ResourceProperties: { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'eu-west-1' },
    },
    receivedAt: 1_000_000,
    deadlineAt: 1_000_000 + 3_240_000,
    task: { kind: 'delete', ref: { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS', region: 'EU_WEST_1' } },
    next: 'act',
    outcome: 'WAIT',
    waitSeconds: 0,
    polls: 0,
    stepFailures: { count: 0, backoffSeconds: 5 },
    ...over,
  };
}

describe('onStep: only what the state machine gives it', () => {
  it('runs a step the state machine made', async () => {
    const { runtime, calls } = harness();
    await expect(runtime.onStep({ step: 'act', state: stepState() }, context)).rejects.toThrow('no Atlas in this test');
    expect(calls.atlas).toBe(1);
  });

  const OTHER_PROJECT = 'aaaaaaaaaaaaaaaaaaaaaaaa';
  it.each([
    ['extra top-level fields', { step: 'act', state: stepState(), responseUrl: 'x' }],
    ['an unknown step', { step: 'delete-everything', state: stepState() }],
    [
      'a ResponseURL of its choosing',
      { step: 'answer', state: stepState({ request: { ...stepState().request, ResponseURL: 'https://collector.example/a' } }) },
    ],
    [
      'a stack of another account',
      { step: 'act', state: stepState({ request: { ...stepState().request, StackId: STACK('app-dev', '999999999999') } }) },
    ],
    [
      'a task on another project',
      {
        step: 'act',
        state: stepState({
          task: { kind: 'delete', ref: { projectId: OTHER_PROJECT, serviceId: SERVICE, provider: 'AWS', region: 'EU_WEST_1' } },
        }),
      },
    ],
    [
      'a path segment for an endpoint id',
      {
        step: 'act',
        state: stepState({
          task: { kind: 'deregister', ref: { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS', endpointId: '..' } },
        }),
      },
    ],
    [
      'an undo task with a malformed project id',
      {
        step: 'act',
        state: stepState({
          undo: [
            {
              resourceType: 'Custom::AtlasPrivateEndpointService',
              task: { kind: 'delete', ref: { projectId: '../groups', serviceId: SERVICE, provider: 'AWS', region: 'EU_WEST_1' } },
            },
          ],
        }),
      },
    ],
    [
      'a search with a malformed project id',
      {
        step: 'act',
        state: stepState({
          undo: [
            {
              resourceType: 'Custom::AtlasPrivateEndpointService',
              task: { kind: 'find-created', projectId: 'x/../../groups', provider: 'AWS', region: 'EU_WEST_1', since: 0 },
            },
          ],
        }),
      },
    ],
    ['a malformed undo list', { step: 'act', state: stepState({ undo: 'everything' as unknown as ExecutionState['undo'] }) }],
    ['a task without a kind', { step: 'act', state: stepState({ task: {} as ExecutionState['task'] }) }],
    ['a deadline beyond any ServiceTimeout', { step: 'act', state: stepState({ deadlineAt: 1e15 }) }],
  ])('refuses %s, doing nothing', async (_what, invocation) => {
    const { runtime, calls } = harness();
    await expect(runtime.onStep(invocation, context)).rejects.toThrow(StepInputError);
    expect(calls).toMatchObject({ atlas: 0, delivered: [] });
  });
});

describe('endpoint physical ids', () => {
  it.each(['..', '.', 'vpce-0123456789abcdef0/..', 'vpce-0123456789abcdef0/../..', 'vpce-0123', '%2e%2e'])(
    'a Delete of %s names nothing of ours: SUCCESS without an Atlas call',
    async (endpointId) => {
      const { runtime, calls } = harness({ starter: { start: async () => 'started' } });
      const prepared: ExecutionState[] = [];
      const r2 = new ProviderRuntime({
        now: () => 1_000_000,
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        atlasFor: async () => {
          calls.atlas++;
          throw new Error('no Atlas');
        },
        deliver: async () => undefined,
        starter: {
          start: async (_name, input) => {
            prepared.push(input);
            return 'started';
          },
        },
      });
      void runtime;
      await r2.onEvent(
        event({
          RequestType: 'Delete',
          ResourceType: 'Custom::AtlasPrivateEndpoint',
          PhysicalResourceId: `${PROJECT}--${SERVICE}--${endpointId}`,
          ResourceProperties: {},
        }),
        context,
      );
      expect(prepared).toHaveLength(1);
      expect(prepared[0].answer).toMatchObject({ status: 'SUCCESS' });
      expect(prepared[0].task.kind).toBe('done');
      expect(calls.atlas).toBe(0);
    },
  );
});

describe('onEvent: the previous request for the resource', () => {
  /** A runtime whose Step Functions holds `last` as the previous execution, recording what it starts and stops. */
  function withPrevious(name: string, status: EarlierExecution['status'], last: ExecutionState) {
    const stopped: string[] = [];
    const inputs: ExecutionState[] = [];
    const { runtime } = harness({
      starter: {
        start: async (_name, input) => {
          inputs.push(input);
          return 'started';
        },
        findPrevious: async () => ({ name, status, startedAt: 1, last, stepInFlight: false }),
        stopPrevious: async (e) => {
          stopped.push(e.name);
          return { ...e, status: 'ABORTED' };
        },
      },
    });
    return { runtime, stopped, inputs };
  }

  const createState = (): ExecutionState => ({
    ...stepState({
      task: {
        kind: 'await-ready',
        ref: { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS', region: 'EU_WEST_1' },
        origin: 'created',
      },
    }),
    request: { ...stepState().request, RequestType: 'Create', PhysicalResourceId: undefined, RequestId: 'req-0' },
    made: SERVICE_ID,
  });

  it('stops a Create CloudFormation gave up on, and deletes what it made before answering the Delete of a made-up id', async () => {
    const { runtime, stopped, inputs } = withPrevious('Service-x-Create-y', 'RUNNING', createState());
    await runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'app-dev-Service-1A2B3C' }), context);
    expect(stopped).toEqual(['Service-x-Create-y']);
    expect(inputs[0]).toMatchObject({
      next: 'act',
      task: { kind: 'done' },
      undo: [{ task: { kind: 'delete', ref: { serviceId: SERVICE } } }],
      answerAfterUndo: { status: 'SUCCESS', physicalResourceId: 'app-dev-Service-1A2B3C' },
    });
  });

  it('leaves alone a previous request CloudFormation took the answer of', async () => {
    const done = { ...createState(), answer: { status: 'SUCCESS' as const, physicalResourceId: SERVICE_ID } };
    const { runtime, stopped, inputs } = withPrevious('Service-x-Create-y', 'SUCCEEDED', done);
    await runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: SERVICE_ID }), context);
    expect(stopped).toEqual([]);
    expect(inputs[0].undo).toBeUndefined();
    expect(inputs[0].task).toMatchObject({ kind: 'delete' });
  });

  it('takes over what the previous request could not undo (its Delete failed), even though that request was answered', async () => {
    const left = [
      {
        resourceType: 'Custom::AtlasPrivateEndpointService',
        task: { kind: 'delete' as const, ref: { projectId: PROJECT, serviceId: SERVICE, provider: 'AWS' as const, region: 'EU_WEST_1' } },
      },
    ];
    const failedDelete: ExecutionState = {
      ...stepState({ request: { ...stepState().request, PhysicalResourceId: 'app-dev-Service-1A2B3C' } }),
      undo: left,
      answer: { status: 'FAILED', physicalResourceId: 'app-dev-Service-1A2B3C', reason: 'could not undo' },
    };
    const { runtime, inputs } = withPrevious('Service-x-Delete-y', 'SUCCEEDED', failedDelete);
    await runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'app-dev-Service-1A2B3C', RequestId: 'req-2' }), context);
    expect(inputs[0]).toMatchObject({ undo: left, answerAfterUndo: { status: 'SUCCESS' } });
  });

  it('does not act on a Create delivered late, after CloudFormation sent a later request for the resource (the Delete of a made-up id)', async () => {
    const { runtime, calls } = harness({
      starter: {
        start: async (name) => {
          calls.started.push(name);
          return 'started';
        },
        // The made-up id's Delete, sent 900 s after the Create (its URL signed at 100 s on the same clock).
        findPrevious: async () => ({
          name: 'Service-x-Delete-y',
          status: 'SUCCEEDED',
          startedAt: 1_000_000,
          last: stepState({ request: { ...stepState().request, PhysicalResourceId: 'app-dev-Service-1A2B3C' } }),
          stepInFlight: false,
        }),
      },
    });
    const lateCreate = event({ ResponseURL: `${URL_OK}&X-Amz-Date=19700101T000140Z` });
    await expect(runtime.onEvent(lateCreate, context)).resolves.toMatchObject({ started: false });
    expect(calls.started).toEqual([]);
    expect(calls.delivered).toEqual([]);
    expect(calls.logs.join('\n')).toContain('stale');
  });

  it('lets Lambda retry when Step Functions throttles the look, and goes on without it when not allowed to look', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const a = harness({ starter: { start: async () => 'started', findPrevious: async () => Promise.reject(throttled) } });
    await expect(a.runtime.onEvent(event(), context)).rejects.toThrow('Rate exceeded');
    const denied = Object.assign(new Error('not authorized to perform states:ListExecutions'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    const b = harness({ starter: { start: async () => 'started', findPrevious: async () => Promise.reject(denied) } });
    await expect(b.runtime.onEvent(event(), context)).resolves.toMatchObject({ started: true });
    expect(b.calls.logs.join('\n')).toContain('Could not look for an earlier request');
  });
});
