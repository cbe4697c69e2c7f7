/**
 * The executors of converge one by one, against the simulated account: blue/green deployments
 * followed to their end (or left to the next pass, or failed with the way out), services updated
 * and what steady rolled out remembered on them, schedule groups and schedules, and the revisions
 * a pass registered named in its outcomes.
 */
import { StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { AwsCallError, PassInterruptedError } from '../errors.js';
import { stopFor } from '../interrupt.js';
import { TAG_CODEDEPLOY, TAG_CONTENT, TAG_ROLLOUT, type Action, type AwaitCodeDeployDeploymentAction, type CreateCodeDeployDeploymentAction, type ScheduleAction, type UpdateServiceAction } from '../model/plan.js';
import { world } from '../testing/world.js';
import { awaitCodeDeployDeployment, CODEDEPLOY_FOLLOW_MS, createCodeDeployDeployment } from './codedeploy.js';
import { changeRefused, failure, Outputs, type WaitProgress } from './context.js';
import { createScheduleGroup, putSchedule } from './scheduled.js';
import { registerTaskDefinition, tagResource, updateService } from './service.js';
import { plannedPass } from './testkit.js';

/** A world, its plan from a fresh observe, and an execution context for one pass (deadline in an hour unless told). */
async function setup(environment: string, deadlineMs = 3_600_000) {
  const w = await world(environment);
  const clients = w.account.clients();
  const progress: WaitProgress[] = [];
  const { p, ctx } = await plannedPass(w, 'pass-x', deadlineMs, { progress: (x) => progress.push(x) });
  const act = <K extends Action['kind'] = Action['kind']>(id: string) => p.actions.find((a) => a.id === id) as Extract<Action, { kind: K }>;
  const serviceTags = async (cluster: string, name: string) => {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }));
    return Object.fromEntries((out.services![0].tags ?? []).map((t) => [t.key!, t.value!]));
  };
  return { w, p, ctx, act, progress, serviceTags };
}

/** Following deployment `id` of messaging-api:2, as a later pass does. */
function following(deploymentId: string, serviceArn: string, recordTag?: string): AwaitCodeDeployDeploymentAction {
  return { kind: 'AwaitCodeDeployDeployment', id: 'await:Service/messaging-api', resource: 'Service/messaging-api', summary: 's', diff: [], dependsOn: [], deploymentId, revision: 'messaging-api:2', serviceArn, production: 'messaging-api:1', ...(recordTag ? { recordTag } : {}) };
}

/** The messaging service's blue/green rollout, with its revision registered and the service adopted. */
async function blueGreen(deadlineMs?: number) {
  const s = await setup('messaging-prod', deadlineMs);
  await registerTaskDefinition(s.act('register:Service/messaging-api'), s.ctx);
  await tagResource(s.act('adopt:Service/messaging-api'), s.ctx);
  return { ...s, deploy: s.act('deploy:Service/messaging-api') as CreateCodeDeployDeploymentAction };
}

describe('blue/green rollouts through CodeDeploy', () => {
  it('a deployment still running when the pass must end is pending, recorded on the service so the next pass follows it', async () => {
    // 62.5 s: not a whole number of 5 s polls, so a wait that sleeps one poll too many ends past the deadline.
    const s = await blueGreen(62_500);
    const start = s.w.account.clock.now();

    const r = await createCodeDeployDeployment(s.deploy, s.ctx);

    expect(r).toMatchObject({ state: 'pending', message: expect.stringMatching(/^CodeDeploy deployment d-[A-Z0-9]+ of messaging-api:2 is InProgress; the next pass follows it$/) });
    const id = /deployment (d-[A-Z0-9]+)/.exec(r.message!)![1];
    expect((await s.serviceTags('messaging-prod', 'messaging-api'))[TAG_CODEDEPLOY]).toMatch(new RegExp(`^${id}@arn:.*task-definition/messaging-api:2$`));
    // It stops when one more poll would not fit before the deadline, not at the deadline (nor after it).
    expect(s.ctx.deadline - s.w.account.clock.now()).toBeGreaterThan(0);
    expect(s.ctx.deadline - s.w.account.clock.now()).toBeLessThan(s.ctx.pollMs);
    expect(s.progress[0]).toEqual({ resource: 'Service/messaging-api', waitingFor: `CodeDeploy deployment ${id} of messaging-api:2`, status: 'Created', since: start, now: start });
    expect(s.progress.at(-1)!.now).toBeGreaterThan(start);
  });

  it('the next pass follows it to the end; a pass follows one deployment at most CODEDEPLOY_FOLLOW_MS', async () => {
    const s = await blueGreen(60_000);
    const first = await createCodeDeployDeployment(s.deploy, s.ctx);
    const id = /deployment (d-[A-Z0-9]+)/.exec(first.message!)![1];
    const next = { ...s.ctx, deadline: Number.POSITIVE_INFINITY, stop: stopFor({ clock: s.w.account.clock }) };
    const await_ = following(id, s.deploy.serviceArn);
    const start = s.w.account.clock.now();

    const r = await awaitCodeDeployDeployment(await_, next);

    expect(r).toEqual({ state: 'done', message: `CodeDeploy deployment ${id} of messaging-api:2 succeeded; production runs messaging-api:2` });
    expect(s.w.account.clock.now() - start).toBeLessThanOrEqual(CODEDEPLOY_FOLLOW_MS);
  });

  it('a deployment that succeeds at the very moment the pass must end is reported done', async () => {
    // How long the canary takes in this (deterministic) account, then the same rollout with exactly that long.
    const first = await blueGreen();
    const t0 = first.w.account.clock.now();
    await createCodeDeployDeployment(first.deploy, first.ctx);
    const takes = first.w.account.clock.now() - t0;
    expect(takes % first.ctx.pollMs).toBe(0);
    const s = await blueGreen(takes);

    const r = await createCodeDeployDeployment(s.deploy, s.ctx);

    expect(r).toMatchObject({ state: 'done', message: expect.stringMatching(/^CodeDeploy deployment d-[A-Z0-9]+ of messaging-api:2 succeeded/) });
  });

  it('a failed deployment fails the rollout with what CodeDeploy said and how to deploy it again', async () => {
    const s = await blueGreen();
    s.w.account.codedeploy.failDeployments({ taskDefinition: 'messaging-api:2' }, { code: 'ALARM_ACTIVE', message: 'alarm 5xx-errors' });

    const r = await createCodeDeployDeployment(s.deploy, s.ctx);

    expect(r).toMatchObject({ state: 'failed', reason: 'DeploymentFailed' });
    expect(r.message).toMatch(/^CodeDeploy deployment d-[A-Z0-9]+ of messaging-api:2 (failed|was stopped) \(ALARM_ACTIVE: alarm 5xx-errors\)/);
    expect(r.message).toContain('; production stays on messaging-api:1. steady does not deploy messaging-api:2 again until the spec changes or someone runs `steady retry service/messaging-api --env messaging-prod`');
  });

  it('a deployment someone stopped fails the rollout as stopped, with the way out, and is not followed further', async () => {
    const s = await blueGreen(20_000);
    const first = await createCodeDeployDeployment(s.deploy, s.ctx);
    const id = /deployment (d-[A-Z0-9]+)/.exec(first.message!)![1];
    await s.w.account.clients().codedeploy.send(new StopDeploymentCommand({ deploymentId: id }));
    const start = s.w.account.clock.now();

    const r = await awaitCodeDeployDeployment(following(id, s.deploy.serviceArn), { ...s.ctx, deadline: start + 3_600_000, stop: stopFor({ clock: s.w.account.clock }) });

    expect(r).toMatchObject({ state: 'failed', reason: 'DeploymentFailed', message: expect.stringMatching(new RegExp(`^CodeDeploy deployment ${id} of messaging-api:2 was stopped \\(MANUAL_STOP: The deployment was stopped by a user\\.\\)`)) });
    expect(s.w.account.clock.now()).toBe(start);
  });

  it('a deployment CodeDeploy no longer knows fails as DeploymentNotFound; the record tag is written first when asked', async () => {
    const s = await blueGreen();
    const a = following('d-GONE12345', s.deploy.serviceArn, 'd-GONE12345@arn:x');

    const r = await awaitCodeDeployDeployment(a, s.ctx);

    expect(r).toEqual({ state: 'failed', reason: 'DeploymentNotFound', message: 'CodeDeploy no longer knows deployment d-GONE12345 of messaging-api:2' });
    expect((await s.serviceTags('messaging-prod', 'messaging-api'))[TAG_CODEDEPLOY]).toBe('d-GONE12345@arn:x');
  });

  it('following without a record tag to write leaves the service tags alone', async () => {
    const s = await blueGreen();
    const before = await s.serviceTags('messaging-prod', 'messaging-api');
    const a = following('d-GONE12345', s.deploy.serviceArn);
    await awaitCodeDeployDeployment(a, s.ctx);
    expect(await s.serviceTags('messaging-prod', 'messaging-api')).toEqual(before);
  });
});

describe('services', () => {
  async function converged() {
    const s = await setup('shop-prod');
    for (const a of s.p.actions) {
      if (a.kind === 'RegisterTaskDefinition') await registerTaskDefinition(a, s.ctx);
    }
    const create = s.act('create:Service/api');
    const { createService } = await import('./service.js');
    await createService(create as never, s.ctx);
    const svc = s.w.account.ecs.serviceState('shop-prod', 'api');
    return { ...s, svc };
  }

  it('an update with a new revision rolls it out and remembers the revision, the time and its content fingerprint on the service', async () => {
    const s = await converged();
    const reg = s.act<'RegisterTaskDefinition'>('register:Service/api');
    const again = { ...reg, id: 'register:again' };
    await registerTaskDefinition(again, s.ctx);
    s.w.advance(1_000);
    const a: UpdateServiceAction = { kind: 'UpdateService', id: 'update:Service/api', resource: 'Service/api', summary: 'update', diff: [], dependsOn: [], cluster: 'shop-prod', serviceName: 'api', serviceArn: s.svc.arn, taskDefinition: { registeredBy: 'register:again' }, contentFingerprint: 'f00d', settings: { desiredCount: 3 } };

    const r = await updateService(a, s.ctx);

    expect(r).toEqual({ state: 'done', message: 'rolling out shop-api:2' });
    const after = s.w.account.ecs.serviceState('shop-prod', 'api');
    expect(after).toMatchObject({ desiredCount: 3, taskDefinition: expect.stringMatching(/shop-api:2$/) });
    const tags = await s.serviceTags('shop-prod', 'api');
    expect(tags[TAG_ROLLOUT]).toBe(`${after.taskDefinition}@${s.w.account.clock.now()}`);
    expect(tags[TAG_CONTENT]).toBe('f00d');
  });

  it('an update of settings only changes them and leaves the rollout tags as they were', async () => {
    const s = await converged();
    const before = await s.serviceTags('shop-prod', 'api');
    s.w.advance(1_000);
    const a: UpdateServiceAction = { kind: 'UpdateService', id: 'update:Service/api', resource: 'Service/api', summary: 'update', diff: [], dependsOn: [], cluster: 'shop-prod', serviceName: 'api', serviceArn: s.svc.arn, settings: { desiredCount: 4 } };

    expect(await updateService(a, s.ctx)).toEqual({ state: 'done', message: 'updated' });
    expect(s.w.account.ecs.serviceState('shop-prod', 'api')).toMatchObject({ desiredCount: 4, taskDefinition: s.svc.taskDefinition });
    expect(await s.serviceTags('shop-prod', 'api')).toEqual(before);
  });

  it('a new revision without a content fingerprint is remembered without a steady:content tag; the deployment alarms are sent', async () => {
    const s = await setup('shop-prod');
    await registerTaskDefinition(s.act('register:Service/api'), s.ctx);
    await registerTaskDefinition(s.act('register:Migration/db-migrate'), s.ctx);
    const { createService } = await import('./service.js');
    const create = s.act<'CreateService'>('create:Service/api');
    const alarms = { alarmNames: ['shop-api-5xx'], enable: true, rollback: true };
    const r = await createService({ ...create, contentFingerprint: undefined, settings: { ...create.settings, propagateTags: 'TASK_DEFINITION', deploymentAlarms: alarms } }, s.ctx);
    expect(r).toEqual({ state: 'done', message: 'created with shop-api:1' });
    const tags = await s.serviceTags('shop-prod', 'api');
    expect(tags).not.toHaveProperty(TAG_CONTENT);
    expect(tags[TAG_ROLLOUT]).toMatch(/task-definition\/shop-api:1@\d+$/);
    const out = await s.w.account.clients().ecs.send(new DescribeServicesCommand({ cluster: 'shop-prod', services: ['api'] }));
    expect(out.services![0].propagateTags).toBe('TASK_DEFINITION');
    // The spec's deployment alarms go into the deploymentConfiguration ECS takes them in, beside the circuit breaker.
    expect(out.services![0].deploymentConfiguration).toMatchObject({ alarms: { alarmNames: ['shop-api-5xx'], enable: true, rollback: true }, deploymentCircuitBreaker: { enable: true, rollback: true } });
  });
});

describe('schedules', () => {
  it('a schedule group created meanwhile by another pass is fine: it exists already', async () => {
    const s = await setup('shop-prod');
    const g = s.act<'CreateScheduleGroup'>('create-group:steady-shop-prod');
    expect(await createScheduleGroup(g, s.ctx)).toEqual({ state: 'done', message: 'created schedule group steady-shop-prod' });
    expect(await createScheduleGroup(g, s.ctx)).toEqual({ state: 'done', message: 'schedule group steady-shop-prod exists already' });
  });

  it('any other refusal to create the group is an error, not a success', async () => {
    const s = await setup('shop-prod');
    const g = s.act<'CreateScheduleGroup'>('create-group:steady-shop-prod');
    await expect(createScheduleGroup({ ...g, group: 'bad name!' }, s.ctx)).rejects.toBeInstanceOf(AwsCallError);
  });

  it('an update sends the schedule with the revision registered in this pass', async () => {
    const s = await setup('shop-prod');
    await createScheduleGroup(s.act('create-group:steady-shop-prod'), s.ctx);
    await registerTaskDefinition(s.act('register:ScheduledTask/db-migrate-nightly'), s.ctx);
    const create = s.act('create:ScheduledTask/db-migrate-nightly') as ScheduleAction;
    await putSchedule(create, s.ctx);
    await registerTaskDefinition({ ...s.act<'RegisterTaskDefinition'>('register:ScheduledTask/db-migrate-nightly'), id: 'register:again' }, s.ctx);

    const r = await putSchedule({ ...create, kind: 'UpdateSchedule', taskDefinition: { registeredBy: 'register:again' } }, s.ctx);

    expect(r).toEqual({ state: 'done', message: 'updated schedule steady-shop-prod/db-migrate-nightly (runs shop-api-db-migrate-nightly:2)' });
    const schedule = s.w.account.scheduler.schedule('steady-shop-prod', 'db-migrate-nightly')!;
    expect(schedule.Target?.EcsParameters?.TaskDefinitionArn).toMatch(/task-definition\/shop-api-db-migrate-nightly:2$/);
    expect(schedule.ScheduleExpression).toBe('cron(0 3 * * ? *)');
  });
});

describe('what executors share', () => {
  it('Outputs resolves a known ARN as is, a revision registered in this pass by its action, and says which is missing', () => {
    const o = new Outputs();
    o.set('register:Service/api', 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:7');
    expect(o.resolve({ arn: 'arn:x' })).toBe('arn:x');
    expect(o.resolve({ registeredBy: 'register:Service/api' })).toBe('arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:7');
    expect(() => o.resolve({ registeredBy: 'register:Service/web' })).toThrow('internal: no revision registered by register:Service/web');
  });

  it("Outputs names the registered revisions in summaries, and the registration's own revision only in its own summary", () => {
    const o = new Outputs();
    o.set('register:Service/api', 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:7');
    o.set('register:Migration/db-migrate', 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api-db-migrate:3');
    expect(o.named('create service api (shop-api:<new revision>, 2 tasks)', 'create:Service/api')).toBe('create service api (shop-api:7, 2 tasks)');
    expect(o.named('register task definition shop-api (new revision)', 'register:Service/api')).toBe('register task definition shop-api:7');
    expect(o.named('register task definition shop-api-db-migrate for migration db-migrate version v1', 'register:Migration/db-migrate')).toBe('register task definition shop-api-db-migrate:3 for migration db-migrate version v1');
    expect(o.named('register task definition shop-api', 'register:Service/api')).toBe('register task definition shop-api:7');
    // Another action's summary keeps the family as written; a longer family is not taken for a shorter one.
    expect(o.named('register task definition shop-api (new revision)', 'create:Service/api')).toBe('register task definition shop-api (new revision)');
    expect(o.named('register task definition shop-api-db-migrate for x', 'register:Service/api')).toBe('register task definition shop-api-db-migrate for x');
  });

  it('failure carries the message and, from AWS, the error name', () => {
    expect(failure(new Error('boom'))).toEqual({ state: 'failed', message: 'boom', awsName: undefined });
    const cause = Object.assign(new Error('Service was not ACTIVE.'), { name: 'ServiceNotActiveException' });
    const aws = new AwsCallError({ service: 'ecs', operation: 'UpdateService', doing: 'updating service api', cause });
    expect(failure(aws)).toEqual({ state: 'failed', message: aws.message, awsName: 'ServiceNotActiveException' });
  });

  it('changeRefused says why a lost lease refuses a change, lets it through otherwise, and passes other errors on', async () => {
    const s = await setup('shop-prod');
    expect(await changeRefused(s.ctx)).toBeUndefined();
    expect(await changeRefused({ ...s.ctx, beforeChange: async () => undefined })).toBeUndefined();
    expect(await changeRefused({ ...s.ctx, beforeChange: async () => { throw new PassInterruptedError('leaseLost', 'lease lost to pass-2'); } })).toBe('lease lost to pass-2');
    await expect(changeRefused({ ...s.ctx, beforeChange: async () => { throw new Error('table down'); } })).rejects.toThrow('table down');
  });
});
