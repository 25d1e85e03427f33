/**
 * Bad input, generated: CloudFormation events and properties with random, huge and unicode strings, wrong
 * types, missing and extra fields, and values as CloudFormation sends them (strings). Each event goes
 * through the real entry (onEvent), and when an execution starts, through the real steps until its answer,
 * with an Atlas that refuses everything (so that nothing depends on Atlas's luck). The properties:
 * - neither function throws past its boundary;
 * - an event without a usable ResponseURL starts nothing, PUTs nothing, and is logged without the URL's
 *   query string;
 * - every other event gets exactly one answer of at most 4096 bytes: SUCCESS for a Delete that names
 *   nothing of ours, FAILED otherwise, and a FAILED decided before Atlas names the offending property.
 */
import fc from 'fast-check';
import { AtlasApiError } from '../../lambda/atlas/errors';
import type { AtlasApi } from '../../lambda/lifecycle/core/ports';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import { parseEndpointPhysicalId } from '../../lambda/lifecycle/registration/physical-id';
import { parseServicePhysicalId } from '../../lambda/lifecycle/service/physical-id';
import type { LoggerLike } from '../../lambda/logging';
import { ENDPOINT_PROPERTY_NAMES, parseEndpointProperties, RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { parseServiceProperties, RESOURCE_TYPE_SERVICE, SERVICE_PROPERTY_NAMES } from '../../lambda/model/service-properties';
import { ProviderRuntime } from '../../lambda/runtime/provider-runtime';
import { agreeingWith } from '../support/cloudformation';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:Provider-OnEvent';
const context = { invokedFunctionArn: FUNCTION_ARN };
const SIGNATURE = 'X-Amz-Signature=0f0e0d0c0b0a09080706050403020100';
const RESPONSE_URL = `https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&${SIGNATURE}`;
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/app/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab';
const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const SERVICE = '6b0afe2c5721d53048387adc';
const SERVICE_ID = `${PROJECT}-${SERVICE}-AWS-EU_WEST_1`;
const ENDPOINT_ID = `${PROJECT}--${SERVICE}--vpce-0123456789abcdef0`;

const BASE = {
  service: {
    type: RESOURCE_TYPE_SERVICE,
    names: SERVICE_PROPERTY_NAMES as readonly string[],
    props: { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'eu-west-1' },
    id: SERVICE_ID,
  },
  endpoint: {
    type: RESOURCE_TYPE_ENDPOINT,
    names: ENDPOINT_PROPERTY_NAMES as readonly string[],
    props: { ProjectId: PROJECT, ProviderName: 'AWS', EndpointServiceId: SERVICE, EndpointId: 'vpce-0123456789abcdef0' },
    id: ENDPOINT_ID,
  },
};
const FIELDS = [
  'RequestType',
  'StackId',
  'RequestId',
  'LogicalResourceId',
  'PhysicalResourceId',
  'ResourceProperties',
  'OldResourceProperties',
  'ResourceType',
];

/** One run: the answers PUT, executions started, Atlas calls and log lines. */
async function drive(event: unknown) {
  const seen = { answers: [] as string[], started: 0, atlas: 0, logs: [] as string[], steps: 0 };
  const started: ExecutionState[] = [];
  const log = (message: string, ...extra: Record<string, unknown>[]) =>
    void seen.logs.push(JSON.stringify({ message, ...Object.assign({}, ...extra) }));
  const logger: LoggerLike = { debug: log, info: log, warn: log, error: log };
  const refuse = (operation: string) => async () => {
    seen.atlas++;
    throw new AtlasApiError({
      operation: operation as never,
      status: 400,
      errorCode: 'INVALID_ATTRIBUTE',
      detail: 'refused by the test',
      retryable: false,
      attempts: 1,
    });
  };
  const ops = [
    'listEndpointServices',
    'getEndpointService',
    'createEndpointService',
    'updateEndpointService',
    'deleteEndpointService',
    'createInterfaceEndpoint',
    'getInterfaceEndpoint',
    'deleteInterfaceEndpoint',
  ];
  const atlas = Object.fromEntries(ops.map((o) => [o, refuse(o)])) as unknown as AtlasApi;
  const runtime = new ProviderRuntime({
    now: () => 1_000_000,
    logger,
    atlasFor: async () => atlas,
    deliver: async (_url, body) => void seen.answers.push(body),
    cloudFormation: agreeingWith(event),
    sleep: async () => undefined,
    starter: {
      start: async (_name, input) => {
        seen.started++;
        started.push(JSON.parse(JSON.stringify(input)) as ExecutionState);
        return 'started';
      },
    },
  });
  await runtime.onEvent(event, context);
  const initial = started[0];
  if (initial) {
    let state = initial;
    while (!state.answer && seen.steps < 6) {
      seen.steps++;
      state = await runtime.onStep({ step: state.next === 'poll' ? 'poll' : 'act', state }, context);
    }
    expect(state.answer).toBeDefined();
    await runtime.onStep({ step: 'answer', state }, context);
  }
  return { ...seen, initial };
}

/** Values of every kind, as CloudFormation would send them (strings) and as a hand-made event might. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    'true',
    'FALSE',
    '0',
    '-1',
    '3601',
    '1e3',
    'null',
    'undefined',
    'us-east-1',
    'US_EAST_1',
    'eastus2',
    'GCP',
    'aws',
    'AZURE',
    '..',
    '../..',
    '/',
    'vpce-0123456789abcdef0',
    'vpce-0123456789ABCDEF0',
    PROJECT.toUpperCase(),
    ` ${PROJECT} `,
    'cfn/atlas/profile/prod',
    '\u0000',
    '\u202e',
    '😀',
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.nat({ max: 20_000 }).map((n) => 'ä'.repeat(n)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

type Mutation =
  | { kind: 'none' }
  | { kind: 'set'; property: string; value: unknown }
  | { kind: 'remove'; property: string }
  | { kind: 'extra'; property: string; value: unknown }
  | { kind: 'field'; field: string; value: unknown };

const generated = fc
  .record({
    resource: fc.constantFrom<'service' | 'endpoint'>('service', 'endpoint'),
    requestType: fc.constantFrom('Create', 'Update', 'Delete'),
    physical: fc.oneof(fc.constant('ours'), fc.constant('marker'), fc.string({ maxLength: 60 }), fc.constant(`${PROJECT}--${SERVICE}--..`)),
    mutation: fc.oneof(
      fc.constant<Mutation>({ kind: 'none' }),
      fc.record({
        kind: fc.constant('set' as const),
        property: fc.constantFrom(...SERVICE_PROPERTY_NAMES, ...ENDPOINT_PROPERTY_NAMES, 'ServiceTimeout'),
        value: anyValue,
      }),
      fc.record({
        kind: fc.constant('remove' as const),
        property: fc.constantFrom('ProjectId', 'ProviderName', 'Region', 'EndpointServiceId', 'EndpointId'),
      }),
      fc.record({ kind: fc.constant('extra' as const), property: fc.string({ minLength: 1, maxLength: 80 }), value: anyValue }),
      fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(...FIELDS), value: fc.option(anyValue, { nil: undefined }) }),
    ),
  })
  .filter(
    ({ mutation, resource }) =>
      mutation.kind !== 'extra' ||
      (!BASE[resource].names.includes(mutation.property) && !['ServiceToken', 'ServiceTimeout', '__proto__'].includes(mutation.property)),
  );

function build(
  g: fc.Arbitrary<unknown> extends never
    ? never
    : { resource: 'service' | 'endpoint'; requestType: string; physical: string; mutation: Mutation },
) {
  const base = BASE[g.resource];
  const props: Record<string, unknown> = { ServiceToken: FUNCTION_ARN, ...base.props };
  const physicalResourceId = g.physical === 'ours' ? base.id : g.physical === 'marker' ? 'not-created-req-0' : g.physical;
  const event: Record<string, unknown> = {
    RequestType: g.requestType,
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: 'req-1',
    ResourceType: base.type,
    LogicalResourceId: 'Resource',
    ServiceToken: FUNCTION_ARN,
    ResourceProperties: props,
    ...(g.requestType !== 'Create' ? { PhysicalResourceId: physicalResourceId } : {}),
    ...(g.requestType === 'Update' ? { OldResourceProperties: { ...props } } : {}),
  };
  const m = g.mutation;
  if (m.kind === 'set' || m.kind === 'extra')
    Object.defineProperty(props, m.property, { value: m.value, enumerable: true, writable: true, configurable: true });
  if (m.kind === 'remove') delete props[m.property];
  if (m.kind === 'field') event[m.field] = m.value;
  // Lambda hands the function the JSON CloudFormation sent.
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}

function namesOurs(event: Record<string, unknown>): boolean {
  const id = event.PhysicalResourceId;
  if (typeof id !== 'string') return false;
  const type = event.ResourceType;
  // A type that is not a type name (not a string, over 200 characters) is refused at the gate, which keeps whatever our id shape names.
  if (type !== undefined && (typeof type !== 'string' || type.length > 200))
    return parseServicePhysicalId(id) !== undefined || parseEndpointPhysicalId(id) !== undefined;
  if (type === RESOURCE_TYPE_ENDPOINT) {
    const p = String((event.ResourceProperties as Record<string, unknown> | undefined)?.ProviderName ?? 'AWS').toUpperCase();
    return parseEndpointPhysicalId(id, p === 'AZURE' || p === 'GCP' ? p : 'AWS') !== undefined;
  }
  if (type === RESOURCE_TYPE_SERVICE || type === undefined || type === '') return parseServicePhysicalId(id) !== undefined;
  return false; // another resource type: nothing of ours
}

describe('generated CloudFormation events', () => {
  it('always answer exactly once, within 4096 bytes: SUCCESS for a Delete naming nothing of ours, else FAILED naming the offending property', async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const event = build(g);
        const run = await drive(event);
        expect(run.answers).toHaveLength(1);
        const body = run.answers[0];
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
        expect(body).not.toContain(SIGNATURE);
        const answer = JSON.parse(body) as { Status: string; Reason?: string; PhysicalResourceId: string };
        expect(answer.PhysicalResourceId.length).toBeGreaterThan(0);
        const expected = event.RequestType === 'Delete' && !namesOurs(event) ? 'SUCCESS' : 'FAILED';
        expect(answer.Status).toBe(expected);
        if (answer.Status === 'FAILED') expect(answer.Reason?.trim()).toBeTruthy();

        // Decided before Atlas (no call made) and about one mutated thing: the Reason names it.
        const m = g.mutation;
        if (answer.Status === 'FAILED' && run.atlas === 0 && m.kind !== 'none') {
          const reason = answer.Reason ?? '';
          const named = m.kind === 'field' ? m.field : m.property.slice(0, 60);
          const alternatives: RegExp[] = [];
          // A provider makes other properties wrong; a resource type is the template's Type; without
          // properties (or with another type's) the reason names the properties; an empty physical id is a fault too.
          if (named === 'ProviderName') alternatives.push(/Region|SupportedRemoteRegions|PortMappingEnabled|EndpointId/);
          if (named === 'ResourceType') alternatives.push(/resource's Type|Property /);
          if (named === 'ResourceProperties') alternatives.push(/Property /);
          if (g.physical === '' && g.requestType !== 'Create') alternatives.push(/PhysicalResourceId/);
          expect(reason.includes(named) || alternatives.some((a) => a.test(reason))).toBe(true);
        }
        for (const line of run.logs) expect(line).not.toContain(SIGNATURE);
      }),
      { numRuns: 400 },
    );
  });

  it('drop an event without a usable ResponseURL: nothing starts, nothing is PUT, and the log line holds no query string', async () => {
    const badUrl = fc.oneof(
      fc.constant(undefined),
      anyValue,
      fc.webUrl({ withQueryParameters: true }).map((u) => `${u}${u.includes('?') ? '&' : '?'}${SIGNATURE}`),
      fc.constantFrom(
        `http://127.0.0.1:8080/r?${SIGNATURE}`,
        `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/k?${SIGNATURE}`,
        `http://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/k?${SIGNATURE}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(generated, badUrl, async (g, url) => {
        const event = build(g);
        if (url === undefined) delete event.ResponseURL;
        else event.ResponseURL = url;
        const run = await drive(event);
        expect(run).toMatchObject({ answers: [], started: 0, atlas: 0 });
        const logs = run.logs.join('\n');
        expect(logs).toContain('Event dropped');
        expect(logs).not.toContain(SIGNATURE);
      }),
      { numRuns: 200 },
    );
  });

  it('never throw past the boundary, whatever the event is', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record(
            { ResponseURL: fc.constant(RESPONSE_URL), RequestType: anyValue, StackId: anyValue, ResourceProperties: anyValue },
            { requiredKeys: ['ResponseURL'] },
          ),
        ),
        async (event) => {
          const run = await drive(event);
          expect(run.answers.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a 200 KB property value', () => {
  const big = 'x'.repeat(200 * 1024);
  const cases = [
    ...SERVICE_PROPERTY_NAMES.map((p) => ['service', p] as const),
    ...ENDPOINT_PROPERTY_NAMES.map((p) => ['endpoint', p] as const),
    ['service', 'Unknown'] as const,
  ];

  it.each(cases)('of %s property %s is refused in milliseconds, naming the property', async (resource, property) => {
    for (const requestType of ['Create', 'Update']) {
      const event = build({ resource, requestType, physical: 'ours', mutation: { kind: 'set', property, value: big } });
      const t0 = performance.now();
      const run = await drive(event);
      const ms = performance.now() - t0;
      const answer = JSON.parse(run.answers[0]) as { Status: string; Reason: string };
      expect(answer).toMatchObject({ Status: 'FAILED' });
      expect(answer.Reason).toContain(property);
      expect(run.atlas).toBe(0);
      // Generous for a shared machine; what this guards against took seconds (an edit distance over the value).
      expect(ms).toBeLessThan(250);
    }
  });

  it.each(cases)('of %s property %s costs the synth-time parser milliseconds too', (resource, property) => {
    const parse = resource === 'service' ? parseServiceProperties : parseEndpointProperties;
    const t0 = performance.now();
    const parsed = parse({ ...BASE[resource].props, [property]: big });
    expect(performance.now() - t0).toBeLessThan(250);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems.map((p) => p.property)).toContain(property);
  });
});
