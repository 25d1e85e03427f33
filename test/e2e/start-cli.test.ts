/**
 * `npm start` as a person runs it: the tour, its options, and the JSON it prints; and the same runner
 * pointed at another Atlas (here the standalone emulator, on a fast real clock).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../../local/start';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'local', 'start.ts');

// No Atlas credentials of the developer's own leak into the runs.
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MONGODB_ATLAS_')));

function start(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', START, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...CLEAN_ENV, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Report {
  requests: {
    requestType: string;
    physicalResourceId: string;
    status: string;
    reason: string | null;
    data: Record<string, string>;
    responseBytes: number;
    simulatedSeconds: number;
  }[];
  atlasCalls: number;
}

describe('npm start', () => {
  it("tours AWS, AZURE and GCP: Create, Update in place, Update that replaces, Delete (and the replaced one's Delete), and a registration on each", () => {
    const r = start(['--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const service = ['Create SUCCESS', 'Update SUCCESS', 'Update SUCCESS', 'Delete SUCCESS'];
    const chain = [
      ...service,
      'Create SUCCESS', // the registration
      'Delete SUCCESS', // the registration
      'Delete SUCCESS', // the service (on AWS Atlas was already deleting it with its last interface endpoint)
    ];
    expect(report.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual([...chain, ...chain, ...chain]);
    // On the recorded timings and statuses: each new service answers AVAILABLE, no sooner than the time a new
    // service of its provider was recorded spending INITIATING (about 2.5 min AWS, 1 min Azure, 4.3 min GCP).
    const creates = [
      [0, 'AWS', 150],
      [2, 'AWS', 150],
      [7, 'AZURE', 60],
      [9, 'AZURE', 60],
      [14, 'GCP', 260],
      [16, 'GCP', 260],
    ] as const;
    for (const [i, provider, seconds] of creates) {
      expect([i, report.requests[i].data.ProviderName, report.requests[i].data.Status]).toEqual([i, provider, 'AVAILABLE']);
      expect(report.requests[i].simulatedSeconds).toBeGreaterThanOrEqual(seconds);
    }
    // Each registration waits for AVAILABLE on the replacing service, and its physical id names the endpoint.
    const registrations = [
      [4, 'AWS', /^[0-9a-f]{24}--[0-9a-f]{24}--vpce-[0-9a-f]{17}$/],
      [
        11,
        'AZURE',
        /^[0-9a-f]{24}--[0-9a-f]{24}--\/subscriptions\/[-0-9a-f]{36}\/resourceGroups\/.+\/privateEndpoints\/atlas-pe-[0-9a-f]{6}$/,
      ],
      [18, 'GCP', /^[0-9a-f]{24}--[0-9a-f]{24}--atlas-psc-[0-9a-f]{6}$/],
    ] as const;
    for (const [i, provider, id] of registrations) {
      expect([i, report.requests[i].data.ProviderName, report.requests[i].data.ConnectionStatus]).toEqual([i, provider, 'AVAILABLE']);
      expect(report.requests[i].physicalResourceId).toMatch(id);
      expect(report.requests[i].physicalResourceId).toContain(report.requests[i - 2].data.Id);
    }
    expect(report.requests[11].data.PrivateEndpointIpAddress).toBe('10.0.1.4');
    expect(report.requests[18].data.GcpProjectId).toBe('tour-gcp-project');
    for (const q of report.requests) {
      expect(q.responseBytes).toBeLessThanOrEqual(4096);
      expect(Object.keys(q)).toEqual([
        'requestType',
        'physicalResourceId',
        'status',
        'reason',
        'data',
        'responseBytes',
        'simulatedSeconds',
      ]);
    }
    expect(report.atlasCalls).toBeGreaterThan(30);
    expect(r.stderr).toMatch(/Create ServiceAWS/);
    expect(r.stderr).toMatch(/poll await-ready \[INITIATING\] → wait \d+ s/);
  });

  it('prints a table that fits 100 columns, says what its columns mean, and details each request below it', () => {
    const r = start([]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^ #\s+request\s+status\s+sim s\s+Atlas calls\s+bytes$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(lines.filter((l) => /^\s*\d+\s+\S+ (Create|Update|Delete)\s+(SUCCESS|FAILED)/.test(l))).toHaveLength(21);
    expect(r.stdout).toMatch(/ 5 {2}RegistrationAWS Create\s+SUCCESS/);
    const legend = r.stdout.replace(/\n/g, ' ');
    for (const column of [
      '# numbers the request',
      'request is the resource',
      'status is the provider',
      'sim s is how long',
      'Atlas calls counts',
      'bytes is the size',
    ])
      expect(legend).toContain(column);
    expect(r.stdout).toMatch(
      /\n 1 {2}physical id 5f1e0a1b2c3d4e5f6a7b8c9d-[0-9a-f]{24}-AWS-US_EAST_1\n {4}endpoint service name com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}/,
    );
  });

  it('with --cluster, each registration waits for that cluster’s private connection string through its endpoint and prints it', () => {
    const r = start(['--cluster', 'Cluster0']);
    expect(r.status).toBe(0);
    // One per provider's registration: the string Atlas (the emulator) published for the made-up cluster.
    const printed = r.stdout.match(/private connection string: mongodb\+srv:\/\/\S+/g) ?? [];
    expect(printed).toHaveLength(3);
    const json = start(['--cluster', 'Cluster0', '--json']);
    const report = JSON.parse(json.stdout) as Report;
    const registrations = report.requests.filter((q) => q.requestType === 'Create' && 'ConnectionStatus' in q.data);
    expect(registrations).toHaveLength(3);
    for (const q of registrations) {
      expect(q.data.SrvConnectionString).toMatch(/^mongodb\+srv:\/\/cluster0-/);
      expect(q.data.ConnectionString).toMatch(/^mongodb:\/\//);
      expect(q.data.ConnectionStatus).toBe('AVAILABLE');
    }
    expect(new Set(registrations.map((q) => q.data.SrvConnectionString)).size).toBe(3);
  });

  it("prints a failure's whole reason, wrapped within 100 columns", () => {
    const r = start([
      '--properties',
      '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AWS","Region":"us-eats-1","SupportedRemoteRegions":["eu-wset-1","ap-sotheast-2"]}',
    ]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    const reason = r.stdout.slice(r.stdout.indexOf('reason: ')).replace(/\n\s+/g, ' ');
    expect(reason).toContain('Did you mean us-east-1 (US_EAST_1)?');
    expect(reason).toContain('Did you mean eu-west-1 (EU_WEST_1)?');
    expect(reason).toContain('Did you mean ap-southeast-2 (AP_SOUTHEAST_2)?');
  });

  it('wraps long words too, so nothing is cut', async () => {
    const { wrap } = await import('../../local/start');
    const text = `reason: ${'x'.repeat(250)} end`;
    const lines = wrap(text, 100, ' 1  ', '    ');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(
      lines
        .map((l) => l.slice(4))
        .join('')
        .replace(/ /g, ''),
    ).toBe(text.replace(/ /g, ''));
  });

  it('runs given properties and updates, keeping the resource with --keep', () => {
    const r = start([
      '--json',
      '--keep',
      '--properties',
      '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AWS","Region":"us-west-2"}',
      '--update',
      '{"SupportedRemoteRegions":["us-east-1","us-east-2"]}',
    ]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.requests.map((q) => q.requestType)).toEqual(['Create', 'Update']);
    expect(report.requests[1].physicalResourceId).toBe(report.requests[0].physicalResourceId);
  });

  it('fails (exit 1) and says why when a request fails, with the rollback shown', () => {
    const r = start(['--json', '--properties', '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AWS","Region":"eastus2"}']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual(['Create FAILED', 'Delete SUCCESS']);
    expect(report.requests[0].reason).toMatch(/is a region of AZURE, not of AWS/);
  });

  it('cancels the Create as CloudFormation does (--cancel-after) and shows that the run left nothing in Atlas', () => {
    const r = start([
      '--json',
      '--properties',
      '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AWS","Region":"us-east-1"}',
      '--cancel-after',
      '30',
    ]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report & { leftInAtlas: string[] };
    expect(report.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual(['Create NO_ANSWER', 'Delete SUCCESS']);
    expect(report.leftInAtlas).toEqual([]);
  });

  it('refuses bad options with a usage message (exit 2)', () => {
    for (const args of [
      ['--cancel-after', '30'],
      ['--properties', '{}', '--cancel-after', '0'],
      ['--properties', '{}', '--cancel-after', '30', '--update', '{}'],
      ['--bogus'],
      ['--update', '{}'],
      ['--atlas-base-url', 'http://10.1.2.3'],
      ['--properties', 'not json'],
      ['--atlas-base-url', 'http://127.0.0.1:1', '--properties', '{}'],
      ['--properties', '{}', '--cluster', 'Cluster0'],
      ['--cluster', 'Cluster0', '--cluster', 'Cluster0'],
      ['--cluster', 'bad_name'],
    ]) {
      const r = start(args);
      expect([args, r.status]).toEqual([args, 2]);
      expect(r.stderr).toMatch(/Usage: npm start/);
    }
  });

  it('runs against another Atlas with credentials from the environment or a file, and registers your interface endpoint, waiting for your cluster’s string', async () => {
    const emulator = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'local', 'atlas-emulator', 'cli.ts'),
        '--time-scale',
        '2000',
        '--public-key',
        'k',
        '--private-key',
        'p',
        '--client-id',
        'mdb_sa_id_x',
        '--client-secret',
        'mdb_sa_sk_y',
        // Your cluster, as Atlas has it (the runner makes none up against another Atlas).
        '--cluster',
        'Cluster0',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const dir = mkdtempSync(join(tmpdir(), 'start-cli-'));
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        emulator.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
      });
      // The Atlas CLI's variable names, the base URL as the Terraform provider reads it, the project from MONGODB_ATLAS_PROJECT_ID.
      const r = start(['--json', '--atlas', '--wait-scale', '0.0005', '--properties', '{"ProviderName":"AZURE","Region":"westeurope"}'], {
        MONGODB_ATLAS_PUBLIC_API_KEY: 'k',
        MONGODB_ATLAS_PRIVATE_API_KEY: 'p',
        MONGODB_ATLAS_BASE_URL: url,
        MONGODB_ATLAS_PROJECT_ID: '5f1e0a1b2c3d4e5f6a7b8c9d',
      });
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(`Atlas at ${url}, credentials from MONGODB_ATLAS_PUBLIC_API_KEY/MONGODB_ATLAS_PRIVATE_API_KEY`);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual(['Create SUCCESS', 'Delete SUCCESS']);
      expect(report.requests[0].data.PrivateLinkServiceName).toMatch(/^pls_/);
      expect(report.atlasCalls).toBeGreaterThan(2);

      // A service account in a file shaped like the provider's secret, BaseUrl included; then a registration.
      const file = join(dir, 'atlas.json');
      writeFileSync(file, JSON.stringify({ ClientId: 'mdb_sa_id_x', ClientSecret: 'mdb_sa_sk_y', BaseUrl: url }));
      const vpce = 'vpce-0123456789abcdef0';
      const c = start([
        '--json',
        '--atlas',
        '--credentials-file',
        file,
        '--wait-scale',
        '0.0005',
        '--properties',
        '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AWS","Region":"us-east-1"}',
        '--register',
        JSON.stringify({ EndpointId: vpce }),
        '--cluster',
        'Cluster0',
      ]);
      expect(c.stderr).toContain(`credentials from --credentials-file ${file}`);
      expect(c.status).toBe(0);
      const chain = JSON.parse(c.stdout) as Report;
      expect(chain.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual([
        'Create SUCCESS',
        'Create SUCCESS',
        'Delete SUCCESS',
        'Delete SUCCESS',
      ]);
      expect(chain.requests[1].data).toMatchObject({
        InterfaceEndpointId: vpce,
        ConnectionStatus: 'AVAILABLE',
        EndpointServiceId: chain.requests[0].data.Id,
        SrvConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/cluster0-/),
      });
      for (const out of [r.stdout, r.stderr, c.stdout, c.stderr]) expect(out).not.toMatch(/mdb_sa_sk_y|"p"/);
    } finally {
      emulator.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start options', () => {
  const atlas = ['--atlas', '--properties', '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AWS","Region":"us-east-1"}'];
  const parse = (args: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) =>
    parseCli(args, env, (path) => {
      if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return files[path];
    });

  it('reads credentials from the Atlas CLI and Terraform variables; a service account wins over an API key', () => {
    expect(
      parse(atlas, {
        MONGODB_ATLAS_CLIENT_ID: 'i',
        MONGODB_ATLAS_CLIENT_SECRET: 's',
        MONGODB_ATLAS_PUBLIC_API_KEY: 'k',
        MONGODB_ATLAS_PRIVATE_API_KEY: 'p',
      }),
    ).toMatchObject({
      atlasBaseUrl: 'https://cloud.mongodb.com',
      credentials: { kind: 'service-account', clientId: 'i', clientSecret: 's' },
      credentialsSource: 'MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET',
    });
    expect(parse(atlas, { MONGODB_ATLAS_PUBLIC_KEY: 'k', MONGODB_ATLAS_PRIVATE_KEY: 'p' }).credentials).toEqual({
      kind: 'api-key',
      publicKey: 'k',
      privateKey: 'p',
    });
    expect(() => parse(atlas, { MONGODB_ATLAS_CLIENT_ID: 'i' })).toThrow(
      'MONGODB_ATLAS_CLIENT_SECRET is not set but MONGODB_ATLAS_CLIENT_ID is: they go together',
    );
    expect(() => parse(atlas)).toThrow(/real Atlas needs credentials: --credentials-file FILE, or MONGODB_ATLAS_CLIENT_ID/);
  });

  it('takes a credentials file before the environment, and its BaseUrl after MONGODB_ATLAS_BASE_URL', () => {
    const files = { 'a.json': '{"PublicKey":"k","PrivateKey":"p","BaseUrl":"https://cloud.mongodbgov.com"}' };
    const env = { MONGODB_ATLAS_CLIENT_ID: 'i', MONGODB_ATLAS_CLIENT_SECRET: 's' };
    expect(parse([...atlas, '--credentials-file', 'a.json'], env, files)).toMatchObject({
      atlasBaseUrl: 'https://cloud.mongodbgov.com',
      credentials: { kind: 'api-key' },
    });
    expect(
      parse([...atlas, '--credentials-file', 'a.json'], { MONGODB_ATLAS_BASE_URL: 'https://cloud.mongodb.com' }, files).atlasBaseUrl,
    ).toBe('https://cloud.mongodb.com');
    expect(() => parse([...atlas, '--credentials-file', 'b.json'], {}, files)).toThrow('--credentials-file b.json cannot be read: ENOENT');
    expect(() => parse([...atlas, '--credentials-file', 'c.json'], {}, { 'c.json': '{"PublicKey":"k"}' })).toThrow(
      /--credentials-file c.json/,
    );
    expect(() => parse([...atlas, '--credentials-file', 'c.json'], {}, { 'c.json': '{"PublicKey":"k"}' })).not.toThrow(/"k"/);
  });

  it('leaves the environment alone for the embedded emulator, and refuses a credentials file there', () => {
    const cli = parse([], { MONGODB_ATLAS_PUBLIC_API_KEY: 'k', MONGODB_ATLAS_PRIVATE_API_KEY: 'p' });
    expect(cli.atlasBaseUrl).toBeUndefined();
    expect(cli.credentials).toBeUndefined();
    expect(() => parse(['--credentials-file', 'a.json'])).toThrow(/credentials are for real Atlas/);
  });

  it('fills ProjectId from MONGODB_ATLAS_PROJECT_ID, never over a given one', () => {
    expect(
      parse(['--properties', '{"ProviderName":"AWS","Region":"us-east-1"}'], { MONGODB_ATLAS_PROJECT_ID: 'aaaaaaaaaaaaaaaaaaaaaaaa' })
        .properties,
    ).toEqual({ ProjectId: 'aaaaaaaaaaaaaaaaaaaaaaaa', ProviderName: 'AWS', Region: 'us-east-1' });
    expect(parse(['--properties', '{"ProjectId":"b"}'], { MONGODB_ATLAS_PROJECT_ID: 'a' }).properties).toEqual({ ProjectId: 'b' });
  });
});
