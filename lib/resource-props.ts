/**
 * What the Atlas resource constructs share: which provider serves them, which credentials they use, and how
 * long CloudFormation waits.
 */
import type { Duration } from 'aws-cdk-lib';
import type { CloudProvider as ModelCloudProvider } from '../lambda/model/provider';
import type { AtlasPrivateEndpointProvider } from './provider';

/** A cloud provider Atlas runs private endpoint services for: `AWS`, `AZURE` or `GCP`. */
export type CloudProvider = ModelCloudProvider;

/**
 * Properties every Atlas resource construct takes (`AtlasPrivateEndpointService`, `AtlasPrivateEndpoint`,
 * `AtlasPrivateLink`).
 */
export interface AtlasResourceProps {
  /**
   * A provider deployed in this app; the resource adds the permission to read its credentials secret to it.
   * Give this or `serviceToken` (`AtlasPrivateLink` takes at most one of them).
   * @default none: `serviceToken` is required, except by `AtlasPrivateLink`, which then creates a provider
   * inside itself unless `serviceToken` is given
   */
  readonly provider?: AtlasPrivateEndpointProvider;
  /**
   * The ServiceToken of a provider deployed elsewhere, for example
   * `Fn.importValue('AtlasPrivateEndpointServiceToken')`. Give this or `provider`.
   * @default none: `provider` is required
   */
  readonly serviceToken?: string;
  /** Atlas project (group) id: 24 hexadecimal digits. */
  readonly projectId: string;
  /**
   * Profile of the Secrets Manager secret `cfn/atlas/profile/{profile}` holding the Atlas credentials.
   * @default 'default' (unless `credentialsSecretArn` is given)
   */
  readonly profile?: string;
  /**
   * ARN of the Secrets Manager secret holding the Atlas credentials; takes precedence over `profile`.
   * @default the profile's secret
   */
  readonly credentialsSecretArn?: string;
  /**
   * How long CloudFormation waits for the provider's answer: from 109 seconds (a
   * shorter one leaves the provider no time to see Atlas change once its margin is kept, and fails the synth) to
   * 1 hour. The provider answers before then: a Create or Update fails with the last status Atlas reported if
   * Atlas has not finished; a Delete whose deletion Atlas has accepted succeeds, and Atlas finishes it.
   * @default Duration.hours(1)
   */
  readonly serviceTimeout?: Duration;
}
