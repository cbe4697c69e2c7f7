/**
 * ScheduledTasks as scenarios on the simulated account: the shop's `db-migrate-nightly` (alembic
 * upgrade head at 03:00 Asia/Tokyo, from the api's task definition) is created, kept on the api's
 * image, changed, healed, disabled, adopted, refused, and its runs, which the simulated Scheduler
 * starts on the simulated clock, are reported: a failed run once, a missed run, overlapping runs.
 */
import { CreateScheduleCommand, GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { AlertState } from './model/alerts.js';
import type { PassResult } from './model/pass.js';
import { TAG_LAST_RUN } from './model/plan.js';
import { buildReport } from './report/model.js';
import { decideNotifications, settleAlerts } from './report/noise.js';
import { isMutating } from './sim/account.js';
import { converged, mark } from './testing/passes.js';
import { world, type World } from './testing/world.js';

const ACCOUNT = '123456789012';
const REGISTRY = `${ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com`;
const GROUP = 'steady-shop-prod';
const NAME = 'db-migrate-nightly';
const FAMILY = 'shop-api-db-migrate-nightly';
const KEY = 'ScheduledTask/db-migrate-nightly';
/** 03:00 in Tokyo on 2 January 2026 (the simulated clock starts at 2026-01-01 00:00 UTC). */
const FIRST_NIGHT = Date.parse('2026-01-01T18:00:00Z');
const DAY = 86_400_000;

const statusOf = (result: PassResult) => result.resources.find((r) => r.resource === KEY)!;
const schedule = (w: World) => w.account.scheduler.schedule(GROUP, NAME)!;
const nightly = (w: World) => w.desired.scheduledTasks.find((t) => t.metadata.name === NAME)!;
const image = (w: World, arn: string) =>
  (w.account.ecs.operations.DescribeTaskDefinition({ taskDefinition: arn }) as any).taskDefinition.containerDefinitions.find((c: any) => c.name === 'app');

async function expectQuiet(w: World): Promise<PassResult> {
  const m = mark(w);
  const { result } = await w.pass();
  expect(result.plan!.actions.map((a) => a.summary)).toEqual([]);
  expect(m.mutations()).toEqual([]);
  return result;
}

/** Runs the noise control over consecutive passes, as the notifier does: which passes announce what. */
function announcer() {
  let open: AlertState[] = [];
  return (result: PassResult): string[] => {
    const decision = decideNotifications(buildReport(result), open, { now: result.finishedAt, channels: ['slack'] });
    const { upserts, removed } = settleAlerts(decision, [], open);
    open = [...open.filter((a) => !removed.includes(a.key) && !upserts.some((u) => u.key === a.key)), ...upserts];
    return decision.notifications.filter((n) => n.resource === KEY).map((n) => `${n.kind}: ${n.summary}`);
  };
}

describe('ScheduledTask: the schedule is kept as the spec says', () => {
  it('creates its group (tagged as steady\'s), a revision pinned to the digest with the command, and the schedule with the exact RunTask target', async () => {
    const w = await world('shop-prod');
    const m = mark(w);

    const { result } = await w.pass();

    expect(m.mutations().filter((c) => c.startsWith('scheduler:'))).toEqual(['scheduler:CreateScheduleGroup', 'scheduler:CreateSchedule']);
    const group = w.account.scheduler.listTagsForResource({ ResourceArn: `arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule-group/${GROUP}` }).Tags;
    expect(group).toEqual(expect.arrayContaining([{ Key: 'steady:managed-by', Value: 'steady' }, { Key: 'steady:environment', Value: 'shop-prod' }]));
    const s = schedule(w);
    const targetArn = s.Target!.EcsParameters!.TaskDefinitionArn!;
    expect(targetArn).toBe(`arn:aws:ecs:ap-northeast-1:${ACCOUNT}:task-definition/${FAMILY}:1`);
    expect(image(w, targetArn)).toMatchObject({ image: expect.stringMatching(new RegExp(`^${REGISTRY}/shop-api@sha256:[0-9a-f]{64}$`)), command: ['alembic', 'upgrade', 'head'] });
    expect(s).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      State: 'ENABLED',
      Description: 'steady: shop-prod ScheduledTask/db-migrate-nightly',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:cluster/shop-prod`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: `arn:aws:sqs:ap-northeast-1:${ACCOUNT}:shop-prod-scheduler-dlq` },
        EcsParameters: {
          TaskDefinitionArn: targetArn,
          TaskCount: 1,
          LaunchType: 'FARGATE',
          NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'], SecurityGroups: ['sg-0c3d4e5f607182930'], AssignPublicIp: 'DISABLED' } },
          Tags: expect.arrayContaining([{ 'steady:resource': KEY }, { 'steady:environment': 'shop-prod' }, { 'steady:managed-by': 'steady' }, { team: 'shop' }]),
        },
      },
    });
    expect(statusOf((await w.pass()).result)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'no run yet; next run 2026-01-02 03:00 Asia/Tokyo' });
    expect(statusOf(result)).toMatchObject({ phase: 'Synced', reason: 'Healed' });
    await expectQuiet(w);
  });

  it('a pushed image registers a new revision and moves the schedule\'s target to it (a stale target revision is drift)', async () => {
    const w = await converged();
    const digest = w.account.ecr.push('shop-api', 'latest');
    const m = mark(w);

    const { result } = await w.pass();

    const planned = result.plan!.resources.find((r) => r.resource === KEY)!;
    expect(planned).toMatchObject({ phase: 'Drifted', reason: 'TargetRevisionStale' });
    expect(planned.message).toBe(`the schedule runs ${FAMILY}:1, a stale revision: the spec's images are in ${FAMILY}:<new revision>`);
    const targetArn = schedule(w).Target!.EcsParameters!.TaskDefinitionArn!;
    expect(targetArn).toMatch(new RegExp(`task-definition/${FAMILY}:2$`));
    expect(image(w, targetArn).image).toBe(`${REGISTRY}/shop-api@${digest}`);
    expect(m.calls().filter((c) => c.operation === 'UpdateSchedule')).toHaveLength(1);
    expect(statusOf(result)).toMatchObject({ phase: 'Synced', reason: 'Healed' });
    w.advance(600_000);
    await expectQuiet(w);
  });

  it('a pushed image registers nothing over a revision of its family registered by hand with content the spec cannot express', async () => {
    const w = await converged();
    const current = (w.account.ecs.operations.DescribeTaskDefinition({ taskDefinition: `${FAMILY}:1` }) as any).taskDefinition;
    const { taskDefinitionArn: _a, revision: _r, status: _s, registeredAt: _at, registeredBy: _by, compatibilities: _c, requiresAttributes: _ra, ...content } = current;
    // A field ECS added after this version of steady (the spec can say every field Fargate has today).
    await w.account.clients().ecs.send(new RegisterTaskDefinitionCommand({ ...content, futureTaskSetting: { level: 100 } } as never));
    w.account.ecr.push('shop-api', 'latest');
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result)).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(statusOf(result).message).toContain(`the latest revision of task definition family ${FAMILY} is ${FAMILY}:2, which has content the spec language cannot express: futureTaskSetting`);
    expect(m.calls().filter((c) => c.operation === 'RegisterTaskDefinition' && c.input.family === FAMILY)).toEqual([]);
    expect(m.mutations().filter((c) => c.startsWith('scheduler:'))).toEqual([]);
    expect(schedule(w).Target!.EcsParameters!.TaskDefinitionArn).toMatch(new RegExp(`task-definition/${FAMILY}:1$`));
  });

  it('a changed schedule in the spec is one UpdateSchedule of the expression, and what steady does not manage is kept', async () => {
    const w = await converged();
    // Someone set an end date on the schedule (steady does not manage it).
    const scheduler = w.account.clients().scheduler;
    const end = new Date('2027-01-01T00:00:00Z');
    await scheduler.send(new UpdateScheduleCommand({ ...(schedule(w) as any), Arn: undefined, CreationDate: undefined, LastModificationDate: undefined, EndDate: end }));
    nightly(w).spec.schedule = 'cron(30 4 * * ? *)';
    const m = mark(w);

    const { result } = await w.pass();

    expect(m.mutations()).toEqual(['scheduler:UpdateSchedule']);
    expect(result.plan!.actions.map((a) => a.summary)).toEqual([`update schedule ${GROUP}/${NAME}: schedule cron(0 3 * * ? *) -> cron(30 4 * * ? *)`]);
    expect(schedule(w)).toMatchObject({ ScheduleExpression: 'cron(30 4 * * ? *)', EndDate: end });
    await expectQuiet(w);
  });

  it('a schedule edited by hand is healed; in observe mode it is reported and left as it is', async () => {
    const w = await converged();
    const scheduler = w.account.clients().scheduler;
    const edited = { ...(schedule(w) as any), Arn: undefined, CreationDate: undefined, LastModificationDate: undefined, State: 'DISABLED', ScheduleExpression: 'cron(0 5 * * ? *)' };
    await scheduler.send(new UpdateScheduleCommand(edited));

    w.desired.environment.spec.mode = 'observe';
    const o = mark(w);
    const { result: observed } = await w.pass();
    expect(o.mutations()).toEqual([]);
    expect(statusOf(observed)).toMatchObject({ phase: 'Drifted', reason: 'ScheduleDiffers' });
    expect(statusOf(observed).diff).toEqual([
      { path: 'schedule', before: 'cron(0 5 * * ? *)', after: 'cron(0 3 * * ? *)' },
      { path: 'enabled', before: 'false', after: 'true' },
    ]);
    expect(schedule(w).State).toBe('DISABLED');

    w.desired.environment.spec.mode = 'enforce';
    const { result: healed } = await w.pass();
    expect(statusOf(healed)).toMatchObject({ phase: 'Synced', reason: 'Healed' });
    expect(schedule(w)).toMatchObject({ State: 'ENABLED', ScheduleExpression: 'cron(0 3 * * ? *)' });
    expect(healed.drift.find((d) => d.resource === KEY)?.healedAt).toBeDefined();
  });

  it('enabled: false disables the schedule: nothing runs, and no run is missed', async () => {
    const w = await converged();
    nightly(w).spec.enabled = false;
    await w.pass();
    expect(schedule(w).State).toBe('DISABLED');

    w.account.clock.advanceTo(FIRST_NIGHT + DAY);
    expect(w.account.scheduler.invocations).toEqual([]);
    const result = await expectQuiet(w);
    expect(statusOf(result)).toMatchObject({ phase: 'Synced', reason: 'Disabled', message: 'the schedule is disabled: nothing runs' });
  });
});

describe('ScheduledTask: its runs are reported', () => {
  // Durations are ECS's, from startedAt (RUNNING) to stoppedAt: the 20 s the container runs plus stopping.
  it('a nightly run that succeeds is Synced with its exit code and duration, and is recorded before ECS forgets it', async () => {
    const w = await converged();
    w.account.clock.advanceTo(FIRST_NIGHT + 5 * 60_000);
    const m = mark(w);

    const { result } = await w.pass();

    const task = w.account.ecs.allTasks().find((t) => t.taskDefinitionArn!.includes(FAMILY))!;
    const id = task.taskArn!.slice(task.taskArn!.lastIndexOf('/') + 1);
    expect(statusOf(result)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: `the last run (due 2026-01-02 03:00 Asia/Tokyo) succeeded after 30 s (task ${id}); next run 2026-01-03 03:00 Asia/Tokyo` });
    expect(m.mutations()).toEqual(['ecs:TagResource']);
    const latest = w.account.ecs.operations.DescribeTaskDefinition({ taskDefinition: FAMILY, include: ['TAGS'] }) as any;
    expect(latest.tags).toContainEqual({ key: TAG_LAST_RUN, value: `fire=2026-01-01T18:00:00.000Z result=succeeded task=${id} exit=0 seconds=30` });
    await expectQuiet(w);
  });

  it('a run that exits 1 is Failed with its exit code, announced once (not every pass), still known after ECS forgot the task, and healed by the next good run', async () => {
    const w = await converged();
    const announce = announcer();
    w.account.ecs.setTaskOutcome({ family: FAMILY }, { exitCode: 1, runMs: 90_000 });
    w.account.clock.advanceTo(FIRST_NIGHT + 5 * 60_000);

    const { result: first } = await w.pass();
    const task = w.account.ecs.allTasks().find((t) => t.taskDefinitionArn!.includes(FAMILY))!;
    const id = task.taskArn!.slice(task.taskArn!.lastIndexOf('/') + 1);
    const failed = `the run due 2026-01-02 03:00 Asia/Tokyo failed: exit code 1 after 100 s (task ${id}); next run 2026-01-03 03:00 Asia/Tokyo`;
    expect(statusOf(first)).toMatchObject({ phase: 'Failed', reason: 'RunFailed', message: failed });
    expect(statusOf(first).diff).toEqual([{ path: 'runs[2026-01-02 03:00 Asia/Tokyo]', before: 'succeeded', after: `exit code 1 after 100 s (task ${id})` }]);
    expect(announce(first)).toEqual([`failed: ${failed}`]);

    // Later passes: the same failure, nothing new to say; two hours on, ECS has forgotten the task and the record tells.
    for (const later of [5 * 60_000, 2 * 3_600_000]) {
      w.advance(later);
      const m = mark(w);
      const { result } = await w.pass();
      expect(m.mutations()).toEqual([]);
      expect(statusOf(result)).toMatchObject({ phase: 'Failed', reason: 'RunFailed', message: failed });
      expect(announce(result)).toEqual([]);
    }
    expect(w.account.ecs.allTasks().some((t) => t.taskArn === task.taskArn)).toBe(false);

    // The fix is deployed; the next night's run succeeds and the failure is announced healed.
    w.account.ecs.setTaskOutcome({ family: FAMILY }, { exitCode: 0 });
    w.account.clock.advanceTo(FIRST_NIGHT + DAY + 5 * 60_000);
    const { result: healed } = await w.pass();
    expect(statusOf(healed)).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });
    expect(announce(healed)).toEqual([expect.stringMatching(/^healed: /)]);
  });

  it('a run that never started (the schedule\'s role may not run the task) is reported missed', async () => {
    const w = await converged();
    w.account.scheduler.failInvocations({ name: NAME }, 'AccessDeniedException');
    w.account.clock.advanceTo(FIRST_NIGHT + 10 * 60_000);

    const { result } = await w.pass();

    expect(statusOf(result)).toMatchObject({ phase: 'Failed', reason: 'RunMissed' });
    expect(statusOf(result).message).toBe(
      'the run due 2026-01-02 03:00 Asia/Tokyo did not start: no ECS task within its window; check that the schedule\'s role may call ecs:RunTask and pass the task\'s roles, ' +
        `and the dead-letter queue arn:aws:sqs:ap-northeast-1:${ACCOUNT}:shop-prod-scheduler-dlq; next run 2026-01-03 03:00 Asia/Tokyo`,
    );
    expect(w.account.scheduler.deadLetters.map((d) => [d.schedule, d.attempts, d.error])).toEqual([[`${GROUP}/${NAME}`, 4, 'AccessDeniedException']]);
    // Recorded, so it stays reported once ECS could no longer have told.
    w.advance(3 * 3_600_000);
    expect(statusOf((await w.pass()).result)).toMatchObject({ phase: 'Failed', reason: 'RunMissed' });
  });

  it('with overlap: report, two runs at once are a failure', async () => {
    const w = await converged();
    w.account.ecs.setTaskOutcome({ family: FAMILY }, { exitCode: 0, runMs: 30 * 3_600_000 });
    w.account.clock.advanceTo(FIRST_NIGHT + DAY + 60_000);

    const { result } = await w.pass();

    expect(statusOf(result)).toMatchObject({ phase: 'Failed', reason: 'RunsOverlap' });
    expect(statusOf(result).message).toMatch(/^2 runs at once: task [0-9a-f]{32} \(due 2026-01-03 03:00 Asia\/Tokyo\), task [0-9a-f]{32} \(due 2026-01-02 03:00 Asia\/Tokyo\); /);
  });
});

describe('ScheduledTask: ownership', () => {
  async function handMade(w: World) {
    // A schedule someone made by hand, before steady, in the default group.
    await w.account.clients().scheduler.send(
      new CreateScheduleCommand({
        Name: NAME,
        ScheduleExpression: 'cron(0 2 * * ? *)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
        Description: 'alembic nightly (set up by hand)',
        KmsKeyArn: `arn:aws:kms:ap-northeast-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        Target: {
          Arn: `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:cluster/shop-prod`,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`,
          EcsParameters: { TaskDefinitionArn: `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:task-definition/shop-api:1`, EnableExecuteCommand: true },
        },
      }),
    );
    nightly(w).spec.group = 'default';
  }

  it('a schedule of the same name that steady did not create is a Conflict, left as it is', async () => {
    const w = await world('shop-prod');
    await handMade(w);
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result)).toMatchObject({
      phase: 'Failed',
      reason: 'Conflict',
      message: `schedule default/${NAME} exists but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`,
    });
    expect(m.calls().filter((c) => c.service === 'scheduler' && isMutating(c.operation))).toEqual([]);
    expect(w.account.scheduler.schedule('default', NAME)!.ScheduleExpression).toBe('cron(0 2 * * ? *)');
  });

  it('with adopt: true it is taken over: steady\'s marker and settings, and what steady does not manage kept', async () => {
    const w = await world('shop-prod');
    await handMade(w);
    nightly(w).spec.adopt = true;

    const { result } = await w.pass();

    expect(result.plan!.resources.find((r) => r.resource === KEY)).toMatchObject({ phase: 'Drifted', reason: 'Adopt' });
    const got = await w.account.clients().scheduler.send(new GetScheduleCommand({ Name: NAME }));
    expect(got).toMatchObject({
      Description: 'steady: shop-prod ScheduledTask/db-migrate-nightly',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      KmsKeyArn: `arn:aws:kms:ap-northeast-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      Target: { EcsParameters: { TaskDefinitionArn: expect.stringMatching(new RegExp(`task-definition/${FAMILY}:1$`)), EnableExecuteCommand: true } },
    });
    // No group of steady's was needed for a schedule in another group.
    expect(w.account.calls.filter((c) => c.operation === 'CreateScheduleGroup')).toEqual([]);
    w.advance(600_000);
    await expectQuiet(w);
  });

  it('steady\'s group, if someone else made it, is not used', async () => {
    const w = await world('shop-prod');
    w.account.scheduler.createScheduleGroup({ Name: GROUP });
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result)).toMatchObject({ phase: 'Failed', reason: 'Conflict' });
    expect(statusOf(result).message).toBe(
      `schedule group ${GROUP} exists but is not steady's for environment shop-prod (tags steady:managed-by=steady, steady:environment=shop-prod); steady leaves it alone. Tag it so, or set spec.group`,
    );
    expect(m.calls().filter((c) => c.service === 'scheduler' && isMutating(c.operation))).toEqual([]);
  });
});
