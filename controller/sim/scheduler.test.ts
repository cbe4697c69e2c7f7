import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';

const ACCOUNT = '123456789012';
const CLUSTER_ARN = `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:cluster/shop-prod`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`;

/** An account with a cluster and a one-container task definition to run; clock at 2026-01-01 00:00 UTC (09:00 in Tokyo). */
function setup() {
  const account = new SimAccount({ seed: 7 });
  account.ecs.operations.CreateCluster({ clusterName: 'shop-prod' });
  const td = account.ecs.operations.RegisterTaskDefinition({
    family: 'nightly',
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/docker/library/busybox:latest', command: ['true'] }],
  }) as { taskDefinition: { taskDefinitionArn: string } };
  return { account, scheduler: account.clients().scheduler, taskDefinitionArn: td.taskDefinition.taskDefinitionArn };
}

function nightly(taskDefinitionArn: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: 'db-migrate-nightly',
    GroupName: 'steady-shop-prod',
    ScheduleExpression: 'cron(0 3 * * ? *)',
    ScheduleExpressionTimezone: 'Asia/Tokyo',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Description: 'steady: shop-prod ScheduledTask/db-migrate-nightly',
    Target: {
      Arn: CLUSTER_ARN,
      RoleArn: ROLE,
      EcsParameters: {
        TaskDefinitionArn: taskDefinitionArn,
        LaunchType: 'FARGATE',
        NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['subnet-0a1b2c3d4e5f60718'], AssignPublicIp: 'DISABLED' } },
        Tags: [{ 'steady:resource': 'ScheduledTask/db-migrate-nightly' }],
      },
    },
    ...extra,
  };
}

describe('simulated EventBridge Scheduler: groups and schedules', () => {
  it('creates a tagged group and a schedule in it, and answers GetSchedule with Scheduler\'s defaults filled in', async () => {
    const { scheduler, taskDefinitionArn } = setup();
    const { ScheduleGroupArn } = await scheduler.send(new CreateScheduleGroupCommand({ Name: 'steady-shop-prod', Tags: [{ Key: 'steady:managed-by', Value: 'steady' }] }));
    expect(ScheduleGroupArn).toBe(`arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule-group/steady-shop-prod`);
    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn)));
    expect(ScheduleArn).toBe(`arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule/steady-shop-prod/db-migrate-nightly`);

    const got = await scheduler.send(new GetScheduleCommand({ Name: 'db-migrate-nightly', GroupName: 'steady-shop-prod' }));
    expect(got).toMatchObject({
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      ScheduleExpressionTimezone: 'Asia/Tokyo',
      Target: { RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }))).Tags).toEqual([{ Key: 'steady:managed-by', Value: 'steady' }]);
  });

  it('refuses what Scheduler refuses, with its error names', async () => {
    const { scheduler, taskDefinitionArn } = setup();
    await expect(scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn)))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'steady-shop-prod' }));
    await expect(scheduler.send(new CreateScheduleGroupCommand({ Name: 'steady-shop-prod' }))).rejects.toBeInstanceOf(ConflictException);
    await expect(scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn, { ScheduleExpression: 'cron(0 3 * * * *)' })))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Invalid Schedule Expression cron(0 3 * * * *).',
    });
    await expect(scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn, { ScheduleExpressionTimezone: 'JST' })))).rejects.toBeInstanceOf(ValidationException);
    await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn)));
    await expect(scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn)))).rejects.toMatchObject({ name: 'ConflictException', message: 'Schedule db-migrate-nightly already exists.' });
    await expect(scheduler.send(new UpdateScheduleCommand(nightly(taskDefinitionArn, { Name: 'other' })))).rejects.toBeInstanceOf(ResourceNotFoundException);
    // Schedules cannot be tagged; groups can.
    await expect(
      scheduler.send(new TagResourceCommand({ ResourceArn: `arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule/steady-shop-prod/db-migrate-nightly`, Tags: [{ Key: 'a', Value: 'b' }] })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('UpdateSchedule replaces the whole schedule: what the request leaves out is gone', async () => {
    const { scheduler, taskDefinitionArn } = setup();
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'steady-shop-prod' }));
    await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn, { EndDate: new Date('2030-01-01T00:00:00Z') })));
    const { Description: _d, EndDate: _e, ...rest } = nightly(taskDefinitionArn);
    await scheduler.send(new UpdateScheduleCommand({ ...rest, ScheduleExpression: 'cron(30 3 * * ? *)' }));
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'db-migrate-nightly', GroupName: 'steady-shop-prod' }));
    expect(got.ScheduleExpression).toBe('cron(30 3 * * ? *)');
    expect(got.Description).toBeUndefined();
    expect(got.EndDate).toBeUndefined();
  });

  it('lists schedules a page at a time', async () => {
    const { scheduler, taskDefinitionArn } = setup();
    for (const name of ['a', 'b', 'c']) await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn, { Name: name, GroupName: undefined })));
    const first = await scheduler.send(new ListSchedulesCommand({ MaxResults: 2 }));
    expect(first.Schedules!.map((s) => s.Name)).toEqual(['a', 'b']);
    const second = await scheduler.send(new ListSchedulesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Schedules!.map((s) => [s.Name, s.GroupName, s.State])).toEqual([['c', 'default', 'ENABLED']]);
    expect(second.NextToken).toBeUndefined();
  });

  it('throttles above its documented request rate when quotas are enforced', async () => {
    const { account } = setup();
    account.scheduler.enforceQuotas();
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => account.handle('scheduler', 'CreateScheduleGroup', { Name: `g${i}` })));
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(['ThrottlingException', 'ThrottlingException']);
  });
});

describe('simulated EventBridge Scheduler: schedules fire on the simulated clock', () => {
  it('a nightly cron at 03:00 Asia/Tokyo starts the ECS task at 18:00 UTC with the target\'s tags, once a night', async () => {
    const { account, scheduler, taskDefinitionArn } = setup();
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'steady-shop-prod' }));
    await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn)));

    account.clock.advanceTo(Date.parse('2026-01-01T17:59:00Z'));
    expect(account.ecs.allTasks()).toEqual([]);
    account.clock.advanceTo(Date.parse('2026-01-01T18:00:00Z'));
    const [task] = account.ecs.allTasks();
    expect(task).toMatchObject({ taskDefinitionArn, lastStatus: 'PROVISIONING', tags: [{ key: 'steady:resource', value: 'ScheduledTask/db-migrate-nightly' }] });
    expect(account.scheduler.invocations.map((i) => new Date(i.dueAt).toISOString())).toEqual(['2026-01-01T18:00:00.000Z']);

    account.clock.advanceTo(Date.parse('2026-01-03T00:00:00Z'));
    expect(account.scheduler.invocations.map((i) => new Date(i.dueAt).toISOString())).toEqual(['2026-01-01T18:00:00.000Z', '2026-01-02T18:00:00.000Z']);
    // The calls Scheduler makes are its own, not the caller's: none is in the account's call log.
    expect(account.calls.filter((c) => c.operation === 'RunTask')).toEqual([]);
  });

  it('a disabled schedule does not fire; enabling it again does', async () => {
    const { account, scheduler, taskDefinitionArn } = setup();
    await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn, { GroupName: undefined, State: 'DISABLED' })));
    account.clock.advanceTo(Date.parse('2026-01-02T00:00:00Z'));
    expect(account.scheduler.invocations).toEqual([]);
    await scheduler.send(new UpdateScheduleCommand(nightly(taskDefinitionArn, { GroupName: undefined, State: 'ENABLED' })));
    account.clock.advanceTo(Date.parse('2026-01-03T00:00:00Z'));
    expect(account.scheduler.invocations.map((i) => new Date(i.dueAt).toISOString())).toEqual(['2026-01-02T18:00:00.000Z']);
  });

  it('an invocation that fails is retried per the retry policy, then dead-lettered', async () => {
    const { account, scheduler, taskDefinitionArn } = setup();
    const dlq = `arn:aws:sqs:ap-northeast-1:${ACCOUNT}:scheduler-dlq`;
    await scheduler.send(
      new CreateScheduleCommand(
        nightly(taskDefinitionArn, {
          GroupName: undefined,
          Target: { ...nightly(taskDefinitionArn).Target!, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: dlq } },
        }),
      ),
    );
    account.scheduler.failInvocations({ name: 'db-migrate-nightly' }, 'AccessDeniedException');
    account.clock.advanceTo(Date.parse('2026-01-02T00:00:00Z'));
    expect(account.scheduler.invocations.map((i) => [i.attempt, i.error])).toEqual([
      [0, 'AccessDeniedException'],
      [1, 'AccessDeniedException'],
      [2, 'AccessDeniedException'],
    ]);
    expect(account.scheduler.deadLetters).toEqual([{ schedule: 'default/db-migrate-nightly', queueArn: dlq, dueAt: Date.parse('2026-01-01T18:00:00Z'), attempts: 3, error: 'AccessDeniedException' }]);
    expect(account.ecs.allTasks()).toEqual([]);
  });

  it('a rate schedule fires at once and then every period', async () => {
    const { account, scheduler, taskDefinitionArn } = setup();
    await scheduler.send(new CreateScheduleCommand(nightly(taskDefinitionArn, { GroupName: undefined, ScheduleExpression: 'rate(6 hours)' })));
    account.clock.advance(13 * 3_600_000);
    expect(account.scheduler.invocations.map((i) => new Date(i.dueAt).toISOString())).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
    ]);
  });
});
