/**
 * The standalone emulator: `npm run atlas-emulator` prints its base URL first and serves until stopped,
 * and an independent digest client (curl) can use it exactly as the README shows.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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
  });

  it.each([
    [['--rate-limit', '4000/2000'], '--rate-limit must be capacity/refill/seconds'],
    [['--rate-limit', '0/1/60'], '--rate-limit must be capacity/refill/seconds'],
    [['--rate-limit', 'none'], '--rate-limit must be capacity/refill/seconds'],
    [['--shape', 'colour=blue'], '--shape must be NAME=VALUE'],
    [['--shape', 'readyStatus=READY'], 'shapes.readyStatus must be one of AVAILABLE, WAITING_FOR_USER'],
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
