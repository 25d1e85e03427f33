/**
 * Scale: 1, 10 and 100 endpoint services (distinct provider and region pairs, at most ten per Atlas project,
 * as Atlas allows one service per provider and region in a project) created together and then deleted
 * together through this project's real wait loop, against an emulator that applies Atlas's per-project rate
 * limit. Measured: Atlas calls per resource, 429s, simulated time until every request is answered, failures.
 */
import { type AtlasEmulator, startAtlasEmulator, VirtualClock } from '../local/atlas-emulator';
import { ProviderHarness, type RequestOutcome } from './provider-harness';
import { VirtualTime } from './virtual-time';

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
];
const PER_PROJECT = REGIONS.length;

export interface ScaleRow {
  resources: number;
  projects: number;
  atlasCallsPerResource: number;
  /** Atlas calls per resource, create and delete apart. */
  createCallsPerResource: number;
  deleteCallsPerResource: number;
  rateLimited429s: number;
  /** Simulated seconds from the first request to the last answer. */
  createSeconds: number;
  deleteSeconds: number;
  failures: number;
}

export interface ScaleResult {
  /** The rate limit in force (per project). */
  rateLimit: { capacity: number; refillRate: number; refillDurationSeconds: number } | false;
  rows: ScaleRow[];
  /** The same under a much tighter limit than Atlas's, to show throttling handled (informative, not a target). */
  stress?: { rateLimit: ScaleResult['rateLimit']; rows: ScaleRow[] };
}

/** A limit ten resources in one project cannot stay under: every few polls meet a 429. */
export const STRESS_RATE_LIMIT = { capacity: 20, refillRate: 10, refillDurationSeconds: 60 };

export async function benchScale(
  options: { sizes?: number[]; rateLimit?: { capacity?: number; refillRate?: number; refillDurationSeconds?: number } } = {},
): Promise<ScaleResult> {
  const rows: ScaleRow[] = [];
  let rateLimit: ScaleResult['rateLimit'] = false;
  for (const n of options.sizes ?? [1, 10, 100]) {
    const { row, limit } = await runScale(n, options.rateLimit);
    rows.push(row);
    rateLimit = limit;
  }
  return { rateLimit, rows };
}

async function runScale(
  n: number,
  rateLimitOption?: { capacity?: number; refillRate?: number; refillDurationSeconds?: number },
): Promise<{ row: ScaleRow; limit: ScaleResult['rateLimit'] }> {
  const projects = Math.ceil(n / PER_PROJECT);
  const projectIds = Array.from({ length: projects }, (_, i) => `6b${(i + 1).toString(16).padStart(22, '0')}`);
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const time = new VirtualTime(clock);
  const emulator: AtlasEmulator = await startAtlasEmulator({
    clock,
    projectIds,
    ...(rateLimitOption ? { rateLimit: rateLimitOption } : {}),
  });
  const harness = new ProviderHarness(emulator, time);
  try {
    const resources = Array.from({ length: n }, (_, i) => ({
      ProjectId: projectIds[Math.floor(i / PER_PROJECT)],
      ProviderName: 'AWS',
      Region: REGIONS[i % PER_PROJECT],
    }));
    const phase = async (send: (i: number) => Promise<RequestOutcome>) => {
      const start = time.now();
      const from = emulator.requests.length;
      const outcomes = await Promise.all(resources.map((_, i) => send(i)));
      const requests = emulator.requests.slice(from);
      const end = Math.max(...outcomes.map((o) => o.answeredAt ?? time.now()));
      return {
        outcomes,
        calls: requests.length,
        throttled: requests.filter((r) => r.status === 429).length,
        seconds: (end - start) / 1000,
        failures: outcomes.filter((o) => o.status !== 'SUCCESS' || o.executionError).length,
      };
    };
    const created = await phase((i) => harness.send('Create', resources[i], undefined, `Service${i}`));
    const deleted = await phase((i) => harness.send('Delete', resources[i], created.outcomes[i].physicalResourceId, `Service${i}`));
    const limit = emulator.rateLimit ? { ...emulator.rateLimit } : false;
    return {
      limit,
      row: {
        resources: n,
        projects,
        atlasCallsPerResource: (created.calls + deleted.calls) / n,
        createCallsPerResource: created.calls / n,
        deleteCallsPerResource: deleted.calls / n,
        rateLimited429s: created.throttled + deleted.throttled,
        createSeconds: created.seconds,
        deleteSeconds: deleted.seconds,
        failures: created.failures + deleted.failures,
      },
    };
  } finally {
    await harness.close();
    await emulator.close();
  }
}
