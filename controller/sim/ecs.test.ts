import {
  CreateClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canonicalTaskDefinition } from '../model/taskdef.js';
import { ECS_WORLD_ELBV2, ecsWorld, NETWORK, REGISTRY, registerApp } from '../testing/ecs-world.js';
import { FIRELENS_TASK_DEFINITION } from '../testing/firelens.js';
import { SimAccount } from './account.js';
import type { SimFixture } from './fixture.js';

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012';

describe('simulated ECS: clusters', () => {
  it('creates a cluster once and describes it with tags and counts', async () => {
    const { ecs } = ecsWorld();

    await ecs.send(new CreateClusterCommand({ clusterName: 'batch', tags: [{ key: 'team', value: 'data' }] }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'batch' }));
    const out = await ecs.send(new DescribeClustersCommand({ clusters: ['batch', `${ARN}:cluster/nope`], include: ['TAGS'] }));

    expect(out.clusters).toEqual([
      expect.objectContaining({ clusterArn: `${ARN}:cluster/batch`, clusterName: 'batch', status: 'ACTIVE', runningTasksCount: 0, tags: [{ key: 'team', value: 'data' }] }),
    ]);
    expect(out.failures).toEqual([{ arn: `${ARN}:cluster/nope`, reason: 'MISSING' }]);
  });
});

describe('simulated ECS: task definitions', () => {
  it('numbers revisions per family and fills what ECS fills', async () => {
    const { ecs } = ecsWorld();

    const first = await registerApp(ecs);
    const second = await registerApp(ecs, { image: `${REGISTRY}/shop-api:v2` });
    const other = await registerApp(ecs, { family: 'worker' });
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: second }));

    expect([first, second, other]).toEqual([`${ARN}:task-definition/shop-api:1`, `${ARN}:task-definition/shop-api:2`, `${ARN}:task-definition/worker:1`]);
    expect(out.taskDefinition).toMatchObject({
      family: 'shop-api',
      revision: 2,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      registeredAt: expect.any(Date),
    });
    expect(out.taskDefinition?.containerDefinitions?.[0]).toMatchObject({ cpu: 0, essential: true, portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: 'tcp' }] });
    expect(out.tags).toBeUndefined();
  });

  it('normalises "1 vCPU" and "2GB" to units', async () => {
    const { ecs } = ecsWorld();

    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'big',
        cpu: '1 vCPU',
        memory: '2GB',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        containerDefinitions: [{ name: 'app', image: 'nginx' }],
      }),
    );

    expect(out.taskDefinition).toMatchObject({ cpu: '1024', memory: '2048' });
  });

  it('describes as the same canonical content as was registered', async () => {
    const { ecs } = ecsWorld();
    const input = {
      family: 'shop-api',
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc' as const,
      requiresCompatibilities: ['FARGATE' as const],
      containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:v1`, portMappings: [{ containerPort: 8000 }], environment: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }],
    };

    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition!.taskDefinitionArn;
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));

    expect(canonicalTaskDefinition(out.taskDefinition!)).toEqual(canonicalTaskDefinition(input));
  });

  it.each([
    [{ cpu: '256', memory: '4096' }, 'No Fargate configuration exists for given values.'],
    [{ cpu: '300', memory: '512' }, 'No Fargate configuration exists for given values.'],
    [{ memory: '512' }, 'No Fargate configuration exists for given values.'],
    [{ networkMode: 'bridge' as const }, 'Fargate only supports network mode \u2018awsvpc\u2019.'],
  ])('refuses a Fargate task definition with %j', async (change, message) => {
    const { ecs } = ecsWorld();

    await expect(registerApp(ecs, { extra: { cpu: undefined, ...change } })).rejects.toMatchObject({
      name: 'ClientException',
      message,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('keeps every field RegisterTaskDefinition takes and returns it, with the defaults AWS fills', async () => {
    const { ecs } = ecsWorld();
    const input = {
      ...FIRELENS_TASK_DEFINITION,
      pidMode: 'task' as const,
      proxyConfiguration: { type: 'APPMESH' as const, containerName: 'app', properties: [{ name: 'ProxyIngressPort', value: '15000' }] },
      enableFaultInjection: true,
      containerDefinitions: FIRELENS_TASK_DEFINITION.containerDefinitions!.map((c) =>
        c.name === 'app'
          ? { ...c, healthCheck: { command: ['CMD', 'true'] }, systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }], startTimeout: 30, versionConsistency: 'disabled' as const }
          : c,
      ),
    };

    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition!.taskDefinitionArn;
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;

    expect(td).toMatchObject({
      pidMode: 'task',
      proxyConfiguration: { type: 'APPMESH', containerName: 'app', properties: [{ name: 'ProxyIngressPort', value: '15000' }] },
      enableFaultInjection: true,
      ephemeralStorage: { sizeInGiB: 50 },
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      volumes: [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' } }],
    });
    expect(td.containerDefinitions![0]).toMatchObject({ name: 'log_router', cpu: 0, firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } } });
    expect(td.containerDefinitions![1]).toMatchObject({
      name: 'app',
      cpu: 0,
      mountPoints: [{ sourceVolume: 'shared', containerPath: '/data' }],
      ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
      linuxParameters: { initProcessEnabled: true },
      dockerLabels: { 'com.datadoghq.tags.service': 'files-api' },
      healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 },
      systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
      startTimeout: 30,
      versionConsistency: 'disabled',
      volumesFrom: [],
    });
    expect(canonicalTaskDefinition(td)).toEqual(canonicalTaskDefinition(input));
  });

  it.each([
    [
      'a container logs through awsfirelens but none routes logs',
      [{ name: 'app', image: 'nginx', logConfiguration: { logDriver: 'awsfirelens' as const } }],
      'When awsfirelens log driver is specified in log configuration, a firelens configuration object must be configured in one of the containers.',
    ],
    [
      'a log router that no container logs through',
      [{ name: 'app', image: 'nginx' }, { name: 'log_router', image: 'fluent-bit', firelensConfiguration: { type: 'fluentbit' as const } }],
      'When a firelensConfiguration object is specified, at least one container has to be configured with the awsfirelens log driver.',
    ],
  ])('refuses FireLens with only one half: %s', async (_what, containerDefinitions, message) => {
    const { ecs } = ecsWorld();

    await expect(registerApp(ecs, { extra: { containerDefinitions } })).rejects.toMatchObject({ name: 'ClientException', message });
  });

  it('refuses awslogs without an execution role on Fargate', async () => {
    const { ecs } = ecsWorld();

    await expect(
      registerApp(ecs, {
        extra: { containerDefinitions: [{ name: 'app', image: 'nginx', logConfiguration: { logDriver: 'awslogs', options: {} } }] },
      }),
    ).rejects.toThrow('Fargate requires task definition to have execution role ARN to support log driver awslogs.');
  });

  it('keeps a deregistered revision describable but resolves the family to the latest ACTIVE one', async () => {
    const { ecs } = ecsWorld();
    const one = await registerApp(ecs);
    const two = await registerApp(ecs);

    const out = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'shop-api:2' }));
    const byFamily = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api' }));
    const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: two }));

    expect(out.taskDefinition).toMatchObject({ status: 'INACTIVE', deregisteredAt: expect.any(Date) });
    expect(byFamily.taskDefinition?.taskDefinitionArn).toBe(one);
    expect(byArn.taskDefinition?.status).toBe('INACTIVE');
    await expect(ecs.send(new RunTaskCommand({ cluster: 'prod', taskDefinition: two, networkConfiguration: NETWORK }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'TaskDefinition is inactive',
    });
  });

  it('refuses to deregister without a revision', async () => {
    const { ecs } = ecsWorld();
    await registerApp(ecs);

    await expect(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'shop-api' }))).rejects.toMatchObject({ name: 'ClientException' });
  });

  it('answers an unknown task definition with ClientException "Unable to describe task definition."', async () => {
    const { ecs } = ecsWorld();
    await registerApp(ecs);

    for (const ref of ['nope', 'shop-api:7', `${ARN}:task-definition/nope:1`]) {
      await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))).rejects.toMatchObject({
        name: 'ClientException',
        message: 'Unable to describe task definition.',
      });
    }
  });

  it('includes tags only when asked', async () => {
    const { ecs } = ecsWorld();
    const arn = await registerApp(ecs, { extra: { tags: [{ key: 'steady:managed-by', value: 'steady' }] } });

    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));

    expect(out.tags).toEqual([{ key: 'steady:managed-by', value: 'steady' }]);
  });

  it('lists by family and status, sorted ASC or DESC, paged with an opaque token', async () => {
    const { ecs } = ecsWorld();
    for (let i = 0; i < 3; i++) await registerApp(ecs, { family: 'b' });
    await registerApp(ecs, { family: 'a' });
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'b:2' }));

    const asc = await ecs.send(new ListTaskDefinitionsCommand({}));
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC' }));
    const family = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'b' }));
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    const p1 = await ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC', maxResults: 2 }));
    const p2 = await ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC', maxResults: 2, nextToken: p1.nextToken }));

    const short = (arns?: string[]) => arns?.map((a) => a.slice(a.lastIndexOf('/') + 1));
    expect(short(asc.taskDefinitionArns)).toEqual(['a:1', 'b:1', 'b:3']);
    expect(short(desc.taskDefinitionArns)).toEqual(['b:3', 'b:1', 'a:1']);
    expect(short(family.taskDefinitionArns)).toEqual(['b:1', 'b:3']);
    expect(short(inactive.taskDefinitionArns)).toEqual(['b:2']);
    expect([short(p1.taskDefinitionArns), short(p2.taskDefinitionArns), p2.nextToken]).toEqual([['b:3', 'b:1'], ['a:1'], undefined]);
    await expect(ecs.send(new ListTaskDefinitionsCommand({ nextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('hides a just-registered revision from reads while stale reads are injected', async () => {
    const { account, ecs, advance } = ecsWorld();
    await registerApp(ecs);
    advance(60_000);
    account.faults.staleReads({ service: 'ecs', forMs: 10_000 });
    await registerApp(ecs);

    const latestBefore = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api' }));
    const listBefore = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-api' }));
    advance(10_000);
    const latestAfter = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api' }));

    expect(latestBefore.taskDefinition?.revision).toBe(1);
    expect(listBefore.taskDefinitionArns).toHaveLength(1);
    expect(latestAfter.taskDefinition?.revision).toBe(2);
    await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api:2' }))).resolves.toBeDefined();
  });
});

describe('simulated ECS: tags', () => {
  it('tags, untags and lists tags of clusters, services, task definitions and tasks', async () => {
    const { account, ecs } = ecsWorld({ taskDefinitions: [{ family: 'shop-api', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:v1` }] }], services: [{ name: 'api', cluster: 'prod', taskDefinition: 'shop-api:1' }] });
    const task = account.ecs.serviceState('prod', 'api').tasks[0].arn;
    const arns = [`${ARN}:cluster/prod`, `${ARN}:service/prod/api`, `${ARN}:task-definition/shop-api:1`, task];

    for (const resourceArn of arns) {
      await ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }));
      await ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'b', value: '3' }] }));
      await ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] }));
    }
    const listed = await Promise.all(arns.map((resourceArn) => ecs.send(new ListTagsForResourceCommand({ resourceArn }))));

    expect(listed.map((l) => l.tags)).toEqual(arns.map(() => [{ key: 'b', value: '3' }]));
  });

  it('refuses legacy short service ARNs and unknown resources', async () => {
    const { ecs } = ecsWorld();

    await expect(ecs.send(new ListTagsForResourceCommand({ resourceArn: `${ARN}:service/api` }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Long arn format must be used for tagging operations',
    });
    await expect(ecs.send(new TagResourceCommand({ resourceArn: `${ARN}:service/prod/nope`, tags: [{ key: 'a', value: '1' }] }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses more than 50 tags on one resource', async () => {
    const { ecs } = ecsWorld();
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));

    await expect(ecs.send(new TagResourceCommand({ resourceArn: `${ARN}:cluster/prod`, tags }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('simulated ECS: fixtures', () => {
  it('seeds revisions in order and services in steady state on the revision they name', async () => {
    const container = { name: 'app', image: `${REGISTRY}/shop-api:v1`, portMappings: [{ containerPort: 8000 }] };
    const w = ecsWorld({
      taskDefinitions: [
        { family: 'shop-api', containerDefinitions: [container] },
        { family: 'shop-api', containerDefinitions: [container], tags: { release: 'two' } },
        { family: 'shop-api', containerDefinitions: [{ ...container, image: `${REGISTRY}/shop-api:v2` }] },
        { family: 'old', containerDefinitions: [container], status: 'INACTIVE' },
      ],
      services: [
        {
          name: 'api',
          cluster: 'prod',
          taskDefinition: 'shop-api:2',
          desiredCount: 2,
          loadBalancer: { targetGroup: 'api-tg', containerName: 'app', containerPort: 8000 },
          circuitBreaker: { enable: true, rollback: true },
          tags: { 'steady:managed-by': 'steady' },
        },
      ],
    });

    const { account, ecs } = w;
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'], include: ['TAGS'] }));
    const state = account.ecs.serviceState('prod', 'api');

    expect(out.services?.[0]).toMatchObject({
      status: 'ACTIVE',
      taskDefinition: `${ARN}:task-definition/shop-api:2`,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
      loadBalancers: [{ targetGroupArn: w.tgArn('api-tg'), containerName: 'app', containerPort: 8000 }],
      tags: [{ key: 'steady:managed-by', value: 'steady' }],
    });
    expect(out.services?.[0].deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 })]);
    expect(out.services?.[0].events?.[0].message).toBe('(service api) has reached a steady state.');
    expect(state.tasks.map((t) => t.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
    expect(state.tasks[0].images).toEqual([{ name: 'app', image: `${REGISTRY}/shop-api:v1`, imageDigest: account.ecr.resolve(`${REGISTRY}/shop-api:v1`) }]);
    // A seeded service is past its health checks: its tasks are healthy targets already.
    expect(await w.targetsByState('api-tg')).toEqual({ healthy: await w.targetsOf(state.tasks.map((t) => t.arn)) });
    const old = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'old:1' }));
    expect(old.taskDefinition?.status).toBe('INACTIVE');
  });

  it('reads a short YAML fixture as a person would write it', async () => {
    const fixture = parse(`
ecr:
  repositories:
    shop-api:
      - tags: [v1]
      - tags: [latest, v2]
ecs:
  clusters: [shop-prod]
  taskDefinitions:
    - family: shop-api
      containerDefinitions:
        - { name: app, image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:v1", portMappings: [{ containerPort: 8000 }] }
    - family: shop-api
      containerDefinitions:
        - { name: app, image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest", portMappings: [{ containerPort: 8000 }] }
  services:
    - { name: api, cluster: shop-prod, taskDefinition: "shop-api:1", desiredCount: 2,
        loadBalancer: { targetGroup: api-tg, containerName: app, containerPort: 8000 } }
`) as SimFixture;
    const account = new SimAccount();

    account.seed({ ...fixture, elbv2: ECS_WORLD_ELBV2 });
    const state = account.ecs.serviceState('shop-prod', 'api');
    const health = await account.clients().elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: account.elbv2.targetGroupArnOf('api-tg') }));

    expect(state).toMatchObject({ status: 'ACTIVE', runningCount: 2, taskDefinition: `${ARN}:task-definition/shop-api:1` });
    expect(state.deployments.map((d) => d.rolloutState)).toEqual(['COMPLETED']);
    expect(state.tasks.map((t) => t.images[0].imageDigest)).toEqual([account.ecr.images('shop-api')[0].digest, account.ecr.images('shop-api')[0].digest]);
    expect(health.TargetHealthDescriptions?.map((d) => [d.Target?.Port, d.TargetHealth?.State])).toEqual([
      [8000, 'healthy'],
      [8000, 'healthy'],
    ]);
  });

  it('says which target group a fixture names that does not exist', () => {
    expect(() =>
      ecsWorld({
        taskDefinitions: [{ family: 'a', containerDefinitions: [{ name: 'app', image: 'nginx', portMappings: [{ containerPort: 80 }] }] }],
        services: [{ name: 'a', cluster: 'prod', taskDefinition: 'a:1', loadBalancer: { targetGroup: 'ghost-tg', containerName: 'app', containerPort: 80 } }],
      }),
    ).toThrow('simulated ECS fixture: service a names target group ghost-tg, which the simulated ELBv2 does not have');
  });
});
