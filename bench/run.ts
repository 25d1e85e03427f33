/**
 * `npm run bench`: the wait loop beside its peers, cold start, scale under Atlas's rate limit, and synth
 * time; prints every target with its measured value and PASS/MISS, and writes bench/RESULTS.md and
 * bench/wait-loop.svg.
 *
 *   npm run bench                 full run, tables on stdout, RESULTS.md and the chart in build/bench/
 *   npm run bench -- --write-results   the same, rewriting the committed bench/RESULTS.md and chart
 *   npm run bench -- --json       the same, with one JSON document on stdout (progress on stderr)
 *   npm run bench -- --quick      seconds instead of minutes: fewer offsets, durations, runs; writes nothing
 *                                 unless --out DIR is given
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchColdStart, type ColdStartResult } from './cold-start';
import { type BenchRun, renderChart, renderResults } from './report';
import { benchScale, type ScaleResult, STRESS_RATE_LIMIT } from './scale';
import { benchSynth } from './synth';
import { evaluateTargets, type Target } from './targets';
import { benchWaitLoop, SCENARIOS, type ScenarioResult } from './wait-loop';
import { round } from './stats';

export interface BenchOptions {
  quick?: boolean;
  /** Where RESULTS.md and wait-loop.svg go (default: build/bench/ for a full run, nowhere for a quick one). */
  out?: string;
  progress?: (line: string) => void;
}

/** The JSON document `--json` prints: the shape. */
export interface BenchJson {
  waitLoop: { offsets: number; scenarios: ScenarioResult[] };
  coldStart: { bundleBytes: number; bundleGzipBytes: number; loadOverheadMs: number };
  scale: ScaleResult;
  targets: Target[];
}

export async function runBench(options: BenchOptions = {}): Promise<{ run: BenchRun; json: BenchJson }> {
  const started = Date.now();
  const report = options.progress ?? (() => undefined);
  let phaseStart = Date.now();
  const progress = (line: string) => {
    report(
      `${line} (${round((Date.now() - started) / 1000, 0)} s into the run; previous phase ${round((Date.now() - phaseStart) / 1000, 0)} s)`,
    );
    phaseStart = Date.now();
  };
  const quick = options.quick === true;
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    os: `${platform()} ${release()}`,
    loadAverage: loadavg(),
  };
  void freemem;

  const offsets = quick ? 3 : 12;
  progress(`wait loop: ${quick ? 'quick' : 'full'} (${offsets} offsets per scenario)`);
  const waitLoop = await benchWaitLoop({
    offsets,
    scenarios: quick ? SCENARIOS.filter((s) => s.id === 'create-2min' || s.id === 'delete-2min') : SCENARIOS,
  });
  progress('cold start');
  const coldStart: ColdStartResult = await benchColdStart({ runs: quick ? 3 : 20 });
  progress('scale');
  const scale = await benchScale({ sizes: quick ? [1, 3] : [1, 10, 100] });
  progress('scale under a tight rate limit');
  const stress = await benchScale({ sizes: quick ? [3] : [10, 100], rateLimit: STRESS_RATE_LIMIT });
  scale.stress = { rateLimit: stress.rateLimit, rows: stress.rows };
  let synth: BenchRun['synth'];
  if (!quick) {
    progress('cdk synth');
    synth = benchSynth(1);
  }
  progress('done');
  const targets = evaluateTargets(waitLoop, coldStart, scale);
  const run: BenchRun = {
    machine,
    durationSeconds: (Date.now() - started) / 1000,
    quick,
    waitLoop,
    offsets,
    coldStart,
    scale,
    ...(synth ? { synth } : {}),
    targets,
  };
  const out = options.out ?? (quick ? undefined : BUILD_RESULTS);
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'RESULTS.md'), renderResults(run));
    writeFileSync(join(out, 'wait-loop.svg'), renderChart(waitLoop));
  }
  const json: BenchJson = {
    waitLoop: { offsets, scenarios: waitLoop },
    coldStart: {
      bundleBytes: coldStart.bundleBytes,
      bundleGzipBytes: coldStart.bundleGzipBytes,
      loadOverheadMs: round(coldStart.loadOverheadMs, 1),
    },
    scale,
    targets,
  };
  return { run, json };
}

export function formatTargets(targets: Target[]): string {
  const width = Math.max(...targets.map((t) => t.name.length));
  return targets.map((t) => `${t.pass ? 'PASS' : 'MISS'}  ${t.name.padEnd(width)}  ${t.value}  (target ${t.target})`).join('\n');
}

/** The committed results (README's "Performance" links them): rewritten only when asked. */
export const COMMITTED_RESULTS = __dirname;
/** Where a run's results go unless asked otherwise: a build folder git ignores. */
export const BUILD_RESULTS = join(__dirname, '..', 'build', 'bench');

/** Where a run writes RESULTS.md and the chart: `--out DIR`, `--write-results` (the committed files), else the default. */
export function resultsFolder(argv: string[]): string | undefined {
  const outIndex = argv.indexOf('--out');
  if (outIndex >= 0) return argv[outIndex + 1];
  return argv.includes('--write-results') ? COMMITTED_RESULTS : undefined;
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const out = resultsFolder(argv);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const result = await runBench({ quick, ...(out ? { out } : {}), progress: log });
  if (json) {
    process.stdout.write(`${JSON.stringify(result.json)}\n`);
    log(formatTargets(result.json.targets));
  } else {
    process.stdout.write(`${renderResults(result.run)}\n\n${formatTargets(result.json.targets)}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Undici keeps sockets and timers a moment after the clients close; the run is over.
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
