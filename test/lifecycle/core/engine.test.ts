/**
 * Looks within one step: a poll step sleeps and looks again while the next look fits in the step, then
 * hands the wait to Step Functions; an act step never does. The real step code and Atlas client against
 * the emulator over HTTP, on its virtual clock, which the step's sleep moves.
 */
import { AtlasClient } from '../../../lambda/atlas/client';
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import { runStep } from '../../../lambda/lifecycle/core/engine';
import type { ExecutionState } from '../../../lambda/lifecycle/core/execution-state';
import type { StepPorts } from '../../../lambda/lifecycle/core/ports';
import { initialState } from '../../../lambda/lifecycle/core/start';
import { silentLogger } from '../../../lambda/logging';
import { ATLAS_CALL_MAX_MS, STEP_LAMBDA_TIMEOUT_SECONDS } from '../../../lambda/model/timing';
import { DEFAULT_API_KEY, DEFAULT_PROJECT_ID, type VirtualClock } from '../../../local/atlas-emulator';
import { useEmulator } from '../../support/emulator';
import { notAsked } from '../../support/cloudformation';

// AWS services take 180 s to provision here.
const fixture = useEmulator({ timings: { AWS: { serviceCreate: 180 } } });
let client: AtlasClient;
let slept: number[];

function ports(withSleep: boolean): StepPorts {
  const clock = fixture.emulator.clock as VirtualClock;
  client ??= new AtlasClient({
    baseUrl: fixture.emulator.baseUrl,
    credentials: { kind: 'api-key', ...DEFAULT_API_KEY },
    now: () => clock.now(),
    retry: { budgetMs: 0 },
  });
  return {
    now: () => clock.now(),
    logger: silentLogger,
    atlasFor: async () => client,
    deliver: async () => undefined,
    cloudFormation: notAsked,
    ...(withSleep
      ? {
          sleep: async (ms: number) => {
            slept.push(ms);
            clock.advance(ms / 1000);
          },
        }
      : {}),
  };
}

function createRequest(): CloudFormationRequest {
  return {
    RequestType: 'Create',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/s/1',
    RequestId: 'request-1',
    ResourceType: 'Custom::AtlasPrivateEndpointService',
    LogicalResourceId: 'Service',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      ProjectId: DEFAULT_PROJECT_ID,
      ProviderName: 'AWS',
      Region: 'us-east-1',
    },
  };
}

/** Inspect and create, each in its own act step, as the state machine runs them. */
async function created(p: StepPorts): Promise<ExecutionState> {
  let state = initialState(createRequest(), p.now());
  state = await runStep('act', state, p);
  expect(state).toMatchObject({ outcome: 'WAIT', next: 'act', task: { kind: 'create' } });
  state = await runStep('act', state, p);
  expect(state).toMatchObject({ outcome: 'WAIT', next: 'poll', task: { kind: 'await-ready' } });
  return state;
}

const gets = () => fixture.emulator.requests.filter((r) => r.method === 'GET' && r.status === 200).length;

beforeEach(() => {
  slept = [];
});
afterAll(async () => {
  await client?.close();
});

it('an act step acts and returns: its retry must start from the state before the act', async () => {
  const p = ports(true);
  await created(p);
  expect(slept).toEqual([]);
  // The inspection's list is the only read so far.
  expect(gets()).toBe(1);
});

it('a poll step looks again after each wait while the next look fits in the step, then leaves the wait to Step Functions', async () => {
  const p = ports(true);
  const state = await created(p);
  const clock = fixture.emulator.clock as VirtualClock;
  const before = gets();
  const startedAt = clock.now();
  const next = await runStep('poll', state, p);
  const looks = gets() - before;
  expect(next).toMatchObject({ outcome: 'WAIT', next: 'poll', task: { kind: 'await-ready' } });
  expect(looks).toBeGreaterThan(1);
  expect(slept).toHaveLength(looks - 1);
  // Every sleep was the wait the previous look asked for, and the last look began early enough for a whole
  // Atlas call to end inside the step's timeout.
  expect(new Set(slept)).toEqual(new Set([state.waitSeconds * 1000]));
  expect(clock.now() - startedAt + ATLAS_CALL_MAX_MS).toBeLessThanOrEqual(STEP_LAMBDA_TIMEOUT_SECONDS * 1000);
  expect(next.polls).toBe(state.polls + looks);
});

it('a poll step that sees the service ready stops looking and holds the answer', async () => {
  const p = ports(true);
  let state = await created(p);
  const clock = fixture.emulator.clock as VirtualClock;
  // Just before Atlas is done: the first look sees INITIATING, a look after one wait sees it ready.
  clock.advance(180 - state.waitSeconds / 2);
  const before = gets();
  state = await runStep('poll', state, p);
  expect(state).toMatchObject({ outcome: 'READY', next: 'answer', answer: { status: 'SUCCESS' } });
  expect(gets() - before).toBe(2);
  expect(slept).toHaveLength(1);
});

it('without a way to sleep, a poll step looks once', async () => {
  const p = ports(false);
  const state = await created(p);
  const before = gets();
  const next = await runStep('poll', state, p);
  expect(next).toMatchObject({ outcome: 'WAIT', next: 'poll' });
  expect(gets() - before).toBe(1);
});
