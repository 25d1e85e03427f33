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
import type { AnswerStatus } from '../../lambda/cloudformation/answer';
import type { CloudFormationRequest, RequestType } from '../../lambda/cloudformation/request';
import { CredentialsStore, type SecretReader } from '../../lambda/credentials/credentials-store';
import { AtlasAccess, type AtlasApi } from '../../lambda/runtime/atlas-access';
import { deliverAnswer } from '../../lambda/cloudformation/responder';
import { type LogFields, type LoggerLike, silentLogger } from '../../lambda/logging';
import { RESOURCE_TYPE_SERVICE } from '../../lambda/model/service-properties';
import { STEP_ATLAS_RETRY_BUDGET_MS } from '../../lambda/model/timing';
import { ProviderRuntime } from '../../lambda/runtime/provider-runtime';
import { type AtlasEmulator, DEFAULT_API_KEY, startAtlasEmulator, type VirtualClock } from '../atlas-emulator';
import { CloudFormationPeer } from './cloudformation-peer';
import { synthesizeProvider, type SynthesizedProvider } from './definition';
import { LocalStateMachine, type StepFault, type StepReport } from './local-state-machine';

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
  physicalResourceId: string;
  status: AnswerStatus | 'NO_ANSWER';
  reason?: string;
  data?: Record<string, string>;
  responseBytes: number;
  /** Answers the stand-in URL received: exactly one is right. */
  answers: number;
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
  /** Live progress lines. */
  progress?: (line: string) => void;
  /** Where the provider's log lines go (default: dropped). */
  logger?: LoggerLike;
  /** Real time one request may take before the runner calls it hung (default 120 s). */
  requestTimeoutMs?: number;
}

const STACK_ID = 'arn:aws:cloudformation:us-east-1:000000000000:stack/local-runner/00000000-0000-0000-0000-000000000000';

export class LocalRunner {
  readonly results: RequestResult[] = [];
  private readonly peer = new CloudFormationPeer();
  private machine!: LocalStateMachine;
  private runtime!: ProviderRuntime;
  private access!: AtlasAccess;
  private ownsEmulator = false;
  private virtual?: VirtualClock;
  private opCount = 0;
  readonly reports: StepReport[] = [];

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

  /** Seconds on the clock the provider and Atlas share. */
  now(): number {
    return this.virtual ? this.virtual.now() : Date.now();
  }

  private async init(): Promise<void> {
    await this.peer.start();
    const emulator = this.emulator;
    this.virtual =
      emulator && typeof (emulator.clock as VirtualClock).advance === 'function' ? (emulator.clock as VirtualClock) : undefined;
    const waitScale = this.options.waitScale ?? (this.virtual ? 0 : 1);
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
    const reader: SecretReader = { getSecretString: async () => secretText };
    const logger = this.options.logger ?? silentLogger;
    const now = () => this.now();
    this.access = new AtlasAccess({
      credentials: new CredentialsStore({ reader, logger, now }),
      logger,
      baseUrl: this.options.atlasBaseUrl ?? emulator!.baseUrl,
      // On virtual time the client must not sleep: waits belong to the wait loop, which moves the clock.
      client: { now, retry: { budgetMs: this.virtual ? 0 : STEP_ATLAS_RETRY_BUDGET_MS } },
    });
    this.runtime = new ProviderRuntime({
      now,
      logger,
      atlasFor: async (source) => this.counting(await this.access.forCredentials(source)),
      deliver: (url, body) => deliverAnswer(url, body, { logger, sleep: async () => undefined }),
      // A step's sleeps between looks pass on the same clock as the wait loop's waits.
      sleep: async (ms) => {
        this.virtual?.advance(ms / 1000);
        if (waitScale > 0) await new Promise((r) => setTimeout(r, ms * waitScale));
      },
      starter: { start: (name, input) => this.machine.start(name, input) },
      // The stand-in for S3 answers on loopback http, which a deployed provider refuses.
      entry: { allowLoopbackHttp: true, home: { partition: 'aws', region: 'us-east-1', account: '000000000000' } },
    });
    this.machine = new LocalStateMachine({
      definition: this.provider.definition,
      onStep: (invocation) => this.runtime.onStep(invocation),
      advance: (seconds) => this.virtual?.advance(seconds),
      waitScale,
      faults: this.options.faults,
      onReport: (r) => {
        this.reports.push(r);
        this.describeStep(r);
      },
    });
  }

  /** Sends one request as CloudFormation would, waits for the execution to end, and returns the answer. */
  async send(
    requestType: RequestType,
    properties: Properties,
    extra: ResourceOptions & { physicalResourceId?: string; oldProperties?: Properties; deliveries?: number } = {},
  ): Promise<RequestResult> {
    const logicalResourceId = extra.logicalResourceId ?? 'AtlasPrivateEndpointService';
    const resourceType = extra.resourceType ?? RESOURCE_TYPE_SERVICE;
    const event: CloudFormationRequest = {
      RequestType: requestType,
      ResponseURL: this.peer.newResponseUrl(),
      StackId: STACK_ID,
      RequestId: randomUUID(),
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
    const startedAt = this.now();
    const callsBefore = this.atlasCalls();
    this.progress(`${requestType} ${logicalResourceId}${extra.physicalResourceId ? ` ${extra.physicalResourceId}` : ''}`);
    // Lambda's asynchronous invoke may deliver the same event more than once.
    for (let i = 0; i < (extra.deliveries ?? 1); i++) await this.runtime.onEvent(JSON.parse(JSON.stringify(event)));
    await this.settle();
    const answers = this.peer.answersFor(event.ResponseURL);
    const first = answers[0];
    const result: RequestResult = {
      requestType,
      resourceType,
      logicalResourceId,
      physicalResourceId: first?.answer.PhysicalResourceId ?? '',
      status: first ? first.answer.Status : 'NO_ANSWER',
      ...(first?.answer.Reason !== undefined ? { reason: first.answer.Reason } : {}),
      ...(first?.answer.Data ? { data: first.answer.Data } : {}),
      responseBytes: first?.bytes ?? 0,
      answers: answers.length,
      simulatedSeconds: Math.round((this.now() - startedAt) / 1000),
      atlasCalls: this.atlasCalls() - callsBefore,
    };
    this.results.push(result);
    this.progress(
      `  → ${result.status}${result.reason ? `: ${result.reason}` : ''} (${result.simulatedSeconds} s simulated, ${result.atlasCalls} Atlas calls)`,
    );
    return result;
  }

  /** Create; after a FAILED answer, CloudFormation's rollback Delete of the answered physical id. */
  async create(properties: Properties, resource: ResourceOptions = {}): Promise<{ create: RequestResult; rollback?: RequestResult }> {
    const create = await this.send('Create', properties, resource);
    if (create.status === 'SUCCESS') return { create };
    const rollback = await this.send('Delete', properties, {
      ...resource,
      physicalResourceId: create.physicalResourceId || `local-runner-${randomUUID()}`,
    });
    return { create, rollback };
  }

  /**
   * Update; a SUCCESS with a new physical id is a replacement, followed by the cleanup Delete of the old one.
   * A FAILED update is rolled back: an Update back to the old properties, and the Delete of a replacement
   * the failed update may have created.
   */
  async update(
    current: { physicalResourceId: string; properties: Properties },
    properties: Properties,
    resource: ResourceOptions = {},
  ): Promise<{ update: RequestResult; cleanup?: RequestResult; rollback?: RequestResult[] }> {
    const update = await this.send('Update', properties, {
      ...resource,
      physicalResourceId: current.physicalResourceId,
      oldProperties: current.properties,
    });
    if (update.status === 'SUCCESS') {
      if (update.physicalResourceId === current.physicalResourceId) return { update };
      const cleanup = await this.send('Delete', current.properties, { ...resource, physicalResourceId: current.physicalResourceId });
      return { update, cleanup };
    }
    const rollback = [
      await this.send('Update', current.properties, {
        ...resource,
        physicalResourceId: current.physicalResourceId,
        oldProperties: properties,
      }),
    ];
    if (update.physicalResourceId && update.physicalResourceId !== current.physicalResourceId) {
      rollback.push(await this.send('Delete', properties, { ...resource, physicalResourceId: update.physicalResourceId }));
    }
    return { update, rollback };
  }

  async delete(current: { physicalResourceId: string; properties: Properties }, resource: ResourceOptions = {}): Promise<RequestResult> {
    return this.send('Delete', current.properties, { ...resource, physicalResourceId: current.physicalResourceId });
  }

  /** Executions that ended in a Fail state or an interpreter error (none is the healthy number). */
  get executionErrors(): { executionName: string; error: string }[] {
    return this.machine.errors;
  }

  get responsePeer(): CloudFormationPeer {
    return this.peer;
  }

  async stop(): Promise<void> {
    await this.access.close();
    await this.peer.stop();
    if (this.ownsEmulator) await this.emulator?.close();
  }

  private serviceToken(): string {
    return `arn:aws:lambda:us-east-1:000000000000:function:${this.provider.onEventLogicalId}`;
  }

  private atlasCalls(): number {
    return this.emulator ? this.emulator.requests.length : this.opCount;
  }

  private async settle(): Promise<void> {
    const timeout = this.options.requestTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.machine.settle(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The execution did not end within ${timeout / 1000} s of real time`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Counts Atlas operations for an Atlas the runner cannot see into. */
  private counting(api: AtlasApi): AtlasApi {
    return new Proxy(api, {
      get: (target, prop, receiver) => {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          this.opCount++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  private describeStep(r: StepReport): void {
    const waited = r.waitedSeconds > 0 ? `after ${r.waitedSeconds} s: ` : '';
    const what = `${r.step} ${r.before.task.kind}`;
    if (r.error) return this.progress(`  ${waited}${what} failed (${r.error})`);
    const s = r.after;
    if (!s || r.step === 'answer') return;
    const status = s.answer?.data?.Status ?? s.lastStatus;
    const next =
      s.outcome === 'WAIT' ? `${s.task.kind !== r.before.task.kind ? `${s.task.kind}, ` : ''}wait ${s.waitSeconds} s` : s.outcome;
    this.progress(`  ${waited}${what}${status ? ` [${status}]` : ''} → ${next}`);
  }

  private progress(line: string): void {
    this.options.progress?.(line);
  }
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
