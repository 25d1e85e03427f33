/**
 * Rows where CloudFormation decides: a request is served only while CloudFormation waits for it (asked
 * with DescribeStackResource at the door and before every act), and what an execution made that
 * CloudFormation did not take, that execution removes. Forgeries, stale redeliveries, cancellations in
 * every gap, CloudFormation's lagging reads and its errors.
 */
import type { CloudFormationRequest } from '../../lambda/cloudformation/request';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { RESOURCE_TYPE_SERVICE } from '../../lambda/model/service-properties';
import { PROJECT, REGIONS } from './harness';
import type { MatrixRow } from './scenarios';

const OTHER_PROJECT = '5e1f0a1b2c3d4e5f6a7b8c9e';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const VPCE_2 = 'vpce-0a1b2c3d4e5f60719';
const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $retryable: { throttling: true },
    $metadata: { httpStatusCode: 400 },
  });
/** What the CloudFormation adapter throws for an error nobody classed, once its retries are spent. */
const unclassed = () =>
  Object.assign(new Error('KMS is throttling'), { name: 'KmsThrottlingException', $metadata: { httpStatusCode: 400 } });

const posts = (ctx: { emulator: { requests: { method: string }[] } }) => ctx.emulator.requests.filter((r) => r.method === 'POST').length;

export const cloudFormationRows: MatrixRow[] = [
  {
    name: "AWS: CloudFormation gives up on a Create while its ServiceToken call is between its look at CloudFormation and its execution's start: the made-up id's Delete is answered, the execution acts on nothing",
    defect: 15,
    runner: { startLatencySeconds: 5 },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 2);
      ctx.check(create.abandoned && create.lateAnswers === 0, `Create: abandoned ${create.abandoned}, ${create.lateAnswers} late answers`);
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
      ctx.check(posts(ctx) === 0, `${posts(ctx)} POSTs to Atlas after CloudFormation gave up`);
    },
  },
  {
    name: "AWS: a Create whose first invocation is throttled, redelivered by Lambda a minute later after the made-up id's Delete signed in the same second: dropped, nothing made",
    defect: 15,
    runner: { startErrors: [throttled()] },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 0);
      ctx.check(create.abandoned && create.answers === 0 && create.lateAnswers === 0, 'the redelivered Create was answered');
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
      ctx.check(posts(ctx) === 0, `${posts(ctx)} POSTs to Atlas for a request CloudFormation was done with`);
    },
  },
  ...(['old', 'current'] as const).map((cleanupShows): MatrixRow => ({
    name: `AWS: a replacing Update's answer lands while its answer step fails and is retried; the cleanup Delete of the old id follows (CloudFormation shows ${cleanupShows === 'old' ? 'the old id deleting' : 'the replacement'}): the replacement stays, the old service goes`,
    defect: 15,
    runner: {
      cleanupShows,
      faults: [{ step: 'answer', when: 'after', match: (s) => s.request.RequestType === 'Update' && s.answer?.status === 'SUCCESS' }],
    },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      const { update, cleanup } = await ctx.update(ctx.props({ Region: REGIONS.AWS.other }));
      ctx.check(update.status === 'SUCCESS' && update.answers === 1, `Update ${update.status}, ${update.answers} different answers`);
      ctx.check(cleanup?.status === 'SUCCESS', `cleanup Delete ${cleanup?.status}: ${cleanup?.reason}`);
    },
  })),
  {
    name: "AWS: a registration's replacing Update answers while its answer step fails and is retried; the cleanup Delete of the old registration follows: the new registration stays",
    defect: 15,
    runner: {
      cleanupShows: 'current',
      faults: [
        {
          step: 'answer',
          when: 'after',
          match: (s) =>
            s.request.ResourceType === RESOURCE_TYPE_ENDPOINT && s.request.RequestType === 'Update' && s.answer?.status === 'SUCCESS',
        },
      ],
    },
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      const props = { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE };
      const { create } = await ctx.create(props, registration);
      ctx.check(create.status === 'SUCCESS', `register ${create.status}: ${create.reason}`);
      const { update, cleanup } = await ctx.update({ ...props, EndpointId: VPCE_2 }, registration);
      ctx.check(update.status === 'SUCCESS', `Update ${update.status}: ${update.reason}`);
      ctx.check(cleanup?.status === 'SUCCESS', `cleanup Delete ${cleanup?.status}: ${cleanup?.reason}`);
      const d = await ctx.delete(registration);
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
    },
  },
  {
    name: 'AWS: a replacing Update into another project with another Profile is cancelled once its service exists: that service is deleted in its own project; the rollback succeeds',
    defect: 15,
    emulator: { projectIds: [PROJECT, OTHER_PROJECT] },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      const { update, rollback } = await ctx.cancelledUpdate(ctx.props({ ProjectId: OTHER_PROJECT, Profile: 'other-team' }), 60);
      ctx.check(update.abandoned, 'the Update answered before CloudFormation gave up');
      ctx.check(rollback[0]?.status === 'SUCCESS', `rollback Update ${rollback[0]?.status}: ${rollback[0]?.reason}`);
      const deleted = ctx.emulator.requests.filter((r) => r.method === 'DELETE' && r.path.includes(`/groups/${OTHER_PROJECT}/`));
      ctx.check(deleted.length >= 1, 'nothing was deleted in the other project');
      const d = await ctx.delete();
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
    },
  },
  {
    name: "AWS: a cancelled Create whose create had an unknown outcome, with Atlas's list lagging once: the execution looks more than once, finds its service and deletes it",
    defect: 15,
    runner: { faults: [{ step: 'act', when: 'timeout', match: (s) => s.task.kind === 'create' }] },
    async run(ctx) {
      const pending = ctx.runner.dispatch('Create', ctx.props());
      ctx.check(!(await ctx.runner.waitFor(pending, 20)), 'the Create answered before CloudFormation gave up');
      // The first list after CloudFormation gave up shows nothing yet.
      ctx.runner.hideFromLists = 1;
      const rollback = await ctx.runner.send('Delete', ctx.props(), {
        physicalResourceId: ctx.runner.madeUpPhysicalId('AtlasPrivateEndpointService'),
        phase: 'rollback',
      });
      ctx.runner.endStackOperation();
      ctx.runner.record(pending);
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
      ctx.check(ctx.runner.hideFromLists === 0, 'the lagging list was never read');
    },
  },
  {
    name: "AWS: service moved A → B, A's cleanup Delete fails, a later Update moves back adopting A, then a sibling fails: the rollback to B succeeds and nothing is called someone else's",
    defect: 15,
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      ctx.emulator.faults.inject({ operation: 'deleteService' }, { kind: 'refuse' });
      const moved = await ctx.update(ctx.props({ Region: REGIONS.AWS.other }));
      ctx.check(
        moved.update.status === 'SUCCESS' && moved.cleanup?.status === 'FAILED',
        `move ${moved.update.status}, cleanup ${moved.cleanup?.status}`,
      );
      const back = await ctx.replacementRolledBack(ctx.props({ AdoptExisting: true }), 'a');
      ctx.check(back.update.status === 'SUCCESS', `Update back ${back.update.status}: ${back.update.reason}`);
      ctx.check(
        back.rollback.every((r) => r.status === 'SUCCESS'),
        `rollback: ${back.rollback.map((r) => `${r.requestType} ${r.status} ${r.reason ?? ''}`).join('; ')}`,
      );
      const held = ctx.held() ?? '';
      ctx.check(held.includes(REGIONS.AWS.otherAtlas), `the stack holds ${held}, not B`);
      const d = await ctx.delete();
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
    },
  },
  {
    name: "AWS: a registration Update pointed at another team's registration without AdoptExisting is refused; that registration survives the stack's Delete",
    defect: 15,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      const props = { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE };
      const { create } = await ctx.create(props, registration);
      ctx.check(create.status === 'SUCCESS', `register ${create.status}: ${create.reason}`);
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc.data!.Id, { cloudProvider: 'AWS', id: VPCE_2 });
      ctx.foreign(`${svc.data!.Id}/${VPCE_2}`);
      const { update, rollback } = await ctx.update({ ...props, EndpointId: VPCE_2 }, registration);
      ctx.check(update.status === 'FAILED' && /AdoptExisting/.test(update.reason ?? ''), `Update ${update.status}: ${update.reason}`);
      ctx.check(rollback?.[0]?.status === 'SUCCESS', `rollback ${rollback?.[0]?.status}: ${rollback?.[0]?.reason}`);
      // The stack's registration goes; the other team's stays (and so does the service under it, which the stack still holds).
      ctx.check((await ctx.delete(registration)).status === 'SUCCESS', 'registration Delete');
    },
  },
  {
    name: 'AWS: 510 other requests run on the shared provider while a Create runs, then its stack is cancelled: nothing orphaned (nothing is found by listing executions)',
    defect: 15,
    async run(ctx) {
      const create = ctx.runner.dispatch('Create', ctx.props(), { stackName: 'mine' });
      const others = Array.from({ length: 510 }, (_, i) =>
        ctx.runner.dispatch('Delete', ctx.props(), {
          stackName: `other-${i}`,
          physicalResourceId: ctx.runner.madeUpPhysicalId('AtlasPrivateEndpointService', `other-${i}`),
        }),
      );
      ctx.check(!(await ctx.runner.waitFor(create, 100)), 'the Create answered before CloudFormation gave up');
      const rollback = await ctx.runner.send('Delete', ctx.props(), {
        stackName: 'mine',
        physicalResourceId: ctx.runner.madeUpPhysicalId('AtlasPrivateEndpointService', 'mine'),
        phase: 'rollback',
      });
      for (const o of others) await ctx.runner.waitFor(o);
      await ctx.runner.drain();
      ctx.runner.record(create);
      const answered = others.map((o) => ctx.runner.record(o)).filter((r) => r.status === 'SUCCESS').length;
      ctx.check(answered === 510, `${answered} of 510 other Deletes answered`);
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}`);
    },
  },
  {
    name: "AWS: CloudFormation's reads fail with an error nobody classed (KmsThrottlingException) while the service is being made: retried, and the request succeeds",
    defect: 15,
    async run(ctx) {
      const pending = ctx.runner.dispatch('Create', ctx.props());
      // The ServiceToken function's first look fails (Lambda delivers the event again a minute later), and so do two of the step's looks.
      ctx.runner.cloudFormation.faults.push(unclassed());
      await ctx.runner.scheduler.runUntil(() => false, 70);
      ctx.runner.cloudFormation.faults.push(unclassed(), unclassed());
      await ctx.runner.waitFor(pending);
      await ctx.runner.drain();
      const r = ctx.runner.record(pending);
      ctx.check(r.status === 'SUCCESS', `Create ${r.status}: ${r.reason}`);
      ctx.runner.endStackOperation();
      const d = await ctx.runner.send('Delete', ctx.props(), { physicalResourceId: r.physicalResourceId });
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}`);
    },
  },
  {
    name: "AWS: CloudFormation's reads keep failing (KmsThrottlingException) once the service exists: FAILED naming the service, which the rollback deletes; never SUCCESS",
    defect: 15,
    async run(ctx) {
      const pending = ctx.runner.dispatch('Create', ctx.props());
      // Past the door and the create: every look from then on fails (the step's three attempts, the verdict's three).
      await ctx.runner.scheduler.runUntil(() => false, 30);
      ctx.runner.cloudFormation.faults.push(...Array.from({ length: 6 }, unclassed));
      await ctx.runner.waitFor(pending);
      ctx.check(ctx.runner.resultOf(pending).status === 'FAILED', `Create ${ctx.runner.resultOf(pending).status}`);
      const failed = ctx.runner.resultOf(pending);
      ctx.check(
        /KmsThrottlingException/.test(failed.reason ?? '') && failed.physicalResourceId.includes(REGIONS.AWS.atlas),
        `reason: ${failed.reason}`,
      );
      ctx.runner.cloudFormation.faults.length = 0;
      const rollback = await ctx.runner.send('Delete', ctx.props(), { physicalResourceId: failed.physicalResourceId, phase: 'rollback' });
      ctx.runner.endStackOperation();
      ctx.runner.record(pending);
      ctx.check(rollback.status === 'SUCCESS', `rollback ${rollback.status}: ${rollback.reason}`);
    },
  },
  {
    name: "AWS: service moved A → B with UpdateReplacePolicy: Retain (no cleanup Delete), then a forward Update back to A's region: A is not taken over without AdoptExisting, and is with it",
    defect: 15,
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      const a = create.data!.Id;
      const moved = await ctx.updateRetainingReplaced(ctx.props({ Region: REGIONS.AWS.other }));
      ctx.check(moved.status === 'SUCCESS', `move ${moved.status}`);
      // Retained: released from the stack, and must survive whatever the stack does next.
      ctx.foreign(a);
      const back = await ctx.update(ctx.props());
      ctx.check(
        back.update.status === 'FAILED' && /AdoptExisting/.test(back.update.reason ?? ''),
        `Update back ${back.update.status}: ${back.update.reason}`,
      );
      ctx.check(back.rollback?.[0]?.status === 'SUCCESS', `rollback ${back.rollback?.[0]?.status}: ${back.rollback?.[0]?.reason}`);
      const adopted = await ctx.update(ctx.props({ AdoptExisting: true }));
      ctx.check(
        adopted.update.status === 'SUCCESS' && adopted.update.data?.Id === a,
        `adopt ${adopted.update.status}: ${adopted.update.reason}`,
      );
      ctx.check(adopted.cleanup?.status === 'SUCCESS', `cleanup ${adopted.cleanup?.status}`);
    },
  },
  {
    name: "AWS: a create step fails after its POST landed and CloudFormation gives up meanwhile: the step's retry looks at CloudFormation first and removes what the POST made",
    defect: 15,
    runner: { faults: [{ step: 'act', when: 'after', match: (s) => s.task.kind === 'create' }] },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 3);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up');
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
      ctx.check(posts(ctx) === 1, `${posts(ctx)} POSTs`);
    },
  },
  {
    name: "AWS: forged in the account: a Delete naming another stack's CREATE_COMPLETE service, sent straight to the ServiceToken function with a well-formed response URL: dropped, nothing acts, nothing answered",
    defect: 15,
    async run(ctx) {
      const { create } = await ctx.create(ctx.props(), { stackName: 'victim' });
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      const callsBefore = ctx.emulator.requests.length;
      const base = {
        RequestType: 'Delete' as const,
        RequestId: 'forged',
        ResourceType: RESOURCE_TYPE_SERVICE,
        LogicalResourceId: 'AtlasPrivateEndpointService',
        PhysicalResourceId: create.physicalResourceId,
        ResourceProperties: ctx.props(),
      };
      const forged: CloudFormationRequest[] = [
        // The victim's own stack, and the attacker's stack (where the id is nothing CloudFormation deletes).
        { ...base, ResponseURL: ctx.runner.responsePeer.newResponseUrl(), StackId: ctx.runner.stackId('victim') },
        { ...base, ResponseURL: ctx.runner.responsePeer.newResponseUrl(), StackId: ctx.runner.stackId('mallory') },
      ];
      for (const event of forged) await ctx.runner.invokeDirectly(event);
      await ctx.runner.drain();
      for (const event of forged)
        ctx.check(ctx.runner.responsePeer.answersFor(event.ResponseURL).length === 0, 'a forged request was answered');
      ctx.check(
        ctx.emulator.requests.length === callsBefore,
        `${ctx.emulator.requests.length - callsBefore} Atlas calls for forged requests`,
      );
      ctx.check((await ctx.delete({ stackName: 'victim' })).status === 'SUCCESS', "the victim's own Delete");
    },
  },
  {
    name: 'AWS: Lambda delivers a Create again after CloudFormation already rolled it back: dropped, nothing made, no second answer',
    defect: 15,
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'refuse' });
      const { create, rollback } = await ctx.create(ctx.props());
      ctx.check(create.status === 'FAILED' && rollback?.status === 'SUCCESS', `Create ${create.status}, rollback ${rollback?.status}`);
      const original = ctx.runner.requests[0].event;
      await ctx.runner.invokeDirectly(original);
      await ctx.runner.drain();
      ctx.check(ctx.runner.responsePeer.answersFor(original.ResponseURL).length === 1, 'the redelivered Create was answered again');
      ctx.check(posts(ctx) === 1, `${posts(ctx)} POSTs: the redelivery acted`);
    },
  },
  {
    name: "AWS: CloudFormation's reads lag one status behind for 3 s after every change: Create, replacing Update, cleanup and Delete are all served",
    defect: 15,
    runner: { cloudFormationLagSeconds: 3 },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      const { update, cleanup } = await ctx.update(ctx.props({ Region: REGIONS.AWS.other }));
      ctx.check(update.status === 'SUCCESS' && cleanup?.status === 'SUCCESS', `Update ${update.status}, cleanup ${cleanup?.status}`);
      ctx.check((await ctx.delete()).status === 'SUCCESS', 'Delete');
    },
  },
];
