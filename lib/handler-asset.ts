/**
 * Where the provider's Lambda code comes from.
 *
 * The published package carries the handler prebuilt: `npm run build` bundles `lambda/handler.ts` into
 * `dist/handler/index.js` beside the compiled constructs (`dist/lib/`), so an app that installs the package
 * needs no esbuild, no lock file and no TypeScript toolchain at synth. In this repository, where the
 * constructs run from TypeScript source, the handler is bundled from source with the same options each time
 * an app is synthesized, so what is deployed is always the code in `lambda/`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The handlers in the bundle: `index.onEvent` (the ServiceToken), `index.onStep` (the wait loop's tasks) and
 * `index.onEventFailed` (the ServiceToken's failure destination).
 */
export const PROVIDER_HANDLERS: {
  /** The ServiceToken function's handler. */
  readonly onEvent: string;
  /** The wait loop's step function's handler. */
  readonly onStep: string;
  /** The ServiceToken function's failure destination's handler. */
  readonly onEventFailed: string;
} = { onEvent: 'index.onEvent', onStep: 'index.onStep', onEventFailed: 'index.onEventFailed' };

/** The prebuilt bundle's folder in the package: `dist/handler`, beside `dist/lib`. */
const PREBUILT = join(__dirname, '..', 'handler');
/** The repository root when running from source (`lib/` is one level down). */
const SOURCE_ROOT = join(__dirname, '..');
const SOURCE_ENTRY = join(SOURCE_ROOT, 'lambda', 'handler.ts');

let cached: string | undefined;

/**
 * The folder holding the provider's bundled handler (`index.js` and its source map): the prebuilt one in
 * the package, or, in this repository, a fresh bundle of the source.
 */
export function providerHandlerDirectory(): string {
  if (existsSync(join(PREBUILT, 'index.js'))) return PREBUILT;
  if (!existsSync(SOURCE_ENTRY)) {
    throw new Error(`The provider's Lambda bundle is missing: expected ${join(PREBUILT, 'index.js')} (run "npm run build").`);
  }
  cached ??= bundleFromSource();
  return cached;
}

/** The provider's Lambda code as a CDK asset (one asset however many functions use it). */
export function providerHandlerCode(): lambda.Code {
  return lambda.Code.fromAsset(providerHandlerDirectory());
}

/**
 * The provider's Lambda code and its handlers, for a provider of one's own around the same functions: what
 * `providerHandlerCode()` and `PROVIDER_HANDLERS` give in TypeScript, reachable from every language.
 *
 * @exampleMetadata fixture=construct
 * @example
 * const stepFunction = new lambda.Function(this, 'StepFunction', {
 *   runtime: AtlasPrivateEndpointProvider.RUNTIME,
 *   code: ProviderHandler.code(),
 *   handler: ProviderHandler.ON_STEP,
 * });
 */
export class ProviderHandler {
  /** The ServiceToken function's handler: `index.onEvent`. */
  static readonly ON_EVENT: string = PROVIDER_HANDLERS.onEvent;
  /** The wait loop's step function's handler: `index.onStep`. */
  static readonly ON_STEP: string = PROVIDER_HANDLERS.onStep;
  /** The ServiceToken function's failure destination's handler: `index.onEventFailed`. */
  static readonly ON_EVENT_FAILED: string = PROVIDER_HANDLERS.onEventFailed;

  /** The provider's Lambda code as a CDK asset (one asset however many functions use it). */
  static code(): lambda.Code {
    return providerHandlerCode();
  }

  private constructor() {}
}

/**
 * Bundles the handler into `outdir` (`index.js`, `index.js.map`). The AWS SDK v3 is left out: the Lambda
 * runtime provides it. Used by the package build and, from source, by {@link providerHandlerDirectory}.
 */
export function bundleProviderHandler(outdir: string, entry: string = SOURCE_ENTRY): void {
  for (const file of buildBundle(entry, join(outdir, 'index.js'))) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
  }
}

/**
 * How the provider's handler is bundled (the benchmark measures bundles built the same way).
 * @internal
 */
export const PROVIDER_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  // Stack traces need the mappings, not a copy of every dependency's source.
  sourcesContent: false,
  // The Lambda runtime brings the AWS SDK.
  external: ['@aws-sdk/*'] as string[],
  logLevel: 'warning',
  write: false,
} as const;

function buildBundle(entry: string, outfile: string): { path: string; contents: Uint8Array }[] {
  // esbuild is a development dependency: only building from source needs it.
  let esbuild: typeof import('esbuild');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    esbuild = require('esbuild') as typeof import('esbuild');
  } catch (err) {
    throw new Error(
      'Bundling the provider from source needs esbuild (a development dependency of this repository); an installed package uses its prebuilt dist/handler and never bundles.',
      { cause: err },
    );
  }
  const result = esbuild.buildSync({ ...PROVIDER_BUNDLE_OPTIONS, entryPoints: [entry], outfile });
  return result.outputFiles.map((f) => ({ path: f.path, contents: f.contents }));
}

/**
 * Bundles into a folder named by the bundle's content under `.build/provider-handler/`, written then
 * renamed into place so that concurrent synths (test workers) never read a half-written file, and the same
 * source gives the same asset (a redeploy without changes updates nothing).
 */
function bundleFromSource(): string {
  const base = join(SOURCE_ROOT, '.build', 'provider-handler');
  // Every candidate folder sits at the same depth, so the source map's relative paths do not depend on it.
  const files = buildBundle(SOURCE_ENTRY, join(base, 'bundle', 'index.js'));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.contents);
  const dir = join(base, hash.digest('hex').slice(0, 16));
  if (files.every((f) => existsSync(join(dir, relativeName(f.path))) && sameBytes(join(dir, relativeName(f.path)), f.contents))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  mkdirSync(staging, { recursive: true });
  for (const f of files) writeFileSync(join(staging, relativeName(f.path)), f.contents);
  try {
    renameSync(staging, dir);
  } catch (e) {
    // Another process put the same bundle there first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'index.js'))) throw e;
  }
  return dir;
}

function relativeName(path: string): string {
  return path.slice(dirname(path).length + 1);
}

function sameBytes(path: string, contents: Uint8Array): boolean {
  return Buffer.compare(readFileSync(path), Buffer.from(contents)) === 0;
}
