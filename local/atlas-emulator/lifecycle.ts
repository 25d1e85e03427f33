/**
 * What a service or interface endpoint looks like at a given instant. Records hold only the moments
 * things were asked for and the durations they take; every status is derived from those and the time
 * of the read, so virtual time can jump and reads never depend on when they happen.
 */
import type {
  AwsConnectionStatus,
  AzureEndpointStatus,
  EndpointService,
  EndpointServiceStatus,
  GcpEndpointStatus,
  InterfaceEndpoint,
} from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import type { Region } from '../../lambda/model/regions';
import type { ProviderNames } from './names';

export interface ServiceRecord {
  readonly id: string;
  readonly projectId: string;
  readonly provider: CloudProvider;
  readonly region: Region;
  readonly createdAt: number;
  /** When INITIATING ends; null when injected to never end. */
  readonly readyAt: number | null;
  /** Set when injected to fail: the service becomes FAILED with this message at `readyAt`. */
  readonly failureMessage: string | null;
  /** ms from the delete request to gone; null when injected to stay DELETING. */
  readonly deleteDurationMs: number | null;
  /** ms after the delete request during which reads still show the service as before it (injected; 0 otherwise). */
  readonly deleteLagMs: number;
  readonly portMappingEnabled: boolean;
  readonly names: ProviderNames;
  /**
   * What the service shows once created: AVAILABLE from then on (recorded live), or WAITING_FOR_USER until an
   * interface endpoint is available (the older shape).
   */
  readonly readyStatus: 'AVAILABLE' | 'WAITING_FOR_USER';
  supportedRemoteRegions: string[] | undefined;
  deleteRequestedAt: number | null;
  endpoints: EndpointRecord[];
}

export type EndpointDetails =
  | { provider: 'AWS' }
  | { provider: 'AZURE'; ipAddress: string }
  | {
      provider: 'GCP';
      gcpProjectId: string;
      forwardingRules: { endpointName: string; ipAddress: string }[];
      portMappingEnabled: boolean;
    };

export interface EndpointRecord {
  /** The id the endpoint is known by: the vpce id, the Azure resource path, or the GCP endpoint group name. */
  readonly key: string;
  readonly details: EndpointDetails;
  readonly createdAt: number;
  /** End of PENDING_ACCEPTANCE (AWS) / first part of INITIATING (Azure, GCP). */
  readonly acceptedAt: number;
  /** When it becomes AVAILABLE; null when injected to never get there. */
  readonly availableAt: number | null;
  /** Set when injected to be rejected: REJECTED (AWS) / FAILED (Azure, GCP) from `acceptedAt`. */
  readonly rejectionMessage: string | null;
  readonly deleteDurationMs: number;
  deleteRequestedAt: number | null;
}

export function serviceGoneAt(s: ServiceRecord): number | null {
  return s.deleteRequestedAt === null || s.deleteDurationMs === null ? null : s.deleteRequestedAt + s.deleteLagMs + s.deleteDurationMs;
}

/**
 * The service as reads show it at `now`: while an injected lag after the delete request lasts, as if no delete
 * had been asked for (the status from before it); the deletion itself (DELETING, then gone) starts after the lag.
 */
function asSeen(s: ServiceRecord, now: number): ServiceRecord {
  if (s.deleteRequestedAt === null || s.deleteLagMs === 0 || now >= s.deleteRequestedAt + s.deleteLagMs) return s;
  return { ...s, deleteRequestedAt: null };
}

export function endpointGoneAt(e: EndpointRecord): number | null {
  return e.deleteRequestedAt === null ? null : e.deleteRequestedAt + e.deleteDurationMs;
}

/** Whether the service finished being created (successfully or not) before `now` and before any delete. */
function creationFinished(s: ServiceRecord, now: number): boolean {
  if (s.readyAt === null || s.readyAt > now) return false;
  return s.deleteRequestedAt === null || s.readyAt <= s.deleteRequestedAt;
}

/** Whether the cloud-side names exist: creation finished and did not fail. */
function hasNames(s: ServiceRecord, now: number): boolean {
  return creationFinished(s, now) && s.failureMessage === null;
}

type EndpointPhase = 'accepting' | 'rejected' | 'connecting' | 'available' | 'deleting';

function endpointPhase(e: EndpointRecord, now: number): EndpointPhase {
  if (e.deleteRequestedAt !== null) return 'deleting';
  if (now < e.acceptedAt) return 'accepting';
  if (e.rejectionMessage !== null) return 'rejected';
  if (e.availableAt === null || now < e.availableAt) return 'connecting';
  return 'available';
}

/**
 * Since when an interface endpoint has been AVAILABLE without a delete asked for it or its service, or null when it
 * is not so at `now`: what a cluster's private-endpoint connection strings are published from.
 */
export function endpointPublishableSince(s: ServiceRecord, e: EndpointRecord, now: number): number | null {
  if (s.deleteRequestedAt !== null || endpointPhase(e, now) !== 'available') return null;
  return e.availableAt;
}

export function serviceStatus(record: ServiceRecord, now: number): EndpointServiceStatus {
  const s = asSeen(record, now);
  if (s.deleteRequestedAt !== null) return 'DELETING';
  if (!creationFinished(s, now)) return 'INITIATING';
  if (s.failureMessage !== null) return 'FAILED';
  if (s.readyStatus === 'AVAILABLE') return 'AVAILABLE';
  return s.endpoints.some((e) => endpointPhase(e, now) === 'available') ? 'AVAILABLE' : 'WAITING_FOR_USER';
}

/** The service as GET shows it: keys in Atlas's (alphabetical) order. */
export function serviceView(record: ServiceRecord, now: number): EndpointService {
  const s = asSeen(record, now);
  const status = serviceStatus(s, now);
  const errorMessage = creationFinished(s, now) ? s.failureMessage : null;
  const named = hasNames(s, now);
  const keys = s.endpoints.map((e) => e.key);
  switch (s.provider) {
    case 'AWS':
      return {
        cloudProvider: 'AWS',
        endpointServiceName: named ? (s.names.endpointServiceName ?? null) : null,
        errorMessage,
        id: s.id,
        interfaceEndpoints: keys,
        regionName: s.region.atlasName,
        status,
        // Recorded live: `null` when none were set (an array field).
        supportedRemoteRegions: s.supportedRemoteRegions !== undefined ? [...s.supportedRemoteRegions] : null,
      };
    case 'AZURE':
      return {
        cloudProvider: 'AZURE',
        errorMessage,
        id: s.id,
        privateEndpoints: keys,
        privateLinkServiceName: named ? (s.names.privateLinkServiceName ?? null) : null,
        privateLinkServiceResourceId: named ? (s.names.privateLinkServiceResourceId ?? null) : null,
        regionName: s.region.atlasName,
        status,
      };
    case 'GCP':
      return {
        cloudProvider: 'GCP',
        endpointGroupNames: keys,
        errorMessage,
        id: s.id,
        portMappingEnabled: s.portMappingEnabled,
        regionName: s.region.atlasName,
        serviceAttachmentNames: named ? [...(s.names.serviceAttachmentNames ?? [])] : [],
        status,
      };
  }
}

const AWS_STATUS: Record<EndpointPhase, AwsConnectionStatus> = {
  accepting: 'PENDING_ACCEPTANCE',
  rejected: 'REJECTED',
  connecting: 'PENDING',
  available: 'AVAILABLE',
  deleting: 'DELETING',
};
const AZURE_STATUS: Record<EndpointPhase, AzureEndpointStatus> = {
  accepting: 'INITIATING',
  rejected: 'FAILED',
  connecting: 'INITIATING',
  available: 'AVAILABLE',
  deleting: 'DELETING',
};
const GCP_STATUS: Record<EndpointPhase, GcpEndpointStatus> = {
  accepting: 'INITIATING',
  rejected: 'FAILED',
  connecting: 'VERIFIED',
  available: 'AVAILABLE',
  deleting: 'DELETING',
};
// A forwarding rule has no VERIFIED state in the specification.
const GCP_RULE_STATUS: Record<EndpointPhase, string> = {
  accepting: 'INITIATING',
  rejected: 'FAILED',
  connecting: 'INITIATING',
  available: 'AVAILABLE',
  deleting: 'DELETING',
};

/** The interface endpoint as GET shows it. */
export function endpointView(e: EndpointRecord, now: number): InterfaceEndpoint {
  const phase = endpointPhase(e, now);
  const rejectedYet = e.rejectionMessage !== null && now >= e.acceptedAt;
  const errorMessage = rejectedYet ? e.rejectionMessage : null;
  const deleteRequested = e.deleteRequestedAt !== null;
  const d = e.details;
  switch (d.provider) {
    case 'AWS':
      return { cloudProvider: 'AWS', connectionStatus: AWS_STATUS[phase], deleteRequested, errorMessage, interfaceEndpointId: e.key };
    case 'AZURE': {
      // Atlas names the connection once it has accepted it.
      const connected = phase === 'available' || (phase === 'deleting' && e.availableAt !== null && e.availableAt <= e.deleteRequestedAt!);
      return {
        cloudProvider: 'AZURE',
        deleteRequested,
        errorMessage,
        privateEndpointConnectionName: connected ? azureConnectionName(e.key) : null,
        privateEndpointIPAddress: d.ipAddress,
        privateEndpointResourceId: e.key,
        status: AZURE_STATUS[phase],
      };
    }
    case 'GCP':
      return {
        cloudProvider: 'GCP',
        deleteRequested,
        endpointGroupName: e.key,
        endpoints: d.forwardingRules.map((r) => ({ endpointName: r.endpointName, ipAddress: r.ipAddress, status: GCP_RULE_STATUS[phase] })),
        errorMessage,
        gcpProjectId: d.gcpProjectId,
        portMappingEnabled: d.portMappingEnabled,
        status: GCP_STATUS[phase],
      };
  }
}

/** `<subscription>%2F<resource group>%2F<endpoint name>`, the shape the specification's pattern describes. */
function azureConnectionName(resourcePath: string): string {
  const m = /^\/subscriptions\/([^/]+)\/resource[gG]roups\/([^/]+)\/providers\/Microsoft\.Network\/privateEndpoints\/([^/]+)$/.exec(
    resourcePath,
  );
  return m ? `${m[1]}%2F${m[2]}%2F${m[3]}` : resourcePath;
}
