/**
 * converge against the simulated account: the plan the real planner makes for the example
 * environments is carried out in dependency order, each action by its executor, and the account
 * afterwards holds what the plan asked for (services, revisions, tags, schedules, records). Held
 * plans and a refused lease change nothing.
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { PassInterruptedError } from '../errors.js';
import { isMutating } from '../sim/account.js';
import type { Plan } from '../model/plan.js';
import { TAG_CODEDEPLOY, TAG_CONTENT, TAG_MANAGED_BY, TAG_ROLLOUT } from '../model/plan.js';
import { observe } from '../observe/observe.js';
import { createAdapters } from '../pass.js';
import { plan, policyFor } from '../plan/plan.js';
import { world, type World } from '../testing/world.js';
import type { Adapters } from '../observe/observe.js';
import { converge, type ConvergeOptions } from './converge.js';

/** What the planner asks of `w` now, from a fresh observe (a next pass's plan). */
async function planOf(w: World, adapters: Adapters, policy: { dryRun?: boolean } = {}): Promise<Plan> {
  const actual = await observe(w.desired, adapters, () => w.account.clock.now());
  return plan(w.desired, actual, policyFor(w.desired, { now: w.account.clock.now(), ...policy }));
}

async function planned(environment: string, policy: { dryRun?: boolean } = {}) {
  const w = await world(environment);
  const clients = w.account.clients();
  const adapters = createAdapters(clients);
  const p = await planOf(w, adapters, policy);
  const from = w.account.calls.length;
  const mutations = () => w.account.calls.slice(from).filter((c) => isMutating(c.operation)).map((c) => `${c.service}:${c.operation}`);
  const run = (options: Partial<ConvergeOptions> = {}, p2: Plan = p) => converge(p2, adapters, { clock: w.account.clock, pollMs: 5_000, ...options });
  return { w, clients, adapters, p, run, mutations, start: w.account.clock.now() };
}

describe('converge', () => {
  it("creates the shop: revisions registered, the migration run before the service that needs it, the schedule and the records, each outcome naming the revision it registered", async () => {
    const { w, clients, adapters, run, start } = await planned('shop-prod');

    const outcomes = await run();

    expect(outcomes.map((o) => [o.actionId, o.state, o.summary, o.message])).toEqual([
      ['register:Migration/db-migrate', 'done', expect.stringMatching(/^register task definition shop-api-db-migrate:1 for migration db-migrate version [0-9a-f]{16}$/), 'registered shop-api-db-migrate:1'],
      ['run:Migration/db-migrate', 'done', expect.stringMatching(/^run migration db-migrate/), expect.stringMatching(/^succeeded \(task [0-9a-f]{32}\)$/)],
      ['register:Service/api', 'done', 'register task definition shop-api:1', 'registered shop-api:1'],
      ['create:Service/api', 'done', 'create service api (shop-api:1, 2 tasks)', 'created with shop-api:1'],
      ['create-group:steady-shop-prod', 'done', 'create schedule group steady-shop-prod', 'created schedule group steady-shop-prod'],
      ['register:ScheduledTask/db-migrate-nightly', 'done', 'register task definition shop-api-db-migrate-nightly:1 for scheduled task db-migrate-nightly', 'registered shop-api-db-migrate-nightly:1'],
      ['create:ScheduledTask/db-migrate-nightly', 'done', 'create schedule steady-shop-prod/db-migrate-nightly (cron(0 3 * * ? *) Asia/Tokyo, runs shop-api-db-migrate-nightly:1)', 'created schedule steady-shop-prod/db-migrate-nightly running shop-api-db-migrate-nightly:1'],
      ['records:AliasRecord/apex-dns', 'done', expect.stringMatching(/^create example\.com A -> /), expect.stringMatching(/^change C[A-Z0-9]+ is INSYNC$/)],
      ['records:AliasRecord/api-dns', 'done', expect.stringMatching(/^create api\.example\.com A -> /), expect.stringMatching(/^change C[A-Z0-9]+ is INSYNC$/)],
    ]);
    // The service is created only once the migration it waits for has succeeded.
    const byId = new Map(outcomes.map((o) => [o.actionId, o]));
    expect(byId.get('create:Service/api')!.startedAt).toBeGreaterThanOrEqual(byId.get('run:Migration/db-migrate')!.finishedAt!);
    expect(byId.get('run:Migration/db-migrate')!.finishedAt).toBeGreaterThan(start);

    // The service runs the revision registered in this pass, tagged with what steady rolled out and when.
    const svc = w.account.ecs.serviceState('shop-prod', 'api');
    expect(svc).toMatchObject({ desiredCount: 2, taskDefinition: expect.stringMatching(/task-definition\/shop-api:1$/) });
    const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: 'shop-prod', services: ['api'], include: ['TAGS'] }));
    const service = described.services![0];
    expect(service.propagateTags).toBe('SERVICE');
    const tags = Object.fromEntries(service.tags!.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ [TAG_MANAGED_BY]: 'steady', [TAG_ROLLOUT]: `${svc.taskDefinition}@${byId.get('create:Service/api')!.startedAt}`, [TAG_CONTENT]: expect.stringMatching(/^[0-9a-f]+$/) });
    expect(service.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    // The schedule targets the revision registered for it.
    const schedule = w.account.scheduler.schedule('steady-shop-prod', 'db-migrate-nightly');
    expect(schedule?.Target?.EcsParameters?.TaskDefinitionArn).toMatch(/task-definition\/shop-api-db-migrate-nightly:1$/);
    const records = await adapters.route53.recordSets((await adapters.route53.findZone('example.com'))!);
    expect(records.find((r) => r.name === 'api.example.com' && r.type === 'A')?.alias?.dnsName).toMatch(/^shop-api-alb-.*\.elb\.amazonaws\.com$/);
    // Without a pass id, the change says it was made by hand.
    const comments = w.account.calls.filter((c) => c.operation === 'ChangeResourceRecordSets').map((c) => c.input.ChangeBatch.Comment);
    expect(new Set(comments)).toEqual(new Set(['steady shop-prod manual']));
  });

  it('adopts the messaging service and rolls it out blue/green, remembering the deployment on the service', async () => {
    const { w, clients, run } = await planned('messaging-prod');

    const outcomes = await run({ deadline: w.account.clock.now() + 3_600_000 });

    const deploy = outcomes.find((o) => o.actionId === 'deploy:Service/messaging-api')!;
    expect(deploy).toMatchObject({ state: 'done', message: expect.stringMatching(/^CodeDeploy deployment d-[A-Z0-9]+ of messaging-api:2 succeeded; production runs messaging-api:2$/) });
    const id = /deployment (d-[A-Z0-9]+)/.exec(deploy.message!)![1];
    const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: 'messaging-prod', services: ['messaging-api'], include: ['TAGS'] }));
    const tags = Object.fromEntries(described.services![0].tags!.map((t) => [t.key, t.value]));
    expect(tags[TAG_CODEDEPLOY]).toMatch(new RegExp(`^${id}@arn:aws:ecs:.*:task-definition/messaging-api:2$`));
    expect(tags[TAG_MANAGED_BY]).toBe('steady');
    expect(w.account.codedeploy.deploymentState(id)).toMatchObject({ status: 'Succeeded' });
  });

  it('a dry run, observe mode or an exceeded budget holds every action, saying why, and changes nothing', async () => {
    const { p, run, mutations } = await planned('shop-prod');
    const held = async (policy: Partial<Plan['policy']>, budget = p.budget) => (await run({}, { ...p, holdAll: true, policy: { ...p.policy, ...policy }, budget })).map((o) => `${o.state}: ${o.message}`);

    expect(new Set(await held({ dryRun: true }))).toEqual(new Set(['held: dry run']));
    expect(new Set(await held({ mode: 'observe', dryRun: true }))).toEqual(new Set(['held: observe mode']));
    expect(new Set(await held({}, { ...p.budget, exceeded: true }))).toEqual(new Set(['held: change budget exceeded']));
    expect((await run({}, { ...p, holdAll: true })).map((o) => [o.actionId, o.summary])).toEqual(p.actions.map((a) => [a.id, a.summary]));
    expect(mutations()).toEqual([]);
  });

  it('a lease lost before a change leaves every action not started (pending), and changes nothing', async () => {
    const { run, mutations } = await planned('shop-prod');

    const outcomes = await run({
      beforeChange: async () => {
        throw new PassInterruptedError('leaseLost', 'the lease was taken over by pass-2');
      },
    });

    expect(outcomes.filter((o) => o.state === 'pending').map((o) => o.message)).toContain('not started: the lease was taken over by pass-2');
    expect(outcomes.every((o) => o.state === 'pending' || o.state === 'blocked')).toBe(true);
    expect(mutations()).toEqual([]);
  });

  it('a check before a change that fails for another reason fails the actions with its message, and changes nothing', async () => {
    const { run, mutations } = await planned('shop-prod');

    const outcomes = await run({
      beforeChange: async () => {
        throw new Error('state table unreachable');
      },
    });

    expect(outcomes.filter((o) => o.state === 'failed').map((o) => o.message)).toContain('state table unreachable');
    expect(outcomes.some((o) => o.state === 'done')).toBe(false);
    expect(mutations()).toEqual([]);
  });

  it('past its deadline a pass starts nothing', async () => {
    const { w, run, mutations } = await planned('shop-prod');

    const outcomes = await run({ deadline: w.account.clock.now() });

    expect(outcomes.some((o) => o.state === 'done')).toBe(false);
    expect(mutations()).toEqual([]);
  });

  it('a stop reason (the lease about to expire) starts nothing', async () => {
    const { run, mutations } = await planned('shop-prod');

    const outcomes = await run({ stopReason: () => 'the lease expires in 5 s' });

    expect(outcomes.some((o) => o.state === 'done')).toBe(false);
    expect(outcomes.map((o) => o.message)).toContain('not started: the lease expires in 5 s');
    expect(mutations()).toEqual([]);
  });

  it('tells each poll of a long wait (the migration task, the DNS change) to progress', async () => {
    const { w, run } = await planned('shop-prod');
    w.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 60_000 });
    const seen: string[] = [];

    const outcomes = await run({ progress: (p) => seen.push(`${p.resource} ${p.status}`) });

    expect(seen).toContain('Migration/db-migrate RUNNING');
    expect(seen).toContain('AliasRecord/apex-dns, AliasRecord/api-dns PENDING');
    expect(outcomes.find((o) => o.actionId === 'run:Migration/db-migrate')?.state).toBe('done');
  });

  it('waits for a migration only up to the deadline it is given, polling at the interval given (every 10 s without one)', async () => {
    const { w, run } = await planned('shop-prod');
    w.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });
    const polls: number[] = [];
    const deadline = w.account.clock.now() + 62_500;

    const outcomes = await run({ deadline, progress: (q) => q.resource === 'Migration/db-migrate' && polls.push(q.now) });

    expect(outcomes.find((o) => o.actionId === 'run:Migration/db-migrate')).toMatchObject({ state: 'pending' });
    expect(outcomes.find((o) => o.actionId === 'create:Service/api')).toMatchObject({ state: 'blocked' });
    expect(w.account.clock.now()).toBeLessThanOrEqual(deadline);
    expect(deadline - w.account.clock.now()).toBeLessThan(5_000);
    expect(new Set(polls.slice(1).map((t, i) => t - polls[i]))).toEqual(new Set([5_000]));

    // The same plan without a poll interval: every 10 s.
    const w2 = await planned('shop-prod');
    w2.w.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });
    const polls2: number[] = [];
    await w2.run({ pollMs: undefined, deadline: w2.w.account.clock.now() + 62_500, progress: (q) => q.resource === 'Migration/db-migrate' && polls2.push(q.now) });
    expect(new Set(polls2.slice(1).map((t, i) => t - polls2[i]))).toEqual(new Set([10_000]));
  });

  it('the next pass waits for the migration the last one left running, then creates the service; later ones update it and its schedule', async () => {
    const { w, adapters, run } = await planned('shop-prod');
    w.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 90_000 });
    await run({ deadline: w.account.clock.now() + 30_000 });

    const next = await planOf(w, adapters);
    expect(next.actions.map((a) => a.kind)).toContain('AwaitMigration');
    const outcomes = await run({ deadline: w.account.clock.now() + 600_000 }, next);

    expect(outcomes.find((o) => o.kind === 'AwaitMigration')).toMatchObject({ state: 'done', message: expect.stringMatching(/^succeeded \(task [0-9a-f]{32}\)$/) });
    expect(outcomes.find((o) => o.actionId === 'create:Service/api')).toMatchObject({ state: 'done' });

    w.desired.services[0].spec.desiredCount = 3;
    const later = await planOf(w, adapters);
    const updated = await run({}, later);
    expect(updated.map((o) => [o.kind, o.state, o.message])).toEqual([['UpdateService', 'done', 'updated']]);
    expect(w.account.ecs.serviceState('shop-prod', 'api').desiredCount).toBe(3);

    w.desired.scheduledTasks[0].spec.schedule = 'cron(30 4 * * ? *)';
    const rescheduled = await run({}, await planOf(w, adapters));
    expect(rescheduled.map((o) => [o.kind, o.state])).toEqual([['UpdateSchedule', 'done']]);
    expect(w.account.scheduler.schedule('steady-shop-prod', 'db-migrate-nightly')?.ScheduleExpression).toBe('cron(30 4 * * ? *)');
  });

  it('the next pass follows a blue/green deployment the last one left running to its end', async () => {
    const { w, adapters, run } = await planned('messaging-prod');
    const first = await run({ deadline: w.account.clock.now() + 20_000 });
    expect(first.find((o) => o.kind === 'CreateCodeDeployDeployment')).toMatchObject({ state: 'pending' });

    const next = await planOf(w, adapters);
    const outcomes = await run({ deadline: w.account.clock.now() + 3_600_000 }, next);

    expect(outcomes.find((o) => o.kind === 'AwaitCodeDeployDeployment')).toMatchObject({ state: 'done', message: expect.stringMatching(/^CodeDeploy deployment d-[A-Z0-9]+ of messaging-api:2 succeeded; production runs messaging-api:2$/) });
  });

  it('waits for a DNS change only as long as it is given, and names the pass in the change', async () => {
    const { w, run } = await planned('shop-prod');

    const outcomes = await run({ insyncWaitMs: 10_000, passId: 'shop-prod/pass-7' });

    expect(outcomes.filter((o) => o.kind === 'ChangeRecords').map((o) => o.state)).toEqual(['pending', 'pending']);
    const comments = w.account.calls.filter((c) => c.operation === 'ChangeResourceRecordSets').map((c) => c.input.ChangeBatch.Comment);
    expect(new Set(comments)).toEqual(new Set(['steady shop-prod shop-prod/pass-7']));
  });

  it('a migration waits in a pool of its own: with one change at a time, the others go on while it runs', async () => {
    const { w, run } = await planned('shop-prod');
    w.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 120_000 });

    const outcomes = await run({ concurrency: 1 });

    const byId = new Map(outcomes.map((o) => [o.actionId, o]));
    expect(byId.get('run:Migration/db-migrate')).toMatchObject({ state: 'done' });
    expect(byId.get('create-group:steady-shop-prod')!.finishedAt).toBeLessThan(byId.get('run:Migration/db-migrate')!.finishedAt!);
  });

  it('a change AWS refuses fails its action with what AWS said, and blocks what depends on it', async () => {
    const { w, run } = await planned('shop-prod');
    w.account.faults.fail({ service: 'ecs', operation: 'RegisterTaskDefinition', error: 'accessDenied', when: (input) => input.family === 'shop-api' });

    const outcomes = await run();

    const byId = new Map(outcomes.map((o) => [o.actionId, o]));
    const refused = 'registering a revision of task definition family shop-api: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/steady/controller is not authorized to perform this action';
    expect(byId.get('register:Service/api')).toMatchObject({ state: 'failed', awsName: 'AccessDeniedException', message: refused });
    expect(byId.get('create:Service/api')).toMatchObject({ state: 'blocked', message: `waits for "register task definition shop-api (new revision)", which failed: ${refused}` });
    expect(byId.get('run:Migration/db-migrate')).toMatchObject({ state: 'done' });
  });

  it('turns maintenance on and off: the distribution switched and back, the ALB rule created and deleted', async () => {
    const w = await world('shop-prod');
    const adapters = createAdapters(w.account.clients());
    const converged = async (mode: 'on' | 'off') => {
      w.desired.maintenance![0].spec.maintenance = mode;
      const outcomes = await converge(await planOf(w, adapters), adapters, { clock: w.account.clock, pollMs: 5_000 });
      return outcomes.filter((o) => ['SwitchDistribution', 'CreateMaintenanceRule', 'DeleteMaintenanceRule'].includes(o.kind)).map((o) => `${o.kind} ${o.state}`);
    };

    expect((await converged('on')).sort()).toEqual(['CreateMaintenanceRule done', 'SwitchDistribution done']);
    expect((await converged('off')).sort()).toEqual(['DeleteMaintenanceRule done', 'SwitchDistribution done']);
  });
});
