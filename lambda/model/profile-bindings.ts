/**
 * Which stacks may use which Atlas credentials, for which Atlas projects. One provider reads the secrets
 * of every profile it was given; without bindings any stack that reaches its ServiceToken could act with
 * any of them (a dev stack with the `prod` key). A binding maps a credentials secret (a profile's
 * `cfn/atlas/profile/{Profile}`, or a secret ARN) to the stacks allowed to use it: stack names
 * (`app-prod`), name prefixes ending in `*` (`sandbox-*`), or `*` for every stack of the provider's
 * account and region; and, optionally, to the Atlas project ids it may be used for. The provider
 * construct writes them into the functions' environment; the functions refuse a request whose stack or
 * project is not bound to the credentials it names, before reading them. The credentials judged are the
 * ones the steps will use (`credentialsNamedBy`), never the raw property.
 */
import { credentialsSecretId, type CredentialsSource, isValidProfile, isValidSecretArn, PROFILE_SECRET_PREFIX } from './credentials-secret';
import { ATLAS_ID_PATTERN } from './provider';

/**
 * Environment variable holding the bindings as JSON, a list so that a secret ARN may be a deploy-time value:
 * `[{ "secret": "<profile secret name or secret ARN>", "stacks": ["<stack name>" | "<prefix>*" | "*", ...],
 * "projects": ["<Atlas project id>", ...] }]`; without `projects` (or with an empty list) every project the
 * credentials reach.
 */
export const PROFILE_BINDINGS_ENV = 'ATLAS_PROFILE_BINDINGS';
export const ANY_STACK = '*';

/** The stacks (names, `prefix*`, `*`) allowed to use one secret, and the Atlas projects (none: any) they may use it for. */
export interface ProfileBinding {
  readonly stacks: readonly string[];
  readonly projects?: readonly string[];
}

/** Secret id (profile secret name or secret ARN) → its binding. */
export type ProfileBindings = Readonly<Record<string, ProfileBinding>>;

export class ProfileBindingsError extends Error {
  override readonly name = 'ProfileBindingsError';
}

const STACK_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}\*?$/;

/** An Atlas project id as bindings hold it: 24 hexadecimal digits, lowercase. */
export function isValidProjectId(projectId: string): boolean {
  return ATLAS_ID_PATTERN.test(projectId);
}

/** A stack name, a name prefix ending in `*`, or `*`. */
export function isValidStackPattern(pattern: string): boolean {
  return pattern === ANY_STACK || STACK_PATTERN.test(pattern);
}

export function stackMatches(pattern: string, stackName: string): boolean {
  return pattern.endsWith('*') ? stackName.startsWith(pattern.slice(0, -1)) : stackName === pattern;
}

/** The secret id a binding key names: a profile (`prod`) or a secret ARN. Throws for anything else. */
export function bindingKeyOf(profileOrSecretArn: string): string {
  if (profileOrSecretArn.startsWith('arn:')) {
    if (!isValidSecretArn(profileOrSecretArn))
      throw new ProfileBindingsError(`"${profileOrSecretArn}" is not a Secrets Manager secret ARN.`);
    return profileOrSecretArn;
  }
  if (!isValidProfile(profileOrSecretArn))
    throw new ProfileBindingsError(`Profile "${profileOrSecretArn}" cannot name a secret: use 1-200 letters, digits or _+=.@-.`);
  return PROFILE_SECRET_PREFIX + profileOrSecretArn;
}

/** Reads the environment's bindings; undefined when none are set (every stack may use every readable secret). */
export function parseProfileBindings(text: string | undefined): ProfileBindings | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProfileBindingsError(`${PROFILE_BINDINGS_ENV} is not valid JSON.`);
  }
  if (!Array.isArray(parsed)) throw new ProfileBindingsError(`${PROFILE_BINDINGS_ENV} is not a JSON list.`);
  const out: Record<string, { stacks: string[]; projects?: string[] }> = {};
  for (const entry of parsed as unknown[]) {
    const { secret, stacks, projects } = (entry ?? {}) as { secret?: unknown; stacks?: unknown; projects?: unknown };
    if (typeof secret !== 'string') throw new ProfileBindingsError(`${PROFILE_BINDINGS_ENV}: every entry needs a "secret".`);
    const secretId = secret.startsWith(PROFILE_SECRET_PREFIX) ? secret : bindingKeyOf(secret);
    if (!Array.isArray(stacks) || !stacks.every((p) => typeof p === 'string' && isValidStackPattern(p))) {
      throw new ProfileBindingsError(
        `${PROFILE_BINDINGS_ENV}: the stacks bound to ${secretId} must be a list of stack names, prefixes ending in "*", or "*".`,
      );
    }
    if (projects !== undefined && (!Array.isArray(projects) || !projects.every((p) => typeof p === 'string' && isValidProjectId(p)))) {
      throw new ProfileBindingsError(
        `${PROFILE_BINDINGS_ENV}: the projects bound to ${secretId} must be a list of Atlas project ids (24 lowercase hexadecimal digits).`,
      );
    }
    const before = out[secretId];
    const projectList = projects as string[] | undefined;
    out[secretId] = {
      stacks: [...(before?.stacks ?? []), ...(stacks as string[])],
      // Two entries for one secret: a project list on either narrows; none on both leaves every project.
      ...(before?.projects || projectList?.length ? { projects: [...(before?.projects ?? []), ...(projectList ?? [])] } : {}),
    };
  }
  return out;
}

/**
 * Why a stack may not use the credentials it names, or undefined when it may. The credentials are the ones
 * the steps use (`credentialsNamedBy`); a value that cannot name a secret is refused, bindings or not.
 * `projects` are the Atlas projects the request acts on; each must be one the binding allows.
 */
export function bindingProblem(
  bindings: ProfileBindings | undefined,
  source: CredentialsSource,
  stackName: string,
  projects: readonly string[] = [],
): string | undefined {
  let secretId: string;
  try {
    secretId = credentialsSecretId(source);
  } catch (err) {
    return `${(err as Error).message} The request is refused before any secret is read.`;
  }
  if (!bindings) return undefined;
  const binding = bindings[secretId];
  const allowed = binding?.stacks ?? [];
  const what = source.secretArn ? `CredentialsSecretArn ${secretId}` : `Profile ${source.profile || 'default'} (secret ${secretId})`;
  if (!allowed.some((p) => stackMatches(p, stackName))) {
    return (
      `${what} may not be used by stack ${stackName}: this provider binds it ${allowed.length ? 'to other stacks' : 'to no stack'}. ` +
      'Use the credentials meant for this stack, or bind them to it in the provider (profileBindings), or deploy a provider of its own for this trust boundary.'
    );
  }
  const allowedProjects = binding?.projects ?? [];
  const outside = allowedProjects.length ? projects.filter((p) => !allowedProjects.includes(p)) : [];
  if (outside.length) {
    return (
      `${what} may not be used for Atlas project ${outside.join(', ')} by stack ${stackName}: this provider binds it to project${allowedProjects.length > 1 ? 's' : ''} ${allowedProjects.join(', ')} only. ` +
      'Use a project the credentials are bound to, or bind the project to them in the provider (profileProjects).'
    );
  }
  return undefined;
}

/**
 * What to do about a Delete refused by the bindings (added to its reason), so that the stack is not
 * stuck: the resource may still exist in Atlas, and only credentials allowed to may delete it.
 */
export function howToLetDeleteFinish(stackName: string, logicalId: string, physicalId: string | undefined): string {
  return (
    ` To let this Delete finish: bind stack ${stackName} to these credentials in the provider (profileBindings / profileProjects, ` +
    'or --bindings for the packaged template), update the provider, and delete again; or delete the stack again with ' +
    `--retain-resources ${logicalId} and have someone allowed to use the credentials delete ${physicalId ?? 'the resource'} in Atlas.`
  );
}
