/**
 * The service planner and content it cannot see: a running revision with more than the spec can say
 * blocks the service (nothing registered, updated or tagged), a field the spec can say but leaves out
 * is a removal the plan names, and UpdateService's deploymentConfiguration carries over what steady
 * does not own.
 */
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import { TAG_MANAGED_BY, type Action, type UpdateServiceAction } from '../model/plan.js';
import { canonicalTaskDefinition } from '../model/taskdef.js';
import { DIGEST_A, DIGEST_B, desiredShop, POLICY, REPO, syncedActual } from '../testing/plan-fixtures.js';
import { plan } from './plan.js';

const statusOf = (p: ReturnType<typeof plan>, resource: string) => p.resources.find((r) => r.resource === resource)!;
const actionsOf = (p: ReturnType<typeof plan>, resource: string) => p.actions.filter((a) => a.resource === resource);

/** A revision 8 of shop-api registered by hand: revision 7's content changed by `edit`, and the service updated to it. */
function handRevision(actual: ActualState, edit: (td: Record<string, unknown>) => Record<string, unknown>) {
  const svc = actual.services['api']!;
  const current = actual.taskDefinitions[svc.taskDefinitionArn];
  const arn = current.arn.replace(/:7$/, ':8');
  actual.taskDefinitions[arn] = { ...current, arn, revision: 8, content: canonicalTaskDefinition(edit(structuredClone(current.content))) };
  actual.familyRevisions['shop-api'] = [arn, current.arn];
  svc.taskDefinitionArn = arn;
}

function withApp(td: Record<string, unknown>, extra: Record<string, unknown>) {
  const [app, ...rest] = td.containerDefinitions as Record<string, unknown>[];
  return { ...td, containerDefinitions: [{ ...app, ...extra }, ...rest] };
}

describe('a running revision with content the spec cannot express', () => {
  it('blocks an owned service a person moved to such a revision, names every field and plans nothing for it', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    handRevision(actual, (td) => ({
      ...withApp(td, { futureSandbox: { mode: 'strict' }, futureLimit: 65536 }),
      futureTaskSetting: { level: 3 },
    }));

    const p = plan(desired, actual, POLICY);

    expect(actionsOf(p, 'Service/api')).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Blocked',
      reason: 'UnexpressibleFields',
      message:
        'ECS service api runs shop-api:8, which has content the spec language cannot express: containerDefinitions[app].futureLimit, ' +
        'containerDefinitions[app].futureSandbox, futureTaskSetting. A revision built from the spec would drop it, so steady registers and updates nothing for Service api. ' +
        "If the service needs this content, leave it out of steady's specs until the spec language can express it; if it does not, update the service to shop-api:7, " +
        'which has exactly what the spec asks, and the next pass takes over',
    });
    expect(statusOf(p, 'Service/api').diff).toEqual([
      { path: 'taskDefinition.containers[app].futureSandbox', before: '{"mode":"strict"}', after: undefined },
      { path: 'taskDefinition.containers[app].futureLimit', before: '65536', after: undefined },
      { path: 'taskDefinition.futureTaskSetting', before: '{"level":3}', after: undefined },
    ]);
  });

  it('names no INACTIVE revision as the one to update the service to', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.familyRevisions['shop-api'] = [actual.services['api']!.taskDefinitionArn];
    actual.taskDefinitions[actual.services['api']!.taskDefinitionArn].status = 'INACTIVE';
    handRevision(actual, (td) => ({ ...td, futureTaskSetting: { level: 3 } }));

    expect(statusOf(plan(desired, actual, POLICY), 'Service/api').message).toMatch(/if it does not, register a revision without it and update the service to that revision, and the next pass takes over$/);
  });

  it('blocks the service even when a new image would otherwise roll out', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    handRevision(actual, (td) => withApp(td, { linuxParameters: { initProcessEnabled: true, futureLinuxOption: true } }));
    actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };

    const p = plan(desired, actual, POLICY);

    expect(actionsOf(p, 'Service/api')).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(statusOf(p, 'Service/api').diff.map((d) => d.path)).toEqual(['taskDefinition.containers[app].image', 'taskDefinition.containers[app].linuxParameters']);
  });

  it('does not adopt a service whose revision has such content: not even the ownership tag is written', () => {
    const desired = desiredShop({ adopt: true });
    const actual = syncedActual(desired);
    const svc = actual.services['api']!;
    svc.tags = { team: 'shop' };
    handRevision(actual, (td) => ({ ...td, volumes: [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', futureEfsOption: 'on' } }] }));
    actual.familyRevisions['shop-api'] = [svc.taskDefinitionArn];

    const p = plan(desired, actual, POLICY);

    expect(actionsOf(p, 'Service/api')).toEqual([]);
    expect(svc.tags[TAG_MANAGED_BY]).toBeUndefined();
    expect(statusOf(p, 'Service/api').message).toContain('cannot express: volumes[shared].efsVolumeConfiguration.futureEfsOption. ');
    expect(statusOf(p, 'Service/api').message).toContain('if it does not, register a revision without it and update the service to that revision, and the next pass takes over');
  });

  it('adopts a service whose revision says only what the spec says, in another form, with the ownership tag alone', () => {
    const desired = desiredShop({ adopt: true });
    const actual = syncedActual(desired);
    actual.services['api']!.tags = { team: 'shop' };
    // The same content as AWS describes it: defaults filled, cpu 0, empty lists, env in another order.
    handRevision(actual, (td) => ({ ...withApp(td, { cpu: 0, mountPoints: [], volumesFrom: [], systemControls: [], readonlyRootFilesystem: false }), volumes: [], ephemeralStorage: { sizeInGiB: 20 } }));

    const p = plan(desired, actual, POLICY);

    expect(actionsOf(p, 'Service/api').map((a) => a.kind)).toEqual(['TagResource']);
    expect(statusOf(p, 'Service/api').phase).toBe('Synced');
  });
});

describe('a field the spec can express but leaves out', () => {
  it('is a removal the registration names, nested fields and named items included', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    handRevision(actual, (td) => {
      const edited = withApp(td, { stopTimeout: 60, healthCheck: { command: ['CMD', 'true'], interval: 10 } }) as { containerDefinitions: { environment: unknown[] }[] };
      edited.containerDefinitions[0].environment = [...edited.containerDefinitions[0].environment, { name: 'DEBUG', value: '1' }];
      return { ...edited, taskRoleArn: 'arn:aws:iam::123456789012:role/shop-task' } as Record<string, unknown>;
    });
    actual.familyRevisions['shop-api'] = [actual.services['api']!.taskDefinitionArn];

    const p = plan(desired, actual, POLICY);

    const register = actionsOf(p, 'Service/api').find((a) => a.kind === 'RegisterTaskDefinition')!;
    const removals = [
      { path: 'taskDefinition.containers[app].environment[DEBUG]', before: '1', after: undefined },
      { path: 'taskDefinition.containers[app].stopTimeout', before: '60', after: undefined },
      { path: 'taskDefinition.containers[app].healthCheck', before: '{"command":["CMD","true"],"interval":10,"retries":3,"startPeriod":0,"timeout":5}', after: undefined },
      { path: 'taskDefinition.taskRoleArn', before: 'arn:aws:iam::123456789012:role/shop-task', after: undefined },
    ];
    expect(register.diff).toEqual(removals);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Drifted', reason: 'TaskDefinitionDiffers', diff: removals });
    expect((register as Extract<Action, { kind: 'RegisterTaskDefinition' }>).content.containerDefinitions[0].image).toBe(`${REPO}@${DIGEST_A}`);
  });
});

describe('UpdateService and deploymentConfiguration', () => {
  it('carries over the alarms and ECS blue/green settings steady does not own', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const unmodelled = { alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true }, strategy: 'ROLLING', bakeTimeInMinutes: 5 };
    actual.services['api']!.deploymentConfiguration = { minimumHealthyPercent: 50, maximumPercent: 200, circuitBreaker: { enable: false, rollback: false }, unmodelled };

    const p = plan(desired, actual, POLICY);

    const update = actionsOf(p, 'Service/api')[0] as UpdateServiceAction;
    expect(update.settings).toEqual({
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true }, unmodelled },
    });
    expect(update.diff).toEqual([
      {
        path: 'deploymentConfiguration',
        before: '{"circuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":50}',
        after: '{"circuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":100}',
      },
    ]);
  });

  it('is not sent, and nothing is planned, when only fields steady does not own are set', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.services['api']!.deploymentConfiguration.unmodelled = { alarms: { alarmNames: ['api-5xx'], enable: true, rollback: false } };

    expect(actionsOf(plan(desired, actual, POLICY), 'Service/api')).toEqual([]);
  });
});
