/**
 * Validators built from MongoDB's OpenAPI subsets in `contract/atlas-api/`. Both sides are held to them:
 * every response the emulator produces and every request body the client sends.
 *
 * Each document is turned into JSON Schema for ajv with exactly the allowances of `contract/atlas-api/README.md`:
 *  1. a create answered 201 is validated as the spec's 200; a delete answered 202 must carry `{}` (spec: 204);
 *  2. a read-only string property may be `null` (ajv's `nullable`);
 *  3. error `parameters` items may be any JSON value (Atlas sends strings and numbers);
 *  4. `interfaceEndpoints[]` items are `vpce-<17 hex>` ids, not 24-hex ids;
 *  5. `supportedRemoteRegions` of a service may be `null` (recorded live when none were set);
 *  6. `serviceAttachmentNames[]` items may be `projects/p-…/regions/…/serviceAttachments/…` without the
 *     `https://…` prefix the spec's pattern asks for (recorded live);
 *  7. a 401 body may lack `errorCode` and `parameters` (recorded live: `{error, reason, detail}`);
 *  8. a 503 may carry a body that is not JSON, and a 405 no body at all (both recorded live); see
 *     `answerProblems`.
 * And mechanical translations, no allowance: the 2025-06 `discriminator` (a `oneOf` whose branches all
 * accept every provider) becomes an if/then on its property (`cloudProvider`, a region config's
 * `providerName`), and the 2026-08 `x-xgen-discriminator` becomes per-provider required fields and a closed
 * property list (common fields plus that provider's). Where a discriminated schema also lists its branches in a
 * `oneOf` and each branch `allOf`s back to it (2025-06 `CloudRegionConfig20240805`), the `oneOf` goes and the
 * branches lose the reference back: the if/then already picks the branch, and the cycle has no base case. The
 * 2025-06 `oneOf`s of the cluster's per-provider lists, whose branches overlap (`US_WEST_2` is a region of all
 * three clouds, `M10` a size of all three), are read as `anyOf`: as written, no such value could ever hold.
 * An error status that a spec file does not list (406, 415, 503 …) is validated against `ApiError`, the
 * schema every error response of the spec uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const CONTRACT_DIR = join(__dirname, '..', '..', 'contract', 'atlas-api');
export const SPEC_FILES = [
  'private-endpoint-services.2025-06.openapi.yaml',
  'private-endpoint-services.2026-08.openapi.yaml',
  'clusters.2025-06.openapi.yaml',
  'clusters.2026-08.openapi.yaml',
] as const;
/** The request bodies' media type (the private endpoint operations'); a response is read in its operation's own. */
const MEDIA = 'application/vnd.atlas.2023-01-01+json';

/** The schema of a success response: the one versioned Atlas media type the operation answers in. */
function successSchema(response: Json): Json | undefined {
  const content = (response.content ?? {}) as Record<string, { schema?: Json }>;
  const atlas = Object.keys(content).filter((t) => /^application\/vnd\.atlas\.\d{4}-\d{2}-\d{2}\+json$/.test(t));
  if (atlas.length > 1) throw new Error(`a response in several media types (${atlas.join(', ')}): say which one to check`);
  return atlas.length === 1 ? content[atlas[0]].schema : undefined;
}

type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  method: string;
  template: string;
  responses: Record<string, Json>;
  requestSchema?: Json;
}

interface Spec {
  file: string;
  operations: Operation[];
  schemas: Json;
}

export interface OperationMatch {
  operationId: string;
  params: Record<string, string>;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** The recorded form of a service attachment name (allowance 6). */
const RECORDED_ATTACHMENT_NAME = '^projects\\/p-[a-z0-9]+\\/regions\\/[a-z\\-0-9]+\\/serviceAttachments\\/[a-z0-9\\-]+$';

/** Applies allowances 2 to 7 and the discriminator translations to `components.schemas`. */
function prepareSchemas(raw: Json): Json {
  const schemas = clone(raw);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const n = node as Json;
    const props = n.properties as Record<string, Json> | undefined;
    if (props && typeof props === 'object') {
      for (const [name, p] of Object.entries(props)) {
        if (p.readOnly === true && p.type === 'string') p.nullable = true; // allowance 2
        if (name === 'interfaceEndpoints' && p.items) {
          (p.items as Json).pattern = '^vpce-[0-9a-f]{17}$'; // allowance 4
        }
        if (name === 'supportedRemoteRegions' && p.writeOnly !== true) p.nullable = true; // allowance 5
        if (name === 'serviceAttachmentNames' && p.items) {
          const items = p.items as Json; // allowance 6: the spec's pattern, or the recorded form
          const specPattern = items.pattern;
          delete items.pattern;
          items.anyOf = [{ pattern: specPattern }, { pattern: RECORDED_ATTACHMENT_NAME }];
        }
      }
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(schemas);
  const apiError = schemas.ApiError as { properties: { parameters: Json } };
  apiError.properties.parameters.items = {}; // allowance 3
  schemas.RecordedUnauthorizedError = { ...clone(apiError), required: ['error'] }; // allowance 7

  for (const [name, s] of Object.entries(schemas) as [string, Json][]) {
    // 2025-06: oneOf by discriminator. The branch chosen by `cloudProvider` must hold.
    const disc = s.discriminator as { propertyName: string; mapping: Record<string, string> } | undefined;
    if (disc) {
      delete s.discriminator;
      s.allOf = Object.entries(disc.mapping).map(([value, ref]) => ({
        if: { properties: { [disc.propertyName]: { const: value } }, required: [disc.propertyName] },
        then: { $ref: ref },
      }));
    }
    if (disc && Array.isArray(s.oneOf)) {
      delete s.oneOf;
      const self = `#/components/schemas/${name}`;
      for (const ref of Object.values(disc.mapping)) {
        const branch = schemas[ref.split('/').pop()!] as Json;
        if (Array.isArray(branch.allOf)) branch.allOf = (branch.allOf as Json[]).filter((x) => x.$ref !== self);
      }
    }
    // 2026-08: the transform's x-xgen-discriminator lists which properties belong to which provider.
    const xd = s['x-xgen-discriminator'] as
      | { propertyName: string; mapping: Record<string, { properties?: string[]; required?: string[] }> }
      | undefined;
    if (xd) {
      delete s['x-xgen-discriminator'];
      const specific = new Set(Object.values(xd.mapping).flatMap((m) => m.properties ?? []));
      const common = Object.keys((s.properties as Json) ?? {}).filter((p) => !specific.has(p));
      s.allOf = Object.entries(xd.mapping).map(([value, m]) => ({
        if: { properties: { [xd.propertyName]: { const: value } }, required: [xd.propertyName] },
        then: { required: m.required ?? [], propertyNames: { enum: [...common, ...(m.properties ?? [])] } },
      }));
    }
    // 2025-06's CreateEndpointRequest is a oneOf whose branches allOf back to it: a cycle with no base
    // case. Its branches are checked directly (see requestSchemaFor), so the cycle is cut here.
    if (name === 'CreateEndpointRequest' && Array.isArray(s.oneOf)) delete s.oneOf;
    if (Array.isArray(s.allOf) && name.startsWith('Create') && s.allOf.some((x: Json) => x.$ref === '#/components/schemas/CreateEndpointRequest')) {
      s.allOf = (s.allOf as Json[]).filter((x) => x.$ref !== '#/components/schemas/CreateEndpointRequest');
    }
  }
  for (const overlapping of [schemas.HardwareSpec20240805, schemas.DedicatedHardwareSpec20240805] as (Json | undefined)[]) {
    if (overlapping && Array.isArray(overlapping.oneOf)) {
      overlapping.anyOf = overlapping.oneOf;
      delete overlapping.oneOf;
    }
  }
  // 2025-06's regionName: a oneOf of three string enums titled "AWS Regions", "Azure Regions", "GCP Regions",
  // typed `object` (the 2026-08 file says `string`). Each provider's branch of the region config takes its own.
  const regionConfig = schemas.CloudRegionConfig20240805 as { properties?: Record<string, Json>; allOf?: Json[] } | undefined;
  const regionName = regionConfig?.properties?.regionName;
  if (regionConfig && regionName && Array.isArray(regionName.oneOf)) {
    const lists = regionName.oneOf as Json[];
    regionName.anyOf = lists;
    regionName.type = 'string';
    delete regionName.oneOf;
    for (const rule of regionConfig.allOf ?? []) {
      const provider = (rule.if as { properties: { providerName?: { const: string } } }).properties.providerName?.const;
      const own = lists.find((l) => String(l.title).toUpperCase() === `${provider} REGIONS`);
      if (own) rule.then = { allOf: [rule.then, { properties: { regionName: own } }] };
    }
  }
  return schemas;
}

function loadSpec(file: string): Spec {
  const doc = parse(readFileSync(join(CONTRACT_DIR, file), 'utf8')) as Json;
  const components = doc.components as { schemas: Json; responses: Record<string, Json> };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      const responses: Record<string, Json> = {};
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        const resolved = typeof r.$ref === 'string' ? components.responses[(r.$ref as string).split('/').pop()!] : r;
        responses[status] = resolved;
      }
      const body = (op.requestBody as { content?: Record<string, { schema?: Json }> } | undefined)?.content?.[MEDIA]?.schema;
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        template,
        responses,
        requestSchema: body,
      });
    }
  }
  return { file, operations, schemas: prepareSchemas(components.schemas) };
}

const specs = SPEC_FILES.map(loadSpec);
const ajv = new Ajv({ strict: false, allErrors: true, formats: { int32: true } });
specs.forEach((s, i) => ajv.addSchema({ $id: `spec${i}`, components: { schemas: s.schemas } }));

const compiled = new Map<string, ValidateFunction>();
function validatorFor(specIndex: number, schema: Json): ValidateFunction {
  const key = `${specIndex}:${JSON.stringify(schema)}`;
  let v = compiled.get(key);
  if (!v) {
    // Point local refs into the registered document of this spec.
    const rebased = JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, `"spec${specIndex}#/components/schemas/`)) as Json;
    v = ajv.compile(rebased);
    compiled.set(key, v);
  }
  return v;
}

function errorsOf(v: ValidateFunction, value: unknown, label: string): string[] {
  return v(value) ? [] : (v.errors ?? []).map((e) => `${label}: ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * Every operation of the contract (the union of both files), named as the newer file names it: the files
 * disagree on one name (`listPrivateEndpointServices` in 2025-06), so operations are matched across files
 * by method and path.
 */
export function contractOperations(): { operationId: string; method: string; template: string }[] {
  const seen = new Map<string, { operationId: string; method: string; template: string }>();
  for (const s of specs) for (const o of s.operations) seen.set(`${o.method} ${o.template}`, { operationId: o.operationId, method: o.method, template: o.template });
  return [...seen.values()];
}

function operationIn(spec: Spec, operationId: string): Operation | undefined {
  const canon = contractOperations().find((o) => o.operationId === operationId);
  return canon && spec.operations.find((o) => o.method === canon.method && o.template === canon.template);
}

/** The contract operation a request is, or undefined when the contract has none. */
export function matchOperation(method: string, path: string): OperationMatch | undefined {
  const p = path.split('?')[0];
  for (const o of contractOperations()) {
    if (o.method !== method.toUpperCase()) continue;
    const m = new RegExp(`^${o.template.replace(/\{[^}]+\}/g, '([^/]+)')}$`).exec(p);
    if (m) {
      const names = [...o.template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]);
      return { operationId: o.operationId, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
  }
  return undefined;
}

const CREATES = new Set(['createPrivateEndpointService', 'createPrivateEndpoint']);
const DELETES = new Set(['deletePrivateEndpointService', 'deletePrivateEndpoint']);

/**
 * Problems with one response of an operation, against every spec file that has the operation.
 * Empty when it conforms.
 */
export function responseProblems(operationId: string, status: number, body: unknown): string[] {
  const problems: string[] = [];
  let checked = 0;
  specs.forEach((spec, i) => {
    const op = operationIn(spec, operationId);
    if (!op) return;
    checked++;
    let specStatus = String(status);
    if (status === 201 && CREATES.has(operationId)) specStatus = '200'; // allowance 1
    if (status === 202 && DELETES.has(operationId)) {
      // allowance 1: live Atlas answers 202 with `{}` where the spec has 204 and no body.
      if (JSON.stringify(body) !== '{}') problems.push(`${spec.file}: a 202 delete must carry {} (got ${JSON.stringify(body)})`);
      return;
    }
    const response = op.responses[specStatus];
    if (status >= 200 && status < 300) {
      if (!response) {
        problems.push(`${spec.file}: ${operationId} has no ${status} response in the spec`);
        return;
      }
      const schema = successSchema(response);
      if (schema) problems.push(...errorsOf(validatorFor(i, schema), body, spec.file));
      return;
    }
    const schema =
      status === 401
        ? ({ $ref: '#/components/schemas/RecordedUnauthorizedError' } as Json) // allowance 7
        : ((response?.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema ??
          ({ $ref: '#/components/schemas/ApiError' } as Json));
    problems.push(...errorsOf(validatorFor(i, schema), body, spec.file));
    const b = body as { error?: unknown };
    if (b && b.error !== status) problems.push(`${spec.file}: error body says ${String(b.error)} but the status is ${status}`);
  });
  if (checked === 0) problems.push(`no spec file has operation ${operationId}`);
  return problems;
}

/**
 * Problems with one answer as it came over the wire (`text` undefined or empty: no body). Allowance 8: a 503
 * whose body is not JSON and a 405 without a body are what Atlas was recorded sending; every other answer
 * must be JSON and is checked by `responseProblems`.
 */
export function answerProblems(operationId: string, status: number, text: string | undefined): string[] {
  if (!text) return status === 405 ? [] : responseProblems(operationId, status, undefined);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return status === 503 ? [] : [`${operationId}: a ${status} answer whose body is not JSON`];
  }
  return responseProblems(operationId, status, body);
}

/** Problems with one request body, against every spec file that has the operation. */
export function requestProblems(operationId: string, body: unknown, params: Record<string, string> = {}): string[] {
  const problems: string[] = [];
  specs.forEach((spec, i) => {
    const op = operationIn(spec, operationId);
    if (!op?.requestSchema) return;
    let schema = op.requestSchema;
    // 2025-06 describes the interface endpoint body as a oneOf by provider; pick the branch from the path.
    if (operationId === 'createPrivateEndpoint' && i === 0) {
      const branch = { AWS: 'CreateAWSEndpointRequest', AZURE: 'CreateAzureEndpointRequest', GCP: 'CreateGCPEndpointGroupRequest' }[
        params.cloudProvider as 'AWS' | 'AZURE' | 'GCP'
      ];
      if (!branch) {
        problems.push(`${spec.file}: unknown cloudProvider ${params.cloudProvider}`);
        return;
      }
      schema = { $ref: `#/components/schemas/${branch}` };
    }
    problems.push(...errorsOf(validatorFor(i, schema), body, spec.file));
  });
  return problems;
}
