/**
 * `npm run package` as a plain-CloudFormation user runs it: the provider template and its code package,
 * deployable to any region and partition without a CDK bootstrap.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { parseProfileBindings, PROFILE_BINDINGS_ENV } from '../../lambda/model/profile-bindings';
import { synthesizeProvider } from '../../local/runner/definition';
import { evaluate, evaluateConditions } from '../support/cfn-template';
import { awsStub, option, readmeSection, runBlock, shBlocks } from '../support/readme';

const ROOT = join(__dirname, '..', '..');

describe('npm run package', () => {
  // Where the README's commands expect it.
  const out = join(ROOT, 'build', 'cloudformation');
  let run: { status: number | null; stdout: string; stderr: string };
  let template: {
    Parameters: Record<string, { Type: string; Default?: string }>;
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: unknown; Condition?: string }>;
    Outputs: Record<string, { Export?: { Name: unknown } }>;
    Rules?: unknown;
    Conditions?: Record<string, unknown>;
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

  it('takes the code location as CodeBucket and CodeKey (defaulting to the zip written beside it), and what a second provider needs to differ in', () => {
    expect(Object.keys(template.Parameters).sort()).toEqual([
      'CodeBucket',
      'CodeKey',
      'CredentialsSecretArns',
      'ExportName',
      'NamePrefix',
      'ProfileBindings',
      'ReservedConcurrency',
      'ServiceTokenParameterName',
    ]);
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
    // Beside them, only the policy for secrets given by ARN at deploy time.
    expect(shape(template)).toEqual([...shape(cdk), 'CredentialsSecretArnsPolicy AWS::IAM::Policy'].sort());
    expect(template.Outputs.ServiceToken.Export).toEqual({ Name: { Ref: 'ExportName' } });
    expect(template.Parameters.ExportName.Default).toBe('AtlasPrivateEndpointServiceToken');
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

  const render = (stackName: string, given: Record<string, string | string[]>) => {
    const parameters: Record<string, string | string[]> = { CodeBucket: 'artifacts' };
    for (const [name, p] of Object.entries(template.Parameters))
      if (p.Default !== undefined) parameters[name] = p.Type === 'CommaDelimitedList' ? p.Default.split(',') : p.Default;
    Object.assign(parameters, given);
    const base = {
      parameters,
      pseudo: {
        'AWS::Region': 'eu-west-1',
        'AWS::AccountId': '123456789012',
        'AWS::Partition': 'aws',
        'AWS::StackName': stackName,
        'AWS::URLSuffix': 'amazonaws.com',
      },
      ref: (id: string) => `${stackName}-${id}`,
      attribute: (id: string, a: string) => `${stackName}-${id}-${a}`,
    };
    const conditions = evaluateConditions(template.Conditions ?? {}, base);
    const ctx = { ...base, conditions };
    const resources = Object.entries(template.Resources)
      .filter(([, r]) => !r.Condition || conditions[r.Condition])
      .map(([id, r]) => ({ id, type: r.Type, props: evaluate(r.Properties, ctx) as Record<string, unknown> }));
    const outputs = evaluate(template.Outputs, ctx) as Record<string, { Export?: { Name: string } }>;
    return { resources, outputs };
  };

  it('deploys twice side by side in one account and region: two parameter sets, nothing that must be unique collides', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team-b-atlas-AbCdEf';
    const teamB = {
      NamePrefix: 'TeamB',
      ExportName: 'TeamBAtlasPrivateEndpointServiceToken',
      ServiceTokenParameterName: '/atlas/team-b/service-token',
      ReservedConcurrency: '0',
      CredentialsSecretArns: [arn],
      ProfileBindings: JSON.stringify([{ secret: arn, stacks: ['team-b-*', 'SC-*'], projects: ['5f1e0a1b2c3d4e5f6a7b8c9d'] }]),
    };
    const a = render('AtlasPrivateEndpointProvider', {});
    const b = render('AtlasPrivateEndpointProviderTeamB', teamB);
    // Names unique in an account and region: given explicitly, or made by CloudFormation from the stack name.
    const unique = (r: ReturnType<typeof render>) => [
      ...r.resources.flatMap(({ type, props }) =>
        ['StateMachineName', 'FunctionName', 'RoleName', 'LogGroupName', 'AliasName', 'PolicyName', 'Name']
          .filter((k) => typeof props[k] === 'string' && !(type === 'AWS::IAM::Policy' && k === 'PolicyName'))
          .map((k) => `${type} ${k} ${String(props[k])}`),
      ),
      ...Object.values(r.outputs).flatMap((o) => (o.Export ? [`Export ${o.Export.Name}`] : [])),
    ];
    const namesA = unique(a);
    const namesB = unique(b);
    expect(namesA.filter((n) => namesB.includes(n))).toEqual([]);
    expect(namesB).toEqual(
      expect.arrayContaining([
        'AWS::StepFunctions::StateMachine StateMachineName TeamB-wait-loop',
        'AWS::SSM::Parameter Name /atlas/team-b/service-token',
        'Export TeamBAtlasPrivateEndpointServiceToken',
      ]),
    );
    const onEvent = (r: ReturnType<typeof render>) =>
      r.resources.find((x) => x.type === 'AWS::Lambda::Function' && x.props.Handler === 'index.onEvent')!.props;
    expect(String(onEvent(a).ReservedConcurrentExecutions)).toBe('10');
    expect(onEvent(b).ReservedConcurrentExecutions).toBeUndefined();
    // The bindings every function reads, through the Lambda's own parser: the packaged profiles serve every stack by default.
    const bindingsOf = (r: ReturnType<typeof render>) => {
      const values = r.resources
        .filter((x) => x.type === 'AWS::Lambda::Function')
        .map((x) => (x.props.Environment as { Variables: Record<string, string> }).Variables[PROFILE_BINDINGS_ENV]);
      expect(new Set(values).size).toBe(1);
      return parseProfileBindings(values[0]);
    };
    expect(bindingsOf(a)).toEqual({ 'cfn/atlas/profile/default': { stacks: ['*'] } });
    expect(bindingsOf(b)).toEqual({ [arn]: { stacks: ['team-b-*', 'SC-*'], projects: ['5f1e0a1b2c3d4e5f6a7b8c9d'] } });
    expect(bindingsOf(render('WithArn', { CredentialsSecretArns: [arn] }))).toEqual({
      'cfn/atlas/profile/default': { stacks: ['*'] },
      [arn]: { stacks: ['*'] },
    });
    // The step function may read the secret given by ARN only in the provider it was given to.
    const arnPolicy = (r: ReturnType<typeof render>) => r.resources.filter((x) => x.id === 'CredentialsSecretArnsPolicy');
    expect(arnPolicy(a)).toEqual([]);
    expect(arnPolicy(b)[0].props.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [arn] }],
    });
  });

  it("the README's second provider, deployed as written beside the first: its own names, its secret, its stacks and project only", () => {
    // The block that deploys team B's provider, wherever the section puts it.
    const block = shBlocks(readmeSection('### Plain CloudFormation')).find((b) => b.includes('TEAM_B_SECRET_ARN'));
    if (!block) throw new Error("the README's Plain CloudFormation section no longer deploys a second provider (TEAM_B_SECRET_ARN)");
    const aws = awsStub();
    const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team-b-atlas-AbCdEf';
    const r = runBlock(block, {
      cwd: ROOT,
      env: { ...aws.env, CODE_BUCKET: 'my-artifacts', TEAM_B_SECRET_ARN: secret, TEAM_B_PROJECT_ID: '5f1e0a1b2c3d4e5f6a7b8c9d' },
    });
    expect(r.status).toBe(0);
    const [deploy] = aws.calls();
    expect(JSON.parse(readFileSync(join(ROOT, option(deploy, '--template-file')[0]), 'utf8'))).toEqual(template);
    const given = Object.fromEntries(
      option(deploy, '--parameter-overrides').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    for (const name of Object.keys(given)) expect(Object.keys(template.Parameters)).toContain(name);
    const b = render(option(deploy, '--stack-name')[0], { ...given, CredentialsSecretArns: given.CredentialsSecretArns.split(',') });
    const first = render('AtlasPrivateEndpointProvider', {});
    const names = (x: ReturnType<typeof render>) => [
      ...x.resources.flatMap(({ props }) =>
        ['StateMachineName', 'Name'].filter((k) => typeof props[k] === 'string').map((k) => String(props[k])),
      ),
      ...Object.values(x.outputs).flatMap((o) => (o.Export ? [o.Export.Name] : [])),
    ];
    expect(names(b).filter((n) => names(first).includes(n))).toEqual([]);
    const fn = b.resources.find((x) => x.type === 'AWS::Lambda::Function')!;
    expect(parseProfileBindings((fn.props.Environment as { Variables: Record<string, string> }).Variables[PROFILE_BINDINGS_ENV])).toEqual({
      [secret]: { stacks: ['team-b-*'], projects: ['5f1e0a1b2c3d4e5f6a7b8c9d'] },
    });
  });
});
