/**
 * The CloudFormation adapter over real HTTP: the AWS SDK's CloudFormation client talks to a loopback stand-in of
 * CloudFormation's query API (`POST /`, form-encoded `Action=…`, XML answers and `ErrorResponse`s as
 * CloudFormation writes them), so the SDK's own parsing of statuses, timestamps and error codes is in the test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFormationLookError, AwsCloudFormationReader } from '../../lambda/runtime/cloudformation';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/0d5e1f20-b1a3-11ef-9c1a-0a1b2c3d4e5f';
const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

type Reply = { status: number; xml: string };
/** What the stand-in answers per action; each call takes the next reply, the last one repeating. */
let replies: Record<string, Reply[]>;
let calls: Record<string, string>[];

const ok = (action: string, result: string): Reply => ({
  status: 200,
  xml: `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`,
});
const error = (status: number, code: string, message: string): Reply => ({
  status,
  xml: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`,
});
const stackReply = (status: string) =>
  ok(
    'DescribeStacks',
    `<Stacks><member><StackName>app</StackName><StackId>${STACK_ID}</StackId><CreationTime>2026-12-07T15:00:00.000Z</CreationTime><StackStatus>${status}</StackStatus></member></Stacks>`,
  );
const resourceReply = (fields: string) =>
  ok(
    'DescribeStackResource',
    `<StackResourceDetail><StackName>app</StackName><StackId>${STACK_ID}</StackId><LogicalResourceId>Service</LogicalResourceId>${fields}</StackResourceDetail>`,
  );

let server: Server;
let client: CloudFormationClient;
let slept: number[];

beforeAll(async () => {
  server = createServer((rq, rs) => {
    let raw = '';
    rq.on('data', (c: Buffer) => (raw += c.toString()));
    rq.on('end', () => {
      const body = Object.fromEntries(new URLSearchParams(raw));
      calls.push(body);
      const queue = replies[body.Action ?? ''] ?? [error(400, 'InvalidAction', `no ${body.Action}`)];
      const reply = queue.length > 1 ? queue.shift()! : queue[0]!;
      rs.writeHead(reply.status, { 'content-type': 'text/xml' });
      rs.end(reply.xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new CloudFormationClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  calls = [];
  slept = [];
  replies = {};
});

function stacks(): AwsCloudFormationReader {
  return new AwsCloudFormationReader({
    client,
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 1,
    now: () => 0,
  });
}

describe('AwsCloudFormationReader.describe', () => {
  it("reads the stack's status and the resource's detail, the timestamp in epoch ms", async () => {
    replies.DescribeStacks = [stackReply('UPDATE_IN_PROGRESS')];
    replies.DescribeStackResource = [
      resourceReply(
        '<PhysicalResourceId>svc-123</PhysicalResourceId><ResourceType>Custom::AtlasPrivateEndpointService</ResourceType>' +
          '<LastUpdatedTimestamp>2026-12-07T16:01:02.345Z</LastUpdatedTimestamp><ResourceStatus>UPDATE_IN_PROGRESS</ResourceStatus>' +
          '<ResourceStatusReason>Requested update</ResourceStatusReason>',
      ),
    ];
    await expect(stacks().describe(STACK_ID, 'Service')).resolves.toEqual({
      stackStatus: 'UPDATE_IN_PROGRESS',
      resource: {
        resourceType: 'Custom::AtlasPrivateEndpointService',
        status: 'UPDATE_IN_PROGRESS',
        statusReason: 'Requested update',
        physicalResourceId: 'svc-123',
        lastUpdated: Date.UTC(2026, 11, 7, 16, 1, 2, 345),
      },
    });
    // Both calls name the stack by its StackId ARN (which also names a deleted stack).
    expect(calls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'DescribeStacks', StackName: STACK_ID }),
        expect.objectContaining({ Action: 'DescribeStackResource', StackName: STACK_ID, LogicalResourceId: 'Service' }),
      ]),
    );
  });

  it('a Create in progress: no physical id', async () => {
    replies.DescribeStacks = [stackReply('CREATE_IN_PROGRESS')];
    replies.DescribeStackResource = [
      resourceReply(
        '<ResourceType>Custom::AtlasPrivateEndpointService</ResourceType><LastUpdatedTimestamp>2026-12-07T16:01:02Z</LastUpdatedTimestamp><ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>',
      ),
    ];
    const view = await stacks().describe(STACK_ID, 'Service');
    expect(view.resource).toEqual({
      resourceType: 'Custom::AtlasPrivateEndpointService',
      status: 'CREATE_IN_PROGRESS',
      lastUpdated: Date.UTC(2026, 11, 7, 16, 1, 2),
    });
  });

  it('a logical id the stack does not have: the stack without a resource, not an error', async () => {
    replies.DescribeStacks = [stackReply('UPDATE_COMPLETE')];
    replies.DescribeStackResource = [error(400, 'ValidationError', `Resource Service does not exist for stack ${STACK_ID}`)];
    await expect(stacks().describe(STACK_ID, 'Service')).resolves.toEqual({ stackStatus: 'UPDATE_COMPLETE' });
  });

  it('a stack CloudFormation does not know: neither field, not an error', async () => {
    replies.DescribeStacks = [error(400, 'ValidationError', `Stack with id ${STACK_ID} does not exist`)];
    replies.DescribeStackResource = [error(400, 'ValidationError', `Stack with id ${STACK_ID} does not exist`)];
    await expect(stacks().describe(STACK_ID, 'Service')).resolves.toEqual({});
  });

  it('throttled, then answered: retried with growing backoff', async () => {
    replies.DescribeStacks = [
      error(400, 'Throttling', 'Rate exceeded'),
      error(400, 'Throttling', 'Rate exceeded'),
      stackReply('CREATE_IN_PROGRESS'),
    ];
    replies.DescribeStackResource = [
      error(400, 'Throttling', 'Rate exceeded'),
      resourceReply(
        '<ResourceType>Custom::AtlasPrivateEndpointService</ResourceType><LastUpdatedTimestamp>2026-12-07T16:01:02Z</LastUpdatedTimestamp><ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>',
      ),
    ];
    await expect(stacks().describe(STACK_ID, 'Service')).resolves.toMatchObject({
      stackStatus: 'CREATE_IN_PROGRESS',
      resource: { status: 'CREATE_IN_PROGRESS' },
    });
    expect(calls.filter((c) => c.Action === 'DescribeStacks')).toHaveLength(3);
    expect(calls.filter((c) => c.Action === 'DescribeStackResource')).toHaveLength(2);
    expect([...slept].sort((a, b) => a - b)).toEqual([100, 100, 200]);
  });

  it('throttled throughout: a named error after a bounded number of attempts, never a made-up verdict', async () => {
    replies.DescribeStacks = [error(400, 'Throttling', 'Rate exceeded')];
    replies.DescribeStackResource = [error(400, 'Throttling', 'Rate exceeded')];
    const look = stacks().describe(STACK_ID, 'Service');
    await expect(look).rejects.toBeInstanceOf(CloudFormationLookError);
    await expect(look).rejects.toMatchObject({ name: 'CloudFormationLookError', cause: { name: 'Throttling' } });
    expect(calls.filter((c) => c.Action === 'DescribeStacks')).toHaveLength(5);
    // Bounded: each of the two calls backs off 100 + 200 + 400 + 800 ms at most.
    expect([...slept].sort((a, b) => a - b)).toEqual([100, 100, 200, 200, 400, 400, 800, 800]);
  });

  it('stops retrying when the time budget is spent', async () => {
    replies.DescribeStacks = [error(400, 'Throttling', 'Rate exceeded')];
    replies.DescribeStackResource = [error(400, 'ValidationError', 'Resource Service does not exist for stack app')];
    let t = 0;
    const adapter = new AwsCloudFormationReader({ client, sleep: async () => undefined, random: () => 1, now: () => (t += 1500) });
    await expect(adapter.describe(STACK_ID, 'Service')).rejects.toBeInstanceOf(CloudFormationLookError);
    expect(calls.filter((c) => c.Action === 'DescribeStacks').length).toBeLessThan(5);
  });

  it('an error it does not class (KmsThrottlingException, HTTP 400): thrown at once, named, with the cause', async () => {
    replies.DescribeStacks = [stackReply('UPDATE_IN_PROGRESS')];
    replies.DescribeStackResource = [error(400, 'KmsThrottlingException', 'KMS is throttling')];
    const look = stacks().describe(STACK_ID, 'Service');
    await expect(look).rejects.toMatchObject({
      name: 'CloudFormationLookError',
      message: expect.stringContaining('KmsThrottlingException'),
      cause: { name: 'KmsThrottlingException' },
    });
    expect(calls.filter((c) => c.Action === 'DescribeStackResource')).toHaveLength(1);
  });

  it('a ValidationError that is not "does not exist" (a malformed name) is an error, not an absent resource', async () => {
    replies.DescribeStacks = [
      error(400, 'ValidationError', '1 validation error detected: Value at stackName failed to satisfy constraint'),
    ];
    replies.DescribeStackResource = [error(400, 'ValidationError', '1 validation error detected')];
    await expect(stacks().describe('not an arn', 'Service')).rejects.toMatchObject({
      name: 'CloudFormationLookError',
      cause: { name: 'ValidationError' },
    });
  });

  it('access denied (a missing permission) is thrown, not taken as "does not exist"', async () => {
    replies.DescribeStacks = [error(403, 'AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks')];
    replies.DescribeStackResource = [error(403, 'AccessDenied', 'not authorized')];
    await expect(stacks().describe(STACK_ID, 'Service')).rejects.toMatchObject({ cause: { name: 'AccessDenied' } });
    expect(calls).toHaveLength(2);
  });
});
