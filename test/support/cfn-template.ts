/**
 * Reading CloudFormation templates as CloudFormation does, for tests: YAML with its short-form tags, the
 * references between resources (for dependency order), and the intrinsic functions evaluated against given
 * parameter values and resource attributes.
 */
import { parseDocument, type Tags } from 'yaml';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}

export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[]; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Condition?: string; Export?: { Name: unknown } }>;
}

// Short forms whose argument is one scalar, and those whose argument is a list.
const SCALAR_FORMS = ['Ref', 'Condition', 'Base64', 'GetAZs', 'ImportValue', 'Sub', 'GetAtt'];
const LIST_FORMS = [
  'Sub',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'Cidr',
  'Base64',
  'ImportValue',
];
const MAP_FORMS = ['Base64', 'ImportValue', 'GetAZs'];

const longName = (tag: string) => (tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`);

/** The tags a YAML template may use, each turned into its long JSON form. */
export const CLOUDFORMATION_TAGS: Tags = [
  ...SCALAR_FORMS.map((t) => ({
    tag: `!${t}`,
    resolve: (value: string) => ({ [longName(t)]: t === 'GetAtt' ? splitGetAtt(value) : value }),
  })),
  ...LIST_FORMS.map((t) => ({
    tag: `!${t}`,
    collection: 'seq' as const,
    resolve: (seq: { toJSON(): unknown }) => ({ [longName(t)]: seq.toJSON() }),
  })),
  ...MAP_FORMS.map((t) => ({
    tag: `!${t}`,
    collection: 'map' as const,
    resolve: (map: { toJSON(): unknown }) => ({ [longName(t)]: map.toJSON() }),
  })),
];

function splitGetAtt(value: string): [string, string] {
  const dot = value.indexOf('.');
  if (dot < 1) throw new Error(`!GetAtt ${value} is not Resource.Attribute`);
  return [value.slice(0, dot), value.slice(dot + 1)];
}

/** A YAML (or JSON) template; an unknown tag fails rather than passing through as a string. */
export function parseTemplate(text: string): CfnTemplate {
  const parsed = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, strict: true, uniqueKeys: true });
  const problems = [...parsed.errors, ...parsed.warnings];
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'));
  const doc = parsed.toJS() as CfnTemplate;
  if (!doc || typeof doc !== 'object' || !doc.Resources) throw new Error('not a CloudFormation template: no Resources');
  return doc;
}

/** Every `Fn::GetAtt` in a value, as [logical id, attribute], including `${X.Attr}` in `Fn::Sub`. */
export function getAtts(value: unknown): [string, string][] {
  const found: [string, string][] = [];
  walk(value, (fn, arg) => {
    if (fn === 'Fn::GetAtt') {
      const [id, attr] = typeof arg === 'string' ? splitGetAtt(arg) : (arg as [string, string]);
      found.push([id, attr]);
    } else if (fn === 'Fn::Sub') {
      const text = typeof arg === 'string' ? arg : (arg as [string])[0];
      for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g)) found.push([m[1], m[2]]);
    }
  });
  return found;
}

/** Logical ids a value refers to (Ref, GetAtt, and `${X}` in Fn::Sub), pseudo parameters aside. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>(getAtts(value).map(([id]) => id));
  walk(value, (fn, arg) => {
    if (fn === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) ids.add(arg);
    if (fn === 'Fn::Sub') {
      const text = typeof arg === 'string' ? arg : (arg as [string])[0];
      for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)) ids.add(m[1]);
    }
  });
  return ids;
}

function walk(value: unknown, visit: (fn: string, arg: unknown) => void): void {
  if (Array.isArray(value)) return value.forEach((v) => walk(v, visit));
  if (value === null || typeof value !== 'object') return;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) visit(entries[0][0], entries[0][1]);
  for (const [, v] of entries) walk(v, visit);
}

/** Resources in the order CloudFormation may create them (each after everything it refers to or depends on). */
export function creationOrder(template: CfnTemplate): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`circular dependency: ${[...path, id].join(' → ')}`);
    state.set(id, 'visiting');
    const r = template.Resources[id];
    const deps = new Set([...referencedIds(r.Properties ?? {}), ...([] as string[]).concat(r.DependsOn ?? [])]);
    for (const d of deps) if (template.Resources[d]) visit(d, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(template.Resources)) visit(id, []);
  return order;
}

export interface EvaluationContext {
  /** Parameter values (lists for List<…> parameters). */
  readonly parameters: Record<string, string | string[]>;
  /** Pseudo parameters: AWS::Region, AWS::AccountId, AWS::Partition, … */
  readonly pseudo: Record<string, string>;
  /** A created resource's Ref value (physical id). */
  readonly ref: (logicalId: string) => string;
  /** A created resource's attribute. */
  readonly attribute: (logicalId: string, name: string) => string;
  /** An export's value. */
  readonly importValue?: (name: string) => string;
  /** A dynamic reference's value (`{{resolve:ssm:…}}`). */
  readonly dynamic?: (reference: string) => string;
  /** The template's conditions, evaluated (`evaluateConditions`), for Fn::If. */
  readonly conditions?: Record<string, boolean>;
}

/** Stands for `Ref: AWS::NoValue` until the object or list holding it drops it. */
const NO_VALUE = Symbol('AWS::NoValue');

/** The template's Conditions section, evaluated with the parameters (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
export function evaluateConditions(conditions: Record<string, unknown>, ctx: EvaluationContext): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const judge = (e: unknown): boolean => {
    const [fn, arg] = Object.entries(e as Record<string, unknown>)[0];
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((x) => JSON.stringify(evaluate(x, ctx)));
        return a === b;
      }
      case 'Fn::Not':
        return !judge((arg as unknown[])[0]);
      case 'Fn::And':
        return (arg as unknown[]).every(judge);
      case 'Fn::Or':
        return (arg as unknown[]).some(judge);
      case 'Condition':
        return (out[arg as string] ??= judge(conditions[arg as string]));
      default:
        throw new Error(`${fn} is not evaluated by this test helper`);
    }
  };
  for (const [name, e] of Object.entries(conditions)) out[name] ??= judge(e);
  return out;
}

/** Evaluates the intrinsic functions of a value as CloudFormation would before sending it to a resource. */
export function evaluate(value: unknown, ctx: EvaluationContext): unknown {
  if (typeof value === 'string') return ctx.dynamic ? value.replace(/\{\{resolve:[^}]+\}\}/g, (m) => ctx.dynamic!(m)) : value;
  if (Array.isArray(value)) return value.map((v) => evaluate(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    switch (fn) {
      case 'Ref':
        return arg === 'AWS::NoValue' ? NO_VALUE : refValue(arg as string, ctx);
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        if (!ctx.conditions || !(condition in ctx.conditions)) throw new Error(`Fn::If on condition ${condition}, which was not evaluated`);
        return evaluate(ctx.conditions[condition] ? whenTrue : whenFalse, ctx);
      }
      case 'Fn::GetAtt': {
        const [id, attr] = typeof arg === 'string' ? splitGetAtt(arg) : (arg as [string, string]);
        return ctx.attribute(id, attr);
      }
      case 'Fn::ImportValue':
        if (!ctx.importValue) throw new Error('Fn::ImportValue without exports');
        return ctx.importValue(String(evaluate(arg, ctx)));
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown];
        const list = evaluate(parts, ctx) as unknown[];
        return list.map(String).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (evaluate(list, ctx) as unknown[])[Number(evaluate(index, ctx))];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return String(evaluate(text, ctx)).split(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in vars) return String(evaluate(vars[name], ctx));
          const dot = name.indexOf('.');
          if (dot > 0 && !name.startsWith('AWS::')) return ctx.attribute(name.slice(0, dot), name.slice(dot + 1));
          return String(refValue(name, ctx));
        });
      }
      default:
        if (fn.startsWith('Fn::')) throw new Error(`${fn} is not evaluated by this test helper`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, ctx)]).filter(([, v]) => v !== NO_VALUE));
}

function refValue(name: string, ctx: EvaluationContext): string | string[] {
  if (name in ctx.pseudo) return ctx.pseudo[name];
  if (name in ctx.parameters) return ctx.parameters[name];
  return ctx.ref(name);
}
