/**
 * The README's CDK examples synthesize as written: each ```ts block that builds an App is run with the
 * package name pointed at this checkout, and must produce the resources it promises.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

  it('"Service Catalog" synthesizes: a portfolio, the two products, the launch role', () => {
    const templates = synth(blockAfter('### Service Catalog'));
    const t = templates['AtlasCatalog.template.json'];
    expect(t).toBeDefined();
    const all = types(t);
    expect(all.filter((x) => x === 'AWS::ServiceCatalog::CloudFormationProduct')).toHaveLength(2);
    expect(all).toEqual(
      expect.arrayContaining([
        'AWS::ServiceCatalog::Portfolio',
        'AWS::ServiceCatalog::LaunchRoleConstraint',
        'AWS::ServiceCatalog::PortfolioPrincipalAssociation',
        'AWS::IAM::Role',
      ]),
    );
  });
});
