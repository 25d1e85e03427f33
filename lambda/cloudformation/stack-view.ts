/**
 * What CloudFormation says of one resource of one stack: the port through which the provider asks it
 * (`DescribeStackResource` and `DescribeStacks`), instead of inferring what it wants. The Lambda's adapter
 * calls CloudFormation (`runtime/cloudformation.ts`); the local runner answers from its own model of the
 * stacks it plays.
 */

/** One resource as `DescribeStackResource` returns it (`StackResourceDetail`). */
export interface StackResourceDetail {
  /** `Custom::…` as the template writes it. */
  resourceType: string;
  /** `CREATE_IN_PROGRESS`, `UPDATE_COMPLETE`, `DELETE_FAILED`, … */
  status: string;
  statusReason?: string;
  /** Absent while a Create is in progress and after a Create CloudFormation gave up on before any answer. */
  physicalResourceId?: string;
  /** Epoch ms of the resource's last status change. */
  lastUpdated: number;
}

/** What CloudFormation holds for a stack and logical id, as one look saw it. */
export interface StackResourceView {
  /** The stack's status (`StackStatus`); absent when CloudFormation knows no such stack. */
  stackStatus?: string;
  /** Absent when the stack has no resource of that logical id (or there is no such stack). */
  resource?: StackResourceDetail;
}

export interface CloudFormationReader {
  /**
   * One look at a stack (by its StackId ARN, which also names a deleted stack) and one of its logical ids.
   * Throws for errors other than "does not exist" (throttling that outlasted the retries, a missing
   * permission): without a verdict, nothing acts.
   */
  describe(stackId: string, logicalResourceId: string): Promise<StackResourceView>;
}
