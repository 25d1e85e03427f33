/**
 * Wait-loop efficiency: for each provisioning (or deletion) duration and start offset, this project's real
 * wait loop and the three modelled peers each create (or delete) one AWS endpoint service in their own
 * Atlas project of one emulator, concurrently on one virtual clock. Measured per schedule: the detection
 * delay (from the moment Atlas's status changes to the answer), Atlas calls, Lambda invocations, state
 * transitions and cost.
 *
 * Start offsets: the emulator's duration is the nominal one plus an offset, so that the status change
 * falls at every phase of each schedule's polling. The offsets are spread over a common period of the
 * schedules' poll intervals (the least common multiple of the gaps between the last two polls of each
 * schedule in the offset-0 run, in whole seconds) by the golden-ratio sequence, so that every schedule sees
 * the change at evenly spread phases of its own interval. (An even grid would not do: its step is often a
 * multiple of some schedule's interval, which would then always see the change at the same phase.)
 */
import { AtlasClient } from '../lambda/atlas/client';
import { formatServicePhysicalId } from '../lambda/lifecycle/service/physical-id';
import { DEFAULT_API_KEY, type AtlasEmulator, startAtlasEmulator, VirtualClock } from '../local/atlas-emulator';
import { PEERS, type PeerId, runPeer } from './peers';
import { PROVIDER_LAMBDA, lambdaCost, stepFunctionsCost } from './prices';
import { ProviderHarness } from './provider-harness';
import { median } from './stats';
import { VirtualTime } from './virtual-time';

export type ScheduleId = 'this-project' | PeerId;

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
  { id: 'this-project', name: 'This project', schedule: 'see README "Wait loop"' },
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
  offsetsSeconds: number[];
  schedules: ScheduleResult[];
}

export interface WaitLoopOptions {
  /** Offsets per scenario (default 12). */
  offsets?: number;
  scenarios?: readonly Scenario[];
}

const PROJECTS: Record<ScheduleId, string> = {
  'this-project': '6a0000000000000000000001',
  'cdk-provider-framework': '6a0000000000000000000002',
  'mongodb-cfn-registry': '6a0000000000000000000003',
  terraform: '6a0000000000000000000004',
};
const GOLDEN = (Math.sqrt(5) - 1) / 2;
/** Longest window the offsets spread over, whatever the intervals' common multiple. */
const MAX_WINDOW_SECONDS = 600;

function commonPeriod(gaps: number[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let period = 1;
  for (const g of gaps.map((x) => Math.round(x)).filter((x) => x > 0)) period = (period * g) / gcd(period, g);
  return Math.min(period, MAX_WINDOW_SECONDS);
}

const REGION = { input: 'us-east-1', atlas: 'US_EAST_1' };

export async function benchWaitLoop(options: WaitLoopOptions = {}): Promise<ScenarioResult[]> {
  const n = Math.max(1, options.offsets ?? 12);
  const results: ScenarioResult[] = [];
  for (const scenario of options.scenarios ?? SCENARIOS) {
    const first = await runOnce(scenario, 0);
    const window = commonPeriod(Object.values(first.gaps));
    const offsets = Array.from({ length: n }, (_, k) => Math.round(window * ((k * GOLDEN) % 1) * 1000) / 1000);
    const runs = [first];
    for (const o of offsets.slice(1)) runs.push(await runOnce(scenario, o));
    results.push({
      scenario: scenario.id,
      kind: scenario.kind,
      seconds: scenario.seconds,
      offsetsSeconds: offsets,
      schedules: SCHEDULES.map(({ id }) => summarise(id, runs.map((r) => r.figures[id]))),
    });
  }
  return results;
}

function summarise(schedule: ScheduleId, runs: RunFigures[]): ScheduleResult {
  const stat = (pick: (r: RunFigures) => number): Stat => ({ median: median(runs.map(pick)), worst: Math.max(...runs.map(pick)) });
  return {
    schedule,
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

async function runOnce(scenario: Scenario, offsetSeconds: number): Promise<OneRun> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const time = new VirtualTime(clock);
  const duration = scenario.seconds + offsetSeconds;
  const emulator = await startAtlasEmulator({
    clock,
    projectIds: Object.values(PROJECTS),
    timings: { AWS: scenario.kind === 'create' ? { serviceCreate: duration } : { serviceCreate: 0, serviceDelete: duration } },
  });
  const client = () => new AtlasClient({ baseUrl: emulator.baseUrl, credentials: { kind: 'api-key', ...DEFAULT_API_KEY }, now: () => clock.now(), retry: { budgetMs: 0, maxAttempts: 1 } });
  const harness = new ProviderHarness(emulator, time);
  const peerClients = PEERS.map(() => client());
  try {
    // A delete needs a service to delete: each project gets one, ready before the clock starts for the run.
    const existing: Partial<Record<ScheduleId, string>> = {};
    if (scenario.kind === 'delete') {
      const setup = client();
      for (const [id, project] of Object.entries(PROJECTS)) {
        existing[id as ScheduleId] = (await setup.createEndpointService(project, { providerName: 'AWS', region: REGION.atlas })).id;
      }
      await setup.close();
      clock.advance(1);
    }
    const before = emulator.requests.length;
    const properties = { ProjectId: PROJECTS['this-project'], ProviderName: 'AWS', Region: REGION.input };
    const ours =
      scenario.kind === 'create'
        ? harness.send('Create', properties)
        : harness.send(
            'Delete',
            properties,
            formatServicePhysicalId({ projectId: PROJECTS['this-project'], serviceId: existing['this-project']!, provider: 'AWS', region: REGION.atlas }),
          );
    const peers = PEERS.map((peer, i) => {
      const target = { projectId: PROJECTS[peer.id], provider: 'AWS' as const, region: REGION.atlas };
      return runPeer(peer, time, peerClients[i], scenario.kind === 'create' ? { kind: 'create', target } : { kind: 'delete', target, serviceId: existing[peer.id]! });
    });
    const [mine, ...theirs] = await Promise.all([ours, ...peers]);
    const requests = emulator.requests.slice(before);

    const figures = {} as Record<ScheduleId, RunFigures>;
    const gaps = {} as Record<ScheduleId, number>;
    const measure = (id: ScheduleId, answeredAt: number | undefined, base: Omit<RunFigures, 'detectionSeconds' | 'atlasCalls'>) => {
      const own = requests.filter((r) => r.path.includes(`/groups/${PROJECTS[id]}/`));
      const change = statusChangeAt(scenario, own, duration);
      figures[id] = { ...base, atlasCalls: own.length, detectionSeconds: answeredAt === undefined || change === undefined ? Infinity : (answeredAt - change) / 1000 };
      const polls = own.filter((r) => r.method === 'GET' && r.status !== 401).map((r) => r.at);
      gaps[id] = polls.length >= 2 ? (polls[polls.length - 1] - polls[polls.length - 2]) / 1000 : 0;
    };
    measure('this-project', mine.answeredAt, {
      lambdaInvocations: mine.lambdaInvocations,
      stateTransitions: mine.stateTransitions,
      costUsd: lambdaCost(mine.lambdaInvocations, mine.lambdaBilledMs, PROVIDER_LAMBDA) + stepFunctionsCost(mine.stateTransitions),
      ...(mine.status !== 'SUCCESS' || mine.executionError ? { failed: mine.reason ?? mine.executionError ?? mine.status } : {}),
    });
    PEERS.forEach((peer, i) => {
      const o = theirs[i];
      measure(peer.id, o.answeredAt, {
        lambdaInvocations: o.lambdaInvocations,
        stateTransitions: o.stateTransitions,
        costUsd: o.cost,
        ...(o.ok ? {} : { failed: o.failure ?? 'failed' }),
      });
    });
    return { figures, gaps };
  } finally {
    await harness.close();
    await Promise.all(peerClients.map((c) => c.close()));
    await emulator.close();
  }
}

/** When Atlas's status changed: the create (or delete) call's arrival plus the emulator's duration. */
function statusChangeAt(scenario: Scenario, requests: AtlasEmulator['requests'], durationSeconds: number): number | undefined {
  const call = requests.find((r) => (scenario.kind === 'create' ? r.method === 'POST' && r.status === 201 : r.method === 'DELETE' && r.status < 300));
  return call ? call.at + durationSeconds * 1000 : undefined;
}
