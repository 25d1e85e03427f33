/**
 * The README's CDK examples synthesize as written: each ```ts block that builds an App is run with the
 * package name pointed at this checkout, and must produce the resources it promises.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfileBindings, PROFILE_BINDINGS_ENV } from '../lambda/model/profile-bindings';
import { LocalRunner } from '../local/runner/runner';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function blockAfter(heading: string): string {
  const at = README.indexOf(heading);
  if (at < 0) throw new Error(`README has no "${heading}"`);
  const m = /```ts\n([\s\S]*?)```/.exec(README.slice(at));
  if (!m) throw new Error(`no ts block after "${heading}"`);
  return m[1];
}

function synth(code: string): Record<string, { Resources: Record<string, { Type: string }> }> {
  const out = mkdtempSync(join(tmpdir(), 'readme-synth-'));
  // The example lives in the checkout (so its imports resolve) under a name no tool picks up.
  const file = join(ROOT, `.readme-example-${process.pid}.ts`);
  try {
    writeFileSync(file, code.replace(/from 'atlas-private-endpoint-cfn'/g, "from './lib'"));
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, CDK_OUTDIR: out },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`example failed (${r.status}):\n${r.stderr}`);
    const templates: Record<string, { Resources: Record<string, { Type: string }> }> = {};
    for (const f of readdirSync(out).filter((n) => n.endsWith('.template.json')))
      templates[f] = JSON.parse(readFileSync(join(out, f), 'utf8'));
    return templates;
  } finally {
    rmSync(file, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

const types = (t: { Resources: Record<string, { Type: string }> }) => Object.values(t.Resources).map((r) => r.Type);

describe('README examples', () => {
  it('"PrivateLink in one construct" synthesizes: service, interface endpoint, registration', () => {
    const templates = synth(blockAfter('### PrivateLink in one construct'));
    const t = templates['AppNetwork.template.json'];
    expect(t).toBeDefined();
    expect(types(t)).toEqual(
      expect.arrayContaining([
        'Custom::AtlasPrivateEndpointService',
        'AWS::EC2::VPCEndpoint',
        'Custom::AtlasPrivateEndpoint',
        'AWS::StepFunctions::StateMachine',
      ]),
    );
  });

  it('"CDK, one resource at a time" synthesizes', () => {
    const code = blockAfter('### CDK, one resource at a time');
    const templates = synth(code);
    expect(types(templates['Network.template.json'])).toContain('Custom::AtlasPrivateEndpointService');
  });

  it('"Service Catalog" synthesizes one portfolio per team; its provider serves each team\'s launches, for that team\'s projects only', async () => {
    const templates = synth(blockAfter('### Service Catalog'));
    const t = templates['AtlasCatalog.template.json'];
    expect(t).toBeDefined();
    const all = types(t);
    expect(all.filter((x) => x === 'AWS::ServiceCatalog::Portfolio')).toHaveLength(2);
    expect(all.filter((x) => x === 'AWS::ServiceCatalog::CloudFormationProduct')).toHaveLength(4);
    expect(all).toEqual(
      expect.arrayContaining([
        'AWS::ServiceCatalog::LaunchRoleConstraint',
        'AWS::ServiceCatalog::PortfolioPrincipalAssociation',
        'AWS::IAM::Role',
      ]),
    );
    // One request from a launch's stack through the runner, with the provider's bindings as deployed.
    const provider = templates['AtlasPrivateEndpointProvider.template.json'] as unknown as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables: Record<string, string> } } }>;
    };
    const fn = Object.values(provider.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    const bindings = parseProfileBindings(fn.Properties.Environment!.Variables[PROFILE_BINDINGS_ENV]);
    const runner = await LocalRunner.start({ ...(bindings ? { bindings } : {}) });
    try {
      const create = (ProjectId: string) =>
        runner.create(
          { ProjectId, ProviderName: 'AWS', Region: 'us-east-1', Profile: 'team-a' },
          { stackName: 'SC-000000000000-pp-abcdefghijklm' },
        );
      expect((await create('5f1e0a1b2c3d4e5f6a7b8c9d')).create.status).toBe('SUCCESS');
      expect((await create('6a7b8c9d5f1e0a1b2c3d4e5f')).create).toMatchObject({
        status: 'FAILED',
        reason: expect.stringMatching(/may not be used for Atlas project/),
      });
    } finally {
      await runner.stop();
    }
  }, 180_000);
});
