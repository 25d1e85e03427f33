/**
 * The runner's flows move its CloudFormation as CloudFormation moves a stack: each request is sent in the
 * stack status of its phase, answers are taken as they land, a request given up on fails, and each flow ends
 * the stack operation. Real handler, real state machine definition, the Atlas emulator on virtual time.
 */
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import { DEFAULT_PROJECT_ID } from '../../local/atlas-emulator';
import { LocalRunner } from '../../local/runner/runner';

const L = 'AtlasPrivateEndpointService';
const east = { ProjectId: DEFAULT_PROJECT_ID, ProviderName: 'AWS', Region: 'us-east-1' };
const west = { ...east, Region: 'eu-west-1' };

let runner: LocalRunner;
/** Per request sent: its type, physical id and the stack's status CloudFormation shows as it is sent. */
let sent: string[];

beforeAll(async () => {
  runner = await LocalRunner.start();
  const stacks = runner.cloudFormation;
  const requestSent = stacks.requestSent.bind(stacks);
  stacks.requestSent = (event: CloudFormationRequest, phase) => {
    requestSent(event, phase);
    sent.push(`${event.RequestType} ${stacks.view(event.StackId, event.LogicalResourceId).stackStatus}`);
  };
});
afterAll(async () => {
  await runner?.stop();
});
beforeEach(() => {
  sent = [];
});

it('create, replacing update with its cleanup, delete: each request in its phase, each operation complete', async () => {
  const stackName = 'flows';
  const stackId = runner.stackId(stackName);
  const { create } = await runner.create(east, { stackName });
  expect(create.status).toBe('SUCCESS');
  expect(runner.cloudFormation.view(stackId, L)).toMatchObject({
    stackStatus: 'CREATE_COMPLETE',
    resource: { status: 'CREATE_COMPLETE', physicalResourceId: create.physicalResourceId },
  });
  const { update, cleanup } = await runner.update({ physicalResourceId: create.physicalResourceId, properties: east }, west, { stackName });
  expect([update.status, cleanup?.status]).toEqual(['SUCCESS', 'SUCCESS']);
  expect(runner.cloudFormation.view(stackId, L)).toMatchObject({
    stackStatus: 'UPDATE_COMPLETE',
    resource: { status: 'UPDATE_COMPLETE', physicalResourceId: update.physicalResourceId },
  });
  await runner.delete({ physicalResourceId: update.physicalResourceId, properties: west }, { stackName });
  expect(runner.cloudFormation.view(stackId, L)).toMatchObject({ stackStatus: 'DELETE_COMPLETE', resource: { status: 'DELETE_COMPLETE' } });
  expect(sent).toEqual([
    'Create CREATE_IN_PROGRESS',
    'Update UPDATE_IN_PROGRESS',
    'Delete UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'Delete DELETE_IN_PROGRESS',
  ]);
});

it('a cancelled Create: CREATE_FAILED "Resource creation cancelled", the rollback Delete of a made-up id, ROLLBACK_COMPLETE', async () => {
  const stackName = 'cancelled';
  const stackId = runner.stackId(stackName);
  const statuses: (string | undefined)[] = [];
  const pending = runner.dispatch('Create', east, { stackName });
  await runner.waitFor(pending, 1);
  statuses.push(runner.cloudFormation.view(stackId, L).resource?.statusReason);
  await runner.drain();
  // The Create's late answer (if any) changed nothing.
  expect(runner.cloudFormation.view(stackId, L).resource).toMatchObject({
    status: 'CREATE_FAILED',
    statusReason: 'Resource creation cancelled',
  });
  expect(runner.cloudFormation.view(stackId, L).resource?.physicalResourceId).toBeUndefined();
  expect(statuses).toEqual(['Resource creation cancelled']);
  const rollback = await runner.send('Delete', east, {
    stackName,
    physicalResourceId: runner.madeUpPhysicalId(L, stackName),
    phase: 'rollback',
  });
  runner.endStackOperation(stackName);
  expect(rollback.status).toBe('SUCCESS');
  expect(runner.cloudFormation.view(stackId, L)).toMatchObject({
    stackStatus: 'ROLLBACK_COMPLETE',
    resource: { status: 'DELETE_COMPLETE' },
  });
  expect(sent).toEqual(['Create CREATE_IN_PROGRESS', 'Delete ROLLBACK_IN_PROGRESS']);
});

it('a replacement rolled back by a sibling: the Update back in UPDATE_ROLLBACK_IN_PROGRESS, the replacement deleted in the rollback cleanup', async () => {
  const stackName = 'rolled-back';
  // Regions of its own: the services of the tests before may still be going.
  const a = { ...east, Region: 'us-west-2' };
  const b = { ...east, Region: 'eu-central-1' };
  const { create } = await runner.create(a, { stackName });
  expect(create.status).toBe('SUCCESS');
  sent = [];
  const { rollback } = await runner.replacementRolledBack({ physicalResourceId: create.physicalResourceId, properties: a }, b, 'a', {
    stackName,
  });
  expect(rollback).toHaveLength(2);
  expect(sent).toEqual([
    'Update UPDATE_IN_PROGRESS',
    'Update UPDATE_ROLLBACK_IN_PROGRESS',
    'Delete UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  ]);
  expect(runner.cloudFormation.stackStatus(runner.stackId(stackName))).toBe('UPDATE_ROLLBACK_COMPLETE');
});
