/**
 * The package as a user gets it: `npm pack`, then a fresh CDK app in a temporary folder (its own
 * package.json, the lowest aws-cdk-lib and constructs the peer ranges allow, nothing of this repository's
 * node_modules) installs the tarball, compiles every README CDK example as written with `tsc`, and synthesizes
 * each through the CDK CLI without AWS credentials. `npm publish --dry-run` accepts the package.
 *
 * Cost: one build, one install (`--prefer-offline`: a warm npm cache makes it local), one tsc, one synth per
 * example.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** `^2.224.0` → `2.224.0`: the lowest version a caret or tilde range allows. */
function lowest(range: string): string {
  const m = /^[\^~]?(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (!m) throw new Error(`peer range "${range}" is not ^x.y.z: the test would not know its lowest version`);
  return m[1];
}

/** Every ```ts block of the README that uses the package: each is a whole app, as a user would paste it. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes(`from '${pkg.name}'`));
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { cwd: string }): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, ...opts });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status ?? r.error?.message}):\n${String(r.stdout ?? '').slice(-3000)}\n${String(r.stderr ?? '').slice(-3000)}`,
    );
  }
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** No AWS credentials and no CDK environment from the developer's machine. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if ((!/^(AWS_|CDK_|npm_)/.test(k) && k !== 'NODE_OPTIONS') || k === 'AWS_CA_BUNDLE') env[k] = v;
  return {
    ...env,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe('the packed library in a fresh CDK app', () => {
  const work = mkdtempSync(join(tmpdir(), 'atlas-consumer-'));
  const app = join(work, 'app');
  const env = cleanEnv(work);
  let tarball = '';
  let packedFiles: string[] = [];

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npm pack ships the compiled library, its declarations, its jsii assembly, the prebuilt handler, README, LICENSE and CHANGELOG, and nothing else', () => {
    const out = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: { ...process.env } });
    const info = (
      JSON.parse(out.stdout.slice(out.stdout.indexOf('['))) as { filename: string; size: number; files: { path: string }[] }[]
    )[0];
    tarball = join(work, info.filename);
    packedFiles = info.files.map((f) => f.path).sort();
    for (const must of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/handler/index.js',
      '.jsii',
    ]) {
      expect(packedFiles).toContain(must);
    }
    for (const f of packedFiles) {
      expect(f).toMatch(
        /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|\.jsii|dist\/(lib|lambda\/model)\/.+\.(js|d\.ts)|dist\/handler\/index\.js(\.map)?)$/,
      );
    }
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
      /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/,
    );
    // Where package.json points is in the tarball.
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      main: string;
      types: string;
      exports: Record<string, { types: string; default: string }>;
    };
    for (const p of [manifest.main, manifest.types, manifest.exports['.'].types, manifest.exports['.'].default])
      expect(packedFiles).toContain(p.replace(/^\.\//, ''));
    console.log(`tarball ${info.filename}: ${(info.size / 1024).toFixed(0)} KiB, ${packedFiles.length} files`);
  }, 600_000);

  it('npm publish --dry-run accepts the package', () => {
    // The tarball was just built; publishing it would build it again.
    const r = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts', tarball], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env },
      timeout: 300_000,
    });
    expect(
      `${r.status}\n${r.stderr
        .split('\n')
        .filter((l) => /ERR!/.test(l))
        .join('\n')}`,
    ).toBe('0\n');
  }, 300_000);

  it('installs into an app of its own with the lowest supported aws-cdk-lib and constructs, and no esbuild', () => {
    const peers = pkg.peerDependencies;
    mkdirSync(app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'consumer-app',
          version: '0.0.0',
          private: true,
          dependencies: {
            [pkg.name]: `file:${tarball}`,
            'aws-cdk-lib': lowest(peers['aws-cdk-lib']),
            constructs: lowest(peers.constructs),
          },
          devDependencies: { typescript: pkg.devDependencies.typescript, 'aws-cdk': pkg.devDependencies['aws-cdk'] },
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node',
          lib: ['ES2022'],
          strict: true,
          esModuleInterop: true,
          skipLibCheck: false,
          types: [],
        },
        include: ['*.ts'],
      }),
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env });
    const installed = (name: string) =>
      (JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(installed('aws-cdk-lib')).toBe(lowest(peers['aws-cdk-lib']));
    expect(installed('constructs')).toBe(lowest(peers.constructs));
    expect(existsSync(join(app, 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', pkg.name, 'package-lock.json'))).toBe(false);
    // The jsii assembly other jsii libraries and Construct Hub read: this version, every construct in it.
    const assembly = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, '.jsii'), 'utf8')) as {
      name: string;
      version: string;
      types: Record<string, unknown>;
    };
    expect([assembly.name, assembly.version]).toEqual([pkg.name, pkg.version]);
    expect(Object.keys(assembly.types)).toEqual(
      expect.arrayContaining([`${pkg.name}.AtlasPrivateLink`, `${pkg.name}.AtlasPrivateEndpointService`]),
    );
  }, 900_000);

  const examples = readmeExamples();

  it('compiles every README CDK example as written with tsc', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    examples.forEach((code, i) => writeFileSync(join(app, `example${i + 1}.ts`), code));
    run('npx', ['tsc', '-p', '.'], { cwd: app, env });
    examples.forEach((_, i) => expect(existsSync(join(app, `example${i + 1}.js`))).toBe(true));
  }, 300_000);

  it.each(examples.map((_, i) => i + 1))(
    'synthesizes README example %i through the CDK CLI (a provider from the prebuilt handler)',
    (n) => {
      const out = `cdk.out.${n}`;
      const r = run('npx', ['cdk', 'synth', '--quiet', '--app', `node example${n}.js`, '--output', out], { cwd: app, env });
      expect(r.stderr).not.toMatch(/credentials|esbuild|lock ?file/i);
      const dir = join(app, out);
      const templates = readdirSync(dir).filter((f) => f.endsWith('.template.json'));
      expect(templates.length).toBeGreaterThan(0);
      const types = templates.flatMap((f) =>
        Object.values((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Resources: Record<string, { Type: string }> }).Resources).map(
          (r) => r.Type,
        ),
      );
      // The catalog's products read the ServiceToken from SSM at launch: its stack holds no provider.
      if (/new AtlasPrivateEndpointCatalog\(/.test(examples[n - 1])) {
        expect(types).toEqual(expect.arrayContaining(['AWS::ServiceCatalog::Portfolio', 'AWS::ServiceCatalog::CloudFormationProduct']));
        return;
      }
      expect(types).toEqual(
        expect.arrayContaining(['Custom::AtlasPrivateEndpointService', 'AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine']),
      );
      // The function code is the package's prebuilt bundle, copied as it is.
      const prebuilt = readFileSync(join(app, 'node_modules', pkg.name, 'dist', 'handler', 'index.js'));
      const assets = readdirSync(dir).filter(
        (f) => f.startsWith('asset.') && statSync(join(dir, f)).isDirectory() && existsSync(join(dir, f, 'index.js')),
      );
      expect(assets.map((a) => readFileSync(join(dir, a, 'index.js')).equals(prebuilt))).toContain(true);
    },
    300_000,
  );
});
