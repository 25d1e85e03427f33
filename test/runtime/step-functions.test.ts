/**
 * The Step Functions adapter against a loopback stand-in speaking Step Functions' JSON protocol: the one
 * call the ServiceToken function makes (StartExecution), a repeated name taken as a duplicate delivery, and
 * every other error passed on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import { executionName, initialState } from '../../lambda/lifecycle/core/start';
import { StepFunctionsStarter } from '../../lambda/runtime/step-functions';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Provider-ABCD1234';

const request: CloudFormationRequest = {
  RequestType: 'Create',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=s',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
  RequestId: 'r-1',
  ResourceType: 'Custom::AtlasPrivateEndpointService',
  LogicalResourceId: 'Service',
  ResourceProperties: { ProjectId: '5f1e0a1b2c3d4e5f6a7b8c9d', ProviderName: 'AWS', Region: 'us-east-1' },
};

let server: Server;
let client: SFNClient;
let started: Map<string, string>;
let calls: string[];
let failWith: { status: number; type: string } | undefined;

beforeAll(async () => {
  server = createServer((rq, rs) => {
    let raw = '';
    rq.on('data', (c: Buffer) => (raw += c.toString()));
    rq.on('end', () => {
      const target = String(rq.headers['x-amz-target']).replace('AWSStepFunctions.', '');
      calls.push(target);
      const body = JSON.parse(raw || '{}') as { name?: string; input?: string; stateMachineArn?: string };
      const reply = (status: number, json: unknown) => {
        rs.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        rs.end(JSON.stringify(json));
      };
      if (failWith) return reply(failWith.status, { __type: failWith.type, message: 'refused' });
      if (target !== 'StartExecution' || body.stateMachineArn !== MACHINE) return reply(400, { __type: 'UnknownOperationException' });
      if (started.has(body.name!)) return reply(400, { __type: 'ExecutionAlreadyExists', message: 'exists' });
      started.set(body.name!, body.input!);
      return reply(200, { executionArn: `${MACHINE}:${body.name}`, startDate: Date.now() / 1000 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SFNClient({
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
  started = new Map();
  calls = [];
  failWith = undefined;
});

describe('StepFunctionsStarter', () => {
  it('starts one execution per delivery, with the whole state as its input; the same delivery again is a duplicate', async () => {
    const starter = new StepFunctionsStarter(MACHINE, client);
    const name = executionName(request);
    const state = initialState(request, Date.now());
    await expect(starter.start(name, state)).resolves.toBe('started');
    await expect(starter.start(name, state)).resolves.toBe('duplicate');
    expect(JSON.parse(started.get(name)!)).toEqual(JSON.parse(JSON.stringify(state)));
    expect(name.length).toBeLessThanOrEqual(80);
  });

  it('makes no call but StartExecution (nothing is listed, read back or stopped)', async () => {
    await new StepFunctionsStarter(MACHINE, client).start(executionName(request), initialState(request, Date.now()));
    expect(calls).toEqual(['StartExecution']);
  });

  it('passes on every other error (the ServiceToken function lets Lambda retry, or answers FAILED)', async () => {
    failWith = { status: 400, type: 'KmsThrottlingException' };
    await expect(
      new StepFunctionsStarter(MACHINE, client).start(executionName(request), initialState(request, Date.now())),
    ).rejects.toMatchObject({
      name: 'KmsThrottlingException',
    });
  });
});
