/** What CloudFormation sends a custom resource provider. */

export type RequestType = 'Create' | 'Update' | 'Delete';

export interface CloudFormationRequest {
  RequestType: RequestType;
  /** Pre-signed S3 URL for the one answer. A credential in all but name: never logged. */
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  ResourceType: string;
  LogicalResourceId: string;
  /** Absent on Create. */
  PhysicalResourceId?: string;
  /** Every value arrives as a string; lists stay lists. */
  ResourceProperties: Record<string, unknown>;
  /** Update only. */
  OldResourceProperties?: Record<string, unknown>;
  ServiceToken?: string;
}

const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'];

/** True for an object shaped like a CloudFormation custom resource request. */
export function isCloudFormationRequest(event: unknown): event is CloudFormationRequest {
  const e = event as Partial<CloudFormationRequest> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.RequestType === 'string' &&
    REQUEST_TYPES.includes(e.RequestType) &&
    typeof e.ResponseURL === 'string' &&
    typeof e.StackId === 'string' &&
    typeof e.RequestId === 'string' &&
    typeof e.LogicalResourceId === 'string'
  );
}

/** The keys every log line about a request carries, cut short; the ResponseURL is not one of them. */
export function requestLogKeys(request: CloudFormationRequest): Record<string, string> {
  const short = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  return {
    StackId: short(request.StackId, 300),
    LogicalResourceId: short(request.LogicalResourceId, 255),
    RequestId: short(request.RequestId, 100),
    RequestType: short(request.RequestType, 20),
    PhysicalResourceId: short(request.PhysicalResourceId, 1024),
  };
}

/** How long CloudFormation's pre-signed ResponseURL stays valid: older than this, a signing time is not believed. */
const RESPONSE_URL_LIFETIME_MS = 2 * 60 * 60 * 1000;

/**
 * When CloudFormation sent the request, as its pre-signed ResponseURL says (`X-Amz-Date`, the SigV4 signing
 * time), so that a redelivered event (Lambda's asynchronous retries come 1 and 2 minutes later) keeps the
 * deadline CloudFormation counts from. Kept between two hours before `now` and `now`; `now` when the URL
 * carries no usable time.
 */
export function requestSentAt(request: Pick<CloudFormationRequest, 'ResponseURL'>, now: number): number {
  let stamp: string | null;
  try {
    stamp = new URL(request.ResponseURL).searchParams.get('X-Amz-Date');
  } catch {
    return now;
  }
  const m = stamp ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp) : null;
  if (!m) return now;
  const signed = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (!Number.isFinite(signed)) return now;
  return Math.min(now, Math.max(signed, now - RESPONSE_URL_LIFETIME_MS));
}
