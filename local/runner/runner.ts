/**
 * The local runner: plays CloudFormation's part against the provider. It synthesizes the provider stack,
 * runs its wait-loop definition locally, calls the real handler code in-process, answers on a local
 * stand-in for the pre-signed S3 URL, and follows CloudFormation's rules for the requests that follow
 * an answer (the rollback Delete after a failed Create, the cleanup Delete after a replacement).
 *
 * Atlas is the embedded emulator on virtual time by default, or any Atlas given by base URL (another
 * emulator, or real Atlas with real credentials).
 */
import { randomUUID } from 'node:crypto';
import type { AtlasCredentials } from '../../lambda/atlas/client';
import type { EndpointService } from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import type { TransportTimeouts } from '../../lambda/http/transport';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import type { AnswerStatus } from '../../lambda/cloudformation/answer';
import type { CloudFormationRequest, RequestType } from '../../lambda/cloudformation/request';
import { CredentialsStore, type SecretReader } from '../../lambda/credentials/credentials-store';
import { AtlasAccess, type AtlasApi } from '../../lambda/runtime/atlas-access';
import { deliverAnswer } from '../../lambda/cloudformation/responder';
import { type LogFields, type LoggerLike, silentLogger } from '../../lambda/logging';
import { RESOURCE_TYPE_SERVICE } from '../../lambda/model/service-properties';
import { STEP_ATLAS_RETRY_BUDGET_MS } from '../../lambda/model/timing';
import type { ProfileBindings } from '../../lambda/model/profile-bindings';
import { ProviderRuntime } from '../../lambda/runtime/provider-runtime';
import { type AtlasEmulator, DEFAULT_API_KEY, startAtlasEmulator, type VirtualClock } from '../atlas-emulator';
import { CloudFormationPeer, type ReceivedAnswer } from './cloudformation-peer';
import { type CleanupShows, CloudFormationStacks, type StackPhase } from './cloudformation-stacks';
import { synthesizeProvider, type SynthesizedProvider } from './definition';
import { LocalStateMachine, type StepFault, type StepReport } from './local-state-machine';
import { VirtualScheduler } from './scheduler';

export type Properties = Record<string, unknown>;

/** Which resource a request is for. */
export interface ResourceOptions {
  /** Default `AtlasPrivateEndpointService`. */
  logicalResourceId?: string;
  /** Default `Custom::AtlasPrivateEndpointService`. */
  resourceType?: string;
}

export interface RequestResult {
  requestType: RequestType;
  resourceType: string;
  logicalResourceId: string;
  stackName: string;
  /** The physical id the answer carried; for an unanswered request, the one CloudFormation carries on with. */
  physicalResourceId: string;
  /** NO_ANSWER: CloudFormation stopped waiting (cancelled, or ServiceTimeout passed) before an answer came. */
  status: AnswerStatus | 'NO_ANSWER';
  reason?: string;
  data?: Record<string, string>;
  responseBytes: number;
  /**
   * Different answers the stand-in URL received before CloudFormation stopped waiting: exactly one is right
   * (none when cancelled). The same body PUT again (a retried answer step) leaves S3's object as it was.
   */
  answers: number;
  /** PUTs received in time, repeats included. */
  puts: number;
  /** Answers that came after CloudFormation stopped waiting (ignored by CloudFormation). */
  lateAnswers: number;
  /** True when CloudFormation gave up on the request (cancelled it, or its ServiceTimeout passed). */
  abandoned: boolean;
  /** True when the ServiceTimeout passed without an answer (the provider left the request unanswered). */
  timedOut: boolean;
  simulatedSeconds: number;
  atlasCalls: number;
}

export interface LocalRunnerOptions {
  /** An Atlas to use instead of the embedded emulator. */
  atlasBaseUrl?: string;
  /** Credentials for `atlasBaseUrl` (the embedded emulator's own are used otherwise). */
  credentials?: AtlasCredentials;
  /** An emulator the caller started (tests, to inject faults); otherwise one is started when no base URL is given. */
  emulator?: AtlasEmulator;
  /** Real seconds slept per simulated second of waiting (default 0 on the emulator's virtual clock, 1 otherwise). */
  waitScale?: number;
  /** Crashes to inject into steps. */
  faults?: StepFault[];
  /** Errors StartExecution throws, one per call, before it works. */
  startErrors?: Error[];
  /** Simulated seconds each StartExecution call takes (default 0). */
  startLatencySeconds?: number;
  /** Stands in for Secrets Manager (default: every secret holds the runner's credentials). */
  secretReader?: SecretReader;
  /** Settings of the provider's Atlas client (transport timeouts), e.g. to time out on slow answers quickly. */
  /** The Atlas client's timeouts, and its own retry budget (none by default: its sleeps take real time). */
  atlasClient?: { timeouts?: Partial<TransportTimeouts>; retry?: { budgetMs: number } };
  /**
   * Simulated seconds each Atlas operation takes before it is sent (by operation name, e.g.
   * `getEndpointService`): slow answers on the shared clock, without real waiting.
   */
  atlasLatency?: (operation: string) => number;
  /** Live progress lines. */
  progress?: (line: string) => void;
  /** Where the provider's log lines go (default: dropped). */
  logger?: LoggerLike;
  /**
   * Real time one request may take before the runner calls it hung (default 120 s, for tests); `Infinity` for
   * none: CloudFormation's own wait (the request's ServiceTimeout) is then the only limit, as against real Atlas.
   */
  requestTimeoutMs?: number;
  /**
   * Seconds (runner's clock) after each change during which CloudFormation's describe calls still show the
   * view before it, as its eventually consistent reads may (default 0).
   */
  cloudFormationLagSeconds?: number;
  /**
   * What CloudFormation shows for the logical id while a cleanup phase deletes a replaced physical id (not
   * documented): that old id in DELETE_IN_PROGRESS (`old`, the default) or the current resource (`current`).
   */
  cleanupShows?: CleanupShows;
  /** The profile bindings a deployed provider was given (its functions' environment); default none (every stack may use every secret). */
  bindings?: ProfileBindings;
}

/** Which request, to whom, as CloudFormation addresses it. */
export interface RequestOptions extends ResourceOptions {
  /** The stack's name (default `local-runner`); each name is its own stack with its own StackId. */
  stackName?: string;
  physicalResourceId?: string;
  oldProperties?: Properties;
  /** Lambda's asynchronous invoke may deliver the same event more than once: delivered this many times at once. */
  deliveries?: number;
  /** A RequestId to use (CloudFormation reuses one when a deployment is retried). */
  requestId?: string;
  /**
   * The part of the stack operation the request is sent in, which sets the stack's status: default `forward`
   * for a Create or Update, `delete` for a Delete.
   */
  phase?: StackPhase;
}

/** A request CloudFormation has sent and may still be waiting on. */
export interface PendingRequest {
  event: CloudFormationRequest;
  stackName: string;
  phase: StackPhase;
  sentAt: number;
  atlasCallsBefore: number;
  /** When CloudFormation stopped waiting without an answer (cancelled, or its ServiceTimeout passed). */
  abandonedAt?: number;
  /** CloudFormation stopped waiting because the ServiceTimeout passed (not a cancellation): the request went unanswered. */
  timedOut?: boolean;
  /** The wait was stopped by `interrupt()`. */
  interrupted?: boolean;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
/** Lambda's asynchronous invoke: an event whose invocation fails is tried again after 1 and after 2 minutes. */
const ASYNC_RETRY_DELAYS_SECONDS = [60, 120];

export class LocalRunner {
  readonly results: RequestResult[] = [];
  readonly requests: PendingRequest[] = [];
  private peer!: CloudFormationPeer;
  private stacks!: CloudFormationStacks;
  /** Requests by their response URL's path, for the answers the peer receives. */
  private readonly byResponsePath = new Map<string, PendingRequest>();
  private machine!: LocalStateMachine;
  private runtime!: ProviderRuntime;
  private access!: AtlasAccess;
  private ownsEmulator = false;
  private virtual?: VirtualClock;
  private opCount = 0;
  private readonly stackIds = new Map<string, string>();
  readonly reports: StepReport[] = [];
  /** Events Lambda gave up on after its retries, with no failure destination to take them. */
  readonly lostEvents: CloudFormationRequest[] = [];
  scheduler!: VirtualScheduler;
  /** A lagging read: the next N lists of a project's services come back empty. */
  hideFromLists = 0;
  /** Counts `interrupt()` calls: a wait that began before the latest one has ended. */
  private interruptions = 0;

  private constructor(
    private readonly options: LocalRunnerOptions,
    readonly emulator: AtlasEmulator | undefined,
    readonly provider: SynthesizedProvider,
  ) {}

  static async start(options: LocalRunnerOptions = {}): Promise<LocalRunner> {
    let emulator = options.emulator;
    let owns = false;
    if (!emulator && !options.atlasBaseUrl) {
      emulator = await startAtlasEmulator();
      owns = true;
    }
    const runner = new LocalRunner(options, emulator, synthesizeProvider());
    runner.ownsEmulator = owns;
    await runner.init();
    return runner;
  }

  /** Milliseconds on the clock the provider and Atlas share. */
  now(): number {
    return this.virtual ? this.virtual.now() : Date.now();
  }

  private async init(): Promise<void> {
    const emulator = this.emulator;
    this.virtual =
      emulator && typeof (emulator.clock as VirtualClock).advance === 'function' ? (emulator.clock as VirtualClock) : undefined;
    const waitScale = this.options.waitScale ?? (this.virtual ? 0 : 1);
    this.scheduler = new VirtualScheduler(this.virtual, waitScale * 1000);
    this.peer = await new CloudFormationPeer(() => this.now()).start();
    this.stacks = new CloudFormationStacks(() => this.now(), {
      lagSeconds: this.options.cloudFormationLagSeconds ?? 0,
      cleanupShows: this.options.cleanupShows ?? 'old',
    });
    // CloudFormation takes an answer the moment it lands, unless it already stopped waiting for the request.
    this.peer.onAnswer = (path, received) => {
      const pending = this.byResponsePath.get(path);
      if (pending && pending.abandonedAt === undefined) this.stacks.answered(pending.event, received.answer);
    };
    const credentials: AtlasCredentials = this.options.credentials ?? {
      kind: 'api-key',
      publicKey: DEFAULT_API_KEY.publicKey,
      privateKey: DEFAULT_API_KEY.privateKey,
    };
    // The one secret every resource's profile resolves to locally; Secrets Manager is not involved.
    const secretText = JSON.stringify(
      credentials.kind === 'api-key'
        ? { PublicKey: credentials.publicKey, PrivateKey: credentials.privateKey }
        : { ClientId: credentials.clientId, ClientSecret: credentials.clientSecret },
    );
    const reader: SecretReader = this.options.secretReader ?? { getSecretString: async () => secretText };
    const logger = this.options.logger ?? silentLogger;
    const now = () => this.now();
    this.access = new AtlasAccess({
      credentials: new CredentialsStore({ reader, logger, now }),
      logger,
      baseUrl: this.options.atlasBaseUrl ?? emulator!.baseUrl,
      // On virtual time the client must not sleep: waits belong to the wait loop, which moves the clock.
      // On real time the client's back-off is a wait like the others: scaled by waitScale.
      client: {
        now,
        retry: { budgetMs: this.virtual ? 0 : STEP_ATLAS_RETRY_BUDGET_MS },
        ...(this.virtual ? {} : { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms * waitScale)) }),
        ...this.options.atlasClient,
      },
    });
    this.runtime = new ProviderRuntime({
      now,
      logger,
      atlasFor: async (source) => this.counting(await this.access.forCredentials(source)),
      deliver: (url, body) => deliverAnswer(url, body, { logger, sleep: async () => undefined }),
      // A step's sleeps between looks pass on the same clock as the wait loop's waits.
      sleep: (ms) => this.scheduler.sleep(ms / 1000),
      cloudFormation: this.stacks,
      starter: {
        // A slow StartExecution leaves a gap between the ServiceToken function's look at CloudFormation and
        // the execution's start, in which CloudFormation may give up on the request.
        start: async (name, input) => {
          if (this.options.startLatencySeconds) await this.scheduler.sleep(this.options.startLatencySeconds);
          return this.machine.start(name, input);
        },
      },
      // The stand-in for S3 answers on loopback http, which a deployed provider refuses.
      entry: { allowLoopbackHttp: true, home: { partition: 'aws', region: 'us-east-1', account: '000000000000' } },
      ...(this.options.bindings ? { bindings: this.options.bindings } : {}),
    });
    this.machine = new LocalStateMachine({
      definition: this.provider.definition,
      onStep: (invocation) => this.runtime.onStep(invocation),
      scheduler: this.scheduler,
      faults: this.options.faults,
      startErrors: this.options.startErrors,
      stepTimeoutSeconds: this.provider.stepTimeoutSeconds,
      onReport: (r) => {
        this.reports.push(r);
        this.describeStep(r);
      },
    });
  }

  /** The StackId of a stack name (the same name is the same stack). */
  stackId(stackName = 'local-runner'): string {
    let id = this.stackIds.get(stackName);
    if (!id) {
      id = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/${randomUUID()}`;
      this.stackIds.set(stackName, id);
    }
    return id;
  }

  /**
   * Sends one request as CloudFormation does: an asynchronous invoke of the ServiceToken function (retried
   * by Lambda after 1 and 2 minutes when the invocation fails, then handed to the function's failure
   * destination if it has one). Returns at once; time moves only in `waitFor`, `send` and `drain`.
   */
  dispatch(requestType: RequestType, properties: Properties, extra: RequestOptions = {}): PendingRequest {
    const logicalResourceId = extra.logicalResourceId ?? 'AtlasPrivateEndpointService';
    const resourceType = extra.resourceType ?? RESOURCE_TYPE_SERVICE;
    const stackName = extra.stackName ?? 'local-runner';
    const event: CloudFormationRequest = {
      RequestType: requestType,
      ResponseURL: this.peer.newResponseUrl(),
      StackId: this.stackId(stackName),
      RequestId: extra.requestId ?? randomUUID(),
      ResourceType: resourceType,
      LogicalResourceId: logicalResourceId,
      ...(extra.physicalResourceId !== undefined ? { PhysicalResourceId: extra.physicalResourceId } : {}),
      ResourceProperties: asCloudFormationSends({ ServiceToken: this.serviceToken(), ...properties }) as Record<string, unknown>,
      ...(extra.oldProperties
        ? {
            OldResourceProperties: asCloudFormationSends({ ServiceToken: this.serviceToken(), ...extra.oldProperties }) as Record<
              string,
              unknown
            >,
          }
        : {}),
      ServiceToken: this.serviceToken(),
    };
    const phase = extra.phase ?? (requestType === 'Delete' ? 'delete' : 'forward');
    const pending: PendingRequest = { event, stackName, phase, sentAt: this.now(), atlasCallsBefore: this.atlasCalls() };
    this.requests.push(pending);
    this.byResponsePath.set(new URL(event.ResponseURL).pathname, pending);
    this.stacks.requestSent(event, phase);
    this.progress(
      `${requestType} ${stackName === 'local-runner' ? '' : `${stackName}/`}${logicalResourceId}${extra.physicalResourceId ? ` ${extra.physicalResourceId}` : ''}`,
    );
    for (let i = 0; i < (extra.deliveries ?? 1); i++) this.invokeAsync(event, 0);
    return pending;
  }

  /** One asynchronous invocation of the ServiceToken function, and Lambda's retries of it. */
  private invokeAsync(event: CloudFormationRequest, attempt: number): void {
    void this.scheduler.run(async () => {
      try {
        await this.runtime.onEvent(JSON.parse(JSON.stringify(event)));
      } catch (err) {
        const retries = this.provider.asyncRetryAttempts;
        if (attempt < retries) {
          this.progress(`  invocation failed (${(err as Error).name}); Lambda retries in ${ASYNC_RETRY_DELAYS_SECONDS[attempt]} s`);
          this.scheduler.after(ASYNC_RETRY_DELAYS_SECONDS[attempt] ?? 120, () => this.invokeAsync(event, attempt + 1));
          return;
        }
        await this.onAsyncFailure(event, err);
      }
    });
  }

  /** Lambda gave up on the event: its failure destination gets the invocation record, or the event is lost. */
  private async onAsyncFailure(event: CloudFormationRequest, err: unknown): Promise<void> {
    const destination = this.provider.failureDestinationHandler;
    const handler = destination ? (this.runtime as unknown as Record<string, unknown>)[destination] : undefined;
    if (typeof handler !== 'function') {
      this.progress(`  invocation failed ${this.provider.asyncRetryAttempts + 1} times (${(err as Error).name}); Lambda drops the event`);
      this.lostEvents.push(event);
      return;
    }
    const record = {
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `${this.serviceToken()}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: this.provider.asyncRetryAttempts + 1,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: (err as Error).name, errorMessage: (err as Error).message },
    };
    await (handler as (r: unknown) => Promise<unknown>).call(this.runtime, record);
  }

  /**
   * Lets time run until CloudFormation has the request's answer, or gives up on it: after `limitSeconds`
   * (a cancellation) or its ServiceTimeout. Returns whether an answer came in time.
   */
  async waitFor(pending: PendingRequest, limitSeconds?: number): Promise<boolean> {
    const timeout = Math.max(0, (pending.sentAt + this.serviceTimeoutOf(pending) * 1000 - this.now()) / 1000);
    const limit = Math.min(timeout, limitSeconds ?? Number.POSITIVE_INFINITY);
    const interruptions = this.interruptions;
    const interrupted = () => this.interruptions !== interruptions;
    await this.withinRealTime(this.scheduler.runUntil(() => interrupted() || this.answersInTime(pending).length > 0, limit));
    const answered = this.answersInTime(pending).length > 0;
    if (!answered && pending.abandonedAt === undefined) {
      pending.abandonedAt = this.now();
      pending.interrupted = interrupted();
      pending.timedOut = !interrupted() && !(limitSeconds !== undefined && limitSeconds < timeout);
      this.stacks.abandoned(pending.event, pending.timedOut);
      this.progress(
        `  CloudFormation stops waiting for ${pending.event.RequestType} ${pending.event.LogicalResourceId}${pending.timedOut ? ' (ServiceTimeout)' : ' (cancelled)'}`,
      );
    }
    return answered;
  }

  /** Lets every execution, retry and timer run to its end (or until `interrupt()`). */
  async drain(): Promise<void> {
    const interruptions = this.interruptions;
    if (this.scheduler.isVirtual) await this.withinRealTime(this.scheduler.drain());
    else await this.scheduler.runUntil(() => this.interruptions !== interruptions);
    if (this.interruptions === interruptions) await this.machine.settle();
  }

  /**
   * Stops the waits under way, as a person stopping the run does (Ctrl-C): CloudFormation stops waiting for the
   * request it is on (as when a stack is cancelled) and the run goes on to what follows, the Deletes. Executions
   * keep running; the requests sent afterwards are waited for as usual.
   */
  interrupt(): void {
    this.interruptions++;
  }

  /** The result of a request as CloudFormation sees it (answers after it gave up are late). */
  resultOf(pending: PendingRequest): RequestResult {
    const all = this.peer.answersFor(pending.event.ResponseURL);
    const inTime = this.answersInTime(pending);
    const first = inTime[0];
    return {
      requestType: pending.event.RequestType,
      resourceType: pending.event.ResourceType,
      logicalResourceId: pending.event.LogicalResourceId,
      stackName: pending.stackName,
      physicalResourceId: first?.answer.PhysicalResourceId ?? pending.event.PhysicalResourceId ?? '',
      status: first ? first.answer.Status : 'NO_ANSWER',
      ...(first?.answer.Reason !== undefined ? { reason: first.answer.Reason } : {}),
      ...(first?.answer.Data ? { data: first.answer.Data } : {}),
      responseBytes: first?.bytes ?? 0,
      answers: new Set(inTime.map((a) => a.body)).size,
      puts: inTime.length,
      lateAnswers: all.length - inTime.length,
      abandoned: pending.abandonedAt !== undefined,
      timedOut: pending.timedOut === true,
      simulatedSeconds: Math.round(((first?.at ?? this.now()) - pending.sentAt) / 1000),
      atlasCalls: this.atlasCalls() - pending.atlasCallsBefore,
    };
  }

  /** Sends one request as CloudFormation would, lets everything run to its end, and returns the answer. */
  async send(requestType: RequestType, properties: Properties, extra: RequestOptions = {}): Promise<RequestResult> {
    const pending = this.dispatch(requestType, properties, extra);
    await this.waitFor(pending);
    // Interrupted, the run goes on to its Deletes while the request's execution still runs, as after a cancellation.
    if (!pending.interrupted) await this.drain();
    return this.record(pending);
  }

  /** Records the result of a request CloudFormation is done with. */
  record(pending: PendingRequest): RequestResult {
    const result = this.resultOf(pending);
    this.results.push(result);
    this.progress(
      `  → ${result.status}${result.reason ? `: ${result.reason}` : ''} (${result.simulatedSeconds} s simulated, ${result.atlasCalls} Atlas calls)` +
        (result.lateAnswers ? `; ${result.lateAnswers} late answer(s) ignored` : ''),
    );
    return result;
  }

  /** A physical id as CloudFormation makes one up for a resource whose Create it gave up on. */
  madeUpPhysicalId(logicalResourceId: string, stackName = 'local-runner'): string {
    const random = randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase();
    return `${stackName}-${logicalResourceId}-${random}`.slice(0, 200);
  }

  /**
   * Create; after a FAILED answer, CloudFormation's rollback Delete of the answered physical id; after no
   * answer in time, the Delete of a physical id CloudFormation made up.
   */
  async create(properties: Properties, resource: RequestOptions = {}): Promise<{ create: RequestResult; rollback?: RequestResult }> {
    const create = await this.send('Create', properties, { ...resource, phase: 'forward' });
    if (create.status === 'SUCCESS') {
      this.endStackOperation(resource.stackName);
      return { create };
    }
    const physicalResourceId =
      create.status === 'FAILED' ? create.physicalResourceId : this.madeUpPhysicalId(create.logicalResourceId, resource.stackName);
    const rollback = await this.send('Delete', properties, { ...resource, physicalResourceId, deliveries: 1, phase: 'rollback' });
    this.endStackOperation(resource.stackName);
    return { create, rollback };
  }

  /**
   * A Create that CloudFormation gives up on after `afterSeconds` (a sibling failed, the stack was
   * cancelled): the Delete of a physical id it made up follows at once, while the Create may still run.
   * A late answer to the Create is ignored.
   */
  async cancelledCreate(
    properties: Properties,
    afterSeconds: number,
    resource: RequestOptions = {},
  ): Promise<{ create: RequestResult; rollback: RequestResult }> {
    const pending = this.dispatch('Create', properties, { ...resource, phase: 'forward' });
    const answered = await this.waitFor(pending, afterSeconds);
    let physicalResourceId: string;
    if (answered) {
      // It answered before CloudFormation gave up: the stack rolls back what it answered.
      physicalResourceId = this.resultOf(pending).physicalResourceId;
    } else {
      physicalResourceId = this.madeUpPhysicalId(pending.event.LogicalResourceId, resource.stackName);
    }
    const del = this.dispatch('Delete', properties, { ...resource, physicalResourceId, deliveries: 1, phase: 'rollback' });
    await this.waitFor(del);
    await this.drain();
    this.endStackOperation(resource.stackName);
    return { create: this.record(pending), rollback: this.record(del) };
  }

  /**
   * A replacing Update that CloudFormation gives up on after `afterSeconds`: the stack rolls back with an
   * Update to the old properties on the old physical id (CloudFormation never learned the replacement's).
   */
  async cancelledUpdate(
    current: { physicalResourceId: string; properties: Properties },
    properties: Properties,
    afterSeconds: number,
    resource: RequestOptions = {},
  ): Promise<{ update: RequestResult; rollback: RequestResult[] }> {
    const pending = this.dispatch('Update', properties, {
      ...resource,
      physicalResourceId: current.physicalResourceId,
      oldProperties: current.properties,
      phase: 'forward',
    });
    const answered = await this.waitFor(pending, afterSeconds);
    const answeredId = answered ? this.resultOf(pending).physicalResourceId : current.physicalResourceId;
    const back = this.dispatch('Update', current.properties, {
      ...resource,
      physicalResourceId: answeredId,
      oldProperties: properties,
      deliveries: 1,
      phase: 'rollback',
    });
    await this.waitFor(back);
    await this.drain();
    const update = this.record(pending);
    const rollback = [this.record(back)];
    const backId = rollback[0].physicalResourceId;
    // The rollback's cleanup deletes what it replaced.
    if (answered && answeredId !== current.physicalResourceId) {
      rollback.push(
        await this.send('Delete', properties, { ...resource, physicalResourceId: answeredId, deliveries: 1, phase: 'cleanup' }),
      );
    } else if (backId && backId !== current.physicalResourceId && rollback[0].status === 'SUCCESS') {
      rollback.push(
        await this.send('Delete', current.properties, {
          ...resource,
          physicalResourceId: current.physicalResourceId,
          deliveries: 1,
          phase: 'cleanup',
        }),
      );
    }
    this.endStackOperation(resource.stackName);
    return { update, rollback };
  }

  /**
   * Update; a SUCCESS with a new physical id is a replacement, followed by the cleanup Delete of the old one.
   * A FAILED update is rolled back: an Update back to the old properties, and the Delete of a replacement
   * the failed update may have created.
   */
  async update(
    current: { physicalResourceId: string; properties: Properties },
    properties: Properties,
    resource: RequestOptions = {},
  ): Promise<{ update: RequestResult; cleanup?: RequestResult; rollback?: RequestResult[] }> {
    const update = await this.send('Update', properties, {
      ...resource,
      physicalResourceId: current.physicalResourceId,
      oldProperties: current.properties,
      phase: 'forward',
    });
    if (update.status === 'SUCCESS') {
      if (update.physicalResourceId === current.physicalResourceId) {
        this.endStackOperation(resource.stackName);
        return { update };
      }
      const cleanup = await this.send('Delete', current.properties, {
        ...resource,
        physicalResourceId: current.physicalResourceId,
        deliveries: 1,
        phase: 'cleanup',
      });
      this.endStackOperation(resource.stackName);
      return { update, cleanup };
    }
    const failedId = update.status === 'FAILED' ? update.physicalResourceId : current.physicalResourceId;
    const rollback = [
      await this.send('Update', current.properties, {
        ...resource,
        physicalResourceId: failedId,
        oldProperties: properties,
        deliveries: 1,
        phase: 'rollback',
      }),
    ];
    if (failedId !== current.physicalResourceId) {
      rollback.push(await this.send('Delete', properties, { ...resource, physicalResourceId: failedId, deliveries: 1, phase: 'cleanup' }));
    }
    this.endStackOperation(resource.stackName);
    return { update, rollback };
  }

  /**
   * An Update that replaced the resource (A → B), then the stack rolls back because another resource
   * failed. Variant 'a': CloudFormation first sends an Update back to A's properties on B's physical id,
   * then in cleanup the Delete of B; variant 'b': only that cleanup Delete. The stack's original resource
   * must be what remains.
   */
  async replacementRolledBack(
    current: { physicalResourceId: string; properties: Properties },
    properties: Properties,
    variant: 'a' | 'b',
    resource: RequestOptions = {},
  ): Promise<{ update: RequestResult; rollback: RequestResult[] }> {
    const update = await this.send('Update', properties, {
      ...resource,
      physicalResourceId: current.physicalResourceId,
      oldProperties: current.properties,
      phase: 'forward',
    });
    const rollback: RequestResult[] = [];
    if (update.status !== 'SUCCESS') {
      this.endStackOperation(resource.stackName);
      return { update, rollback };
    }
    const replacementId = update.physicalResourceId;
    const stackId = this.stackId(resource.stackName);
    // Another resource failed: the stack rolls back.
    this.stacks.rollBack(stackId);
    if (variant === 'a') {
      rollback.push(
        await this.send('Update', current.properties, {
          ...resource,
          physicalResourceId: replacementId,
          oldProperties: properties,
          deliveries: 1,
          phase: 'rollback',
        }),
      );
    } else {
      this.stacks.restore(stackId, update.logicalResourceId, current.physicalResourceId);
    }
    if (replacementId !== current.physicalResourceId) {
      rollback.push(
        await this.send('Delete', properties, { ...resource, physicalResourceId: replacementId, deliveries: 1, phase: 'cleanup' }),
      );
    }
    this.endStackOperation(resource.stackName);
    return { update, rollback };
  }

  async delete(current: { physicalResourceId: string; properties: Properties }, resource: RequestOptions = {}): Promise<RequestResult> {
    const result = await this.send('Delete', current.properties, {
      ...resource,
      physicalResourceId: current.physicalResourceId,
      phase: 'delete',
    });
    this.endStackOperation(resource.stackName);
    return result;
  }

  /**
   * The stack operation under way ends (the flows above end theirs): the stack takes its `…_COMPLETE` status
   * (`…_FAILED` when its rollback or delete failed).
   */
  endStackOperation(stackName = 'local-runner'): void {
    this.stacks.operationEnded(this.stackId(stackName));
  }

  /**
   * Invokes the ServiceToken function with an event CloudFormation did not send (a forgery, a redelivery of a
   * request it is done with), as Lambda would, once: CloudFormation's view of the stacks does not change.
   */
  async invokeDirectly(event: CloudFormationRequest): Promise<unknown> {
    let settled = false;
    const invocation = this.scheduler.run(() => this.runtime.onEvent(JSON.parse(JSON.stringify(event)))).finally(() => (settled = true));
    // Its sleeps (looking at CloudFormation again) pass on the scheduler's clock, which moves only while waited on.
    await this.withinRealTime(this.scheduler.runUntil(() => settled));
    return invocation;
  }

  /** The project's services of one provider, as the provider's default credentials see them (what a run left behind). */
  async servicesIn(projectId: string, provider: CloudProvider): Promise<EndpointService[]> {
    const api = await this.access.forCredentials({});
    return api.listEndpointServices(projectId, provider);
  }

  /** Adds a step fault (e.g. one that arms an Atlas fault when it fires). */
  addFault(fault: StepFault): void {
    this.machine.addFault(fault);
  }

  /** Executions that ended in a Fail state or an interpreter error (none is the healthy number). */
  get executionErrors(): { executionName: string; error: string }[] {
    return this.machine.errors;
  }

  get stateMachine(): LocalStateMachine {
    return this.machine;
  }

  get responsePeer(): CloudFormationPeer {
    return this.peer;
  }

  /** CloudFormation's view of the stacks the runner plays (what the provider's describe calls read). */
  get cloudFormation(): CloudFormationStacks {
    return this.stacks;
  }

  async stop(): Promise<void> {
    await this.access.close();
    await this.peer.stop();
    if (this.ownsEmulator) await this.emulator?.close();
  }

  private answersInTime(pending: PendingRequest): ReceivedAnswer[] {
    const all = this.peer.answersFor(pending.event.ResponseURL);
    return pending.abandonedAt === undefined ? all : all.filter((a) => a.at <= pending.abandonedAt!);
  }

  private serviceTimeoutOf(pending: PendingRequest): number {
    const n = Number(pending.event.ResourceProperties?.ServiceTimeout);
    return Number.isInteger(n) && n >= 1 && n <= 3600 ? n : 3600;
  }

  private serviceToken(): string {
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${this.provider.onEventLogicalId}`;
  }

  private atlasCalls(): number {
    return this.emulator ? this.emulator.requests.length : this.opCount;
  }

  private async withinRealTime<T>(work: Promise<T>): Promise<T> {
    const timeout = this.options.requestTimeoutMs ?? 120_000;
    if (!Number.isFinite(timeout)) return work;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The requests did not end within ${timeout / 1000} s of real time`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Counts Atlas operations for an Atlas the runner cannot see into. */
  private counting(api: AtlasApi): AtlasApi {
    return new Proxy(api, {
      get: (target, prop, receiver) => {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          this.opCount++;
          const latency = this.options.atlasLatency?.(String(prop)) ?? 0;
          if (latency > 0) await this.scheduler.sleep(latency);
          if (prop === 'listEndpointServices' && this.hideFromLists > 0) {
            this.hideFromLists--;
            await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            return [];
          }
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  private describeStep(r: StepReport): void {
    const waited = r.waitedSeconds > 0 ? `after ${r.waitedSeconds} s: ` : '';
    // While the execution removes what it made (CloudFormation did not take it), the removal's task is the one shown.
    const kind = (state: ExecutionState) => (state.undo?.length ? `removing ${state.undo[0].task.kind}` : state.task.kind);
    const what = `${r.step} ${kind(r.before)}`;
    if (r.error) return this.progress(`  ${waited}${what} failed (${r.error})`);
    const s = r.after;
    if (!s || r.step === 'answer') return;
    const status = s.answer?.data?.Status ?? s.lastStatus;
    const next = s.outcome === 'WAIT' ? `${kind(s) !== kind(r.before) ? `${kind(s)}, ` : ''}wait ${s.waitSeconds} s` : s.outcome;
    // On real time a person watches: how long the request has run, and when the next look comes.
    const when = this.scheduler.isVirtual
      ? ''
      : ` (${clockDuration(this.now() - s.receivedAt)} since the request${
          s.outcome === 'WAIT'
            ? `; next look at ${new Date(Date.now() + s.waitSeconds * (this.options.waitScale ?? 1) * 1000).toISOString().slice(11, 19)} UTC`
            : ''
        })`;
    this.progress(`  ${waited}${what}${status ? ` [${status}]` : ''} → ${next}${when}`);
  }

  private progress(line: string): void {
    this.options.progress?.(line);
  }
}

/** `4 min 05 s`, `12 s`: a duration for a person watching a run. */
function clockDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(total / 60);
  return minutes > 0 ? `${minutes} min ${String(total % 60).padStart(2, '0')} s` : `${total} s`;
}

/** Template values as CloudFormation delivers them: scalars become strings, lists stay lists. */
export function asCloudFormationSends(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormationSends);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, asCloudFormationSends(v)]));
  }
  return value === undefined || value === null ? value : String(value);
}

export type { LogFields };
