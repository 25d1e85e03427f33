/** Build: how long `cdk synth` of the app takes, run as a user runs it (the CDK CLI reading cdk.json). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats';

const ROOT = join(__dirname, '..');

export function benchSynth(runs = 1): { seconds: number[]; medianSeconds: number } {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    try {
      const start = process.hrtime.bigint();
      const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--output', out], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      });
      seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (r.status !== 0) throw new Error(`cdk synth failed (status ${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { seconds, medianSeconds: median(seconds) };
}
