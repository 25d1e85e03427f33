/**
 * The stacks of this repository's CDK app, configured from context (`cdk.json` or `-c key=value`):
 *
 * - `profiles`, `credentialsSecretArns`: comma-separated; which credentials secrets the provider may read
 *   (default profile `default`)
 * - `logLevel`: DEBUG, INFO (default), WARN or ERROR
 * - `logRetentionDays`: one of CloudWatch's retention periods (default 30)
 * - `removalPolicy`: retain (default) or destroy, for the provider's key and log groups
 * - `atlasBaseUrl`: for example https://cloud.mongodbgov.com (Atlas for Government)
 * - `serviceTokenConcurrency`: reserved concurrency of the ServiceToken function (default 10)
 * - `projectId`, `profile`: the example's Atlas project (else a `ProjectId` parameter) and credentials profile
 *
 * Stacks: the provider (`AtlasPrivateEndpointProvider`), an example PrivateLink (`AtlasPrivateLinkExample`)
 * and a Service Catalog portfolio (`AtlasPrivateEndpointCatalog`); the last two need the provider deployed.
 */
import { type App, RemovalPolicy, Stack, type Environment } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AtlasPrivateEndpointCatalog, AtlasPrivateEndpointProviderStack, type ProviderLogLevel } from '../lib';
import { PrivateLinkExampleStack } from './private-link-example';

export const PROVIDER_STACK = 'AtlasPrivateEndpointProvider';
export const EXAMPLE_STACK = 'AtlasPrivateLinkExample';
export const CATALOG_STACK = 'AtlasPrivateEndpointCatalog';

export interface AppStacks {
  provider: AtlasPrivateEndpointProviderStack;
  example: PrivateLinkExampleStack;
  catalog: Stack;
}

/** Adds the app's stacks; `env` only for tests that pin a region (the app itself is environment-agnostic). */
export function addStacks(app: App, env?: Environment): AppStacks {
  const context = (key: string): string | undefined => {
    const v: unknown = app.node.tryGetContext(key);
    if (v === undefined || v === null || v === '') return undefined;
    return Array.isArray(v) ? v.join(',') : String(v);
  };
  const list = (key: string) =>
    context(key)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const profile = context('profile');
  const profiles = list('profiles');
  const retention = context('logRetentionDays');
  const logRetention = retention === undefined ? undefined : retentionDays(retention);
  const removal = context('removalPolicy');
  const concurrency = context('serviceTokenConcurrency');
  const logLevel = context('logLevel')?.toUpperCase();
  if (logLevel !== undefined && !['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
    throw new Error(`Context logLevel "${logLevel}" is not one of DEBUG, INFO, WARN, ERROR.`);
  }

  const provider = new AtlasPrivateEndpointProviderStack(app, PROVIDER_STACK, {
    ...(env ? { env } : {}),
    // The example's profile must be readable by the provider that serves it.
    ...(profiles || profile ? { profiles: [...new Set([...(profiles ?? ['default']), ...(profile ? [profile] : [])])] } : {}),
    ...(list('credentialsSecretArns') ? { credentialsSecretArns: list('credentialsSecretArns') } : {}),
    ...(logLevel ? { logLevel: logLevel as ProviderLogLevel } : {}),
    ...(logRetention ? { logRetention } : {}),
    ...(removal ? { removalPolicy: removalPolicy(removal) } : {}),
    ...(context('atlasBaseUrl') ? { atlasBaseUrl: context('atlasBaseUrl') } : {}),
    ...(concurrency ? { serviceTokenConcurrency: Number(concurrency) } : {}),
  });
  const example = new PrivateLinkExampleStack(app, EXAMPLE_STACK, {
    ...(env ? { env } : {}),
    ...(context('projectId') ? { projectId: context('projectId') } : {}),
    ...(profile ? { profile } : {}),
    ...(logRetention ? { logRetention } : {}),
  });
  // `cdk deploy AtlasPrivateLinkExample` deploys the provider first: the example imports its export.
  example.addStackDependency(provider);

  // Service Catalog products that read the ServiceToken from the provider stack's SSM parameter.
  const catalog = new Stack(app, CATALOG_STACK, {
    ...(env ? { env } : {}),
    description: 'Service Catalog portfolio: Atlas private endpoint service and Atlas PrivateLink (AWS) products',
  });
  new AtlasPrivateEndpointCatalog(catalog, 'Catalog');
  catalog.addStackDependency(provider);
  return { provider, example, catalog };
}

function retentionDays(raw: string): logs.RetentionDays {
  const days = Number(raw);
  const known = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!known.includes(days))
    throw new Error(`Context logRetentionDays "${raw}" is not a CloudWatch retention period (${known.join(', ')}).`);
  return days as logs.RetentionDays;
}

function removalPolicy(raw: string): RemovalPolicy {
  switch (raw.toLowerCase()) {
    case 'retain':
      return RemovalPolicy.RETAIN;
    case 'destroy':
      return RemovalPolicy.DESTROY;
    default:
      throw new Error(`Context removalPolicy "${raw}" is not retain or destroy.`);
  }
}
