/**
 * Which stacks may use which Atlas credentials. One provider reads the secrets of every profile it was
 * given; without bindings any stack that reaches its ServiceToken could act with any of them (a dev stack
 * with the `prod` key). A binding maps a credentials secret (a profile's `cfn/atlas/profile/{Profile}`,
 * or a secret ARN) to the stacks allowed to use it: stack names (`app-prod`), name prefixes ending in `*`
 * (`sandbox-*`), or `*` for every stack of the provider's account and region. The provider construct writes them into the functions' environment; the functions
 * refuse a request whose stack is not bound to the credentials it names, before reading them.
 */
import { credentialsSecretId, type CredentialsSource, isValidProfile, isValidSecretArn, PROFILE_SECRET_PREFIX } from './credentials-secret';

/**
 * Environment variable holding the bindings as JSON, a list so that a secret ARN may be a deploy-time value:
 * `[{ "secret": "<profile secret name or secret ARN>", "stacks": ["<stack name>" | "<prefix>*" | "*", ...] }]`.
 */
export const PROFILE_BINDINGS_ENV = 'ATLAS_PROFILE_BINDINGS';
export const ANY_STACK = '*';

/** Secret id (profile secret name or secret ARN) → the stacks allowed (names, `prefix*`, `*`). */
export type ProfileBindings = Readonly<Record<string, readonly string[]>>;

export class ProfileBindingsError extends Error {
  override readonly name = 'ProfileBindingsError';
}

const STACK_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}\*?$/;

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
  const out: Record<string, string[]> = {};
  for (const entry of parsed as unknown[]) {
    const { secret, stacks } = (entry ?? {}) as { secret?: unknown; stacks?: unknown };
    if (typeof secret !== 'string') throw new ProfileBindingsError(`${PROFILE_BINDINGS_ENV}: every entry needs a "secret".`);
    const secretId = secret.startsWith(PROFILE_SECRET_PREFIX) ? secret : bindingKeyOf(secret);
    if (!Array.isArray(stacks) || !stacks.every((p) => typeof p === 'string' && isValidStackPattern(p))) {
      throw new ProfileBindingsError(
        `${PROFILE_BINDINGS_ENV}: the stacks bound to ${secretId} must be a list of stack names, prefixes ending in "*", or "*".`,
      );
    }
    out[secretId] = [...(out[secretId] ?? []), ...(stacks as string[])];
  }
  return out;
}

/**
 * Why a stack may not use the credentials it names, or undefined when it may. Credentials that cannot
 * name a secret are left to the property checks.
 */
export function bindingProblem(bindings: ProfileBindings | undefined, source: CredentialsSource, stackName: string): string | undefined {
  if (!bindings) return undefined;
  let secretId: string;
  try {
    secretId = credentialsSecretId(source);
  } catch {
    return undefined;
  }
  const allowed = bindings[secretId] ?? [];
  if (allowed.some((p) => stackMatches(p, stackName))) return undefined;
  const what = source.secretArn ? `CredentialsSecretArn ${secretId}` : `Profile ${source.profile || 'default'} (secret ${secretId})`;
  return (
    `${what} may not be used by stack ${stackName}: this provider binds it ${allowed.length ? 'to other stacks' : 'to no stack'}. ` +
    'Use the credentials meant for this stack, or bind them to it in the provider (profileBindings), or deploy a provider of its own for this trust boundary.'
  );
}
