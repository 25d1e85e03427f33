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

/** The keys every log line about a request carries; the ResponseURL is not one of them. */
export function requestLogKeys(request: CloudFormationRequest): Record<string, string> {
  return {
    StackId: request.StackId,
    LogicalResourceId: request.LogicalResourceId,
    RequestId: request.RequestId,
    RequestType: request.RequestType,
    PhysicalResourceId: request.PhysicalResourceId ?? '',
  };
}
