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
