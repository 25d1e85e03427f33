/**
 * Request bodies and path parameters, checked the way Atlas checks them, turned into typed inputs or
 * the 400 Atlas would answer. Regions are judged by the project's one region table: the emulator knows
 * no region the table lacks.
 */
import type { CloudProvider } from '../../lambda/model/provider';
import { ATLAS_ID_PATTERN, AZURE_PRIVATE_ENDPOINT_ID, GCP_PROJECT_ID, isCloudProvider } from '../../lambda/model/provider';
import type { Region } from '../../lambda/model/regions';
import { findRegion } from '../../lambda/model/regions';
import { errors } from './errors';
import type { CreateEndpointInput, CreateServiceInput } from './state';

// The specification's patterns.
const VPCE_ID = /^vpce-[0-9a-f]{17}$/;
const AZURE_PRIVATE_ENDPOINT = AZURE_PRIVATE_ENDPOINT_ID;
const IP_ADDRESS = /^((25[0-5]|(2[0-4]|1\d|[1-9]|)\d)(\.(?!$)|$)){4}$|^([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$/;
// GCP_PROJECT_ID: the specification says `^p-[0-9a-z]{24}$`, which is the shape of Atlas's own GCP projects,
// not of the customer's project this field names; Google's rule for project ids is used instead (it admits both).
const MAX_REMOTE_REGIONS = 35;

export function checkId(value: string | undefined, name: 'groupId' | 'endpointServiceId'): string {
  if (value === undefined || !ATLAS_ID_PATTERN.test(value)) {
    throw name === 'groupId' ? errors.invalidGroupId(value ?? '') : errors.invalidAttribute(name);
  }
  return value;
}

export function checkProvider(value: unknown): CloudProvider {
  if (typeof value !== 'string') throw errors.invalidJsonAttribute('cloudProvider');
  if (!isCloudProvider(value)) throw errors.invalidEnumValue(value);
  return value;
}

/** A JSON object body, or the 400 for anything else. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw errors.malformedJson();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.malformedJson();
  return value as Record<string, unknown>;
}

/** Atlas refuses attributes it does not know rather than ignoring them. */
function onlyKnown(body: Record<string, unknown>, known: string[]): void {
  for (const key of Object.keys(body)) if (!known.includes(key)) throw errors.invalidAttribute(key);
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw errors.missingAttribute(field);
  if (typeof value !== 'string') throw errors.invalidJsonAttribute(field);
  return value;
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw errors.invalidJsonAttribute(field);
  return value;
}

function findTableRegion(provider: CloudProvider, value: string): Region {
  const region = findRegion(provider, value);
  if (!region) throw errors.invalidEnumValue(value);
  return region;
}

/**
 * `supportedRemoteRegions`, with the codes recorded live: AWS regions in Atlas's spelling only (`us-west-2`
 * gets INVALID_ATTRIBUTE), AWS only (PROVIDER_UNSUPPORTED), never the service's own region
 * (CROSS_REGION_PRIVATE_LINK_SELF_REGION, see `checkNotOwnRegion`).
 */
function remoteRegions(body: Record<string, unknown>, provider: CloudProvider): string[] | undefined {
  const value = body.supportedRemoteRegions;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw errors.invalidJsonAttribute('supportedRemoteRegions');
  if (provider !== 'AWS' && value.length > 0) throw errors.providerUnsupported(provider);
  // Emulator's choice: the specification's limit, with a generic code.
  if (value.length > MAX_REMOTE_REGIONS) {
    throw errors.validation(`At most ${MAX_REMOTE_REGIONS} supportedRemoteRegions may be specified.`, ['supportedRemoteRegions']);
  }
  return value.map((v) => {
    if (typeof v !== 'string') throw errors.invalidJsonAttribute('supportedRemoteRegions');
    if (findRegion('AWS', v)?.atlasName === v) return v;
    // A known region in the cloud's spelling, or anything lowercase, is the recorded INVALID_ATTRIBUTE.
    if (findRegion('AWS', v) || v !== v.toUpperCase()) throw errors.invalidAttribute('supportedRemoteRegions');
    throw errors.invalidEnumValue(v);
  });
}

/** Recorded live: a service's own region among its supportedRemoteRegions is refused. */
export function checkNotOwnRegion(supportedRemoteRegions: string[] | undefined, regionAtlasName: string): void {
  if (supportedRemoteRegions?.includes(regionAtlasName)) throw errors.crossRegionSelfRegion(regionAtlasName);
}

export function parseCreateService(body: Record<string, unknown>): CreateServiceInput {
  onlyKnown(body, ['providerName', 'region', 'portMappingEnabled', 'supportedRemoteRegions']);
  const provider = checkProvider(requiredString(body, 'providerName'));
  const region = findTableRegion(provider, requiredString(body, 'region'));
  const portMappingEnabled = optionalBoolean(body, 'portMappingEnabled') ?? false;
  // Emulator's choice: port mapping is a GCP feature; asking for it elsewhere is refused.
  if (portMappingEnabled && provider !== 'GCP') {
    throw errors.validation('Port mapping is only applicable to GCP private endpoint services.', ['portMappingEnabled']);
  }
  const supportedRemoteRegions = remoteRegions(body, provider);
  checkNotOwnRegion(supportedRemoteRegions, region.atlasName);
  return { provider, region, portMappingEnabled, ...(supportedRemoteRegions !== undefined ? { supportedRemoteRegions } : {}) };
}

export function parseUpdateService(body: Record<string, unknown>): { provider: CloudProvider; supportedRemoteRegions?: string[] } {
  onlyKnown(body, ['cloudProvider', 'supportedRemoteRegions']);
  const provider = checkProvider(requiredString(body, 'cloudProvider'));
  const supportedRemoteRegions = remoteRegions(body, provider);
  return { provider, ...(supportedRemoteRegions !== undefined ? { supportedRemoteRegions } : {}) };
}

/** The body of `POST …/{cloudProvider}/endpointService/{id}/endpoint`, one shape per provider. */
export function parseCreateEndpoint(
  provider: CloudProvider,
  body: Record<string, unknown>,
  servicePortMapping: boolean,
): CreateEndpointInput {
  if (body.cloudProvider !== undefined && body.cloudProvider !== provider) {
    throw errors.validation(`The cloudProvider ${String(body.cloudProvider)} does not match the path's ${provider}.`, ['cloudProvider']);
  }
  switch (provider) {
    case 'AWS': {
      onlyKnown(body, ['cloudProvider', 'id']);
      const id = requiredString(body, 'id');
      if (!VPCE_ID.test(id)) throw errors.invalidAttribute('id');
      return { key: id, details: { provider: 'AWS' } };
    }
    case 'AZURE': {
      onlyKnown(body, ['cloudProvider', 'id', 'privateEndpointIPAddress']);
      const id = requiredString(body, 'id');
      if (!AZURE_PRIVATE_ENDPOINT.test(id)) throw errors.invalidAttribute('id');
      const ipAddress = requiredString(body, 'privateEndpointIPAddress');
      if (!IP_ADDRESS.test(ipAddress)) throw errors.invalidAttribute('privateEndpointIPAddress');
      return { key: id, details: { provider: 'AZURE', ipAddress } };
    }
    case 'GCP': {
      onlyKnown(body, ['cloudProvider', 'endpointGroupName', 'gcpProjectId', 'endpoints']);
      const endpointGroupName = requiredString(body, 'endpointGroupName');
      if (endpointGroupName === '') throw errors.invalidAttribute('endpointGroupName');
      const gcpProjectId = requiredString(body, 'gcpProjectId');
      if (!GCP_PROJECT_ID.test(gcpProjectId)) throw errors.invalidAttribute('gcpProjectId');
      const forwardingRules = gcpForwardingRules(body.endpoints);
      if (servicePortMapping && forwardingRules.length !== 1) {
        throw errors.validation('A port-mapped endpoint service takes one endpoint.', ['endpoints']);
      }
      // The contract: with port mapping endpointGroupName "is still required but ignored", and reads name the
      // registration by its one forwarding rule ("this field is the private endpoint name").
      return {
        key: servicePortMapping ? forwardingRules[0].endpointName : endpointGroupName,
        details: { provider: 'GCP', gcpProjectId, forwardingRules, portMappingEnabled: servicePortMapping },
      };
    }
  }
}

function gcpForwardingRules(value: unknown): { endpointName: string; ipAddress: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw errors.invalidJsonAttribute('endpoints');
  return value.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw errors.malformedJson();
    const rule = item as Record<string, unknown>;
    onlyKnown(rule, ['endpointName', 'ipAddress']);
    const endpointName = requiredString(rule, 'endpointName');
    const ipAddress = requiredString(rule, 'ipAddress');
    if (!IP_ADDRESS.test(ipAddress)) throw errors.invalidAttribute('ipAddress');
    return { endpointName, ipAddress };
  });
}
