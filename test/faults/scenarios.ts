/**
 * The fault matrix: each row is a scenario CloudFormation and Atlas can put a stack through. Rows marked
 * `defect` reproduce an item of the defect list; `open` marks the ones not fixed yet (their tests are
 * expected to fail until they are).
 */
import type { CloudProvider } from '../../lambda/model/provider';
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { DEFAULT_SERVICE_ACCOUNT, type Operation } from '../../local/atlas-emulator';
import { attackRows } from './attack-rows';
import { deadlineRows } from './deadline-rows';
import { cloudFormationRows } from './cloudformation-rows';
import { registrationRows } from './registration-rows';
import { connectionRows } from './connection-rows';
import { PROJECT, REGIONS, type Scenario, type ScenarioContext } from './harness';

export interface MatrixRow extends Scenario {
  /** The defect (issue section 2) the row reproduces. */
  defect?: number;
  /** Still failing: the fix has not landed. */
  open?: boolean;
}

const PROVIDERS: CloudProvider[] = ['AWS', 'AZURE', 'GCP'];
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };
const throttled = (name = 'ThrottlingException') =>
  Object.assign(new Error('Rate exceeded'), { name, $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });

/** Create, then delete, each checked to succeed. */
async function createAndDelete(ctx: ScenarioContext, extra: Record<string, unknown> = {}): Promise<void> {
  const { create } = await ctx.create(ctx.props(extra));
  ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
  const d = await ctx.delete();
  ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
}

function perProvider(build: (provider: CloudProvider) => MatrixRow[]): MatrixRow[] {
  return PROVIDERS.flatMap((p) => build(p).map((row) => ({ ...row, provider: p, name: `${p}: ${row.name}` })));
}

function storm(operation: Operation, retryAfterSeconds: number, times: number): MatrixRow {
  return {
    name: `429 storm on ${operation}, Retry-After ${retryAfterSeconds} s`,
    async run(ctx) {
      ctx.emulator.faults.inject({ operation, times }, { kind: 'status', status: 429, retryAfterSeconds });
      await createAndDelete(ctx);
      const waits = ctx.runner.reports.filter((r) => r.waitedSeconds >= retryAfterSeconds).length;
      ctx.check(waits >= 1, `no wait of at least ${retryAfterSeconds} s was honoured`);
    },
  };
}

const providerRows = perProvider((provider) => [
  {
    name: 'create, update in place, replace, delete',
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      const inPlace = provider === 'AWS' ? { SupportedRemoteRegions: ['us-west-2'] } : { AdoptExisting: true };
      const { update } = await ctx.update(ctx.props(inPlace));
      ctx.check(update.status === 'SUCCESS' && update.physicalResourceId === create.physicalResourceId, `in-place Update ${update.status}`);
      const { update: moved, cleanup } = await ctx.update(ctx.props({ ...inPlace, Region: REGIONS[provider].other }));
      ctx.check(
        moved.status === 'SUCCESS' && moved.physicalResourceId !== create.physicalResourceId,
        `replacing Update ${moved.status}: ${moved.reason}`,
      );
      ctx.check(cleanup?.status === 'SUCCESS', 'cleanup Delete of the replaced service');
      const d = await ctx.delete();
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}`);
    },
  },
  storm('listServices', 1, 5),
  storm('createService', 120, 2),
  storm('getService', 30, 6),
  storm('deleteService', 60, 3),
  {
    name: '503 on create, then it works',
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService', times: 2 }, { kind: 'status', status: 503 });
      await createAndDelete(ctx);
    },
  },
  {
    name: '500s on every read for a while',
    async run(ctx) {
      ctx.emulator.faults.inject({ method: 'GET', times: 4 }, { kind: 'status', status: 500 });
      await createAndDelete(ctx);
    },
  },
  {
    name: 'connection dropped before the create is processed',
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop' });
      await createAndDelete(ctx);
    },
  },
  {
    name: 'connection dropped after the create was processed',
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
      await createAndDelete(ctx);
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'a second service was created');
    },
  },
  {
    name: 'connection dropped after the delete was processed',
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'deleteService' }, { kind: 'drop-after-processing' });
      await createAndDelete(ctx);
    },
  },
  {
    name: 'Atlas reports the new service FAILED: FAILED with its message, the rollback removes it',
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'FAILED', errorMessage: 'Insufficient capacity' });
      const { create, rollback } = await ctx.create(ctx.props());
      ctx.check(
        create.status === 'FAILED' && /Insufficient capacity/.test(create.reason ?? ''),
        `Create ${create.status}: ${create.reason}`,
      );
      ctx.check(rollback?.status === 'SUCCESS', 'rollback Delete');
    },
  },
  {
    name: 'stuck in INITIATING past the deadline: FAILED in time, the rollback removes it',
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'STUCK_INITIATING' });
      const { create, rollback } = await ctx.create(ctx.props({ ServiceTimeout: 600 }));
      ctx.check(create.status === 'FAILED' && /Timed out/.test(create.reason ?? ''), `Create ${create.status}: ${create.reason}`);
      ctx.check(create.simulatedSeconds < 600, `answered after ${create.simulatedSeconds} s`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback Delete');
    },
  },
  {
    name: 'stuck in DELETING past the deadline: SUCCESS in time, since Atlas accepted the deletion',
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'STUCK_DELETING' });
      await ctx.create(ctx.props({ ServiceTimeout: 600 }));
      const d = await ctx.delete({});
      ctx.check(
        d.status === 'SUCCESS' && !d.abandoned && d.simulatedSeconds < 600,
        `Delete ${d.status} after ${d.simulatedSeconds} s: ${d.reason}`,
      );
      // DELETE_COMPLETE: the deletion is Atlas's to finish; the service it is deleting is nobody's orphan.
      ctx.check(ctx.emulator.services(PROJECT)[0]?.status === 'DELETING', 'the service is not DELETING after the SUCCESS');
    },
  },
  {
    name: 'delete answered 202 while GET says AVAILABLE for 5 minutes: SUCCESS only once it is gone, one DELETE',
    async run(ctx) {
      const lagSeconds = 300;
      ctx.emulator.faults.nextService({ outcome: 'DELETE_LAGS', lagSeconds });
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: 900 }));
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      const d = await ctx.delete({});
      ctx.check(
        d.status === 'SUCCESS' && !d.abandoned && d.simulatedSeconds < 900,
        `Delete ${d.status} after ${d.simulatedSeconds} s: ${d.reason}`,
      );
      // Gone means 404: the lag, then the provider's own delete duration, before the answer.
      const goneAfter = lagSeconds + ctx.emulator.timings[provider].serviceDelete;
      ctx.check(
        d.simulatedSeconds >= goneAfter,
        `Delete answered after ${d.simulatedSeconds} s, before the service was gone (${goneAfter} s)`,
      );
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas after the SUCCESS');
      // AVAILABLE after an accepted delete is a lagging read, not a delete that did not happen: no second DELETE.
      const deletes = ctx.emulator.requests.filter((q) => q.operation === 'deleteService' && q.status === 202).length;
      ctx.check(deletes === 1, `${deletes} DELETE requests for one Delete`);
    },
  },
  {
    name: 'delete answered 202 while GET says AVAILABLE past the ServiceTimeout: SUCCESS in time (Atlas accepted it), Atlas finishes the deletion',
    async run(ctx) {
      const serviceTimeout = 600;
      const lagSeconds = 1200;
      ctx.emulator.faults.nextService({ outcome: 'DELETE_LAGS', lagSeconds });
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: serviceTimeout }));
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      const d = await ctx.delete({});
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
      ctx.check(!d.abandoned && d.simulatedSeconds < serviceTimeout, `Delete answered after ${d.simulatedSeconds} s`);
      // DELETE_COMPLETE: the stack lets go while Atlas still shows the service (its read lags the accepted delete).
      ctx.check(ctx.held() === undefined, 'the stack still holds the service after the SUCCESS');
      ctx.check(ctx.emulator.services(PROJECT)[0]?.status === 'AVAILABLE', 'the lag is over before the answer; the row needs it on');
      ctx.emulator.advance(lagSeconds + ctx.emulator.timings[provider].serviceDelete);
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas once its accepted deletion is over');
    },
  },
  {
    name: 'delete answered 202 while GET says AVAILABLE past the ServiceTimeout, an hour later: one DELETE, Atlas has finished the deletion the stack asked for',
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'DELETE_LAGS', lagSeconds: 900 });
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: 600 }));
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      const d = await ctx.delete({});
      ctx.check(d.status === 'SUCCESS' && d.simulatedSeconds < 600, `Delete ${d.status} after ${d.simulatedSeconds} s: ${d.reason}`);
      // An hour later Atlas has done what the stack's Delete asked.
      ctx.emulator.advance(3600);
      ctx.check(ctx.held() === undefined, 'the stack still holds the service after the SUCCESS');
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas an hour after its accepted delete');
      const deletes = ctx.emulator.requests.filter((q) => q.operation === 'deleteService' && q.status === 202).length;
      ctx.check(deletes === 1, `${deletes} DELETE requests for one Delete`);
    },
  },
  {
    name: 'cancelled Create (sibling failed while waiting): the Delete of a made-up id leaves nothing behind',
    defect: 1,
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 60);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up; the scenario needs it in flight');
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
    },
  },
  {
    name: 'replacement rolled back, variant (b): cleanup Delete of the replacement only',
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      const { update, rollback } = await ctx.replacementRolledBack(ctx.props({ Region: REGIONS[provider].other }), 'b');
      ctx.check(update.status === 'SUCCESS', `Update ${update.status}`);
      ctx.check(
        rollback.every((r) => r.status === 'SUCCESS'),
        'rollback requests',
      );
      ctx.check(ctx.held() === create.physicalResourceId, 'the stack does not hold its original service');
    },
  },
  {
    name: "replacement rolled back, variant (a): Update back to A on B's id (A still holds its region), then Delete of B",
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      const { update, rollback } = await ctx.replacementRolledBack(ctx.props({ Region: REGIONS[provider].other }), 'a');
      ctx.check(update.status === 'SUCCESS', `Update ${update.status}`);
      ctx.check(
        rollback.every((r) => r.status === 'SUCCESS'),
        `rollback: ${rollback.map((r) => `${r.requestType} ${r.status} ${r.reason ?? ''}`).join('; ')}`,
      );
      ctx.check(ctx.held() === create.physicalResourceId, `the stack holds ${ctx.held()}, not its original ${create.physicalResourceId}`);
      ctx.check(rollback[0]?.data?.Id === create.data!.Id, `the rollback Update answered the attributes of ${rollback[0]?.data?.Id}`);
      const left = ctx.emulator.services(PROJECT).map((s) => s.id);
      ctx.check(
        left.length === 1 && left[0] === create.data!.Id,
        `Atlas holds ${left.join(', ')}, not only the original ${create.data!.Id}`,
      );
    },
  },
  {
    name: 'replacement rolled back, variant (a), where the original had itself replaced a service: its id comes back exactly',
    async run(ctx) {
      await ctx.create(ctx.props());
      const { update: first } = await ctx.update(ctx.props({ Region: REGIONS[provider].other }));
      ctx.check(first.status === 'SUCCESS', `first replacing Update ${first.status}: ${first.reason}`);
      const { update, rollback } = await ctx.replacementRolledBack(ctx.props(), 'a');
      ctx.check(update.status === 'SUCCESS', `second replacing Update ${update.status}: ${update.reason}`);
      ctx.check(
        rollback.every((r) => r.status === 'SUCCESS'),
        `rollback: ${rollback.map((r) => `${r.requestType} ${r.status} ${r.reason ?? ''}`).join('; ')}`,
      );
      ctx.check(ctx.held() === first.physicalResourceId, `the stack holds ${ctx.held()}, not ${first.physicalResourceId}`);
    },
  },
  {
    name: 'replacing Update whose new service Atlas reports FAILED: the rollback gets the original back and removes the failed one',
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.emulator.faults.nextService({ outcome: 'FAILED', errorMessage: 'Insufficient capacity' });
      const { update, rollback } = await ctx.update(ctx.props({ Region: REGIONS[provider].other }));
      ctx.check(
        update.status === 'FAILED' && /Insufficient capacity/.test(update.reason ?? ''),
        `Update ${update.status}: ${update.reason}`,
      );
      ctx.check(
        (rollback ?? []).length === 2 && (rollback ?? []).every((r) => r.status === 'SUCCESS'),
        `rollback: ${(rollback ?? []).map((r) => `${r.requestType} ${r.status} ${r.reason ?? ''}`).join('; ')}`,
      );
      ctx.check(ctx.held() === create.physicalResourceId, `the stack holds ${ctx.held()}, not its original ${create.physicalResourceId}`);
    },
  },
  {
    name: "replaced, then moved back to the first region after someone else's service took it: FAILED naming theirs, which stays",
    async run(ctx) {
      await ctx.create(ctx.props());
      const { update: moved } = await ctx.update(ctx.props({ Region: REGIONS[provider].other }));
      ctx.check(moved.status === 'SUCCESS', `replacing Update ${moved.status}: ${moved.reason}`);
      // The cleanup deleted the first service; someone else's now holds its region.
      const theirs = await ctx.outsider.createEndpointService(PROJECT, { providerName: provider, region: REGIONS[provider].atlas });
      ctx.foreign(theirs);
      const { update, rollback } = await ctx.update(ctx.props());
      ctx.check(update.status === 'FAILED' && (update.reason ?? '').includes(theirs.id), `Update back ${update.status}: ${update.reason}`);
      ctx.check(rollback?.[0]?.status === 'SUCCESS', 'rollback of the failed Update');
      ctx.check(ctx.held() === moved.physicalResourceId, `the stack holds ${ctx.held()}, not ${moved.physicalResourceId}`);
    },
  },
]);

const stepRows: MatrixRow[] = [
  ...(['act', 'poll', 'answer'] as const).flatMap((step) =>
    (['before', 'after', 'timeout'] as const).map((when): MatrixRow => ({
      name: `AWS: the ${step} step ${when === 'timeout' ? 'times out' : `crashes ${when} acting`} once`,
      runner: { faults: [{ step, when, match: (s) => s.request.RequestType === 'Create' }] },
      async run(ctx) {
        await createAndDelete(ctx);
        ctx.check(
          ctx.runner.reports.some((r) => r.error),
          'the fault did not fire',
        );
      },
    })),
  ),
  {
    name: 'AWS: a step that keeps crashing ends in one FAILED answer naming the step, and the rollback cleans up',
    runner: { faults: [{ step: 'poll', when: 'before', times: 10, match: (s) => s.request.RequestType === 'Create' }] },
    async run(ctx) {
      const { create, rollback } = await ctx.create(ctx.props());
      ctx.check(
        create.status === 'FAILED' && /poll step failed 3 times/.test(create.reason ?? ''),
        `Create ${create.status}: ${create.reason}`,
      );
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
    },
  },
  {
    name: "AWS: answers slower than the client's timeout",
    runner: { atlasClient: { timeouts: { headersMs: 150, bodyMs: 150 } } },
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'getService', times: 2 }, { kind: 'delay', ms: 400 });
      await createAndDelete(ctx);
    },
  },
  {
    name: 'AWS: the answer PUT fails twice, then succeeds',
    async run(ctx) {
      ctx.runner.responsePeer.failNext = 2;
      await createAndDelete(ctx);
    },
  },
  {
    name: 'AWS: the answer PUT fails for good: the execution ends and its log says so',
    defect: 1,
    executionErrors: /answer could not be delivered/,
    unansweredExpected: true,
    async run(ctx) {
      ctx.runner.responsePeer.refuseAll = true;
      const pending = ctx.runner.dispatch('Create', ctx.props({ ServiceTimeout: 600 }));
      await ctx.runner.waitFor(pending);
      await ctx.runner.drain();
      const r = ctx.runner.record(pending);
      ctx.check(r.abandoned && r.answers === 0, 'an answer got through');
      ctx.check(
        ctx.runner.stateMachine.executions().every((e) => e.status !== 'RUNNING'),
        'an execution is still running',
      );
      // CloudFormation, having no answer, rolls back with the Delete of a made-up id; answers work again by then.
      ctx.runner.responsePeer.refuseAll = false;
      const rollback = await ctx.runner.send('Delete', ctx.props(), {
        physicalResourceId: ctx.runner.madeUpPhysicalId('AtlasPrivateEndpointService'),
      });
      ctx.check(rollback.status === 'SUCCESS', 'rollback Delete');
    },
  },
];

const credentialRows: MatrixRow[] = [
  {
    name: 'AWS: credentials secret missing: FAILED saying which secret',
    runner: {
      secretReader: {
        getSecretString: async () => Promise.reject(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' })),
      },
    },
    async run(ctx) {
      const { create, rollback } = await ctx.create(ctx.props());
      ctx.check(
        create.status === 'FAILED' && /cfn\/atlas\/profile\/default/.test(create.reason ?? ''),
        `Create ${create.status}: ${create.reason}`,
      );
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
    },
  },
  {
    name: 'AWS: credentials secret malformed: FAILED without echoing it',
    runner: { secretReader: { getSecretString: async () => '{"PublicKey":"abc","Privat' } },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(
        create.status === 'FAILED' && /not valid JSON/.test(create.reason ?? '') && !create.reason!.includes('"abc"'),
        `Create ${create.status}: ${create.reason}`,
      );
    },
  },
  {
    name: 'AWS: wrong API key (401): FAILED, nothing created',
    runner: {
      secretReader: { getSecretString: async () => JSON.stringify({ PublicKey: 'wrongkey', PrivateKey: 'wrong-private-key-0000' }) },
    },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(
        create.status === 'FAILED' && /401|nauthori[sz]ed|credentials/i.test(create.reason ?? ''),
        `Create ${create.status}: ${create.reason}`,
      );
    },
  },
  {
    name: 'AWS: API key without Project Owner (403): FAILED saying so',
    emulator: {
      credentials: { apiKeys: [{ publicKey: 'readonlykey', privateKey: 'read-only-private-key-0000', role: 'PROJECT_READ_ONLY' }] },
    },
    runner: {
      secretReader: { getSecretString: async () => JSON.stringify({ PublicKey: 'readonlykey', PrivateKey: 'read-only-private-key-0000' }) },
    },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(
        create.status === 'FAILED' && /403|forbidden|role|owner/i.test(create.reason ?? ''),
        `Create ${create.status}: ${create.reason}`,
      );
    },
  },
  {
    name: 'AWS: service account whose token endpoint is down: waits it out, then works',
    runner: { credentials: { kind: 'service-account', ...DEFAULT_SERVICE_ACCOUNT } },
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'token', times: 3 }, { kind: 'status', status: 503 });
      await createAndDelete(ctx);
    },
  },
  {
    name: 'AWS: secret rotated while the container is warm: the 401 re-reads the secret once',
    defect: 9,
    emulator: { credentials: { apiKeys: [{ publicKey: 'rotatedkey', privateKey: 'rotated-private-key-0000' }] } },
    runner: {
      secretReader: (() => {
        let reads = 0;
        return {
          getSecretString: async () =>
            JSON.stringify(
              reads++ === 0
                ? { PublicKey: 'oldkey', PrivateKey: 'old-private-key-0000' }
                : { PublicKey: 'rotatedkey', PrivateKey: 'rotated-private-key-0000' },
            ),
        };
      })(),
    },
    async run(ctx) {
      await createAndDelete(ctx);
    },
  },
];

const redeliveryRows: MatrixRow[] = [
  {
    name: "AWS: StartExecution throttled twice: Lambda's retries after 1 and 2 minutes start it",
    runner: { startErrors: [throttled(), throttled()] },
    async run(ctx) {
      await createAndDelete(ctx);
    },
  },
  {
    name: 'AWS: the same event delivered twice at once: one execution, one service, one answer',
    async run(ctx) {
      const { create } = await ctx.create(ctx.props(), { deliveries: 2 });
      ctx.check(create.status === 'SUCCESS' && create.answers === 1, `Create ${create.status}, ${create.answers} answers`);
      ctx.check(ctx.runner.stateMachine.executions().length === 1, 'more than one execution');
      await ctx.delete();
    },
  },
  {
    name: 'AWS: a RequestId reused by a later deployment gets its own answer',
    async run(ctx) {
      const requestId = '5c1b0a4e-0000-4000-8000-000000000001';
      const first = await ctx.runner.create(ctx.props({ Region: 'ap-south-1' }), { requestId, logicalResourceId: 'First' });
      ctx.check(first.create.status === 'SUCCESS', 'first Create');
      const d = await ctx.runner.delete(
        { physicalResourceId: first.create.physicalResourceId, properties: ctx.props() },
        { requestId, logicalResourceId: 'First' },
      );
      ctx.check(d.status === 'SUCCESS' && d.answers === 1, `Delete with the reused RequestId: ${d.status}`);
    },
  },
  {
    name: "AWS: StartExecution fails through all of Lambda's retries: the failure destination answers FAILED",
    defect: 10,
    runner: { startErrors: [throttled(), throttled(), throttled()] },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: 1800 }));
      ctx.check(create.status === 'FAILED', `Create ${create.status}: no answer until the ServiceTimeout`);
      ctx.check(create.simulatedSeconds < 600, `answered after ${create.simulatedSeconds} s`);
    },
  },
];

const siblingRows: MatrixRow[] = [
  {
    name: 'AWS: two resources in one stack (service and registration): create, then delete in reverse',
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.check(svc.status === 'SUCCESS', 'service');
      const { create: reg } = await ctx.create({ ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE }, registration);
      ctx.check(reg.status === 'SUCCESS', `registration ${reg.status}: ${reg.reason}`);
      ctx.check((await ctx.delete(registration)).status === 'SUCCESS', 'registration delete');
      ctx.check((await ctx.delete({ logicalResourceId: 'Service' })).status === 'SUCCESS', 'service delete');
    },
  },
  {
    name: 'AWS: two services of one stack in two regions created at once',
    async run(ctx) {
      const a = ctx.runner.dispatch('Create', ctx.props(), { logicalResourceId: 'East' });
      const b = ctx.runner.dispatch('Create', ctx.props({ Region: 'eu-west-1' }), { logicalResourceId: 'West' });
      await ctx.runner.waitFor(a);
      await ctx.runner.waitFor(b);
      await ctx.runner.drain();
      const ra = ctx.runner.record(a);
      const rb = ctx.runner.record(b);
      ctx.check(ra.status === 'SUCCESS' && rb.status === 'SUCCESS', `${ra.status} ${rb.status}`);
      for (const [r, id, props] of [
        [ra, 'East', ctx.props()],
        [rb, 'West', ctx.props({ Region: 'eu-west-1' })],
      ] as const) {
        const d = await ctx.runner.delete({ physicalResourceId: r.physicalResourceId, properties: props }, { logicalResourceId: id });
        ctx.check(d.status === 'SUCCESS', `${id} delete`);
      }
    },
  },
  {
    name: "AWS: two stacks on the same project, provider and region: the second fails and its rollback leaves the first's service",
    async run(ctx) {
      const { create: one } = await ctx.create(ctx.props(), { stackName: 'one' });
      ctx.check(one.status === 'SUCCESS', 'first stack');
      const { create: two, rollback } = await ctx.create(ctx.props(), { stackName: 'two' });
      ctx.check(two.status === 'FAILED' && /already has/.test(two.reason ?? ''), `second stack ${two.status}: ${two.reason}`);
      ctx.check(rollback?.status === 'SUCCESS', 'second stack rollback');
    },
  },
  {
    name: 'AWS: registration rejected by AWS: FAILED with the message, the rollback removes it',
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'The VPC endpoint was rejected by the service owner' });
      const { create, rollback } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE },
        registration,
      );
      ctx.check(create.status === 'FAILED' && /rejected/.test(create.reason ?? ''), `registration ${create.status}: ${create.reason}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      // Atlas deletes a service with its last interface endpoint; the stack's rollback then deletes the service too (404 is success).
      ctx.check((await ctx.delete({ logicalResourceId: 'Service' })).status === 'SUCCESS', 'service delete');
    },
  },
];

const defectRows: MatrixRow[] = [
  {
    name: 'AWS: cancelled Create of a registration: nothing lands after the Delete, and the service can then be deleted',
    defect: 1,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.check(svc.status === 'SUCCESS', 'service');
      const { rollback } = await ctx.cancelledCreate(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE },
        5,
        registration,
      );
      ctx.check(rollback.status === 'SUCCESS', `registration Delete ${rollback.status}`);
      const d = await ctx.delete({ logicalResourceId: 'Service' });
      ctx.check(d.status === 'SUCCESS', `service Delete ${d.status}: ${d.reason}`);
    },
  },
  {
    name: 'AWS: cancelled while the register step is still in flight (its POST landed): the Delete waits it out and removes the registration',
    defect: 1,
    // The step past the look (Atlas said: not registered) POSTs, then hangs until its Lambda timeout.
    runner: { faults: [{ step: 'act', when: 'timeout', match: (s) => s.task.kind === 'register' && s.task.checked === true }] },
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.check(svc.status === 'SUCCESS', 'service');
      const { create, rollback } = await ctx.cancelledCreate(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE },
        20,
        registration,
      );
      ctx.check(create.abandoned, 'the registration answered before CloudFormation gave up');
      ctx.check(rollback.status === 'SUCCESS', `registration Delete ${rollback.status}: ${rollback.reason}`);
      ctx.check(
        ctx.runner.reports.some((r) => r.before.undo?.[0]?.task.kind === 'find-registered'),
        'the Delete did not look for the registration the step in flight may have made',
      );
      const d = await ctx.delete({ logicalResourceId: 'Service' });
      ctx.check(d.status === 'SUCCESS', `service Delete ${d.status}: ${d.reason}`);
    },
  },
  {
    name: 'AWS: register outcome unknown, then the deadline: the answer names the registration so the rollback removes it',
    defect: 3,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.check(svc.status === 'SUCCESS', 'service');
      ctx.emulator.faults.inject({ operation: 'createEndpoint' }, { kind: 'drop-after-processing' });
      ctx.emulator.faults.inject({ operation: 'createEndpoint', times: 50 }, { kind: 'status', status: 429, retryAfterSeconds: 120 });
      const { create, rollback } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE, ServiceTimeout: 300 },
        registration,
      );
      ctx.check(create.status === 'FAILED', `registration ${create.status}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      const d = await ctx.delete({ logicalResourceId: 'Service' });
      ctx.check(d.status === 'SUCCESS', `service Delete ${d.status}: ${d.reason}`);
    },
  },
  {
    name: 'AWS: cancelled replacing Update: the replacement does not outlive the rollback',
    defect: 1,
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      const { rollback } = await ctx.cancelledUpdate(ctx.props({ Region: 'eu-west-1' }), 60);
      ctx.check(
        rollback.every((r) => r.status === 'SUCCESS'),
        'rollback',
      );
      ctx.check(ctx.held() === create.physicalResourceId, 'the stack does not hold its original service');
    },
  },
  {
    name: 'AWS: cancelled while the create step is still in flight (its POST landed): the Delete waits it out, then finds and deletes the service',
    defect: 1,
    // The create step POSTs, then hangs until its Lambda timeout: CloudFormation gives up meanwhile.
    runner: { faults: [{ step: 'act', when: 'timeout', match: (s) => s.task.kind === 'create' }] },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 30);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up; the scenario needs it in flight');
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
      ctx.check(
        ctx.runner.reports.some((r) => r.before.undo?.[0]?.task.kind === 'find-created'),
        'the Delete did not look for the service the step in flight may have created',
      );
    },
  },
  {
    name: "AWS: Atlas refuses for a while to delete what a cancelled Create made: the Create's own execution keeps trying and removes it",
    defect: 1,
    async run(ctx) {
      // The key may not delete for a while (its role was lowered, then restored).
      ctx.emulator.faults.inject({ operation: 'deleteService', times: 3 }, { kind: 'refuse' });
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 60);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up');
      // The made-up id names nothing of ours: answered at once; the Create's execution removes its service.
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
      const deletes = ctx.emulator.requests.filter((r) => r.method === 'DELETE');
      ctx.check(deletes.length === 4 && deletes[3].status < 300, `DELETEs answered ${deletes.map((r) => r.status).join(', ')}`);
    },
  },
  {
    name: 'AWS: a cancelled Create answers late, before the Delete of the made-up id arrives: its service is still removed',
    defect: 1,
    async run(ctx) {
      const pending = ctx.runner.dispatch('Create', ctx.props());
      // Cancelled a moment before the service is ready (150 s), between two looks at CloudFormation.
      ctx.check(!(await ctx.runner.waitFor(pending, 153)), 'the Create answered before CloudFormation gave up');
      await ctx.runner.drain(); // the execution answers; CloudFormation ignores its SUCCESS, and the execution sees it did
      const late = ctx.runner.record(pending);
      ctx.check(late.lateAnswers === 1, `${late.lateAnswers} late answers`);
      const rollback = await ctx.runner.send('Delete', ctx.props(), {
        physicalResourceId: ctx.runner.madeUpPhysicalId('AtlasPrivateEndpointService'),
      });
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
    },
  },
  {
    name: 'AWS: a cancelled replacing Update answers late, before its rollback arrives: the replacement is still removed',
    defect: 1,
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', 'create');
      const moved = ctx.props({ Region: REGIONS.AWS.other });
      const pending = ctx.runner.dispatch('Update', moved, { physicalResourceId: create.physicalResourceId, oldProperties: ctx.props() });
      ctx.check(!(await ctx.runner.waitFor(pending, 30)), 'the Update answered before CloudFormation gave up');
      await ctx.runner.drain();
      // CloudFormation never took the replacement's id: it rolls back on the id it holds.
      const back = await ctx.runner.send('Update', ctx.props(), {
        physicalResourceId: create.physicalResourceId,
        oldProperties: moved,
        deliveries: 1,
      });
      ctx.check(
        back.status === 'SUCCESS' && back.physicalResourceId === create.physicalResourceId,
        `rollback Update ${back.status}: ${back.reason}`,
      );
    },
  },
  {
    name: 'AWS: the Delete of a replaced service after a successful replacement is not taken for a cancellation',
    defect: 1,
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      const { update, cleanup } = await ctx.update(ctx.props({ Region: REGIONS.AWS.other }));
      ctx.check(update.status === 'SUCCESS' && update.physicalResourceId !== create.physicalResourceId, `Update ${update.status}`);
      ctx.check(cleanup?.status === 'SUCCESS', 'cleanup Delete');
      ctx.check(!ctx.runner.reports.some((r) => r.before.undo?.length), 'a request undid what the successful replacement made');
    },
  },
  {
    name: 'AWS: crash after the POST, then a 429: the 409 that follows is still known as ours',
    defect: 2,
    async run(ctx) {
      ctx.runner.addFault({
        step: 'act',
        when: 'after',
        match: (s) => s.task.kind === 'create',
        // The retry's POST gets 409; the list that should find the service gets 429 and resets the failure count.
        onFire: () => ctx.emulator.faults.inject({ operation: 'listServices' }, { kind: 'status', status: 429, retryAfterSeconds: 5 }),
      });
      await createAndDelete(ctx);
    },
  },
  {
    name: "AWS: the client's own retry of a dropped POST gets 409, then the list gets 429: the service is still known as ours",
    defect: 2,
    // The Atlas client retries within its budget, as in Lambda (a second of real time here).
    runner: { atlasClient: { retry: { budgetMs: 3000 } } },
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
      ctx.emulator.faults.inject({ operation: 'listServices', after: 1 }, { kind: 'status', status: 429, retryAfterSeconds: 5 });
      await createAndDelete(ctx);
    },
  },
  {
    name: 'AWS: a Lambda-level retry of the create step (Task Retry) keeps the uncertainty',
    defect: 2,
    runner: { faults: [{ step: 'act', when: 'after', error: 'Lambda.ServiceException', match: (s) => s.task.kind === 'create' }] },
    async run(ctx) {
      await createAndDelete(ctx);
    },
  },
  {
    name: 'AWS: create outcome unknown, then the step keeps failing: the answer names the service so the rollback removes it',
    defect: 3,
    runner: {
      faults: [
        {
          step: 'act',
          when: 'before',
          times: 5,
          match: (s) => s.task.kind === 'create' && s.stepFailures.count + (s.task.maybeProcessed ? 1 : 0) > 0,
        },
      ],
    },
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
      const { create, rollback } = await ctx.create(ctx.props());
      ctx.check(create.status === 'FAILED', `Create ${create.status}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
    },
  },
  {
    name: 'AWS: create outcome unknown, then the deadline: the answer names the service so the rollback removes it',
    defect: 3,
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
      ctx.emulator.faults.inject({ operation: 'createService', times: 50 }, { kind: 'status', status: 429, retryAfterSeconds: 120 });
      const { create, rollback } = await ctx.create(ctx.props({ ServiceTimeout: 300 }));
      ctx.check(create.status === 'FAILED', `Create ${create.status}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
    },
  },
  {
    name: 'AWS: replacing Update whose create outcome is unknown, then the deadline: the rollback gets the original back and removes the new one',
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'drop-after-processing' });
      ctx.emulator.faults.inject({ operation: 'createService', times: 50 }, { kind: 'status', status: 429, retryAfterSeconds: 120 });
      const { update, rollback } = await ctx.update(ctx.props({ Region: REGIONS.AWS.other, ServiceTimeout: 300 }));
      ctx.check(update.status === 'FAILED', `Update ${update.status}`);
      ctx.check(
        (rollback ?? []).length === 2 && (rollback ?? []).every((r) => r.status === 'SUCCESS'),
        `rollback: ${(rollback ?? []).map((r) => `${r.requestType} ${r.status} ${r.reason ?? ''}`).join('; ')}`,
      );
      ctx.check(ctx.held() === create.physicalResourceId, `the stack holds ${ctx.held()}, not its original ${create.physicalResourceId}`);
    },
  },
  {
    name: 'AWS: a Create that adopted a service and then failed leaves the adopted service in place',
    defect: 4,
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'STUCK_INITIATING' });
      const theirs = await ctx.outsider.createEndpointService(PROJECT, { providerName: 'AWS', region: 'US_EAST_1' });
      ctx.foreign(theirs);
      const { create, rollback } = await ctx.create(ctx.props({ AdoptExisting: true, ServiceTimeout: 300 }));
      ctx.check(create.status === 'FAILED', `Create ${create.status}`);
      ctx.check(
        new RegExp(`adopted service ${theirs.id} stays in Atlas`).test(create.reason ?? ''),
        `the reason does not say the adopted service stays: ${create.reason}`,
      );
      ctx.check(!create.physicalResourceId.includes(theirs.id), `the answer names the adopted service: ${create.physicalResourceId}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
    },
  },
  {
    name: 'AWS: a registration that already exists is not taken over without the opt-in',
    defect: 4,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc.data!.Id, { cloudProvider: 'AWS', id: VPCE });
      const { create, rollback } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE },
        registration,
      );
      ctx.check(create.status === 'FAILED', `registration ${create.status}: someone else's registration was taken over`);
      ctx.check(
        create.reason?.includes(svc.data!.Id) && create.reason.includes(VPCE) && /set AdoptExisting to true/.test(create.reason),
        `the reason does not name the registration and the opt-in: ${create.reason}`,
      );
      ctx.check(!create.physicalResourceId.includes(VPCE), `the answer names the registration: ${create.physicalResourceId}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      // Someone else's registration stays; the stack's service is removed with the stack after it.
      ctx.foreign(`${svc.data!.Id}/${VPCE}`);
    },
  },
  {
    name: 'AWS: a registration taken over with the opt-in and then failing stays in place: the rollback leaves it',
    defect: 4,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.emulator.faults.nextEndpoint({ outcome: 'STUCK_PENDING' });
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc.data!.Id, { cloudProvider: 'AWS', id: VPCE });
      ctx.foreign(`${svc.data!.Id}/${VPCE}`);
      const { create, rollback } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE, AdoptExisting: true, ServiceTimeout: 300 },
        registration,
      );
      ctx.check(create.status === 'FAILED' && /Timed out/.test(create.reason ?? ''), `registration ${create.status}: ${create.reason}`);
      ctx.check(
        /registration of interface endpoint .* stays in Atlas/.test(create.reason ?? ''),
        `the reason does not say it stays: ${create.reason}`,
      );
      ctx.check(!create.physicalResourceId.includes(VPCE), `the answer names the taken-over registration: ${create.physicalResourceId}`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
    },
  },
  {
    // Consistent with AdoptExisting on a service: a successful take-over makes the registration the stack's.
    name: "AWS: a registration taken over with the opt-in becomes the stack's: the stack's Delete removes it",
    defect: 4,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc.data!.Id, { cloudProvider: 'AWS', id: VPCE });
      const { create } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE, AdoptExisting: true },
        registration,
      );
      ctx.check(create.status === 'SUCCESS', `registration ${create.status}: ${create.reason}`);
      ctx.check(create.physicalResourceId === `${PROJECT}--${svc.data!.Id}--${VPCE}`, `answered ${create.physicalResourceId}`);
      const d = await ctx.delete(registration);
      ctx.check(d.status === 'SUCCESS', `registration Delete ${d.status}: ${d.reason}`);
      const s = ctx.emulator.services(PROJECT).find((x) => x.id === svc.data!.Id);
      ctx.check(
        !s || s.status === 'DELETING' || !(s.cloudProvider === 'AWS' && s.interfaceEndpoints.includes(VPCE)),
        'the registration is still there',
      );
      ctx.check((await ctx.delete({ logicalResourceId: 'Service' })).status === 'SUCCESS', 'service Delete');
    },
  },
  {
    name: "AWS: a register whose answer was lost: the 409 that follows is the request's own, no opt-in needed, and the rollback removes it",
    defect: 4,
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.emulator.faults.inject({ operation: 'createEndpoint' }, { kind: 'drop-after-processing' });
      ctx.emulator.faults.nextEndpoint({ outcome: 'REJECTED', errorMessage: 'The VPC endpoint was rejected by the service owner' });
      const { create, rollback } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE },
        registration,
      );
      ctx.check(create.status === 'FAILED' && /rejected/.test(create.reason ?? ''), `registration ${create.status}: ${create.reason}`);
      ctx.check(create.physicalResourceId === `${PROJECT}--${svc.data!.Id}--${VPCE}`, `answered ${create.physicalResourceId}`);
      const posts = ctx.emulator.requests.filter((q) => q.operation === 'createEndpoint' && q.status !== 401).map((q) => q.status);
      ctx.check(posts.includes(409), `no 409 after the lost answer (register answered ${posts.join(', ')}): the row does not test it`);
      ctx.check(rollback?.status === 'SUCCESS', 'rollback');
      ctx.check((await ctx.delete({ logicalResourceId: 'Service' })).status === 'SUCCESS', 'service Delete');
    },
  },
  {
    name: "AWS: a 409 the region's list does not show yet: bounded, waiting, answered",
    defect: 5,
    async run(ctx) {
      const theirs = await ctx.outsider.createEndpointService(PROJECT, { providerName: 'AWS', region: 'US_EAST_1' });
      ctx.foreign(theirs);
      ctx.runner.hideFromLists = 400; // a lagging read: the list misses the service Atlas's 409 names
      const pending = ctx.runner.dispatch('Create', ctx.props({ ServiceTimeout: 900 }));
      await ctx.runner.waitFor(pending);
      await ctx.runner.drain();
      const r = ctx.runner.record(pending);
      const steps = ctx.runner.reports.length;
      ctx.check(steps < 200, `${steps} steps for one Create`);
      ctx.check(r.status === 'FAILED', `Create ${r.status}`);
      const rollback = await ctx.runner.send('Delete', ctx.props(), { physicalResourceId: r.physicalResourceId });
      ctx.check(rollback.status === 'SUCCESS', 'rollback');
    },
  },
  {
    name: "AWS: waiting for the region's old service to finish deleting backs off",
    defect: 6,
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'STUCK_DELETING' });
      const old = await ctx.outsider.createEndpointService(PROJECT, { providerName: 'AWS', region: 'US_EAST_1' });
      ctx.emulator.advance(600);
      await ctx.outsider.deleteEndpointService(PROJECT, 'AWS', old.id);
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: 1800 }));
      ctx.check(create.status === 'FAILED', `Create ${create.status}`);
      const lists = ctx.emulator.requests.filter((q) => q.operation === 'listServices').length;
      ctx.check(lists <= 40, `${lists} list calls in 30 minutes of waiting`);
    },
  },
  {
    name: 'AWS: two stacks create in one region and a 500 was not processed: one service, one owner',
    defect: 7,
    async run(ctx) {
      ctx.emulator.faults.inject({ operation: 'createService' }, { kind: 'status', status: 500 });
      const one = ctx.runner.dispatch('Create', ctx.props(), { stackName: 'one' });
      const two = ctx.runner.dispatch('Create', ctx.props(), { stackName: 'two' });
      await ctx.runner.waitFor(one);
      await ctx.runner.waitFor(two);
      await ctx.runner.drain();
      const r1 = ctx.runner.record(one);
      const r2 = ctx.runner.record(two);
      ctx.check(
        !(r1.status === 'SUCCESS' && r2.status === 'SUCCESS' && r1.physicalResourceId === r2.physicalResourceId),
        'both stacks answered SUCCESS with one physical id',
      );
      for (const [r, stackName] of [
        [r1, 'one'],
        [r2, 'two'],
      ] as const) {
        if (r.status !== 'SUCCESS') {
          const rb = await ctx.runner.send('Delete', ctx.props(), { stackName, physicalResourceId: r.physicalResourceId });
          ctx.check(rb.status === 'SUCCESS', 'rollback');
        }
      }
      for (const [r, stackName] of [
        [r1, 'one'],
        [r2, 'two'],
      ] as const) {
        if (r.status === 'SUCCESS') {
          const d = await ctx.runner.send('Delete', ctx.props(), { stackName, physicalResourceId: r.physicalResourceId });
          ctx.check(d.status === 'SUCCESS', `stack ${stackName} delete`);
        }
      }
    },
  },
  {
    name: 'AWS: ServiceTimeout 150 and steps whose Atlas calls take 45 s each: answered before the timeout',
    defect: 8,
    runner: { atlasLatency: (op) => (op === 'getEndpointService' ? 45 : 0) },
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'STUCK_INITIATING' });
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: 150 }));
      ctx.check(create.status === 'FAILED' && !create.abandoned, `Create ${create.status} after ${create.simulatedSeconds} s`);
    },
  },
  {
    name: "AWS: Lambda redelivers the event 3 minutes late: the deadline still counts from CloudFormation's request",
    defect: 8,
    runner: { startErrors: [throttled(), throttled()] },
    async run(ctx) {
      ctx.emulator.faults.nextService({ outcome: 'STUCK_INITIATING' });
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: 600 }));
      ctx.check(create.status === 'FAILED' && !create.abandoned, `Create ${create.status} (no answer within the ServiceTimeout)`);
    },
  },
];

/** 10 distinct regions over the three providers, as users write them: one service of each per project. */
const BULK_REGIONS: { provider: CloudProvider; region: string }[] = [
  { provider: 'AWS', region: 'us-east-1' },
  { provider: 'AWS', region: 'eu-west-1' },
  { provider: 'AWS', region: 'ap-south-1' },
  { provider: 'AWS', region: 'us-west-2' },
  { provider: 'AZURE', region: 'eastus2' },
  { provider: 'AZURE', region: 'westeurope' },
  { provider: 'AZURE', region: 'australiaeast' },
  { provider: 'GCP', region: 'us-central1' },
  { provider: 'GCP', region: 'us-east4' },
  { provider: 'GCP', region: 'us-west1' },
];

function bulkRow(): MatrixRow {
  const projects = Array.from({ length: 10 }, (_, i) => `6a0b0c0d0e0f0a0b0c0d0e${i.toString(16).padStart(2, '0')}`);
  // One stack per project, one resource per provider and region in it: 100 resources, each its own stack and logical id.
  const resources = projects.flatMap((project, p) =>
    BULK_REGIONS.map(({ provider, region }) => ({
      properties: { ProjectId: project, ProviderName: provider, Region: region },
      options: { stackName: `bulk-${p}`, logicalResourceId: `${provider}${region.replace(/-/g, '')}` },
    })),
  );
  return {
    name: 'AWS, AZURE, GCP: 100 resources over 10 projects created and deleted at once, under a tight per-project rate limit',
    // Atlas's token bucket per project (scope GROUP; documented default 4000, refilled by 2000 a minute), made so tight
    // that both phases meet its 429s: a project's first burst (10 lists, 10 creates) is beyond the 15 tokens, and ten
    // services each looked at every poll interval need some 40 calls a minute, beyond the 15 a minute refilled.
    emulator: { projectIds: projects, rateLimit: { capacity: 15, refillRate: 15, refillDurationSeconds: 60 } },
    async run(ctx) {
      const limited = (operation?: string) =>
        ctx.emulator.requests.filter((q) => q.rateLimited && (operation === undefined || q.operation === operation)).length;
      const created = await ctx.createAll(resources);
      const badCreates = created.filter((c) => c.create.status !== 'SUCCESS' || c.create.answers !== 1 || c.create.abandoned);
      ctx.check(
        badCreates.length === 0,
        `${badCreates.length} of 100 creates did not answer SUCCESS once: ${badCreates[0]?.create.status} ${badCreates[0]?.create.reason}`,
      );
      const limitedCreating = limited();
      ctx.check(limited('createService') > 0, "no create POST met the bucket's 429: the row does not test the rate limit");
      // Every project holds its ten services, each the one its resource's answer names.
      for (const project of projects) {
        const ids = ctx.emulator.services(project).map((s) => s.id);
        ctx.check(ids.length === 10, `${ids.length} services in project ${project} after the creates`);
      }
      const ids = new Set(created.map((c) => c.create.data?.Id));
      ctx.check(ids.size === 100, `the 100 SUCCESS answers name ${ids.size} distinct services`);

      const deleted = await ctx.deleteAll(resources.map((r) => r.options));
      const badDeletes = deleted.filter((d) => d.status !== 'SUCCESS' || d.answers !== 1 || d.abandoned);
      ctx.check(badDeletes.length === 0, `${badDeletes.length} of 100 deletes did not answer SUCCESS once: ${badDeletes[0]?.reason}`);
      const limitedDeleting = limited() - limitedCreating;
      ctx.check(limitedDeleting > 0, "the deletes never met the bucket's 429: the row does not test the rate limit");
      for (const project of projects) ctx.check(ctx.emulator.services(project).length === 0, `services left in ${project}`);
      // The 429s are waited out, not hammered: a bounded number of Atlas calls per request (about 9 without a storm).
      const calls = ctx.emulator.requests.length;
      ctx.check(calls <= 200 * 30, `${calls} Atlas calls for 200 requests`);
    },
  };
}

export const MATRIX: MatrixRow[] = [
  ...providerRows,
  ...stepRows,
  ...credentialRows,
  ...redeliveryRows,
  ...siblingRows,
  ...defectRows,
  ...attackRows,
  ...deadlineRows,
  ...cloudFormationRows,
  ...registrationRows,
  ...connectionRows,
  bulkRow(),
];
