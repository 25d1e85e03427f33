/**
 * Cold start: the Lambda asset as it is deployed (the folder the provider's functions use, zipped the way
 * CloudFormation receives it), what the bundle is made of, how long a fresh Node.js process of the
 * runtime's major version takes to load it beyond a bare start, and which modules each entry point
 * evaluates when Lambda initialises it. Beside it, measured the same way in the same run, a naive
 * baseline: the same runtime dependencies imported at the top of one file, bundled with the same options.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { zipSync } from 'fflate';
import { PROVIDER_BUNDLE_OPTIONS, providerHandlerDirectory } from '../lib/handler-asset';
import { median } from './stats';

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'lambda', 'handler.ts');
const WORK = join(ROOT, '.build', 'bench');

/** The options the provider's bundle is built with, for builds that need a metafile. */
const BUNDLE_OPTIONS: BuildOptions = { ...PROVIDER_BUNDLE_OPTIONS, logLevel: 'silent' };

/** The runtime's dependencies, imported whole at the top of one file. */
const NAIVE_BASELINE = `import * as undici from 'undici';
import * as powertools from '@aws-lambda-powertools/logger';
export const dependencies = { undici, powertools };
`;

/**
 * What the ServiceToken function has no use for: the Atlas client (its HTTP, digest, OAuth and retry
 * modules), the HTTP transport and undici, the credentials provider and Secrets Manager. (Atlas's error
 * and model types are plain data the planning shares.)
 */
const STEP_ONLY = [
  /^undici$/,
  /^@aws-sdk\/client-secrets-manager$/,
  /^lambda\/atlas\/(client|http|auth|digest|oauth|retry|base-url)\.ts$/,
  /^lambda\/http\//,
  /^lambda\/credentials\/credentials-(provider|store)\.ts$/,
  /^lambda\/runtime\/atlas-access\.ts$/,
];

export interface BundlePart {
  /** `own code` or a package name. */
  part: string;
  bytes: number;
}

export interface ColdStartResult {
  node: string;
  asset: { files: { name: string; bytes: number }[]; zipBytes: number; sourceMapHasSourcesContent: boolean | null };
  bundleBytes: number;
  bundleGzipBytes: number;
  parts: BundlePart[];
  /** Bytes that are not a dependency's: own modules and the bundler's wrappers and helpers. */
  ownCodeBytes: number;
  /** Packages the project's own code imports, and the packages those import: what the bundle should hold besides own code. */
  usedPackages: string[];
  baseline: { bundleBytes: number; bundleGzipBytes: number; loadOverheadMs: number };
  /** Median ms to load the bundle in a fresh process minus a bare start. */
  loadOverheadMs: number;
  /** The same with the dependencies replaced by empty stand-ins: what the project's own code costs to load. */
  ownCodeLoadOverheadMs: number;
  bareStartMs: number;
  runs: number;
  /** What each entry point evaluates when Lambda initialises and first invokes it. */
  evaluated: Record<'onEvent' | 'onStep', { ownModules: number; packages: string[]; stepOnly: string[] }>;
}

export async function benchColdStart(options: { runs?: number } = {}): Promise<ColdStartResult> {
  const runs = Math.max(3, options.runs ?? 20);
  const node = runtimeNode();
  mkdirSync(WORK, { recursive: true });

  const dir = providerHandlerDirectory();
  const files = readdirSync(dir).sort();
  const contents = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f))]));
  const bundle = contents['index.js'];
  // The zip CloudFormation uploads: the folder's files at the root, deflated at the highest level.
  const zip = zipSync(Object.fromEntries(files.map((f) => [f, new Uint8Array(contents[f])])), {
    level: 9,
    mtime: new Date(Date.UTC(1980, 0, 1)),
  });
  const map = contents['index.js.map']
    ? (JSON.parse(contents['index.js.map'].toString('utf8')) as { sourcesContent?: (string | null)[] })
    : undefined;

  const { metafile } = await build({ entryPoints: [ENTRY], outfile: join(WORK, 'meta', 'index.js') });
  const parts = partsOf(metafile);
  // The project's share: everything in the bundle that is not a dependency's code (its modules, and the
  // wrappers and helpers the bundler adds for them, such as the lazy initialisers of modules loaded on first use).
  const ownCodeBytes = parts.filter((p) => p.part === OWN || p.part === WRAPPERS).reduce((a, p) => a + p.bytes, 0);
  const usedPackages = importedPackages(metafile);

  const baselineBuild = await build({
    stdin: { contents: NAIVE_BASELINE, resolveDir: ROOT, sourcefile: 'naive-baseline.ts', loader: 'ts' },
    outfile: join(WORK, 'baseline', 'index.js'),
  });
  const baselineFile = writeOutputs(baselineBuild.outputFiles);
  const ownOnly = await build({ entryPoints: [ENTRY], outfile: join(WORK, 'own-only', 'index.js'), plugins: [standIns()] });
  const ownOnlyFile = writeOutputs(ownOnly.outputFiles);
  const ours = join(dir, 'index.js');

  // Interleaved so that drift in the machine's load hits every variant alike.
  const samples: Record<'bare' | 'ours' | 'baseline' | 'own', number[]> = { bare: [], ours: [], baseline: [], own: [] };
  for (let i = 0; i < runs; i++) {
    samples.bare.push(timeProcess(node, '0'));
    samples.ours.push(timeProcess(node, `require(${JSON.stringify(ours)})`));
    samples.baseline.push(timeProcess(node, `require(${JSON.stringify(baselineFile)})`));
    samples.own.push(timeProcess(node, `require(${JSON.stringify(ownOnlyFile)})`));
  }
  const bare = median(samples.bare);
  const overhead = (k: 'ours' | 'baseline' | 'own') => Math.max(0, median(samples[k]) - bare);

  const traced = await build({ entryPoints: [ENTRY], outfile: join(WORK, 'traced', 'index.js'), plugins: [evaluationTrace()] });
  const tracedFile = writeOutputs(traced.outputFiles);

  return {
    node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    asset: {
      files: files.map((f) => ({ name: f, bytes: contents[f].length })),
      zipBytes: zip.length,
      sourceMapHasSourcesContent: map ? (map.sourcesContent ?? []).some((s) => s !== null && s !== undefined) : null,
    },
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle, { level: 9 }).length,
    parts,
    ownCodeBytes,
    usedPackages,
    baseline: {
      bundleBytes: readFileSync(baselineFile).length,
      bundleGzipBytes: gzipSync(readFileSync(baselineFile), { level: 9 }).length,
      loadOverheadMs: overhead('baseline'),
    },
    loadOverheadMs: overhead('ours'),
    ownCodeLoadOverheadMs: overhead('own'),
    bareStartMs: bare,
    runs,
    evaluated: { onEvent: evaluatedBy(node, tracedFile, 'onEvent'), onStep: evaluatedBy(node, tracedFile, 'onStep') },
  };
}

/** Node.js of the Lambda runtime's major version: this process's when it is that one (npm scripts bring Node 24). */
function runtimeNode(): string {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const local = join(ROOT, 'node_modules', 'node', 'bin', 'node');
  const v = spawnSync(local, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  if (!v.startsWith('v24.'))
    throw new Error(`Node.js 24 is needed to measure the runtime's load time; found ${process.version} (run through npm run bench)`);
  return local;
}

async function build(options: BuildOptions): Promise<{ metafile: Metafile; outputFiles: { path: string; contents: Uint8Array }[] }> {
  const result = await esbuild.build({ ...BUNDLE_OPTIONS, ...options, metafile: true });
  return { metafile: result.metafile!, outputFiles: result.outputFiles ?? [] };
}

function writeOutputs(outputs: { path: string; contents: Uint8Array }[]): string {
  let js = '';
  for (const f of outputs) {
    mkdirSync(join(f.path, '..'), { recursive: true });
    writeFileSync(f.path, f.contents);
    if (f.path.endsWith('.js')) js = f.path;
  }
  return js;
}

const OWN = 'own code';
const WRAPPERS = 'bundler runtime and module wrappers';

/** Output bytes by the project's own code and by package. */
function partsOf(metafile: Metafile): BundlePart[] {
  const out = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined || Object.keys(o.inputs).length > 0)!;
  const byPart = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
    const part = packageOf(input) ?? OWN;
    byPart.set(part, (byPart.get(part) ?? 0) + bytesInOutput);
  }
  // What is not attributed to an input: esbuild's module wrappers and runtime helpers.
  const attributed = [...byPart.values()].reduce((a, b) => a + b, 0);
  byPart.set(WRAPPERS, out.bytes - attributed);
  return [...byPart.entries()].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Never meant for the Lambda bundle: the CDK, build tools, and the AWS SDK the runtime provides. */
const NEVER_BUNDLED = [/^aws-cdk-lib$/, /^constructs$/, /^aws-cdk$/, /^esbuild$/, /^typescript$/, /^@aws-sdk\//];

/** Packages reached from the project's own modules through imports (minus those never meant for the bundle). */
function importedPackages(metafile: Metafile): string[] {
  const seen = new Set<string>();
  const queue = Object.keys(metafile.inputs).filter((i) => !packageOf(i));
  const visited = new Set(queue);
  while (queue.length) {
    const input = queue.pop()!;
    for (const imp of metafile.inputs[input]?.imports ?? []) {
      if (imp.external || visited.has(imp.path)) continue;
      visited.add(imp.path);
      const p = packageOf(imp.path);
      if (p) seen.add(p);
      queue.push(imp.path);
    }
  }
  return [...seen].filter((p) => !NEVER_BUNDLED.some((re) => re.test(p))).sort();
}

function packageOf(input: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(
    input.split('node_modules/').length > 2 ? input.slice(input.lastIndexOf('node_modules/')) : input,
  );
  return m?.[1];
}

// Every export a package offers is a class whose instances absorb any call; enough for the code to load.
const STAND_IN = `const absorb = new Proxy(function () {}, { get: () => absorb, apply: () => absorb, construct: () => absorb });
class StandIn { constructor() { return absorb; } }
module.exports = new Proxy({}, {
  get: (t, k) => (k === '__esModule' ? false : StandIn),
  has: () => true,
  ownKeys: () => ['Logger', 'Agent', 'Client', 'Pool', 'request', 'fetch', 'errors', 'default'],
  getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, value: StandIn, writable: false }),
});`;

/** Replaces every package with an inert stand-in, leaving only the project's own code to load. */
function standIns(): Plugin {
  return {
    name: 'stand-ins',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) =>
        args.kind === 'entry-point' || args.path.startsWith('node:') ? undefined : { path: args.path, namespace: 'stand-in' },
      );
      b.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({
        contents: STAND_IN,
        loader: 'js',
      }));
    },
  };
}

/** Makes every module record its path when it is evaluated (esbuild evaluates a module when first needed). */
function evaluationTrace(): Plugin {
  return {
    name: 'evaluation-trace',
    setup(b) {
      b.onLoad({ filter: /\.(ts|js|mjs|cjs)$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const id = relative(ROOT, args.path).replace(/\\/g, '/');
        const mark = `(globalThis.__benchEvaluated ??= []).push(${JSON.stringify(id)});`;
        // After a shebang or 'use strict' prologue is fine for evaluation order: the mark is the body's first statement.
        const loader = args.path.endsWith('.ts') ? 'ts' : 'js';
        return { contents: source.startsWith('#!') ? source.replace(/^#!.*\n/, (l) => l + mark + '\n') : `${mark}\n${source}`, loader };
      });
    },
  };
}

/**
 * Loads the traced bundle in a fresh process as Lambda initialises a function, invokes the entry point once
 * with an event it refuses (so that its set-up runs without reaching AWS), and lists what was evaluated.
 */
function evaluatedBy(
  node: string,
  file: string,
  handler: 'onEvent' | 'onStep',
): { ownModules: number; packages: string[]; stepOnly: string[] } {
  const script = `
const Module = require('module');
const external = new Set();
const load = Module._load;
const bundle = ${JSON.stringify(file)};
Module._load = function (request, parent, ...rest) { if (parent && parent.filename === bundle && !Module.isBuiltin(request)) external.add(request); return load.call(this, request, parent, ...rest); };
const m = require(${JSON.stringify(file)});
Promise.resolve().then(() => m.${handler}({})).catch(() => undefined).then(() => {
  process.stdout.write(JSON.stringify({ evaluated: globalThis.__benchEvaluated ?? [], external: [...external] }));
});`;
  const r = spawnSync(node, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  });
  const { evaluated, external } = JSON.parse(r.stdout) as { evaluated: string[]; external: string[] };
  const packages = new Set<string>();
  let ownModules = 0;
  for (const id of evaluated) {
    const p = packageOf(id);
    if (p) packages.add(p);
    else ownModules++;
  }
  for (const e of external) packages.add(e.startsWith('@') ? e.split('/').slice(0, 2).join('/') : e.split('/')[0]);
  const ids = [...evaluated.filter((id) => !packageOf(id)), ...packages];
  return { ownModules, packages: [...packages].sort(), stepOnly: ids.filter((id) => STEP_ONLY.some((re) => re.test(id))).sort() };
}

function timeProcess(node: string, code: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(node, ['-e', code], { stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node -e ${code} failed with status ${r.status}`);
  return ms;
}
