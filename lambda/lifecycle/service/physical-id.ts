/**
 * Physical ids of `Custom::AtlasPrivateEndpointService`: `{ProjectId}-{PrivateLinkId}-{ProviderName}-{Region}`,
 * the import id users know from Terraform's `mongodbatlas_privatelink_endpoint`, with the region in Atlas's
 * spelling. A service created by an Update that replaced another one carries the replaced service's id after a
 * `~`: `{this service}~{the id the replaced service had}`. When the stack rolls that Update back with an Update
 * on the new id, the record says which service the stack had, so it can take it back (its region is still
 * taken by it) instead of failing. Each link names one service; at most `MAX_SERVICE_ID_LINKS`, the oldest
 * dropped, so the id stays short. Anything that does not parse names nothing of ours: a failed Create's marker
 * or an id CloudFormation made up for a cancelled Create; deleting it is a no-op.
 */
import { ATLAS_ID_SOURCE, CLOUD_PROVIDERS, type CloudProvider } from '../../model/provider';

/** One endpoint service in Atlas. */
export interface ServiceRef {
  projectId: string;
  serviceId: string;
  provider: CloudProvider;
  /** Atlas spelling. */
  region: string;
}

/** Separates a service's own part of the id from the id of the service it replaced (no part can contain it). */
export const REPLACED_SEPARATOR = '~';
/** Services one id names: itself and up to three generations of services it replaced. */
export const MAX_SERVICE_ID_LINKS = 4;
/** Longest id parsed as ours, well under CloudFormation's 1 KB: four links of the longest Atlas region names fit. */
export const MAX_SERVICE_ID_LENGTH = 512;
/** Longest region name in a link (Atlas's are under 30 characters). */
const MAX_REGION_LENGTH = 64;

const LINK = new RegExp(
  `^(${ATLAS_ID_SOURCE})-(${ATLAS_ID_SOURCE})-(${CLOUD_PROVIDERS.join('|')})-([A-Za-z0-9_-]{1,${MAX_REGION_LENGTH}})$`,
);

function formatLink(ref: ServiceRef): string {
  return `${ref.projectId}-${ref.serviceId}-${ref.provider}-${ref.region}`;
}

function parseLink(link: string): ServiceRef | undefined {
  const m = LINK.exec(link);
  return m ? { projectId: m[1], serviceId: m[2], provider: m[3] as CloudProvider, region: m[4] } : undefined;
}

/** The links of an id of ours, newest first; undefined for anything else. */
function linksOf(id: string | undefined): string[] | undefined {
  if (!id || id.length > MAX_SERVICE_ID_LENGTH) return undefined;
  const links = id.split(REPLACED_SEPARATOR);
  if (links.length > MAX_SERVICE_ID_LINKS || !links.every((l) => parseLink(l) !== undefined)) return undefined;
  return links;
}

/**
 * The physical id of `ref`. `replaced`: the physical id the service it replaces had (as CloudFormation held
 * it), recorded when it is one of ours; links past `MAX_SERVICE_ID_LINKS` are dropped, oldest first.
 */
export function formatServicePhysicalId(ref: ServiceRef, replaced?: string): string {
  const links = [formatLink(ref), ...(linksOf(replaced) ?? [])].slice(0, MAX_SERVICE_ID_LINKS);
  return links.join(REPLACED_SEPARATOR);
}

/** The service an id names (its first link). */
export function parseServicePhysicalId(id: string | undefined): ServiceRef | undefined {
  const links = linksOf(id);
  return links ? parseLink(links[0]) : undefined;
}

/** The service an id records as replaced, and the physical id that service had, exactly as it was formatted. */
export function parseReplacedService(id: string | undefined): { ref: ServiceRef; physicalResourceId: string } | undefined {
  const links = linksOf(id);
  if (!links || links.length < 2) return undefined;
  return { ref: parseLink(links[1])!, physicalResourceId: links.slice(1).join(REPLACED_SEPARATOR) };
}

/**
 * What a service made (or adopted) for `request` records as replaced: an Update's physical id when it names
 * another service of ours (a replacing Update); nothing for a Create, or for a service back under its own id.
 */
export function replacedIdFor(request: { RequestType: string; PhysicalResourceId?: string }, made: ServiceRef): string | undefined {
  if (request.RequestType !== 'Update') return undefined;
  const earlier = parseServicePhysicalId(request.PhysicalResourceId);
  return earlier && earlier.serviceId !== made.serviceId ? request.PhysicalResourceId : undefined;
}
