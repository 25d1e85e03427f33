/**
 * The properties of `Custom::AtlasPrivateEndpoint`: the registration of one interface endpoint with an Atlas
 * private endpoint service. `EndpointId` names the registration on every provider (AWS: the VPC endpoint id;
 * AZURE: the private endpoint's resource id; GCP: the endpoint group name); the other properties are what the
 * provider's registration needs besides (AZURE: its private IP address; GCP: the Google Cloud project and the
 * forwarding rules).
 */
import {
  ATLAS_CLUSTER_NAME,
  AZURE_PRIVATE_ENDPOINT_ID,
  type CloudProvider,
  GCP_NAME,
  GCP_PROJECT_ID,
  ipv4Problem,
  VPC_ENDPOINT_ID,
} from './provider';
import { clip, type ParseOptions, type Parsed, PropertyReader, UNRESOLVED } from './property-reader';

export const RESOURCE_TYPE_ENDPOINT = 'Custom::AtlasPrivateEndpoint';

export const ENDPOINT_PROPERTY_NAMES = [
  'ProjectId',
  'ProviderName',
  'EndpointServiceId',
  'EndpointId',
  'PrivateEndpointIpAddress',
  'GcpProjectId',
  'Endpoints',
  'Profile',
  'CredentialsSecretArn',
  'EnforceConnectionSuccess',
  'AdoptExisting',
  'ClusterNames',
] as const;

/** The providers whose registrations this version can make. */
export const ENDPOINT_PROVIDERS: readonly CloudProvider[] = ['AWS', 'AZURE', 'GCP'];

/** The most forwarding rules a GCP endpoint group holds: one per service attachment, 50 in Atlas's documentation. */
export const MAX_GCP_ENDPOINTS = 50;

export { VPC_ENDPOINT_ID } from './provider';

/**
 * The most clusters one registration waits for. Each adds its connection strings to the answer, which
 * CloudFormation caps at 4096 bytes in all; the answer is measured too, this only keeps the list sane.
 */
export const MAX_CLUSTER_NAMES = 10;

/** A GCP forwarding rule of an endpoint group: its name and the internal IP address it resolves to. */
export interface ForwardingRule {
  readonly endpointName: string;
  readonly ipAddress: string;
}

/** What a registration needs besides its id, per provider. */
export type RegistrationDetails =
  | { readonly provider: 'AWS' }
  | { readonly provider: 'AZURE'; readonly privateEndpointIpAddress: string }
  | { readonly provider: 'GCP'; readonly gcpProjectId: string; readonly endpoints: readonly ForwardingRule[] };

export interface EndpointProperties {
  readonly projectId: string;
  readonly provider: CloudProvider;
  readonly endpointServiceId: string;
  /** AWS: the `vpce-…` id; AZURE: the private endpoint's resource id; GCP: the endpoint group name. */
  readonly endpointId: string;
  readonly details: RegistrationDetails;
  readonly credentials: { readonly profile?: string; readonly secretArn?: string };
  /** Fail unless the connection becomes AVAILABLE (default true); otherwise succeed once Atlas has settled it. */
  readonly enforceConnectionSuccess: boolean;
  /**
   * Take over a registration of this interface endpoint with this service that exists before the request
   * registers it (default false: such a Create fails, naming it).
   */
  readonly adoptExisting: boolean;
  /**
   * Clusters of the project the application connects to through this endpoint: when given, the request
   * answers only once each one publishes a private-endpoint connection string naming this endpoint, and
   * returns them. Empty when not given.
   */
  readonly clusterNames: readonly string[];
  readonly serviceTimeoutSeconds: number;
}

const ENDPOINT_ID_WHAT: Record<CloudProvider, string> = {
  AWS: 'the id of the AWS VPC endpoint to register (vpce-…)',
  AZURE: 'the resource id of the Azure private endpoint to register (/subscriptions/…/providers/Microsoft.Network/privateEndpoints/…)',
  GCP: 'the name of the GCP endpoint group to register (for a port-mapped service, the name of its one forwarding rule)',
};

/** Properties that belong to one provider only: named where another provider is given. */
const PROVIDER_ONLY: Record<string, CloudProvider> = { PrivateEndpointIpAddress: 'AZURE', GcpProjectId: 'GCP', Endpoints: 'GCP' };

export function parseEndpointProperties(raw: Record<string, unknown> | undefined, options: ParseOptions = {}): Parsed<EndpointProperties> {
  const r = new PropertyReader(raw, ENDPOINT_PROPERTY_NAMES, options);
  const projectId = r.atlasId('ProjectId', 'an Atlas project (group) id');
  const provider =
    r.raw('ProviderName') === undefined || r.raw('ProviderName') === ''
      ? 'AWS'
      : r.provider(ENDPOINT_PROVIDERS, `${RESOURCE_TYPE_ENDPOINT}`);
  const endpointServiceId = r.atlasId('EndpointServiceId', 'an Atlas private endpoint service id');
  let endpointId = r.requiredString('EndpointId', provider ? ENDPOINT_ID_WHAT[provider] : 'the id of the interface endpoint to register');
  if (endpointId !== undefined && endpointId !== UNRESOLVED && provider && endpointIdProblem(provider, endpointId)) {
    r.problem('EndpointId', endpointId, `Property EndpointId "${clip(endpointId)}" ${endpointIdProblem(provider, endpointId)}`);
    endpointId = undefined;
  }
  for (const [name, owner] of Object.entries(PROVIDER_ONLY)) {
    const v = r.raw(name);
    if (provider && provider !== owner && v !== undefined && v !== null && v !== '') {
      r.problem(
        name,
        v,
        `Property ${name} belongs to ${owner} registrations; this one is ${provider}: remove it or set ProviderName to ${owner}.`,
      );
    }
  }
  const details = provider ? readDetails(r, provider) : undefined;
  const credentials = r.credentials();
  const enforceConnectionSuccess = r.optionalBoolean('EnforceConnectionSuccess') ?? true;
  const adoptExisting = r.optionalBoolean('AdoptExisting') ?? false;
  const clusterNames = readClusterNames(r);
  const serviceTimeoutSeconds = r.serviceTimeout();
  return r.result(
    projectId && provider && endpointServiceId && endpointId && details && clusterNames
      ? {
          projectId,
          provider,
          endpointServiceId,
          endpointId,
          details,
          credentials,
          enforceConnectionSuccess,
          adoptExisting,
          clusterNames,
          serviceTimeoutSeconds,
        }
      : undefined,
  );
}

/**
 * `ClusterNames`: a list of cluster names (a comma-separated string is taken too, as a CloudFormation
 * `CommaDelimitedList` parameter may arrive). Absent or empty: no connection wait.
 */
function readClusterNames(r: PropertyReader): readonly string[] | undefined {
  const v = r.raw('ClusterNames');
  if (v === undefined || v === null || v === '' || r.unresolved(v)) return [];
  // An empty CommaDelimitedList parameter arrives as [""]: that names no cluster. An empty name beside others
  // is refused below, so that the count the constructs read attributes by is the count the provider answers by.
  if (Array.isArray(v) && v.length === 1 && v[0] === '') return [];
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((x) => x.trim()) : undefined;
  if (!items) {
    r.problem('ClusterNames', v, 'Property ClusterNames must be a list of Atlas cluster names, like ["Cluster0"].');
    return undefined;
  }
  if (items.length > MAX_CLUSTER_NAMES) {
    r.problem(
      'ClusterNames',
      undefined,
      `Property ClusterNames names ${items.length} clusters; one registration waits for at most ${MAX_CLUSTER_NAMES}.`,
    );
    return undefined;
  }
  const before = r.problems.length;
  const names: string[] = [];
  for (const item of items) {
    if (r.unresolved(item)) continue;
    if (typeof item !== 'string' || !ATLAS_CLUSTER_NAME.test(item)) {
      r.problem(
        'ClusterNames',
        item,
        `Property ClusterNames holds ${typeof item === 'string' ? `"${clip(item)}"` : `a ${item === null ? 'null' : typeof item}`}, which is not an Atlas cluster name: 1-64 letters, digits or hyphens, starting with a letter or digit.`,
      );
      continue;
    }
    if (names.includes(item)) {
      r.problem('ClusterNames', item, `Property ClusterNames names cluster "${item}" twice.`);
      continue;
    }
    names.push(item);
  }
  return r.problems.length > before ? undefined : names;
}

/** Why an EndpointId is not one of this provider's, as the end of a sentence; undefined when it is. */
function endpointIdProblem(provider: CloudProvider, id: string): string | undefined {
  switch (provider) {
    case 'AWS':
      return VPC_ENDPOINT_ID.test(id)
        ? undefined
        : 'is not an AWS VPC endpoint id: expected vpce- and 17 hexadecimal digits, like vpce-0123456789abcdef0.';
    case 'AZURE':
      return AZURE_PRIVATE_ENDPOINT_ID.test(id)
        ? undefined
        : 'is not an Azure private endpoint resource id: expected /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Network/privateEndpoints/<name>.';
    case 'GCP':
      return GCP_NAME.test(id)
        ? undefined
        : 'is not a GCP endpoint group name: 1-63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen.';
  }
}

function readDetails(r: PropertyReader, provider: CloudProvider): RegistrationDetails | undefined {
  switch (provider) {
    case 'AWS':
      return { provider };
    case 'AZURE': {
      const ip = r.requiredString('PrivateEndpointIpAddress', 'the private IP address of the Azure private endpoint, like 10.0.1.4');
      if (ip === undefined) return undefined;
      if (ip !== UNRESOLVED) {
        const why = ipv4Problem(ip);
        if (why) {
          r.problem('PrivateEndpointIpAddress', ip, `Property PrivateEndpointIpAddress "${clip(ip)}" ${why}`);
          return undefined;
        }
      }
      return { provider, privateEndpointIpAddress: ip };
    }
    case 'GCP': {
      const gcpProjectId = r.requiredString('GcpProjectId', 'the id of the Google Cloud project that holds the forwarding rules');
      let ok = gcpProjectId !== undefined;
      if (gcpProjectId !== undefined && gcpProjectId !== UNRESOLVED && !GCP_PROJECT_ID.test(gcpProjectId)) {
        r.problem(
          'GcpProjectId',
          gcpProjectId,
          `Property GcpProjectId "${clip(gcpProjectId)}" is not a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen.`,
        );
        ok = false;
      }
      const endpoints = readForwardingRules(r);
      return ok && endpoints ? { provider, gcpProjectId: gcpProjectId!, endpoints } : undefined;
    }
  }
}

/**
 * `Endpoints`: the forwarding rules of a GCP endpoint group, `[{ EndpointName, IpAddress }, …]`. How many Atlas
 * takes depends on the service (one with port mapping, one per service attachment without): the register step
 * checks that against the service before it registers.
 */
function readForwardingRules(r: PropertyReader): ForwardingRule[] | undefined {
  const v = r.raw('Endpoints');
  if (r.unresolved(v)) return [];
  if (!Array.isArray(v) || v.length === 0) {
    r.problem(
      'Endpoints',
      v,
      'Property Endpoints is required for GCP: the forwarding rules of the endpoint group, a list of { EndpointName, IpAddress } (one for a service with port mapping).',
    );
    return undefined;
  }
  if (v.length > MAX_GCP_ENDPOINTS) {
    r.problem(
      'Endpoints',
      undefined,
      `Property Endpoints has ${v.length} forwarding rules; a GCP endpoint group holds at most ${MAX_GCP_ENDPOINTS}.`,
    );
    return undefined;
  }
  const rules: ForwardingRule[] = [];
  const before = r.problems.length;
  v.forEach((item, i) => {
    const where = `Endpoints[${i}]`;
    if (r.unresolved(item)) return;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      r.problem('Endpoints', item, `Property ${where} must be an object { EndpointName, IpAddress }.`);
      return;
    }
    const rule = item as Record<string, unknown>;
    const unknown = Object.keys(rule).filter((k) => k !== 'EndpointName' && k !== 'IpAddress');
    if (unknown.length > 0)
      r.problem(
        'Endpoints',
        item,
        `Property ${where} has unknown keys ${unknown.map((k) => clip(k)).join(', ')}; accepted: EndpointName, IpAddress.`,
      );
    const name = rule.EndpointName;
    const ip = rule.IpAddress;
    const nameOk = r.unresolved(name) || (typeof name === 'string' && GCP_NAME.test(name));
    if (!nameOk) {
      r.problem(
        'Endpoints',
        name,
        `Property ${where}.EndpointName ${typeof name === 'string' ? `"${clip(name)}" ` : ''}must be the name of a GCP forwarding rule: 1-63 lowercase letters, digits or hyphens, starting with a letter.`,
      );
    }
    const ipWhy = r.unresolved(ip)
      ? undefined
      : typeof ip === 'string'
        ? ipv4Problem(ip)
        : 'is required: the internal IP address the forwarding rule resolves to.';
    if (ipWhy) r.problem('Endpoints', ip, `Property ${where}.IpAddress ${typeof ip === 'string' ? `"${clip(ip)}" ` : ''}${ipWhy}`);
    if (nameOk && !ipWhy)
      rules.push({ endpointName: r.unresolved(name) ? UNRESOLVED : String(name), ipAddress: r.unresolved(ip) ? UNRESOLVED : String(ip) });
  });
  if (r.problems.length > before) return undefined;
  const names = rules.map((x) => x.endpointName).filter((x) => x !== UNRESOLVED);
  const ips = rules.map((x) => x.ipAddress).filter((x) => x !== UNRESOLVED);
  const twice = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
  if (twice(names))
    r.problem(
      'Endpoints',
      twice(names),
      `Property Endpoints names forwarding rule "${clip(twice(names)!)}" twice; each rule is one endpoint.`,
    );
  if (twice(ips))
    r.problem(
      'Endpoints',
      twice(ips),
      `Property Endpoints gives IP address ${twice(ips)} to two forwarding rules; each rule has its own address.`,
    );
  return r.problems.length > before ? undefined : rules;
}
