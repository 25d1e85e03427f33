/**
 * The properties of `Custom::AtlasPrivateEndpointService`. One parser for the Lambda (values arrive as
 * strings from CloudFormation), the constructs' synth-time checks (native values, tokens skipped) and the
 * tests. Every problem names the property, the value, what is accepted and, for regions, the nearest ones.
 */
import type { CloudProvider } from './provider';
import { clip, type ParseOptions, type Parsed, PropertyReader, UNRESOLVED } from './property-reader';
import {
  findRegion,
  isWellFormedRegion,
  likelyMisspellingOf,
  otherProvidersWithRegion,
  regionsOf,
  suggestRegions,
  toAtlasRegionName,
} from './regions';

export const RESOURCE_TYPE_SERVICE = 'Custom::AtlasPrivateEndpointService';

/** Property names as they appear in templates. */
export const SERVICE_PROPERTY_NAMES = [
  'ProjectId',
  'ProviderName',
  'Region',
  'Profile',
  'CredentialsSecretArn',
  'PortMappingEnabled',
  'SupportedRemoteRegions',
  'AdoptExisting',
] as const;

const MAX_REMOTE_REGIONS = 35;

export interface RegionChoice {
  /** As written. */
  readonly input: string;
  /** Atlas's name when known (table row, or the input already in Atlas spelling); absent for a well-formed region the table lacks, which Atlas will judge. */
  readonly atlasName?: string;
}

export interface ServiceProperties {
  readonly projectId: string;
  readonly provider: CloudProvider;
  readonly region: RegionChoice;
  readonly credentials: { readonly profile?: string; readonly secretArn?: string };
  /** GCP only; undefined when not given (Atlas's default, false). */
  readonly portMappingEnabled?: boolean;
  /** AWS only; Atlas spelling, sorted, without duplicates; undefined when not given. */
  readonly supportedRemoteRegions?: readonly string[];
  readonly adoptExisting: boolean;
  readonly serviceTimeoutSeconds: number;
}

export function parseServiceProperties(raw: Record<string, unknown> | undefined, options: ParseOptions = {}): Parsed<ServiceProperties> {
  const r = new PropertyReader(raw, SERVICE_PROPERTY_NAMES, options);
  const projectId = r.atlasId('ProjectId', 'an Atlas project (group) id');
  const provider = r.provider();
  const providerUnresolved = r.unresolved(r.raw('ProviderName'));

  const regionText = r.requiredString(
    'Region',
    "the provider's region in the cloud's spelling (us-east-1, eastus2, us-central1) or Atlas's (US_EAST_1)",
  );
  let region: RegionChoice | undefined;
  if (regionText === UNRESOLVED || (regionText !== undefined && providerUnresolved)) region = { input: UNRESOLVED };
  else if (regionText !== undefined && provider) region = checkRegion(r, 'Region', regionText, provider);

  const credentials = r.credentials();

  const portMappingEnabled = r.optionalBoolean('PortMappingEnabled');
  if (portMappingEnabled !== undefined && provider && provider !== 'GCP') {
    r.problem(
      'PortMappingEnabled',
      r.raw('PortMappingEnabled'),
      `Property PortMappingEnabled applies to GCP only (Private Service Connect port mapping); remove it for ${provider}.`,
    );
  }

  let supportedRemoteRegions: string[] | undefined;
  const remoteRaw = r.raw('SupportedRemoteRegions');
  if (remoteRaw !== undefined && remoteRaw !== null && remoteRaw !== '' && !r.unresolved(remoteRaw)) {
    const items = Array.isArray(remoteRaw) ? remoteRaw : typeof remoteRaw === 'string' ? remoteRaw.split(',') : undefined;
    if (!items) {
      r.problem(
        'SupportedRemoteRegions',
        remoteRaw,
        'Property SupportedRemoteRegions must be a list of AWS regions (us-west-2 or US_WEST_2).',
      );
    } else if (provider && provider !== 'AWS') {
      r.problem(
        'SupportedRemoteRegions',
        remoteRaw,
        `Property SupportedRemoteRegions applies to AWS only (cross-region PrivateLink); remove it for ${provider}.`,
      );
    } else if (provider) {
      const names = new Set<string>();
      for (const item of items) {
        if (r.unresolved(item)) continue;
        if (typeof item !== 'string' || item.trim() === '') {
          r.problem(
            'SupportedRemoteRegions',
            item,
            'Property SupportedRemoteRegions must hold region names only (us-west-2 or US_WEST_2).',
          );
          continue;
        }
        const choice = checkRegion(r, 'SupportedRemoteRegions', item.trim(), provider);
        if (choice?.atlasName) names.add(choice.atlasName);
        else if (choice)
          r.problem(
            'SupportedRemoteRegions',
            item,
            `Property SupportedRemoteRegions: "${clip(item)}" is not in the region table, and Atlas needs its own spelling here; write it like US_WEST_2.`,
          );
      }
      if (names.size > MAX_REMOTE_REGIONS) {
        r.problem(
          'SupportedRemoteRegions',
          remoteRaw,
          `Property SupportedRemoteRegions has ${names.size} regions; Atlas accepts at most ${MAX_REMOTE_REGIONS}.`,
        );
      }
      supportedRemoteRegions = [...names].sort();
    }
  }

  const adoptExisting = r.optionalBoolean('AdoptExisting') ?? false;
  const serviceTimeoutSeconds = r.serviceTimeout();

  // At synth time an unresolved provider leaves nothing more to check.
  if (providerUnresolved && r.problems.length === 0) {
    return {
      ok: true,
      value: {
        projectId: projectId ?? UNRESOLVED,
        provider: 'AWS',
        region: { input: UNRESOLVED },
        credentials,
        adoptExisting,
        serviceTimeoutSeconds,
      },
    };
  }
  return r.result(
    projectId && provider && region
      ? {
          projectId,
          provider,
          region,
          credentials,
          ...(portMappingEnabled !== undefined ? { portMappingEnabled } : {}),
          ...(supportedRemoteRegions !== undefined ? { supportedRemoteRegions } : {}),
          adoptExisting,
          serviceTimeoutSeconds,
        }
      : undefined,
  );
}

function checkRegion(r: PropertyReader, property: string, value: string, provider: CloudProvider): RegionChoice | undefined {
  const row = findRegion(provider, value);
  if (row) return { input: value, atlasName: row.atlasName };
  const others = otherProvidersWithRegion(provider, value);
  const didYouMean = () => {
    const near = suggestRegions(provider, value);
    return near.length ? ` Did you mean ${near.map((x) => `${x.cloudName} (${x.atlasName})`).join(' or ')}?` : '';
  };
  if (others.length > 0) {
    r.problem(
      property,
      value,
      `Property ${property} "${clip(value)}" is a region of ${others.join('/')}, not of ${provider}.${didYouMean()}`,
    );
    return undefined;
  }
  if (!isWellFormedRegion(provider, value)) {
    const example = { AWS: 'us-east-1', AZURE: 'eastus2', GCP: 'us-central1' }[provider];
    r.problem(
      property,
      value,
      `Property ${property} "${clip(value)}" is not ${provider === 'AWS' ? 'an' : 'a'} ${provider} region name: accepted are the cloud's spelling (${example}) or Atlas's (${findRegion(provider, example)?.atlasName}).${didYouMean()}`,
    );
    return undefined;
  }
  const misspelt = likelyMisspellingOf(provider, value);
  if (misspelt.length > 0) {
    r.problem(
      property,
      value,
      `Property ${property} "${clip(value)}" is not ${provider === 'AWS' ? 'an' : 'a'} ${provider} region Atlas offers. Did you mean ${misspelt.map((x) => `${x.cloudName} (${x.atlasName})`).join(' or ')}?`,
    );
    return undefined;
  }
  // Well formed and far from every known region: perhaps one Atlas added after this table; Atlas judges it.
  r.warn(
    property,
    value,
    `Property ${property} "${clip(value)}" is not among the ${regionsOf(provider).length} ${provider} regions this version knows; it goes to Atlas as written, which refuses it if it is not a region Atlas offers.`,
  );
  const atlasName = toAtlasRegionName(provider, value);
  return { input: value, ...(atlasName ? { atlasName } : {}) };
}
