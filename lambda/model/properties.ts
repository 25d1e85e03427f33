/**
 * The properties of `Custom::AtlasPrivateEndpointService`: names, parsing and validation. One parser for
 * the Lambda (values arrive as strings from CloudFormation), the constructs' prop checks at synth time
 * (native values, with unresolved tokens skipped) and the example-template tests.
 *
 * Every problem names the property, the value, what is accepted and, for regions, the nearest ones.
 */
import { credentialsSecretId, isValidProfile, isValidSecretArn } from './credentials-secret';
import { CLOUD_PROVIDERS, type CloudProvider } from './provider';
import { findRegion, isWellFormedRegion, otherProvidersWithRegion, suggestRegions, toAtlasRegionName } from './regions';

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
/** Set by CloudFormation itself on every custom resource. */
const FRAMEWORK_PROPERTY_NAMES = ['ServiceToken', 'ServiceTimeout'] as const;

export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
const MAX_REMOTE_REGIONS = 35;

export interface RegionChoice {
  /** As written. */
  readonly input: string;
  /** Atlas's name when known (table row, or the input already in Atlas spelling). */
  readonly atlasName?: string;
  /** False for a well-formed region the table lacks: Atlas will judge it. */
  readonly inTable: boolean;
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

export interface PropertyProblem {
  readonly property: string;
  readonly value: unknown;
  /** What is wrong and what is accepted, as a sentence. */
  readonly message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: PropertyProblem[] };

export interface ParseOptions {
  /** Values to leave unchecked (CDK tokens at synth time). */
  isUnresolved?: (value: unknown) => boolean;
}

/** One sentence per problem, for a CloudFormation `Reason` or a synth-time error. */
export function describeProblems(problems: readonly PropertyProblem[]): string {
  return problems.map((p) => p.message).join(' ');
}

export function parseServiceProperties(raw: Record<string, unknown> | undefined, options: ParseOptions = {}): Parsed<ServiceProperties> {
  const props = raw ?? {};
  const problems: PropertyProblem[] = [];
  const unresolved = (v: unknown) => options.isUnresolved?.(v) === true;
  const problem = (property: string, value: unknown, message: string) => problems.push({ property, value, message });

  for (const name of Object.keys(props)) {
    if (!(SERVICE_PROPERTY_NAMES as readonly string[]).includes(name) && !(FRAMEWORK_PROPERTY_NAMES as readonly string[]).includes(name)) {
      const near = [...SERVICE_PROPERTY_NAMES].find((k) => k.toLowerCase() === name.toLowerCase());
      problem(name, props[name], `Unknown property ${name}${near ? ` (did you mean ${near}?)` : ''}; accepted: ${SERVICE_PROPERTY_NAMES.join(', ')}.`);
    }
  }

  // ProjectId
  const projectIdRaw = props.ProjectId;
  let projectId = '';
  if (unresolved(projectIdRaw)) projectId = '000000000000000000000000';
  else if (typeof projectIdRaw !== 'string' || projectIdRaw.trim() === '') {
    problem('ProjectId', projectIdRaw, 'Property ProjectId is required: the Atlas project (group) id, 24 hexadecimal digits.');
  } else if (!/^[0-9a-fA-F]{24}$/.test(projectIdRaw.trim())) {
    problem('ProjectId', projectIdRaw, `Property ProjectId "${clip(projectIdRaw)}" is not an Atlas project id: expected 24 hexadecimal digits, like 5f1e0a1b2c3d4e5f6a7b8c9d.`);
  } else projectId = projectIdRaw.trim().toLowerCase();

  // ProviderName
  const providerRaw = props.ProviderName;
  let provider: CloudProvider | undefined;
  if (unresolved(providerRaw)) provider = undefined;
  else if (typeof providerRaw !== 'string' || providerRaw.trim() === '') {
    problem('ProviderName', providerRaw, `Property ProviderName is required: one of ${CLOUD_PROVIDERS.join(', ')}.`);
  } else {
    const p = providerRaw.trim().toUpperCase();
    const alias: Record<string, CloudProvider> = { AMAZON: 'AWS', MICROSOFT: 'AZURE', GOOGLE: 'GCP', GOOGLECLOUD: 'GCP' };
    if ((CLOUD_PROVIDERS as readonly string[]).includes(p)) provider = p as CloudProvider;
    else {
      const near = alias[p.replace(/[^A-Z]/g, '')];
      problem('ProviderName', providerRaw, `Property ProviderName "${clip(providerRaw)}" is not a provider Atlas offers private endpoints on: accepted ${CLOUD_PROVIDERS.join(', ')}.${near ? ` Did you mean ${near}?` : ''}`);
    }
  }

  // Region
  const regionRaw = props.Region;
  let region: RegionChoice | undefined;
  if (unresolved(regionRaw)) region = { input: '', inTable: false };
  else if (typeof regionRaw !== 'string' || regionRaw.trim() === '') {
    problem('Region', regionRaw, 'Property Region is required: the provider\'s region in the cloud\'s spelling (us-east-1, eastus2, us-central1) or Atlas\'s (US_EAST_1).');
  } else if (provider) {
    region = checkRegion('Region', regionRaw.trim(), provider, problem);
  }

  // Credentials
  const profile = optionalString('Profile', props.Profile, unresolved, problem);
  const secretArn = optionalString('CredentialsSecretArn', props.CredentialsSecretArn, unresolved, problem);
  if (profile !== undefined && !unresolved(props.Profile) && !isValidProfile(profile)) {
    problem('Profile', profile, `Property Profile "${clip(profile)}" cannot name a secret: use 1-200 letters, digits or _+=.@- (the secret read is cfn/atlas/profile/<Profile>).`);
  }
  if (secretArn !== undefined && !unresolved(props.CredentialsSecretArn) && !isValidSecretArn(secretArn)) {
    problem('CredentialsSecretArn', secretArn, `Property CredentialsSecretArn "${clip(secretArn)}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>).`);
  }

  // PortMappingEnabled (GCP only)
  const portMappingEnabled = optionalBoolean('PortMappingEnabled', props.PortMappingEnabled, unresolved, problem);
  if (portMappingEnabled !== undefined && provider && provider !== 'GCP') {
    problem('PortMappingEnabled', props.PortMappingEnabled, `Property PortMappingEnabled applies to GCP only (Private Service Connect port mapping); remove it for ${provider}.`);
  }

  // SupportedRemoteRegions (AWS only)
  let supportedRemoteRegions: string[] | undefined;
  const remoteRaw = props.SupportedRemoteRegions;
  if (remoteRaw !== undefined && remoteRaw !== null && remoteRaw !== '' && !unresolved(remoteRaw)) {
    const items = Array.isArray(remoteRaw) ? remoteRaw : typeof remoteRaw === 'string' ? remoteRaw.split(',') : undefined;
    if (!items) {
      problem('SupportedRemoteRegions', remoteRaw, 'Property SupportedRemoteRegions must be a list of AWS regions (us-west-2 or US_WEST_2).');
    } else if (provider && provider !== 'AWS') {
      problem('SupportedRemoteRegions', remoteRaw, `Property SupportedRemoteRegions applies to AWS only (cross-region PrivateLink); remove it for ${provider}.`);
    } else if (provider) {
      const names = new Set<string>();
      for (const item of items) {
        if (unresolved(item)) continue;
        if (typeof item !== 'string' || item.trim() === '') {
          problem('SupportedRemoteRegions', item, 'Property SupportedRemoteRegions must hold region names only (us-west-2 or US_WEST_2).');
          continue;
        }
        const r = checkRegion('SupportedRemoteRegions', item.trim(), provider, problem);
        if (r?.atlasName) names.add(r.atlasName);
        else if (r) problem('SupportedRemoteRegions', item, `Property SupportedRemoteRegions: "${clip(item)}" is not in the region table, and Atlas needs its own spelling here; write it like US_WEST_2.`);
      }
      if (names.size > MAX_REMOTE_REGIONS) {
        problem('SupportedRemoteRegions', remoteRaw, `Property SupportedRemoteRegions has ${names.size} regions; Atlas accepts at most ${MAX_REMOTE_REGIONS}.`);
      }
      supportedRemoteRegions = [...names].sort();
    }
  }

  const adoptExisting = optionalBoolean('AdoptExisting', props.AdoptExisting, unresolved, problem) ?? false;

  // ServiceTimeout: CloudFormation's own property, read for the wait loop's deadline.
  let serviceTimeoutSeconds = DEFAULT_SERVICE_TIMEOUT_SECONDS;
  const timeoutRaw = props.ServiceTimeout;
  if (timeoutRaw !== undefined && timeoutRaw !== '' && !unresolved(timeoutRaw)) {
    const n = Number(timeoutRaw);
    if (!Number.isInteger(n) || n < 1 || n > 3600) {
      problem('ServiceTimeout', timeoutRaw, `Property ServiceTimeout "${clip(String(timeoutRaw))}" must be a whole number of seconds from 1 to 3600.`);
    } else serviceTimeoutSeconds = n;
  }

  if (problems.length > 0 || !provider || !region) return { ok: false, problems };
  return {
    ok: true,
    value: {
      projectId,
      provider,
      region,
      credentials: { ...(profile !== undefined ? { profile } : {}), ...(secretArn !== undefined ? { secretArn } : {}) },
      ...(portMappingEnabled !== undefined ? { portMappingEnabled } : {}),
      ...(supportedRemoteRegions !== undefined ? { supportedRemoteRegions } : {}),
      adoptExisting,
      serviceTimeoutSeconds,
    },
  };
}

/** The secret the properties point at (for IAM and for the Lambda). */
export function secretIdOf(props: Pick<ServiceProperties, 'credentials'>): string {
  return credentialsSecretId(props.credentials);
}

function checkRegion(
  property: string,
  value: string,
  provider: CloudProvider,
  problem: (property: string, value: unknown, message: string) => void,
): RegionChoice | undefined {
  const row = findRegion(provider, value);
  if (row) return { input: value, atlasName: row.atlasName, inTable: true };
  const others = otherProvidersWithRegion(provider, value);
  const didYouMean = () => {
    const near = suggestRegions(provider, value);
    return near.length ? ` Did you mean ${near.map((r) => `${r.cloudName} (${r.atlasName})`).join(' or ')}?` : '';
  };
  if (others.length > 0) {
    problem(property, value, `Property ${property} "${clip(value)}" is a region of ${others.join('/')}, not of ${provider}.${didYouMean()}`);
    return undefined;
  }
  if (!isWellFormedRegion(provider, value)) {
    problem(
      property,
      value,
      `Property ${property} "${clip(value)}" is not ${provider === 'AWS' ? 'an' : 'a'} ${provider} region name: accepted are the cloud's spelling (${exampleOf(provider)}) or Atlas's (${findRegion(provider, exampleOf(provider))?.atlasName}).${didYouMean()}`,
    );
    return undefined;
  }
  const atlasName = toAtlasRegionName(provider, value);
  return { input: value, ...(atlasName ? { atlasName } : {}), inTable: false };
}

function exampleOf(provider: CloudProvider): string {
  return { AWS: 'us-east-1', AZURE: 'eastus2', GCP: 'us-central1' }[provider];
}

function optionalString(
  property: string,
  value: unknown,
  unresolved: (v: unknown) => boolean,
  problem: (property: string, value: unknown, message: string) => void,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (unresolved(value)) return String(value);
  if (typeof value !== 'string') {
    problem(property, value, `Property ${property} must be a string.`);
    return undefined;
  }
  return value.trim();
}

function optionalBoolean(
  property: string,
  value: unknown,
  unresolved: (v: unknown) => boolean,
  problem: (property: string, value: unknown, message: string) => void,
): boolean | undefined {
  if (value === undefined || value === null || value === '' || unresolved(value)) return undefined;
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  problem(property, value, `Property ${property} "${clip(String(value))}" must be true or false.`);
  return undefined;
}

/** Keeps a quoted user value short in a message. */
function clip(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
