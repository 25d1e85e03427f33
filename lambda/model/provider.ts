/** The cloud providers Atlas offers private endpoint services on. */
export const CLOUD_PROVIDERS = ['AWS', 'AZURE', 'GCP'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export function isCloudProvider(value: unknown): value is CloudProvider {
  return typeof value === 'string' && (CLOUD_PROVIDERS as readonly string[]).includes(value);
}

/** A project (group) id or an endpoint service id: 24 lowercase hex digits. */
export const ATLAS_ID_SOURCE = '[a-f0-9]{24}';
export const ATLAS_ID_PATTERN = new RegExp(`^${ATLAS_ID_SOURCE}$`);

/** An AWS VPC endpoint id, as Atlas accepts it: `vpce-` and 17 hexadecimal digits. */
export const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{17}$/;
