import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ecsWorld, NETWORK, REGISTRY, registerApp } from '../testing/ecs-world.js';

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012';

type World = ReturnType<typeof ecsWorld>;

async function createApi(w: World, extra: Partial<CreateServiceCommandInput> = {}) {
  const out = await w.ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'api',
      taskDefinition: 'shop-api',
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      loadBalancers: [{ targetGroupArn: w.tgArn('api-tg'), containerName: 'app', containerPort: 8000 }],
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      ...extra,
    }),
  );
  return out.service!;
}

async function describeApi(ecs: ECSClient) {
  return (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }))).services![0];
}

/** A world whose service `api` runs shop-api:1 (image v1) in steady state, behind api-tg. */
async function steadyApi(extra: Partial<CreateServiceCommandInput> = {}) {
  const w = ecsWorld();
  await registerApp(w.ecs);
  await createApi(w, extra);
  w.advance(60_000);
  return w;
}

describe('simulated ECS: CreateService', () => {
  it('starts a deployment whose tasks become RUNNING, healthy in the target group, then steady', async () => {
    const w = ecsWorld();
    const td = await registerApp(w.ecs);

    const created = await createApi(w);
    w.advance(15_000);
    const running = await describeApi(w.ecs);
    w.advance(10_000);
    const steady = await describeApi(w.ecs);
    const tasks = await w.targetsOf(w.account.ecs.serviceState('prod', 'api').tasks.map((t) => t.arn));
    const checking = await w.targetsByState('api-tg');
    w.advance(150_000); // api-tg's health checks: 5 healthy checks 30 s apart
    const checked = await w.targetsByState('api-tg');

    expect(created).toMatchObject({ serviceArn: `${ARN}:service/prod/api`, status: 'ACTIVE', taskDefinition: td, desiredCount: 2, runningCount: 0, pendingCount: 2, launchType: 'FARGATE' });
    expect(created.deploymentController).toBeUndefined();
    expect(created.deployments).toEqual([
      expect.objectContaining({ status: 'PRIMARY', taskDefinition: td, desiredCount: 2, rolloutState: 'IN_PROGRESS', id: expect.stringMatching(/^ecs-svc\/\d{19}$/) }),
    ]);
    expect(created.deployments![0].rolloutStateReason).toBe(`ECS deployment ${created.deployments![0].id} in progress.`);
    expect(running).toMatchObject({ runningCount: 2, pendingCount: 0, deployments: [expect.objectContaining({ rolloutState: 'IN_PROGRESS' })] });
    expect(steady.deployments).toEqual([
      expect.objectContaining({ rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${created.deployments![0].id} completed.`, runningCount: 2 }),
    ]);
    expect(steady.events?.map((e) => e.message).slice(0, 2)).toEqual([
      '(service api) has reached a steady state.',
      `(service api) (deployment ${created.deployments![0].id}) deployment completed.`,
    ]);
    expect(tasks).toHaveLength(2);
    expect(checking).toEqual({ initial: tasks });
    expect(checked).toEqual({ healthy: tasks });
  });

  it('gives service tasks the deployment as startedBy and service:<name> as group', async () => {
    const w = await steadyApi();
    const state = w.account.ecs.serviceState('prod', 'api');

    const out = await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: state.tasks.map((t) => t.arn) }));

    expect(out.tasks?.map((t) => [t.startedBy, t.group, t.lastStatus])).toEqual([
      [state.deployments[0].id, 'service:api', 'RUNNING'],
      [state.deployments[0].id, 'service:api', 'RUNNING'],
    ]);
  });

  it.each([
    ['no network for awsvpc', { networkConfiguration: undefined }, 'InvalidParameterException', "Network Configuration must be provided when networkMode 'awsvpc' is specified."],
    ['an unknown task definition', { taskDefinition: 'nope:1' }, 'ClientException', 'TaskDefinition not found.'],
    ['an unknown cluster', { cluster: 'nope' }, 'ClusterNotFoundException', 'Cluster not found.'],
    [
      'a target group without a load balancer',
      { loadBalancers: [{ targetGroupArn: 'orphan', containerName: 'app', containerPort: 8000 }] },
      'InvalidParameterException',
      'The target group with targetGroupArn <orphan-tg> does not have an associated load balancer.',
    ],
    [
      'an unknown target group',
      { loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ghost/0123456789abcdef', containerName: 'app', containerPort: 8000 }] },
      'InvalidParameterException',
      'The target group with targetGroupArn arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ghost/0123456789abcdef does not exist.',
    ],
    [
      'a port the container does not map',
      { loadBalancers: [{ targetGroupArn: 'api', containerName: 'app', containerPort: 9000 }] },
      'InvalidParameterException',
      'The container app did not have a container port 9000 defined.',
    ],
    [
      'an instance target group with awsvpc',
      { loadBalancers: [{ targetGroupArn: 'instance', containerName: 'app', containerPort: 8000 }] },
      'InvalidParameterException',
      'The provided target group <instance-tg> has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.',
    ],
  ])('refuses %s', async (_case, change, name, message) => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    const tgArn = (s: string | undefined) => (s === 'orphan' || s === 'instance' || s === 'api' ? w.tgArn(`${s}-tg`) : s);
    const input = { ...change } as Partial<CreateServiceCommandInput>;
    if (input.loadBalancers) input.loadBalancers = input.loadBalancers.map((lb) => ({ ...lb, targetGroupArn: tgArn(lb.targetGroupArn) }));

    await expect(createApi(w, input)).rejects.toMatchObject({
      name,
      message: message.replace('<orphan-tg>', w.tgArn('orphan-tg')).replace('<instance-tg>', w.tgArn('instance-tg')),
    });
    expect(w.account.calls.at(-1)).toMatchObject({ operation: 'CreateService', error: name });
  });

  it('answers a repeated identical CreateService with the existing service and refuses a different one', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    const first = await createApi(w);

    const again = await createApi(w);

    expect(again.serviceArn).toBe(first.serviceArn);
    expect(w.account.ecs.serviceState('prod', 'api').deployments).toHaveLength(1);
    await expect(createApi(w, { desiredCount: 3 })).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Creation of service was not idempotent.' });
  });

  it('hides a just-created service from DescribeServices while stale reads are injected', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    w.advance(60_000);
    w.account.faults.staleReads({ service: 'ecs', forMs: 5_000 });
    await createApi(w);

    const before = await w.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
    w.advance(5_000);
    const after = await w.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));

    expect(before.failures).toEqual([{ arn: `${ARN}:service/prod/api`, reason: 'MISSING' }]);
    expect(after.services).toHaveLength(1);
  });
});

describe('simulated ECS: UpdateService and deployments', () => {
  it('rolls a new revision out: both deployments side by side, then only the new one, COMPLETED', async () => {
    const w = await steadyApi();
    const oldTasks = w.account.ecs.serviceState('prod', 'api').tasks.map((t) => t.arn);
    const oldTargets = await w.targetsOf(oldTasks);
    const two = await registerApp(w.ecs, { image: `${REGISTRY}/shop-api:v2` });

    const updated = (await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: two }))).service!;
    w.advance(20_000);
    const midway = await describeApi(w.ecs);
    w.advance(60_000);
    const done = await describeApi(w.ecs);
    const stopped = await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: oldTasks }));

    expect(updated.taskDefinition).toBe(two);
    expect(updated.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    expect(midway).toMatchObject({ runningCount: 4, deployments: [expect.objectContaining({ runningCount: 2 }), expect.objectContaining({ runningCount: 2 })] });
    expect(done.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', taskDefinition: two, rolloutState: 'COMPLETED', runningCount: 2 })]);
    expect(stopped.tasks?.map((t) => [t.lastStatus, t.stopCode])).toEqual([
      ['STOPPED', 'ServiceSchedulerInitiated'],
      ['STOPPED', 'ServiceSchedulerInitiated'],
    ]);
    const running = w.account.ecs.serviceState('prod', 'api').tasks;
    expect(running.map((t) => t.images[0].imageDigest)).toEqual([w.account.ecr.resolve(`${REGISTRY}/shop-api:v2`), w.account.ecr.resolve(`${REGISTRY}/shop-api:v2`)]);
    // The new tasks are registered and their health checks running; the old ones drain.
    expect(await w.targetsByState('api-tg')).toEqual({ initial: await w.targetsOf(running.map((t) => t.arn)), draining: oldTargets });
  });

  it('scales with desiredCount without a new deployment, down to zero and back', async () => {
    const w = await steadyApi();
    const deployment = w.account.ecs.serviceState('prod', 'api').deployments[0].id;

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', desiredCount: 4 }));
    w.advance(60_000);
    const up = w.account.ecs.serviceState('prod', 'api');
    const upTargets = await w.targetsOf(up.tasks.map((t) => t.arn));
    const registeredWhenUp = await w.targetsByState('api-tg');
    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', desiredCount: 0 }));
    w.advance(60_000);
    const zero = w.account.ecs.serviceState('prod', 'api');

    expect(up.deployments.map((d) => d.id)).toEqual([deployment]);
    expect([up.runningCount, up.tasks.length]).toEqual([4, 4]);
    expect(up.events[0]).toBe('(service api) has reached a steady state.');
    expect(zero).toMatchObject({ desiredCount: 0, runningCount: 0, pendingCount: 0, tasks: [] });
    expect(zero.deployments.map((d) => d.id)).toEqual([deployment]);
    expect(registeredWhenUp).toEqual({ initial: upTargets });
    expect(await w.targetsByState('api-tg')).toEqual({ draining: upTargets });
  });

  it('does not deploy again for the revision the service already runs', async () => {
    const w = await steadyApi();

    const out = await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: 'shop-api:1' }));

    expect(out.service?.deployments).toHaveLength(1);
  });

  it('keeps running tasks on the digest they started with and re-resolves a moved tag on forceNewDeployment', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs, { image: `${REGISTRY}/worker:latest` });
    await createApi(w, { loadBalancers: [] });
    w.advance(60_000);
    const before = w.account.ecr.resolve(`${REGISTRY}/worker:latest`);

    const pushed = w.account.ecr.push('worker', 'latest');
    w.advance(60_000);
    const afterPush = w.account.ecs.serviceState('prod', 'api').tasks.map((t) => t.images[0].imageDigest);
    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', forceNewDeployment: true }));
    w.advance(60_000);
    const afterRedeploy = w.account.ecs.serviceState('prod', 'api');

    expect(afterPush).toEqual([before, before]);
    expect(afterRedeploy.tasks.map((t) => t.images[0].imageDigest)).toEqual([pushed, pushed]);
    expect(afterRedeploy.deployments).toEqual([expect.objectContaining({ rolloutState: 'COMPLETED', taskDefinition: `${ARN}:task-definition/shop-api:1` })]);
  });

  it('trips the circuit breaker on an image that does not exist and rolls back to the last completed revision', async () => {
    const w = await steadyApi();
    const first = w.account.ecs.serviceState('prod', 'api').deployments[0].id;
    const broken = await registerApp(w.ecs, { image: `${REGISTRY}/shop-api:v9` });

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: broken }));
    w.advance(15_000);
    const firstBroken = w.account.ecs.allTasks().find((t) => t.taskDefinitionArn === broken)!.taskArn!;
    const failedTask = (await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [firstBroken] }))).tasks![0];
    w.advanceUntil(() => w.account.ecs.serviceState('prod', 'api').deployments[1]?.rolloutState === 'FAILED');
    const rollingBack = await describeApi(w.ecs);
    w.advance(120_000);
    const done = await describeApi(w.ecs);

    expect(failedTask).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${REGISTRY}/shop-api:v9: ${REGISTRY}/shop-api:v9: not found`,
    });
    expect(rollingBack.taskDefinition).toBe(`${ARN}:task-definition/shop-api:1`);
    expect(rollingBack.deployments?.map((d) => [d.status, d.taskDefinition, d.rolloutState, d.rolloutStateReason])).toEqual([
      ['PRIMARY', `${ARN}:task-definition/shop-api:1`, expect.any(String), `ECS deployment circuit breaker: rolling back to deploymentId ${first}.`],
      ['ACTIVE', broken, 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.'],
      ['ACTIVE', `${ARN}:task-definition/shop-api:1`, 'COMPLETED', `ECS deployment ${first} completed.`],
    ]);
    expect(rollingBack.deployments?.[2].runningCount).toBe(2);
    expect(rollingBack.deployments?.[1].failedTasks).toBe(3);
    expect(done.deployments).toEqual([expect.objectContaining({ taskDefinition: `${ARN}:task-definition/shop-api:1`, rolloutState: 'COMPLETED', runningCount: 2 })]);
    expect(done.events?.map((e) => e.message)).toContain(`(service api) rolling back to deployment ${first}.`);
  });

  it('trips the circuit breaker when new tasks fail their ELB health checks', async () => {
    const w = await steadyApi();
    const bad = await registerApp(w.ecs, { image: `${REGISTRY}/shop-api:v2` });
    w.account.ecs.failHealthChecks({ imageDigest: w.account.ecr.resolve(`${REGISTRY}/shop-api:v2`) });

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: bad }));
    w.advance(50_000);
    const firstFailures = await w.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: w.account.ecs.allTasks().filter((t) => t.taskDefinitionArn === bad).map((t) => t.taskArn!) }));
    w.advance(300_000);
    const state = w.account.ecs.serviceState('prod', 'api');

    expect(firstFailures.tasks?.[0]).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Task failed ELB health checks in (target-group ${w.tgArn('api-tg')})` });
    expect(state.deployments).toEqual([expect.objectContaining({ taskDefinition: `${ARN}:task-definition/shop-api:1`, rolloutState: 'COMPLETED' })]);
    expect(state.events).toContain('(service api) (deployment ' + w.account.ecs.allTasks().find((t) => t.taskDefinitionArn === bad)!.startedBy + ') deployment failed: tasks failed to start.');
    // Only the rolled-back revision's tasks serve; every other task was deregistered (some still drain).
    const targets = await w.targetsByState('api-tg');
    expect(targets.healthy).toEqual(await w.targetsOf(state.tasks.map((t) => t.arn)));
    expect(Object.keys(targets).sort()).toEqual(['draining', 'healthy']);
  });

  it('keeps retrying and counting failed tasks without a circuit breaker, leaving the old tasks serving', async () => {
    const w = await steadyApi({ deploymentConfiguration: {} });
    const broken = await registerApp(w.ecs, { image: `${REGISTRY}/shop-api:v9` });

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: broken }));
    w.advance(600_000);
    const out = await describeApi(w.ecs);

    expect(out.deployments?.map((d) => [d.taskDefinition, d.rolloutState])).toEqual([
      [broken, 'IN_PROGRESS'],
      [`${ARN}:task-definition/shop-api:1`, 'COMPLETED'],
    ]);
    expect(out.deployments?.[0].failedTasks).toBeGreaterThan(10);
    expect(out.deployments?.[1].runningCount).toBe(2);
  });

  it('leaves a FAILED deployment PRIMARY when the circuit breaker does not roll back', async () => {
    const w = await steadyApi({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } });
    const broken = await registerApp(w.ecs, { image: `${REGISTRY}/shop-api:v2` });
    w.account.ecs.failTasksToStart({ taskDefinition: 'shop-api:2' }, 'CannotStartContainerError: boom');

    const launched = () => w.account.ecs.allTasks().filter((t) => t.taskDefinitionArn === broken).length;

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: broken }));
    w.advance(120_000);
    const out = await describeApi(w.ecs);
    const launchedWhenFailed = launched();
    w.advance(600_000);

    expect(out.taskDefinition).toBe(broken);
    expect(out.deployments?.map((d) => [d.status, d.rolloutState, d.runningCount])).toEqual([
      ['PRIMARY', 'FAILED', 0],
      ['ACTIVE', 'COMPLETED', 2],
    ]);
    // Every task it launched failed (the ones in flight when the breaker tripped too); then it launches nothing.
    expect(out.deployments?.[0].failedTasks).toBe(launchedWhenFailed);
    expect(launched()).toBe(launchedWhenFailed);
    expect(w.account.ecs.allTasks().find((t) => t.taskDefinitionArn === broken)?.stoppedReason).toBe('CannotStartContainerError: boom');
  });

  it('refuses a task definition for a CODE_DEPLOY service but still scales it', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    await createApi(w, { deploymentController: { type: 'CODE_DEPLOY' }, deploymentConfiguration: {} });
    w.advance(60_000);

    await expect(w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: 'shop-api:1' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
    });
    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', desiredCount: 3 }));
    w.advance(60_000);
    const out = await describeApi(w.ecs);

    expect(out).toMatchObject({ deploymentController: { type: 'CODE_DEPLOY' }, deployments: [], runningCount: 3 });
    expect(out.taskSets).toEqual([expect.objectContaining({ status: 'PRIMARY', taskDefinition: `${ARN}:task-definition/shop-api:1`, runningCount: 3, stabilityStatus: 'STEADY_STATE' })]);
  });

  it('answers an unknown service with ServiceNotFoundException and a deleted one with ServiceNotActiveException', async () => {
    const w = await steadyApi();
    await w.ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'api', force: true }));

    await expect(w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'nope', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
      message: 'Service not found.',
    });
    await expect(w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotActiveException',
      message: 'Service was not ACTIVE.',
    });
  });
});

describe('simulated ECS: deploymentConfiguration', () => {
  const alarms = { alarmNames: ['api-5xx'], enable: true, rollback: true };

  it('keeps the whole object CreateService was given and fills the REPLICA defaults', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);

    await createApi(w, { deploymentConfiguration: { alarms, bakeTimeInMinutes: 5 } });

    expect((await describeApi(w.ecs)).deploymentConfiguration).toEqual({
      alarms,
      bakeTimeInMinutes: 5,
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
  });

  it('is replaced whole by UpdateService: what the update leaves out is gone', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    await createApi(w, { deploymentConfiguration: { alarms, minimumHealthyPercent: 50 } });

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', deploymentConfiguration: { maximumPercent: 150 } }));

    expect((await describeApi(w.ecs)).deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 150,
      minimumHealthyPercent: 100,
    });
  });
});

describe('simulated ECS: DescribeServices, ListServices, DeleteService', () => {
  it('takes at most 10 names and reports unknown ones as MISSING', async () => {
    const w = await steadyApi();
    const eleven = Array.from({ length: 11 }, (_, i) => `s${i}`);

    const out = await w.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api', `${ARN}:service/prod/ghost`] }));

    expect(out.services?.map((s) => s.serviceName)).toEqual(['api']);
    expect(out.failures).toEqual([{ arn: `${ARN}:service/prod/ghost`, reason: 'MISSING' }]);
    await expect(w.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: eleven }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'service names can have at most 10 items.',
    });
  });

  it('lists 10 services a page by default', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    for (let i = 0; i < 25; i++) await createApi(w, { serviceName: `svc-${i}`, desiredCount: 0, loadBalancers: [] });

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const out = await w.ecs.send(new ListServicesCommand({ cluster: 'prod', nextToken }));
      pages.push(out.serviceArns ?? []);
      nextToken = out.nextToken;
    } while (nextToken);

    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(new Set(pages.flat()).size).toBe(25);
  });

  it('refuses to delete a scaled service without force; a forced delete drains it to INACTIVE', async () => {
    const w = await steadyApi();
    const targets = await w.targetsOf(w.account.ecs.serviceState('prod', 'api').tasks.map((t) => t.arn));

    await expect(w.ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'api' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The service cannot be stopped while it is scaled above 0.',
    });
    const deleted = await w.ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'api', force: true }));
    const listed = await w.ecs.send(new ListServicesCommand({ cluster: 'prod' }));
    w.advance(60_000);
    const after = await describeApi(w.ecs);

    expect(deleted.service?.status).toBe('DRAINING');
    expect(listed.serviceArns).toEqual([]);
    expect(after).toMatchObject({ status: 'INACTIVE', desiredCount: 0, runningCount: 0 });
    expect(await w.targetsByState('api-tg')).toEqual({ draining: targets });
    w.advance(300_000); // api-tg's deregistration delay
    expect(await w.targetsByState('api-tg')).toEqual({});
  });

  it('lets a service be created again under the name of an INACTIVE one', async () => {
    const w = await steadyApi();
    await w.ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'api', force: true }));
    w.advance(60_000);

    const again = await createApi(w, { desiredCount: 1 });

    expect(again).toMatchObject({ status: 'ACTIVE', desiredCount: 1 });
  });
});
