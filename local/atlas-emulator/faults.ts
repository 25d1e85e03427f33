/** Faults a test (or a run) asks for: per request, or for the next service or endpoint created. */
import type { CloudProvider } from '../../lambda/model/provider';

export type Operation =
  | 'createService'
  | 'getService'
  | 'listServices'
  | 'updateService'
  | 'deleteService'
  | 'createEndpoint'
  | 'getEndpoint'
  | 'deleteEndpoint'
  | 'token';

export type Fault =
  | { kind: 'status'; status: 429 | 500 | 502 | 503 | 504; retryAfterSeconds?: number }
  /** Close the connection before doing anything. */
  | { kind: 'drop' }
  /** Do the work, then close the connection without answering: the caller cannot know it happened. */
  | { kind: 'drop-after-processing' }
  /** Answer after this many real milliseconds. */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  method?: string;
  path?: string | RegExp;
  operation?: Operation;
  /** Default 1. */
  times?: number;
}

export type ServiceOutcome = { provider?: CloudProvider; region?: string } & (
  | { outcome: 'FAILED'; errorMessage?: string }
  | { outcome: 'STUCK_INITIATING' }
  | { outcome: 'STUCK_DELETING' }
);

export type EndpointOutcome = { outcome: 'REJECTED'; errorMessage?: string } | { outcome: 'STUCK_PENDING' };

export class FaultInjector {
  private rules: { rule: FaultRule; fault: Fault; left: number }[] = [];
  private services: ServiceOutcome[] = [];
  private endpoints: EndpointOutcome[] = [];

  inject(rule: FaultRule, fault: Fault): void {
    this.rules.push({ rule, fault, left: rule.times ?? 1 });
  }

  nextService(outcome: ServiceOutcome): void {
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

  /** The fault for this request, consumed. */
  take(method: string, path: string, operation: Operation | undefined): Fault | undefined {
    const hit = this.rules.find(
      ({ rule, left }) =>
        left > 0 &&
        (!rule.method || rule.method.toUpperCase() === method) &&
        (!rule.operation || rule.operation === operation) &&
        (!rule.path || (typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path))),
    );
    if (!hit) return undefined;
    hit.left -= 1;
    return hit.fault;
  }

  /** The outcome for a service being created, consumed. */
  takeService(provider: CloudProvider, atlasRegion: string): ServiceOutcome | undefined {
    const i = this.services.findIndex((s) => (!s.provider || s.provider === provider) && (!s.region || s.region.toUpperCase() === atlasRegion));
    return i < 0 ? undefined : this.services.splice(i, 1)[0];
  }

  takeEndpoint(): EndpointOutcome | undefined {
    return this.endpoints.shift();
  }
}
