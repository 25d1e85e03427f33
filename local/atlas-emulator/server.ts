/**
 * The emulated Atlas Administration API v2, private endpoint services and interface endpoints only, over
 * node's http server. Routing, media type, authentication, roles and the IP access list, faults, and
 * then the operation itself against the store.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CloudProvider } from '../../lambda/model/provider';
import { findRegion } from '../../lambda/model/regions';
import { Authenticator, type ApiKey, type ServiceAccount } from './auth';
import { type Clock, isVirtual, VirtualClock } from './clock';
import { EmulatedError, invalidAttribute, invalidEnum, missingAttribute, notFound } from './errors';
import { type Fault, FaultInjector, type Operation } from './faults';
import { DEFAULT_TIMINGS, type EmulatorTimings, Store } from './state';
import type { EndpointService } from '../../lambda/atlas/models';

export const DEFAULT_PROJECT_ID = '5f1e0a1b2c3d4e5f6a7b8c9d';
export const DEFAULT_API_KEY = { publicKey: 'emulatorkey', privateKey: 'emulator-private-key-0000-0000-000000000000' } as const;
export const DEFAULT_SERVICE_ACCOUNT = { clientId: 'mdb_sa_id_emulator0000000000000000', clientSecret: 'mdb_sa_sk_emulator-secret-000000000000000000' } as const;

const MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';
const PROVIDERS: readonly string[] = ['AWS', 'AZURE', 'GCP'];
const ID = /^[a-f0-9]{24}$/;

export interface EmulatorCredentials {
  apiKeys: ApiKey[];
  serviceAccounts: ServiceAccount[];
}

export interface EmulatorOptions {
  /** Default 0: any free port. The host is always 127.0.0.1. */
  port?: number;
  /** Projects that exist (default: DEFAULT_PROJECT_ID). */
  projectIds?: string[];
  credentials?: Partial<EmulatorCredentials>;
  /** Default: a VirtualClock starting now. */
  clock?: Clock;
  timings?: Partial<Omit<EmulatorTimings, 'serviceCreate' | 'serviceDelete'>> & {
    serviceCreate?: Partial<EmulatorTimings['serviceCreate']>;
    serviceDelete?: Partial<EmulatorTimings['serviceDelete']>;
  };
  /** Service attachments of a GCP service without port mapping (Atlas: 50). */
  gcpServiceAttachmentCount?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as requested. */
  path: string;
  operation?: Operation;
  status?: number;
  /** Emulator clock, epoch ms. */
  at: number;
  authKind: 'digest' | 'bearer' | 'basic' | 'none';
}

export interface AtlasEmulator {
  readonly baseUrl: string;
  readonly port: number;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly requests: RecordedRequest[];
  /** Moves a virtual clock forward; throws on a system clock. */
  advance(seconds: number): void;
  /** The project's services as GET shows them now. */
  services(projectId?: string): EndpointService[];
  /** Forget every service, endpoint, fault, recorded request, nonce and token. */
  reset(): void;
  close(): Promise<void>;
}

interface Route {
  operation: Operation;
  groupId?: string;
  provider?: string;
  serviceId?: string;
  endpointId?: string;
}

function route(method: string, path: string): Route | undefined {
  if (path === '/api/oauth/token' && method === 'POST') return { operation: 'token' };
  const m = /^\/api\/atlas\/v2\/groups\/([^/]+)\/privateEndpoint\/(.+)$/.exec(path);
  if (!m) return undefined;
  const [, groupId, rest] = m;
  let r: RegExpExecArray | null;
  if (rest === 'endpointService' && method === 'POST') return { operation: 'createService', groupId };
  if ((r = /^endpointService\/([^/]+)$/.exec(rest)) && method === 'PATCH') return { operation: 'updateService', groupId, serviceId: r[1] };
  if ((r = /^([^/]+)\/endpointService$/.exec(rest)) && method === 'GET') return { operation: 'listServices', groupId, provider: r[1] };
  if ((r = /^([^/]+)\/endpointService\/([^/]+)$/.exec(rest))) {
    if (method === 'GET') return { operation: 'getService', groupId, provider: r[1], serviceId: r[2] };
    if (method === 'DELETE') return { operation: 'deleteService', groupId, provider: r[1], serviceId: r[2] };
  }
  if ((r = /^([^/]+)\/endpointService\/([^/]+)\/endpoint$/.exec(rest)) && method === 'POST') {
    return { operation: 'createEndpoint', groupId, provider: r[1], serviceId: r[2] };
  }
  if ((r = /^([^/]+)\/endpointService\/([^/]+)\/endpoint\/([^/]+)$/.exec(rest))) {
    const endpointId = decodeURIComponent(r[3]);
    if (method === 'GET') return { operation: 'getEndpoint', groupId, provider: r[1], serviceId: r[2], endpointId };
    if (method === 'DELETE') return { operation: 'deleteEndpoint', groupId, provider: r[1], serviceId: r[2], endpointId };
  }
  return undefined;
}

const WRITES: readonly Operation[] = ['createService', 'updateService', 'deleteService', 'createEndpoint', 'deleteEndpoint'];

export async function startAtlasEmulator(options: EmulatorOptions = {}): Promise<AtlasEmulator> {
  const clock = options.clock ?? new VirtualClock();
  const timings: EmulatorTimings = {
    ...DEFAULT_TIMINGS,
    ...options.timings,
    serviceCreate: { ...DEFAULT_TIMINGS.serviceCreate, ...options.timings?.serviceCreate },
    serviceDelete: { ...DEFAULT_TIMINGS.serviceDelete, ...options.timings?.serviceDelete },
  };
  const projects = new Set(options.projectIds ?? [DEFAULT_PROJECT_ID]);
  const auth = new Authenticator(
    clock,
    options.credentials?.apiKeys ?? [{ ...DEFAULT_API_KEY }],
    options.credentials?.serviceAccounts ?? [{ ...DEFAULT_SERVICE_ACCOUNT }],
    timings.nonceLifetime,
    timings.tokenLifetime,
  );
  const store = new Store(timings, options.gcpServiceAttachmentCount ?? 50);
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const header = req.headers.authorization ?? '';
    const record: RecordedRequest = {
      method,
      path: req.url ?? '/',
      at: clock.now(),
      authKind: /^Digest\s/i.test(header) ? 'digest' : /^Bearer\s/i.test(header) ? 'bearer' : /^Basic\s/i.test(header) ? 'basic' : 'none',
    };
    requests.push(record);
    const r = route(method, path);
    if (r) record.operation = r.operation;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}, json = false) => {
      record.status = status;
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': json || status >= 400 ? 'application/json' : `${MEDIA_TYPE};charset=utf-8`,
        'content-length': Buffer.byteLength(text),
        'ratelimit-limit': '100',
        'ratelimit-remaining': status === 429 ? '0' : '99',
        ...headers,
      });
      res.end(text);
    };
    const fail = (e: EmulatedError) => send(e.status, e.body, e.headers);

    if (r?.operation === 'token') {
      const fault = faults.take(method, path, 'token');
      if (fault && (await applyFault(fault, res, send))) return;
      const t = auth.issueToken(req, body);
      return send(t.status, t.body, { 'cache-control': 'no-store' }, true);
    }
    if (!path.startsWith('/api/atlas/v2/')) return fail(notFound(path));

    const who = auth.authenticate(req);
    if (!who.ok) return fail(who.error);
    const accept = String(req.headers.accept ?? '');
    if (!accept.split(',').some((t) => t.trim().split(';')[0] === MEDIA_TYPE)) {
      // Live Atlas answers a missing or unversioned Accept this way (body as best recalled).
      return fail(new EmulatedError(406, 'INVALID_VERSION_DATE', 'Invalid accept header or version date.', []));
    }
    if (who.caller.ipAccessListBlocks) {
      return fail(new EmulatedError(403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', `IP address ${req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown'} is not allowed to access this resource.`, []));
    }
    if (!r) return fail(notFound(path));
    if (!ID.test(r.groupId ?? '')) return fail(new EmulatedError(400, 'INVALID_GROUP_ID', `An invalid group ID ${r.groupId} was specified.`, [r.groupId]));
    if (!projects.has(r.groupId!)) return fail(new EmulatedError(404, 'GROUP_NOT_FOUND', `No group with ID ${r.groupId} exists.`, [r.groupId]));
    if (WRITES.includes(r.operation) && who.caller.role === 'PROJECT_READ_ONLY') {
      return fail(new EmulatedError(401, 'USER_UNAUTHORIZED', 'Current user is not authorized to perform this action.', []));
    }

    const fault = faults.take(method, path, r.operation);
    if (fault && fault.kind !== 'drop-after-processing' && (await applyFault(fault, res, send))) return;
    let status: number;
    let payload: unknown;
    try {
      [status, payload] = operate(r, body, path);
    } catch (e) {
      if (!(e instanceof EmulatedError)) throw e;
      return fail(e);
    }
    if (fault?.kind === 'drop-after-processing') {
      record.status = undefined;
      req.socket.destroy();
      return;
    }
    send(status, payload);
  };

  const operate = (r: Route, body: string, path: string): [number, unknown] => {
    const now = clock.now();
    const projectId = r.groupId!;
    if (r.provider !== undefined && !PROVIDERS.includes(r.provider)) throw invalidEnum(r.provider);
    const provider = r.provider as CloudProvider | undefined;
    const json = () => parseBody(body);

    switch (r.operation) {
      case 'createService': {
        const b = json();
        if (b.providerName === undefined) throw missingAttribute('providerName');
        if (typeof b.providerName !== 'string' || !PROVIDERS.includes(b.providerName)) throw invalidEnum(b.providerName);
        const p = b.providerName as CloudProvider;
        if (b.region === undefined) throw missingAttribute('region');
        const region = typeof b.region === 'string' ? findRegion(p, b.region) : undefined;
        if (!region) throw invalidEnum(b.region);
        const remote = p === 'AWS' ? remoteRegions(b.supportedRemoteRegions) : undefined;
        if (b.portMappingEnabled !== undefined && typeof b.portMappingEnabled !== 'boolean') throw invalidAttribute('portMappingEnabled', b.portMappingEnabled);
        const clash = store.live(now, projectId).find((s) => s.provider === p && s.regionName === region.atlasName);
        if (clash) {
          throw new EmulatedError(409, 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION', `A private endpoint service already exists for ${p} region ${region.atlasName}.`, [p, region.atlasName]);
        }
        const s = store.create(
          now,
          {
            projectId,
            provider: p,
            regionName: region.atlasName,
            cloudRegion: region.cloudName,
            portMappingEnabled: p === 'GCP' ? b.portMappingEnabled === true : false,
            ...(remote ? { supportedRemoteRegions: remote } : {}),
          },
          faults.takeService(p, region.atlasName),
        );
        return [201, store.view(now, s)];
      }
      case 'listServices':
        return [200, store.live(now, projectId).filter((s) => s.provider === provider).map((s) => store.view(now, s))];
      case 'getService':
        return [200, store.view(now, service(now, projectId, provider!, r.serviceId!, path))];
      case 'updateService': {
        const b = json();
        if (b.cloudProvider === undefined) throw missingAttribute('cloudProvider');
        if (typeof b.cloudProvider !== 'string' || !PROVIDERS.includes(b.cloudProvider)) throw invalidEnum(b.cloudProvider);
        const s = service(now, projectId, b.cloudProvider as CloudProvider, r.serviceId!, path);
        if (b.supportedRemoteRegions !== undefined) {
          if (s.provider !== 'AWS') throw invalidAttribute('supportedRemoteRegions', b.supportedRemoteRegions);
          s.supportedRemoteRegions = remoteRegions(b.supportedRemoteRegions) ?? [];
        }
        return [200, store.view(now, s)];
      }
      case 'deleteService': {
        const s = service(now, projectId, provider!, r.serviceId!, path);
        if (s.endpoints.some((e) => e.deleteAt === undefined)) {
          // The emulator's choice of code and words: live Atlas refuses this too, its exact body unverified.
          throw new EmulatedError(409, 'CANNOT_DELETE_PRIVATE_ENDPOINT_SERVICE_WITH_ENDPOINTS', `Cannot delete private endpoint service ${s.id} while interface endpoints are registered with it; delete them first.`, [s.id]);
        }
        store.requestDeletion(now, s);
        return [202, {}];
      }
      case 'createEndpoint': {
        const s = service(now, projectId, provider!, r.serviceId!, path);
        const b = json();
        let id: string;
        const extra: { azureIp?: string; gcp?: { gcpProjectId: string; endpoints: { endpointName: string; ipAddress: string }[] } } = {};
        if (s.provider === 'AWS') {
          if (b.id === undefined) throw missingAttribute('id');
          if (typeof b.id !== 'string' || !/^vpce-[0-9a-f]{17}$/.test(b.id)) throw invalidAttribute('id', b.id);
          id = b.id;
        } else if (s.provider === 'AZURE') {
          if (b.id === undefined) throw missingAttribute('id');
          if (b.privateEndpointIPAddress === undefined) throw missingAttribute('privateEndpointIPAddress');
          if (typeof b.id !== 'string' || !/^\/subscriptions\/[0-9a-f-]{36}\/resource[gG]roups\/[-\w._()]+\/providers\/Microsoft\.Network\/privateEndpoints\/[-\w._()]+$/.test(b.id)) throw invalidAttribute('id', b.id);
          id = b.id;
          extra.azureIp = String(b.privateEndpointIPAddress);
        } else {
          if (b.endpointGroupName === undefined) throw missingAttribute('endpointGroupName');
          if (b.gcpProjectId === undefined) throw missingAttribute('gcpProjectId');
          id = String(b.endpointGroupName);
          extra.gcp = { gcpProjectId: String(b.gcpProjectId), endpoints: Array.isArray(b.endpoints) ? (b.endpoints as { endpointName: string; ipAddress: string }[]) : [] };
        }
        if (store.findEndpoint(s, id)) {
          // The emulator's choice of code: live Atlas refuses a second registration, its exact body unverified.
          throw new EmulatedError(409, 'PRIVATE_ENDPOINT_ALREADY_EXISTS', `The private endpoint ${id} is already registered with endpoint service ${s.id}.`, [id, s.id]);
        }
        const e = store.addEndpoint(now, s, { id, ...extra }, faults.takeEndpoint());
        return [201, store.endpointView(now, s, e)];
      }
      case 'getEndpoint': {
        const s = service(now, projectId, provider!, r.serviceId!, path);
        const e = store.findEndpoint(s, r.endpointId!);
        if (!e) throw notFound(path);
        return [200, store.endpointView(now, s, e)];
      }
      case 'deleteEndpoint': {
        const s = service(now, projectId, provider!, r.serviceId!, path);
        const e = store.findEndpoint(s, r.endpointId!);
        if (!e) throw notFound(path);
        store.deleteEndpoint(now, s, e);
        return [202, {}];
      }
      case 'token':
        throw new Error('unreachable');
    }
  };

  const service = (now: number, projectId: string, provider: CloudProvider, id: string, path: string) => {
    const s = ID.test(id) ? store.find(now, projectId, provider, id) : undefined;
    if (!s) throw notFound(path);
    return s;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      if (body.length > 0 && (req.url ?? '').startsWith('/api/atlas/v2/') && !/^application\/(vnd\.atlas\.[0-9-]+\+)?json/.test(type)) {
        const e = new EmulatedError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content type ${type || '(none)'} is not supported.`, []);
        requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', at: clock.now(), authKind: 'none', status: 415 });
        res.writeHead(415, { 'content-type': 'application/json' }).end(JSON.stringify(e.body));
        return;
      }
      handle(req, res, body).catch((err: unknown) => {
        const e = new EmulatedError(500, 'UNEXPECTED_ERROR', `Unexpected error: ${(err as Error).message}`, []);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(e.body));
      });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    clock,
    faults,
    requests,
    advance(seconds: number) {
      if (!isVirtual(clock)) throw new Error('advance() needs the emulator to run on a VirtualClock');
      clock.advance(seconds);
    },
    services(projectId = DEFAULT_PROJECT_ID) {
      const now = clock.now();
      return store.live(now, projectId).map((s) => store.view(now, s));
    },
    reset() {
      store.clear();
      faults.clear();
      auth.reset();
      requests.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Applies a request fault; true when the request was answered (or dropped) by it. */
async function applyFault(fault: Fault, res: ServerResponse, send: (status: number, payload: unknown, headers?: Record<string, string>) => void): Promise<boolean> {
  switch (fault.kind) {
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.ms));
      return res.destroyed;
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'drop-after-processing':
      return false;
    case 'status': {
      const retryAfter = fault.retryAfterSeconds ?? (fault.status === 429 ? 55 : undefined);
      const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
      if (fault.status === 429) {
        const e = new EmulatedError(
          429,
          'RATE_LIMITED_TOKEN_BUCKET',
          `Rate limit exceeded for api/atlas/v2/groups. Please retry after ${retryAfter} seconds. Request capacity: 10. Refill rate: 5 per 60 seconds.`,
          ['api/atlas/v2/groups', retryAfter, 10, 5, 60],
        );
        send(429, e.body, headers);
      } else if (fault.status === 503) {
        send(503, new EmulatedError(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.', []).body, headers);
      } else {
        send(fault.status, new EmulatedError(fault.status, 'UNEXPECTED_ERROR', 'Unexpected error.', []).body, headers);
      }
      return true;
    }
  }
}

function parseBody(body: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new EmulatedError(400, 'INVALID_JSON', 'Received JSON is malformed.', []);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EmulatedError(400, 'INVALID_JSON', 'Received JSON is malformed.', []);
  return v as Record<string, unknown>;
}

/** AWS `supportedRemoteRegions`: Atlas spelling only (a lowercase value is refused, as live Atlas does). */
function remoteRegions(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidAttribute('supportedRemoteRegions', value);
  if (value.length > 35) throw invalidAttribute('supportedRemoteRegions', value.length);
  for (const r of value) {
    if (typeof r !== 'string' || r !== r.toUpperCase() || findRegion('AWS', r)?.atlasName !== r) throw invalidEnum(r);
  }
  return [...value] as string[];
}
