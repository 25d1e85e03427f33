/**
 * `npm start` as a person runs it: the tour, its options, and the JSON it prints; and the same runner
 * pointed at another Atlas (here the standalone emulator, on a fast real clock).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'local', 'start.ts');

function start(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', START, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Report {
  requests: { requestType: string; physicalResourceId: string; status: string; reason: string | null; data: Record<string, string>; responseBytes: number; simulatedSeconds: number }[];
  atlasCalls: number;
}

describe('npm start', () => {
  it('tours AWS, AZURE and GCP: Create, Update in place, Update that replaces, Delete (and the replaced one\'s Delete); for AWS the registration chain', () => {
    const r = start(['--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const service = ['Create SUCCESS', 'Update SUCCESS', 'Update SUCCESS', 'Delete SUCCESS'];
    expect(report.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual([
      ...service,
      'Create SUCCESS', // the registration
      'Delete SUCCESS', // the registration
      'Delete SUCCESS', // the service, which Atlas was already deleting
      ...service,
      'Delete SUCCESS',
      ...service,
      'Delete SUCCESS',
    ]);
    // On the recorded timings and statuses: each new service answers AVAILABLE, no sooner than the time a new
    // service of its provider was recorded spending INITIATING (about 2.5 min AWS, 1 min Azure, 4.3 min GCP).
    const creates = [[0, 'AWS', 150], [2, 'AWS', 150], [7, 'AZURE', 60], [9, 'AZURE', 60], [12, 'GCP', 260], [14, 'GCP', 260]] as const;
    for (const [i, provider, seconds] of creates) {
      expect([i, report.requests[i].data.ProviderName, report.requests[i].data.Status]).toEqual([i, provider, 'AVAILABLE']);
      expect(report.requests[i].simulatedSeconds).toBeGreaterThanOrEqual(seconds);
    }
    expect(report.requests[4].data.ConnectionStatus).toBe('AVAILABLE');
    expect(report.requests[4].physicalResourceId).toMatch(/^[0-9a-f]{24}--[0-9a-f]{24}--vpce-[0-9a-f]{17}$/);
    for (const q of report.requests) {
      expect(q.responseBytes).toBeLessThanOrEqual(4096);
      expect(Object.keys(q)).toEqual(['requestType', 'physicalResourceId', 'status', 'reason', 'data', 'responseBytes', 'simulatedSeconds']);
    }
    expect(report.atlasCalls).toBeGreaterThan(30);
    expect(r.stderr).toMatch(/Create ServiceAWS/);
    expect(r.stderr).toMatch(/poll await-ready \[INITIATING\] → wait \d+ s/);
  });

  it('prints a readable table by default', () => {
    const r = start([]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^request\s+status\s+physical id\s+key attribute\s+sim s\s+Atlas calls\s+bytes$/);
    expect(lines).toHaveLength(2 + 17);
    expect(r.stdout).toMatch(/RegistrationAWS Create\s+SUCCESS/);
    expect(r.stdout).toMatch(/com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}/);
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

  it('refuses bad options with a usage message (exit 2)', () => {
    for (const args of [['--bogus'], ['--update', '{}'], ['--atlas-base-url', 'http://10.1.2.3'], ['--properties', 'not json'], ['--atlas-base-url', 'http://127.0.0.1:1', '--properties', '{}']]) {
      const r = start(args);
      expect([args, r.status]).toEqual([args, 2]);
      expect(r.stderr).toMatch(/Usage: npm start/);
    }
  });

  it('runs against another Atlas by base URL: the standalone emulator on a fast clock', async () => {
    const emulator = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'atlas-emulator', 'cli.ts'), '--time-scale', '2000', '--public-key', 'k', '--private-key', 'p'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        emulator.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
      });
      const r = start([
        '--json',
        '--atlas-base-url',
        url,
        '--public-key',
        'k',
        '--private-key',
        'p',
        '--wait-scale',
        '0.0005',
        '--properties',
        '{"ProjectId":"5f1e0a1b2c3d4e5f6a7b8c9d","ProviderName":"AZURE","Region":"westeurope"}',
      ]);
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.requests.map((q) => `${q.requestType} ${q.status}`)).toEqual(['Create SUCCESS', 'Delete SUCCESS']);
      expect(report.requests[0].data.PrivateLinkServiceName).toMatch(/^pls_/);
      expect(report.atlasCalls).toBeGreaterThan(2);
    } finally {
      emulator.kill('SIGTERM');
    }
  });
});
