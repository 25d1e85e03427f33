/**
 * The benchmark in its quick mode: it still runs end to end and reports what it should. Not a timed test:
 * the figures that depend on the schedule are checked against what the schedules themselves imply.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchJson } from '../../bench/run';

const ROOT = join(__dirname, '..', '..');
let out: string;
let json: BenchJson;
let stderr: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  // As a user runs it: the npm script, with --json, in a process of its own.
  const r = spawnSync('npm', ['run', '--silent', 'bench', '--', '--quick', '--json', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 290_000,
  });
  stderr = r.stderr;
  if (r.status !== 0) throw new Error(`npm run bench failed (${r.status}): ${r.stderr.slice(-3000)}`);
  json = JSON.parse(r.stdout) as BenchJson;
}, 300_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('prints one JSON document of the documented shape', () => {
  expect(Object.keys(json).sort()).toEqual(['coldStart', 'scale', 'targets', 'waitLoop']);
  expect(Object.keys(json.coldStart).sort()).toEqual(['bundleBytes', 'bundleGzipBytes', 'loadOverheadMs']);
  expect(json.coldStart.bundleGzipBytes).toBeGreaterThan(0);
  expect(json.coldStart.bundleGzipBytes).toBeLessThan(json.coldStart.bundleBytes);
  for (const t of json.targets) {
    expect(Object.keys(t).sort()).toEqual(['name', 'pass', 'target', 'value']);
    expect(typeof t.pass).toBe('boolean');
  }
  // Every target is printed with PASS or MISS.
  for (const t of json.targets) expect(stderr).toContain(`${t.pass ? 'PASS' : 'MISS'}  ${t.name}`);
});

it('replays the peers on the same timeline as their schedules imply', () => {
  for (const s of json.waitLoop.scenarios) {
    const by = Object.fromEntries(s.schedules.map((r) => [r.schedule, r]));
    for (const r of s.schedules) expect(r.failures).toBe(0);
    // A fixed 5 s poll sees the change within 5 s, a 20 s callback within 20 s; the offsets make them late.
    expect(by['cdk-provider-framework'].detectionSeconds.worst).toBeLessThanOrEqual(5);
    expect(by['terraform'].detectionSeconds.worst).toBeLessThanOrEqual(5);
    expect(by['mongodb-cfn-registry'].detectionSeconds.worst).toBeLessThanOrEqual(20);
    expect(by['mongodb-cfn-registry'].detectionSeconds.worst).toBeGreaterThan(0);
    expect(by['cdk-provider-framework'].detectionSeconds.worst).toBeGreaterThan(0);
    // 2 minutes at one poll per 5 s: about 24 polls, two invocations and one transition each for the CDK framework.
    const cdk = by['cdk-provider-framework'];
    expect(cdk.atlasCalls.median).toBeGreaterThanOrEqual(24);
    expect(cdk.lambdaInvocations.median).toBeGreaterThanOrEqual(2 * 24);
    expect(cdk.stateTransitions.median).toBeGreaterThanOrEqual(24);
    expect(by['terraform'].lambdaInvocations.median).toBe(0);
    // This project's loop runs through the real state machine: Lambda steps and state transitions happen.
    expect(by['this-project'].lambdaInvocations.median).toBeGreaterThanOrEqual(3);
    expect(by['this-project'].stateTransitions.median).toBeGreaterThan(by['this-project'].lambdaInvocations.median);
    expect(by['this-project'].costUsd.median).toBeGreaterThan(0);
  }
});

it('creates and deletes concurrently without failures, and writes the results and chart', () => {
  expect(json.scale.rows.map((r) => r.resources)).toEqual([1, 3]);
  for (const r of json.scale.rows) {
    expect(r.failures).toBe(0);
    expect(r.atlasCallsPerResource).toBeGreaterThan(2);
  }
  const results = readFileSync(join(out, 'RESULTS.md'), 'utf8');
  expect(results).toContain('| target | measured | required |');
  for (const t of json.targets) expect(results).toContain(t.name);
  const svg = readFileSync(join(out, 'wait-loop.svg'), 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('CDK provider framework');
});
