import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ecsWorld, NETWORK, REGISTRY, registerApp } from '../testing/ecs-world.js';

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012';

async function run(ecs: ECSClient, extra: Partial<RunTaskCommandInput> = {}) {
  return ecs.send(new RunTaskCommand({ cluster: 'prod', taskDefinition: 'shop-api', launchType: 'FARGATE', networkConfiguration: NETWORK, ...extra }));
}

async function describeOne(ecs: ECSClient, arn: string, include?: 'TAGS') {
  return (await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [arn], ...(include ? { include: [include] } : {}) }))).tasks![0];
}

describe('simulated ECS: RunTask and the task lifecycle', () => {
  it('goes PROVISIONING -> PENDING -> ACTIVATING -> RUNNING -> STOPPED and exits 0 by default', async () => {
    const w = ecsWorld();
    const td = await registerApp(w.ecs);

    const out = await run(w.ecs, { startedBy: 'steady/db-migrate' });
    const arn = out.tasks![0].taskArn!;
    const seen: string[] = [out.tasks![0].lastStatus!];
    for (let i = 0; i < 12; i++) {
      w.advance(5_000);
      seen.push((await describeOne(w.ecs, arn)).lastStatus!);
    }
    const stopped = await describeOne(w.ecs, arn);

    expect(out.tasks![0]).toMatchObject({
      taskArn: expect.stringMatching(new RegExp(`^${ARN}:task/prod/[0-9a-f]{32}$`)),
      taskDefinitionArn: td,
      desiredStatus: 'RUNNING',
      group: 'family:shop-api',
      startedBy: 'steady/db-migrate',
      launchType: 'FARGATE',
    });
    expect(out.failures).toEqual([]);
    expect([...new Set(seen)]).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
    expect(stopped).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(stopped.containers).toEqual([
      expect.objectContaining({ name: 'app', image: `${REGISTRY}/shop-api:v1`, imageDigest: w.account.ecr.resolve(`${REGISTRY}/shop-api:v1`), lastStatus: 'STOPPED', exitCode: 0 }),
    ]);
    expect(stopped.startedAt!.getTime() - out.tasks![0].createdAt!.getTime()).toBe(15_000);
    expect(stopped.attachments?.[0].details).toEqual(expect.arrayContaining([{ name: 'privateIPv4Address', value: expect.stringMatching(/^10\.0\.\d+\.\d+$/) }]));
  });

  it('ends a task with the exit code and run time the scenario set for its command', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    w.account.ecs.setTaskOutcome({ family: 'shop-api', command: /^alembic upgrade/ }, { exitCode: 3, runMs: 90_000 });

    const migration = await run(w.ecs, { overrides: { containerOverrides: [{ name: 'app', command: ['alembic', 'upgrade', 'head'] }] } });
    const plain = await run(w.ecs);
    w.advance(60_000);
    const [migrationAtMinute, plainAtMinute] = await Promise.all([describeOne(w.ecs, migration.tasks![0].taskArn!), describeOne(w.ecs, plain.tasks![0].taskArn!)]);
    w.advance(60_000);
    const done = await describeOne(w.ecs, migration.tasks![0].taskArn!);

    expect(migrationAtMinute.lastStatus).toBe('RUNNING');
    expect(plainAtMinute).toMatchObject({ lastStatus: 'STOPPED', containers: [expect.objectContaining({ exitCode: 0 })] });
    expect(done).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [expect.objectContaining({ exitCode: 3 })] });
    expect(done.overrides?.containerOverrides).toEqual([{ name: 'app', command: ['alembic', 'upgrade', 'head'] }]);
  });

  it('fails to start with CannotPullContainerError when the image is not in ECR', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs, { image: `${REGISTRY}/shop-api:nope` });

    const out = await run(w.ecs);
    w.advance(60_000);
    const task = await describeOne(w.ecs, out.tasks![0].taskArn!);

    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${REGISTRY}/shop-api:nope: ${REGISTRY}/shop-api:nope: not found`;
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: reason });
    expect(task.containers?.[0]).toMatchObject({ lastStatus: 'STOPPED', reason });
    expect(task.containers?.[0].exitCode).toBeUndefined();
    expect(task.startedAt).toBeUndefined();
  });

  it('fails to start a task whose image the scenario marked as failing', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    w.account.ecs.failTasksToStart({ image: `${REGISTRY}/shop-api:v1` }, 'ResourceInitializationError: unable to pull secrets');

    const out = await run(w.ecs);
    w.advance(60_000);

    expect(await describeOne(w.ecs, out.tasks![0].taskArn!)).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: unable to pull secrets' });
  });

  it('runs an image from another registry with a stand-in digest', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs, { image: 'datadog/agent:7' });

    const out = await run(w.ecs);
    w.advance(15_000);

    expect((await describeOne(w.ecs, out.tasks![0].taskArn!)).containers?.[0]).toMatchObject({ lastStatus: 'RUNNING', imageDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });

  it('answers a repeated clientToken with the same tasks and refuses it for other parameters', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);

    const first = await run(w.ecs, { clientToken: 'db-migrate-v1-attempt-1', count: 2 });
    w.advance(20_000);
    const again = await run(w.ecs, { clientToken: 'db-migrate-v1-attempt-1', count: 2 });
    const listed = await w.ecs.send(new ListTasksCommand({ cluster: 'prod', family: 'shop-api' }));

    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(again.tasks?.map((t) => t.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
    expect(listed.taskArns).toHaveLength(2);
    await expect(run(w.ecs, { clientToken: 'db-migrate-v1-attempt-1', count: 1 })).rejects.toMatchObject({
      name: 'ConflictException',
      resourceIds: first.tasks?.map((t) => t.taskArn),
    });
  });

  it.each([
    ['more than 10 tasks', { count: 11 }, 'count must be between 1 and 10.'],
    ['no network for awsvpc', { networkConfiguration: undefined }, "Network Configuration must be provided when networkMode 'awsvpc' is specified."],
    ['an override of a container it does not have', { overrides: { containerOverrides: [{ name: 'web', command: ['x'] }] } }, 'Override for container named web is not a container in the TaskDefinition.'],
    ['propagateTags SERVICE', { propagateTags: 'SERVICE' as const }, 'The SERVICE option for propagateTags is not supported by RunTask.'],
  ])('refuses %s with InvalidParameterException', async (_case, extra, message) => {
    const w = ecsWorld();
    await registerApp(w.ecs);

    await expect(run(w.ecs, extra)).rejects.toMatchObject({ name: 'InvalidParameterException', message });
    expect(w.account.ecs.allTasks()).toEqual([]);
  });

  it('refuses an unknown task definition with ClientException', async () => {
    const w = ecsWorld();

    await expect(run(w.ecs, { taskDefinition: 'nope' })).rejects.toMatchObject({ name: 'ClientException', message: 'TaskDefinition not found.' });
  });

  it('copies the task definition tags with propagateTags TASK_DEFINITION', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs, { extra: { tags: [{ key: 'steady:migration-version', value: 'abc' }] } });

    const out = await run(w.ecs, { propagateTags: 'TASK_DEFINITION', tags: [{ key: 'steady:managed-by', value: 'steady' }] });

    expect((await describeOne(w.ecs, out.tasks![0].taskArn!, 'TAGS')).tags).toEqual([
      { key: 'steady:migration-version', value: 'abc' },
      { key: 'steady:managed-by', value: 'steady' },
    ]);
  });
});

describe('simulated ECS: DescribeTasks, ListTasks, StopTask', () => {
  it('reports unknown tasks as MISSING and refuses more than 100', async () => {
    const w = ecsWorld();
    const many = Array.from({ length: 101 }, (_, i) => `${i}`.padStart(32, '0'));

    const out = await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: ['0123456789abcdef0123456789abcdef'] }));

    expect(out).toMatchObject({ tasks: [], failures: [{ arn: `${ARN}:task/prod/0123456789abcdef0123456789abcdef`, reason: 'MISSING' }] });
    await expect(w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: many }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('lists by startedBy, family, service and desired status, 100 a page', async () => {
    const w = ecsWorld({
      taskDefinitions: [{ family: 'shop-api', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:v1` }] }],
      services: [{ name: 'api', cluster: 'prod', taskDefinition: 'shop-api:1', desiredCount: 2 }],
    });
    await registerApp(w.ecs, { family: 'batch', image: `${REGISTRY}/worker:latest` });
    w.account.ecs.setTaskOutcome({ family: 'batch' }, { exitCode: 0, runMs: 3_600_000 });
    for (let i = 0; i < 12; i++) await run(w.ecs, { taskDefinition: 'batch', count: 10, startedBy: 'nightly' });
    const done = await run(w.ecs, { taskDefinition: 'batch', startedBy: 'once' });
    w.advance(15_000);
    await w.ecs.send(new StopTaskCommand({ cluster: 'prod', task: done.tasks![0].taskArn }));
    w.advance(60_000);
    const list = (input: object) => w.ecs.send(new ListTasksCommand({ cluster: 'prod', ...input }));

    const page1 = await list({ startedBy: 'nightly' });
    const page2 = await list({ startedBy: 'nightly', nextToken: page1.nextToken });
    const stopped = await list({ desiredStatus: 'STOPPED', startedBy: 'once' });
    const service = await list({ serviceName: 'api' });
    const family = await list({ family: 'shop-api' });

    expect([page1.taskArns?.length, page2.taskArns?.length, page2.nextToken]).toEqual([100, 20, undefined]);
    expect(stopped.taskArns).toEqual([done.tasks![0].taskArn]);
    const serviceTasks = w.account.ecs.serviceState('prod', 'api').tasks.map((t) => t.arn);
    expect([...service.taskArns!].sort()).toEqual([...serviceTasks].sort());
    expect([...family.taskArns!].sort()).toEqual([...serviceTasks].sort());
    await expect(list({ serviceName: 'ghost' })).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
  });

  it('stops a task the user asks to stop: desiredStatus at once, lastStatus later, tags gone', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    w.account.ecs.setTaskOutcome({}, { exitCode: 0, runMs: 3_600_000 });
    const arn = (await run(w.ecs, { tags: [{ key: 'a', value: '1' }] })).tasks![0].taskArn!;
    w.advance(15_000);

    const out = await w.ecs.send(new StopTaskCommand({ cluster: 'prod', task: arn, reason: 'steady: migration timed out after 900 s' }));
    w.advance(30_000);
    const task = await describeOne(w.ecs, arn, 'TAGS');

    expect(out.task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'steady: migration timed out after 900 s' });
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', tags: [], containers: [expect.objectContaining({ exitCode: 143 })] });
    await expect(w.ecs.send(new StopTaskCommand({ cluster: 'prod', task: 'ffffffffffffffffffffffffffffffff' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The referenced task was not found.',
    });
  });

  it('replaces a service task a person stops', async () => {
    const w = ecsWorld({
      taskDefinitions: [{ family: 'shop-api', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:v1` }] }],
      services: [{ name: 'api', cluster: 'prod', taskDefinition: 'shop-api:1', desiredCount: 1 }],
    });
    const original = w.account.ecs.serviceState('prod', 'api').tasks[0].arn;

    await w.ecs.send(new StopTaskCommand({ cluster: 'prod', task: original }));
    w.advance(60_000);
    const state = w.account.ecs.serviceState('prod', 'api');

    expect(state.tasks).toEqual([expect.objectContaining({ lastStatus: 'RUNNING' })]);
    expect(state.tasks[0].arn).not.toBe(original);
    expect(state.runningCount).toBe(1);
  });

  it('forgets a stopped task an hour after it stopped', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    const arn = (await run(w.ecs)).tasks![0].taskArn!;
    w.advance(60_000);

    const before = await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [arn] }));
    w.advance(3_600_000);
    const after = await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [arn] }));

    expect(before.tasks).toHaveLength(1);
    expect(after.failures).toEqual([{ arn, reason: 'MISSING' }]);
  });
});
