/**
 * Fault injection: what the next matching requests suffer, and how the next services and endpoints
 * turn out. Rules are consumed as they fire, so a test states exactly how many requests are affected.
 */
import type { CloudProvider } from '../../lambda/model/provider';
import { findRegion } from '../../lambda/model/regions';
import type { Operation } from './routes';
import type { EndpointFate, ServiceFate } from './state';

export type Fault =
  /**
   * Answer with this status and an Atlas error body (429: Retry-After default 55). Nothing is processed.
   * `nonJsonBody`: an HTML page instead, as a 503 was recorded live.
   */
  | { kind: 'status'; status: 429 | 500 | 502 | 503 | 504; retryAfterSeconds?: number; nonJsonBody?: boolean }
  /**
   * Refuse the request as Atlas refuses a write by a key without the role for it (the recorded 401
   * `USER_UNAUTHORIZED`), as after the key's project role was lowered: nothing is processed.
   */
  | { kind: 'refuse' }
  /** Destroy the socket before reading the request: nothing happens. */
  | { kind: 'drop' }
  /** Process the request (state changes) and destroy the socket instead of answering: the ambiguous case. */
  | { kind: 'drop-after-processing' }
  /** Wait this many real milliseconds, then process and answer as usual. */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  /** Case-insensitive HTTP method. */
  method?: string;
  /** A substring of, or a pattern tested against, the request path (without the query). */
  path?: string | RegExp;
  operation?: Operation;
  /** How many matching requests get the fault; default 1. */
  times?: number;
  /** How many matching requests pass untouched before the fault applies (a fault on a later call of a sequence); default 0. */
  after?: number;
}

interface OutcomeFilter {
  provider?: CloudProvider;
  /** Either spelling. */
  region?: string;
}

export type ServiceOutcome = OutcomeFilter &
  /** The create is refused as recorded live: 400 ATLAS_GENERAL_ERROR "Reason: No Capacity."; nothing is created. */
  (
    | { outcome: 'NO_CAPACITY' }
    | { outcome: 'FAILED'; errorMessage?: string }
    | { outcome: 'STUCK_INITIATING' }
    | { outcome: 'STUCK_DELETING' }
    /**
     * A lagging read after a delete: DELETE is accepted (202) as usual, but GET and the list keep showing the
     * status from before the request (AVAILABLE) for `lagSeconds` of the emulator's clock; then the deletion
     * runs as usual (DELETING for the provider's delete duration, then 404). The region stays taken throughout.
     */
    | { outcome: 'DELETE_LAGS'; lagSeconds: number }
  );

export type EndpointOutcome = { provider?: CloudProvider } & (
  | { outcome: 'REJECTED'; errorMessage?: string }
  /**
   * The interface endpoint id does not exist in the cloud: accepted, then REJECTED (FAILED on Azure/GCP) with
   * Atlas's recorded errorMessage (see the `unknownInterfaceEndpoint` shape).
   */
  | { outcome: 'UNKNOWN_IN_CLOUD' }
  | { outcome: 'STUCK_PENDING' }
);

export interface FaultInjector {
  inject(rule: FaultRule, fault: Fault): void;
  nextService(outcome: ServiceOutcome): void;
  nextEndpoint(outcome: EndpointOutcome): void;
  clear(): void;
}

export const DEFAULT_SERVICE_FAILURE = 'The private endpoint service could not be created.';
export const DEFAULT_ENDPOINT_REJECTION = 'The private endpoint connection was rejected.';

export class Faults implements FaultInjector {
  private rules: { rule: FaultRule; fault: Fault; remaining: number; skip: number }[] = [];
  private services: ServiceOutcome[] = [];
  private endpoints: EndpointOutcome[] = [];

  inject(rule: FaultRule, fault: Fault): void {
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
    if (fault.kind === 'delay' && !(fault.ms >= 0)) throw new RangeError(`delay must be non-negative, got ${fault.ms}`);
    if (fault.kind === 'status' && fault.nonJsonBody && fault.status === 429)
      throw new RangeError('a 429 always carries an Atlas error body');
    const after = rule.after ?? 0;
    if (!Number.isInteger(after) || after < 0) throw new RangeError(`after must be a non-negative integer, got ${after}`);
    this.rules.push({ rule, fault, remaining: times, skip: after });
  }

  nextService(outcome: ServiceOutcome): void {
    if (outcome.outcome === 'DELETE_LAGS' && !(Number.isFinite(outcome.lagSeconds) && outcome.lagSeconds >= 0))
      throw new RangeError(`lagSeconds must be a non-negative number, got ${outcome.lagSeconds}`);
    this.services.push(outcome);
  }

  nextEndpoint(outcome: EndpointOutcome): void {
    this.endpoints.push(outcome);
  }

  clear(): void {
    this.rules = [];
    this.services = [];
    this.endpoints = [];
  }

  /** The fault for this request, if a rule matches; the earliest matching rule is used up by one. */
  take(request: { method: string; path: string; operation: Operation | undefined }): Fault | undefined {
    // Rules still letting requests through count this one; the earliest rule that is armed applies.
    const matching = this.rules.filter(({ rule }) => matches(rule, request));
    const entry = matching.find((e) => e.skip === 0);
    for (const e of matching) if (e.skip > 0) e.skip--;
    if (!entry) return undefined;
    const index = this.rules.indexOf(entry);
    if (--entry.remaining === 0) this.rules.splice(index, 1);
    return entry.fault;
  }

  /** The fate of a service about to be created, consuming the first queued outcome that applies. */
  takeServiceFate(provider: CloudProvider, regionAtlasName: string): ServiceFate {
    const index = this.services.findIndex(
      (o) =>
        (o.provider === undefined || o.provider === provider) &&
        (o.region === undefined || findRegion(provider, o.region)?.atlasName === regionAtlasName),
    );
    if (index < 0) return {};
    const [o] = this.services.splice(index, 1);
    switch (o.outcome) {
      case 'NO_CAPACITY':
        return { noCapacity: true };
      case 'FAILED':
        return { failureMessage: o.errorMessage ?? DEFAULT_SERVICE_FAILURE };
      case 'STUCK_INITIATING':
        return { stuckInitiating: true };
      case 'STUCK_DELETING':
        return { stuckDeleting: true };
      case 'DELETE_LAGS':
        return { deleteLagSeconds: o.lagSeconds };
    }
  }

  takeEndpointFate(provider: CloudProvider): EndpointFate {
    const index = this.endpoints.findIndex((o) => o.provider === undefined || o.provider === provider);
    if (index < 0) return {};
    const [o] = this.endpoints.splice(index, 1);
    switch (o.outcome) {
      case 'REJECTED':
        return { rejectionMessage: o.errorMessage ?? DEFAULT_ENDPOINT_REJECTION };
      case 'UNKNOWN_IN_CLOUD':
        return { unknownInCloud: true };
      case 'STUCK_PENDING':
        return { stuckPending: true };
    }
  }
}

function matches(rule: FaultRule, r: { method: string; path: string; operation: Operation | undefined }): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== r.method.toUpperCase()) return false;
  if (rule.operation !== undefined && rule.operation !== r.operation) return false;
  if (rule.path !== undefined) {
    if (typeof rule.path === 'string' ? !r.path.includes(rule.path) : !testPattern(rule.path, r.path)) return false;
  }
  return true;
}

function testPattern(pattern: RegExp, path: string): boolean {
  // A global or sticky pattern keeps state between calls; matching must not depend on earlier requests.
  pattern.lastIndex = 0;
  return pattern.test(path);
}
