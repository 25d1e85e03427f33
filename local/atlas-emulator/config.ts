/**
 * What an emulator instance is configured with: projects, credentials, durations. The defaults are
 * well-known development values so that a client can talk to a bare `startAtlasEmulator()` or CLI run.
 */
import { CLUSTER_STATES, type ClusterState } from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import { ATLAS_CLUSTER_NAME, ATLAS_ID_PATTERN, CLOUD_PROVIDERS } from '../../lambda/model/provider';
import { findRegion, type Region } from '../../lambda/model/regions';

export type Role = 'PROJECT_OWNER' | 'PROJECT_READ_ONLY';

interface CredentialSettings {
  /** Default `PROJECT_OWNER`. */
  role?: Role;
  /** When true every API call with this credential is refused as coming from an address not on the access list. */
  ipAccessListBlocks?: boolean;
  /** Projects this credential may use; default every configured project. */
  projects?: string[];
}

export interface ApiKeyCredential extends CredentialSettings {
  publicKey: string;
  privateKey: string;
}

export interface ServiceAccountCredential extends CredentialSettings {
  clientId: string;
  clientSecret: string;
}

export interface EmulatorCredentials {
  apiKeys: ApiKeyCredential[];
  serviceAccounts: ServiceAccountCredential[];
}

/** Seconds on the emulator clock. */
export interface ProviderTimings {
  /** INITIATING until ready (AVAILABLE as recorded, WAITING_FOR_USER in the older shape, or FAILED when injected). */
  serviceCreate: number;
  /** DELETING until gone. */
  serviceDelete: number;
  /** AWS PENDING_ACCEPTANCE, Azure/GCP first part of INITIATING. */
  endpointAccept: number;
  /** After acceptance: AWS PENDING, Azure rest of INITIATING, GCP VERIFIED; then AVAILABLE. */
  endpointAvailable: number;
  /** DELETING until gone. */
  endpointDelete: number;
  /**
   * From an interface endpoint's AVAILABLE until a cluster of this provider in the endpoint's region lists it
   * in `connectionStrings.privateEndpoint[]` (if the cluster is IDLE then; otherwise once it is IDLE again).
   */
  connectionStringPublish: number;
}

export interface EmulatorTimings {
  AWS: ProviderTimings;
  AZURE: ProviderTimings;
  GCP: ProviderTimings;
  /** Seconds a digest nonce stays fresh. */
  nonceLifetime: number;
  /** Seconds an OAuth access token stays valid (`expires_in`). */
  tokenLifetime: number;
}

/** Overrides of any subset of the timings, per provider field by field. */
export type EmulatorTimingOverrides = { [P in CloudProvider]?: Partial<ProviderTimings> } & {
  nonceLifetime?: number;
  tokenLifetime?: number;
};

// Close to what Atlas takes in real life, so that a client's polling budget is exercised realistically.
// serviceCreate: the time new services spent INITIATING in recorded live traffic (the Atlas CLI's end-to-end
// snapshots, from their Date headers): about 2.5 min on AWS, 1 min on Azure, 4.3 min on GCP. The other
// durations are not on record. connectionStringPublish is not on record either: users report that the
// private connection strings stay empty "for minutes" after the endpoint is AVAILABLE (Terraform's answer is
// to wait for every cluster to be IDLE), so the emulator takes two minutes on every provider.
export const DEFAULT_TIMINGS: EmulatorTimings = {
  AWS: {
    serviceCreate: 150,
    serviceDelete: 60,
    endpointAccept: 30,
    endpointAvailable: 60,
    endpointDelete: 60,
    connectionStringPublish: 120,
  },
  AZURE: {
    serviceCreate: 60,
    serviceDelete: 90,
    endpointAccept: 30,
    endpointAvailable: 60,
    endpointDelete: 60,
    connectionStringPublish: 120,
  },
  GCP: {
    serviceCreate: 260,
    serviceDelete: 120,
    endpointAccept: 30,
    endpointAvailable: 60,
    endpointDelete: 60,
    connectionStringPublish: 120,
  },
  nonceLifetime: 300,
  tokenLifetime: 3600,
};

export const DEFAULT_PROJECT_ID = '5f1e0a1b2c3d4e5f6a7b8c9d';

export const CLUSTER_TYPES = ['REPLICASET', 'SHARDED'] as const;

/** A cluster of an emulated project: enough of one for its private-endpoint connection strings. */
export interface EmulatorCluster {
  /** Atlas's cluster name: letters, digits and hyphens, up to 64. */
  name: string;
  /** @default the first configured project */
  projectId?: string;
  /** @default 'AWS' */
  providerName?: CloudProvider;
  /** Either spelling, at most 7; Atlas's is shown. @default one region: AWS `US_EAST_1`, AZURE `US_EAST_2`, GCP `CENTRAL_US` */
  regions?: string[];
  /** @default 'REPLICASET' */
  type?: (typeof CLUSTER_TYPES)[number];
  /** @default 'IDLE' */
  stateName?: ClusterState;
}

/** A cluster with every default applied and its regions looked up. */
export interface ResolvedCluster {
  name: string;
  projectId: string;
  provider: CloudProvider;
  regions: Region[];
  type: (typeof CLUSTER_TYPES)[number];
  stateName: ClusterState;
}

const DEFAULT_CLUSTER_REGION: Record<CloudProvider, string> = { AWS: 'US_EAST_1', AZURE: 'US_EAST_2', GCP: 'CENTRAL_US' };

export function resolveCluster(cluster: EmulatorCluster, projectIds: readonly string[]): ResolvedCluster {
  const { name } = cluster;
  if (typeof name !== 'string' || !ATLAS_CLUSTER_NAME.test(name))
    throw new RangeError(
      `cluster name must be letters, digits and hyphens (up to 64, not starting with a hyphen), got ${JSON.stringify(name)}`,
    );
  const projectId = cluster.projectId ?? projectIds[0];
  if (!projectIds.includes(projectId)) throw new RangeError(`cluster ${name}: project ${projectId} is not one of the emulator's projects`);
  const provider = cluster.providerName ?? 'AWS';
  if (!CLOUD_PROVIDERS.includes(provider))
    throw new RangeError(`cluster ${name}: providerName must be one of ${CLOUD_PROVIDERS.join(', ')}, got ${provider}`);
  const names = cluster.regions ?? [DEFAULT_CLUSTER_REGION[provider]];
  if (names.length === 0) throw new RangeError(`cluster ${name}: regions must name at least one region`);
  // Election priorities run 7, 6, … down to 1, one per region.
  if (names.length > 7) throw new RangeError(`cluster ${name}: at most 7 regions (one election priority each), got ${names.length}`);
  const regions: Region[] = [];
  for (const r of names) {
    const region = findRegion(provider, r);
    if (!region) throw new RangeError(`cluster ${name}: ${r} is not a region of ${provider}`);
    if (!regions.includes(region)) regions.push(region);
  }
  const type = cluster.type ?? 'REPLICASET';
  if (!CLUSTER_TYPES.includes(type)) throw new RangeError(`cluster ${name}: type must be one of ${CLUSTER_TYPES.join(', ')}, got ${type}`);
  const stateName = cluster.stateName ?? 'IDLE';
  if (!CLUSTER_STATES.includes(stateName))
    throw new RangeError(`cluster ${name}: stateName must be one of ${CLUSTER_STATES.join(', ')}, got ${stateName}`);
  return { name, projectId, provider, regions, type, stateName };
}

/** A development API key (Digest). */
export const DEFAULT_API_KEY = {
  publicKey: 'emulatorkey',
  privateKey: 'emulator-private-key-0000-0000-000000000000',
} as const;

/** A development service account (OAuth client credentials), with Atlas's `mdb_sa_id_`/`mdb_sa_sk_` prefixes. */
export const DEFAULT_SERVICE_ACCOUNT = {
  clientId: 'mdb_sa_id_emulator0000000000000000',
  clientSecret: 'mdb_sa_sk_emulator-secret-000000000000000000',
} as const;

/**
 * Where Atlas's answers have changed over time, or the sources differ: the shape the emulator shows. The
 * defaults are what recorded live traffic shows (see contract/atlas-api/README.md, "Recorded live behaviour");
 * the alternatives are shapes users may still meet.
 */
export interface ResponseShapes {
  /**
   * The status of a created service. `AVAILABLE` (recorded: a new service goes INITIATING → AVAILABLE, empty
   * endpoint list and all); `WAITING_FOR_USER` (the older reading of the spec: WAITING_FOR_USER until an
   * interface endpoint is available, then AVAILABLE).
   */
  readyStatus: 'AVAILABLE' | 'WAITING_FOR_USER';
  /**
   * A GCP service without port mapping. `recorded`: 6 names `projects/p-…/regions/<region>/serviceAttachments/
   * sa-<region>-<groupId>-<n>` without a scheme; `documented`: 50 `https://www.googleapis.com/compute/v1/…`
   * URLs (older documentation, and the spec's pattern).
   */
  gcpServiceAttachments: 'recorded' | 'documented';
  /** The 401 body. `recorded`: no errorCode, no parameters; `unexpected-error`: adds `UNEXPECTED_ERROR` (mid-2026 on). */
  unauthorized: 'recorded' | 'unexpected-error';
  /**
   * The errorMessage of an AWS interface endpoint whose id AWS does not know. `current` (mid-2026 on): "Verify
   * endpoint ID and accepted regions, then retry your connection."; `older`: "Interface endpoint vpce-… was not found."
   */
  unknownInterfaceEndpoint: 'current' | 'older';
}

export const DEFAULT_SHAPES: ResponseShapes = {
  readyStatus: 'AVAILABLE',
  gcpServiceAttachments: 'recorded',
  unauthorized: 'recorded',
  unknownInterfaceEndpoint: 'current',
};

/** Recorded: 6 attachments without port mapping; the older documentation speaks of 50. */
export const GCP_SERVICE_ATTACHMENT_COUNTS = { recorded: 6, documented: 50 } as const;
/** The count of the default (recorded) shape. */
export const DEFAULT_GCP_SERVICE_ATTACHMENT_COUNT = GCP_SERVICE_ATTACHMENT_COUNTS.recorded;

export function resolveShapes(shapes: Partial<ResponseShapes> = {}): ResponseShapes {
  const out = { ...DEFAULT_SHAPES, ...shapes };
  const allowed: { [K in keyof ResponseShapes]: ResponseShapes[K][] } = {
    readyStatus: ['AVAILABLE', 'WAITING_FOR_USER'],
    gcpServiceAttachments: ['recorded', 'documented'],
    unauthorized: ['recorded', 'unexpected-error'],
    unknownInterfaceEndpoint: ['current', 'older'],
  };
  for (const [k, values] of Object.entries(allowed) as [keyof ResponseShapes, string[]][]) {
    if (!values.includes(out[k])) throw new RangeError(`shapes.${k} must be one of ${values.join(', ')}, got ${String(out[k])}`);
  }
  return out;
}

export function resolveTimings(overrides: EmulatorTimingOverrides = {}): EmulatorTimings {
  const out: EmulatorTimings = {
    AWS: { ...DEFAULT_TIMINGS.AWS, ...overrides.AWS },
    AZURE: { ...DEFAULT_TIMINGS.AZURE, ...overrides.AZURE },
    GCP: { ...DEFAULT_TIMINGS.GCP, ...overrides.GCP },
    nonceLifetime: overrides.nonceLifetime ?? DEFAULT_TIMINGS.nonceLifetime,
    tokenLifetime: overrides.tokenLifetime ?? DEFAULT_TIMINGS.tokenLifetime,
  };
  const check = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`timing ${name} must be a non-negative number of seconds, got ${v}`);
  };
  for (const p of CLOUD_PROVIDERS) for (const [k, v] of Object.entries(out[p])) check(`${p}.${k}`, v);
  check('nonceLifetime', out.nonceLifetime);
  check('tokenLifetime', out.tokenLifetime);
  return out;
}

export function resolveCredentials(credentials: Partial<EmulatorCredentials> = {}): EmulatorCredentials {
  return {
    apiKeys: credentials.apiKeys ?? [{ ...DEFAULT_API_KEY }],
    serviceAccounts: credentials.serviceAccounts ?? [{ ...DEFAULT_SERVICE_ACCOUNT }],
  };
}

export function resolveProjectIds(projectIds: string[] = [DEFAULT_PROJECT_ID]): string[] {
  for (const id of projectIds) {
    if (!ATLAS_ID_PATTERN.test(id)) throw new RangeError(`project id must be 24 lowercase hex digits, got ${JSON.stringify(id)}`);
  }
  return [...projectIds];
}
