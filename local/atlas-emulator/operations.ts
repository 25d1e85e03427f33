/**
 * The eight private endpoint operations and the cluster read, once the caller is authenticated: project and
 * role checks, path and body validation, then the state change and the response Atlas gives.
 */
import { ATLAS_MEDIA_TYPE } from '../../lambda/atlas/models';
import type { CloudProvider } from '../../lambda/model/provider';
import type { Principal } from './auth/principals';
import type { ResponseShapes } from './config';
import { mediaType } from './auth/oauth';
import { errors } from './errors';
import type { Faults } from './faults';
import type { ServiceRecord } from './lifecycle';
import { endpointView, serviceView } from './lifecycle';
import type { Operation, RouteParams } from './routes';
import type { AtlasState } from './state';
import {
  checkId,
  checkNotOwnRegion,
  checkProvider,
  parseCreateEndpoint,
  parseCreateService,
  parseJsonObject,
  parseUpdateService,
} from './validation';

export type AtlasOperation = Exclude<Operation, 'token'>;

export interface OperationContext {
  operation: AtlasOperation;
  params: RouteParams;
  /** The request path as sent, for not-found details. */
  path: string;
  rawBody: string;
  contentType: string | undefined;
  principal: Principal;
  clientIp: string;
  now: number;
}

export interface OperationDeps {
  state: AtlasState;
  faults: Faults;
  projectIds: readonly string[];
  unauthorizedShape: ResponseShapes['unauthorized'];
}

export interface Reply {
  status: number;
  body: unknown;
}

const MUTATING: ReadonlySet<AtlasOperation> = new Set([
  'createService',
  'updateService',
  'deleteService',
  'createEndpoint',
  'deleteEndpoint',
]);
const WITH_BODY: ReadonlySet<AtlasOperation> = new Set(['createService', 'updateService', 'createEndpoint']);
const BODY_MEDIA_TYPES = [ATLAS_MEDIA_TYPE, 'application/json'];

// Live Atlas answers a delete with 202 and `{}` (the specification says 204).
const ACCEPTED: Reply = { status: 202, body: {} };

export function runOperation(deps: OperationDeps, ctx: OperationContext): Reply {
  const { state, faults } = deps;
  const { principal, params, now } = ctx;

  // The access list is checked against the caller's address before anything about the request.
  if (principal.ipAccessListBlocks) throw errors.ipNotOnAccessList(ctx.clientIp);

  const groupId = checkId(params.groupId, 'groupId');
  if (!deps.projectIds.includes(groupId)) throw errors.groupNotFound(groupId);
  // Recorded live: a key that cannot see the project gets the same 401 as wrong credentials (no challenge).
  if (principal.projects !== undefined && !principal.projects.includes(groupId))
    throw errors.unauthenticated(undefined, deps.unauthorizedShape);
  if (MUTATING.has(ctx.operation) && principal.role === 'PROJECT_READ_ONLY') throw errors.userUnauthorized();

  const provider = params.cloudProvider === undefined ? undefined : checkProvider(params.cloudProvider);
  const serviceId = params.endpointServiceId === undefined ? undefined : checkId(params.endpointServiceId, 'endpointServiceId');

  let body: Record<string, unknown> = {};
  if (WITH_BODY.has(ctx.operation)) {
    if (!BODY_MEDIA_TYPES.includes(mediaType(ctx.contentType))) throw errors.unsupportedMediaType(ctx.contentType ?? '');
    body = parseJsonObject(ctx.rawBody);
  }

  const service = (p: CloudProvider | undefined): ServiceRecord => {
    const found = state.find(groupId, p, serviceId!, now);
    if (!found) throw errors.resourceNotFound(ctx.path);
    return found;
  };

  switch (ctx.operation) {
    case 'createService': {
      const input = parseCreateService(body);
      const record = state.createService(groupId, input, () => faults.takeServiceFate(input.provider, input.region.atlasName), now);
      // Live Atlas answers 201 (the specification says 200).
      return { status: 201, body: serviceView(record, now) };
    }
    case 'listServices':
      return { status: 200, body: state.list(groupId, provider, now).map((s) => serviceView(s, now)) };
    case 'getService':
      return { status: 200, body: serviceView(service(provider), now) };
    case 'updateService': {
      const input = parseUpdateService(body);
      // The body's provider picks the service, as the path's does elsewhere.
      const record = service(input.provider);
      checkNotOwnRegion(input.supportedRemoteRegions, record.region.atlasName);
      state.updateService(record, input.supportedRemoteRegions);
      return { status: 200, body: serviceView(record, now) };
    }
    case 'deleteService':
      state.deleteService(service(provider), now);
      return ACCEPTED;
    case 'createEndpoint': {
      const record = service(provider);
      const input = parseCreateEndpoint(record.provider, body, record.portMappingEnabled);
      const endpoint = state.createEndpoint(record, input, () => faults.takeEndpointFate(record.provider), now);
      return { status: 201, body: endpointView(endpoint, now) };
    }
    case 'getCluster': {
      // Project Read Only suffices (the specification's x-rolesRequirements), so both roles read clusters.
      const name = params.clusterName ?? '';
      const cluster = state.findCluster(groupId, name);
      if (!cluster) throw errors.clusterNotFound(name, groupId);
      return { status: 200, body: state.clusterView(cluster, now) };
    }
    case 'getEndpoint':
    case 'deleteEndpoint': {
      const record = service(provider);
      checkEndpointId(record.provider, params.endpointId ?? '');
      const endpoint = state.findEndpoint(record, params.endpointId ?? '');
      if (!endpoint) throw errors.resourceNotFound(ctx.path);
      if (ctx.operation === 'getEndpoint') return { status: 200, body: endpointView(endpoint, now) };
      state.deleteEndpoint(endpoint, now);
      return ACCEPTED;
    }
  }
}

/** The specification's endpointId pattern: a vpce id, or (once decoded) an Azure private endpoint path. */
function checkEndpointId(provider: CloudProvider, endpointId: string): void {
  const ok =
    provider === 'AWS'
      ? /^vpce-[0-9a-f]{17}$/.test(endpointId)
      : provider === 'AZURE'
        ? /^\/subscriptions\/[0-9a-f-]{36}\/resource[gG]roups\/[-\w._()]+\/providers\/Microsoft\.Network\/privateEndpoints\/[-\w._()]+$/.test(
            endpointId,
          )
        : endpointId.length > 0;
  if (!ok) throw errors.invalidAttribute('endpointId');
}
