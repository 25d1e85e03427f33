/**
 * The library for every jsii language, built the way the release builds it, from a copy of the checkout in a
 * temporary folder (so that a concurrent `npm pack` of the checkout is left alone):
 *
 * - jsii compiles the library into its assembly (`.jsii`), warnings as errors;
 * - jsii-rosetta compiles every example (the constructs' doc comments and the README's TypeScript) in strict mode;
 * - jsii-pacmak generates the Python, Java, .NET and Go sources (`--code-only`: no language toolchain needed),
 *   which must hold every construct, props type and attribute under the name a user of that language writes;
 * - jsii-diff compares the assembly with the last commit's: the working tree's against HEAD when the library
 *   has uncommitted changes, else HEAD's against its parent. A commit whose package.json has no jsii
 *   configuration has no assembly to compare with, and that one case is skipped.
 *
 * Cost: two jsii compiles and, once the first is done, one rosetta extraction (one batch) and one pacmak run of
 * four languages, all at once.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  jsii: { targets: Record<string, Record<string, unknown>> };
};
/** What jsii reads: the library, the pure model it imports, the build configuration and the package's texts. */
const SOURCES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'lib', 'lambda/model'];
/** The build's jsii command line, as `npm run build` has it. */
const JSII_ARGS = (/^jsii (.*?) &&/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build as string) ?? [])[1]
  ?.split(' ')
  .filter(Boolean);

interface Assembly {
  name: string;
  types: Record<
    string,
    {
      kind: 'class' | 'interface' | 'enum';
      name: string;
      datatype?: boolean;
      properties?: { name: string; static?: boolean; docs?: { custom?: Record<string, string> } }[];
      methods?: { name: string; static?: boolean }[];
    }
  >;
}

function git(args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The commit whose assembly the working tree's is compared with, or why there is none. A library with
 * uncommitted changes is compared with HEAD; a clean one (CI's fresh clone) with HEAD's parent, so that the
 * last commit's change to the API is the one checked.
 */
function baseline(): { rev: string } | { none: string } {
  if (git(['rev-parse', '--is-inside-work-tree']) !== 'true') return { none: 'not a git checkout' };
  const changed = spawnSync('git', ['diff', '--quiet', 'HEAD', '--', ...SOURCES.filter((s) => s !== 'README.md' && s !== 'CHANGELOG.md')], {
    cwd: ROOT,
  });
  const rev = changed.status === 0 ? 'HEAD^' : 'HEAD';
  const sha = git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (!sha) return { none: `${rev} is not in this clone` };
  const manifest = git(['show', `${sha}:package.json`]);
  if (!manifest || !(JSON.parse(manifest) as { jsii?: unknown }).jsii)
    return { none: `${rev} (${sha.slice(0, 8)}) predates the jsii build` };
  return { rev: sha };
}

/** Runs a tool and resolves with its output, or rejects with it: jsii compiles the two trees at once. */
function run(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, JSII_SUPPRESS_UPGRADE_PROMPT: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? (console.log(
            `${cmd.replace(/.*\//, '')} ${args[0]} in ${cwd.replace(/.*\//, '')}: ${((Date.now() - started) / 1000).toFixed(0)} s`,
          ),
          resolve({ stdout, stderr }))
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`)),
    );
  });
}

/** A copy of what jsii reads, from the working tree or from a commit, with this checkout's node_modules. */
function stage(dir: string, rev?: string): void {
  mkdirSync(dir, { recursive: true });
  if (rev) {
    const tar = execFileSync('git', ['archive', '--format=tar', rev, '--', ...SOURCES], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  } else {
    for (const s of [...SOURCES, 'rosetta']) cpSync(join(ROOT, s), join(dir, s), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

const readAll = (dir: string): string =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(py|java|cs|go)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');

/** The names of `names` that `source` lacks, as `Type.member`: what each language test expects to be empty. */
const lacking = (names: [string, string][], has: (type: string, member: string) => boolean): string[] =>
  names.filter(([t, m]) => !has(t, m)).map(([t, m]) => `${t}.${m}`);

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);

const base = baseline();
const work = mkdtempSync(join(tmpdir(), 'atlas-jsii-'));
const current = join(work, 'current');
const previous = join(work, 'previous');
const generated = join(work, 'packages');
const TARGETS = ['python', 'java', 'dotnet', 'go'];
let assembly: Assembly;

/** Each tool's run after the compile, started at once; each resolves with its failure, if any, for its test to report. */
let previousCompiled: Promise<Error | undefined>;
let samplesExtracted: Promise<Error | undefined>;
let sourcesGenerated: Promise<Error | undefined>;
const settled = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e,
  );

beforeAll(async () => {
  expect(JSII_ARGS).toEqual(expect.arrayContaining(['--fail-on-warnings']));
  stage(current);
  if ('rev' in base) stage(previous, base.rev);
  previousCompiled = settled('rev' in base ? run(join(BIN, 'jsii'), JSII_ARGS!, previous) : Promise.resolve());
  await run(join(BIN, 'jsii'), JSII_ARGS!, current);
  assembly = JSON.parse(readFileSync(join(current, '.jsii'), 'utf8')) as Assembly;
  // One batch: one TypeScript program for every example, strict as ever (a snippet that does not compile fails it).
  samplesExtracted = settled(run(join(BIN, 'jsii-rosetta'), ['extract', '--strict', '--batch', '1000', '.jsii'], current));
  sourcesGenerated = settled(
    run(
      join(BIN, 'jsii-pacmak'),
      [
        '--code-only',
        '--targets',
        ...TARGETS,
        '--outdir',
        generated,
        '--no-npmignore',
        '--no-fingerprint',
        // The tarball each package embeds, of what was just compiled (prepack would build again).
        '--pack-command',
        'npm pack --ignore-scripts',
        // Names are checked here, not the translated examples (the rosetta test checks those).
        '--rosetta-unknown-snippets',
        'verbatim',
        '.',
      ],
      current,
    ),
  );
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The library's constructs and the props each takes. */
const CONSTRUCTS = [
  'AtlasPrivateEndpointService',
  'AtlasPrivateEndpoint',
  'AtlasPrivateLink',
  'AtlasPrivateEndpointProvider',
  'AtlasPrivateEndpointProviderStack',
  'AtlasPrivateEndpointCatalog',
  'WaitLoop',
];
const STRUCTS = [...CONSTRUCTS.map((c) => `${c}Props`), 'AtlasResourceProps', 'PortRange'];
/** Every type a user of another language names. */
const types = [...CONSTRUCTS, ...STRUCTS, 'ProviderHandler'];

function typeOf(name: string) {
  const t = assembly.types[`${pkg.name}.${name}`];
  if (!t) throw new Error(`${name} is not in the assembly`);
  return t;
}

/** Every `@attribute` of every construct: `[construct, attribute]`. */
function attributes(): [string, string][] {
  return CONSTRUCTS.flatMap((c) =>
    (typeOf(c).properties ?? []).filter((p) => p.docs?.custom?.attribute !== undefined).map((p): [string, string] => [c, p.name]),
  );
}

/** Every property of every props type: `[struct, property]`. */
function structProperties(): [string, string][] {
  return STRUCTS.flatMap((s) => (typeOf(s).properties ?? []).map((p): [string, string] => [s, p.name]));
}

describe('the jsii assembly', () => {
  it('holds every construct, its props (as data types) and their attributes, and no TypeScript-only error class', () => {
    for (const c of CONSTRUCTS) expect(typeOf(c).kind).toBe('class');
    for (const s of STRUCTS) expect([s, typeOf(s).kind, typeOf(s).datatype]).toEqual([s, 'interface', true]);
    expect(attributes().map(([c, a]) => `${c}.${a}`)).toEqual(
      expect.arrayContaining([
        'AtlasPrivateEndpointService.privateLinkId',
        'AtlasPrivateEndpointService.endpointServiceName',
        'AtlasPrivateEndpoint.connectionStatus',
        'AtlasPrivateLink.vpcEndpointId',
        'AtlasPrivateEndpointProvider.serviceToken',
      ]),
    );
    expect(Object.keys(assembly.types)).not.toContain(`${pkg.name}.AtlasValidationError`);
    // The string-union props stay strings for jsii; their TypeScript types are the declarations' business.
    expect(readFileSync(join(current, 'dist', 'lib', 'endpoint-service.d.ts'), 'utf8')).toMatch(/readonly providerName: CloudProvider;/);
  });

  it('reaches the constants and helpers as static members', () => {
    const statics = (c: string) => [
      ...(typeOf(c).properties ?? []).filter((p) => p.static).map((p) => p.name),
      ...(typeOf(c).methods ?? []).filter((m) => m.static).map((m) => `${m.name}()`),
    ];
    expect(statics('AtlasPrivateEndpointProviderStack')).toEqual(
      expect.arrayContaining(['SERVICE_TOKEN_EXPORT_NAME', 'SERVICE_TOKEN_PARAMETER_NAME']),
    );
    expect(statics('AtlasPrivateLink')).toContain('ATLAS_PORT_RANGE');
    expect(statics('AtlasPrivateEndpointProvider')).toContain('RUNTIME');
    expect(statics('AtlasPrivateEndpointCatalog')).toEqual(
      expect.arrayContaining(['ENDPOINT_SERVICE_PRODUCT_NAME', 'PRIVATE_LINK_PRODUCT_NAME']),
    );
    expect(statics('WaitLoop')).toContain('MAX_STEP_FAILURES');
    expect(statics('ProviderHandler')).toEqual(expect.arrayContaining(['ON_EVENT', 'ON_STEP', 'ON_EVENT_FAILED', 'code()']));
  });
});

describe('the examples', () => {
  it('compile under jsii-rosetta in strict mode: the README and every construct with an example', async () => {
    expect(await samplesExtracted).toBeUndefined();
    const tablet = JSON.parse(readFileSync(join(current, '.jsii.tabl.json'), 'utf8')) as {
      snippets: Record<
        string,
        { didCompile?: boolean; location: { api: { api: string; fqn?: string } }; translations: Record<string, unknown> }
      >;
    };
    const snippets = Object.values(tablet.snippets);
    expect(snippets.filter((s) => s.didCompile !== true)).toEqual([]);
    const where = snippets.map((s) => (s.location.api.api === 'moduleReadme' ? 'README' : s.location.api.fqn?.replace(`${pkg.name}.`, '')));
    expect(where).toEqual(expect.arrayContaining(['README', ...CONSTRUCTS, 'ProviderHandler']));
    for (const s of snippets) expect(Object.keys(s.translations)).toEqual(expect.arrayContaining(['python', 'java', 'csharp', 'go']));
  }, 600_000);
});

describe('the generated Python, Java, .NET and Go sources', () => {
  const sources: Record<string, string> = {};
  const files: Record<string, string[]> = {};

  beforeAll(async () => {
    const failure = await sourcesGenerated;
    if (failure) throw failure;
    for (const t of TARGETS) {
      sources[t] = readAll(join(generated, t));
      files[t] = readdirSync(join(generated, t), { recursive: true }).map(String);
    }
  }, 900_000);

  it('Python: the distribution and module names, snake_case props and attributes, no keyword renamed with a trailing _', () => {
    const py = pkg.jsii.targets.python as { distName: string; module: string };
    const src = sources.python;
    expect(files.python).toContain(join('src', ...py.module.split('.'), '__init__.py'));
    expect(readFileSync(join(generated, 'python', 'setup.py'), 'utf8')).toContain(`"name": "${py.distName}"`);
    expect(types.filter((t) => !new RegExp(`^class ${t}[(:]`, 'm').test(src))).toEqual([]);
    expect(lacking(structProperties(), (_, p) => new RegExp(`^    def ${snake(p)}\\(\\s*self,?\\s*\\)`, 'm').test(src))).toEqual([]);
    expect(lacking(attributes(), (_, a) => src.includes(`    def ${snake(a)}(self) -> builtins.str:`))).toEqual([]);
    // What a Python user writes.
    const expected = [
      'project_id: builtins.str,',
      'def from_port(self) -> jsii.Number:',
      'def grant_launch_to_role(self, role: "_aws_cdk_aws_iam_ceddda9d.IRole") -> None:',
      'def SERVICE_TOKEN_EXPORT_NAME(cls) -> builtins.str:',
      'def code(cls) -> "_aws_cdk_aws_lambda_ceddda9d.Code":',
    ];
    expect(expected.filter((e) => !src.includes(e))).toEqual([]);
    // A parameter or property jsii had to rename: `from_`, `lambda_`, ...
    expect(src.match(/^\s+(?:def )?[a-z][a-z0-9_]*_(?:\(self\)|:)/gm) ?? []).toEqual([]);
  });

  it('Java: the Maven coordinates and package, builders for props, getters for attributes', () => {
    const java = pkg.jsii.targets.java as { package: string; maven: { groupId: string; artifactId: string } };
    const src = sources.java;
    const pom = readFileSync(join(generated, 'java', 'pom.xml'), 'utf8');
    expect(pom).toContain(`<groupId>${java.maven.groupId}</groupId>`);
    expect(pom).toContain(`<artifactId>${java.maven.artifactId}</artifactId>`);
    const dir = join('src', 'main', 'java', ...java.package.split('.'));
    expect(types.filter((t) => !files.java.includes(join(dir, `${t}.java`)))).toEqual([]);
    expect(lacking(structProperties(), (_, p) => new RegExp(`public Builder ${p}\\((final )?[\\w.<>?, ]+ ${p}\\)`).test(src))).toEqual([]);
    expect(lacking(attributes(), (_, a) => src.includes(`java.lang.String get${pascal(a)}()`))).toEqual([]);
    const expected = [
      'public final static java.lang.String SERVICE_TOKEN_EXPORT_NAME;',
      'public static @org.jetbrains.annotations.NotNull software.amazon.awscdk.services.lambda.Code code()',
      'public void grantLaunchToRole(final @org.jetbrains.annotations.NotNull software.amazon.awscdk.services.iam.IRole role)',
    ];
    expect(expected.filter((e) => !src.includes(e))).toEqual([]);
  });

  it('.NET: the NuGet package and namespace, PascalCase props and attributes', () => {
    const dotnet = pkg.jsii.targets.dotnet as { namespace: string; packageId: string };
    const src = sources.dotnet;
    expect(files.dotnet).toContain(join(dotnet.packageId, `${dotnet.packageId}.csproj`));
    expect(types.filter((t) => !files.dotnet.includes(join(dotnet.packageId, dotnet.namespace, `${t}.cs`)))).toEqual([]);
    expect(src).toContain(`namespace ${dotnet.namespace}`);
    expect(lacking(structProperties(), (_, p) => new RegExp(`public [\\w.<>?,[\\] ]+ ${pascal(p)}\\b`).test(src))).toEqual([]);
    expect(lacking(attributes(), (_, a) => src.includes(`public virtual string ${pascal(a)}`))).toEqual([]);
    const expected = [
      'public static string SERVICE_TOKEN_EXPORT_NAME',
      'public static Amazon.CDK.AWS.Lambda.Code Code()',
      'public virtual void GrantLaunchToRole(Amazon.CDK.AWS.IAM.IRole role)',
    ];
    expect(expected.filter((e) => !src.includes(e))).toEqual([]);
  });

  it('Go: the module and package, New<Construct> functions, props structs and attribute methods', () => {
    const go = pkg.jsii.targets.go as { moduleName: string; packageName: string };
    const src = sources.go;
    const mod = readFileSync(join(generated, 'go', go.packageName, 'go.mod'), 'utf8');
    expect(mod).toMatch(new RegExp(`^module ${go.moduleName}/${go.packageName}$`, 'm'));
    const constructor = (c: string) =>
      new RegExp(`^func New${c}\\(scope constructs\\.Construct, id \\*string, props \\*${c}Props\\) ${c} \\{`, 'm');
    expect(CONSTRUCTS.filter((c) => !constructor(c).test(src))).toEqual([]);
    expect(STRUCTS.filter((t) => !new RegExp(`^type ${t} struct \\{`, 'm').test(src))).toEqual([]);
    expect(
      lacking(structProperties(), (_, p) => new RegExp(`^\\t${pascal(p)} \\S+ \`field:"(required|optional)" json:"${p}"`, 'm').test(src)),
    ).toEqual([]);
    expect(lacking(attributes(), (_, a) => src.includes(`\t${pascal(a)}() *string\n`))).toEqual([]);
    const expected = [
      'func AtlasPrivateEndpointProviderStack_SERVICE_TOKEN_EXPORT_NAME() *string {',
      'func ProviderHandler_Code() awslambda.Code {',
      'GrantLaunchToRole(role awsiam.IRole)',
    ];
    expect(expected.filter((e) => !src.includes(e))).toEqual([]);
  });

  it("the README's Python example uses the generated module's names and the TypeScript example's values", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const after = readme.slice(readme.indexOf('### PrivateLink in one construct'));
    const ts = /```ts\n([\s\S]*?)```/.exec(after)![1];
    const python = /```python\n([\s\S]*?)```/.exec(after)![1];
    const module = (pkg.jsii.targets.python as { module: string }).module;
    const imported = /^from (\S+) import (.+)$/m.exec(python.split('\n').find((l) => l.startsWith(`from ${module} `)) ?? '');
    expect(imported?.[1]).toBe(module);
    for (const name of imported![2].split(',').map((n) => n.trim())) expect(sources.python).toMatch(new RegExp(`^class ${name}\\(`, 'm'));
    const call = /AtlasPrivateLink\(([\s\S]*?)\n\)/.exec(python)![1];
    const keywords = [...call.matchAll(/^\s+(\w+)=/gm)].map((m) => m[1]);
    expect(keywords.length).toBeGreaterThan(0);
    for (const k of keywords) expect(sources.python).toContain(`def ${k}(self)`);
    // The same app: every string and number of the TypeScript example appears in the Python one.
    const literals = (code: string) =>
      new Set([...code.replace(/^import .*$/gm, '').matchAll(/'([^']*)'|"([^"]*)"|\b(\d+)\b/g)].map((m) => m[1] ?? m[2] ?? m[3]));
    const fromPython = literals(python.replace(/^(from|import) .*$/gm, ''));
    expect([...literals(ts)].filter((l) => !fromPython.has(l))).toEqual([]);
  });
});

describe('API compatibility', () => {
  const test = 'rev' in base ? it : it.skip;
  test(`jsii-diff finds no breaking change since the last commit${'none' in base ? ` (skipped: ${base.none})` : ''}`, async () => {
    const args = ['--error-on', 'all', '--keys', '--ignore-file', join(ROOT, 'allowed-breaking-changes.txt'), previous, current];
    expect(await previousCompiled).toBeUndefined();
    const r = spawnSync(join(BIN, 'jsii-diff'), args, { cwd: work, encoding: 'utf8', timeout: 300_000 });
    expect(`${r.status}\n${r.stderr}`).toBe(`0\n${r.stderr}`);
    // jsii-diff answers 0 when it cannot load an assembly.
    expect(r.stderr).not.toMatch(/Skipping analysis/);
  }, 300_000);
});
