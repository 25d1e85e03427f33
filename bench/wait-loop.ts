/**
 * Wait-loop efficiency: for each provisioning (or deletion) duration and start offset, this project's real
 * wait loop and the three modelled peers each create (or delete) one AWS endpoint service in their own
 * Atlas project of one emulator, concurrently on one virtual clock. Measured per schedule: the detection
 * delay (from the moment Atlas's status changes to the answer), Atlas calls, Lambda invocations, state
 * transitions and cost.
 *
 * Start offsets: the emulator's duration is the nominal one plus an offset, so that the status change
 * falls at every phase of a schedule's polling. First all schedules run together at offset 0, on one
 * emulator: that run also measures each schedule's poll interval at the change (the gap between its last
 * two looks). Then each schedule runs again at offsets spread evenly over its own interval (k × interval / n),
 * so that it meets the change at evenly spread phases; one window for all would favour some schedules'
 * phases over others' unless it spanned their common multiple (140 s for 5, 14 and 20 s), which would blur
 * the durations themselves.
 */
import { AtlasClient } from '../lambda/atlas/client';
import { formatServicePhysicalId } from '../lambda/lifecycle/service/physical-id';
import { DEFAULT_API_KEY, type AtlasEmulator, startAtlasEmulator, VirtualClock } from '../local/atlas-emulator';
import { PEERS, type PeerId, runPeer } from './peers';
import { PROVIDER_LAMBDA, lambdaCost, stepFunctionsCost } from './prices';
import { ProviderHarness } from './provider-harness';
import { median } from './stats';
import { VirtualTime } from './virtual-time';

export type ScheduleId = 'this-project' | 'this-project-step-functions-waits' | PeerId;

export interface Scenario {
  /** e.g. `create-15min`. */
  id: string;
  kind: 'create' | 'delete';
  seconds: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'create-30s', kind: 'create', seconds: 30 },
  { id: 'create-2min', kind: 'create', seconds: 120 },
  { id: 'create-5min', kind: 'create', seconds: 300 },
  { id: 'create-15min', kind: 'create', seconds: 900 },
  { id: 'create-45min', kind: 'create', seconds: 2700 },
  { id: 'delete-2min', kind: 'delete', seconds: 120 },
];

export const SCHEDULES: readonly { id: ScheduleId; name: string; schedule: string }[] = [
  {
    id: 'this-project',
    name: 'This project',
    schedule: 'a look every 14 s; up to three looks per step, sleeping in the step, then a Step Functions wait (README "Performance")',
  },
  {
    id: 'this-project-step-functions-waits',
    name: 'This project, waits in Step Functions only',
    schedule:
      'the same schedule with every wait a Step Functions Wait state (the design not taken; the same code without the step sleep port)',
  },
  ...PEERS.map((p) => ({ id: p.id, name: p.name, schedule: p.schedule })),
];

/** One schedule's figures in one run (one offset). */
export interface RunFigures {
  detectionSeconds: number;
  atlasCalls: number;
  lambdaInvocations: number;
  stateTransitions: number;
  costUsd: number;
  failed?: string;
}

export interface Stat {
  median: number;
  worst: number;
}

export interface ScheduleResult {
  schedule: ScheduleId;
  /** The poll interval at the change (from the offset-0 run) and the offsets spread over it. */
  intervalSeconds: number;
  offsetsSeconds: number[];
  detectionSeconds: Stat;
  atlasCalls: Stat;
  lambdaInvocations: Stat;
  stateTransitions: Stat;
  costUsd: Stat;
  failures: number;
}

export interface ScenarioResult {
  scenario: string;
  kind: 'create' | 'delete';
  seconds: number;
  schedules: ScheduleResult[];
}

export interface WaitLoopOptions {
  /** Offsets per scenario (default 12). */
  offsets?: number;
  scenarios?: readonly Scenario[];
}

const PROJECTS: Record<ScheduleId, string> = {
  'this-project': '6a0000000000000000000001',
  'this-project-step-functions-waits': '6a0000000000000000000005',
  'cdk-provider-framework': '6a0000000000000000000002',
  'mongodb-cfn-registry': '6a0000000000000000000003',
  terraform: '6a0000000000000000000004',
};
const REGION = { input: 'us-east-1', atlas: 'US_EAST_1' };

export async function benchWaitLoop(options: WaitLoopOptions = {}): Promise<ScenarioResult[]> {
  const n = Math.max(1, options.offsets ?? 12);
  const ids = SCHEDULES.map((s) => s.id);
  const results: ScenarioResult[] = [];
  for (const scenario of options.scenarios ?? SCENARIOS) {
    const first = await runOnce(scenario, 0, ids);
    const schedules: ScheduleResult[] = [];
    for (const id of ids) {
      const interval = first.gaps[id];
      const offsets = Array.from({ length: n }, (_, k) => Math.round(((k * interval) / n) * 1000) / 1000);
      const runs = [first.figures[id]];
      for (const o of offsets.slice(1)) runs.push((await runOnce(scenario, o, [id])).figures[id]);
      schedules.push(summarise(id, interval, offsets, runs));
    }
    results.push({ scenario: scenario.id, kind: scenario.kind, seconds: scenario.seconds, schedules });
  }
  return results;
}

function summarise(schedule: ScheduleId, intervalSeconds: number, offsetsSeconds: number[], runs: RunFigures[]): ScheduleResult {
  const stat = (pick: (r: RunFigures) => number): Stat => ({ median: median(runs.map(pick)), worst: Math.max(...runs.map(pick)) });
  return {
    schedule,
    intervalSeconds,
    offsetsSeconds,
    detectionSeconds: stat((r) => r.detectionSeconds),
    atlasCalls: stat((r) => r.atlasCalls),
    lambdaInvocations: stat((r) => r.lambdaInvocations),
    stateTransitions: stat((r) => r.stateTransitions),
    costUsd: stat((r) => r.costUsd),
    failures: runs.filter((r) => r.failed).length,
  };
}

interface OneRun {
  figures: Record<ScheduleId, RunFigures>;
  /** Per schedule: seconds between the poll that saw the change and the poll before it. */
  gaps: Record<ScheduleId, number>;
}

async function runOnce(scenario: Scenario, offsetSeconds: number, ids: readonly ScheduleId[]): Promise<OneRun> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const time = new VirtualTime(clock);
  const duration = scenario.seconds + offsetSeconds;
  const emulator = await startAtlasEmulator({
    clock,
    projectIds: Object.values(PROJECTS),
    timings: { AWS: scenario.kind === 'create' ? { serviceCreate: duration } : { serviceCreate: 0, serviceDelete: duration } },
  });
  const client = () =>
    new AtlasClient({
      baseUrl: emulator.baseUrl,
      credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
      now: () => clock.now(),
      retry: { budgetMs: 0, maxAttempts: 1 },
    });
  const closers: (() => Promise<void>)[] = [];
  try {
    // A delete needs a service to delete: each project gets one, ready before the clock starts for the run.
    const existing: Partial<Record<ScheduleId, string>> = {};
    if (scenario.kind === 'delete') {
      const setup = client();
      for (const id of ids)
        existing[id] = (await setup.createEndpointService(PROJECTS[id], { providerName: 'AWS', region: REGION.atlas })).id;
      await setup.close();
      clock.advance(1);
    }
    const before = emulator.requests.length;
    const runs = ids.map((id) => runSchedule(id, scenario, time, emulator, existing[id], closers, client));
    const outcomes = await Promise.all(runs);
    const requests = emulator.requests.slice(before);

    const figures = {} as Record<ScheduleId, RunFigures>;
    const gaps = {} as Record<ScheduleId, number>;
    ids.forEach((id, i) => {
      const own = requests.filter((r) => r.path.includes(`/groups/${PROJECTS[id]}/`));
      const change = statusChangeAt(scenario, own, duration);
      const o = outcomes[i];
      figures[id] = {
        ...o.figures,
        atlasCalls: own.length,
        detectionSeconds: o.answeredAt === undefined || change === undefined ? Infinity : (o.answeredAt - change) / 1000,
      };
      const polls = own.filter((r) => r.method === 'GET' && r.status !== 401).map((r) => r.at);
      gaps[id] = polls.length >= 2 ? (polls[polls.length - 1] - polls[polls.length - 2]) / 1000 : 0;
    });
    return { figures, gaps };
  } finally {
    for (const close of closers) await close();
    await emulator.close();
  }
}

/** One schedule's create or delete; Atlas calls and the detection delay are read from the emulator's record. */
async function runSchedule(
  id: ScheduleId,
  scenario: Scenario,
  time: VirtualTime,
  emulator: AtlasEmulator,
  existingId: string | undefined,
  closers: (() => Promise<void>)[],
  client: () => AtlasClient,
): Promise<{ answeredAt: number | undefined; figures: Omit<RunFigures, 'detectionSeconds' | 'atlasCalls'> }> {
  const peer = PEERS.find((p) => p.id === id);
  if (peer) {
    const c = client();
    closers.push(() => c.close());
    const target = { projectId: PROJECTS[id], provider: 'AWS' as const, region: REGION.atlas };
    const o = await runPeer(
      peer,
      time,
      c,
      scenario.kind === 'create' ? { kind: 'create', target } : { kind: 'delete', target, serviceId: existingId! },
    );
    return {
      answeredAt: o.answeredAt,
      figures: {
        lambdaInvocations: o.lambdaInvocations,
        stateTransitions: o.stateTransitions,
        costUsd: o.cost,
        ...(o.ok ? {} : { failed: o.failure ?? 'failed' }),
      },
    };
  }
  const harness = new ProviderHarness(emulator, time, { inStepPolling: id === 'this-project' });
  closers.push(() => harness.close());
  const properties = { ProjectId: PROJECTS[id], ProviderName: 'AWS', Region: REGION.input };
  const o =
    scenario.kind === 'create'
      ? await harness.send('Create', properties)
      : await harness.send(
          'Delete',
          properties,
          formatServicePhysicalId({ projectId: PROJECTS[id], serviceId: existingId!, provider: 'AWS', region: REGION.atlas }),
        );
  return {
    answeredAt: o.answeredAt,
    figures: {
      lambdaInvocations: o.lambdaInvocations,
      stateTransitions: o.stateTransitions,
      costUsd: lambdaCost(o.lambdaInvocations, o.lambdaBilledMs, PROVIDER_LAMBDA) + stepFunctionsCost(o.stateTransitions),
      ...(o.status !== 'SUCCESS' || o.executionError ? { failed: o.reason ?? o.executionError ?? o.status } : {}),
    },
  };
}

/** When Atlas's status changed: the create (or delete) call's arrival plus the emulator's duration. */
function statusChangeAt(scenario: Scenario, requests: AtlasEmulator['requests'], durationSeconds: number): number | undefined {
  const call = requests.find((r) =>
    scenario.kind === 'create' ? r.method === 'POST' && r.status === 201 : r.method === 'DELETE' && r.status < 300,
  );
  return call ? call.at + durationSeconds * 1000 : undefined;
}
