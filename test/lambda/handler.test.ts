/**
 * The Lambda entry points as AWS calls them: log lines keyed by the request, no ResponseURL in them, and
 * one FAILED answer when the wait loop cannot even start.
 */
import { CloudFormationPeer } from '../../local/runner/cloudformation-peer';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';

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
    const { onStep } = await import('../../lambda/handler');
    const url = peer.newResponseUrl();
    const state: ExecutionState = {
      request: request(url),
      receivedAt: 0,
      deadlineAt: Number.MAX_SAFE_INTEGER,
      task: { kind: 'delete', ref: { projectId: '5f1e0a1b2c3d4e5f6a7b8c9d', serviceId: '6b0afe2c5721d53048387adc', provider: 'AWS', region: 'US_EAST_1' } },
      next: 'act',
      outcome: 'WAIT',
      waitSeconds: 0,
      polls: 0,
      stepFailures: { count: 3, backoffSeconds: 40 },
      stepError: { Error: 'Error', Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'socket hang up' }) },
    };
    const after = (await onStep({ step: 'give-up', state })) as ExecutionState;
    expect(after.answer).toMatchObject({ status: 'FAILED', physicalResourceId: state.request.PhysicalResourceId });
    const logged = lines.filter((l) => l.includes('"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.length).toBeGreaterThan(0);
    for (const l of logged) {
      expect(l).toMatchObject({ StackId: state.request.StackId, LogicalResourceId: 'AtlasService', RequestId: 'req-42', PhysicalResourceId: state.request.PhysicalResourceId });
    }
    expect(lines.join('')).not.toContain('cloudformation-responses');
    expect(lines.join('')).not.toContain('X-Amz-Signature');
  });

  it('answers FAILED at once when the wait loop cannot start, instead of leaving CloudFormation waiting', async () => {
    const { onEvent } = await import('../../lambda/handler');
    const url = peer.newResponseUrl();
    await onEvent(request(url));
    const answers = peer.answersFor(url);
    expect(answers).toHaveLength(1);
    expect(answers[0].answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: request(url).PhysicalResourceId, RequestId: 'req-42' });
    expect(answers[0].answer.Reason).toMatch(/STATE_MACHINE_ARN is not set/);
    expect(answers[0].contentType).toBe('');
  });

  it('refuses events that are neither a CloudFormation request nor a step', async () => {
    const { onEvent, onStep } = await import('../../lambda/handler');
    await expect(onEvent({ hello: 'world' })).rejects.toThrow(/not a CloudFormation custom resource request/);
    await expect(onStep({ step: 'dance', state: {} })).rejects.toThrow(/not a wait-loop step/);
  });
});
