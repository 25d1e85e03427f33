/**
 * The gate every event passes before anything acts on it. An event whose `ResponseURL` is not one of
 * CloudFormation's response buckets (in the function's own partition and region) is not CloudFormation's:
 * it is logged without the URL's query string and dropped, and nothing is started, read or PUT. An event
 * with a usable URL but a malformed field, or naming a stack of another account or region, is answered
 * at once (FAILED, naming the field; SUCCESS for a Delete that names nothing of ours) without starting an
 * execution.
 */
import type { CloudFormationRequest, RequestType } from './request';
import { checkResponseUrl, redactResponseUrl } from './response-url';
import { type AwsHome, describeHome, parseStackId, sameHome, type StackRef } from './stack-id';

export interface EntryPolicy {
  /** The function's own partition, region and account, when the invocation does not tell them. */
  home?: AwsHome;
  /** Accept `http://` loopback ResponseURLs: the local runner only. */
  allowLoopbackHttp?: boolean;
}

/** The fields an answer copies back; set whenever a URL to answer to exists. */
export type AnswerableRequest = Pick<CloudFormationRequest, 'ResponseURL' | 'StackId' | 'RequestId' | 'LogicalResourceId'> & {
  RequestType?: string;
  PhysicalResourceId?: string;
};

export type EntryVerdict =
  | { kind: 'accept'; request: CloudFormationRequest; stack: StackRef }
  /** Answerable, but not to be acted on. */
  | { kind: 'refuse'; request: AnswerableRequest; problem: string }
  /** Nothing to answer to: log and drop. `log` holds no secret. */
  | { kind: 'drop'; problem: string; log: Record<string, unknown> };

const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'];
const KNOWN_FIELDS = [
  'RequestType',
  'ResponseURL',
  'StackId',
  'RequestId',
  'ResourceType',
  'LogicalResourceId',
  'PhysicalResourceId',
  'ResourceProperties',
  'OldResourceProperties',
  'ServiceToken',
];
/** Far above what this provider's properties take, far below Step Functions' 256 KB execution input. */
export const MAX_PROPERTIES_BYTES = 32 * 1024;
const MAX_ID_LENGTH = 1024;

export function checkEvent(event: unknown, policy: EntryPolicy): EntryVerdict {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return {
      kind: 'drop',
      problem: 'the event is not an object',
      log: { eventType: event === null ? 'null' : Array.isArray(event) ? 'array' : typeof event },
    };
  }
  const e = event as Record<string, unknown>;
  const url = checkResponseUrl(e.ResponseURL, policy);
  if (!url.ok) return { kind: 'drop', problem: url.problem, log: dropSummary(e) };

  const answerable: AnswerableRequest = {
    ResponseURL: e.ResponseURL as string,
    StackId: shortString(e.StackId),
    RequestId: shortString(e.RequestId),
    LogicalResourceId: shortString(e.LogicalResourceId),
    ...(typeof e.RequestType === 'string' ? { RequestType: e.RequestType } : {}),
    ...(typeof e.PhysicalResourceId === 'string' && e.PhysicalResourceId.length <= MAX_ID_LENGTH
      ? { PhysicalResourceId: e.PhysicalResourceId }
      : {}),
  };
  const refuse = (problem: string): EntryVerdict => ({ kind: 'refuse', request: answerable, problem });

  if (typeof e.RequestType !== 'string' || !REQUEST_TYPES.includes(e.RequestType))
    return refuse(`RequestType ${describeValue(e.RequestType)} is not Create, Update or Delete.`);
  for (const field of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    const v = e[field];
    if (typeof v !== 'string' || v === '' || v.length > MAX_ID_LENGTH)
      return refuse(`${field} ${describeValue(v)} is not a non-empty string of at most ${MAX_ID_LENGTH} characters.`);
  }
  if (e.ResourceType !== undefined && (typeof e.ResourceType !== 'string' || e.ResourceType.length > 200))
    return refuse(`ResourceType ${describeValue(e.ResourceType)} is not a resource type name.`);
  if (e.PhysicalResourceId !== undefined && (typeof e.PhysicalResourceId !== 'string' || e.PhysicalResourceId.length > MAX_ID_LENGTH)) {
    return refuse(`PhysicalResourceId ${describeValue(e.PhysicalResourceId)} is not a string of at most ${MAX_ID_LENGTH} characters.`);
  }
  if (e.RequestType !== 'Create' && (typeof e.PhysicalResourceId !== 'string' || e.PhysicalResourceId === ''))
    return refuse(`PhysicalResourceId is missing from a ${e.RequestType} request.`);
  for (const field of ['ResourceProperties', 'OldResourceProperties'] as const) {
    const v = e[field];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)))
      return refuse(`${field} is ${describeValue(v)}, not an object of properties.`);
  }
  const size = propertiesBytes(e.ResourceProperties) + propertiesBytes(e.OldResourceProperties);
  if (size > MAX_PROPERTIES_BYTES) {
    const [name, bytes] = largestProperty(e.ResourceProperties, e.OldResourceProperties);
    return refuse(
      `The properties take ${size} bytes, more than the ${MAX_PROPERTIES_BYTES} accepted; the largest is ${name} (${bytes} bytes).`,
    );
  }

  const stack = parseStackId(e.StackId);
  if (!stack) return refuse(`StackId ${describeValue(e.StackId)} is not a CloudFormation stack ARN.`);
  const home = policy.home;
  if (!home) return refuse('The provider cannot tell its own account and region, so it serves no stack.');
  if (!sameHome(stack, home))
    return refuse(`Stack ${stack.stackName} is in ${describeHome(stack)}; this provider serves stacks of ${describeHome(home)} only.`);

  const request: CloudFormationRequest = {
    RequestType: e.RequestType as RequestType,
    ResponseURL: e.ResponseURL as string,
    StackId: e.StackId as string,
    RequestId: e.RequestId as string,
    ResourceType: (e.ResourceType as string | undefined) ?? '',
    LogicalResourceId: e.LogicalResourceId as string,
    ...(e.PhysicalResourceId !== undefined ? { PhysicalResourceId: e.PhysicalResourceId as string } : {}),
    ResourceProperties: (e.ResourceProperties as Record<string, unknown> | undefined) ?? {},
    ...(e.OldResourceProperties !== undefined ? { OldResourceProperties: e.OldResourceProperties as Record<string, unknown> } : {}),
    ...(typeof e.ServiceToken === 'string' ? { ServiceToken: e.ServiceToken } : {}),
  };
  return { kind: 'accept', request, stack };
}

/** What may be logged of an event that is dropped: field names CloudFormation uses, types, the URL without its query. */
function dropSummary(e: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(e);
  return {
    responseUrlWithoutQuery: redactResponseUrl(e.ResponseURL),
    fields: keys.filter((k) => KNOWN_FIELDS.includes(k)),
    otherFields: keys.filter((k) => !KNOWN_FIELDS.includes(k)).length,
    ...(typeof e.RequestType === 'string' ? { requestType: e.RequestType.slice(0, 20) } : {}),
    ...(typeof e.StackId === 'string' ? { stackId: e.StackId.slice(0, 300) } : {}),
    ...(typeof e.LogicalResourceId === 'string' ? { logicalResourceId: e.LogicalResourceId.slice(0, 100) } : {}),
  };
}

function shortString(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, MAX_ID_LENGTH) : '';
}

/** A value as a Reason may show it: short, and for non-strings only its type. */
export function describeValue(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (v === null) return '(null)';
  if (typeof v === 'string') return v === '' ? '(empty)' : `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`;
  return `(a ${Array.isArray(v) ? 'list' : typeof v})`;
}

function propertiesBytes(v: unknown): number {
  if (v === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(v) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function largestProperty(...groups: unknown[]): [string, number] {
  let best: [string, number] = ['(none)', 0];
  for (const g of groups) {
    if (typeof g !== 'object' || g === null) continue;
    for (const [k, v] of Object.entries(g as Record<string, unknown>)) {
      const bytes = propertiesBytes(v);
      if (bytes > best[1]) best = [k.length > 60 ? `${k.slice(0, 60)}…` : k, bytes];
    }
  }
  return best;
}
