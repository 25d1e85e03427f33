/**
 * The README's shell commands, run as a reader pastes them. AWS is out of reach, so `aws` is a stand-in on
 * PATH that records each call (and the files it is pointed at) for the test to check against the templates
 * and names the commands must match.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
const README = () => readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text from a heading to the next heading of the same or a higher level (a `#` inside a code block is no heading). */
export function readmeSection(heading: string): string {
  const lines = README().split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  let fenced = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].startsWith('```')) fenced = !fenced;
    const m = /^(#+) /.exec(lines[i]);
    if (!fenced && m && m[1].length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The ```sh blocks of a section. */
export function shBlocks(section: string): string[] {
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

export interface AwsCall {
  args: string[];
  cwd: string;
  /** Contents of `file://` arguments at the time of the call. */
  files: Record<string, string>;
}

/** A stand-in `aws` that records its calls. */
export function awsStub(): { env: Record<string, string>; calls: () => AwsCall[] } {
  const dir = mkdtempSync(join(tmpdir(), 'aws-stub-'));
  const log = join(dir, 'calls.jsonl');
  const script = join(dir, 'aws');
  writeFileSync(
    script,
    `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const files = {};
for (const a of args) if (a.startsWith('file://')) files[a] = fs.readFileSync(a.slice(7), 'utf8');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, cwd: process.cwd(), files }) + '\\n');
`,
  );
  chmodSync(script, 0o755);
  return {
    env: { PATH: `${dir}:${process.env.PATH}` },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as AwsCall)
        : [],
  };
}

/**
 * Runs a block with bash, stopping at the first failing command. With `terminal`, in a pseudo-terminal with
 * job control, as the interactive shell a reader pastes into (`kill %1` then stops the whole background
 * job); stdout and stderr then come mixed, as on a screen.
 */
export function runBlock(block: string, options: { cwd: string; env: Record<string, string>; timeoutMs?: number; terminal?: boolean }) {
  const env = { ...process.env, ...options.env };
  const timeout = options.timeoutMs ?? 120_000;
  if (!options.terminal) {
    const r = spawnSync('bash', ['-e', '-c', block], { cwd: options.cwd, env, encoding: 'utf8', timeout });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const file = join(mkdtempSync(join(tmpdir(), 'readme-block-')), 'block.sh');
  writeFileSync(file, block);
  const r = spawnSync('script', ['-qec', `bash -m -e ${file}`, '/dev/null'], { cwd: options.cwd, env, encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout.replace(/\r\n/g, '\n'), stderr: r.stderr };
}

/** `--flag value` pairs and `Key=Value` lists of an AWS CLI call. */
export function option(call: AwsCall, flag: string): string[] {
  const i = call.args.indexOf(flag);
  if (i < 0) return [];
  const values: string[] = [];
  for (let j = i + 1; j < call.args.length && !call.args[j].startsWith('--'); j++) values.push(call.args[j]);
  return values;
}
