/**
 * The README's shell commands, pasted as written: each block runs in bash with the variables its text says
 * to set. `aws` is a stand-in that records the calls, checked against the templates, products and names they
 * must match; the rest (npm, curl, printf) runs for real against the emulator.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseCredentialsSecret } from '../lambda/credentials/secret-format';
import { DEFAULT_PROFILE, PROFILE_SECRET_PREFIX } from '../lambda/model/credentials-secret';
import { App, Stack } from 'aws-cdk-lib';
import { AtlasPrivateEndpointCatalog } from '../lib';
import { type CfnTemplate, parseTemplate } from './support/cfn-template';
import { awsStub, option, readmeSection, ROOT, runBlock, shBlocks } from './support/readme';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const overridesOf = (args: string[]) => Object.fromEntries(args.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

describe('README commands, pasted as written', () => {
  it('"Store the Atlas credentials": either file is in a shape the provider reads, and the secret is the default profile\'s', () => {
    const [block] = shBlocks(readmeSection('## 1. Store the Atlas credentials'));
    const lines = block.split('\n');
    const printfs = lines.filter((l) => l.startsWith('printf '));
    expect(printfs).toHaveLength(2);
    const rest = lines.filter((l) => !l.startsWith('printf ')).join('\n');
    const env = {
      MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_0123',
      MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_abc',
      MONGODB_ATLAS_PUBLIC_API_KEY: 'pub',
      MONGODB_ATLAS_PRIVATE_API_KEY: 'priv',
    };
    const expected = [
      { kind: 'service-account', clientId: 'mdb_sa_id_0123', clientSecret: 'mdb_sa_sk_abc' },
      { kind: 'api-key', publicKey: 'pub', privateKey: 'priv' },
    ];
    for (const [i, printf] of printfs.entries()) {
      // One shape, then the rest of the block, as a reader with that kind of credentials runs it.
      const dir = mkdtempSync(join(tmpdir(), 'readme-secret-'));
      const aws = awsStub();
      try {
        const r = runBlock(`${printf}\n${rest}`, { cwd: dir, env: { ...env, ...aws.env } });
        expect(r.status).toBe(0);
        const calls = aws.calls();
        expect(calls).toHaveLength(1);
        expect(calls[0].args).toEqual([
          'secretsmanager',
          'create-secret',
          '--name',
          `${PROFILE_SECRET_PREFIX}${DEFAULT_PROFILE}`,
          '--secret-string',
          'file://atlas-credentials.json',
        ]);
        expect(parseCredentialsSecret('file', calls[0].files['file://atlas-credentials.json']).credentials).toEqual(expected[i]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('"Plain CloudFormation": each deploy names an example template and gives every parameter it needs, by its name', () => {
    const [block] = shBlocks(readmeSection('### Plain CloudFormation'));
    const aws = awsStub();
    const env = {
      ...aws.env,
      MONGODB_ATLAS_PROJECT_ID: PROJECT,
      VPC_ID: 'vpc-0123456789abcdef0',
      SUBNET_IDS: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
      CLIENT_CIDR: '10.0.0.0/16',
    };
    expect(runBlock(block, { cwd: ROOT, env }).status).toBe(0);
    const calls = aws.calls();
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.args.slice(0, 2)).toEqual(['cloudformation', 'deploy']);
      const template = parseTemplate(readFileSync(join(ROOT, option(call, '--template-file')[0]), 'utf8'));
      const given = overridesOf(option(call, '--parameter-overrides'));
      for (const name of Object.keys(given)) expect(Object.keys(template.Parameters ?? {})).toContain(name);
      for (const [name, p] of Object.entries(template.Parameters ?? {})) if (p.Default === undefined) expect(given[name]).toBeTruthy();
      expect(given.ProjectId).toBe(PROJECT);
    }
    expect(overridesOf(option(calls[1], '--parameter-overrides')).SubnetIds).toBe(env.SUBNET_IDS);
  });

  it('"Plain CloudFormation": the Azure and GCP registrations give every parameter their templates need, by its name', () => {
    const blocks = shBlocks(readmeSection('### Plain CloudFormation'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const aws = awsStub();
    const env = {
      ...aws.env,
      MONGODB_ATLAS_PROJECT_ID: PROJECT,
      ENDPOINT_SERVICE_ID: '64a1b2c3d4e5f6a7b8c9d0e1',
      AZURE_PRIVATE_ENDPOINT_ID:
        '/subscriptions/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/resourceGroups/app-rg/providers/Microsoft.Network/privateEndpoints/atlas-pe',
      AZURE_PRIVATE_ENDPOINT_IP: '10.0.1.4',
      GCP_PROJECT_ID: 'my-gcp-project',
      FORWARDING_RULE: 'atlas-psc',
      FORWARDING_RULE_IP: '10.128.0.20',
    };
    expect(runBlock(blocks[1], { cwd: ROOT, env }).status).toBe(0);
    const calls = aws.calls();
    expect(calls.map((c) => option(c, '--template-file')[0])).toEqual([
      'examples/cloudformation/azure-private-endpoint.yaml',
      'examples/cloudformation/gcp-endpoint-group.yaml',
    ]);
    for (const call of calls) {
      const template = parseTemplate(readFileSync(join(ROOT, option(call, '--template-file')[0]), 'utf8'));
      const given = overridesOf(option(call, '--parameter-overrides'));
      for (const name of Object.keys(given)) expect(Object.keys(template.Parameters ?? {})).toContain(name);
      for (const [name, p] of Object.entries(template.Parameters ?? {})) if (p.Default === undefined) expect(given[name]).toBeTruthy();
      expect(given.EndpointServiceId).toBe(env.ENDPOINT_SERVICE_ID);
    }
    expect(overridesOf(option(calls[0], '--parameter-overrides')).PrivateEndpointResourceId).toBe(env.AZURE_PRIVATE_ENDPOINT_ID);
  });

  it('"Service Catalog": the grant names the portfolio and principal; each launch names a product, its version and its parameters', () => {
    const blocks = shBlocks(readmeSection('### Service Catalog'));
    const aws = awsStub();
    const env = {
      ...aws.env,
      MONGODB_ATLAS_PROJECT_ID: PROJECT,
      PORTFOLIO_ID: 'port-abcdefghijklm',
      PRINCIPAL_ARN: 'arn:aws:iam::123456789012:role/developers',
      VPC_ID: 'vpc-0123456789abcdef0',
      SUBNET_IDS: 'subnet-0123456789abcdef0\\,subnet-0123456789abcdef1',
      CLIENT_CIDR: '10.0.0.0/16',
    };
    for (const block of blocks) expect(runBlock(block, { cwd: ROOT, env }).status).toBe(0);
    const [grant, ...launches] = aws.calls();
    expect(grant.args.slice(0, 2)).toEqual(['servicecatalog', 'associate-principal-with-portfolio']);
    expect(option(grant, '--portfolio-id')).toEqual([env.PORTFOLIO_ID]);
    expect(option(grant, '--principal-arn')).toEqual([env.PRINCIPAL_ARN]);
    expect(option(grant, '--principal-type')).toEqual(['IAM']);
    const app = new App();
    const catalogStack = new Stack(app, 'Catalog');
    const catalog = new AtlasPrivateEndpointCatalog(catalogStack, 'Catalog');
    const dir = app.synth().directory;
    // The portfolio id comes from the catalog stack's output.
    expect(
      Object.keys((app.synth().getStackByName('Catalog').template as CfnTemplate).Outputs ?? {}).some((k) => k.includes('PortfolioId')),
    ).toBe(true);
    const products = new Map(
      [
        [catalog.endpointServiceProduct, catalog.endpointServiceTemplate],
        [catalog.privateLinkProduct, catalog.privateLinkTemplate],
      ].map(([p, t]) => [(p.node.defaultChild as unknown as { name: string }).name, t as { templateFile: string }]),
    );
    expect(launches.map((c) => option(c, '--product-name')[0]).sort()).toEqual([...products.keys()].sort());
    for (const call of launches) {
      expect(call.args.slice(0, 2)).toEqual(['servicecatalog', 'provision-product']);
      expect(option(call, '--provisioning-artifact-name')).toEqual(['v1']);
      const template = JSON.parse(
        readFileSync(join(dir, products.get(option(call, '--product-name')[0])!.templateFile), 'utf8'),
      ) as CfnTemplate;
      const given = Object.fromEntries(
        option(call, '--provisioning-parameters').map((kv) => /^Key=([^,]+),Value=(.*)$/.exec(kv)!.slice(1)),
      );
      expect(Object.keys(given).sort()).toEqual(
        Object.keys(template.Parameters!)
          .filter((k) => template.Parameters![k].Default === undefined || k in given)
          .sort(),
      );
      expect(given.ProjectId).toBe(PROJECT);
    }
  });

  it('"Troubleshooting": the look-up names the provider stack and the types of its log groups and state machine', () => {
    const [block] = shBlocks(readmeSection('## Troubleshooting'));
    const aws = awsStub();
    expect(runBlock(block, { cwd: ROOT, env: aws.env }).status).toBe(0);
    const [call] = aws.calls();
    expect(option(call, '--stack-name')).toEqual(['AtlasPrivateEndpointProvider']);
    expect(option(call, '--query')[0]).toContain("ResourceType=='AWS::Logs::LogGroup' || ResourceType=='AWS::StepFunctions::StateMachine'");
  });

  it('"Run the Atlas emulator": runs twice in a row as written, in a terminal or pasted into a script: base URL, no services, port freed', async () => {
    const [block] = shBlocks(readmeSection('## Run the Atlas emulator'));
    const urlFile = join(ROOT, 'emulator-url.txt');
    // One fixed port for every run, as the README's default: a run that left the emulator behind fails the next.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as AddressInfo;
        server.close(() => resolve(p));
      });
    });
    try {
      for (const terminal of [true, false, false]) {
        const r = runBlock(block, { cwd: ROOT, env: { PORT: String(port) }, timeoutMs: 60_000, terminal });
        expect(r.stdout).not.toMatch(/Error/);
        expect([terminal, r.status]).toEqual([terminal, 0]);
        expect(r.stdout.split('\n').map((l) => l.trim())).toContain('[]');
        const url = readFileSync(urlFile, 'utf8');
        expect(url).toBe(`http://127.0.0.1:${port}\n`);
        // `kill %1` stopped it: nothing answers there any more.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await expect(fetch(url.trim())).rejects.toThrow();
      }
    } finally {
      rmSync(urlFile, { force: true });
    }
  }, 200_000);

  it('"Try it against real Atlas": its npm start commands run, here against the standalone emulator', async () => {
    const [block, cancelBlock] = shBlocks(readmeSection('## Try it against real Atlas'));
    const emulator = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'local', 'atlas-emulator', 'cli.ts'),
        '--time-scale',
        '5000',
        '--project-id',
        PROJECT,
        '--client-id',
        'mdb_sa_id_readme',
        '--client-secret',
        'mdb_sa_sk_readme',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const file = join(ROOT, 'atlas-credentials.json');
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        emulator.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
      });
      // The file step 1 writes, in the checkout where the reader runs npm start.
      writeFileSync(file, JSON.stringify({ ClientId: 'mdb_sa_id_readme', ClientSecret: 'mdb_sa_sk_readme' }));
      const env = {
        MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_readme',
        MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_readme',
        MONGODB_ATLAS_BASE_URL: url,
        MONGODB_ATLAS_PROJECT_ID: PROJECT,
      };
      const r = runBlock(block, {
        cwd: ROOT,
        env,
        timeoutMs: 280_000,
      });
      expect(r.stderr).not.toMatch(/Error|Usage/);
      expect(r.status).toBe(0);
      expect(r.stdout.match(/^\s*\d+\s+Service (Create|Delete)\s+SUCCESS/gm)).toHaveLength(4);
      expect(r.stderr).toContain('credentials from MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET');
      expect(r.stderr).toContain('credentials from --credentials-file atlas-credentials.json');
      // The cancellation: whatever the timing against this Atlas, the run leaves nothing in the region.
      const c = runBlock(cancelBlock, {
        cwd: ROOT,
        env,
        timeoutMs: 280_000,
      });
      expect(c.stderr).not.toMatch(/Error|Usage/);
      expect(c.status).toBe(0);
      expect(c.stdout).toContain('Left in Atlas by this run: nothing');
    } finally {
      emulator.kill('SIGTERM');
      rmSync(file, { force: true });
    }
  }, 300_000);
});
