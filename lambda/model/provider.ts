/** The cloud providers Atlas offers private endpoint services on. */
export const CLOUD_PROVIDERS = ['AWS', 'AZURE', 'GCP'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export function isCloudProvider(value: unknown): value is CloudProvider {
  return typeof value === 'string' && (CLOUD_PROVIDERS as readonly string[]).includes(value);
}

/** A project (group) id or an endpoint service id: 24 lowercase hex digits. */
export const ATLAS_ID_PATTERN = /^[a-f0-9]{24}$/;
