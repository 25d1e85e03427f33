/**
 * A service a request may have created without seeing it: a POST whose answer was lost (a reset, a
 * timeout, a crash after it), or a step CloudFormation's cancellation stopped while it was creating. Atlas
 * has no idempotency key, so what tells such a service apart is where it is (the project, provider and
 * region the request asked for) and when it was made: its id, an ObjectId, carries its creation second,
 * which must not be before the request was received. The limit that remains: another stack creating in
 * the same project, provider and region within the same window cannot be told apart (README, "Limits").
 */
import type { EndpointService } from '../../atlas/models';
import type { CloudProvider } from '../../model/provider';
import { guessAtlasRegionName } from '../../model/regions';
import { parseServiceProperties } from '../../model/service-properties';
import type { ExecutionState } from '../core/execution-state';
import type { AtlasApi, StepPorts } from '../core/ports';
import { credentialsOf } from '../core/properties';
import type { Task } from '../tasks';
import { isDeleting, refOf } from './decisions';
import { formatServicePhysicalId, parseReplacedService, parseServicePhysicalId, replacedIdFor } from './physical-id';

/** Where to look for a service a request may have created, and since when. */
export interface UnseenSearch {
  projectId: string;
  provider: CloudProvider;
  /** As the properties name it (either spelling). */
  region: string;
  /** Epoch ms when the request was received: a service made before cannot be its. */
  since: number;
  /** Epoch ms after which the request's attempts could no longer land: a service made later is not its. */
  until?: number;
}

/** True when the state's create attempt may have created a service the state does not show. */
export function mayHaveCreatedUnseen(state: ExecutionState): boolean {
  const t = state.task;
  if (t.kind === 'create') return t.maybeProcessed === true || state.stepFailures.count > 0 || state.invocationRetried === true;
  return t.kind === 'inspect' && t.maybeProcessed === true;
}

/** When the service was made (epoch ms): its id, an ObjectId, starts with the second; NaN for another id. */
function createdAt(service: EndpointService): number {
  return Number.parseInt(service.id.slice(0, 8), 16) * 1000;
}

/** The service was made at `since` or after (with a second's slack: ObjectIds count whole seconds). */
export function createdSince(service: EndpointService, since: number): boolean {
  return createdAt(service) >= since - 1000;
}

/** The service was made at `until` or before (the same slack). */
function createdBy(service: EndpointService, until: number): boolean {
  return createdAt(service) <= until + 1000;
}

/** The service in the searched region made since the request was received, if any (one per provider and region). */
export async function findCreatedSince(api: AtlasApi, search: UnseenSearch): Promise<EndpointService | undefined> {
  const region = guessAtlasRegionName(search.provider, search.region);
  const services = await api.listEndpointServices(search.projectId, search.provider);
  return services.find(
    (s) =>
      s.regionName === region &&
      createdSince(s, search.since) &&
      (search.until === undefined || createdBy(s, search.until)) &&
      !isDeleting(s),
  );
}

function searchOf(state: ExecutionState): UnseenSearch | undefined {
  const parsed = parseServiceProperties(state.request.ResourceProperties);
  if (!parsed.ok) return undefined;
  const p = parsed.value;
  return { projectId: p.projectId, provider: p.provider, region: p.region.atlasName ?? p.region.input, since: state.receivedAt };
}

/** `LifecycleResource.findUnseen` for services: the physical id of the service an unclear create made. */
export async function findUnseenService(state: ExecutionState, ports: StepPorts): Promise<string | undefined> {
  if (!mayHaveCreatedUnseen(state)) return undefined;
  const search = searchOf(state);
  if (!search) return undefined;
  const api = await ports.atlasFor(credentialsOf(state));
  const found = await findCreatedSince(api, search);
  if (!found) return undefined;
  const ref = refOf(search.projectId, found);
  return formatServicePhysicalId(ref, replacedIdFor(state.request, ref));
}

/**
 * `LifecycleResource.cleanup` for services: delete the service this execution created; if a create of
 * unknown outcome may have created one unseen, look for it (made since the request was received, by now).
 */
export function cleanupService(state: ExecutionState, now: number): Task | undefined {
  const ref = parseServicePhysicalId(state.made);
  if (ref) return { kind: 'delete', ref };
  if (!mayHaveCreatedUnseen(state)) return undefined;
  const search = searchOf(state);
  if (!search) return undefined;
  return { kind: 'find-created', ...search, until: now };
}

/** `LifecycleResource.isReplacementPair` for services: either id records the other as the service it replaced. */
export function isServiceReplacementPair(a: string, b: string): boolean {
  return parseReplacedService(a)?.physicalResourceId === b || parseReplacedService(b)?.physicalResourceId === a;
}
