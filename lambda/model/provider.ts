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

/**
 * An Azure private endpoint's resource id, as Atlas's specification writes its pattern (lowercase subscription id,
 * `resourceGroups` in either case).
 */
export const AZURE_PRIVATE_ENDPOINT_ID =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resource[gG]roups\/([-\w._()]+)\/providers\/Microsoft\.Network\/privateEndpoints\/([-\w._()]+)$/;

/**
 * A Google Cloud project id, by Google's rule. Atlas's specification writes `^p-[0-9a-z]{24}$`, the shape of
 * Atlas's own GCP projects rather than of the customer's project this names; Google's rule admits both.
 */
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** A GCP resource name (forwarding rule, endpoint group): RFC 1035 label, 1-63 characters. */
export const GCP_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Why a value is not an IPv4 address a private endpoint can hold, as the end of a sentence; undefined when it is.
 * Atlas's descriptions ask for IPv4; an endpoint's address is a unicast one, so "this network" (0.0.0.0/8),
 * loopback, link-local, multicast and the reserved block above it are refused.
 */
export function ipv4Problem(value: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  const octets = m ? m.slice(1).map(Number) : [];
  if (!m || octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) {
    return 'is not an IPv4 address: expected four numbers from 0 to 255, like 10.0.1.4.';
  }
  const [a, b] = octets;
  if (a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224) {
    return 'is not an address an endpoint can hold: 0.0.0.0/8, loopback 127.0.0.0/8, link-local 169.254.0.0/16 and 224.0.0.0 and above are refused; use the address the cloud gave the endpoint in your network.';
  }
  return undefined;
}

/** An Atlas cluster name, as Atlas's cluster API bounds it (`ClusterDescription20240805.name`: 1-64 characters). */
export const ATLAS_CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/;
