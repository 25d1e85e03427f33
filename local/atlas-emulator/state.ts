/**
 * What the emulated Atlas holds: endpoint services and their interface endpoints, each recorded with the
 * times its lifecycle moves on, so that every view is computed from the clock at the moment it is read
 * (virtual time needs no timers).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AwsInterfaceEndpoint, AzurePrivateEndpoint, EndpointService, GcpEndpointGroup, InterfaceEndpoint } from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import type { EndpointOutcome, ServiceOutcome } from './faults';

/** Seconds each step takes; defaults are close to what Atlas takes in real life. */
export interface EmulatorTimings {
  serviceCreate: Record<CloudProvider, number>;
  serviceDelete: Record<CloudProvider, number>;
  /** AWS: PENDING_ACCEPTANCE → PENDING; Azure/GCP: INITIATING → (VERIFIED →) AVAILABLE, first half. */
  endpointAccept: number;
  /** Then → AVAILABLE. */
  endpointAvailable: number;
  endpointDelete: number;
  nonceLifetime: number;
  tokenLifetime: number;
}

export const DEFAULT_TIMINGS: EmulatorTimings = {
  serviceCreate: { AWS: 180, AZURE: 240, GCP: 600 },
  serviceDelete: { AWS: 60, AZURE: 90, GCP: 120 },
  endpointAccept: 30,
  endpointAvailable: 60,
  endpointDelete: 60,
  nonceLifetime: 300,
  tokenLifetime: 3600,
};

interface EndpointRecord {
  id: string;
  createdAt: number;
  outcome?: EndpointOutcome;
  deleteAt?: number;
  goneAt?: number;
  azureIp?: string;
  gcp?: { gcpProjectId: string; endpoints: { endpointName: string; ipAddress: string }[] };
}

export interface ServiceRecord {
  id: string;
  projectId: string;
  provider: CloudProvider;
  regionName: string;
  cloudRegion: string;
  createdAt: number;
  outcome?: ServiceOutcome;
  portMappingEnabled: boolean;
  supportedRemoteRegions?: string[];
  /** When the deletion starts (may lie ahead: after the last endpoint's deletion completes). */
  deleteAt?: number;
  /** When it is gone; undefined while stuck in DELETING. */
  goneAt?: number;
  names: { endpointServiceName: string; plsName: string; plsResourceId: string; attachments: string[] };
  endpoints: EndpointRecord[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Atlas ids are ObjectIds: 4 bytes of creation time in seconds, then 8 random bytes. */
export function objectId(nowMs: number): string {
  return Math.floor(nowMs / 1000).toString(16).padStart(8, '0').slice(-8) + hex(8);
}

export class Store {
  private services: ServiceRecord[] = [];

  constructor(
    private readonly timings: EmulatorTimings,
    private readonly gcpServiceAttachmentCount: number,
  ) {}

  clear(): void {
    this.services = [];
  }

  /** Services that still exist at `now` (forgetting those whose deletion completed). */
  live(now: number, projectId?: string): ServiceRecord[] {
    this.services = this.services.filter((s) => s.goneAt === undefined || now < s.goneAt);
    for (const s of this.services) s.endpoints = s.endpoints.filter((e) => e.goneAt === undefined || now < e.goneAt);
    return this.services.filter((s) => !projectId || s.projectId === projectId);
  }

  find(now: number, projectId: string, provider: CloudProvider, id: string): ServiceRecord | undefined {
    return this.live(now, projectId).find((s) => s.provider === provider && s.id === id);
  }

  create(now: number, fields: Pick<ServiceRecord, 'projectId' | 'provider' | 'regionName' | 'cloudRegion' | 'portMappingEnabled' | 'supportedRemoteRegions'>, outcome?: ServiceOutcome): ServiceRecord {
    const id = objectId(now);
    const gcpProject = `p-${randomBytes(12).toString('hex').slice(0, 24)}`;
    const attachments = fields.provider === 'GCP' ? (fields.portMappingEnabled ? 1 : this.gcpServiceAttachmentCount) : 0;
    const pls = `pls_${hex(12)}`;
    const record: ServiceRecord = {
      ...fields,
      id,
      createdAt: now,
      ...(outcome ? { outcome } : {}),
      names: {
        endpointServiceName: `com.amazonaws.vpce.${fields.cloudRegion}.vpce-svc-${hex(9).slice(0, 17)}`,
        plsName: pls,
        plsResourceId: `/subscriptions/${randomUUID()}/resourceGroups/rg_${hex(12)}_${hex(4)}/providers/Microsoft.Network/privateLinkServices/${pls}`,
        attachments: Array.from(
          { length: attachments },
          (_, n) => `https://www.googleapis.com/compute/v1/projects/${gcpProject}/regions/${fields.cloudRegion}/serviceAttachments/sa-${fields.cloudRegion}-${id}-${n}`,
        ),
      },
      endpoints: [],
    };
    this.services.push(record);
    return record;
  }

  requestDeletion(now: number, s: ServiceRecord, startAt = now): void {
    if (s.deleteAt !== undefined && s.deleteAt <= now) return;
    s.deleteAt = startAt;
    s.goneAt = s.outcome?.outcome === 'STUCK_DELETING' ? undefined : startAt + this.timings.serviceDelete[s.provider] * 1000;
  }

  addEndpoint(now: number, s: ServiceRecord, e: Omit<EndpointRecord, 'createdAt'>, outcome?: EndpointOutcome): EndpointRecord {
    const record: EndpointRecord = { ...e, createdAt: now, ...(outcome ? { outcome } : {}) };
    s.endpoints.push(record);
    return record;
  }

  /** Deletes an endpoint; the last one of a service takes the service with it once it is gone. */
  deleteEndpoint(now: number, s: ServiceRecord, e: EndpointRecord): void {
    if (e.deleteAt !== undefined) return;
    e.deleteAt = now;
    e.goneAt = now + this.timings.endpointDelete * 1000;
    if (s.endpoints.every((x) => x.deleteAt !== undefined)) this.requestDeletion(now, s, e.goneAt);
  }

  serviceStatus(now: number, s: ServiceRecord): EndpointService['status'] {
    if (s.deleteAt !== undefined && now >= s.deleteAt) return 'DELETING';
    const readyAt = s.createdAt + this.timings.serviceCreate[s.provider] * 1000;
    if (now < readyAt || s.outcome?.outcome === 'STUCK_INITIATING') return 'INITIATING';
    if (s.outcome?.outcome === 'FAILED') return 'FAILED';
    return s.endpoints.some((e) => this.endpointPhase(now, e) === 'AVAILABLE') ? 'AVAILABLE' : 'WAITING_FOR_USER';
  }

  /** The service as GET shows it at `now`. */
  view(now: number, s: ServiceRecord): EndpointService {
    const status = this.serviceStatus(now, s);
    const named = status !== 'INITIATING' && status !== 'FAILED';
    const base = {
      id: s.id,
      regionName: s.regionName,
      status,
      errorMessage: status === 'FAILED' && s.outcome?.outcome === 'FAILED' ? (s.outcome.errorMessage ?? 'The private endpoint service could not be created.') : null,
    };
    const endpoints = s.endpoints.map((e) => e.id);
    switch (s.provider) {
      case 'AWS':
        return {
          cloudProvider: 'AWS',
          ...base,
          endpointServiceName: named ? s.names.endpointServiceName : null,
          interfaceEndpoints: endpoints,
          ...(s.supportedRemoteRegions ? { supportedRemoteRegions: [...s.supportedRemoteRegions] } : {}),
        };
      case 'AZURE':
        return {
          cloudProvider: 'AZURE',
          ...base,
          privateEndpoints: endpoints,
          privateLinkServiceName: named ? s.names.plsName : null,
          privateLinkServiceResourceId: named ? s.names.plsResourceId : null,
        };
      case 'GCP':
        return {
          cloudProvider: 'GCP',
          ...base,
          endpointGroupNames: endpoints,
          serviceAttachmentNames: named ? [...s.names.attachments] : [],
          portMappingEnabled: s.portMappingEnabled,
        };
    }
  }

  private endpointPhase(now: number, e: EndpointRecord): 'ACCEPTING' | 'PENDING' | 'AVAILABLE' | 'REJECTED' | 'DELETING' {
    if (e.deleteAt !== undefined && now >= e.deleteAt) return 'DELETING';
    const t = (now - e.createdAt) / 1000;
    if (t < this.timings.endpointAccept) return 'ACCEPTING';
    if (e.outcome?.outcome === 'REJECTED') return 'REJECTED';
    if (t < this.timings.endpointAccept + this.timings.endpointAvailable || e.outcome?.outcome === 'STUCK_PENDING') return 'PENDING';
    return 'AVAILABLE';
  }

  findEndpoint(s: ServiceRecord, id: string): EndpointRecord | undefined {
    return s.endpoints.find((e) => e.id === id);
  }

  endpointView(now: number, s: ServiceRecord, e: EndpointRecord): InterfaceEndpoint {
    const phase = this.endpointPhase(now, e);
    const deleteRequested = e.deleteAt !== undefined;
    const errorMessage = phase === 'REJECTED' && e.outcome?.outcome === 'REJECTED' ? (e.outcome.errorMessage ?? 'The interface endpoint was rejected.') : null;
    switch (s.provider) {
      case 'AWS': {
        const connectionStatus = ({ ACCEPTING: 'PENDING_ACCEPTANCE', PENDING: 'PENDING', AVAILABLE: 'AVAILABLE', REJECTED: 'REJECTED', DELETING: 'DELETING' } as const)[phase];
        const v: AwsInterfaceEndpoint = { cloudProvider: 'AWS', interfaceEndpointId: e.id, connectionStatus, deleteRequested, errorMessage };
        return v;
      }
      case 'AZURE': {
        const status = ({ ACCEPTING: 'INITIATING', PENDING: 'INITIATING', AVAILABLE: 'AVAILABLE', REJECTED: 'FAILED', DELETING: 'DELETING' } as const)[phase];
        const m = /^\/subscriptions\/([^/]+)\/resource[gG]roups\/([^/]+)\/providers\/Microsoft\.Network\/privateEndpoints\/([^/]+)$/.exec(e.id);
        const v: AzurePrivateEndpoint = {
          cloudProvider: 'AZURE',
          deleteRequested,
          errorMessage,
          privateEndpointConnectionName: m ? `${m[1]}%2F${m[2]}%2F${m[3]}` : null,
          privateEndpointIPAddress: e.azureIp ?? null,
          privateEndpointResourceId: e.id,
          status,
        };
        return v;
      }
      case 'GCP': {
        const status = ({ ACCEPTING: 'INITIATING', PENDING: 'VERIFIED', AVAILABLE: 'AVAILABLE', REJECTED: 'FAILED', DELETING: 'DELETING' } as const)[phase];
        const v: GcpEndpointGroup = {
          cloudProvider: 'GCP',
          deleteRequested,
          errorMessage,
          endpointGroupName: e.id,
          endpoints: (e.gcp?.endpoints ?? []).map((x) => ({ ...x, status: status === 'AVAILABLE' ? 'AVAILABLE' : 'INITIATING' })),
          gcpProjectId: e.gcp?.gcpProjectId,
          portMappingEnabled: s.portMappingEnabled,
          status,
        };
        return v;
      }
    }
  }
}
