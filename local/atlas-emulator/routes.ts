/**
 * The requests the emulator answers: the Atlas Administration API v2 private endpoint service
 * operations and the OAuth token endpoint, nothing else.
 */

export const OPERATIONS = [
  'createService',
  'getService',
  'listServices',
  'updateService',
  'deleteService',
  'createEndpoint',
  'getEndpoint',
  'deleteEndpoint',
  'token',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const ATLAS_API_PREFIX = '/api/atlas/v2/';
export const TOKEN_PATH = '/api/oauth/token';

/** Path parameters, percent-decoded. Validation is the operation's business. */
export interface RouteParams {
  groupId?: string;
  cloudProvider?: string;
  endpointServiceId?: string;
  endpointId?: string;
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
