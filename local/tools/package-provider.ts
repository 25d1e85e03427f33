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
import { App, Aws, CfnCondition, CfnParameter, Fn, Lazy, Names } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { zipSync, type Zippable } from 'fflate';
import { AtlasPrivateEndpointProviderStack, SERVICE_TOKEN_EXPORT_NAME, SERVICE_TOKEN_PARAMETER_NAME } from '../../lib';
import { PROFILE_BINDINGS_ENV } from '../../lambda/model/profile-bindings';
import { DEFAULT_PROFILE, PROFILE_SECRET_PREFIX } from '../../lambda/model/credentials-secret';
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
    // What a second provider in the same account and region must differ in comes from parameters, made
    // once the stack exists (the props read them lazily, at synth).
    const deployTime: { parameters?: DeployTimeParameters } = {};
    const later = (value: (p: DeployTimeParameters) => string) => Lazy.string({ produce: () => value(deployTime.parameters!) });
    const profiles = options.profiles ?? [DEFAULT_PROFILE];
    const stack: AtlasPrivateEndpointProviderStack = new AtlasPrivateEndpointProviderStack(app, 'AtlasPrivateEndpointProvider', {
      synthesizer,
      profiles,
      description:
        'MongoDB Atlas private endpoint provider: the ServiceToken of Custom::AtlasPrivateEndpointService and Custom::AtlasPrivateEndpoint',
      exportName: later((p) => p.exportName),
      serviceTokenParameterName: later((p) => p.parameterName),
      stateMachineName: later((p) =>
        Fn.conditionIf(
          p.hasNamePrefix,
          Fn.join('', [p.namePrefix, '-wait-loop']),
          Names.uniqueResourceName(stack.provider, { maxLength: 80, separator: '-' }),
        ).toString(),
      ),
    });
    deployTime.parameters = addDeployTimeParameters(stack, profiles);
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

interface DeployTimeParameters {
  readonly namePrefix: string;
  readonly hasNamePrefix: string;
  readonly exportName: string;
  readonly parameterName: string;
}

/**
 * The packaged template's parameters beyond the code location: the state machine's name prefix, the
 * export name, the SSM parameter name, the ServiceToken function's reserved concurrency (0: none),
 * secret ARNs beside the packaged profiles, and the profile bindings.
 */
function addDeployTimeParameters(stack: AtlasPrivateEndpointProviderStack, profiles: string[]): DeployTimeParameters {
  const namePrefix = new CfnParameter(stack, 'NamePrefix', {
    type: 'String',
    default: '',
    allowedPattern: '^$|^[A-Za-z0-9_-]{1,60}$',
    description:
      'A second provider in the same account and region: names its state machine <NamePrefix>-wait-loop (empty: the name of the only one)',
  });
  const exportName = new CfnParameter(stack, 'ExportName', {
    type: 'String',
    default: SERVICE_TOKEN_EXPORT_NAME,
    allowedPattern: '^[A-Za-z0-9:-]{1,255}$',
    description: 'The export holding the ServiceToken (unique in the account and region)',
  });
  const parameterName = new CfnParameter(stack, 'ServiceTokenParameterName', {
    type: 'String',
    default: SERVICE_TOKEN_PARAMETER_NAME,
    allowedPattern: '^/[A-Za-z0-9_.\\-/]{1,1010}$',
    description: 'The SSM String parameter holding the ServiceToken (unique in the account and region)',
  });
  const concurrency = new CfnParameter(stack, 'ReservedConcurrency', {
    type: 'Number',
    default: 10,
    minValue: 0,
    description: 'Concurrent executions reserved for the ServiceToken function; 0: none (for accounts whose concurrency quota is 10)',
  });
  const secretArns = new CfnParameter(stack, 'CredentialsSecretArns', {
    type: 'CommaDelimitedList',
    default: '',
    description: `Full ARNs of further secrets holding Atlas credentials, beside the profiles ${profiles.join(', ')}`,
  });
  const bindings = new CfnParameter(stack, 'ProfileBindings', {
    type: 'String',
    default: '',
    description:
      'Which stacks (and Atlas projects) may use which credentials, as JSON: [{"secret":"<profile or secret ARN>","stacks":["<name>","<prefix>*"],"projects":["<project id>"]}]; empty: every stack may use every secret',
  });
  const condition = (id: string, expression: ReturnType<typeof Fn.conditionEquals>) => new CfnCondition(stack, id, { expression });
  const hasNamePrefix = condition('HasNamePrefix', Fn.conditionNot(Fn.conditionEquals(namePrefix.valueAsString, '')));
  const noReservedConcurrency = condition('NoReservedConcurrency', Fn.conditionEquals(concurrency.valueAsString, '0'));
  const hasSecretArns = condition('HasCredentialsSecretArns', Fn.conditionNot(Fn.conditionEquals(Fn.join('', secretArns.valueAsList), '')));
  const hasBindings = condition('HasProfileBindings', Fn.conditionNot(Fn.conditionEquals(bindings.valueAsString, '')));

  const { provider } = stack;
  (provider.onEventFunction.node.defaultChild as lambda.CfnFunction).addPropertyOverride(
    'ReservedConcurrentExecutions',
    Fn.conditionIf(noReservedConcurrency.logicalId, Aws.NO_VALUE, concurrency.valueAsNumber),
  );
  // Without bindings, every secret (profiles and ARNs) serves every stack of the account and region.
  const everyStack = (secret: string) => JSON.stringify({ secret, stacks: ['*'] });
  const byDefault = Fn.join('', [
    `[${profiles.map((p) => everyStack(PROFILE_SECRET_PREFIX + p)).join(',')}`,
    Fn.conditionIf(
      hasSecretArns.logicalId,
      Fn.join('', [',{"secret":"', Fn.join('","stacks":["*"]},{"secret":"', secretArns.valueAsList), '","stacks":["*"]}']),
      '',
    ).toString(),
    ']',
  ]);
  for (const fn of provider.node
    .findAll()
    .filter((c) => (c.node.defaultChild as { cfnResourceType?: string } | undefined)?.cfnResourceType === 'AWS::Lambda::Function')) {
    (fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride(
      `Environment.Variables.${PROFILE_BINDINGS_ENV}`,
      Fn.conditionIf(hasBindings.logicalId, bindings.valueAsString, byDefault),
    );
  }
  // The step function may read the secrets given by ARN, when there are any.
  const readArns = new iam.CfnPolicy(stack, 'CredentialsSecretArnsPolicy', {
    policyName: 'credentials-secret-arns',
    roles: [(provider.stepFunction.role as iam.Role).roleName],
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArns.valueAsList }],
    },
  });
  readArns.cfnOptions.condition = hasSecretArns;
  return {
    namePrefix: namePrefix.valueAsString,
    hasNamePrefix: hasNamePrefix.logicalId,
    exportName: exportName.valueAsString,
    parameterName: parameterName.valueAsString,
  };
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
--profiles  profiles whose secrets cfn/atlas/profile/<profile> the provider may read (default: default)

Parameters of the template besides CodeBucket and CodeKey, for a second provider in the same account and
region: NamePrefix, ExportName, ServiceTokenParameterName, ReservedConcurrency (0: none),
CredentialsSecretArns, ProfileBindings (JSON).`);
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
  // Said where the deployer looks: a secret nobody binds serves every stack.
  console.log(
    `Profiles ${(profiles ?? [DEFAULT_PROFILE]).join(', ')} (and any CredentialsSecretArns) serve every stack of the account and region the template is deployed to, unless its ProfileBindings parameter narrows them.`,
  );
}
