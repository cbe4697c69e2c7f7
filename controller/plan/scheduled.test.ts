/**
 * The ScheduledTask planner on its own (the pass-level scenarios are in controller/pass.scheduled.test.ts):
 * what it creates, keeps, heals and adopts, whose schedules and groups it leaves alone, what it
 * reports of the runs, and what it does when something is missing or unreadable. The synced state
 * is written out literally here, not built by the planner's own code.
 */
import { describe, expect, it } from 'vitest';
import type { ActualState, TaggedTaskDefinition } from '../model/actual.js';
import type { EcsTask, SchedulerSchedule } from '../model/aws.js';
import { ownershipTags, TAG_LAST_RUN, type Action, type DesiredEnvironment, type Plan, type ScheduleAction } from '../model/plan.js';
import { scheduledTaskSchema, type ScheduledTaskDoc } from '../spec/schema.js';
import { ACCOUNT, DIGEST_B, desiredShop, POLICY, REGION, REPO, syncedActual } from '../testing/plan-fixtures.js';
import { plan, policyFor } from './plan.js';
import { scheduleMarker } from './scheduled.js';

const NAME = 'db-migrate-nightly';
const KEY = `ScheduledTask/${NAME}`;
const GROUP = 'steady-shop-prod';
const FAMILY = 'shop-api-db-migrate-nightly';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/shop-prod`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`;
const DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:shop-prod-scheduler-dlq`;
const TD_ARN = (rev: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${FAMILY}:${rev}`;
const HOUR = 3_600_000;
/** 03:00 in Tokyo on 1 January 2026, six hours before POLICY.now (09:00 in Tokyo). */
const LAST_NIGHT = Date.parse('2025-12-31T18:00:00Z');
const NEXT = '2026-01-02 03:00 Asia/Tokyo';

function nightlyDoc(spec: Record<string, unknown> = {}, name = NAME): ScheduledTaskDoc {
  return scheduledTaskSchema.parse({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'ScheduledTask',
    metadata: { name, environment: 'shop-prod' },
    spec: {
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'Asia/Tokyo',
      fromService: 'api',
      command: ['alembic', 'upgrade', 'head'],
      roleArn: ROLE,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
      deadLetterQueue: DLQ,
      ...spec,
    },
  });
}

/** The shop with its nightly task, and AWS in sync with it: group, revision 1 and schedule as steady left them. */
function nightly(spec: Record<string, unknown> = {}): { desired: DesiredEnvironment; actual: ActualState } {
  const desired = desiredShop();
  desired.scheduledTasks = [nightlyDoc(spec)];
  const actual = syncedActual(desired);
  const api = actual.services['api']!;
  const apiTd = actual.taskDefinitions[api.taskDefinitionArn];
  const latest: TaggedTaskDefinition = {
    arn: TD_ARN(1),
    family: FAMILY,
    revision: 1,
    status: 'ACTIVE',
    content: {
      ...apiTd.content,
      family: FAMILY,
      containerDefinitions: apiTd.content.containerDefinitions.map((c) => (c.name === 'app' ? { ...c, command: ['alembic', 'upgrade', 'head'] } : c)),
    },
    tags: { team: 'shop', ...ownershipTags('shop-prod', KEY) },
  };
  actual.taskDefinitions[latest.arn] = latest;
  actual.scheduleGroups[GROUP] = { arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${GROUP}`, name: GROUP, state: 'ACTIVE', tags: { 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod' } };
  const schedule: SchedulerSchedule = {
    arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${GROUP}/${NAME}`,
    name: NAME,
    group: GROUP,
    expression: 'cron(0 3 * * ? *)',
    timezone: 'Asia/Tokyo',
    state: 'ENABLED',
    description: `steady: shop-prod ${KEY}`,
    target: {
      arn: CLUSTER_ARN,
      roleArn: ROLE,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
      deadLetterArn: DLQ,
      ecs: {
        taskDefinitionArn: latest.arn,
        taskCount: 1,
        launchType: 'FARGATE',
        network: { subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
        tags: { team: 'shop', ...ownershipTags('shop-prod', KEY) },
      },
    },
    // Changed after last night's fire time: no run was due since.
    createdAt: POLICY.now - 30 * 24 * HOUR,
    modifiedAt: POLICY.now - HOUR,
  };
  actual.scheduledTasks[NAME] = { schedule, latest, runs: [] };
  return { desired, actual };
}

const run = (desired: DesiredEnvironment, actual: ActualState, now = POLICY.now) => plan(desired, actual, policyFor(desired, { now }));
const statusOf = (p: Plan, key = KEY) => p.resources.find((r) => r.resource === key)!;
const actionsOf = (p: Plan, key = KEY) => p.actions.filter((a) => a.resource === key);
const brief = (p: Plan) => p.actions.map((a) => `${a.kind} ${a.id}${a.dependsOn.length ? ` <- ${a.dependsOn.join(',')}` : ''}`);
const scheduleOf = (actual: ActualState) => actual.scheduledTasks[NAME].schedule!;

function task(id: string, over: Partial<EcsTask>): EcsTask {
  return {
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/shop-prod/${id}`,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: TD_ARN(1),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    containers: [],
    tags: {},
    ...over,
  };
}

describe('ScheduledTask planner: the schedule is kept as the spec says', () => {
  it('a schedule in sync plans nothing and says when it runs next', () => {
    const { desired, actual } = nightly();

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: `no run yet; next run ${NEXT}`, diff: [] });
  });

  it("creates steady's group (tagged as the environment's), the task's revision and the schedule with the exact target", () => {
    const { desired, actual } = nightly();
    actual.scheduleGroups[GROUP] = null;
    actual.scheduledTasks[NAME] = { schedule: null, latest: null, runs: [] };
    delete actual.taskDefinitions[TD_ARN(1)];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([
      `CreateScheduleGroup create-group:${GROUP}`,
      `RegisterTaskDefinition register:${KEY}`,
      `CreateSchedule create:${KEY} <- register:${KEY},create-group:${GROUP}`,
    ]);
    const [group, register, create] = p.actions as [Extract<Action, { kind: 'CreateScheduleGroup' }>, Extract<Action, { kind: 'RegisterTaskDefinition' }>, ScheduleAction];
    expect(group).toMatchObject({ resource: KEY, group: GROUP, summary: `create schedule group ${GROUP}`, tags: { team: 'shop', 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod' } });
    expect(group.diff).toEqual([{ path: 'scheduleGroup', before: undefined, after: GROUP }]);
    expect(register.summary).toBe(`register task definition ${FAMILY} for scheduled task ${NAME}`);
    expect(register.tags).toEqual({ team: 'shop', ...ownershipTags('shop-prod', KEY) });
    expect(register.content.family).toBe(FAMILY);
    expect(register.content.containerDefinitions[0]).toMatchObject({ name: 'app', image: `${REPO}@sha256:${'a'.repeat(64)}`, command: ['alembic', 'upgrade', 'head'] });
    expect(create.summary).toBe(`create schedule ${GROUP}/${NAME} (cron(0 3 * * ? *) Asia/Tokyo, runs ${FAMILY}:<new revision>)`);
    expect(create).toMatchObject({ group: GROUP, name: NAME, taskDefinition: { registeredBy: `register:${KEY}` } });
    expect(create.settings).toEqual({
      expression: 'cron(0 3 * * ? *)',
      timezone: 'Asia/Tokyo',
      state: 'ENABLED',
      description: 'steady: shop-prod ScheduledTask/db-migrate-nightly',
      target: {
        arn: CLUSTER_ARN,
        roleArn: ROLE,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
        deadLetterArn: DLQ,
        ecs: { taskDefinitionArn: '', taskCount: 1, launchType: 'FARGATE', network: scheduleOf(nightly().actual).target.ecs!.network, tags: { team: 'shop', ...ownershipTags('shop-prod', KEY) } },
      },
    });
    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'NotFound', message: `schedule ${GROUP}/${NAME} does not exist` });
    expect(statusOf(p).diff[0]).toEqual({ path: 'schedule', before: undefined, after: 'cron(0 3 * * ? *) Asia/Tokyo' });
    expect(statusOf(p).diff.slice(1)).toEqual(register.diff);
  });

  it('a flexible window and a spec without a dead-letter queue are sent as such', () => {
    const { desired, actual } = nightly({ flexibleWindowMinutes: 15, deadLetterQueue: undefined });
    actual.scheduledTasks[NAME].schedule = null;

    const create = run(desired, actual).actions.find((a) => a.kind === 'CreateSchedule') as ScheduleAction;

    expect(create.settings.flexibleWindowMinutes).toBe(15);
    expect('deadLetterArn' in create.settings.target).toBe(false);
    // The revision in sync is reused: nothing is registered, and the schedule runs it.
    expect(create.taskDefinition).toEqual({ arn: TD_ARN(1) });
    expect(create.settings.target.ecs!.taskDefinitionArn).toBe(TD_ARN(1));
    expect(create.dependsOn).toEqual([]);
  });

  it("steady's group is created once, with the first task that creates its schedule, and every task waits for it", () => {
    const { desired, actual } = nightly();
    desired.scheduledTasks.push(nightlyDoc({}, 'cleanup'));
    actual.scheduleGroups[GROUP] = null;
    actual.scheduledTasks[NAME].schedule = null;
    actual.scheduledTasks['cleanup'] = { schedule: null, latest: null, runs: [] };

    const p = run(desired, actual);

    expect(brief(p)).toEqual([
      `CreateScheduleGroup create-group:${GROUP}`,
      `CreateSchedule create:${KEY} <- create-group:${GROUP}`,
      'RegisterTaskDefinition register:ScheduledTask/cleanup',
      `CreateSchedule create:ScheduledTask/cleanup <- register:ScheduledTask/cleanup,create-group:${GROUP}`,
    ]);
  });

  it("a task in a group of its own before the ones in steady's missing group, and three of those: the group is created once, with the first that needs it", () => {
    const { desired, actual } = nightly();
    desired.scheduledTasks = [nightlyDoc({ group: 'jobs' }, 'report'), nightlyDoc({}, 'cleanup'), nightlyDoc({}, 'vacuum'), nightlyDoc({}, 'reindex')];
    actual.scheduleGroups[GROUP] = null;
    actual.scheduleGroups['jobs'] = { arn: 'arn:group/jobs', name: 'jobs', state: 'ACTIVE', tags: {} };
    for (const n of ['report', 'cleanup', 'vacuum', 'reindex']) actual.scheduledTasks[n] = { schedule: null, latest: actual.scheduledTasks[NAME].latest, runs: [] };

    const p = run(desired, actual);

    expect(p.actions.filter((a) => a.kind === 'CreateScheduleGroup').map((a) => a.resource)).toEqual(['ScheduledTask/cleanup']);
    expect(p.actions.filter((a) => a.kind === 'CreateSchedule').map((a) => a.dependsOn.includes(`create-group:${GROUP}`))).toEqual([false, true, true, true]);
  });

  it('a task that creates no schedule creates no group; the next one that does creates it', () => {
    const { desired, actual } = nightly();
    desired.scheduledTasks.unshift(nightlyDoc({ fromService: 'gone' }, 'broken'));
    actual.scheduleGroups[GROUP] = null;
    actual.scheduledTasks['broken'] = { schedule: null, latest: null, runs: [] };
    actual.scheduledTasks[NAME].schedule = null;

    const p = run(desired, actual);

    expect(actionsOf(p, 'ScheduledTask/broken')).toEqual([]);
    expect(statusOf(p, 'ScheduledTask/broken')).toMatchObject({ phase: 'Failed', reason: 'InvalidSpec', message: 'scheduled task broken names no task definition and no service' });
    expect(brief(p)).toEqual([`CreateScheduleGroup create-group:${GROUP}`, `CreateSchedule create:${KEY} <- create-group:${GROUP}`]);
    expect(p.actions[0].resource).toBe(KEY);
  });

  it('a schedule in a group of its own needs no group of steady', () => {
    const { desired, actual } = nightly({ group: 'jobs' });
    actual.scheduleGroups[GROUP] = null;
    actual.scheduleGroups['jobs'] = { arn: 'arn:group/jobs', name: 'jobs', state: 'ACTIVE', tags: {} };
    actual.scheduledTasks[NAME].schedule = null;

    expect(brief(run(desired, actual))).toEqual([`CreateSchedule create:${KEY}`]);
  });

  it("a pushed image registers a new revision and moves the schedule's target to it (a stale target revision)", () => {
    const { desired, actual } = nightly();
    actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
    actual.scheduledTasks[NAME].latest!.tags[TAG_LAST_RUN] = 'fire=2025-12-31T18:00:00.000Z result=succeeded task=t1 exit=0 seconds=20';

    const p = run(desired, actual);

    expect(brief({ ...p, actions: actionsOf(p) })).toEqual([`RegisterTaskDefinition register:${KEY}`, `UpdateSchedule update:${KEY} <- register:${KEY}`]);
    const [register, update] = actionsOf(p) as [Extract<Action, { kind: 'RegisterTaskDefinition' }>, Action];     // The last run's record goes with the new revision: it is the family's latest from now on.
    expect(register.tags[TAG_LAST_RUN]).toBe('fire=2025-12-31T18:00:00.000Z result=succeeded task=t1 exit=0 seconds=20');
    expect(register.diff).toEqual([{ path: 'taskDefinition.containers[app].image', before: `${REPO}@sha256:${'a'.repeat(64)}`, after: `${REPO}@${DIGEST_B}`, specValue: `${REPO}:latest` }]);
    expect(update.summary).toBe(`update schedule ${GROUP}/${NAME}: taskDefinition ${FAMILY}:1 -> ${FAMILY}:<new revision>`);
    expect(statusOf(p)).toMatchObject({
      phase: 'Drifted',
      reason: 'TargetRevisionStale',
      message: `the schedule runs ${FAMILY}:1, a stale revision: the spec's images are in ${FAMILY}:<new revision>`,
      diff: [{ path: 'taskDefinition', before: `${FAMILY}:1`, after: `${FAMILY}:<new revision>` }],
    });
  });

  it("the family's latest ACTIVE revision with the wanted content is reused; an INACTIVE one is not", () => {
    const { desired, actual } = nightly();
    const t = actual.scheduledTasks[NAME];
    t.schedule!.target.ecs!.taskDefinitionArn = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:7';

    let p = run(desired, actual);
    expect(brief(p)).toEqual([`UpdateSchedule update:${KEY}`]);
    expect((p.actions[0] as ScheduleAction).taskDefinition).toEqual({ arn: TD_ARN(1) });
    expect(statusOf(p).message).toBe(`the schedule runs shop-api:7, a stale revision: the spec's images are in ${FAMILY}:1`);

    t.latest!.status = 'INACTIVE';
    p = run(desired, actual);
    expect(brief(p)).toEqual([`RegisterTaskDefinition register:${KEY}`, `UpdateSchedule update:${KEY} <- register:${KEY}`]);
  });

  it("a schedule whose revision has the wanted content keeps it, whatever the family's latest revision holds: nothing is registered", () => {
    const { desired, actual } = nightly();
    const t = actual.scheduledTasks[NAME];
    const later = { ...t.latest!, arn: TD_ARN(2), revision: 2, content: { ...t.latest!.content, cpu: '512' } };
    actual.taskDefinitions[later.arn] = later;
    t.latest = later;

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });
  });

  it('a schedule edited by hand is set back field by field, the message naming each', () => {
    const { desired, actual } = nightly();
    const s = scheduleOf(actual);
    s.expression = 'cron(0 4 * * ? *)';
    s.state = 'DISABLED';
    s.flexibleWindowMinutes = 5;
    s.target.retryPolicy = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 };

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`UpdateSchedule update:${KEY}`]);
    const what =
      'schedule cron(0 4 * * ? *) -> cron(0 3 * * ? *), enabled false -> true, flexibleWindowMinutes 5 -> -, ' +
      'retryPolicy {"maximumEventAgeSeconds":86400,"maximumRetryAttempts":185} -> {"maximumEventAgeSeconds":3600,"maximumRetryAttempts":3}';
    expect(p.actions[0].summary).toBe(`update schedule ${GROUP}/${NAME}: ${what}`);
    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'ScheduleDiffers', message: what });
    expect(statusOf(p).diff.map((d) => d.path)).toEqual(['schedule', 'enabled', 'flexibleWindowMinutes', 'retryPolicy']);
  });

  it('a target on a capacity provider strategy keeps it: its launch type is no drift', () => {
    const { desired, actual } = nightly();
    const ecs = scheduleOf(actual).target.ecs!;
    delete ecs.launchType;
    ecs.capacityProviderStrategy = true;

    expect(brief(run(desired, actual))).toEqual([]);

    ecs.capacityProviderStrategy = undefined;
    const p = run(desired, actual);
    expect(statusOf(p).diff).toEqual([{ path: 'launchType', before: undefined, after: 'FARGATE' }]);
  });

  it('a schedule with no ECS target is set to run the task', () => {
    const { desired, actual } = nightly();
    delete scheduleOf(actual).target.ecs;

    const p = run(desired, actual);

    expect(statusOf(p).diff.map((d) => `${d.path}: ${d.before ?? '-'} -> ${d.after}`)).toEqual([
      `taskDefinition: - -> ${FAMILY}:1`,
      'taskCount: - -> 1',
      'launchType: - -> FARGATE',
      'network: - -> {"assignPublicIp":"DISABLED","securityGroups":["sg-0123456789abcdef0"],"subnets":["subnet-0aaaaaaaaaaaaaaaa","subnet-0bbbbbbbbbbbbbbbb"]}',
      'tags: - -> {"steady:environment":"shop-prod","steady:managed-by":"steady","steady:resource":"ScheduledTask/db-migrate-nightly","team":"shop"}',
    ]);
    expect(statusOf(p).reason).toBe('ScheduleDiffers');
  });

  it('with its own task definition, the network and the tags of the spec are used', () => {
    const { desired } = nightly();
    const own = nightlyDoc({
      fromService: undefined,
      command: undefined,
      network: { subnets: ['subnet-0ccccccccccccccc1'], securityGroups: ['sg-0ccccccccccccccc1'] },
      taskDefinition: { family: 'reports', cpu: 256, memory: 512, containers: [{ name: 'job', image: 'public.ecr.aws/acme/report:1', command: ['report'] }], tags: { cost: 'reports' } },
      tags: { owner: 'data' },
    });
    desired.scheduledTasks = [own];
    const actual = syncedActual(desired);
    actual.images['public.ecr.aws/acme/report:1'] = { kind: 'unpinnable' };
    actual.scheduleGroups[GROUP] = nightly().actual.scheduleGroups[GROUP];
    actual.scheduledTasks[NAME] = { schedule: null, latest: null, runs: [] };

    const p = run(desired, actual);

    const [register, create] = p.actions as [Extract<Action, { kind: 'RegisterTaskDefinition' }>, ScheduleAction];
    expect(register.content.containerDefinitions).toMatchObject([{ name: 'job', image: 'public.ecr.aws/acme/report:1', command: ['report'] }]);
    expect(register.tags).toEqual({ team: 'shop', owner: 'data', cost: 'reports', ...ownershipTags('shop-prod', KEY) });
    expect(register.summary).toBe(`register task definition reports for scheduled task ${NAME}`);
    expect(create.settings.target.ecs!.network).toEqual({ subnets: ['subnet-0ccccccccccccccc1'], securityGroups: ['sg-0ccccccccccccccc1'], assignPublicIp: 'DISABLED' });
    expect(create.settings.target.ecs!.tags).toEqual({ team: 'shop', owner: 'data', ...ownershipTags('shop-prod', KEY) });
  });

  it('the command runs in the container the spec names, else the first essential one', () => {
    const { desired, actual } = nightly();
    const td = desired.services[0].spec.taskDefinition;
    td.containers.unshift({ ...td.containers[0], name: 'sidecar', essential: false });
    actual.scheduledTasks[NAME] = { schedule: null, latest: null, runs: [] };

    let register = actionsOf(run(desired, actual)).find((a) => a.kind === 'RegisterTaskDefinition') as Extract<Action, { kind: 'RegisterTaskDefinition' }>;
    expect(register.content.containerDefinitions.map((c) => `${c.name}: ${c.command?.join(' ') ?? '-'}`)).toEqual(['sidecar: -', 'app: alembic upgrade head']);

    desired.scheduledTasks[0].spec.container = 'sidecar';
    register = actionsOf(run(desired, actual)).find((a) => a.kind === 'RegisterTaskDefinition') as Extract<Action, { kind: 'RegisterTaskDefinition' }>;
    expect(register.content.containerDefinitions.map((c) => `${c.name}: ${c.command?.join(' ') ?? '-'}`)).toEqual(['sidecar: alembic upgrade head', 'app: -']);
  });
});

describe('ScheduledTask planner: ownership', () => {
  it('a schedule of the same name steady manages for another environment or task is a Conflict, whatever adopt says', () => {
    for (const adopt of [false, true]) {
      const { desired, actual } = nightly({ adopt });
      scheduleOf(actual).description = scheduleMarker('shop-staging', NAME);
      scheduleOf(actual).expression = 'cron(0 5 * * ? *)';

      const p = run(desired, actual);

      expect(actionsOf(p)).toEqual([]);
      expect(statusOf(p)).toMatchObject({
        phase: 'Failed',
        reason: 'Conflict',
        message: `schedule ${GROUP}/${NAME} is managed by steady for shop-staging ScheduledTask/${NAME}; steady leaves it alone`,
      });
    }
  });

  it('a schedule steady did not create is a Conflict without adopt: true, and adopted with it', () => {
    const { desired, actual } = nightly();
    scheduleOf(actual).description = 'alembic nightly (set up by hand)';

    let p = run(desired, actual);
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'Conflict',
      message: `schedule ${GROUP}/${NAME} exists but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`,
    });

    desired.scheduledTasks[0].spec.adopt = true;
    p = run(desired, actual);
    expect(brief(p)).toEqual([`UpdateSchedule update:${KEY}`]);
    const what = `description alembic nightly (set up by hand) -> steady: shop-prod ${KEY}`;
    expect(p.actions[0].summary).toBe(`adopt and update schedule ${GROUP}/${NAME}: ${what}`);
    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'Adopt', message: `adopt schedule: ${what}` });
  });

  it("a schedule without a description is not steady's", () => {
    const { desired, actual } = nightly();
    delete scheduleOf(actual).description;

    expect(statusOf(run(desired, actual))).toMatchObject({ phase: 'Failed', reason: 'Conflict', message: expect.stringContaining('exists but steady did not create it') });
  });

  it.each([
    ['not tagged as steady\'s', {}],
    ['tagged for another environment', { 'steady:managed-by': 'steady', 'steady:environment': 'shop-staging' }],
    ['tagged by something else for this environment', { 'steady:managed-by': 'terraform', 'steady:environment': 'shop-prod' }],
  ])("steady's group %s is a Conflict, and nothing is created in it", (_what, tags) => {
    const { desired, actual } = nightly();
    actual.scheduleGroups[GROUP]!.tags = tags;
    actual.scheduledTasks[NAME].schedule = null;

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'Conflict',
      message: `schedule group ${GROUP} exists but is not steady's for environment shop-prod (tags steady:managed-by=steady, steady:environment=shop-prod); steady leaves it alone. Tag it so, or set spec.group`,
    });
  });

  it("another group is used as it is, whoever's it is, but it must exist", () => {
    const { desired, actual } = nightly({ group: 'jobs' });
    actual.scheduleGroups['jobs'] = null;
    actual.scheduledTasks[NAME].schedule = null;

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'ScheduleGroupNotFound',
      message: 'schedule group jobs does not exist; steady creates only its own group steady-shop-prod',
    });
  });

  it('the last run is recorded on the latest revision only when that revision is steady\'s for this task', () => {
    const { desired, actual } = nightly();
    const t = actual.scheduledTasks[NAME];
    t.schedule!.modifiedAt = POLICY.now - 2 * 24 * HOUR;
    t.runs = [task('t1', { createdAt: LAST_NIGHT + 5_000, startedAt: LAST_NIGHT + 10_000, stoppedAt: LAST_NIGHT + 30_000, containers: [{ name: 'app', exitCode: 0 }] })];

    let p = run(desired, actual);
    expect(brief(p)).toEqual([`TagResource record:${KEY}`]);
    expect(p.actions[0]).toMatchObject({
      arn: TD_ARN(1),
      purpose: 'record',
      summary: `remember the last run of scheduled task ${NAME} on ${FAMILY}:1`,
      diff: [],
      tags: { [TAG_LAST_RUN]: 'fire=2025-12-31T18:00:00.000Z result=succeeded task=t1 exit=0 seconds=20' },
    });
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: `the last run (due 2026-01-01 03:00 Asia/Tokyo) succeeded after 20 s (task t1); next run ${NEXT}` });

    t.latest!.tags = { ...ownershipTags('shop-staging', KEY) };
    p = run(desired, actual);
    expect(brief(p)).toEqual([]);

    // Recorded already: nothing to write.
    t.latest!.tags = { ...ownershipTags('shop-prod', KEY), [TAG_LAST_RUN]: 'fire=2025-12-31T18:00:00.000Z result=succeeded task=t1 exit=0 seconds=20' };
    expect(brief(run(desired, actual))).toEqual([]);
  });
});

describe('ScheduledTask planner: the runs', () => {
  function withRuns(runs: EcsTask[], spec: Record<string, unknown> = {}) {
    const c = nightly(spec);
    c.actual.scheduledTasks[NAME].schedule!.modifiedAt = POLICY.now - 2 * 24 * HOUR;
    c.actual.scheduledTasks[NAME].runs = runs;
    return c;
  }

  it('a run that exited non-zero is Failed with its exit code, duration and task, and recorded', () => {
    const { desired, actual } = withRuns([task('t2', { createdAt: LAST_NIGHT + 5_000, startedAt: LAST_NIGHT + 10_000, stoppedAt: LAST_NIGHT + 70_000, stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 1 }] })]);

    const p = run(desired, actual);

    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'RunFailed',
      message: `the run due 2026-01-01 03:00 Asia/Tokyo failed: exit code 1 after 60 s (task t2); next run ${NEXT}`,
      diff: [{ path: 'runs[2026-01-01 03:00 Asia/Tokyo]', before: 'succeeded', after: 'exit code 1 after 60 s (task t2)' }],
    });
    expect((p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_LAST_RUN]).toBe('fire=2025-12-31T18:00:00.000Z result=failed task=t2 exit=1 stop=EssentialContainerExited seconds=60');
  });

  it("a run whose task stopped without an exit code is Failed with ECS's reason; the decisive container is the command's", () => {
    const stopped = task('t8', {
      createdAt: LAST_NIGHT + 5_000,
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull access denied',
      // A sidecar's exit code does not decide.
      containers: [{ name: 'log-router', exitCode: 0 }, { name: 'app' }],
    });
    const { desired, actual } = withRuns([stopped]);

    let p = run(desired, actual);
    expect(statusOf(p).message).toBe(`the run due 2026-01-01 03:00 Asia/Tokyo failed: CannotPullContainerError: pull access denied (task t8); next run ${NEXT}`);
    expect((p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_LAST_RUN]).toBe('fire=2025-12-31T18:00:00.000Z result=failed task=t8 stop=TaskFailedToStart');

    delete stopped.stoppedReason;
    p = run(desired, actual);
    expect(statusOf(p).message).toBe(`the run due 2026-01-01 03:00 Asia/Tokyo failed: the task stopped without an exit code (task t8); next run ${NEXT}`);
  });

  it('a run due within the hour ECS keeps its tasks that never started is missed, naming the role and the dead-letter queue', () => {
    const { desired, actual } = withRuns([]);
    const now = LAST_NIGHT + 20 * 60_000;

    let p = run(desired, actual, now);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'RunMissed',
      message: `the run due 2026-01-01 03:00 Asia/Tokyo did not start: no ECS task within its window; check that the schedule's role may call ecs:RunTask and pass the task's roles, and the dead-letter queue ${DLQ}; next run ${NEXT}`,
      diff: [{ path: 'runs[2026-01-01 03:00 Asia/Tokyo]', before: 'started', after: 'did not start' }],
    });
    expect(brief(p)).toEqual([`TagResource record:${KEY}`]);

    desired.scheduledTasks[0].spec.deadLetterQueue = undefined;
    scheduleOf(actual).target.deadLetterArn = undefined;
    p = run(desired, actual, now);
    expect(statusOf(p).message).toBe(
      `the run due 2026-01-01 03:00 Asia/Tokyo did not start: no ECS task within its window; check that the schedule's role may call ecs:RunTask and pass the task's roles; next run ${NEXT}`,
    );
  });

  it('a run due longer ago than ECS keeps tasks, with no record, is unknown: a note, not a failure', () => {
    const { desired, actual } = withRuns([]);

    const p = run(desired, actual);

    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: `no run yet; next run ${NEXT}` });
    expect(statusOf(p).notes).toEqual(['no pass saw the run due 2026-01-01 03:00 Asia/Tokyo and ECS no longer lists its task, so steady cannot tell whether it ran']);
  });

  it('a run under way is Synced and Running', () => {
    const { desired, actual } = withRuns([task('t3', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING', createdAt: LAST_NIGHT + 5_000 })]);

    const p = run(desired, actual);

    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Running', message: `the run due 2026-01-01 03:00 Asia/Tokyo is running (task t3); next run ${NEXT}` });
    expect(brief(p)).toEqual([]);
  });

  it('two runs at once are a failure only with overlap: report', () => {
    const runs = [
      task('t4', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING', createdAt: LAST_NIGHT + 5_000 }),
      task('t5', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING', createdAt: LAST_NIGHT - 24 * HOUR + 5_000 }),
    ];
    let { desired, actual } = withRuns(runs, { overlap: 'report' });
    expect(statusOf(run(desired, actual))).toMatchObject({
      phase: 'Failed',
      reason: 'RunsOverlap',
      message:
        '2 runs at once: task t4 (due 2026-01-01 03:00 Asia/Tokyo), task t5 (due 2025-12-31 03:00 Asia/Tokyo); Scheduler starts a run at every fire time, even while the last one runs',
    });

    ({ desired, actual } = withRuns(runs));
    expect(statusOf(run(desired, actual))).toMatchObject({ phase: 'Synced', reason: 'Running' });

    ({ desired, actual } = withRuns(runs.slice(0, 1), { overlap: 'report' }));
    expect(statusOf(run(desired, actual))).toMatchObject({ phase: 'Synced', reason: 'Running' });
  });

  it('a disabled schedule is Synced as Disabled, with its last run, and nothing runs next', () => {
    const { desired, actual } = withRuns([task('t6', { createdAt: LAST_NIGHT + 5_000, startedAt: LAST_NIGHT + 10_000, stoppedAt: LAST_NIGHT + 30_000, containers: [{ name: 'app', exitCode: 0 }] })], { enabled: false });
    scheduleOf(actual).state = 'DISABLED';

    let p = run(desired, actual);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Disabled', message: 'the schedule is disabled: nothing runs; the last run (due 2026-01-01 03:00 Asia/Tokyo) succeeded after 20 s (task t6)' });

    actual.scheduledTasks[NAME].runs = [];
    p = run(desired, actual);
    expect(statusOf(p).message).toBe('the schedule is disabled: nothing runs');
  });

  it('a failed run is still reported while the schedule is being updated, as a note', () => {
    const { desired, actual } = withRuns([task('t7', { createdAt: LAST_NIGHT + 5_000, containers: [{ name: 'app', exitCode: 2 }] })]);
    scheduleOf(actual).target.roleArn = `arn:aws:iam::${ACCOUNT}:role/by-hand`;

    const p = run(desired, actual);

    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'ScheduleDiffers', notes: [`the run due 2026-01-01 03:00 Asia/Tokyo failed: exit code 2 (task t7); next run ${NEXT}`] });

    actual.scheduledTasks[NAME].runs = [];
    expect(statusOf(run(desired, actual)).notes).toBeUndefined();
  });
});

describe('ScheduledTask planner: what is missing or unreadable changes nothing', () => {
  it('a missing cluster fails the task with where to fix it', () => {
    const { desired, actual } = nightly();
    actual.cluster = null;

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'ClusterNotFound' });
  });

  it('a task that could not be observed, or a group that could not be read, blocks it', () => {
    const { desired, actual } = nightly();
    actual.scheduleGroups[GROUP] = undefined as never;
    delete actual.scheduleGroups[GROUP];

    let p = run(desired, actual);
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: `schedule group ${GROUP} could not be read; nothing is changed this pass` });

    delete actual.scheduledTasks[NAME];
    p = run(desired, actual);
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: `scheduled task ${NAME} could not be observed; nothing is changed this pass` });
  });

  it('something it depends on that could not be read blocks it', () => {
    const { desired, actual } = nightly();
    actual.unreadable.push({ what: 'schedule', awsName: 'ThrottlingException', message: 'Rate exceeded', affects: [KEY] } as never);

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'could not read schedule (ThrottlingException: Rate exceeded); nothing that depends on it is changed this pass' });
  });

  it('an image ECR does not have fails the task; nothing is registered', () => {
    const { desired, actual } = nightly();
    actual.images[`${REPO}:latest`] = { kind: 'notFound', awsName: 'ImageNotFoundException', message: 'no such image' };

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'ImageNotFound' });
  });

  it("a revision of the family registered by hand with content the spec cannot express blocks a new registration", () => {
    const { desired, actual } = nightly();
    actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
    const latest = actual.scheduledTasks[NAME].latest!;
    (latest.content as Record<string, unknown>).ipcMode = 'task';

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(statusOf(p).message).toMatch(new RegExp(`^the latest revision of task definition family ${FAMILY} is ${FAMILY}:1, which has content the spec language cannot express: ipcMode\. `));
    expect(statusOf(p).diff).toEqual([{ path: 'taskDefinition.ipcMode', before: 'task', after: undefined }]);
  });
});
