import { CreateScheduleCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import type { ScheduleSettings } from '../model/aws.js';
import { SimAccount } from '../sim/account.js';
import { startHttpRecorder, useEndpoint } from '../testing/servers.js';
import { createAwsClients } from './clients.js';
import { SchedulerAdapter } from './scheduler.js';

const ACCOUNT = '123456789012';
const CLUSTER_ARN = `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:cluster/shop-prod`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-prod-scheduler`;
const TD = `arn:aws:ecs:ap-northeast-1:${ACCOUNT}:task-definition/shop-api-db-migrate-nightly:2`;

const settings: ScheduleSettings = {
  expression: 'cron(0 3 * * ? *)',
  timezone: 'Asia/Tokyo',
  state: 'ENABLED',
  description: 'steady: shop-prod ScheduledTask/db-migrate-nightly',
  target: {
    arn: CLUSTER_ARN,
    roleArn: ROLE,
    retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
    ecs: {
      taskDefinitionArn: TD,
      taskCount: 1,
      launchType: 'FARGATE',
      network: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0c3d4e5f607182930'], assignPublicIp: 'DISABLED' },
      tags: { 'steady:managed-by': 'steady', 'steady:resource': 'ScheduledTask/db-migrate-nightly' },
    },
  },
};

function setup() {
  const account = new SimAccount();
  const clients = account.clients();
  return { account, clients, scheduler: new SchedulerAdapter(clients.scheduler) };
}

describe('SchedulerAdapter', () => {
  it('creates a tagged group and reads it back with its tags; a missing group or schedule is null', async () => {
    const { scheduler } = setup();
    expect(await scheduler.group('steady-shop-prod')).toBeNull();
    await scheduler.createGroup('steady-shop-prod', { 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod' });
    expect(await scheduler.group('steady-shop-prod')).toEqual({
      arn: `arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule-group/steady-shop-prod`,
      name: 'steady-shop-prod',
      state: 'ACTIVE',
      tags: { 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod' },
    });
    expect(await scheduler.schedule({ group: 'steady-shop-prod', name: 'db-migrate-nightly' })).toBeNull();
    expect(await scheduler.schedule({ group: 'no-such-group', name: 'db-migrate-nightly' })).toBeNull();
  });

  it('creates a schedule and reads it back in steady\'s terms', async () => {
    const { scheduler, account } = setup();
    await scheduler.createGroup('steady-shop-prod', {});
    await scheduler.createSchedule({ group: 'steady-shop-prod', name: 'db-migrate-nightly' }, settings);
    const got = await scheduler.schedule({ group: 'steady-shop-prod', name: 'db-migrate-nightly' });
    const { createdAt, modifiedAt, arn, name, group, ...rest } = got!;
    expect(rest).toEqual(settings);
    expect([name, group, createdAt, modifiedAt]).toEqual(['db-migrate-nightly', 'steady-shop-prod', account.clock.now(), account.clock.now()]);
    // On the wire, ECS tags are Scheduler's list of one-entry maps.
    expect(account.scheduler.schedule('steady-shop-prod', 'db-migrate-nightly')!.Target!.EcsParameters!.Tags).toEqual([
      { 'steady:managed-by': 'steady' },
      { 'steady:resource': 'ScheduledTask/db-migrate-nightly' },
    ]);
  });

  it('updates only steady\'s fields: what steady does not manage survives the whole-object UpdateSchedule', async () => {
    const { scheduler, clients } = setup();
    const startDate = new Date('2026-01-01T00:00:00Z');
    await clients.scheduler.send(
      new CreateScheduleCommand({
        Name: 'db-migrate-nightly',
        ScheduleExpression: 'cron(0 4 * * ? *)',
        StartDate: startDate,
        KmsKeyArn: `arn:aws:kms:ap-northeast-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        Target: {
          Arn: CLUSTER_ARN,
          RoleArn: ROLE,
          Input: '{"containerOverrides":[]}',
          EcsParameters: { TaskDefinitionArn: TD.replace(':2', ':1'), EnableExecuteCommand: true, PlacementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }] },
        },
      }),
    );
    await scheduler.updateSchedule({ group: 'default', name: 'db-migrate-nightly' }, settings);
    const raw = await clients.scheduler.send(new GetScheduleCommand({ Name: 'db-migrate-nightly' }));
    expect(raw).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Description: settings.description,
      FlexibleTimeWindow: { Mode: 'OFF' },
      StartDate: startDate,
      KmsKeyArn: `arn:aws:kms:ap-northeast-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      Target: {
        Input: '{"containerOverrides":[]}',
        EcsParameters: { TaskDefinitionArn: TD, EnableExecuteCommand: true, PlacementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }], LaunchType: 'FARGATE' },
      },
    });
  });

  it('translates Scheduler\'s refusals into AwsCallErrors that keep the error name', async () => {
    const { scheduler } = setup();
    await expect(scheduler.createSchedule({ group: 'steady-shop-prod', name: 'db-migrate-nightly' }, settings)).rejects.toMatchObject({
      name: 'AwsCallError',
      awsName: 'ResourceNotFoundException',
      message: 'creating schedule steady-shop-prod/db-migrate-nightly: ResourceNotFoundException: Schedule group steady-shop-prod does not exist.',
    });
    await scheduler.createGroup('steady-shop-prod', {});
    await expect(scheduler.createGroup('steady-shop-prod', {})).rejects.toMatchObject({ awsName: 'ConflictException' });
    await expect(scheduler.updateSchedule({ group: 'steady-shop-prod', name: 'missing' }, settings)).rejects.toMatchObject({ awsName: 'ResourceNotFoundException' });
  });
});

describe('AWS_ENDPOINT_URL_SCHEDULER', () => {
  it('points the production Scheduler client at another endpoint (LocalStack, moto, here a recording server)', async () => {
    const server = await startHttpRecorder({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        Arn: `arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule/steady-shop-prod/db-migrate-nightly`,
        Name: 'db-migrate-nightly',
        GroupName: 'steady-shop-prod',
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Asia/Tokyo',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        CreationDate: 1767225600,
        LastModificationDate: 1767225600,
        Target: { Arn: CLUSTER_ARN, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: TD, LaunchType: 'FARGATE', Tags: [{ 'steady:managed-by': 'steady' }] } },
      }),
    });
    const restore = useEndpoint('SCHEDULER', server.endpoint);
    try {
      const scheduler = new SchedulerAdapter(createAwsClients({ region: 'ap-northeast-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }).scheduler);
      const got = await scheduler.schedule({ group: 'steady-shop-prod', name: 'db-migrate-nightly' });
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /schedules/db-migrate-nightly?groupName=steady-shop-prod']);
      expect(server.requests[0].headers.authorization).toMatch(/\/ap-northeast-1\/scheduler\/aws4_request/);
      expect(got).toMatchObject({ timezone: 'Asia/Tokyo', createdAt: 1767225600000, target: { ecs: { taskDefinitionArn: TD, tags: { 'steady:managed-by': 'steady' } } } });
    } finally {
      restore();
      await server.close();
    }
  });
});
