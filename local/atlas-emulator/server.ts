/**
 * The HTTP server: one pipeline for every request (record, authenticate, negotiate the media type,
 * apply an injected fault, run the operation, answer) on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterState, EndpointService } from '../../lambda/atlas/models';
import { DigestVerifier } from './auth/digest';
import { mediaType, TokenIssuer } from './auth/oauth';
import { Authenticator, authKindOf, type AuthKind, type Principal } from './auth/principals';
import { type Clock, isVirtualClock, VirtualClock } from './clock';
import type { ClusterView } from './clusters';
import {
  type EmulatorCluster,
  type EmulatorCredentials,
  GCP_SERVICE_ATTACHMENT_COUNTS,
  type ResponseShapes,
  resolveShapes,
  type EmulatorTimingOverrides,
  type EmulatorTimings,
  resolveCluster,
  resolveCredentials,
  resolveProjectIds,
  resolveTimings,
} from './config';
import { AtlasHttpError, errors, NON_JSON_503_BODY, prettyJson } from './errors';
import { type Fault, type FaultInjector, Faults } from './faults';
import {
  ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT,
  type RateLimitDecision,
  type RateLimitSettings,
  resolveRateLimit,
  TokenBuckets,
} from './rate-limit';
import { serviceView } from './lifecycle';
import { runOperation } from './operations';
import {
  ATLAS_API_PREFIX,
  matchRoute,
  type Operation,
  OPERATION_MEDIA_TYPES,
  PRIVATE_ENDPOINT_OPERATIONS,
  type RouteResult,
} from './routes';
import { AtlasState } from './state';

export interface EmulatorOptions {
  /** Default 0: an ephemeral port. The host is always 127.0.0.1. */
  port?: number;
  /** Default `[DEFAULT_PROJECT_ID]`. */
  projectIds?: string[];
  /** Defaults: `[DEFAULT_API_KEY]` and `[DEFAULT_SERVICE_ACCOUNT]`, each list replaced as a whole when given. */
  credentials?: Partial<EmulatorCredentials>;
  /** Default: a new VirtualClock. */
  clock?: Clock;
  /** Seconds; anything not given keeps its default (`DEFAULT_TIMINGS`). */
  timings?: EmulatorTimingOverrides;
  /** Where Atlas's answers changed over time: which shape to show. Default: as recorded live (`DEFAULT_SHAPES`). */
  shapes?: Partial<ResponseShapes>;
  /** Service attachments of a GCP service without port mapping; default by shape: 6 recorded, 50 documented. */
  gcpServiceAttachmentCount?: number;
  /**
   * Version dates (`2023-02-01`) that Atlas has sunset: an Accept header asking for one gets 410 VERSION_GONE.
   * Default none: the private endpoint operations exist only in 2023-01-01, which is current.
   */
  sunsetVersions?: string[];
  /**
   * The per-project token bucket of the private endpoint operations. Default: on, with Atlas's documented
   * limit (`ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT`: capacity 4000, refill 2000 per 60 s); any field given
   * replaces the documented one; `false` turns it off (no 429 unless injected, no RateLimit-* headers).
   */
  rateLimit?: Partial<RateLimitSettings> | false;
  /**
   * Clusters the projects have from the start (and again after `reset()`, as the projects do). Default none: a
   * cluster read answers 404 CLUSTER_NOT_FOUND.
   */
  clusters?: EmulatorCluster[];
}

/** One request as the emulator saw it. Header values and bodies are never kept: they may hold secrets. */
export interface RecordedRequest {
  method: string;
  /** Without the query. */
  path: string;
  /** 0 when no response was sent (a dropped connection). */
  status: number;
  /** Emulator clock, epoch ms, on arrival. */
  at: number;
  /** The scheme of the Authorization header (not whether it was right). */
  authKind: AuthKind;
  operation?: Operation;
  /** The injected fault this request got, if any. */
  fault?: Fault['kind'];
  /** True when the project's token bucket was empty and the request got the rate limit's 429 (not an injected one). */
  rateLimited?: true;
}

export interface AtlasEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly port: number;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly requests: RecordedRequest[];
  readonly timings: EmulatorTimings;
  readonly shapes: ResponseShapes;
  /** The per-project rate limit in force; undefined when turned off. */
  readonly rateLimit: Readonly<RateLimitSettings> | undefined;
  /** Moves a virtual clock forward; throws when the emulator runs on another clock. */
  advance(seconds: number): void;
  /** A project's services as GET would show them now (default: the first configured project). */
  services(projectId?: string): EndpointService[];
  /** Adds a cluster (IDLE unless `stateName` says otherwise) from now on; throws when its project already has the name. */
  addCluster(cluster: EmulatorCluster): void;
  /**
   * Puts a cluster in a state from now on (default project: the first). Strings it published stay; while it is not
   * IDLE it publishes no new ones.
   */
  setClusterState(name: string, stateName: ClusterState, projectId?: string): void;
  /** Removes a cluster: reads of it answer 404 CLUSTER_NOT_FOUND. */
  removeCluster(name: string, projectId?: string): void;
  /** A project's clusters as GET would show them now (default: the first configured project). */
  clusters(projectId?: string): ClusterView[];
  /**
   * Drops all services, endpoints, clusters, faults, recorded requests, nonces and tokens, and refills every
   * rate-limit bucket; the clusters given in the options are there again, IDLE unless configured otherwise.
   */
  reset(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  /** Undefined: no body at all. A string is sent as it is. */
  body: unknown;
  headers: Record<string, string>;
  contentType: string;
  /** Serialize like Atlas's pretty printer (the recorded 401). */
  pretty?: boolean;
}

/** Every media type some operation answers in: what a request for a path the emulator does not serve may ask for. */
const ANY_MEDIA_TYPE = [...new Set(Object.values(OPERATION_MEDIA_TYPES).flat())];
const ERROR_CONTENT_TYPE = 'application/json';
const MAX_BODY_BYTES = 1024 * 1024;

export async function startAtlasEmulator(options: EmulatorOptions = {}): Promise<AtlasEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

class Emulator implements AtlasEmulator {
  readonly clock: Clock;
  readonly faults: Faults;
  readonly requests: RecordedRequest[] = [];
  readonly timings: EmulatorTimings;
  readonly shapes: ResponseShapes;
  private readonly sunsetVersions: readonly string[];
  private readonly buckets: TokenBuckets | undefined;
  private readonly projectIds: string[];
  private readonly configuredClusters: EmulatorCluster[];
  private readonly state: AtlasState;
  private readonly auth: Authenticator;
  private readonly server: Server;
  private readonly delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  private url = '';

  constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? new VirtualClock();
    this.timings = resolveTimings(options.timings);
    this.projectIds = resolveProjectIds(options.projectIds);
    this.shapes = resolveShapes(options.shapes);
    this.sunsetVersions = [...(options.sunsetVersions ?? [])];
    const count = options.gcpServiceAttachmentCount ?? GCP_SERVICE_ATTACHMENT_COUNTS[this.shapes.gcpServiceAttachments];
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`gcpServiceAttachmentCount must be a positive integer, got ${count}`);
    this.state = new AtlasState({ timings: this.timings, gcpServiceAttachmentCount: count, shapes: this.shapes });
    this.configuredClusters = (options.clusters ?? []).map((c) => ({ ...c, ...(c.regions ? { regions: [...c.regions] } : {}) }));
    this.configuredClusters.forEach((c) => this.addCluster(c));
    this.faults = new Faults();
    const rateLimit = resolveRateLimit(options.rateLimit);
    this.buckets = rateLimit ? new TokenBuckets(rateLimit) : undefined;
    this.auth = new Authenticator(
      resolveCredentials(options.credentials),
      new DigestVerifier(this.clock, this.timings.nonceLifetime),
      new TokenIssuer(this.clock, this.timings.tokenLifetime),
      this.shapes.unauthorized,
    );
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        console.error('atlas-emulator: unexpected failure', err);
        if (!res.headersSent) this.send(res, errorAnswer(errors.serverError(500)));
        else res.destroy();
      });
    });
  }

  get rateLimit(): Readonly<RateLimitSettings> | undefined {
    return this.buckets?.settings;
  }

  get baseUrl(): string {
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  advance(seconds: number): void {
    if (!isVirtualClock(this.clock)) throw new Error('advance() needs the emulator to run on a VirtualClock');
    this.clock.advance(seconds);
  }

  services(projectId: string = this.projectIds[0]): EndpointService[] {
    const now = this.clock.now();
    return this.state.list(projectId, undefined, now).map((s) => serviceView(s, now));
  }

  addCluster(cluster: EmulatorCluster): void {
    this.state.addCluster(resolveCluster(cluster, this.projectIds), this.clock.now());
  }

  setClusterState(name: string, stateName: ClusterState, projectId: string = this.projectIds[0]): void {
    this.state.setClusterState(
      this.cluster(name, projectId),
      resolveCluster({ name, projectId, stateName }, this.projectIds).stateName,
      this.clock.now(),
    );
  }

  removeCluster(name: string, projectId: string = this.projectIds[0]): void {
    this.state.removeCluster(this.cluster(name, projectId));
  }

  clusters(projectId: string = this.projectIds[0]): ClusterView[] {
    return this.state.clusterViews(projectId, this.clock.now());
  }

  private cluster(name: string, projectId: string) {
    const found = this.state.findCluster(projectId, name);
    if (!found) throw new RangeError(`project ${projectId} has no cluster named ${name}`);
    return found;
  }

  reset(): void {
    this.state.reset();
    this.configuredClusters.forEach((c) => this.addCluster(c));
    this.faults.clear();
    this.requests.length = 0;
    this.auth.digest.reset();
    this.auth.tokens.reset();
    this.buckets?.reset();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.delays) {
      clearTimeout(d.timer);
      d.resolve();
    }
    this.delays.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const path = target.split('?')[0];
    const route = matchRoute(method, path);
    const operation = route.kind === 'match' ? route.operation : undefined;
    const isApi = path.startsWith(ATLAS_API_PREFIX);
    const record: RecordedRequest = {
      method,
      path,
      status: 0,
      at: this.clock.now(),
      authKind: authKindOf(req.headers.authorization),
      ...(operation ? { operation } : {}),
    };
    this.requests.push(record);

    // Who is calling, in which media type, comes first and consumes no fault: a digest client's
    // challenge leg must not use up a fault a test meant for the operation itself.
    let principal: Principal | undefined;
    let answersIn = '';
    if (isApi) {
      try {
        principal = this.auth.authenticate(req.headers.authorization, method, target);
        answersIn = this.negotiate(req.headers.accept, operation);
      } catch (err) {
        if (!(err instanceof AtlasHttpError)) throw err;
        record.status = this.send(res, errorAnswer(err));
        return;
      }
    }

    const fault = principal || operation === 'token' ? this.faults.take({ method, path, operation }) : undefined;
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    // Read before any delay: a slow server has the request even if the client gives up waiting.
    const body = await readBody(req);
    if (body === undefined) {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') {
      await this.sleep(fault.ms);
      if (this.closed) return;
    }
    if (fault?.kind === 'status' && fault.nonJsonBody) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      record.status = this.send(res, { status: fault.status, body: NON_JSON_503_BODY, headers, contentType: 'text/html' });
      return;
    }
    if (fault?.kind === 'refuse') {
      record.status = this.send(res, errorAnswer(errors.userUnauthorized()));
      return;
    }
    if (fault?.kind === 'status') {
      const error =
        fault.status === 429
          ? errors.rateLimited(path, fault.retryAfterSeconds ?? 55, this.rateLimit ?? ATLAS_PRIVATE_ENDPOINT_RATE_LIMIT)
          : errors.serverError(fault.status, fault.retryAfterSeconds);
      record.status = this.send(res, errorAnswer(error));
      return;
    }

    // The bucket is the project's, so only a request naming a project that exists spends a token; and it is the
    // bucket of the private endpoint operations' endpoint set, which the cluster read is not part of.
    const limited = principal && operation && PRIVATE_ENDPOINT_OPERATIONS.has(operation) ? this.takeToken(route) : undefined;
    let answer: Answer;
    if (limited?.allowed === false) {
      record.rateLimited = true;
      answer = errorAnswer(errors.rateLimited(path, limited.retryAfterSeconds, this.rateLimit!));
    } else {
      answer = principal
        ? this.operate(req, method, path, route, body, principal, answersIn)
        : this.unauthenticated(req, method, path, route, body);
      if (limited?.allowed) answer = withRateLimitHeaders(answer, limited);
    }
    if (fault?.kind === 'drop-after-processing') {
      req.socket.destroy();
      return;
    }
    record.status = this.send(res, answer);
  }

  private takeToken(route: RouteResult): RateLimitDecision | undefined {
    const groupId = route.kind === 'match' ? route.params.groupId : undefined;
    if (!this.buckets || groupId === undefined || !this.projectIds.includes(groupId)) return undefined;
    return this.buckets.take(groupId, this.clock.now());
  }

  /** The token endpoint, and anything outside the Atlas API. */
  private unauthenticated(req: IncomingMessage, method: string, path: string, route: RouteResult, body: string): Answer {
    if (route.kind === 'match' && route.operation === 'token') {
      const r = this.auth.tokens.handle(req.headers.authorization, req.headers['content-type'], body, (id) => this.auth.secretOf(id));
      return { status: r.status, body: r.body, headers: r.headers, contentType: 'application/json' };
    }
    return errorAnswer(route.kind === 'method-not-allowed' ? errors.methodNotAllowed(method, route.allow) : errors.resourceNotFound(path));
  }

  /** An authenticated Atlas API request. */
  private operate(
    req: IncomingMessage,
    method: string,
    path: string,
    route: RouteResult,
    body: string,
    principal: Principal,
    mediaType: string,
  ): Answer {
    try {
      if (route.kind === 'method-not-allowed') throw errors.methodNotAllowed(method, route.allow);
      if (route.kind === 'not-found' || route.operation === 'token') throw errors.resourceNotFound(path);
      const reply = runOperation(
        { state: this.state, faults: this.faults, projectIds: this.projectIds, unauthorizedShape: this.shapes.unauthorized },
        {
          operation: route.operation,
          params: route.params,
          path,
          rawBody: body,
          contentType: req.headers['content-type'],
          principal,
          clientIp: clientIp(req),
          now: this.clock.now(),
        },
      );
      return { status: reply.status, body: reply.body, headers: {}, contentType: `${mediaType};charset=utf-8` };
    } catch (err) {
      if (!(err instanceof AtlasHttpError)) throw err;
      return errorAnswer(err);
    }
  }

  /**
   * One of the operation's versioned media types must be among those accepted (the first accepted is the answer's);
   * a sunset version is gone, anything else not acceptable.
   */
  private negotiate(accept: string | undefined, operation: Operation | undefined): string {
    const types = (accept ?? '').split(',').map((part) => mediaType(part));
    const served = operation === undefined || operation === 'token' ? ANY_MEDIA_TYPE : OPERATION_MEDIA_TYPES[operation];
    const chosen = types.find((t) => served.includes(t));
    if (chosen) return chosen;
    for (const t of types) {
      const version = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$/.exec(t)?.[1];
      if (version && this.sunsetVersions.includes(version)) throw errors.versionGone(version);
    }
    throw errors.notAcceptable();
  }

  /** Writes the answer; returns its status for the record. */
  private send(res: ServerResponse, answer: Answer): number {
    if (answer.body === undefined) {
      // Recorded live for a 405: no body and no Content-Type.
      res.writeHead(answer.status, { ...answer.headers, 'Content-Length': 0 });
      res.end();
      return answer.status;
    }
    const text =
      typeof answer.body === 'string' ? answer.body : answer.pretty ? prettyJson(answer.body as object) : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...answer.headers,
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
    return answer.status;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.delays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.delays.add(entry);
    });
  }
}

/** What Atlas shows of the bucket on an answer that spent a token. */
function withRateLimitHeaders(answer: Answer, decision: RateLimitDecision & { allowed: true }): Answer {
  const headers = { 'RateLimit-Limit': String(decision.limit), 'RateLimit-Remaining': String(decision.remaining) };
  return { ...answer, headers: { ...headers, ...answer.headers } };
}

function errorAnswer(error: AtlasHttpError): Answer {
  return { status: error.status, body: error.body, headers: { ...error.headers }, contentType: ERROR_CONTENT_TYPE, pretty: error.pretty };
}

function clientIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/**
 * The whole body as text, or undefined when the client went away before sending it or sent more than
 * any request of this API takes.
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(undefined);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}
