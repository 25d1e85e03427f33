/**
 * `npm run package`: the provider for plain CloudFormation. Synthesizes the provider stack (the same one
 * `cdk deploy` deploys) with a synthesizer that needs no bootstrap stack and no fixed environment, and
 * writes beside the template the Lambda code package its `CodeBucket`/`CodeKey` parameters point at.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { zipSync, type Zippable } from 'fflate';
import { AtlasPrivateEndpointProviderStack } from '../../lib';
import { CodeParameterSynthesizer } from './code-parameter-synthesizer';

export const TEMPLATE_FILE = 'atlas-private-endpoint-provider.template.json';
const ZIP_PREFIX = 'atlas-private-endpoint-provider-';
export const DEFAULT_OUT_DIR = join(__dirname, '..', '..', 'build', 'cloudformation');

export interface PackageOptions {
  /** Where the template and the zip go. */
  readonly outDir?: string;
  /** Profiles whose secrets the provider may read (the provider stack's default otherwise). */
  readonly profiles?: string[];
}

export interface PackageResult {
  readonly templateFile: string;
  readonly zipFile: string;
  /** The zip's name: the default of `CodeKey`. */
  readonly codeKey: string;
  readonly template: Record<string, unknown>;
}

export function packageProvider(options: PackageOptions = {}): PackageResult {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const assemblyDir = mkdtempSync(join(tmpdir(), 'atlas-provider-package-'));
  try {
    const app = new App({
      outdir: assemblyDir,
      analyticsReporting: false,
      // Construct paths and asset paths describe this machine's build, not the deployed stack.
      context: { 'aws:cdk:enable-path-metadata': false, 'aws:cdk:enable-asset-metadata': false },
    });
    // The key names the package by its content, so that a new package is a new key and CloudFormation updates the code.
    const synthesizer = new CodeParameterSynthesizer((asset) => `${ZIP_PREFIX}${asset.sourceHash.slice(0, 16)}.zip`);
    const stack = new AtlasPrivateEndpointProviderStack(app, 'AtlasPrivateEndpointProvider', {
      synthesizer,
      ...(options.profiles ? { profiles: options.profiles } : {}),
      description:
        'MongoDB Atlas private endpoint provider: the ServiceToken of Custom::AtlasPrivateEndpointService and Custom::AtlasPrivateEndpoint',
    });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as Record<string, unknown>;
    if (!synthesizer.asset?.fileName) throw new Error('the provider stack has no Lambda code package');
    checkPortable(template);

    const codeKey = (template.Parameters as Record<string, { Default: string }>).CodeKey.Default;
    mkdirSync(outDir, { recursive: true });
    for (const old of readdirSync(outDir)) if (old.startsWith(ZIP_PREFIX) && old.endsWith('.zip')) rmSync(join(outDir, old));
    const templateFile = join(outDir, TEMPLATE_FILE);
    const zipFile = join(outDir, codeKey);
    writeFileSync(templateFile, `${JSON.stringify(template, null, 2)}\n`);
    writeFileSync(zipFile, zipDirectory(join(assembly.directory, synthesizer.asset.fileName)));
    return { templateFile, zipFile, codeKey, template };
  } finally {
    rmSync(assemblyDir, { recursive: true, force: true });
  }
}

/** Refuses a template tied to one region, partition or account, or to a bootstrap stack. */
export function checkPortable(template: Record<string, unknown>): void {
  const text = JSON.stringify(template);
  const problems = [
    [/\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-[a-z]+-\d\b/, 'a region name'],
    [/arn:aws(?:-cn|-us-gov|-iso[a-z-]*)?:/, 'a partition in an ARN'],
    [/\b\d{12}\b/, 'an account id'],
    [/cdk-bootstrap|BootstrapVersion|AssetParameters|cdk-[a-z0-9]{9}-assets/, 'a CDK bootstrap reference'],
  ] as const;
  for (const [pattern, what] of problems) {
    const m = pattern.exec(text);
    if (m) throw new Error(`the provider template holds ${what} (${m[0]}); it must deploy to any region, partition and account`);
  }
}

/** A zip of every file under `dir`, byte-for-byte the same for the same files. */
function zipDirectory(dir: string): Uint8Array {
  const files: Zippable = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path).split('\\').join('/')] = [readFileSync(path), { mtime: new Date('1980-01-01T00:00:00Z'), level: 9 }];
    }
  };
  walk(dir);
  if (Object.keys(files).length === 0) throw new Error(`no Lambda code in ${dir}`);
  return zipSync(files);
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, profiles: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(`Usage: npm run package -- [--out DIR] [--profiles default,prod]

Writes the provider's CloudFormation template (${TEMPLATE_FILE}) and its Lambda code package
(${ZIP_PREFIX}<hash>.zip) into DIR (default build/cloudformation). The template needs no CDK bootstrap and
deploys to any region: upload the zip to an S3 bucket in that region and give the bucket as CodeBucket.
--profiles  profiles whose secrets cfn/atlas/profile/<profile> the provider may read (default: default)`);
    process.exit(0);
  }
  const profiles = values.profiles
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const result = packageProvider({ ...(values.out ? { outDir: values.out } : {}), ...(profiles ? { profiles } : {}) });
  const sha = createHash('sha256').update(readFileSync(result.zipFile)).digest('hex');
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  console.log(`${rel(result.templateFile)}\n${rel(result.zipFile)} (sha256 ${sha})`);
}
