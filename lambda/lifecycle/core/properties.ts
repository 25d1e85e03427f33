/** The request's properties as a step reads them: through the resource's parser, or just the credentials. */
import { credentialsNamedBy, type CredentialsSource } from '../../model/credentials-secret';
import { InvalidPropertiesError } from '../../model/errors';
import { bindingProblem, type ProfileBindings } from '../../model/profile-bindings';
import { describeProblems, type Parsed } from '../../model/property-reader';
import type { ExecutionState } from './execution-state';

/**
 * The request's properties through the resource's parser. A bad value is only possible if a step is fed a
 * state the plan would have refused; it ends the request as invalid properties.
 */
export function propertiesOf<T>(state: ExecutionState, parse: (raw: Record<string, unknown> | undefined) => Parsed<T>): T {
  const parsed = parse(state.request.ResourceProperties);
  if (!parsed.ok) throw new InvalidPropertiesError(describeProblems(parsed.problems));
  return parsed.value;
}

/**
 * Credentials named by the resource (every resource type uses the same property names), exactly as the
 * steps use them and the profile bindings judge them (`credentialsNamedBy`).
 */
export function credentialsOf(state: ExecutionState): CredentialsSource {
  return credentialsNamedBy(state.request.ResourceProperties);
}

/**
 * Every Atlas project a request may act on: the one its properties name (as the parser reads it: trimmed,
 * lowercase), and the ones its task and what it has to undo first name. Profile bindings that name
 * projects allow the request only if each of them is allowed.
 */
export function projectsOf(state: ExecutionState): string[] {
  const found = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') found.add(v.trim().toLowerCase());
  };
  add(state.request.ResourceProperties?.ProjectId);
  for (const task of [state.task, ...(state.undo ?? []).map((u) => u.task)] as unknown[]) {
    const t = (task ?? {}) as { projectId?: unknown; ref?: { projectId?: unknown } };
    add(t.projectId);
    add(t.ref?.projectId);
  }
  return [...found].sort();
}

/**
 * Why the request's stack may not use the credentials it names for the projects it acts on, judged on the
 * credentials exactly as the steps use them; undefined when it may. The ServiceToken function asks before
 * starting an execution, the step function before every step that reaches credentials.
 */
export function unboundCredentials(state: ExecutionState, bindings: ProfileBindings | undefined, stackName: string): string | undefined {
  try {
    return bindingProblem(bindings, credentialsOf(state), stackName, projectsOf(state));
  } catch (err) {
    return `${(err as Error).message} The request is refused before any secret is read.`;
  }
}
