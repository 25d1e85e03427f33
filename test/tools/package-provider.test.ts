/**
 * `npm run package` as a plain-CloudFormation user runs it: the provider template and its code package,
 * deployable to any region and partition without a CDK bootstrap.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { synthesizeProvider } from '../../local/runner/definition';
import { awsStub, option, readmeSection, runBlock, shBlocks } from '../support/readme';

const ROOT = join(__dirname, '..', '..');

describe('npm run package', () => {
  // Where the README's commands expect it.
  const out = join(ROOT, 'build', 'cloudformation');
  let run: { status: number | null; stdout: string; stderr: string };
  let template: {
    Parameters: Record<string, { Type: string; Default?: string }>;
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: unknown }>;
    Outputs: Record<string, { Export?: { Name: string } }>;
    Rules?: unknown;
    Conditions?: unknown;
  };
  let text: string;
  let zips: string[];

  beforeAll(() => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['run', '--silent', 'package'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CDK_DEFAULT_REGION: '', CDK_DEFAULT_ACCOUNT: '' },
    });
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    text = readFileSync(join(out, 'atlas-private-endpoint-provider.template.json'), 'utf8');
    template = JSON.parse(text);
    zips = readdirSync(out).filter((f) => f.endsWith('.zip'));
  }, 300_000);

  it('writes the template and one zip, and names both', () => {
    expect(run.status).toBe(0);
    expect(zips).toHaveLength(1);
    expect(run.stdout).toContain('atlas-private-endpoint-provider.template.json');
    expect(run.stdout).toContain(zips[0]);
  });

  it('takes the code location as CodeBucket and CodeKey (defaulting to the zip written beside it), and nothing else', () => {
    expect(Object.keys(template.Parameters).sort()).toEqual(['CodeBucket', 'CodeKey']);
    expect(template.Parameters.CodeKey.Default).toBe(zips[0]);
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3); // ServiceToken, steps, failure destination
    for (const f of functions) expect(f.Properties.Code).toEqual({ S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: 'CodeKey' } });
  });

  it('holds no region, partition, account or bootstrap reference', () => {
    expect(text).not.toMatch(/\b[a-z]{2}(-gov)?-[a-z]+-\d\b/);
    expect(text).not.toMatch(/arn:aws/);
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).not.toMatch(/BootstrapVersion|cdk-bootstrap|hnb659fds|AssetParameters|aws:cdk:path|aws:asset/);
    expect(template.Rules).toBeUndefined();
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CDK::Metadata')).toEqual([]);
    // ARNs it builds name the partition, region and account of wherever it is deployed.
    expect(text).toContain('"Ref": "AWS::Partition"');
  });

  it("is the provider stack, not a copy: the same resources as CDK's synthesis, and the export of the ServiceToken", () => {
    const cdk = synthesizeProvider().template;
    const shape = (t: { Resources: Record<string, { Type: string }> }) =>
      Object.entries(t.Resources)
        .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
        .map(([k, r]) => `${k} ${r.Type}`)
        .sort();
    expect(shape(template)).toEqual(shape(cdk));
    expect(template.Outputs.ServiceToken.Export).toEqual({ Name: 'AtlasPrivateEndpointServiceToken' });
  });

  it("zips the Lambda handler: both entry points load from the package's index.js", () => {
    const files = unzipSync(readFileSync(join(out, zips[0])));
    expect(Object.keys(files)).toContain('index.js');
    // Inside the repository, so that the AWS SDK (in the Lambda runtime, not the bundle) resolves as it would there.
    const dir = join(ROOT, 'build', `unzipped-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
      const r = spawnSync(
        process.execPath,
        ['-e', `const m = require(${JSON.stringify(join(dir, 'index.js'))}); console.log(typeof m.onEvent, typeof m.onStep)`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.stdout.trim()).toBe('function function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("then the README's two AWS CLI commands upload that zip under its CodeKey and deploy that template", () => {
    const blocks = shBlocks(readmeSection('## 2. Deploy the provider'));
    expect(blocks).toHaveLength(1);
    const aws = awsStub();
    const r = runBlock(blocks[0], { cwd: ROOT, env: { ...aws.env, CODE_BUCKET: 'my-artifacts' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [cp, deploy, ...more] = aws.calls();
    expect(more).toEqual([]);
    // `aws s3 cp DIR/ s3://BUCKET/ --recursive --exclude '*' --include '*.zip'` puts each zip of DIR at the bucket's root.
    expect(cp.args).toEqual([
      's3',
      'cp',
      'build/cloudformation/',
      's3://my-artifacts/',
      '--recursive',
      '--exclude',
      '*',
      '--include',
      '*.zip',
    ]);
    expect(readdirSync(join(ROOT, cp.args[2])).filter((f) => f.endsWith('.zip'))).toEqual([template.Parameters.CodeKey.Default]);
    expect(deploy.args.slice(0, 2)).toEqual(['cloudformation', 'deploy']);
    const templateFile = option(deploy, '--template-file')[0];
    expect(existsSync(join(ROOT, templateFile))).toBe(true);
    expect(JSON.parse(readFileSync(join(ROOT, templateFile), 'utf8'))).toEqual(template);
    const overrides = Object.fromEntries(option(deploy, '--parameter-overrides').map((kv) => kv.split('=') as [string, string]));
    expect(overrides).toEqual({ CodeBucket: 'my-artifacts' });
    for (const [name, p] of Object.entries(template.Parameters))
      if (p.Default === undefined) expect(Object.keys(overrides)).toContain(name);
    // Roles without fixed names: CAPABILITY_IAM is enough.
    expect(option(deploy, '--capabilities')).toEqual(['CAPABILITY_IAM']);
    for (const role of Object.values(template.Resources).filter((x) => x.Type === 'AWS::IAM::Role'))
      expect(role.Properties.RoleName).toBeUndefined();
    expect(option(deploy, '--stack-name')).toEqual(['AtlasPrivateEndpointProvider']);
  });
});
