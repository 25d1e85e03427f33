/**
 * Looking for a service an attempt whose outcome is unknown may have made: in the region asked for, made
 * (by its ObjectId's time) while the attempt could land, and not on its way out.
 */
import type { EndpointService } from '../../../lambda/atlas/models';
import type { AtlasApi } from '../../../lambda/lifecycle/core/ports';
import { findCreatedSince } from '../../../lambda/lifecycle/service/unseen';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';

/** An ObjectId made at `ms` (epoch ms): its first 8 hex digits are the second. */
function idAt(ms: number, tail = '0000000000000001'): string {
  return (
    Math.floor(ms / 1000)
      .toString(16)
      .padStart(8, '0') + tail
  );
}

function service(id: string, regionName = 'US_EAST_1', status = 'AVAILABLE'): EndpointService {
  return { id, cloudProvider: 'AWS', regionName, status, interfaceEndpoints: [] } as unknown as EndpointService;
}

function atlas(services: EndpointService[]): AtlasApi {
  return { listEndpointServices: async () => services } as unknown as AtlasApi;
}

const T = 1_800_000_000_000;
const search = { projectId: PROJECT, provider: 'AWS' as const, region: 'us-east-1', since: T, until: T + 95_000 };

describe('findCreatedSince', () => {
  it('finds the service made in the region while the attempt could land', async () => {
    const s = service(idAt(T + 10_000));
    await expect(findCreatedSince(atlas([service(idAt(T + 10_000), 'EU_WEST_1'), s]), search)).resolves.toBe(s);
  });

  it('leaves alone a service made before the request was received, or after its last attempt could land', async () => {
    await expect(findCreatedSince(atlas([service(idAt(T - 60_000))]), search)).resolves.toBeUndefined();
    await expect(findCreatedSince(atlas([service(idAt(T + 120_000))]), search)).resolves.toBeUndefined();
    // Without an end (a look before answering, at once): anything made since the request.
    await expect(findCreatedSince(atlas([service(idAt(T + 120_000))]), { ...search, until: undefined })).resolves.toBeDefined();
  });

  it('leaves alone a service being deleted', async () => {
    await expect(findCreatedSince(atlas([service(idAt(T + 10_000), 'US_EAST_1', 'DELETING')]), search)).resolves.toBeUndefined();
  });
});
