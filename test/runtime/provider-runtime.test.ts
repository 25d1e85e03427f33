/**
 * Forged requests, tried as a hostile caller who may invoke the functions would: a made-up ResponseURL,
 * a stack of another account, credentials of another team, a hand-made step state. Every port records
 * what it was asked, so each test can tell that nothing acted: no execution, no Atlas call, no PUT.
 */
import type { AtlasApi } from '../../lambda/lifecycle/core/ports';
import type { CloudFormationReader, StackResourceView } from '../../lambda/cloudformation/stack-view';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import type { LoggerLike } from '../../lambda/logging';
import { parseProfileBindings } from '../../lambda/model/profile-bindings';
import { ProviderRuntime, type ProviderRuntimeDeps, StepInputError } from '../../lambda/runtime/provider-runtime';
import { agreeing } from '../support/cloudformation';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:Provider-OnEvent';
const context = { invokedFunctionArn: FUNCTION_ARN };
const URL_OK = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/key?X-Amz-Signature=s3cr3tsig';
const STACK = (name: string, account = '123456789012', region = 'eu-west-1') =>
  `arn:aws:cloudformation:${region}:${account}:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab`;
const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const SERVICE_ID = `${PROJECT}-${SERVICE}-AWS-EU_WEST_1`;

/** A CloudFormation that shows one fixed view, counting the looks. */
function showing(view: StackResourceView): CloudFormationReader & { looks: number } {
  const reader = { looks: 0, describe: async () => (reader.looks++, view) };
  return reader;
}

function harness(over: Partial<ProviderRuntimeDeps> = {}) {
  const cfn = agreeing(999_000);
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
    cloudFormation: cfn,
    sleep: async () => undefined,
    ...over,
  });
  const onEvent = runtime.onEvent.bind(runtime);
  runtime.onEvent = (e, c) => {
    cfn.request = e;
    return onEvent(e, c);
  };
  const onStep = runtime.onStep.bind(runtime);
  runtime.onStep = (e, c) => {
    cfn.request = (e as { state?: { request?: unknown } } | null)?.state?.request;
    return onStep(e, c);
  };
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

  it.each([
    [
      'AZURE',
      '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe',
    ],
    ['GCP', 'atlas-group'],
  ])('keeps a %s registration whose Delete it refuses: FAILED, so the stack still holds it', async (ProviderName, endpointId) => {
    const { runtime, calls } = harness({ bindings });
    await runtime.onEvent(
      event({
        RequestType: 'Delete',
        ResourceType: 'Custom::AtlasPrivateEndpoint',
        LogicalResourceId: 'Registration',
        PhysicalResourceId: `${PROJECT}--${SERVICE}--${endpointId}`,
        ResourceProperties: {
          ServiceToken: FUNCTION_ARN,
          ProjectId: PROJECT,
          ProviderName,
          EndpointServiceId: SERVICE,
          EndpointId: endpointId,
          Profile: 'prod',
        },
      }),
      context,
    );
    expect(calls.started).toEqual([]);
    expect(calls.delivered[0].body).toMatchObject({ Status: 'FAILED' });
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
        stamp: { status: 'CREATE_IN_PROGRESS', lastUpdated: 999_000 },
        stackStatus: 'CREATE_IN_PROGRESS',
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
    stamp: { status: 'DELETE_IN_PROGRESS', physicalResourceId: SERVICE_ID, lastUpdated: 999_000 },
    stackStatus: 'DELETE_IN_PROGRESS',
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
    ["a state without CloudFormation's stamp", { step: 'act', state: stepState({ stamp: undefined }) }],
    [
      'a stamp CloudFormation never shows for such a request (the service held, not being deleted)',
      { step: 'act', state: stepState({ stamp: { status: 'CREATE_COMPLETE', physicalResourceId: SERVICE_ID, lastUpdated: 999_000 } }) },
    ],
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
      const cfn = agreeing(999_000);
      const r2 = new ProviderRuntime({
        cloudFormation: cfn,
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
      const e = event({
        RequestType: 'Delete',
        ResourceType: 'Custom::AtlasPrivateEndpoint',
        PhysicalResourceId: `${PROJECT}--${SERVICE}--${endpointId}`,
        ResourceProperties: {},
      });
      cfn.request = e;
      await r2.onEvent(e, context);
      expect(prepared).toHaveLength(1);
      expect(prepared[0].answer).toMatchObject({ status: 'SUCCESS' });
      expect(prepared[0].task.kind).toBe('done');
      expect(calls.atlas).toBe(0);
    },
  );
});

describe('onEvent: CloudFormation decides', () => {
  const detail = (over: Partial<NonNullable<StackResourceView['resource']>> = {}) => ({
    resourceType: 'Custom::AtlasPrivateEndpointService',
    status: 'CREATE_COMPLETE',
    physicalResourceId: SERVICE_ID,
    lastUpdated: 500_000,
    ...over,
  });

  it("drops a Delete naming another stack's service that CloudFormation holds as CREATE_COMPLETE: nothing starts, nothing is answered", async () => {
    const cfn = showing({ stackStatus: 'CREATE_COMPLETE', resource: detail() });
    const { runtime, calls } = harness({ cloudFormation: cfn });
    await expect(runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: SERVICE_ID }), context)).resolves.toMatchObject({
      started: false,
    });
    expect(calls).toMatchObject({ started: [], atlas: 0, delivered: [] });
    // Looked at again in case CloudFormation's view lags, then dropped; the URL's query never logged.
    expect(cfn.looks).toBeGreaterThan(1);
    expect(calls.logs.join('\n')).toContain('CloudFormation is not waiting for it');
    expect(calls.logs.join('\n')).not.toContain('s3cr3tsig');
  });

  it('drops a Create delivered again after CloudFormation rolled it back (the resource is DELETE_COMPLETE)', async () => {
    const { runtime, calls } = harness({
      cloudFormation: showing({
        stackStatus: 'ROLLBACK_COMPLETE',
        resource: detail({ status: 'DELETE_COMPLETE', physicalResourceId: 'app-dev-Service-1A2B3C' }),
      }),
    });
    await runtime.onEvent(event(), context);
    expect(calls).toMatchObject({ started: [], delivered: [] });
  });

  it('drops a request whose resource is of another type, and one for a stack CloudFormation does not know', async () => {
    const a = harness({
      cloudFormation: showing({
        stackStatus: 'CREATE_IN_PROGRESS',
        resource: detail({ resourceType: 'AWS::S3::Bucket', status: 'CREATE_IN_PROGRESS' }),
      }),
    });
    await a.runtime.onEvent(event(), context);
    const b = harness({ cloudFormation: showing({}) });
    await b.runtime.onEvent(event(), context);
    expect([a.calls.started, b.calls.started]).toEqual([[], []]);
  });

  it('serves a request whose status shows up only after a few looks (a lagging read)', async () => {
    let looks = 0;
    const cloudFormation: CloudFormationReader = {
      describe: async () =>
        ++looks < 3
          ? { stackStatus: 'CREATE_IN_PROGRESS' }
          : { stackStatus: 'CREATE_IN_PROGRESS', resource: detail({ status: 'CREATE_IN_PROGRESS', physicalResourceId: undefined }) },
    };
    const inputs: ExecutionState[] = [];
    const { runtime } = harness({ cloudFormation, starter: { start: async (_n, input) => (inputs.push(input), 'started') } });
    await runtime.onEvent(event(), context);
    expect(inputs).toHaveLength(1);
    expect(inputs[0].stamp).toMatchObject({ status: 'CREATE_IN_PROGRESS', lastUpdated: 500_000 });
  });

  it('drops a request whose resource changed status after it was sent (a later request is under way)', async () => {
    const { runtime, calls } = harness({
      cloudFormation: showing({ stackStatus: 'UPDATE_IN_PROGRESS', resource: detail({ status: 'UPDATE_IN_PROGRESS', lastUpdated: 1e12 }) }),
    });
    await runtime.onEvent(
      event({ RequestType: 'Update', PhysicalResourceId: SERVICE_ID, ResponseURL: `${URL_OK}&X-Amz-Date=19700101T000140Z` }),
      context,
    );
    expect(calls.started).toEqual([]);
  });

  it('serves a cleanup Delete while the logical id shows the replacement that recorded the deleted id, and drops one naming anything else', async () => {
    const replacement = `${PROJECT}-6b0afe2c5721d53048387add-AWS-US_EAST_1~${SERVICE_ID}`;
    const view = {
      stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      resource: detail({ status: 'UPDATE_COMPLETE', physicalResourceId: replacement }),
    };
    const a = harness({ cloudFormation: showing(view) });
    await a.runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: SERVICE_ID }), context);
    expect(a.calls.started).toHaveLength(1);
    const other = `${PROJECT}-6b0afe2c5721d53048387ade-AWS-EU_WEST_1`;
    const b = harness({ cloudFormation: showing(view) });
    await b.runtime.onEvent(event({ RequestType: 'Delete', PhysicalResourceId: other }), context);
    expect(b.calls.started).toEqual([]);
  });

  it('lets Lambda retry when CloudFormation cannot be asked (throttled, or an error nobody classed): nothing acts without its word', async () => {
    for (const name of ['Throttling', 'KmsThrottlingException', 'AccessDenied']) {
      const err = Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 } });
      const { runtime, calls } = harness({ cloudFormation: { describe: async () => Promise.reject(err) } });
      await expect(runtime.onEvent(event(), context)).rejects.toThrow(name);
      expect(calls).toMatchObject({ started: [], atlas: 0, delivered: [] });
    }
  });
});
