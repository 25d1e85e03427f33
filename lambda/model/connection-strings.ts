/**
 * The private connection strings a registration returns when it is given `ClusterNames`: the attribute names
 * both worlds use (the Lambda answers them, the constructs read them), and the shape of the map that several
 * clusters get.
 */

/** One cluster's strings for one endpoint, from its `connectionStrings.privateEndpoint[]` entry. */
export interface ClusterConnectionStrings {
  /** `mongodb://…` with every host and port. */
  readonly connectionString: string;
  /** `mongodb+srv://…`. */
  readonly srvConnectionString: string;
  /** Sharded clusters only: the `mongodb+srv://…` string optimized for sharding; absent when Atlas gives none. */
  readonly srvShardOptimizedConnectionString?: string;
}

/**
 * With exactly one cluster named: that cluster's strings as plain attributes. `SrvShardOptimizedConnectionString`
 * is always present, empty when Atlas gives none (a replica set), so `Fn::GetAtt` never fails on it.
 */
export const SINGLE_CLUSTER_ATTRIBUTES = {
  connectionString: 'ConnectionString',
  srvConnectionString: 'SrvConnectionString',
  srvShardOptimizedConnectionString: 'SrvShardOptimizedConnectionString',
} as const satisfies Record<keyof ClusterConnectionStrings, string>;

/**
 * With several clusters named: one attribute, a JSON object from cluster name to its
 * {@link ClusterConnectionStrings}.
 */
export const CONNECTION_STRINGS_ATTRIBUTE = 'ConnectionStrings';

/** The attributes a registration given these cluster names answers besides its own. */
export function connectionAttributeNames(clusterNames: readonly string[]): string[] {
  if (clusterNames.length === 0) return [];
  return clusterNames.length === 1 ? Object.values(SINGLE_CLUSTER_ATTRIBUTES) : [CONNECTION_STRINGS_ATTRIBUTE];
}
