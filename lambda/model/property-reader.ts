/**
 * Reads the properties of one custom resource: values as CloudFormation sends them (strings, lists) or as
 * a CDK app holds them (native values, tokens), each checked with a problem that names the property, the
 * value and what is accepted. The resource parsers (`service-properties.ts`, `endpoint-properties.ts`)
 * are built from these field readers, so the same property reads the same way on every resource.
 */
import { isValidProfile, isValidSecretArn } from './credentials-secret';
import { ATLAS_ID_PATTERN, CLOUD_PROVIDERS, type CloudProvider } from './provider';
import {
  DEFAULT_SERVICE_TIMEOUT_SECONDS,
  MAX_SERVICE_TIMEOUT_SECONDS,
  MIN_SERVICE_TIMEOUT_SECONDS,
  MIN_WAIT_BEFORE_DEADLINE_SECONDS,
} from './timing';

export interface PropertyProblem {
  readonly property: string;
  readonly value: unknown;
  /** What is wrong and what is accepted, as a sentence. */
  readonly message: string;
}

/** A parse that succeeded may carry warnings: values accepted as they are that may still be wrong (a region Atlas will judge). */
export type Parsed<T> = { ok: true; value: T; warnings?: PropertyProblem[] } | { ok: false; problems: PropertyProblem[] };

export interface ParseOptions {
  /** Values to leave unchecked (CDK tokens at synth time). */
  isUnresolved?: (value: unknown) => boolean;
}

/** One sentence per problem, for a CloudFormation `Reason` or a synth-time error. */
export function describeProblems(problems: readonly PropertyProblem[]): string {
  return problems.map((p) => p.message).join(' ');
}

/** Set by CloudFormation itself on every custom resource. */
const FRAMEWORK_PROPERTY_NAMES = ['ServiceToken', 'ServiceTimeout'];

/** Stands for an unresolved token in a parsed value; never sent anywhere. */
export const UNRESOLVED = '${Token}';

/** Far above any real value of these properties; what is longer is refused before any check looks at it. */
export const MAX_VALUE_LENGTH = 1024;
export const MAX_LIST_ITEMS = 100;

export class PropertyReader {
  readonly problems: PropertyProblem[] = [];
  readonly warnings: PropertyProblem[] = [];
  private readonly props: Record<string, unknown>;
  /** Properties refused for their size: no other check sees them, and no second problem is reported. */
  private readonly oversized = new Set<string>();

  constructor(
    raw: Record<string, unknown> | undefined,
    accepted: readonly string[],
    private readonly options: ParseOptions = {},
  ) {
    this.props = { ...(raw ?? {}) };
    for (const name of Object.keys(this.props)) {
      if (!accepted.includes(name) && !FRAMEWORK_PROPERTY_NAMES.includes(name)) {
        const near = accepted.find((k) => k.toLowerCase() === name.toLowerCase());
        this.problem(
          name,
          this.props[name],
          `Unknown property ${clip(name)}${near ? ` (did you mean ${near}?)` : ''}; accepted: ${accepted.join(', ')}.`,
        );
        continue;
      }
      const size = sizeProblem(this.props[name]);
      if (size) {
        this.problem(name, undefined, `Property ${name} ${size}.`);
        this.oversized.add(name);
        delete this.props[name];
      }
    }
  }

  problem(property: string, value: unknown, message: string): void {
    if (this.oversized.has(property) && this.problems.some((p) => p.property === property)) return;
    this.problems.push({ property, value, message });
  }

  warn(property: string, value: unknown, message: string): void {
    this.warnings.push({ property, value, message });
  }

  unresolved(value: unknown): boolean {
    return this.options.isUnresolved?.(value) === true;
  }

  raw(name: string): unknown {
    return this.props[name];
  }

  /** A required string; undefined (with a problem) when missing, UNRESOLVED for a token. */
  requiredString(name: string, what: string): string | undefined {
    const v = this.props[name];
    if (this.unresolved(v)) return UNRESOLVED;
    if (typeof v !== 'string' || v.trim() === '') {
      this.problem(name, v, `Property ${name} is required: ${what}.`);
      return undefined;
    }
    return v.trim();
  }

  optionalString(name: string): string | undefined {
    const v = this.props[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (this.unresolved(v)) return UNRESOLVED;
    if (typeof v !== 'string') {
      this.problem(name, v, `Property ${name} must be a string.`);
      return undefined;
    }
    return v.trim();
  }

  /** An Atlas id (project, endpoint service): 24 hex digits, normalised to lowercase. */
  atlasId(name: string, what: string): string | undefined {
    const v = this.requiredString(name, `${what}, 24 hexadecimal digits`);
    if (v === undefined || v === UNRESOLVED) return v;
    if (!ATLAS_ID_PATTERN.test(v.toLowerCase())) {
      this.problem(name, v, `Property ${name} "${clip(v)}" is not ${what}: expected 24 hexadecimal digits, like 5f1e0a1b2c3d4e5f6a7b8c9d.`);
      return undefined;
    }
    return v.toLowerCase();
  }

  /** ProviderName, upper-cased; `supported` narrows what this resource accepts. */
  provider(supported: readonly CloudProvider[] = CLOUD_PROVIDERS, resource?: string): CloudProvider | undefined {
    const v = this.requiredString('ProviderName', `one of ${supported.join(', ')}`);
    if (v === undefined || v === UNRESOLVED) return undefined;
    const p = v.toUpperCase();
    if (!(CLOUD_PROVIDERS as readonly string[]).includes(p)) {
      const alias: Record<string, CloudProvider> = { AMAZON: 'AWS', MICROSOFT: 'AZURE', GOOGLE: 'GCP', GOOGLECLOUD: 'GCP' };
      const near = alias[p.replace(/[^A-Z]/g, '')];
      this.problem(
        'ProviderName',
        v,
        `Property ProviderName "${clip(v)}" is not a provider Atlas offers private endpoints on: accepted ${supported.join(', ')}.${near ? ` Did you mean ${near}?` : ''}`,
      );
      return undefined;
    }
    if (!supported.includes(p as CloudProvider)) {
      this.problem(
        'ProviderName',
        v,
        `Property ProviderName "${p}" is not supported by ${resource ?? 'this resource'} yet: accepted ${supported.join(', ')}.`,
      );
      return undefined;
    }
    return p as CloudProvider;
  }

  /** Profile / CredentialsSecretArn: which Secrets Manager secret holds the Atlas credentials. */
  credentials(): { profile?: string; secretArn?: string } {
    const profile = this.optionalString('Profile');
    const secretArn = this.optionalString('CredentialsSecretArn');
    if (profile !== undefined && profile !== UNRESOLVED && !isValidProfile(profile)) {
      this.problem(
        'Profile',
        profile,
        `Property Profile "${clip(profile)}" cannot name a secret: use 1-200 letters, digits or _+=.@- (the secret read is cfn/atlas/profile/<Profile>).`,
      );
    }
    if (secretArn !== undefined && secretArn !== UNRESOLVED && !isValidSecretArn(secretArn)) {
      this.problem(
        'CredentialsSecretArn',
        secretArn,
        `Property CredentialsSecretArn "${clip(secretArn)}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>).`,
      );
    }
    return { ...(profile !== undefined ? { profile } : {}), ...(secretArn !== undefined ? { secretArn } : {}) };
  }

  /** true/false, as a boolean or its string form. */
  optionalBoolean(name: string): boolean | undefined {
    const v = this.props[name];
    if (v === undefined || v === null || v === '' || this.unresolved(v)) return undefined;
    if (typeof v === 'boolean') return v;
    const s = String(v).trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    this.problem(name, v, `Property ${name} "${clip(String(v))}" must be true or false.`);
    return undefined;
  }

  /**
   * CloudFormation's own ServiceTimeout, read for the wait loop's deadline. One shorter than
   * MIN_SERVICE_TIMEOUT_SECONDS is refused: its deadline would leave no time to see Atlas change.
   */
  serviceTimeout(): number {
    const v = this.props.ServiceTimeout;
    if (v === undefined || v === '' || this.unresolved(v)) return DEFAULT_SERVICE_TIMEOUT_SECONDS;
    const n = serviceTimeoutSeconds(v);
    if (n === undefined) {
      this.problem(
        'ServiceTimeout',
        v,
        `Property ServiceTimeout "${clip(String(v))}" must be a whole number of seconds from ${MIN_SERVICE_TIMEOUT_SECONDS} to ${MAX_SERVICE_TIMEOUT_SECONDS}.`,
      );
      return DEFAULT_SERVICE_TIMEOUT_SECONDS;
    }
    if (n < MIN_SERVICE_TIMEOUT_SECONDS) {
      this.problem(
        'ServiceTimeout',
        v,
        `Property ServiceTimeout ${n} is too short: the provider answers before it with a margin for its last look at Atlas and the answer, ` +
          `and what is left must hold one poll and one Atlas call (${MIN_WAIT_BEFORE_DEADLINE_SECONDS} s). The smallest ServiceTimeout that works is ${MIN_SERVICE_TIMEOUT_SECONDS} seconds.`,
      );
      return n;
    }
    return n;
  }

  result<T>(value: T | undefined): Parsed<T> {
    if (this.problems.length > 0 || value === undefined) return { ok: false, problems: this.problems };
    return this.warnings.length > 0 ? { ok: true, value, warnings: this.warnings } : { ok: true, value };
  }
}

function sizeProblem(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > MAX_VALUE_LENGTH)
    return `is ${v.length} characters long; at most ${MAX_VALUE_LENGTH} are accepted`;
  if (Array.isArray(v)) {
    if (v.length > MAX_LIST_ITEMS) return `has ${v.length} items; at most ${MAX_LIST_ITEMS} are accepted`;
    if (v.some((i) => typeof i === 'string' && i.length > MAX_VALUE_LENGTH))
      return `holds a value longer than ${MAX_VALUE_LENGTH} characters`;
  }
  return undefined;
}

/**
 * The seconds of a `ServiceTimeout` value, or undefined when it is not a whole number from 1 to 3600. One
 * reading for the property check and for the deadline of a request whose other properties may be bad.
 */
export function serviceTimeoutSeconds(value: unknown): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= MAX_SERVICE_TIMEOUT_SECONDS ? n : undefined;
}

/** Keeps a quoted user value short in a message. */
export function clip(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
