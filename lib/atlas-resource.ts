/**
 * What the provider's custom resources share in a CDK app: which provider serves them, the permission to
 * read the secret they name, the synth-time check of their properties, and the CustomResource itself.
 */
import { Annotations, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { describeProblems, type ParseOptions, type Parsed } from '../lambda/model/property-reader';
import { AtlasValidationError } from './errors';
import type { AtlasPrivateEndpointProvider } from './provider';

export interface AtlasResourceOptions {
  readonly provider?: AtlasPrivateEndpointProvider;
  readonly serviceToken?: string;
  readonly profile?: string;
  readonly credentialsSecretArn?: string;
  readonly serviceTimeout?: Duration;
  readonly resourceType: string;
  /** Template properties, without the credentials (added here). */
  readonly properties: Record<string, unknown>;
  readonly parse: (raw: Record<string, unknown>, options: ParseOptions) => Parsed<unknown>;
}

/** Checks the properties at synth time (tokens aside) and declares the custom resource. */
export function atlasCustomResource(scope: Construct, o: AtlasResourceOptions): CustomResource {
  const serviceToken = o.serviceToken ?? o.provider?.serviceToken;
  if (!serviceToken || (o.serviceToken && o.provider)) {
    throw new AtlasValidationError('Give exactly one of provider or serviceToken.', scope);
  }
  const properties: Record<string, unknown> = {
    ...o.properties,
    ...(o.profile !== undefined ? { Profile: o.profile } : {}),
    ...(o.credentialsSecretArn !== undefined ? { CredentialsSecretArn: o.credentialsSecretArn } : {}),
  };
  // ServiceTimeout is CloudFormation's own property (CustomResource writes it): checked here with the rest, so a
  // timeout too short for the provider's deadline fails the synth instead of the deployment.
  const serviceTimeout = o.serviceTimeout?.toSeconds();
  const parsed = o.parse(
    { ...properties, ...(serviceTimeout !== undefined ? { ServiceTimeout: serviceTimeout } : {}) },
    { isUnresolved: (v) => Token.isUnresolved(v) },
  );
  if (!parsed.ok) throw new AtlasValidationError(describeProblems(parsed.problems), scope);
  for (const w of parsed.warnings ?? []) Annotations.of(scope).addWarningV2(`atlas-private-endpoint:${w.property}`, w.message);
  // A provider in this app must be allowed to read the secret the resource names, for the resource's stack.
  if (o.provider) {
    const stacks = [Stack.of(scope).stackName];
    if (o.credentialsSecretArn !== undefined) o.provider.allowSecretArn(o.credentialsSecretArn, stacks);
    else o.provider.allowProfile(o.profile ?? 'default', stacks);
  }
  return new CustomResource(scope, 'Resource', {
    serviceToken,
    resourceType: o.resourceType,
    properties,
    serviceTimeout: o.serviceTimeout ?? Duration.hours(1),
  });
}
