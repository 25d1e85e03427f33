/**
 * Every README example deploys a provider that serves the stacks the example then creates: the provider is
 * made as the README says (`npm run package -- --profiles …` pasted as written, the CDK app with the README's
 * `-c` context), its profile bindings are read from the functions' environment in the synthesized template,
 * and one request from each example's stack goes through the local runner with those bindings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addStacks, EXAMPLE_STACK } from '../bin/stacks';
import { parseProfileBindings, PROFILE_BINDINGS_ENV, type ProfileBindings } from '../lambda/model/profile-bindings';
import { DEFAULT_PROJECT_ID } from '../local/atlas-emulator';
import { LocalRunner } from '../local/runner/runner';
import { evaluate, evaluateConditions, parseTemplate } from './support/cfn-template';
import { readmeSection, ROOT, shBlocks } from './support/readme';

type Template = {
  Parameters?: Record<string, { Type: string; Default?: string | number }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

/** The bindings the deployed functions get (with the template's parameters at their defaults); all three functions must carry the same. */
function bindingsOf(template: Template): ProfileBindings | undefined {
  const parameters = Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([k, p]) => [
      k,
      p.Type === 'CommaDelimitedList' ? String(p.Default ?? '').split(',') : String(p.Default ?? ''),
    ]),
  );
  const base = { parameters, pseudo: {}, ref: (id: string) => id, attribute: (id: string) => id };
  const ctx = { ...base, conditions: evaluateConditions(template.Conditions ?? {}, base) };
  const values = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => evaluate((r.Properties.Environment as { Variables: Record<string, unknown> }).Variables[PROFILE_BINDINGS_ENV], ctx));
  expect(values).toHaveLength(3);
  for (const v of values) expect(v).toEqual(values[0]);
  expect(typeof values[0]).toBe('string');
  return parseProfileBindings(values[0] as string);
}

/** One Create of an endpoint service from `stackName` with `profile`, through the runner with the provider's bindings. */
async function createFrom(bindings: ProfileBindings | undefined, stackName: string, profile: string) {
  const runner = await LocalRunner.start({ ...(bindings ? { bindings } : {}) });
  try {
    const { create } = await runner.create(
      { ProjectId: DEFAULT_PROJECT_ID, ProviderName: 'AWS', Region: 'us-east-1', Profile: profile },
      { stackName },
    );
    return { status: create.status, reason: create.reason };
  } finally {
    await runner.stop();
  }
}

describe('README examples deploy a provider that serves the stacks they create', () => {
  it('`npm run package -- --profiles …` as written: the plain CloudFormation examples are served with each profile', async () => {
    const deploy = readmeSection('## 2. Deploy the provider');
    const command = /`(npm run package -- --profiles\s+[A-Za-z0-9_,+=.@-]+)`/.exec(deploy.replace(/\n/g, ' '))?.[1];
    expect(command).toBeDefined();
    const profiles = command!.split('--profiles')[1].trim().split(',');
    expect(profiles.length).toBeGreaterThan(1);
    const out = mkdtempSync(join(tmpdir(), 'readme-package-'));
    try {
      // The command as written, writing where this test alone reads (other tests use build/cloudformation).
      const r = spawnSync('bash', ['-e', '-c', `${command!.replace(/^npm run/, 'npm run --silent')} --out "${out}"`], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', CDK_DEFAULT_REGION: '', CDK_DEFAULT_ACCOUNT: '' },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const bindings = bindingsOf(JSON.parse(readFileSync(join(out, 'atlas-private-endpoint-provider.template.json'), 'utf8')));
      const stacks = shBlocks(readmeSection('### Plain CloudFormation'))
        .join('\n')
        .split('\n')
        .map((l) => /aws cloudformation deploy --stack-name (\S+) --template-file (examples\/\S+)/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null);
      expect(stacks.length).toBe(2);
      for (const [, stackName, file] of stacks) {
        const template = parseTemplate(readFileSync(join(ROOT, file), 'utf8')) as unknown as {
          Parameters: Record<string, { Default?: string }>;
        };
        for (const profile of [template.Parameters.Profile.Default!, ...profiles]) {
          expect({ stackName, profile, ...(await createFrom(bindings, stackName, profile)) }).toEqual({
            stackName,
            profile,
            status: 'SUCCESS',
          });
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);

  it.each([['default'], ['prod']])('the CDK app with -c profile=%s: the example stack is served', async (profile) => {
    const deploy = shBlocks(readmeSection('### Deploying with the CDK from this repository')).join('\n');
    expect(deploy).toMatch(new RegExp(`npx cdk deploy ${EXAMPLE_STACK} -c projectId=\\S+ -c profile=`));
    const app = new App({ context: { projectId: DEFAULT_PROJECT_ID, profile } });
    const { provider } = addStacks(app);
    const template = app.synth().getStackByName(provider.stackName).template as Template;
    expect(await createFrom(bindingsOf(template), EXAMPLE_STACK, profile)).toEqual({ status: 'SUCCESS' });
  });

  it('a Service Catalog launch (a stack named SC-…) is served by the provider stack as the README deploys it', async () => {
    const app = new App();
    const { provider } = addStacks(app);
    const template = app.synth().getStackByName(provider.stackName).template as Template;
    expect(await createFrom(bindingsOf(template), 'SC-123456789012-pp-abcdefghijklm', 'default')).toEqual({ status: 'SUCCESS' });
  });
});

describe('README "Who can do what"', () => {
  it('has a line for the deployer, the stack author, the Service Catalog end user and anyone who may invoke the functions, each naming tests that exist', () => {
    const rows = readmeSection('### Who can do what')
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| who') && !l.startsWith('| ---'));
    const who = rows.map((r) => r.split(' | ')[0].slice(2));
    for (const role of ['Deployer', 'Stack author', 'Service Catalog end user', 'lambda:InvokeFunction'])
      expect(who.some((w) => w.includes(role))).toBe(true);
    for (const row of rows) {
      const cells = row.split(' | ');
      const tests = cells[cells.length - 1];
      const files = [...tests.matchAll(/`(test\/[^`]+\.test\.ts)`(?: \(([^)]*)\))?/g)];
      expect({ row: cells[0], files: files.length > 0 }).toEqual({ row: cells[0], files: true });
      for (const [, file, names] of files) {
        expect(existsSync(join(ROOT, file))).toBe(true);
        const text = readFileSync(join(ROOT, file), 'utf8');
        for (const [, name] of [...(names ?? '').matchAll(/"([^"]+)"/g)])
          expect({ file, name, found: text.includes(name) }).toEqual({ file, name, found: true });
      }
    }
  });
});
