/**
 * The Lambda entry points as AWS calls them (with the invocation's context): log lines keyed by the
 * request, no ResponseURL in them, and nothing PUT to a URL that is not CloudFormation's.
 */
import { CloudFormationPeer } from '../local/runner/cloudformation-peer';
import type { ExecutionState } from '../lambda/lifecycle/core/execution-state';

describe('Lambda handlers', () => {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let peer: CloudFormationPeer;

  beforeAll(async () => {
    delete process.env.STATE_MACHINE_ARN;
    const capture = ((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    peer = await new CloudFormationPeer().start();
  });
  afterAll(async () => {
    process.stdout.write = out;
    process.stderr.write = err;
    await peer.stop();
  });

  const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Provider-OnEvent' };
  const cloudFormationUrl = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/key?X-Amz-Signature=abc123';
  const request = (responseUrl: string) => ({
    RequestType: 'Delete' as const,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
    RequestId: 'req-42',
    ResourceType: 'Custom::AtlasPrivateEndpointService',
    LogicalResourceId: 'AtlasService',
    PhysicalResourceId: '5f1e0a1b2c3d4e5f6a7b8c9d-6b0afe2c5721d53048387adc-AWS-US_EAST_1',
    ResourceProperties: { ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d', ProviderName: 'AWS', Region: 'us-east-1' },
  });

  it('keys every log line of a step with the request, never with its ResponseURL', async () => {
    const { onStep } = await import('../lambda/handler');
    const state: ExecutionState = {
      request: request(cloudFormationUrl),
      receivedAt: 0,
      deadlineAt: 3_240_000,
      task: {
        kind: 'delete',
        ref: { projectId: '5f1e0a1b2c3d4e5f6a7b8c9d', serviceId: '6b0afe2c5721d53048387adc', provider: 'AWS', region: 'US_EAST_1' },
      },
      next: 'act',
      outcome: 'WAIT',
      waitSeconds: 0,
      polls: 0,
      stepFailures: { count: 3, backoffSeconds: 40 },
      stepError: { Error: 'Error', Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'socket hang up' }) },
      stamp: { status: 'DELETE_IN_PROGRESS', physicalResourceId: request(cloudFormationUrl).PhysicalResourceId, lastUpdated: 0 },
      stackStatus: 'DELETE_IN_PROGRESS',
    };
    const after = (await onStep({ step: 'give-up', state }, context)) as ExecutionState;
    expect(after.answer).toMatchObject({ status: 'FAILED', physicalResourceId: state.request.PhysicalResourceId });
    const logged = lines.filter((l) => l.includes('"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.length).toBeGreaterThan(0);
    for (const l of logged) {
      expect(l).toMatchObject({
        StackId: state.request.StackId,
        LogicalResourceId: 'AtlasService',
        RequestId: 'req-42',
        PhysicalResourceId: state.request.PhysicalResourceId,
      });
    }
    expect(lines.join('')).not.toContain('X-Amz-Signature');
  });

  it('puts nothing to a loopback http ResponseURL and logs the event without its query string', async () => {
    const { onEvent } = await import('../lambda/handler');
    const url = peer.newResponseUrl();
    lines.length = 0;
    await expect(onEvent(request(url), context)).resolves.toMatchObject({ started: false });
    expect(peer.answersFor(url)).toHaveLength(0);
    const logged = lines.join('');
    expect(logged).toContain('Event dropped');
    expect(logged).toContain(new URL(url).pathname);
    expect(logged).not.toContain('X-Amz-Signature');
  });

  it('drops events that are not CloudFormation requests; refuses step input the state machine cannot have made', async () => {
    const { onEvent, onStep } = await import('../lambda/handler');
    await expect(onEvent({ hello: 'world' }, context)).resolves.toMatchObject({ started: false });
    await expect(onStep({ step: 'dance', state: {} }, context)).rejects.toThrow(/not one the provider's state machine produces/);
  });
});
