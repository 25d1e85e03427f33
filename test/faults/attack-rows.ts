/**
 * Rows from an attack on the handling of requests CloudFormation gave up on (cancellation, undo, the
 * unseen create): sequences of requests for one stack and logical id that a stack in trouble sends.
 */
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { DEFAULT_API_KEY } from '../../local/atlas-emulator';
import { PROJECT, REGIONS } from './harness';
import type { MatrixRow } from './scenarios';

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $retryable: { throttling: true },
    $metadata: { httpStatusCode: 400 },
  });

const OTHER_PROJECT = '5e1f0a1b2c3d4e5f6a7b8c9e';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };

/** Secrets Manager as the runner plays it, recording which secret each read names (every one holds the emulator's key). */
function recordingSecrets(): { names: string[]; getSecretString(id: string): Promise<string> } {
  const names: string[] = [];
  return {
    names,
    getSecretString: async (id) => {
      names.push(id);
      return JSON.stringify({ PublicKey: DEFAULT_API_KEY.publicKey, PrivateKey: DEFAULT_API_KEY.privateKey });
    },
  };
}
const otherTeamSecrets = recordingSecrets();

export const attackRows: MatrixRow[] = [
  {
    name: 'AWS: a cancelled Create whose first invocation was throttled is retried by Lambda after the Delete of the made-up id: nothing lands',
    defect: 1,
    // StartExecution throttled once: Lambda invokes the Create's event again a minute later.
    runner: { startErrors: [throttled()] },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 30);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up');
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
    },
  },
  {
    name: 'AWS: the undo of a cancelled Create fails (its look cannot fit the ServiceTimeout): the Delete sent again must still remove the service',
    defect: 1,
    // The create step POSTs, then hangs until its Lambda timeout: CloudFormation gives up meanwhile.
    runner: { faults: [{ step: 'act', when: 'timeout', match: (s) => s.task.kind === 'create' }] },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props({ ServiceTimeout: 180 }), 20);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up');
      // ROLLBACK_FAILED: the stack keeps the made-up id, and deleting the stack (or continuing the rollback) sends its Delete again.
      if (rollback.status !== 'SUCCESS') {
        const again = await ctx.delete();
        ctx.check(again.status === 'SUCCESS', `Delete sent again ${again.status}: ${again.reason}`);
      }
    },
  },
  {
    name: "AWS: a replacing Update's answer lands but its answer step then fails for good: the cleanup Delete of the old id leaves the replacement alone",
    defect: 1,
    executionErrors: /could not be delivered/,
    // Each PUT reaches CloudFormation's bucket, then the step fails (a reset after S3 stored it): the Retry and Catch end the execution FAILED.
    runner: { faults: [{ step: 'answer', when: 'after', times: 7, match: (s) => s.request.RequestType === 'Update' }] },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      const { update, cleanup } = await ctx.update(ctx.props({ Region: REGIONS.AWS.other }));
      ctx.check(update.status === 'SUCCESS', `Update ${update.status}: ${update.reason}`);
      ctx.check(cleanup?.status === 'SUCCESS', `cleanup Delete ${cleanup?.status}: ${cleanup?.reason}`);
    },
  },
  {
    name: "AWS: the step that removes what a cancelled Create made crashes twice: the state machine retries it and the service goes; the made-up id's Delete is answered at once",
    defect: 1,
    runner: {
      faults: [
        { step: 'act', when: 'timeout', match: (s) => s.task.kind === 'create' },
        { step: 'act', when: 'before', times: 2, match: (s) => s.undo?.[0]?.task.kind === 'find-created' },
      ],
    },
    async run(ctx) {
      const { create, rollback } = await ctx.cancelledCreate(ctx.props(), 20);
      ctx.check(create.abandoned, 'the Create answered before CloudFormation gave up');
      ctx.check(rollback.status === 'SUCCESS', `Delete ${rollback.status}: ${rollback.reason}`);
    },
  },
  {
    name: 'AWS: a registration Create cancelled while its register step is in flight leaves alone the registration that was there before it',
    defect: 1,
    // The register step (its look finds the registration there already) hangs until its Lambda timeout.
    runner: { faults: [{ step: 'act', when: 'timeout', match: (s) => s.task.kind === 'register' }] },
    async run(ctx) {
      const { create: svc } = await ctx.create(ctx.props(), { logicalResourceId: 'Service' });
      ctx.check(svc.status === 'SUCCESS', 'service');
      // Registered before the stack asked (in the Atlas UI, by another team): not the stack's.
      await ctx.outsider.createInterfaceEndpoint(PROJECT, svc.data!.Id, { cloudProvider: 'AWS', id: VPCE });
      ctx.foreign(`${svc.data!.Id}/${VPCE}`);
      const { create, rollback } = await ctx.cancelledCreate(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE },
        20,
        registration,
      );
      ctx.check(create.abandoned, 'the registration answered before CloudFormation gave up');
      ctx.check(rollback.status === 'SUCCESS', `registration Delete ${rollback.status}: ${rollback.reason}`);
    },
  },
  {
    name: 'AWS: a replacing Update into another project with another Profile, cancelled while its create is in flight and Atlas throttles the lists: the new service is removed with the credentials that made it; rollback and Delete succeed',
    defect: 1,
    emulator: { projectIds: [PROJECT, OTHER_PROJECT] },
    runner: { secretReader: otherTeamSecrets },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props());
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}`);
      // The new project's create step POSTs, then hangs until its Lambda timeout; CloudFormation gives up meanwhile,
      // and Atlas then throttles the lists for a while.
      ctx.runner.addFault({
        step: 'act',
        when: 'timeout',
        match: (s) => s.task.kind === 'create' && s.request.ResourceProperties?.ProjectId === OTHER_PROJECT,
        onFire: () =>
          ctx.emulator.faults.inject({ operation: 'listServices', times: 5 }, { kind: 'status', status: 429, retryAfterSeconds: 120 }),
      });
      const { rollback } = await ctx.cancelledUpdate(ctx.props({ ProjectId: OTHER_PROJECT, Profile: 'other-team' }), 20);
      ctx.check(rollback[0]?.status === 'SUCCESS', `rollback Update ${rollback[0]?.status}: ${rollback[0]?.reason}`);
      // The removal of the other project's service read the other team's secret (credentials are cached per secret).
      ctx.check(otherTeamSecrets.names.includes('cfn/atlas/profile/other-team'), `secrets read: ${otherTeamSecrets.names.join(', ')}`);
      const d = await ctx.delete();
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
    },
  },
];
