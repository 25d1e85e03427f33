/**
 * Rows for a slow Atlas under short ServiceTimeouts: a Delete whose deletion Atlas accepted answers SUCCESS
 * at its deadline (the stack ends ROLLBACK_COMPLETE or DELETE_COMPLETE, never *_FAILED over a resource that
 * is going away), a Delete Atlas never received still fails, and the smallest ServiceTimeout allowed leaves
 * room to see Atlas change. Each row ends with Atlas finished: nothing left that no stack owns.
 */
import { RESOURCE_TYPE_ENDPOINT } from '../../lambda/model/endpoint-properties';
import { MIN_SERVICE_TIMEOUT_SECONDS } from '../../lambda/model/timing';
import { PROJECT, type ScenarioContext } from './harness';
import type { MatrixRow } from './scenarios';

const VPCE = 'vpce-0a1b2c3d4e5f60718';
const registration = { logicalResourceId: 'Registration', resourceType: RESOURCE_TYPE_ENDPOINT };
const service = { logicalResourceId: 'Service' };

/** DELETE requests Atlas accepted for services. */
function acceptedServiceDeletes(ctx: ScenarioContext): number {
  return ctx.emulator.requests.filter((q) => q.operation === 'deleteService' && q.status === 202).length;
}

/** A Create with ServiceTimeout 120 whose service never becomes ready, then its rollback's Delete: both answered in time. */
async function createRolledBack(ctx: ScenarioContext, deleteSeconds: number) {
  ctx.emulator.faults.nextService({ outcome: 'STUCK_INITIATING' });
  const { create, rollback } = await ctx.create(ctx.props({ ServiceTimeout: 120 }));
  ctx.check(create.status === 'FAILED' && /Timed out/.test(create.reason ?? ''), `Create ${create.status}: ${create.reason}`);
  // The Create's wait is most of its timeout (70 s of 120), not the 20 s a fixed 100-s margin left.
  ctx.check(create.simulatedSeconds >= 60 && create.simulatedSeconds < 120, `Create answered after ${create.simulatedSeconds} s`);
  // ROLLBACK_COMPLETE: the rollback's Delete succeeds, in time, whether Atlas took 30 s or 10 minutes.
  ctx.check(rollback?.status === 'SUCCESS', `rollback Delete ${rollback?.status}: ${rollback?.reason}`);
  ctx.check(
    !rollback?.abandoned && (rollback?.simulatedSeconds ?? 120) < 120,
    `rollback Delete answered after ${rollback?.simulatedSeconds} s`,
  );
  ctx.check(acceptedServiceDeletes(ctx) === 1, `${acceptedServiceDeletes(ctx)} DELETE requests for one rollback`);
  ctx.check(deleteSeconds > 0, 'no delete duration');
  return { create, rollback };
}

export const deadlineRows: MatrixRow[] = [
  {
    name: 'AWS: ServiceTimeout 120, Atlas never ready: the Create fails in time and the rollback Delete waits out a 30-s deletion: ROLLBACK_COMPLETE',
    emulator: { timings: { AWS: { serviceDelete: 30 } } },
    async run(ctx) {
      const { rollback } = await createRolledBack(ctx, 30);
      // The deletion fits the Delete's deadline: SUCCESS only once the service is gone.
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas after the rollback answered');
      ctx.check(
        (rollback?.simulatedSeconds ?? 0) >= 30,
        `rollback Delete answered after ${rollback?.simulatedSeconds} s, before the 30-s deletion ended`,
      );
    },
  },
  {
    name: 'AWS: ServiceTimeout 120, Atlas never ready, then a 10-minute deletion: the rollback Delete answers SUCCESS at its deadline, Atlas finishes',
    emulator: { timings: { AWS: { serviceDelete: 600 } } },
    async run(ctx) {
      await createRolledBack(ctx, 600);
      // ROLLBACK_COMPLETE while Atlas still deletes the service it accepted the deletion of.
      ctx.check(ctx.emulator.services(PROJECT)[0]?.status === 'DELETING', 'the service is not DELETING after the rollback answered');
      ctx.emulator.advance(600);
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas once its deletion is over');
    },
  },
  {
    name: `AWS: stack Delete with the smallest ServiceTimeout allowed (${MIN_SERVICE_TIMEOUT_SECONDS} s) and Atlas's 60-s deletion: DELETE_COMPLETE, Atlas finishes`,
    emulator: { timings: { AWS: { serviceCreate: 30 } } },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: MIN_SERVICE_TIMEOUT_SECONDS }));
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      const d = await ctx.delete();
      ctx.check(d.status === 'SUCCESS', `Delete ${d.status}: ${d.reason}`);
      ctx.check(!d.abandoned && d.simulatedSeconds < MIN_SERVICE_TIMEOUT_SECONDS, `Delete answered after ${d.simulatedSeconds} s`);
      // The wait had room for looks: at least one GET after the DELETE.
      const looks = ctx.emulator.requests.filter((q) => q.operation === 'getService').length;
      ctx.check(looks >= 2, `${looks} looks at Atlas in the whole row`);
      ctx.emulator.advance(120);
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas once its deletion is over');
    },
  },
  {
    name: `AWS: a Create with a ServiceTimeout below the smallest allowed (${MIN_SERVICE_TIMEOUT_SECONDS - 1} s) is refused at once, naming the smallest`,
    async run(ctx) {
      const { create, rollback } = await ctx.create(ctx.props({ ServiceTimeout: MIN_SERVICE_TIMEOUT_SECONDS - 1 }));
      ctx.check(
        create.status === 'FAILED' &&
          new RegExp(`smallest ServiceTimeout that works is ${MIN_SERVICE_TIMEOUT_SECONDS} seconds`).test(create.reason ?? ''),
        `Create ${create.status}: ${create.reason}`,
      );
      ctx.check(rollback?.status === 'SUCCESS', `rollback Delete ${rollback?.status}: ${rollback?.reason}`);
      ctx.check(ctx.emulator.requests.length === 0, `${ctx.emulator.requests.length} Atlas calls for a refused Create`);
    },
  },
  {
    name: 'AWS: a Delete Atlas never received (429 past the deadline) still fails, saying so; the stack deleted again removes the service',
    emulator: { timings: { AWS: { serviceCreate: 30 } } },
    async run(ctx) {
      const { create } = await ctx.create(ctx.props({ ServiceTimeout: MIN_SERVICE_TIMEOUT_SECONDS }));
      ctx.check(create.status === 'SUCCESS', `Create ${create.status}: ${create.reason}`);
      ctx.emulator.faults.inject({ operation: 'deleteService', times: 2 }, { kind: 'status', status: 429, retryAfterSeconds: 300 });
      const d = await ctx.delete();
      ctx.check(
        d.status === 'FAILED' && /Timed out while deleting service/.test(d.reason ?? '') && /ServiceTimeout/.test(d.reason ?? ''),
        `Delete ${d.status}: ${d.reason}`,
      );
      ctx.check(
        ctx.emulator.services(PROJECT)[0]?.status === 'AVAILABLE',
        'the service is not there as it was after a Delete Atlas never received',
      );
      // DELETE_FAILED: the stack keeps the service; deleting the stack again sends the Delete again.
      const again = await ctx.delete();
      ctx.check(again.status === 'SUCCESS', `Delete sent again ${again.status}: ${again.reason}`);
      ctx.emulator.advance(120);
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas once its deletion is over');
    },
  },
  {
    name: 'AWS: stack Delete of a registration and its service, with a deregistration longer than the ServiceTimeout: both answer SUCCESS, Atlas finishes',
    emulator: { timings: { AWS: { serviceCreate: 30, endpointAccept: 10, endpointAvailable: 10, endpointDelete: 420 } } },
    async run(ctx) {
      const timeout = { ServiceTimeout: 300 };
      const { create: svc } = await ctx.create(ctx.props(timeout), service);
      ctx.check(svc.status === 'SUCCESS', `service Create ${svc.status}: ${svc.reason}`);
      const { create: reg } = await ctx.create(
        { ProjectId: PROJECT, EndpointServiceId: svc.data!.Id, EndpointId: VPCE, ...timeout },
        registration,
      );
      ctx.check(reg.status === 'SUCCESS', `registration Create ${reg.status}: ${reg.reason}`);
      // The stack deletes the registration first, then the service, each with its own ServiceTimeout: the registration's
      // Delete answers at its deadline (250 s) while Atlas still removes it (420 s); the service's Delete is refused
      // until then, asks again, and ends once Atlas has deleted the service.
      const dr = await ctx.delete(registration);
      ctx.check(
        dr.status === 'SUCCESS' && dr.simulatedSeconds < 300,
        `registration Delete ${dr.status} after ${dr.simulatedSeconds} s: ${dr.reason}`,
      );
      const ds = await ctx.delete(service);
      ctx.check(
        ds.status === 'SUCCESS' && ds.simulatedSeconds < 300,
        `service Delete ${ds.status} after ${ds.simulatedSeconds} s: ${ds.reason}`,
      );
      ctx.emulator.advance(600);
      ctx.check(ctx.emulator.services(PROJECT).length === 0, 'the service is still in Atlas once the deletions are over');
    },
  },
];
