/**
 * The standalone emulator: `npm run atlas-emulator` prints its base URL first and serves until stopped,
 * and an independent digest client (curl) can use it exactly as the README shows.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { DigestClient, paths, vpceId } from './http';

const ROOT = join(__dirname, '..', '..');
const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('atlas-emulator CLI', () => {
  let child: ChildProcess;
  let baseUrl: string;
  let stderr = '';
  const project = 'abcdefabcdefabcdefabcdef';

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'local', 'atlas-emulator', 'cli.ts'),
        '--project-id',
        project,
        '--public-key',
        'clikey',
        '--private-key',
        'cli-private',
        '--client-id',
        'cli-id',
        '--client-secret',
        'mdb_sa_sk_cli',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    baseUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints its base URL as the first line of stdout', () => {
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  (hasCurl ? it : it.skip)('answers curl --digest as the README shows', () => {
    const out = execFileSync('curl', [
      '-sS',
      '--digest',
      '-u',
      'clikey:cli-private',
      '-H',
      'Accept: application/vnd.atlas.2023-01-01+json',
      '-w',
      '\n%{http_code}',
      `${baseUrl}/api/atlas/v2/groups/${project}/privateEndpoint/AWS/endpointService`,
    ]).toString();
    expect(out.trim().split('\n')).toEqual(['[]', '200']);
    const wrong = execFileSync('curl', [
      '-sS',
      '--digest',
      '-u',
      'clikey:nope',
      '-H',
      'Accept: application/vnd.atlas.2023-01-01+json',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${baseUrl}/api/atlas/v2/groups/${project}/privateEndpoint/AWS/endpointService`,
    ]).toString();
    expect(wrong).toBe('401');
  });

  it('describes its project and credentials on stderr', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain(project);
    expect(stderr).toContain('clikey');
    expect(stderr).toContain('cli-id');
    // Atlas's documented per-project limit for private endpoint services, on by default.
    expect(stderr).toContain('rate limit:      4000 per project, refill 2000 per 60 s');
    expect(stderr).toContain(
      'answer shapes:   readyStatus=AVAILABLE, gcpServiceAttachments=recorded, unauthorized=recorded, unknownInterfaceEndpoint=current',
    );
  });

  (hasCurl ? it : it.skip)('issues a token to curl -u for the service account, usable as a Bearer', () => {
    const token = JSON.parse(
      execFileSync('curl', [
        '-sS',
        '-u',
        'cli-id:mdb_sa_sk_cli',
        '-H',
        'Content-Type: application/x-www-form-urlencoded',
        '--data',
        'grant_type=client_credentials',
        `${baseUrl}/api/oauth/token`,
      ]).toString(),
    ) as { access_token: string; token_type: string };
    expect(token.token_type).toBe('Bearer');
    const out = execFileSync('curl', [
      '-sS',
      '-H',
      `Authorization: Bearer ${token.access_token}`,
      '-H',
      'Accept: application/vnd.atlas.2023-01-01+json',
      '-w',
      '\n%{http_code}',
      `${baseUrl}/api/atlas/v2/groups/${project}/privateEndpoint/GCP/endpointService`,
    ]).toString();
    expect(out.trim().split('\n')).toEqual(['[]', '200']);
  });

  it('stops on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('prints usage on --help and exits 0', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'atlas-emulator', 'cli.ts'), '--help'], {
      cwd: ROOT,
    }).toString();
    expect(out).toMatch(/Usage: npm run atlas-emulator/);
    expect(out).toContain('--time-scale');
    expect(out).toContain('--rate-limit C/R/S');
    expect(out).toContain('--cluster SPEC');
    expect(out).toContain('NAME[@PROVIDER[:REGION[+REGION...]]][:SHARDED]');
    expect(out).toContain('connectionStringPublish');
  });

  it.each([
    [['--rate-limit', '4000/2000'], '--rate-limit must be capacity/refill/seconds'],
    [['--rate-limit', '0/1/60'], '--rate-limit must be capacity/refill/seconds'],
    [['--rate-limit', 'none'], '--rate-limit must be capacity/refill/seconds'],
    [['--shape', 'colour=blue'], '--shape must be NAME=VALUE'],
    [['--shape', 'readyStatus=READY'], 'shapes.readyStatus must be one of AVAILABLE, WAITING_FOR_USER'],
    [['--timing', 'connectionStringPublish=soon'], '--timing must be [PROVIDER.]NAME=SECONDS'],
    [['--cluster', 'Cluster0@ORACLE'], '--cluster must be NAME[@PROVIDER[:REGION[+REGION...]]][:SHARDED]'],
    [['--cluster', 'Bad_Name'], '--cluster must be NAME'],
    [['--cluster', 'Cluster0@AZURE:us-east-1'], '--cluster: cluster Cluster0: us-east-1 is not a region of AZURE'],
  ])('refuses %j with a usage error', (args, message) => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'atlas-emulator', 'cli.ts'), ...args], {
        cwd: ROOT,
        stdio: 'pipe',
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain(message);
  });

  it('refuses unknown flags with a usage error', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'atlas-emulator', 'cli.ts'), '--bogus'], {
        cwd: ROOT,
        stdio: 'pipe',
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/Usage: npm run atlas-emulator/);
  });
});

describe('atlas-emulator CLI with clusters', () => {
  let child: ChildProcess;
  let atlas: DigestClient;

  beforeAll(async () => {
    // 10 emulated seconds per real second: the 20 s publish delay takes 2 real seconds.
    const timings = ['serviceCreate=0', 'endpointAccept=0', 'endpointAvailable=0', 'AWS.connectionStringPublish=20'];
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'local', 'atlas-emulator', 'cli.ts'),
        '--time-scale',
        '10',
        '--cluster',
        'Cluster0',
        '--cluster',
        'Shards@AWS:us-east-1+US_WEST_2:SHARDED',
        '--cluster',
        'Blue@AZURE',
        ...timings.flatMap((t) => ['--timing', t]),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    atlas = new DigestClient(baseUrl, DEFAULT_API_KEY.publicKey, DEFAULT_API_KEY.privateKey);
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const cluster = async (name: string) =>
    (await atlas.get(`/api/atlas/v2/groups/${DEFAULT_PROJECT_ID}/clusters/${name}`, { accept: 'application/vnd.atlas.2024-08-05+json' }))
      .json;

  it('serves the clusters named by --cluster, in the default project', async () => {
    expect(await cluster('Shards')).toMatchObject({ name: 'Shards', clusterType: 'SHARDED', stateName: 'IDLE' });
    expect(await cluster('Blue')).toMatchObject({ name: 'Blue', clusterType: 'REPLICASET' });
    expect((await cluster('Nope')).errorCode).toBe('CLUSTER_NOT_FOUND');
  });

  it('publishes a connection string after the --timing connectionStringPublish delay', async () => {
    const P = paths(DEFAULT_PROJECT_ID);
    const service = await atlas.post(P.create, { providerName: 'AWS', region: 'us-east-1' });
    const vpce = vpceId();
    expect((await atlas.post(P.endpoints('AWS', service.json.id), { id: vpce })).status).toBe(201);
    expect((await cluster('Cluster0')).connectionStrings.privateEndpoint).toBeUndefined();
    let entries: { endpoints: { endpointId: string; region: string }[] }[] | undefined;
    for (let i = 0; i < 100 && entries === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      entries = (await cluster('Cluster0')).connectionStrings.privateEndpoint;
    }
    expect(entries?.map((e) => e.endpoints)).toEqual([[{ endpointId: vpce, providerName: 'AWS', region: 'US_EAST_1' }]]);
    // The two-region cluster has no endpoint in US_WEST_2 yet.
    expect((await cluster('Shards')).connectionStrings.privateEndpoint).toBeUndefined();
  });
});
