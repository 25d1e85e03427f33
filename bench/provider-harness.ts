/**
 * This project's provider as CloudFormation and Step Functions would run it, for many requests at once on
 * one virtual clock: the wait-loop definition synthesized from the CDK provider stack, interpreted by
 * aws-local-stepfunctions, its Task states calling the real step handler, the handler calling the Atlas
 * emulator over HTTP. Counts what costs money: Lambda invocations (and their billed time), state
 * transitions (every state entered, retries included), and Atlas calls.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Answer } from '../lambda/cloudformation/answer';
import type { CloudFormationRequest, RequestType } from '../lambda/cloudformation/request';
import { CredentialsStore, type SecretReader } from '../lambda/credentials/credentials-store';
import type { AtlasApi } from '../lambda/lifecycle/core/ports';
import { AtlasAccess } from '../lambda/runtime/atlas-access';
import type { ExecutionState } from '../lambda/lifecycle/core/execution-state';
import type { StepName } from '../lambda/model/wait-loop';
import { silentLogger } from '../lambda/logging';
import { RESOURCE_TYPE_SERVICE } from '../lambda/model/service-properties';
import { ProviderRuntime } from '../lambda/runtime/provider-runtime';
import { type AtlasEmulator, DEFAULT_API_KEY } from '../local/atlas-emulator';
import { synthesizeProvider } from '../local/runner/definition';
import { asCloudFormationSends } from '../local/runner/runner';
import { BILLED_MS_PER_ATLAS_CALL, BILLED_MS_PER_INVOCATION } from './prices';
import type { VirtualTime } from './virtual-time';
import { CloudFormationStacks } from '../local/runner/cloudformation-stacks';

export interface RequestOutcome {
  status: Answer['Status'] | 'NO_ANSWER';
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
  /** Epoch ms (virtual) the request was sent and answered. */
  sentAt: number;
  answeredAt?: number;
  lambdaInvocations: number;
  /** Billed Lambda milliseconds (see prices.ts for the per-invocation assumption). */
  lambdaBilledMs: number;
  stateTransitions: number;
  /** Step failures the state machine caught (a healthy run has none). */
  stepErrors: number;
  executionError?: string;
}

interface Tally {
  calls: number;
}

/**
 * The wait-loop definition from the synthesized provider stack. CDK's built-in template validation is off
 * for this synth: it only reports on the template (it changes nothing in it), and it is most of the synth
 * time, which the build section measures with the CLI as users run it.
 */
function providerDefinition(): ReturnType<typeof synthesizeProvider>['definition'] {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return synthesizeProvider().definition;
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
}

// Building the interpreter validates the definition (slow); the definition does not change within a process.
let interpreter: { definition: object; machine: StateMachine } | undefined;
function interpreterFor(definition: object): StateMachine {
  if (interpreter?.definition !== definition) {
    interpreter = {
      definition,
      machine: new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: false } }),
    };
  }
  return interpreter.machine;
}

const STACK_ID = 'arn:aws:cloudformation:us-east-1:000000000000:stack/bench/00000000-0000-0000-0000-000000000000';

export class ProviderHarness {
  private readonly definition = providerDefinition();
  private readonly machine: StateMachine;
  private readonly taskNames: Record<string, StepName> = {};
  private readonly waitStates: Record<string, number>;
  private readonly access: AtlasAccess;
  private readonly runtime: ProviderRuntime;
  private readonly tally = new AsyncLocalStorage<Tally>();
  private readonly outcomes = new Map<string, RequestOutcome>();
  /** ResponseURL → request key. */
  private readonly byUrl = new Map<string, string>();
  private readonly byExecution = new Map<string, string>();

  constructor(
    readonly emulator: AtlasEmulator,
    private readonly time: VirtualTime,
    options: { inStepPolling?: boolean } = {},
  ) {
    this.stacks = new CloudFormationStacks(() => time.now());
    this.machine = interpreterFor(this.definition);
    for (const [name, state] of Object.entries(this.definition.States)) {
      const step = (state.Parameters as { step?: StepName } | undefined)?.step;
      if (state.Type === 'Task' && step) this.taskNames[name] = step;
    }
    this.waitStates = Object.fromEntries(
      Object.entries(this.definition.States)
        .filter(([, s]) => s.Type === 'Wait')
        .map(([n]) => [n, 0]),
    );
    const secret = JSON.stringify({ PublicKey: DEFAULT_API_KEY.publicKey, PrivateKey: DEFAULT_API_KEY.privateKey });
    const reader: SecretReader = { getSecretString: async () => secret };
    const now = () => time.now();
    this.access = new AtlasAccess({
      credentials: new CredentialsStore({ reader, logger: silentLogger, now }),
      logger: silentLogger,
      baseUrl: emulator.baseUrl,
      // Waits belong to the wait loop on virtual time: the client never sleeps between attempts.
      client: { now, retry: { budgetMs: 0 } },
    });
    this.runtime = new ProviderRuntime({
      now,
      logger: silentLogger,
      atlasFor: async (source) => this.counting(await this.access.forCredentials(source)),
      deliver: async (url, body) => this.answered(url, body),
      // CloudFormation's side, as the local runner plays it: the resource in the status each request implies.
      cloudFormation: this.stacks,
      ...(options.inStepPolling === false ? {} : { sleep: (ms: number) => time.sleep(ms / 1000) }),
      starter: { start: (name, input) => this.start(name, input) },
      // The account and region the bench's requests come from, as a deployed function learns them from its ARN.
      entry: { home: { partition: 'aws', region: 'us-east-1', account: '000000000000' } },
    });
  }

  /** Sends one request as CloudFormation would and resolves with its outcome once the execution has ended. */
  async send(
    requestType: RequestType,
    properties: Record<string, unknown>,
    physicalResourceId?: string,
    logicalResourceId = 'EndpointService',
  ): Promise<RequestOutcome> {
    const key = randomUUID();
    const { executionName } = await this.time.actor(async () => {
      const url = `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/bench/${key}`;
      const serviceToken = 'arn:aws:lambda:us-east-1:000000000000:function:OnEventFunction';
      const event: CloudFormationRequest = {
        RequestType: requestType,
        ResponseURL: url,
        StackId: STACK_ID,
        RequestId: key,
        ResourceType: RESOURCE_TYPE_SERVICE,
        LogicalResourceId: logicalResourceId,
        ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
        ResourceProperties: asCloudFormationSends({ ServiceToken: serviceToken, ...properties }) as Record<string, unknown>,
        ServiceToken: serviceToken,
      };
      const outcome: RequestOutcome = {
        status: 'NO_ANSWER',
        physicalResourceId: '',
        sentAt: this.time.now(),
        lambdaInvocations: 1, // the ServiceToken function
        lambdaBilledMs: BILLED_MS_PER_INVOCATION,
        stateTransitions: 0,
        stepErrors: 0,
      };
      this.outcomes.set(key, outcome);
      this.byUrl.set(url, key);
      this.events.set(url, event);
      this.stacks.requestSent(event, requestType === 'Delete' ? 'delete' : 'forward');
      return this.runtime.onEvent(event);
    });
    // Not an actor while the execution runs: the execution is.
    await this.running.get(executionName);
    return this.outcomes.get(key)!;
  }

  async close(): Promise<void> {
    await this.access.close();
  }

  private readonly running = new Map<string, Promise<void>>();
  private readonly events = new Map<string, CloudFormationRequest>();
  /** CloudFormation's view of the bench's stack; its `describeCalls` count the provider's looks. */
  readonly stacks: CloudFormationStacks;

  private async start(name: string, input: ExecutionState): Promise<'started' | 'duplicate'> {
    if (this.running.has(name)) return 'duplicate';
    this.byExecution.set(name, this.byUrl.get(input.request.ResponseURL) ?? '');
    this.time.begin();
    const handlers = Object.fromEntries(
      Object.entries(this.taskNames).map(([stateName, step]) => [
        stateName,
        (i: unknown) => this.task(name, step, i as { step: StepName; state: ExecutionState }),
      ]),
    );
    const retries = Object.fromEntries(Object.keys(this.taskNames).map((n) => [n, 0]));
    const run = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: this.waitStates, retryIntervalOverrides: retries },
      // The interpreter keeps no `$$.State.RetryCount`, which the Task states pass on; the bench injects no
      // Lambda errors, so the Task's own Retry never runs and the count stays 0.
      context: { State: { Name: '', EnteredTime: '', RetryCount: 0 } } as never,
    });
    const transitions = (async () => {
      let n = 0;
      for await (const e of run.eventLogs) if (e.type === 'StateEntered' || e.type === 'StateRetried') n++;
      return n;
    })();
    const done = run.result.then(
      () => undefined,
      (err: unknown) => {
        const o = this.outcomeOf(name);
        if (o) o.executionError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      },
    );
    this.running.set(
      name,
      Promise.all([done, transitions]).then(([, n]) => {
        const o = this.outcomeOf(name);
        if (o) o.stateTransitions += n;
        this.time.done();
      }),
    );
    return 'started';
  }

  private outcomeOf(executionName: string): RequestOutcome | undefined {
    const key = this.byExecution.get(executionName);
    return key ? this.outcomes.get(key) : undefined;
  }

  private async task(
    executionName: string,
    step: StepName,
    invocation: { step: StepName; state: ExecutionState },
  ): Promise<ExecutionState> {
    const state = invocation.state;
    // The Wait state just passed (as the local runner reads it): a failed step's retry waits the backoff the
    // state machine doubled, other steps the seconds the previous step computed.
    const waited = step === 'act' || step === 'poll' ? (state.stepError ? state.stepFailures.backoffSeconds : state.waitSeconds) : 0;
    await this.time.sleep(waited);
    const outcome = this.outcomeOf(executionName);
    if (state.stepError && outcome) outcome.stepErrors++;
    const tally: Tally = { calls: 0 };
    const startedAt = this.time.now();
    try {
      return await this.tally.run(tally, () => this.runtime.onStep(invocation));
    } finally {
      if (outcome) {
        outcome.lambdaInvocations++;
        outcome.lambdaBilledMs += BILLED_MS_PER_INVOCATION + BILLED_MS_PER_ATLAS_CALL * tally.calls + (this.time.now() - startedAt);
      }
    }
  }

  private answered(url: string, body: string): void {
    const outcome = this.outcomes.get(this.byUrl.get(url) ?? '');
    if (!outcome) throw new Error('answer for an unknown request');
    if (outcome.answeredAt !== undefined) throw new Error('a request was answered twice');
    const answer = JSON.parse(body) as Answer;
    this.stacks.answered(this.events.get(url)!, answer);
    outcome.answeredAt = this.time.now();
    outcome.status = answer.Status;
    outcome.physicalResourceId = answer.PhysicalResourceId;
    if (answer.Reason) outcome.reason = answer.Reason;
    if (answer.Data) outcome.data = answer.Data;
  }

  /** Counts Atlas operations per step invocation (for its billed time). */
  private counting(api: AtlasApi): AtlasApi {
    return new Proxy(api, {
      get: (target, prop, receiver) => {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const t = this.tally.getStore();
          if (t) t.calls++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}
