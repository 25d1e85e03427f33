/**
 * The requests the emulator answers: the Atlas Administration API v2 private endpoint service
 * operations, the one cluster read the connection wait needs, and the OAuth token endpoint, nothing else.
 */
import { ATLAS_CLUSTER_MEDIA_TYPE, ATLAS_MEDIA_TYPE } from '../../lambda/atlas/models';

export const OPERATIONS = [
  'createService',
  'getService',
  'listServices',
  'updateService',
  'deleteService',
  'createEndpoint',
  'getEndpoint',
  'deleteEndpoint',
  'getCluster',
  'token',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * The media types (`Accept`) each Atlas operation answers in, the current one first. The private endpoint
 * operations exist only in 2023-01-01. The cluster read is current in 2024-08-05; MongoDB's specification lists
 * 2023-02-01 as deprecated, not sunset, and every field the emulator shows of a cluster has the same shape there
 * but one: a sharded cluster's `replicationSpecs` are one per shard, where 2023-02-01 has one spec with `numShards`
 * (not modelled: the regions read the same either way).
 */
export const OPERATION_MEDIA_TYPES: Readonly<Record<Exclude<Operation, 'token'>, readonly string[]>> = {
  createService: [ATLAS_MEDIA_TYPE],
  getService: [ATLAS_MEDIA_TYPE],
  listServices: [ATLAS_MEDIA_TYPE],
  updateService: [ATLAS_MEDIA_TYPE],
  deleteService: [ATLAS_MEDIA_TYPE],
  createEndpoint: [ATLAS_MEDIA_TYPE],
  getEndpoint: [ATLAS_MEDIA_TYPE],
  deleteEndpoint: [ATLAS_MEDIA_TYPE],
  getCluster: [ATLAS_CLUSTER_MEDIA_TYPE, 'application/vnd.atlas.2023-02-01+json'],
};

/**
 * The operations of Atlas's rate-limit endpoint set "Private Endpoint Services" (one bucket per project).
 * The cluster read belongs to another set, whose limit the emulator does not model.
 */
export const PRIVATE_ENDPOINT_OPERATIONS: ReadonlySet<Operation> = new Set(OPERATIONS.filter((o) => o !== 'getCluster' && o !== 'token'));

export const ATLAS_API_PREFIX = '/api/atlas/v2/';
export const TOKEN_PATH = '/api/oauth/token';

/** Path parameters, percent-decoded. Validation is the operation's business. */
export interface RouteParams {
  groupId?: string;
  cloudProvider?: string;
  endpointServiceId?: string;
  endpointId?: string;
  clusterName?: string;
}

export type RouteResult =
  | { kind: 'match'; operation: Operation; params: RouteParams }
  /** The path exists but not with this method. */
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface Route {
  method: string;
  operation: Operation;
  /** Segments; `{name}` captures one. */
  pattern: string[];
}

const GROUP = 'api/atlas/v2/groups/{groupId}/privateEndpoint';
const ROUTES: Route[] = [
  ['POST', 'createService', `${GROUP}/endpointService`],
  ['PATCH', 'updateService', `${GROUP}/endpointService/{endpointServiceId}`],
  ['GET', 'listServices', `${GROUP}/{cloudProvider}/endpointService`],
  ['GET', 'getService', `${GROUP}/{cloudProvider}/endpointService/{endpointServiceId}`],
  ['DELETE', 'deleteService', `${GROUP}/{cloudProvider}/endpointService/{endpointServiceId}`],
  ['POST', 'createEndpoint', `${GROUP}/{cloudProvider}/endpointService/{endpointServiceId}/endpoint`],
  ['GET', 'getEndpoint', `${GROUP}/{cloudProvider}/endpointService/{endpointServiceId}/endpoint/{endpointId}`],
  ['DELETE', 'deleteEndpoint', `${GROUP}/{cloudProvider}/endpointService/{endpointServiceId}/endpoint/{endpointId}`],
  ['GET', 'getCluster', 'api/atlas/v2/groups/{groupId}/clusters/{clusterName}'],
  ['POST', 'token', TOKEN_PATH.slice(1)],
].map(([method, operation, path]) => ({ method, operation: operation as Operation, pattern: path.split('/') }));

export function matchRoute(method: string, pathname: string): RouteResult {
  // Split before decoding: an Azure endpoint id arrives percent-encoded and holds slashes.
  const raw = pathname.replace(/^\//, '').split('/');
  let segments: string[];
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'not-found' };
  }
  const allow: string[] = [];
  for (const route of ROUTES) {
    const params = matchSegments(route.pattern, segments);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { kind: 'match', operation: route.operation, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow: [...new Set(allow)] } : { kind: 'not-found' };
}

function matchSegments(pattern: string[], segments: string[]): RouteParams | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) {
      if (segments[i] === '') return undefined;
      params[p.slice(1, -1)] = segments[i];
    } else if (p !== segments[i]) {
      return undefined;
    }
  }
  return params;
}
