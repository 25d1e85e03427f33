/** The lifecycle's core as plain functions of data: the poll schedule, the deadline, the first state of an execution. */
import type { CloudFormationRequest } from '../../../lambda/cloudformation/request';
import { deadlineFor } from '../../../lambda/lifecycle/core/deadline';
import { executionName, initialState } from '../../../lambda/lifecycle/core/start';
import { pollWaitSeconds } from '../../../lambda/lifecycle/core/wait';
import {
  ATLAS_CALL_MAX_MS,
  MAX_SERVICE_TIMEOUT_SECONDS,
  MIN_SERVICE_TIMEOUT_SECONDS,
  POLL_INTERVAL_SECONDS,
} from '../../../lambda/model/timing';
import { cfnRequest } from '../../support/requests';

const PROJECT = '5f1e0a1b2c3d4e5f6a7b8c9d';
const props = { ProjectId: PROJECT, ProviderName: 'AWS', Region: 'us-east-1' };

function req(fields: Partial<CloudFormationRequest> = {}): CloudFormationRequest {
  return cfnRequest({ ResourceProperties: props, ...fields });
}

describe('the poll schedule and the deadline', () => {
  it('waits a fixed interval between looks, which the benchmark targets bound (15 s at most, 12.5 s at least)', () => {
    expect(pollWaitSeconds()).toBeLessThanOrEqual(15);
    expect(pollWaitSeconds()).toBeGreaterThanOrEqual(12.5);
  });

  it('keeps a margin before ServiceTimeout of a tenth (at most 3 minutes), but never less than the last look and the answer', () => {
    expect(deadlineFor(0, 3600)).toBe(3420_000);
    expect(deadlineFor(0, 1800)).toBe(1620_000);
    expect(deadlineFor(0, 600)).toBe(540_000);
    // One Atlas call of up to 45 s and the answer step: a look begun just before the deadline still ends before ServiceTimeout.
    expect(deadlineFor(0, 150)).toBe(100_000);
    expect(deadlineFor(0, 120)).toBe(70_000);
    // The property check refuses a ServiceTimeout this short; a Delete of an older stack still gets a second.
    expect(deadlineFor(0, 30)).toBe(1_000);
  });

  it('leaves at least one poll and one Atlas call before the deadline from the smallest ServiceTimeout allowed on, and not below it', () => {
    const window = (t: number) => deadlineFor(0, t) / 1000;
    const need = POLL_INTERVAL_SECONDS + ATLAS_CALL_MAX_MS / 1000;
    expect(MIN_SERVICE_TIMEOUT_SECONDS).toBe(109);
    expect(window(MIN_SERVICE_TIMEOUT_SECONDS)).toBeGreaterThanOrEqual(need);
    expect(window(MIN_SERVICE_TIMEOUT_SECONDS - 1)).toBeLessThan(need);
    for (let t = MIN_SERVICE_TIMEOUT_SECONDS; t <= MAX_SERVICE_TIMEOUT_SECONDS; t++) {
      const margin = t - window(t);
      expect(window(t)).toBeGreaterThanOrEqual(need);
      // Proportionate: never more than half the timeout, and never more than 3 minutes.
      expect(margin).toBeLessThanOrEqual(Math.min(180, Math.ceil(t / 2)));
    }
  });
});

describe('starting an execution', () => {
  it('names the execution from the request delivery: same event, same name; reused RequestId with a new URL, new name', () => {
    const a = req({});
    expect(executionName(a)).toBe(executionName({ ...a }));
    expect(executionName(a)).not.toBe(executionName({ ...a, ResponseURL: 'https://s3.example/response?X-Amz-Signature=def' }));
    expect(executionName(a)).toMatch(/^Service-Create-[0-9a-f]{32}$/);
    // Another stack's request of the same logical id and RequestId is another execution.
    expect(executionName({ ...a, StackId: a.StackId.replace('/1', '/2') })).not.toBe(executionName(a));
    expect(executionName(a).length).toBeLessThanOrEqual(80);
    expect(executionName(a)).not.toContain('abc');
  });

  it('sets the deadline from ServiceTimeout and answers at once what needs no Atlas call', () => {
    const s = initialState(req({ ResourceProperties: { ...props, ServiceTimeout: '600' } }), 0);
    expect(s).toMatchObject({
      deadlineAt: 540_000,
      next: 'act',
      outcome: 'WAIT',
      task: { kind: 'inspect' },
      stepFailures: { count: 0, backoffSeconds: 5 },
    });
    const d = initialState(req({ RequestType: 'Delete', PhysicalResourceId: 'not-created-x' }), 0);
    expect(d).toMatchObject({ next: 'answer', outcome: 'READY', answer: { status: 'SUCCESS', physicalResourceId: 'not-created-x' } });
  });
});
