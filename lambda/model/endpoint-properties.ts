/**
 * The properties of `Custom::AtlasPrivateEndpoint`: the registration of one interface endpoint (an AWS
 * VPC endpoint) with an Atlas private endpoint service. Shaped per provider so that Azure private
 * endpoints and GCP endpoint groups can be added beside AWS.
 */
import { type CloudProvider, VPC_ENDPOINT_ID } from './provider';
import { clip, type ParseOptions, type Parsed, PropertyReader, UNRESOLVED } from './property-reader';

export const RESOURCE_TYPE_ENDPOINT = 'Custom::AtlasPrivateEndpoint';

export const ENDPOINT_PROPERTY_NAMES = [
  'ProjectId',
  'ProviderName',
  'EndpointServiceId',
  'EndpointId',
  'Profile',
  'CredentialsSecretArn',
  'EnforceConnectionSuccess',
  'AdoptExisting',
] as const;

/** The providers whose registrations this version can make. */
export const ENDPOINT_PROVIDERS: readonly CloudProvider[] = ['AWS'];

export { VPC_ENDPOINT_ID } from './provider';

export interface EndpointProperties {
  readonly projectId: string;
  readonly provider: CloudProvider;
  readonly endpointServiceId: string;
  /** AWS: the `vpce-…` id. */
  readonly endpointId: string;
  readonly credentials: { readonly profile?: string; readonly secretArn?: string };
  /** Fail unless the connection becomes AVAILABLE (default true); otherwise succeed once Atlas has settled it. */
  readonly enforceConnectionSuccess: boolean;
  /**
   * Take over a registration of this interface endpoint with this service that exists before the request
   * registers it (default false: such a Create fails, naming it).
   */
  readonly adoptExisting: boolean;
  readonly serviceTimeoutSeconds: number;
}

export function parseEndpointProperties(raw: Record<string, unknown> | undefined, options: ParseOptions = {}): Parsed<EndpointProperties> {
  const r = new PropertyReader(raw, ENDPOINT_PROPERTY_NAMES, options);
  const projectId = r.atlasId('ProjectId', 'an Atlas project (group) id');
  const provider =
    r.raw('ProviderName') === undefined || r.raw('ProviderName') === ''
      ? 'AWS'
      : r.provider(ENDPOINT_PROVIDERS, `${RESOURCE_TYPE_ENDPOINT}`);
  const endpointServiceId = r.atlasId('EndpointServiceId', 'an Atlas private endpoint service id');
  let endpointId = r.requiredString('EndpointId', 'the id of the interface endpoint to register (AWS: vpce-…)');
  if (endpointId !== undefined && endpointId !== UNRESOLVED && provider === 'AWS' && !VPC_ENDPOINT_ID.test(endpointId)) {
    r.problem(
      'EndpointId',
      endpointId,
      `Property EndpointId "${clip(endpointId)}" is not an AWS VPC endpoint id: expected vpce- and 17 hexadecimal digits, like vpce-0123456789abcdef0.`,
    );
    endpointId = undefined;
  }
  const credentials = r.credentials();
  const enforceConnectionSuccess = r.optionalBoolean('EnforceConnectionSuccess') ?? true;
  const adoptExisting = r.optionalBoolean('AdoptExisting') ?? false;
  const serviceTimeoutSeconds = r.serviceTimeout();
  return r.result(
    projectId && provider && endpointServiceId && endpointId
      ? { projectId, provider, endpointServiceId, endpointId, credentials, enforceConnectionSuccess, adoptExisting, serviceTimeoutSeconds }
      : undefined,
  );
}
