/**
 * The repository's CDK app through the real CDK CLI, exactly as the README says (`npx cdk synth --quiet`,
 * `npx cdk ls`), with no AWS credentials anywhere in reach: a flag in cdk.json that aws-cdk-lib rejects, a
 * stack that needs a lookup, or a deprecation warning fails here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const STACKS = ['AtlasPrivateEndpointProvider', 'AtlasPrivateLinkExample', 'AtlasPrivateEndpointCatalog'];

/** The environment of a machine that has never been given AWS credentials. */
function noCredentials(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CDK_)/.test(k) || k === 'AWS_CA_BUNDLE') env[k] = v;
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // Keep the user's npm cache although HOME moved.
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? home, '.npm'),
  };
}

function npx(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync('npx', args, { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

describe('the CDK app through the CDK CLI, without credentials', () => {
  const home = mkdtempSync(join(tmpdir(), 'cdk-cli-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('npx cdk synth --quiet synthesizes every stack with no lookup and no warning', () => {
    const r = npx(['cdk', 'synth', '--quiet'], noCredentials(home));
    expect(r.error).toBeUndefined();
    expect(`${r.status}\n${r.stderr}`).toBe(`0\n${r.stderr}`);
    expect(r.stderr).not.toMatch(/\[(WARNING|Warning|Error)/);
    expect(r.stderr).not.toMatch(/deprecated|credentials/i);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'cdk.out', 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing).toBeUndefined();
    for (const s of STACKS) expect(existsSync(join(ROOT, 'cdk.out', `${s}.template.json`))).toBe(true);
  }, 300_000);

  it('npx cdk ls lists the stacks', () => {
    const r = npx(['cdk', 'ls'], noCredentials(home));
    expect(`${r.status}\n${r.stderr}`).toBe(`0\n${r.stderr}`);
    expect(r.stdout.trim().split('\n').sort()).toEqual([...STACKS].sort());
  }, 300_000);
});
