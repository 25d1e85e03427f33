/**
 * The fault matrix's harness: runs one scenario through the local runner (real handler, real state
 * machine definition, CloudFormation's edges) against a fresh Atlas emulator on virtual time, keeps
 * CloudFormation's view of every stack (which physical ids it holds after answers, rollbacks and
 * cleanups), and judges the end state:
 *
 * - every request CloudFormation waited for got exactly one answer, at most 4096 bytes, a FAILED one
 *   with a reason a person can act on;
 * - nothing in the emulator that no stack knows about (orphans), nothing gone that a stack still holds
 *   or that was there before the scenario (wrongly deleted);
 * - no secret, Authorization header or pre-signed query string in any log line, reason or output.
 */
import type { AtlasApi } from '../../lambda/lifecycle/core/ports';
import { AtlasClient } from '../../lambda/atlas/client';
import type { EndpointService } from '../../lambda/atlas/models';
import type { LoggerLike } from '../../lambda/logging';
import type { CloudProvider } from '../../lambda/model/provider';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { RESOURCE_TYPE_SERVICE } from '../../lambda/model/service-properties';
import {
  DEFAULT_API_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SERVICE_ACCOUNT,
  startAtlasEmulator,
  type AtlasEmulator,
  type EmulatorOptions,
} from '../../local/atlas-emulator';
import {
  LocalRunner,
  type LocalRunnerOptions,
  type PendingRequest,
  type Properties,
  type RequestOptions,
  type RequestResult,
} from '../../local/runner/runner';

export const PROJECT = DEFAULT_PROJECT_ID;

/** A region of each provider the scenarios use, as users write it and as Atlas spells it. */
export const REGIONS: Record<CloudProvider, { region: string; atlas: string; other: string; otherAtlas: string }> = {
  AWS: { region: 'us-east-1', atlas: 'US_EAST_1', other: 'eu-west-1', otherAtlas: 'EU_WEST_1' },
  AZURE: { region: 'eastus2', atlas: 'US_EAST_2', other: 'westeurope', otherAtlas: 'EUROPE_WEST' },
  GCP: { region: 'us-central1', atlas: 'CENTRAL_US', other: 'europe-west1', otherAtlas: 'WESTERN_EUROPE' },
};

/** What CloudFormation holds for one resource of one stack. */
interface Held {
  stackName: string;
  logicalResourceId: string;
  resourceType: string;
  physicalResourceId: string;
  properties: Properties;
}

export interface ScenarioContext {
  runner: LocalRunner;
  emulator: AtlasEmulator;
  /** An Atlas client of someone else (another team, the console): what it makes is not the stacks'. */
  outsider: AtlasApi;
  provider: CloudProvider;
  /** Service properties in the provider's default region. */
  props(extra?: Properties): Properties;
  /** Create as CloudFormation does (rollback Delete after a failure); CloudFormation's view follows. */
  create(properties: Properties, options?: RequestOptions): Promise<{ create: RequestResult; rollback?: RequestResult }>;
  /** Update a held resource (cleanup after a replacement, rollback after a failure). */
  update(
    properties: Properties,
    options?: RequestOptions,
  ): Promise<{ update: RequestResult; cleanup?: RequestResult; rollback?: RequestResult[] }>;
  /**
   * A replacing Update of a resource whose template says `UpdateReplacePolicy: Retain`: no cleanup Delete of
   * the replaced id follows (what it named is released, no longer the stack's).
   */
  updateRetainingReplaced(properties: Properties, options?: RequestOptions): Promise<RequestResult>;
  /** Delete a held resource (the stack is deleted). */
  delete(options?: RequestOptions): Promise<RequestResult>;
  /** A Create CloudFormation gives up on after `afterSeconds`, and the Delete of the id it makes up. */
  cancelledCreate(
    properties: Properties,
    afterSeconds: number,
    options?: RequestOptions,
  ): Promise<{ create: RequestResult; rollback: RequestResult }>;
  /** A replacing Update CloudFormation gives up on, and the stack's rollback. */
  cancelledUpdate(
    properties: Properties,
    afterSeconds: number,
    options?: RequestOptions,
  ): Promise<{ update: RequestResult; rollback: RequestResult[] }>;
  /** A replacement (A → B) then a rollback caused by another resource, in variant 'a' or 'b'. */
  replacementRolledBack(
    properties: Properties,
    variant: 'a' | 'b',
    options?: RequestOptions,
  ): Promise<{ update: RequestResult; rollback: RequestResult[] }>;
  /**
   * Creates sent at once (as a deployment of many stacks, or of many resources in one, does), each answered
   * before any rollback Delete of the failed ones is sent (at once too); CloudFormation's view follows.
   */
  createAll(
    items: readonly { properties: Properties; options?: RequestOptions }[],
  ): Promise<{ create: RequestResult; rollback?: RequestResult }[]>;
  /** Deletes of held resources sent at once (the stacks are deleted together); CloudFormation's view follows. */
  deleteAll(options: readonly RequestOptions[]): Promise<RequestResult[]>;
  /** The physical id CloudFormation holds, if any. */
  held(options?: RequestOptions): string | undefined;
  /** Marks an Atlas service (or `serviceId/endpointId` registration) as not the stacks': it must survive the scenario. */
  foreign(resource: EndpointService | string): void;
  /** Fails the scenario with `message` unless `condition`. */
  check(condition: unknown, message: string): void;
}

export interface Scenario {
  name: string;
  provider?: CloudProvider;
  emulator?: EmulatorOptions;
  runner?: Omit<LocalRunnerOptions, 'emulator' | 'logger'>;
  /** Executions expected to end in a Fail state (their error matches). */
  executionErrors?: RegExp;
  /** The row expects a request whose ServiceTimeout passes without an answer (e.g. the answer PUT fails for good). */
  unansweredExpected?: boolean;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioOutcome {
  name: string;
  passed: boolean;
  problems: string[];
  unanswered: number;
  orphans: number;
  wronglyDeleted: number;
  oversizedResponses: number;
  requests: number;
  simulatedSeconds: number;
}

class ScenarioFailure extends Error {
  override readonly name = 'ScenarioFailure';
}

const SECRETS = [DEFAULT_API_KEY.privateKey, DEFAULT_SERVICE_ACCOUNT.clientSecret, 'X-Amz-Signature', 'Authorization', 'authorization:'];

export async function runScenario(scenario: Scenario): Promise<ScenarioOutcome> {
  const emulator = await startAtlasEmulator(scenario.emulator);
  const logs: string[] = [];
  const logger: LoggerLike = {
    debug: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
    info: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
    warn: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
    error: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
  };
  // FAULT_MATRIX_PROGRESS=1 prints the runner's progress lines (one row at a time, with --filter).
  const progress = process.env.FAULT_MATRIX_PROGRESS ? (line: string) => void process.stderr.write(`${line}\n`) : undefined;
  const runner = await LocalRunner.start({
    ...scenario.runner,
    emulator,
    logger,
    requestTimeoutMs: 100_000,
    ...(progress ? { progress } : {}),
  });
  const outsider = new AtlasClient({
    baseUrl: emulator.baseUrl,
    credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
    retry: { budgetMs: 0 },
  });
  const provider = scenario.provider ?? 'AWS';
  const held = new Map<string, Held>();
  const foreign = new Set<string>();
  /** Held resources whose Delete the stack sent and did not see through (DELETE_FAILED). */
  const deleteAsked = new Set<string>();
  const problems: string[] = [];
  const startedAt = runner.now();
  const key = (o: RequestOptions = {}) => `${o.stackName ?? 'local-runner'}|${o.logicalResourceId ?? 'AtlasPrivateEndpointService'}`;
  const hold = (o: RequestOptions, physicalResourceId: string, properties: Properties) =>
    held.set(key(o), {
      stackName: o.stackName ?? 'local-runner',
      logicalResourceId: o.logicalResourceId ?? 'AtlasPrivateEndpointService',
      resourceType: o.resourceType ?? RESOURCE_TYPE_SERVICE,
      physicalResourceId,
      properties,
    });
  const current = (o: RequestOptions) => {
    const h = held.get(key(o));
    if (!h) throw new ScenarioFailure(`the stack holds no ${key(o)} to change`);
    return h;
  };
  const ctx: ScenarioContext = {
    runner,
    emulator,
    outsider,
    provider,
    props: (extra = {}) => ({ ProjectId: PROJECT, ProviderName: provider, Region: REGIONS[provider].region, ...extra }),
    async create(properties, o = {}) {
      const r = await runner.create(properties, o);
      if (r.create.status === 'SUCCESS') hold(o, r.create.physicalResourceId, properties);
      // A rollback that failed leaves the resource in the stack (ROLLBACK_FAILED): CloudFormation still holds it.
      else if (r.rollback && r.rollback.status !== 'SUCCESS') hold(o, r.rollback.physicalResourceId, properties);
      return r;
    },
    async update(properties, o = {}) {
      const h = current(o);
      const r = await runner.update({ physicalResourceId: h.physicalResourceId, properties: h.properties }, properties, o);
      if (r.update.status === 'SUCCESS') hold(o, r.update.physicalResourceId, properties);
      else if (r.rollback?.[0]?.status === 'SUCCESS') hold(o, r.rollback[0].physicalResourceId, h.properties);
      return r;
    },
    async updateRetainingReplaced(properties, o = {}) {
      const h = current(o);
      const r = await runner.send('Update', properties, { ...o, physicalResourceId: h.physicalResourceId, oldProperties: h.properties });
      runner.endStackOperation(o.stackName);
      if (r.status === 'SUCCESS') hold(o, r.physicalResourceId, properties);
      return r;
    },
    async delete(o = {}) {
      const h = current(o);
      const r = await runner.delete({ physicalResourceId: h.physicalResourceId, properties: h.properties }, o);
      if (r.status === 'SUCCESS') held.delete(key(o));
      // DELETE_FAILED: the stack keeps the resource, but Atlas may have accepted the delete and finish it later.
      else for (const id of idsOf(h)) deleteAsked.add(id);
      return r;
    },
    async cancelledCreate(properties, afterSeconds, o = {}) {
      const r = await runner.cancelledCreate(properties, afterSeconds, o);
      if (r.rollback.status !== 'SUCCESS') hold(o, r.rollback.physicalResourceId, properties);
      return r;
    },
    async cancelledUpdate(properties, afterSeconds, o = {}) {
      const h = current(o);
      const r = await runner.cancelledUpdate(
        { physicalResourceId: h.physicalResourceId, properties: h.properties },
        properties,
        afterSeconds,
        o,
      );
      const back = r.rollback[0];
      if (back?.status === 'SUCCESS') hold(o, back.physicalResourceId, h.properties);
      return r;
    },
    async replacementRolledBack(properties, variant, o = {}) {
      const h = current(o);
      const r = await runner.replacementRolledBack(
        { physicalResourceId: h.physicalResourceId, properties: h.properties },
        properties,
        variant,
        o,
      );
      if (r.update.status === 'SUCCESS') {
        // UPDATE_ROLLBACK_COMPLETE holds the id the rollback's Update answered (variant a) or the original (b).
        const back = variant === 'a' ? r.rollback[0] : undefined;
        hold(o, back?.status === 'SUCCESS' ? back.physicalResourceId : h.physicalResourceId, h.properties);
      }
      return r;
    },
    async createAll(items) {
      const creates = items.map(({ properties, options = {} }) => ({
        properties,
        options,
        pending: runner.dispatch('Create', properties, options),
      }));
      await waitForAll(
        runner,
        creates.map((c) => c.pending),
      );
      const answered = creates.map((c) => ({ ...c, create: runner.record(c.pending) }));
      // CloudFormation rolls back what failed: the Delete of the answered id, or of one it made up without an answer.
      const rollbacks = answered
        .filter((a) => a.create.status !== 'SUCCESS')
        .map((a) => {
          const physicalResourceId =
            a.create.status === 'FAILED'
              ? a.create.physicalResourceId
              : runner.madeUpPhysicalId(a.create.logicalResourceId, a.options.stackName);
          return {
            a,
            pending: runner.dispatch('Delete', a.properties, { ...a.options, physicalResourceId, deliveries: 1, phase: 'rollback' }),
          };
        });
      await waitForAll(
        runner,
        rollbacks.map((r) => r.pending),
      );
      const rolledBack = new Map(rollbacks.map((r) => [r.a, runner.record(r.pending)]));
      return answered.map((a) => {
        const rollback = rolledBack.get(a);
        if (a.create.status === 'SUCCESS') hold(a.options, a.create.physicalResourceId, a.properties);
        else if (rollback && rollback.status !== 'SUCCESS') hold(a.options, rollback.physicalResourceId, a.properties);
        return { create: a.create, ...(rollback ? { rollback } : {}) };
      });
    },
    async deleteAll(options) {
      const deletes = options.map((o) => {
        const h = current(o);
        return {
          o,
          pending: runner.dispatch('Delete', h.properties, { ...o, physicalResourceId: h.physicalResourceId }),
        };
      });
      await waitForAll(
        runner,
        deletes.map((d) => d.pending),
      );
      return deletes.map(({ o, pending }) => {
        const r = runner.record(pending);
        if (r.status === 'SUCCESS') held.delete(key(o));
        return r;
      });
    },
    held: (o = {}) => held.get(key(o))?.physicalResourceId,
    foreign: (resource) => foreign.add(typeof resource === 'string' ? resource : resource.id),
    check(condition, message) {
      if (!condition) throw new ScenarioFailure(message);
    },
  };

  let unanswered = 0;
  let orphans = 0;
  let wronglyDeleted = 0;
  let oversizedResponses = 0;
  try {
    await scenario.run(ctx);
    await runner.drain();
  } catch (err) {
    problems.push(err instanceof ScenarioFailure ? err.message : `${(err as Error).name}: ${(err as Error).message}`);
  }
  try {
    // CloudFormation's side: one answer per request it waited for, small, with a reason a person can act on.
    for (const p of runner.requests) {
      const r = runner.resultOf(p);
      // A cancellation needs no answer; a ServiceTimeout that passed without one is a request left unanswered.
      if (r.abandoned && !(r.timedOut && !scenario.unansweredExpected)) continue;
      if (r.answers !== 1) {
        unanswered += r.answers === 0 ? 1 : 0;
        problems.push(`${r.stackName}/${r.logicalResourceId} ${r.requestType} got ${r.answers} answers`);
      }
      if (r.responseBytes > 4096) {
        oversizedResponses++;
        problems.push(`${r.requestType} answer of ${r.responseBytes} bytes`);
      }
      if (r.status === 'FAILED' && !actionable(r.reason))
        problems.push(`${r.requestType} FAILED without an actionable reason: ${JSON.stringify(r.reason)}`);
    }
    for (const e of runner.executionErrors) {
      if (!scenario.executionErrors?.test(e.error)) problems.push(`execution ${e.executionName} ended in error: ${e.error}`);
    }
    // Atlas's side: what exists is exactly what the stacks hold plus what was there before.
    const { live, deleting } = liveResources(emulator, scenario);
    const heldIds = new Set<string>();
    for (const h of held.values()) for (const id of idsOf(h)) heldIds.add(id);
    for (const id of live) {
      if (!heldIds.has(id) && !foreign.has(id)) {
        orphans++;
        problems.push(`orphan in Atlas: ${id}`);
      }
    }
    // A held resource Atlas is deleting, or has deleted after a Delete of the stack's that ran out of time, went at
    // the stack's request: the stack's next delete finds it gone (404) and succeeds.
    for (const id of [...heldIds, ...foreign]) {
      if (!live.has(id) && !(heldIds.has(id) && (deleting.has(id) || deleteAsked.has(id)))) {
        wronglyDeleted++;
        problems.push(`gone from Atlas though ${foreign.has(id) ? "it was not the stacks'" : 'a stack holds it'}: ${id}`);
      }
    }
    // No secret anywhere a person or a log reader can see.
    const outputs = [...logs, ...runner.requests.map((p) => JSON.stringify(runner.resultOf(p)))];
    for (const text of outputs) {
      const leaked = SECRETS.find((s) => text.includes(s));
      if (leaked) {
        problems.push(`secret-like text ${JSON.stringify(leaked.slice(0, 16))} in an output: ${text.slice(0, 200)}`);
        break;
      }
    }
  } finally {
    await outsider.close();
    await runner.stop();
    await emulator.close();
  }
  return {
    name: scenario.name,
    passed: problems.length === 0,
    problems,
    unanswered,
    orphans,
    wronglyDeleted,
    oversizedResponses,
    requests: runner.requests.length,
    simulatedSeconds: Math.round((runner.now() - startedAt) / 1000),
  };
}

/** Lets time run until CloudFormation has every request's answer (or gave up on it), then lets everything end. */
async function waitForAll(runner: LocalRunner, pending: readonly PendingRequest[]): Promise<void> {
  // Earliest ServiceTimeout first: waiting for one never moves the clock past a later one's timeout unnoticed.
  const timeoutAt = (p: PendingRequest) => p.sentAt + (Number(p.event.ResourceProperties?.ServiceTimeout) || 3600) * 1000;
  for (const p of [...pending].sort((a, b) => timeoutAt(a) - timeoutAt(b))) await runner.waitFor(p);
  await runner.drain();
}

/** A reason names what went wrong in words, not a stack trace or a bare code. */
function actionable(reason: string | undefined): boolean {
  if (!reason || reason.length < 20) return false;
  if (/\n\s+at |\[object Object\]|undefined:|^Error$/.test(reason)) return false;
  return true;
}

/** Service ids and `service/endpoint` ids a held resource stands for. */
function idsOf(h: Held): string[] {
  if (h.resourceType === RESOURCE_TYPE_ENDPOINT) {
    const m = /^[a-f0-9]{24}--([a-f0-9]{24})--(.+)$/.exec(h.physicalResourceId);
    return m ? [`${m[1]}/${m[2]}`] : [];
  }
  const m = /^[a-f0-9]{24}-([a-f0-9]{24})-(AWS|AZURE|GCP)-/.exec(h.physicalResourceId);
  return m ? [m[1]] : [];
}

/** Every service and registration in the emulator's projects: those staying, and those Atlas is deleting. */
function liveResources(emulator: AtlasEmulator, scenario: Scenario): { live: Set<string>; deleting: Set<string> } {
  const projects = scenario.emulator?.projectIds ?? [PROJECT];
  const live = new Set<string>();
  const deleting = new Set<string>();
  for (const project of projects) {
    for (const s of emulator.services(project)) {
      (s.status === 'DELETING' ? deleting : live).add(s.id);
      const endpoints =
        s.cloudProvider === 'AWS' ? s.interfaceEndpoints : s.cloudProvider === 'AZURE' ? s.privateEndpoints : s.endpointGroupNames;
      for (const e of endpoints ?? []) live.add(`${s.id}/${e}`);
    }
  }
  return { live, deleting };
}

export interface MatrixSummary {
  scenarios: number;
  passed: number;
  failed: string[];
  unanswered: number;
  orphans: number;
  wronglyDeleted: number;
  oversizedResponses: number;
}

export function summarize(outcomes: readonly ScenarioOutcome[]): MatrixSummary {
  return {
    scenarios: outcomes.length,
    passed: outcomes.filter((o) => o.passed).length,
    failed: outcomes.filter((o) => !o.passed).map((o) => o.name),
    unanswered: outcomes.reduce((n, o) => n + o.unanswered, 0),
    orphans: outcomes.reduce((n, o) => n + o.orphans, 0),
    wronglyDeleted: outcomes.reduce((n, o) => n + o.wronglyDeleted, 0),
    oversizedResponses: outcomes.reduce((n, o) => n + o.oversizedResponses, 0),
  };
}
