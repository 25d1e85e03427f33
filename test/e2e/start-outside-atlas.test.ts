/**
 * `npm start` against an Atlas other than the embedded emulator, as a person runs it against real Atlas: the
 * standalone emulator on a real clock (changes shortened to seconds), and the same emulator stopped. Waits are
 * scaled with --wait-scale, so each 14-s look takes under a second; Atlas's own times are real.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseCli, transportWatch } from '../../local/start';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';

const ROOT = join(__dirname, '..', '..');
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MONGODB_ATLAS_')));
const CREDENTIALS = {
  MONGODB_ATLAS_PUBLIC_API_KEY: DEFAULT_API_KEY.publicKey,
  MONGODB_ATLAS_PRIVATE_API_KEY: DEFAULT_API_KEY.privateKey,
};
/** Seconds a new service stays INITIATING on the standalone emulator's real clock (the recorded AWS time is 150). */
const READY_AFTER = 6;

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr matches. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

function started(child: ChildProcess): Started {
  let out = '';
  let err = '';
  const watchers: (() => void)[] = [];
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    for (const w of [...watchers]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
        const check = () => {
          if (!pattern.test(err)) return;
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        };
        watchers.push(check);
        check();
      }),
  };
}

/** The standalone emulator on a real clock, its changes shortened to seconds. */
async function emulator(): Promise<{ url: string; stop: () => Promise<void> }> {
  const p = started(
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'local', 'atlas-emulator', 'cli.ts'),
        '--timing',
        `serviceCreate=${READY_AFTER}`,
        '--timing',
        'AWS.serviceDelete=5',
        // An Azure service takes long to go: a second Ctrl-C comes while its Delete is still waiting.
        '--timing',
        'AZURE.serviceDelete=600',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  await p.waitFor(/Atlas emulator at (\S+)/);
  const url = /Atlas emulator at (\S+)/.exec(p.stderr())![1];
  return {
    url,
    stop: async () => {
      p.child.kill('SIGTERM');
      await p.exited;
    },
  };
}

function npmStart(url: string, properties: object, extra: string[] = []): Started {
  const run = started(
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'local', 'start.ts'),
        '--atlas-base-url',
        url,
        '--wait-scale',
        '0.05',
        '--properties',
        JSON.stringify({ ProjectId: DEFAULT_PROJECT_ID, ...properties }),
        ...extra,
      ],
      { cwd: ROOT, env: { ...CLEAN_ENV, ...CREDENTIALS }, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  runs.push(run);
  return run;
}

/** Runs `body` with its own emulator, and ends what it started. */
async function withEmulator(body: (atlas: { url: string }) => Promise<void>): Promise<void> {
  const atlas = await emulator();
  try {
    await body(atlas);
  } finally {
    for (const run of runs.splice(0)) run.child.kill('SIGKILL');
    await atlas.stop();
  }
}

/** The runs a test started, ended when it ends (a failed test leaves none waiting). */
const runs: Started[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.child.kill('SIGKILL');
});

describe('npm start against an outside Atlas', () => {
  it(
    'waits as long as Atlas takes, shows where it is, ends with the Delete and what it left; --wait-scale shortens the looks',
    () =>
      withEmulator(async (atlas) => {
        const run = npmStart(atlas.url, { ProviderName: 'AWS', Region: 'us-east-1' }, ['--json']);
        const code = await run.exited;
        expect([code, run.stderr()]).toEqual([0, expect.any(String)]);
        const report = JSON.parse(run.stdout()) as {
          requests: { requestType: string; status: string; simulatedSeconds: number }[];
          leftInAtlas: string[];
        };
        expect(report.requests.map((r) => `${r.requestType} ${r.status}`)).toEqual(['Create SUCCESS', 'Delete SUCCESS']);
        // Atlas's time is real: the Create lasted at least until the service was ready; with the 14-s look slept in
        // full the answer would have come after 14 s, with --wait-scale 0.05 within a second of readiness.
        expect(report.requests[0].simulatedSeconds).toBeGreaterThanOrEqual(READY_AFTER);
        expect(report.requests[0].simulatedSeconds).toBeLessThan(14);
        expect(report.leftInAtlas).toEqual([]);
        // Progress: the status, how long the request has run, when the next look comes.
        expect(run.stderr()).toMatch(
          /act create \[INITIATING\] → await-ready, wait 14 s \(\d+ s since the request; next look at \d\d:\d\d:\d\d UTC\)/,
        );
        expect(run.stderr()).toMatch(/poll await-ready \[AVAILABLE\] → READY \(\d+ s since the request\)/);
      }),
    240_000,
  );

  it(
    'Ctrl-C stops waiting, sends the Delete of what the run made and says what is left',
    () =>
      withEmulator(async (atlas) => {
        const aws = npmStart(atlas.url, { ProviderName: 'AWS', Region: 'us-west-2' });
        await aws.waitFor(/act create \[INITIATING\]/);
        aws.child.kill('SIGTERM');
        expect(await aws.exited).toBe(130);
        expect(aws.stderr()).toMatch(/SIGTERM: no more waiting; sending the Deletes of what this run made/);
        expect(aws.stderr()).toMatch(/CloudFormation stops waiting for Create Service \(cancelled\)/);
        expect(aws.stdout()).toMatch(/^\s*1\s+Service Create\s+NO_ANSWER/m);
        expect(aws.stdout()).toMatch(/^\s*2\s+Service Delete\s+SUCCESS/m);
        expect(aws.stdout()).toContain('Left in Atlas by this run: nothing');
      }),
    240_000,
  );

  it(
    'a second Ctrl-C exits at once and says what may be left',
    () =>
      withEmulator(async (atlas) => {
        // Azure: the Create is interrupted once Atlas has the service; the Delete then waits for Atlas to delete it.
        const run = npmStart(atlas.url, { ProviderName: 'AZURE', Region: 'eastus2' });
        await run.waitFor(/act create \[INITIATING\]/);
        run.child.kill('SIGINT');
        await run.waitFor(/SIGINT: no more waiting; sending the Deletes of what this run made/);
        await run.waitFor(/Delete Service local-runner-Service-/);
        await run.waitFor(/\[DELETING\]|await-gone/);
        const before = Date.now();
        run.child.kill('SIGINT');
        expect(await run.exited).toBe(130);
        expect(Date.now() - before).toBeLessThan(5000);
        expect(run.stderr()).toMatch(
          /SIGINT again: exiting at once\. May be left in Atlas: Service \(its unanswered Create: project 5f1e0a1b2c3d4e5f6a7b8c9d, AZURE eastus2\)/,
        );
      }),
    240_000,
  );

  it('against a stopped server, says at once that nothing listens there and what to check; Ctrl-C ends the run', async () => {
    // A port that was just listening and is closed now.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as AddressInfo;
        server.close(() => resolve(p));
      });
    });
    const stopped = { url: `http://127.0.0.1:${port}` };
    const run = npmStart(stopped.url, { ProviderName: 'AWS', Region: 'us-east-1' });
    await run.waitFor(/cannot reach Atlas/);
    expect(run.stderr()).toContain(
      `cannot reach Atlas at ${stopped.url} (ECONNREFUSED): nothing listens there: check the base URL's host and port, and that the server is running`,
    );
    // Once, not on every look.
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr().match(/cannot reach Atlas/g)).toHaveLength(1);
    expect(run.stdout()).toMatch(/Left in Atlas by this run: unknown: the services could not be listed \(.*ECONNREFUSED/);
  }, 240_000);
});

describe('npm start on the embedded emulator', () => {
  it("defaults --properties' ProjectId to the emulator's project", () => {
    expect(parseCli(['--properties', '{"ProviderName":"AWS","Region":"us-east-1"}'], {}).properties).toEqual({
      ProjectId: DEFAULT_PROJECT_ID,
      ProviderName: 'AWS',
      Region: 'us-east-1',
    });
    // Against another Atlas the project is the reader's to give.
    expect(
      parseCli(['--atlas', '--properties', '{"ProviderName":"AWS","Region":"us-east-1"}'], { ...CREDENTIALS }).properties,
    ).not.toHaveProperty('ProjectId');
  });
});

describe('transport errors in the progress', () => {
  it('names each kind once, with what to check: DNS, refused, timeout, cut, TLS', () => {
    const lines: string[] = [];
    const watch = transportWatch('https://cloud.example', (l) => lines.push(l));
    const failure = (code: string) => ({ error: { message: `no answer from Atlas (NETWORK_ERROR: ${code}: getaddrinfo)` } });
    for (const code of ['ENOTFOUND', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET', 'CERT_HAS_EXPIRED'])
      watch(failure(code));
    watch({ message: 'Waiting', status: 'INITIATING' });
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}cannot reach Atlas at https:\/\/cloud\.example \(ENOTFOUND\): the host name does not resolve: check the network \(DNS\)/,
      ),
      expect.stringMatching(/\(ECONNREFUSED\): nothing listens there/),
      expect.stringMatching(/\(UND_ERR_CONNECT_TIMEOUT\): no route or no answer/),
      expect.stringMatching(/\(ECONNRESET\): the connection was cut/),
      expect.stringMatching(/\(CERT_HAS_EXPIRED\): the TLS handshake failed/),
    ]);
  });
});
