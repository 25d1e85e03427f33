/**
 * The targets for this project's schedule, each with its measured value and whether it holds.
 */
import type { ColdStartResult } from './cold-start';
import type { ScaleResult } from './scale';
import { round } from './stats';
import type { ScenarioResult, ScheduleId, ScheduleResult } from './wait-loop';

export interface Target {
  name: string;
  value: string;
  target: string;
  pass: boolean;
}

export const DETECTION_MEDIAN_MAX_SECONDS = 8;
export const DETECTION_WORST_MAX_SECONDS = 15;
/** Atlas calls at 15 and 45 minutes, as a share of the 5-second schedule's (the CDK provider framework's). */
export const ATLAS_CALL_SHARE_MAX = 0.4;
/** Lambda invocations at 15 and 45 minutes, as a share of the CDK provider framework's. */
export const INVOCATION_SHARE_MAX = 0.2;
export const LONG_SCENARIOS = ['create-15min', 'create-45min'];
export const CALLS_PER_RESOURCE_SPREAD_MAX = 0.2;

export function evaluateTargets(
  waitLoop: ScenarioResult[],
  coldStart: ColdStartResult | undefined,
  scale: ScaleResult | undefined,
): Target[] {
  const targets: Target[] = [];
  const of = (s: ScenarioResult, id: ScheduleId): ScheduleResult => s.schedules.find((x) => x.schedule === id)!;

  for (const s of waitLoop) {
    const d = of(s, 'this-project').detectionSeconds;
    targets.push({
      name: `Detection delay, median, ${s.scenario}`,
      value: `${round(d.median)} s`,
      target: `≤ ${DETECTION_MEDIAN_MAX_SECONDS} s`,
      pass: d.median <= DETECTION_MEDIAN_MAX_SECONDS,
    });
    targets.push({
      name: `Detection delay, worst, ${s.scenario}`,
      value: `${round(d.worst)} s`,
      target: `≤ ${DETECTION_WORST_MAX_SECONDS} s`,
      pass: d.worst <= DETECTION_WORST_MAX_SECONDS,
    });
  }
  for (const s of waitLoop.filter((x) => LONG_SCENARIOS.includes(x.scenario))) {
    const ours = of(s, 'this-project');
    const cdk = of(s, 'cdk-provider-framework');
    const calls = ours.atlasCalls.median / cdk.atlasCalls.median;
    targets.push({
      name: `Atlas calls vs the 5 s schedule, ${s.scenario}`,
      value: `${ours.atlasCalls.median} / ${cdk.atlasCalls.median} = ${pct(calls)}`,
      target: `≤ ${pct(ATLAS_CALL_SHARE_MAX)}`,
      pass: calls <= ATLAS_CALL_SHARE_MAX,
    });
    const inv = ours.lambdaInvocations.median / cdk.lambdaInvocations.median;
    targets.push({
      name: `Lambda invocations vs the CDK provider framework, ${s.scenario}`,
      value: `${ours.lambdaInvocations.median} / ${cdk.lambdaInvocations.median} = ${pct(inv)}`,
      target: `≤ ${pct(INVOCATION_SHARE_MAX)}`,
      pass: inv <= INVOCATION_SHARE_MAX,
    });
  }
  const failed = waitLoop.flatMap((s) => s.schedules.filter((x) => x.schedule === 'this-project' && x.failures > 0).map(() => s.scenario));
  targets.push({
    name: 'Wait-loop runs that failed',
    value: failed.length ? failed.join(', ') : '0',
    target: '0',
    pass: failed.length === 0,
  });

  if (scale) {
    const per = scale.rows.map((r) => r.atlasCallsPerResource);
    const spread = Math.max(...per) / Math.min(...per) - 1;
    targets.push({
      name: `Atlas calls per resource, ${scale.rows.map((r) => r.resources).join('/')} resources`,
      value: `${per.map((p) => round(p)).join(' / ')} (spread ${pct(spread)})`,
      target: `within ${pct(CALLS_PER_RESOURCE_SPREAD_MAX)}`,
      pass: spread <= CALLS_PER_RESOURCE_SPREAD_MAX,
    });
    const failures = scale.rows.reduce((a, r) => a + r.failures, 0);
    targets.push({ name: 'Scale: failed requests', value: String(failures), target: '0', pass: failures === 0 });
  }

  if (coldStart) {
    const c = coldStart;
    targets.push({
      name: 'Source map carries no sourcesContent',
      value:
        c.asset.sourceMapHasSourcesContent === null
          ? 'no source map shipped'
          : c.asset.sourceMapHasSourcesContent
            ? 'sourcesContent present'
            : 'no sourcesContent',
      target: 'no sourcesContent',
      pass: c.asset.sourceMapHasSourcesContent !== true,
    });
    const allowance = c.baseline.bundleBytes + c.ownCodeBytes;
    targets.push({
      name: 'Bundle size vs naive baseline + own code',
      value: `${kb(c.bundleBytes)} vs ${kb(c.baseline.bundleBytes)} + ${kb(c.ownCodeBytes)} = ${kb(allowance)}`,
      target: '≤ baseline + own code',
      pass: c.bundleBytes <= allowance,
    });
    const loadAllowance = c.baseline.loadOverheadMs + c.ownCodeLoadOverheadMs;
    targets.push({
      name: 'Load overhead vs naive baseline + own code',
      value: `${round(c.loadOverheadMs)} ms vs ${round(c.baseline.loadOverheadMs)} + ${round(c.ownCodeLoadOverheadMs)} = ${round(loadAllowance)} ms`,
      target: '≤ baseline + own code',
      pass: c.loadOverheadMs <= loadAllowance,
    });
    targets.push({
      name: 'ServiceToken function evaluates nothing it does not need',
      value: c.evaluated.onEvent.stepOnly.length ? c.evaluated.onEvent.stepOnly.join(', ') : 'none of the step-only modules',
      target: 'none of: undici, Secrets Manager client, Atlas client, HTTP transport, credentials',
      pass: c.evaluated.onEvent.stepOnly.length === 0,
    });
    const foreign = c.parts.filter((p) => !['own code', 'bundler runtime and module wrappers', ...c.usedPackages].includes(p.part));
    targets.push({
      name: 'Bundle holds no package the handlers do not import (no CDK, AWS SDK or build tool)',
      value: foreign.length ? foreign.map((p) => `${p.part} ${kb(p.bytes)}`).join(', ') : `${c.parts.map((p) => p.part).join(', ')}`,
      target: 'own code and the packages its modules import',
      pass: foreign.length === 0,
    });
  }
  return targets;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

export function kb(bytes: number): string {
  return `${Math.round(bytes / 100) / 10} KB`;
}
