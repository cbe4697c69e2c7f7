import { CreateServiceCommand, DeleteServiceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../errors.js';
import { canonicalTaskDefinition, type TaskDefinitionContent } from '../model/taskdef.js';
import { ecsWorld, NETWORK, REGISTRY, registerApp } from '../testing/ecs-world.js';
import { FIRELENS_TASK_DEFINITION } from '../testing/firelens.js';
import { EcsAdapter, TaskDefinitionCache } from './ecs.js';

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012';
const NET = { subnets: ['subnet-0123456789abcdef0'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' as const };

function world(fixture: Parameters<typeof ecsWorld>[0] = {}) {
  const w = ecsWorld(fixture);
  return { ...w, adapter: new EcsAdapter(w.clients.ecs), calls: (op: string) => w.account.calls.filter((c) => c.operation === op) };
}

async function manyServices(w: ReturnType<typeof world>, n: number) {
  await registerApp(w.ecs);
  for (let i = 0; i < n; i++) {
    await w.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: `svc-${String(i).padStart(3, '0')}`, taskDefinition: 'shop-api', desiredCount: 0, networkConfiguration: NETWORK }));
  }
  w.account.calls.length = 0;
}

const steadyFixture = {
  taskDefinitions: [{ family: 'shop-api', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:v1`, portMappings: [{ containerPort: 8000 }] }] }],
  services: [
    {
      name: 'api',
      cluster: 'prod',
      taskDefinition: 'shop-api:1',
      desiredCount: 2,
      network: { subnets: ['subnet-0bbbbbbbbbbbbbbbb', 'subnet-0aaaaaaaaaaaaaaaa'], securityGroups: ['sg-0123456789abcdef0'] },
      loadBalancer: { targetGroup: 'api-tg', containerName: 'app', containerPort: 8000 },
      circuitBreaker: { enable: true, rollback: true },
      tags: { 'steady:managed-by': 'steady' },
    },
  ],
};

const content: TaskDefinitionContent = canonicalTaskDefinition({
  family: 'shop-worker',
  cpu: '512',
  memory: '1024',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecution',
  containerDefinitions: [
    {
      name: 'worker',
      image: `${REGISTRY}/worker@sha256:${'a'.repeat(64)}`,
      command: ['celery', 'worker'],
      environment: [{ name: 'QUEUE', value: 'default' }],
      secrets: [{ name: 'DATABASE_URL', valueFrom: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shop-db' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/shop/worker' } },
    },
  ],
});

describe('EcsAdapter: clusters and services', () => {
  it('describes a cluster with its tags, and a missing one as undefined', async () => {
    const w = world();

    expect(await w.adapter.describeCluster('prod')).toEqual({ arn: `${ARN}:cluster/prod`, name: 'prod', status: 'ACTIVE', tags: {} });
    expect(await w.adapter.describeCluster('nope')).toBeUndefined();
  });

  it('describes 25 services in 3 DescribeServices calls and returns the names ECS reports missing', async () => {
    const w = world();
    await manyServices(w, 25);
    const names = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);

    const out = await w.adapter.describeServices('prod', [...names, 'ghost']);

    expect(w.calls('DescribeServices').map((c) => c.input.services.length)).toEqual([10, 10, 6]);
    expect(out.services.map((s) => s.name)).toEqual(names);
    expect(out.missing).toEqual(['ghost']);
  });

  it('returns a service in steady\'s shape: sorted network, deployments, bindings, tags', async () => {
    const w = world(steadyFixture);

    const { services } = await w.adapter.describeServices('prod', ['api']);

    expect(services[0]).toMatchObject({
      arn: `${ARN}:service/prod/api`,
      name: 'api',
      clusterArn: `${ARN}:cluster/prod`,
      status: 'ACTIVE',
      taskDefinitionArn: `${ARN}:task-definition/shop-api:1`,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      launchType: 'FARGATE',
      deploymentController: 'ECS',
      loadBalancers: [{ targetGroupArn: w.tgArn('api-tg'), containerName: 'app', containerPort: 8000 }],
      network: { subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true } },
      tags: { 'steady:managed-by': 'steady' },
    });
    expect(services[0].events[0]).toEqual({ createdAt: w.account.clock.now(), message: '(service api) has reached a steady state.' });
    expect(services[0].deployments).toEqual([
      expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2, failedTasks: 0, taskDefinitionArn: `${ARN}:task-definition/shop-api:1` }),
    ]);
  });

  it('lists services past one page', async () => {
    const w = world();
    await manyServices(w, 120);

    const arns = await w.adapter.listServices('prod');

    expect(arns).toHaveLength(120);
    expect(new Set(arns).size).toBe(120);
    expect(w.calls('ListServices')).toHaveLength(2);
  });

  it('creates and updates services and keeps the AWS error name when one is refused', async () => {
    const w = world();
    const one = await registerApp(w.ecs);
    const two = await registerApp(w.ecs);

    const created = await w.adapter.createService({
      cluster: 'prod',
      name: 'api',
      taskDefinitionArn: one,
      desiredCount: 1,
      network: NET,
      loadBalancers: [{ targetGroupArn: w.tgArn('api-tg'), containerName: 'app', containerPort: 8000 }],
      deploymentConfiguration: { circuitBreaker: { enable: true, rollback: true } },
      tags: { 'steady:managed-by': 'steady' },
    });
    const updated = await w.adapter.updateService('prod', 'api', { taskDefinitionArn: two, desiredCount: 2 });
    const refused = await w.adapter
      .createService({ cluster: 'prod', name: 'web', taskDefinitionArn: one, desiredCount: 1, network: NET, loadBalancers: [{ targetGroupArn: w.tgArn('orphan-tg'), containerName: 'app', containerPort: 8000 }] })
      .catch((e: unknown) => e);

    expect(created).toMatchObject({ name: 'api', taskDefinitionArn: one, deployments: [expect.objectContaining({ rolloutState: 'IN_PROGRESS' })] });
    expect(updated).toMatchObject({ taskDefinitionArn: two, desiredCount: 2 });
    expect(updated.deployments.map((d) => d.taskDefinitionArn)).toEqual([two, one]);
    expect(refused).toBeInstanceOf(AwsCallError);
    expect(refused).toMatchObject({
      awsName: 'InvalidParameterException',
      service: 'ecs',
      operation: 'CreateService',
      transient: false,
      message: `creating service web in cluster prod: InvalidParameterException: The target group with targetGroupArn ${w.tgArn('orphan-tg')} does not have an associated load balancer.`,
    });
  });

  it.each([
    ['ServiceNotFoundException', async (w: ReturnType<typeof world>) => w.adapter.updateService('prod', 'ghost', { desiredCount: 1 }), 'updating service ghost in cluster prod: ServiceNotFoundException: Service not found.'],
    ['ClusterNotFoundException', async (w: ReturnType<typeof world>) => w.adapter.listServices('nope'), 'listing services in cluster nope: ClusterNotFoundException: Cluster not found.'],
    [
      'ServiceNotActiveException',
      async (w: ReturnType<typeof world>) => {
        await w.ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'api', force: true }));
        return w.adapter.updateService('prod', 'api', { desiredCount: 1 });
      },
      'updating service api in cluster prod: ServiceNotActiveException: Service was not ACTIVE.',
    ],
    [
      'ClientException',
      async (w: ReturnType<typeof world>) => w.adapter.registerTaskDefinition({ ...content, memory: '300' }),
      'registering a revision of task definition family shop-worker: ClientException: No Fargate configuration exists for given values.',
    ],
    [
      'ConflictException',
      async (w: ReturnType<typeof world>) => {
        await w.adapter.runTask({ cluster: 'prod', taskDefinition: 'shop-api:1', network: NET, clientToken: 't-1' });
        return w.adapter.runTask({ cluster: 'prod', taskDefinition: 'shop-api:1', network: NET, clientToken: 't-1', startedBy: 'other' });
      },
      'running a task of shop-api:1 in cluster prod: ConflictException: The specified client token has already been used with a different request.',
    ],
    [
      'ResourceNotFoundException',
      async (w: ReturnType<typeof world>) => w.adapter.tagResource(`${ARN}:service/prod/ghost`, { a: '1' }),
      `tagging ${ARN}:service/prod/ghost: ResourceNotFoundException: The specified resource could not be found.`,
    ],
  ])('surfaces %s as an AwsCallError that says what was being done', async (awsName, act, message) => {
    const w = world(steadyFixture);

    const err = await act(w).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ awsName, message, transient: false });
  });

  it('rides out throttling with the SDK retry strategy, and reports it as transient when it persists', async () => {
    const w = world(steadyFixture);
    w.account.faults.fail({ service: 'ecs', operation: 'DescribeServices', error: 'throttle', times: 2 });

    const out = await w.adapter.describeServices('prod', ['api']);
    w.account.faults.fail({ service: 'ecs', operation: 'DescribeServices', error: 'throttle' });
    const err = await w.adapter.describeServices('prod', ['api']).catch((e: unknown) => e);

    expect(out.services).toHaveLength(1);
    expect(w.calls('DescribeServices').slice(0, 3).map((c) => c.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(err).toMatchObject({ awsName: 'ThrottlingException', transient: true, message: 'describing services api in cluster prod: ThrottlingException: Rate exceeded' });
    expect(w.calls('DescribeServices')).toHaveLength(6);
  });
});

describe('EcsAdapter: deploymentConfiguration', () => {
  const alarms = { alarmNames: ['api-5xx'], enable: true, rollback: true };

  it('reads the fields steady does not model as they are, and sends them back whole', async () => {
    const unmodelled = { strategy: 'ROLLING', bakeTimeInMinutes: 3 };
    const w = world({ ...steadyFixture, services: [{ ...steadyFixture.services[0], alarms, settings: { deploymentConfiguration: unmodelled as never } }] });

    const [before] = (await w.adapter.describeServices('prod', ['api'])).services;
    await w.adapter.updateService('prod', 'api', { deploymentConfiguration: { ...before.deploymentConfiguration, minimumHealthyPercent: 50 } });
    const [after] = (await w.adapter.describeServices('prod', ['api'])).services;

    expect(before.deploymentConfiguration).toEqual({ minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true }, alarms, unmodelled });
    expect(w.calls('UpdateService')[0].input.deploymentConfiguration).toEqual({
      ...unmodelled,
      alarms,
      minimumHealthyPercent: 50,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(after.deploymentConfiguration).toEqual({ ...before.deploymentConfiguration, minimumHealthyPercent: 50 });
  });
});

describe('EcsAdapter: task definitions', () => {
  it('describes a revision ARN once and serves it from the cache afterwards, also to another adapter on the client', async () => {
    const w = world();
    const arn = await registerApp(w.ecs);

    const first = await w.adapter.describeTaskDefinition(arn);
    const second = await w.adapter.describeTaskDefinition(arn);
    const third = await new EcsAdapter(w.clients.ecs).describeTaskDefinition(arn);

    expect(w.calls('DescribeTaskDefinition')).toHaveLength(1);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(first).toMatchObject({ arn, family: 'shop-api', revision: 1, status: 'ACTIVE', registeredAt: expect.any(Number) });
    expect(first?.content.containerDefinitions[0]).toMatchObject({ name: 'app', image: `${REGISTRY}/shop-api:v1` });
  });

  it('asks ECS every time for a family (the latest revision moves) and for tags (they change)', async () => {
    const w = world();
    const arn = await registerApp(w.ecs, { extra: { tags: [{ key: 'steady:migration-version', value: 'v1' }] } });

    await w.adapter.describeTaskDefinition('shop-api');
    const latest = await w.adapter.describeTaskDefinition('shop-api');
    await w.adapter.tagResource(arn, { 'steady:migration-result': 'succeeded' });
    const tagged = await w.adapter.describeTaskDefinition(arn, { tags: true });
    const cached = await w.adapter.describeTaskDefinition(arn);

    expect(latest?.arn).toBe(arn);
    expect(tagged?.tags).toEqual({ 'steady:migration-version': 'v1', 'steady:migration-result': 'succeeded' });
    expect(cached?.tags).toBeUndefined();
    expect(w.calls('DescribeTaskDefinition').map((c) => c.input.include ?? [])).toEqual([[], [], ['TAGS']]);
  });

  it('returns undefined for a task definition ECS cannot find', async () => {
    const w = world();

    expect(await w.adapter.describeTaskDefinition('nope')).toBeUndefined();
    expect(await w.adapter.describeTaskDefinition(`${ARN}:task-definition/nope:3`)).toBeUndefined();
  });

  it('registers canonical content with tags and describes it back as the same content, without another call', async () => {
    const w = world();

    const registered = await w.adapter.registerTaskDefinition(content, { 'steady:managed-by': 'steady' });
    const described = await w.adapter.describeTaskDefinition(registered.arn);

    expect(registered).toMatchObject({ arn: `${ARN}:task-definition/shop-worker:1`, revision: 1, tags: { 'steady:managed-by': 'steady' } });
    expect(registered.content).toEqual(content);
    expect(described?.content).toEqual(content);
    expect(w.calls('DescribeTaskDefinition')).toHaveLength(0);
  });

  it('registers the whole content: every field, not only the ones the spec language has', async () => {
    const w = world();
    const whole = canonicalTaskDefinition({ ...FIRELENS_TASK_DEFINITION, pidMode: 'task', enableFaultInjection: true });

    const registered = await w.adapter.registerTaskDefinition(whole);

    const sent = w.calls('RegisterTaskDefinition')[0].input;
    expect(sent).toMatchObject({ pidMode: 'task', enableFaultInjection: true, ephemeralStorage: { sizeInGiB: 50 }, volumes: FIRELENS_TASK_DEFINITION.volumes });
    expect(sent.containerDefinitions[1]).toMatchObject({ ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }], linuxParameters: { initProcessEnabled: true } });
    expect(registered.content).toEqual(whole);
  });

  it('lists a family past one page, newest first', async () => {
    const w = world();
    for (let i = 0; i < 130; i++) await registerApp(w.ecs);
    await registerApp(w.ecs, { family: 'other' });
    w.account.calls.length = 0;

    const arns = await w.adapter.listTaskDefinitions('shop-api', { sort: 'DESC' });

    expect(arns).toHaveLength(130);
    expect([arns[0], arns[129]]).toEqual([`${ARN}:task-definition/shop-api:130`, `${ARN}:task-definition/shop-api:1`]);
    expect(w.calls('ListTaskDefinitions')).toHaveLength(2);
  });

  it('keeps a separate cache per client, so two simulated accounts never share revisions', async () => {
    const a = world();
    const b = world();
    await registerApp(a.ecs, { image: `${REGISTRY}/shop-api:v1` });
    await registerApp(b.ecs, { image: `${REGISTRY}/shop-api:v2` });

    const fromA = await a.adapter.describeTaskDefinition(`${ARN}:task-definition/shop-api:1`);
    const fromB = await b.adapter.describeTaskDefinition(`${ARN}:task-definition/shop-api:1`);

    expect(fromA?.content.containerDefinitions[0].image).toBe(`${REGISTRY}/shop-api:v1`);
    expect(fromB?.content.containerDefinitions[0].image).toBe(`${REGISTRY}/shop-api:v2`);
  });

  it('evicts the least recently used revision beyond its capacity', () => {
    const cache = new TaskDefinitionCache(2);
    const td = (n: number) => ({ arn: `a:${n}`, family: 'a', revision: n, status: 'ACTIVE' as const, content });

    cache.set(td(1));
    cache.set(td(2));
    cache.get('a:1');
    cache.set(td(3));

    expect([cache.get('a:1')?.revision, cache.get('a:2'), cache.get('a:3')?.revision, cache.size]).toEqual([1, undefined, 3, 2]);
  });
});

describe('EcsAdapter: tasks and tags', () => {
  it('runs tasks, lists them past one page and describes them 100 a call', async () => {
    const w = world();
    await registerApp(w.ecs);
    w.account.ecs.setTaskOutcome({}, { exitCode: 0, runMs: 3_600_000 });
    for (let i = 0; i < 15; i++) await w.adapter.runTask({ cluster: 'prod', taskDefinition: 'shop-api', network: NET, count: 10, startedBy: 'load' });
    w.advance(15_000);
    w.account.calls.length = 0;

    const arns = await w.adapter.listTasks('prod', { startedBy: 'load' });
    const out = await w.adapter.describeTasks('prod', [...arns, `${ARN}:task/prod/${'0'.repeat(32)}`]);

    expect(arns).toHaveLength(150);
    expect(w.calls('ListTasks')).toHaveLength(2);
    expect(w.calls('DescribeTasks').map((c) => c.input.tasks.length)).toEqual([100, 51]);
    expect(out.tasks).toHaveLength(150);
    expect(out.missing).toEqual([`${ARN}:task/prod/${'0'.repeat(32)}`]);
    expect(out.tasks[0]).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      startedBy: 'load',
      group: 'family:shop-api',
      privateIp: expect.stringMatching(/^10\.0\./),
      containers: [{ name: 'app', image: `${REGISTRY}/shop-api:v1`, imageDigest: w.account.ecr.resolve(`${REGISTRY}/shop-api:v1`), lastStatus: 'RUNNING' }],
      tags: {},
    });
  });

  it('runs a migration with a command override and sees it stop with its exit code', async () => {
    const w = world();
    await registerApp(w.ecs);
    w.account.ecs.setTaskOutcome({ command: ['alembic', 'upgrade', 'head'] }, { exitCode: 1, runMs: 30_000 });

    const { tasks } = await w.adapter.runTask({
      cluster: 'prod',
      taskDefinition: 'shop-api:1',
      network: NET,
      startedBy: 'steady',
      overrides: [{ containerName: 'app', command: ['alembic', 'upgrade', 'head'], environment: { LOG_LEVEL: 'debug' } }],
      tags: { 'steady:resource': 'Migration/db-migrate' },
      clientToken: 'db-migrate-abc-1',
    });
    w.advance(120_000);
    const { tasks: [done] } = await w.adapter.describeTasks('prod', [tasks[0].arn]);

    expect(tasks[0]).toMatchObject({ lastStatus: 'PROVISIONING', tags: {} });
    expect(done).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [expect.objectContaining({ exitCode: 1 })], tags: { 'steady:resource': 'Migration/db-migrate' } });
    expect(w.calls('RunTask')[0].input.overrides.containerOverrides).toEqual([{ name: 'app', command: ['alembic', 'upgrade', 'head'], environment: [{ name: 'LOG_LEVEL', value: 'debug' }] }]);
  });

  it('stops a task with a reason and lists it among the stopped ones', async () => {
    const w = world();
    await registerApp(w.ecs);
    const { tasks } = await w.adapter.runTask({ cluster: 'prod', taskDefinition: 'shop-api', network: NET });

    const stopped = await w.adapter.stopTask('prod', tasks[0].arn, 'steady: migration timed out');
    w.advance(60_000);

    expect(stopped).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'steady: migration timed out' });
    expect(await w.adapter.listTasks('prod', { desiredStatus: 'STOPPED' })).toEqual([tasks[0].arn]);
    expect(await w.adapter.listTasks('prod')).toEqual([]);
  });

  it('tags, untags and lists the tags of a service', async () => {
    const w = world(steadyFixture);
    const arn = `${ARN}:service/prod/api`;

    await w.adapter.tagResource(arn, { 'steady:rollout': `${ARN}:task-definition/shop-api:1`, team: 'shop' });
    await w.adapter.untagResource(arn, ['team']);

    expect(await w.adapter.listTagsForResource(arn)).toEqual({ 'steady:managed-by': 'steady', 'steady:rollout': `${ARN}:task-definition/shop-api:1` });
  });
});
