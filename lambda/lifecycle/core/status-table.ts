/**
 * A resource's Atlas statuses declared as data, as Terraform's `StateChangeConf` declares its pending and
 * target states: which statuses mean keep waiting, ready, failed, or on the way out.
 */

export type StatusClass = 'pending' | 'ready' | 'failed' | 'deleting';

export type StatusTable<S extends string = string> = { readonly [C in StatusClass]: readonly S[] };

/**
 * The class of a status. A status the table does not list is pending: Atlas may add statuses before this
 * table knows them, and the deadline bounds the wait.
 */
export function classify<S extends string>(table: StatusTable<S>, status: string): StatusClass {
  for (const c of ['deleting', 'failed', 'ready', 'pending'] as const) {
    if ((table[c] as readonly string[]).includes(status)) return c;
  }
  return 'pending';
}
