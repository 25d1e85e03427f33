/**
 * The Step Functions adapter over real HTTP: the AWS SDK's SFN client talks to a loopback stand-in of the
 * Step Functions JSON API (awsJson1_0: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`), which
 * keeps executions, their histories and their stops as Step Functions does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import type { ExecutionState } from '../../lambda/lifecycle/core/execution-state';
import { executionName, initialState } from '../../lambda/lifecycle/core/start';
import { latestState, StepFunctionsStarter } from '../../lambda/runtime/step-functions';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Provider-ABCD1234';
const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';

interface Execution {
  name: string;
  status: string;
  startDate: number;
  input: ExecutionState;
  output?: ExecutionState;
  history: Record<string, unknown>[];
}

function req(fields: Partial<CloudFormationRequest>): CloudFormationRequest {
  return {
    RequestType: 'Create',
    ResponseURL: `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=${Math.random()}`,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
    RequestId: `r-${Math.random()}`,
    ResourceType: 'Custom::AtlasPrivateEndpointService',
    LogicalResourceId: 'Service',
    ResourceProperties: { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' },
    ...fields,
  };
}

let server: Server;
let client: SFNClient;
let executions: Execution[];
let calls: { target: string; body: Record<string, unknown> }[];

beforeAll(async () => {
  server = createServer((rq, rs) => {
    let raw = '';
    rq.on('data', (c: Buffer) => (raw += c.toString()));
    rq.on('end', () => {
      const target = String(rq.headers['x-amz-target']).replace('AWSStepFunctions.', '');
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      calls.push({ target, body });
      const reply = (status: number, json: unknown) => {
        rs.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        rs.end(JSON.stringify(json));
      };
      const byArn = (arn: unknown) => executions.find((e) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${e.name}` === arn);
      switch (target) {
        case 'ListExecutions': {
          const sorted = [...executions].sort((a, b) => b.startDate - a.startDate);
          const start = Number(body.nextToken ?? 0);
          const page = sorted.slice(start, start + Number(body.maxResults ?? 100));
          return reply(200, {
            executions: page.map((e) => ({
              executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${e.name}`,
              stateMachineArn: MACHINE,
              name: e.name,
              status: e.status,
              startDate: e.startDate / 1000,
            })),
            ...(start + page.length < sorted.length ? { nextToken: String(start + page.length) } : {}),
          });
        }
        case 'DescribeExecution': {
          const e = byArn(body.executionArn);
          if (!e) return reply(400, { __type: 'ExecutionDoesNotExist', message: 'no such execution' });
          return reply(200, {
            executionArn: body.executionArn,
            stateMachineArn: MACHINE,
            name: e.name,
            status: e.status,
            startDate: e.startDate / 1000,
            input: JSON.stringify(e.input),
            ...(e.output ? { output: JSON.stringify(e.output) } : {}),
          });
        }
        case 'GetExecutionHistory': {
          const e = byArn(body.executionArn);
          if (!e) return reply(400, { __type: 'ExecutionDoesNotExist', message: 'no such execution' });
          const events = body.reverseOrder ? [...e.history].reverse() : e.history;
          return reply(200, { events: events.slice(0, Number(body.maxResults ?? 1000)) });
        }
        case 'StopExecution': {
          const e = byArn(body.executionArn);
          if (!e) return reply(400, { __type: 'ExecutionDoesNotExist', message: 'no such execution' });
          // What Step Functions answers for an execution that has ended is not on record here: any refusal will do.
          if (e.status !== 'RUNNING') return reply(400, { __type: 'ValidationException', message: 'execution is not running' });
          e.status = 'ABORTED';
          e.history.push({ type: 'ExecutionAborted', id: e.history.length + 1, timestamp: Date.now() / 1000 });
          return reply(200, { stopDate: Date.now() / 1000 });
        }
        default:
          return reply(400, { __type: 'UnknownOperationException', message: target });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SFNClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  executions = [];
  calls = [];
});

/** An execution with a history up to a step in flight on `state` (the act Task entered, its Lambda started). */
function running(request: CloudFormationRequest, state: ExecutionState, startDate: number): Execution {
  return {
    name: executionName(request),
    status: 'RUNNING',
    startDate,
    input: initialState(request, startDate),
    history: [
      { type: 'ExecutionStarted', id: 1, timestamp: startDate / 1000 },
      {
        type: 'TaskStateEntered',
        id: 2,
        timestamp: startDate / 1000,
        stateEnteredEventDetails: { name: 'Act', input: JSON.stringify(state) },
      },
      { type: 'TaskScheduled', id: 3, timestamp: startDate / 1000 },
      { type: 'TaskStarted', id: 4, timestamp: startDate / 1000 },
    ],
  };
}

describe('StepFunctionsStarter: the previous request for a resource', () => {
  it("finds the newest execution of the same stack and logical id, skipping its own and other stacks' and resources'", async () => {
    const create = req({});
    const older = running(req({}), initialState(req({}), 1_000_000), 1_000_000);
    older.status = 'SUCCEEDED';
    const newer = running(create, { ...initialState(create, 2_000_000), task: { kind: 'create' } }, 2_000_000);
    const otherStack = running(
      req({ StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/other/2' }),
      initialState(req({}), 3_000_000),
      3_000_000,
    );
    const otherResource = running(req({ LogicalResourceId: 'Other' }), initialState(req({}), 3_000_000), 3_000_000);
    executions = [older, newer, otherStack, otherResource];
    const del = req({ RequestType: 'Delete', PhysicalResourceId: 'app-Service-XYZ' });
    const found = await new StepFunctionsStarter(MACHINE, client).findPrevious(del, executionName(del));
    expect(found).toMatchObject({
      name: newer.name,
      status: 'RUNNING',
      startedAt: 2_000_000,
      stepInFlight: true,
      last: { task: { kind: 'create' } },
    });
    // Only executions named for this stack's logical id are read.
    expect(calls.filter((c) => c.target === 'DescribeExecution').map((c) => c.body.executionArn)).toEqual([
      expect.stringContaining(newer.name),
    ]);
  });

  it('reads a finished execution from its output', async () => {
    const create = req({});
    const done = running(create, initialState(create, 1_000_000), 1_000_000);
    done.status = 'SUCCEEDED';
    done.output = { ...initialState(create, 1_000_000), made: 'x', answer: { status: 'SUCCESS', physicalResourceId: 'x' } };
    executions = [done];
    const found = await new StepFunctionsStarter(MACHINE, client).findPrevious(req({ RequestType: 'Delete' }), 'mine');
    expect(found).toMatchObject({ status: 'SUCCEEDED', stepInFlight: false, last: { made: 'x', answer: { physicalResourceId: 'x' } } });
  });

  it('stops a running one and reads what it left: the step in flight on its latest state', async () => {
    const create = req({});
    const state = { ...initialState(create, 1_000_000), task: { kind: 'create' as const } };
    executions = [running(create, state, 1_000_000)];
    const starter = new StepFunctionsStarter(MACHINE, client);
    const found = (await starter.findPrevious(req({ RequestType: 'Delete' }), 'mine'))!;
    const stopped = await starter.stopPrevious(found);
    expect(stopped).toMatchObject({ status: 'ABORTED', stepInFlight: true, last: { task: { kind: 'create' } } });
    expect(calls.find((c) => c.target === 'StopExecution')?.body).toMatchObject({ executionArn: expect.stringContaining(found.name) });
    // Stopping one that ended meanwhile is no error.
    await expect(starter.stopPrevious(found)).resolves.toMatchObject({ status: 'ABORTED' });
  });

  it('finds nothing when no execution names this resource', async () => {
    executions = [running(req({ LogicalResourceId: 'Other' }), initialState(req({}), 1), 1)];
    await expect(new StepFunctionsStarter(MACHINE, client).findPrevious(req({}), 'mine')).resolves.toBeUndefined();
  });
});

describe('the latest state in a history read newest first', () => {
  const s = (kind: string) => JSON.stringify({ request: {}, task: { kind } });
  it('a step whose Lambda finished: its output, nothing in flight', () => {
    expect(
      latestState([
        { type: 'ExecutionAborted', id: 5, timestamp: new Date() },
        {
          type: 'TaskSucceeded',
          id: 4,
          timestamp: new Date(),
          taskSucceededEventDetails: { resource: 'invoke', resourceType: 'lambda', output: s('await-ready') },
        },
        { type: 'TaskStateEntered', id: 2, timestamp: new Date(), stateEnteredEventDetails: { name: 'Act', input: s('create') } },
      ]),
    ).toMatchObject({ state: { task: { kind: 'await-ready' } }, stepInFlight: false });
  });
  it('a step whose Lambda failed (stopped before its Retry or Catch): the state it was given, and the step may have acted', () => {
    expect(
      latestState([
        { type: 'TaskFailed', id: 4, timestamp: new Date() },
        { type: 'TaskStateEntered', id: 2, timestamp: new Date(), stateEnteredEventDetails: { name: 'Act', input: s('create') } },
      ]),
    ).toMatchObject({ state: { task: { kind: 'create' } }, stepInFlight: true });
  });
  it('a step whose Lambda could not be started: the state it was given, nothing acted', () => {
    expect(
      latestState([
        { type: 'LambdaFunctionStartFailed', id: 4, timestamp: new Date() },
        { type: 'LambdaFunctionScheduled', id: 3, timestamp: new Date() },
        { type: 'TaskStateEntered', id: 2, timestamp: new Date(), stateEnteredEventDetails: { name: 'Act', input: s('create') } },
      ]),
    ).toMatchObject({ state: { task: { kind: 'create' } }, stepInFlight: false });
  });
  it("the Task's own Retry invoked the step again after a failed invocation: the retry is in flight", () => {
    // A Retry stays in the Task state: no new TaskStateEntered, so the failed attempt's event is newer than it.
    expect(
      latestState([
        { type: 'LambdaFunctionStarted', id: 7, timestamp: new Date() },
        { type: 'LambdaFunctionScheduled', id: 6, timestamp: new Date() },
        {
          type: 'LambdaFunctionFailed',
          id: 5,
          timestamp: new Date(),
          lambdaFunctionFailedEventDetails: { error: 'Lambda.ServiceException' },
        },
        { type: 'LambdaFunctionStarted', id: 4, timestamp: new Date() },
        { type: 'LambdaFunctionScheduled', id: 3, timestamp: new Date() },
        { type: 'TaskStateEntered', id: 2, timestamp: new Date(), stateEnteredEventDetails: { name: 'Act', input: s('create') } },
      ]),
    ).toMatchObject({ state: { task: { kind: 'create' } }, stepInFlight: true });
  });
  it('waiting: the state the Wait state holds', () => {
    expect(
      latestState([
        {
          type: 'WaitStateEntered',
          id: 7,
          timestamp: new Date(),
          stateEnteredEventDetails: { name: 'WaitBeforePoll', input: s('await-ready') },
        },
      ]),
    ).toMatchObject({ state: { task: { kind: 'await-ready' } }, stepInFlight: false });
  });
});
