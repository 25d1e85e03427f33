/**
 * Where the provider runs and where a request's stack lives. The provider serves stacks of its own
 * partition, account and region only: that is where CloudFormation can call it from, so a request that
 * names another is made up.
 */

export interface AwsHome {
  partition: string;
  region: string;
  account: string;
}

export interface StackRef extends AwsHome {
  stackName: string;
}

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const STACK_ARN = new RegExp(
  `^arn:(${PARTITION}):cloudformation:(${REGION}):(\\d{12}):stack/([A-Za-z][A-Za-z0-9-]{0,127})/[A-Za-z0-9-]{1,64}$`,
);
const FUNCTION_ARN = new RegExp(`^arn:(${PARTITION}):lambda:(${REGION}):(\\d{12}):function:[A-Za-z0-9_-]{1,140}(?::[A-Za-z0-9$_-]+)?$`);

/** A CloudFormation stack id (its ARN), or undefined when it is not one. */
export function parseStackId(value: unknown): StackRef | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const m = STACK_ARN.exec(value);
  return m ? { partition: m[1], region: m[2], account: m[3], stackName: m[4] } : undefined;
}

/** The partition, region and account of a Lambda function ARN (Lambda's `context.invokedFunctionArn`). */
export function homeOfFunctionArn(value: unknown): AwsHome | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const m = FUNCTION_ARN.exec(value);
  return m ? { partition: m[1], region: m[2], account: m[3] } : undefined;
}

export function sameHome(a: AwsHome, b: AwsHome): boolean {
  return a.partition === b.partition && a.region === b.region && a.account === b.account;
}

export function describeHome(h: AwsHome): string {
  return `account ${h.account}, region ${h.region}${h.partition === 'aws' ? '' : ` (${h.partition})`}`;
}
