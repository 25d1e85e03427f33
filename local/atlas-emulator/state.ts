/**
 * The emulated Atlas projects' private endpoint services and their interface endpoints. Mutations take
 * the current time explicitly; statuses are derived on read (`lifecycle.ts`). The only time-driven
 * changes to the store itself are disappearances (a deleted endpoint or service is gone once its delete
 * duration has passed, and a service whose last endpoint is gone starts deleting); `sweep` applies them
 * in the order they happened, and runs before every read and write.
 */
import type { CloudProvider } from '../../lambda/model/provider';
import type { Region } from '../../lambda/model/regions';
import type { ClusterState } from '../../lambda/atlas/models';
import { type ClusterRecord, type ClusterView, clusterView } from './clusters';
import type { EmulatorTimings, ResolvedCluster, ResponseShapes } from './config';
import { errors } from './errors';
import { ObjectIdFactory } from './ids';
import type { EndpointDetails, EndpointRecord, ServiceRecord } from './lifecycle';
import { endpointGoneAt, serviceGoneAt, serviceStatus } from './lifecycle';
import { makeProviderNames } from './names';

export interface CreateServiceInput {
  provider: CloudProvider;
  region: Region;
  portMappingEnabled: boolean;
  supportedRemoteRegions?: string[];
}

export interface CreateEndpointInput {
  key: string;
  details: EndpointDetails;
}

/** How an injected fault shapes a new service. */
export interface ServiceFate {
  /** The create is refused with Atlas's 400 ATLAS_GENERAL_ERROR "No Capacity"; nothing is created. */
  noCapacity?: boolean;
  failureMessage?: string;
  stuckInitiating?: boolean;
  stuckDeleting?: boolean;
  /** Seconds after a delete request during which reads still show the status from before it. */
  deleteLagSeconds?: number;
}

/** How an injected fault shapes a new interface endpoint. */
export interface EndpointFate {
  rejectionMessage?: string;
  /** The interface endpoint id does not exist in the cloud: accepted, then failed with Atlas's message. */
  unknownInCloud?: boolean;
  stuckPending?: boolean;
}

export class AtlasState {
  private services: ServiceRecord[] = [];
  private clusters: ClusterRecord[] = [];
  private readonly ids = new ObjectIdFactory();

  constructor(private readonly options: { timings: EmulatorTimings; gcpServiceAttachmentCount: number; shapes: ResponseShapes }) {}

  /** Applies every disappearance due by `now`, earliest first. */
  sweep(now: number): void {
    for (const s of this.services) {
      const gone = s.endpoints.filter((e) => {
        const at = endpointGoneAt(e);
        return at !== null && at <= now;
      });
      if (gone.length === 0) continue;
      s.endpoints = s.endpoints.filter((e) => !gone.includes(e));
      // Atlas removes an AWS service together with its last interface endpoint; it starts deleting the
      // moment that endpoint is gone. For Azure and GCP a maintainer of MongoDB's Kubernetes operator states
      // the opposite (the operator deletes the endpoint, then the service), so those services stay.
      if (s.provider === 'AWS' && s.endpoints.length === 0 && s.deleteRequestedAt === null) {
        s.deleteRequestedAt = Math.max(...gone.map((e) => endpointGoneAt(e)!));
      }
    }
    this.services = this.services.filter((s) => {
      const at = serviceGoneAt(s);
      return at === null || at > now;
    });
  }

  /** Services of a project, oldest first, optionally of one provider. */
  list(projectId: string, provider: CloudProvider | undefined, now: number): ServiceRecord[] {
    this.sweep(now);
    return this.services.filter((s) => s.projectId === projectId && (provider === undefined || s.provider === provider));
  }

  find(projectId: string, provider: CloudProvider | undefined, id: string, now: number): ServiceRecord | undefined {
    return this.list(projectId, provider, now).find((s) => s.id === id);
  }

  /** `fateOf` is asked only once the service is sure to be created, so a refused request uses up no injected outcome. */
  createService(projectId: string, input: CreateServiceInput, fateOf: () => ServiceFate, now: number): ServiceRecord {
    this.sweep(now);
    // One service per provider and region in a project, for as long as it exists (DELETING included).
    const existing = this.services.find(
      (s) => s.projectId === projectId && s.provider === input.provider && s.region.atlasName === input.region.atlasName,
    );
    if (existing) throw errors.serviceAlreadyExists(input.provider, input.region.atlasName);

    const fate = fateOf();
    if (fate.noCapacity) throw errors.noCapacity();
    const t = this.options.timings[input.provider];
    const id = this.ids.next(now);
    const record: ServiceRecord = {
      id,
      projectId,
      provider: input.provider,
      region: input.region,
      createdAt: now,
      readyAt: fate.stuckInitiating ? null : now + t.serviceCreate * 1000,
      failureMessage: fate.failureMessage ?? null,
      deleteDurationMs: fate.stuckDeleting ? null : t.serviceDelete * 1000,
      deleteLagMs: (fate.deleteLagSeconds ?? 0) * 1000,
      portMappingEnabled: input.provider === 'GCP' && input.portMappingEnabled,
      readyStatus: this.options.shapes.readyStatus,
      names: makeProviderNames(id, input.region, {
        projectId,
        portMappingEnabled: input.portMappingEnabled,
        gcpServiceAttachmentCount: this.options.gcpServiceAttachmentCount,
        gcpAttachmentUrls: this.options.shapes.gcpServiceAttachments === 'documented',
      }),
      supportedRemoteRegions: input.supportedRemoteRegions ? [...input.supportedRemoteRegions] : undefined,
      deleteRequestedAt: null,
      endpoints: [],
    };
    this.services.push(record);
    return record;
  }

  updateService(service: ServiceRecord, supportedRemoteRegions: string[] | undefined): void {
    if (supportedRemoteRegions !== undefined) service.supportedRemoteRegions = [...supportedRemoteRegions];
  }

  /** Starts deleting a service; asking again while it is DELETING changes nothing. */
  deleteService(service: ServiceRecord, now: number): void {
    this.sweep(now);
    if (service.deleteRequestedAt !== null) return;
    if (service.endpoints.length > 0) throw errors.cannotDeleteServiceWithEndpoints(service.id);
    service.deleteRequestedAt = now;
  }

  /** `fateOf` is asked only once the endpoint is sure to be registered. */
  createEndpoint(service: ServiceRecord, input: CreateEndpointInput, fateOf: () => EndpointFate, now: number): EndpointRecord {
    this.sweep(now);
    const status = serviceStatus(service, now);
    if (status !== 'WAITING_FOR_USER' && status !== 'AVAILABLE') throw errors.serviceNotReady(service.id, status);
    if (this.findEndpoint(service, input.key)) throw errors.endpointAlreadyExists(input.key);

    const fate = fateOf();
    const t = this.options.timings[service.provider];
    const acceptedAt = now + t.endpointAccept * 1000;
    const rejectionMessage = fate.unknownInCloud ? this.unknownEndpointMessage(input.key) : (fate.rejectionMessage ?? null);
    const record: EndpointRecord = {
      key: input.key,
      details: input.details,
      createdAt: now,
      acceptedAt,
      availableAt: fate.stuckPending || rejectionMessage !== null ? null : acceptedAt + t.endpointAvailable * 1000,
      rejectionMessage,
      deleteDurationMs: t.endpointDelete * 1000,
      deleteRequestedAt: null,
    };
    service.endpoints.push(record);
    return record;
  }

  /** Atlas's errorMessage for an interface endpoint id the cloud does not know, as recorded live. */
  private unknownEndpointMessage(key: string): string {
    return this.options.shapes.unknownInterfaceEndpoint === 'older'
      ? `Interface endpoint ${key} was not found.`
      : 'Verify endpoint ID and accepted regions, then retry your connection.';
  }

  findEndpoint(service: ServiceRecord, key: string): EndpointRecord | undefined {
    // Azure resource ids are case-insensitive; vpce ids and GCP group names are compared exactly.
    const same = service.provider === 'AZURE' ? (a: string) => a.toLowerCase() === key.toLowerCase() : (a: string) => a === key;
    return service.endpoints.find((e) => same(e.key));
  }

  /** Starts deleting an interface endpoint; asking again while it is DELETING changes nothing. */
  deleteEndpoint(endpoint: EndpointRecord, now: number): void {
    if (endpoint.deleteRequestedAt === null) endpoint.deleteRequestedAt = now;
  }

  addCluster(cluster: ResolvedCluster, now: number): ClusterRecord {
    if (this.findCluster(cluster.projectId, cluster.name))
      throw new RangeError(`project ${cluster.projectId} already has a cluster named ${cluster.name}`);
    const record: ClusterRecord = {
      id: this.ids.next(now),
      name: cluster.name,
      projectId: cluster.projectId,
      provider: cluster.provider,
      regions: [...cluster.regions],
      type: cluster.type,
      createdAt: now,
      states: [{ at: now, stateName: cluster.stateName }],
    };
    this.clusters.push(record);
    return record;
  }

  /** Names are compared exactly (whether Atlas ignores case here is not on record). */
  findCluster(projectId: string, name: string): ClusterRecord | undefined {
    return this.clusters.find((c) => c.projectId === projectId && c.name === name);
  }

  /** From `now` on the cluster is in `stateName`; what it published before stays, nothing new until it is IDLE. */
  setClusterState(cluster: ClusterRecord, stateName: ClusterState, now: number): void {
    cluster.states.push({ at: now, stateName });
  }

  removeCluster(cluster: ClusterRecord): void {
    this.clusters = this.clusters.filter((c) => c !== cluster);
  }

  /** A project's clusters as GET shows them at `now`, oldest first. */
  clusterViews(projectId: string, now: number): ClusterView[] {
    this.sweep(now);
    return this.clusters.filter((c) => c.projectId === projectId).map((c) => clusterView(c, this.services, this.options.timings, now));
  }

  clusterView(cluster: ClusterRecord, now: number): ClusterView {
    this.sweep(now);
    return clusterView(cluster, this.services, this.options.timings, now);
  }

  reset(): void {
    this.services = [];
    this.clusters = [];
  }
}
