/**
 * Round trip, as a property: for a task definition made by hand from every RegisterTaskDefinition
 * field Fargate takes (random values and orders, AWS's defaults sent explicitly or left to ECS,
 * references in their short forms), run by a service with random settings of its own, `steady
 * import` then `steady plan` against the same simulated account plans nothing but the adoption.
 */
import {
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type LogConfiguration,
  type PortMapping,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimAccount } from '../sim/account.js';
import { ECS_WORLD_ELBV2, NETWORK, REGISTRY } from '../testing/ecs-world.js';
import { beyondAdoption, roundTrip } from '../testing/import-world.js';

const ACCOUNT = '123456789012';
const EXEC = `arn:aws:iam::${ACCOUNT}:role/gen-exec`;
const SIZES = [
  ['256', '512'],
  ['512', '2048'],
  ['1024', '3072'],
  ['2048', '8192'],
] as const;
const NAMES = ['app', 'sidecar', 'worker'] as const;

/** Keeps a field, leaves it out, or (for a value equal to ECS's default) says the default explicitly. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** How a container names its image: the ways a revision made by hand does. */
type ImageForm = 'digest' | 'tagAndDigest' | 'untaggedDigest' | 'tag' | 'public';
const imageForm = fc.constantFrom<ImageForm>('digest', 'tagAndDigest', 'untaggedDigest', 'tag', 'public');

function environment() {
  return fc.uniqueArray(fc.record({ name: fc.constantFrom('LOG_LEVEL', 'PORT', 'REGION', 'FEATURE_X', 'WORKERS'), value: fc.constantFrom('info', '8080', '', 'on', '4') }), {
    maxLength: 4,
    selector: (e) => e.name,
  });
}

function healthCheck() {
  return fc.record(
    {
      command: fc.constant<string[]>(['CMD-SHELL', 'curl -f http://localhost/ || exit 1']),
      interval: fc.integer({ min: 5, max: 300 }),
      timeout: fc.integer({ min: 2, max: 60 }),
      retries: fc.integer({ min: 1, max: 10 }),
      startPeriod: fc.integer({ min: 0, max: 300 }),
    },
    { requiredKeys: ['command'] },
  );
}

function linuxParameters() {
  return fc.record(
    {
      initProcessEnabled: fc.boolean(),
      capabilities: fc.record({ add: fc.constantFrom<string[]>([], ['SYS_PTRACE']), drop: fc.subarray(['NET_RAW', 'MKNOD', 'SYS_CHROOT']) }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
}

/** Every container field Fargate takes, each maybe (the name, image and ports are decided by the task). */
function containerExtras() {
  return fc.record(
    {
      essential: fc.boolean(),
      cpu: fc.constantFrom(0, 64, 128),
      memoryReservation: fc.integer({ min: 16, max: 256 }),
      command: fc.constantFrom<string[]>(['serve'], ['sh', '-c', 'exec app']),
      entryPoint: fc.constant<string[]>(['/docker-entrypoint.sh']),
      workingDirectory: fc.constant('/srv'),
      user: fc.constantFrom('1000', 'app:app'),
      environment: environment(),
      environmentFiles: fc.constant<{ value: string; type: 's3' }[]>([{ value: 'arn:aws:s3:::gen-config/app.env', type: 's3' }]),
      secrets: fc.constant<{ name: string; valueFrom: string }[]>([
        { name: 'DB_URL', valueFrom: '/gen/db-url' },
        { name: 'API_KEY', valueFrom: `arn:aws:secretsmanager:ap-northeast-1:${ACCOUNT}:secret:gen/api-key-AbCdEf` },
      ]),
      healthCheck: healthCheck(),
      readonlyRootFilesystem: fc.boolean(),
      stopTimeout: fc.integer({ min: 2, max: 120 }),
      startTimeout: fc.integer({ min: 2, max: 120 }),
      repositoryCredentials: fc.constant({ credentialsParameter: `arn:aws:secretsmanager:ap-northeast-1:${ACCOUNT}:secret:registry-AbCdEf` }),
      linuxParameters: linuxParameters(),
      ulimits: fc.uniqueArray(fc.record({ name: fc.constantFrom('nofile', 'nproc', 'core'), softLimit: fc.integer({ min: 1024, max: 65536 }), hardLimit: fc.constant(65536) }), {
        maxLength: 3,
        selector: (u) => u.name,
      }),
      systemControls: fc.uniqueArray(fc.record({ namespace: fc.constantFrom('net.core.somaxconn', 'net.ipv4.tcp_keepalive_time'), value: fc.constantFrom('1024', '300') }), {
        maxLength: 2,
        selector: (s) => s.namespace,
      }),
      dockerLabels: fc.dictionary(fc.constantFrom('team', 'com.datadoghq.tags.service', 'tier'), fc.constantFrom('web', 'gen', 'backend'), { maxKeys: 2 }),
      restartPolicy: fc.record({ enabled: fc.boolean(), ignoredExitCodes: fc.constantFrom<number[]>([0], [0, 143]), restartAttemptPeriod: fc.constantFrom(60, 300, 900) }, { requiredKeys: ['enabled'] }),
      versionConsistency: fc.constantFrom('enabled' as const, 'disabled' as const),
      interactive: fc.boolean(),
      pseudoTerminal: fc.boolean(),
      credentialSpecs: fc.constant<string[]>(['credentialspecdomainless:arn:aws:s3:::gen-config/gmsa.json']),
    },
    { requiredKeys: [] },
  );
}

interface Generated {
  size: number;
  arm: boolean;
  containers: { extras: ReturnType<typeof containerExtras> extends fc.Arbitrary<infer T> ? T : never; form: ImageForm; ports: 'none' | 'one' | 'range' }[];
  task: { ephemeral?: number; pidMode?: boolean; faultInjection?: boolean; taskRole?: 'arn' | 'name'; compat: 'fargate' | 'both' | 'none'; efs?: boolean; bind?: boolean; proxy?: boolean };
  firelens: boolean;
  /** With a named port on the first container: Service Connect, and a target group behind api-alb. */
  serviceConnect: boolean;
  loadBalanced: boolean;
  /** Lists shuffled before they are sent. */
  seed: number;
  service: Partial<CreateServiceCommandInput>;
}

function serviceSettings(): fc.Arbitrary<Partial<CreateServiceCommandInput>> {
  return fc.record(
    {
      enableExecuteCommand: fc.boolean(),
      propagateTags: fc.constantFrom('NONE' as const, 'SERVICE' as const, 'TASK_DEFINITION' as const),
      enableECSManagedTags: fc.boolean(),
      availabilityZoneRebalancing: fc.constantFrom('ENABLED' as const, 'DISABLED' as const),
      healthCheckGracePeriodSeconds: fc.integer({ min: 0, max: 600 }),
      capacityProviderStrategy: fc.constantFrom(
        [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        [
          { capacityProvider: 'FARGATE', base: 1, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        ],
      ),
      deploymentConfiguration: fc.record(
        {
          maximumPercent: fc.constantFrom(150, 200),
          minimumHealthyPercent: fc.constantFrom(50, 100),
          deploymentCircuitBreaker: fc.record({ enable: fc.boolean(), rollback: fc.boolean() }),
          alarms: fc.constant({ alarmNames: ['gen-5xx', 'gen-latency'], enable: true, rollback: false }),
        },
        { requiredKeys: [] },
      ),
      serviceRegistries: fc.constant([{ registryArn: `arn:aws:servicediscovery:ap-northeast-1:${ACCOUNT}:service/srv-0123456789abcdef` }]),
    },
    { requiredKeys: [] },
  );
}

const generated: fc.Arbitrary<Generated> = fc.record({
  size: fc.integer({ min: 0, max: SIZES.length - 1 }),
  arm: fc.boolean(),
  containers: fc.array(fc.record({ extras: containerExtras(), form: imageForm, ports: fc.constantFrom('none' as const, 'one' as const, 'range' as const) }), { minLength: 1, maxLength: 3 }),
  task: fc.record(
    {
      ephemeral: fc.integer({ min: 21, max: 200 }),
      pidMode: fc.boolean(),
      faultInjection: fc.boolean(),
      taskRole: fc.constantFrom('arn' as const, 'name' as const),
      compat: fc.constantFrom('fargate' as const, 'both' as const, 'none' as const),
      efs: fc.boolean(),
      bind: fc.boolean(),
      proxy: fc.boolean(),
    },
    { requiredKeys: ['compat'] },
  ),
  firelens: fc.boolean(),
  serviceConnect: fc.boolean(),
  loadBalanced: fc.boolean(),
  seed: fc.integer(),
  service: serviceSettings(),
});

/** A stable shuffle of `list` by `seed`: the order a person happened to write. */
function shuffled<T>(list: T[] | undefined, seed: number): T[] | undefined {
  if (!list) return list;
  return list.map((item, i) => ({ item, k: Math.sin(seed + i * 7919) })).sort((a, b) => a.k - b.k).map((x) => x.item);
}

function imageOf(form: ImageForm, digests: { tagged: string; untagged: string }): string {
  switch (form) {
    case 'digest':
      return `${REGISTRY}/gen@${digests.tagged}`;
    case 'tagAndDigest':
      return `${REGISTRY}/gen:v1@${digests.tagged}`;
    case 'untaggedDigest':
      return `${REGISTRY}/gen@${digests.untagged}`;
    case 'tag':
      return `${REGISTRY}/gen:v1`;
    case 'public':
      return 'public.ecr.aws/docker/library/nginx:1.27';
  }
}

function containerOf(g: Generated, i: number, digests: { tagged: string; untagged: string }): ContainerDefinition {
  const c = g.containers[i];
  const name = NAMES[i];
  const e = c.extras;
  const ports: PortMapping[] =
    c.ports === 'one' ? [{ containerPort: 8000 + i, name: `${name}-http`, appProtocol: 'http' }] : c.ports === 'range' ? [{ containerPortRange: `${9000 + i * 10}-${9005 + i * 10}`, protocol: 'udp' }] : [];
  const mounts = [...(g.task.efs ? [{ sourceVolume: 'shared', containerPath: '/data', readOnly: i > 0 }] : []), ...(g.task.bind ? [{ sourceVolume: 'scratch', containerPath: '/scratch' }] : [])];
  const logConfiguration: LogConfiguration =
    g.firelens && i > 0
      ? { logDriver: 'awsfirelens' as const, options: { Name: 'cloudwatch', region: 'ap-northeast-1', log_group_name: '/gen' } }
      : { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/gen', 'awslogs-region': 'ap-northeast-1', 'awslogs-stream-prefix': name } };
  return {
    ...e,
    // At least one container is essential.
    essential: i === 0 ? true : e.essential,
    name,
    image: imageOf(c.form, digests),
    portMappings: shuffled(ports, g.seed),
    environment: shuffled(e.environment, g.seed),
    secrets: shuffled(e.secrets && [...e.secrets], g.seed + 1),
    ulimits: shuffled(e.ulimits, g.seed + 2),
    systemControls: shuffled(e.systemControls, g.seed + 3),
    mountPoints: shuffled(mounts, g.seed),
    dependsOn: i > 0 ? [{ containerName: 'app', condition: 'START' }] : undefined,
    logConfiguration,
    firelensConfiguration: g.firelens && i === 0 ? { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } } : undefined,
  };
}

/** The hand-made RegisterTaskDefinition input. */
function taskDefinitionOf(g: Generated, digests: { tagged: string; untagged: string }): RegisterTaskDefinitionCommandInput {
  const t = g.task;
  const containers = g.containers.map((_, i) => containerOf(g, i, digests));
  const firelens = g.firelens && containers.length > 1;
  if (!firelens) for (const c of containers) Object.assign(c, { firelensConfiguration: undefined, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/gen', 'awslogs-region': 'ap-northeast-1', 'awslogs-stream-prefix': c.name } } });
  const volumes = [
    ...(t.efs ? [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' as const, authorizationConfig: { iam: 'ENABLED' as const } } }] : []),
    ...(t.bind ? [{ name: 'scratch', host: {} }] : []),
  ];
  return {
    family: 'gen',
    cpu: SIZES[g.size][0],
    memory: SIZES[g.size][1],
    networkMode: 'awsvpc',
    requiresCompatibilities: t.compat === 'fargate' ? ['FARGATE'] : t.compat === 'both' ? ['EC2', 'FARGATE'] : undefined,
    executionRoleArn: EXEC,
    taskRoleArn: t.taskRole === 'arn' ? `arn:aws:iam::${ACCOUNT}:role/gen-task` : t.taskRole === 'name' ? 'gen-task' : undefined,
    runtimePlatform: g.arm ? { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } : undefined,
    ephemeralStorage: t.ephemeral ? { sizeInGiB: t.ephemeral } : undefined,
    pidMode: t.pidMode ? 'task' : undefined,
    enableFaultInjection: t.faultInjection,
    proxyConfiguration: t.proxy ? { type: 'APPMESH', containerName: 'app', properties: shuffled([{ name: 'IgnoredUID', value: '1337' }, { name: 'ProxyIngressPort', value: '15000' }], g.seed) } : undefined,
    volumes: shuffled(volumes, g.seed),
    containerDefinitions: containers,
  };
}

function accountFor(): { account: SimAccount; digests: { tagged: string; untagged: string } } {
  const account = new SimAccount({ seed: 5 }).seed({ ecr: { repositories: { gen: [] } }, elbv2: ECS_WORLD_ELBV2, ecs: { clusters: ['gen'] } });
  const tagged = account.ecr.push('gen', 'v1');
  account.ecr.push('gen', 'latest', tagged);
  const untagged = account.ecr.push('gen');
  return { account, digests: { tagged, untagged } };
}

describe('steady import, then steady plan, on generated task definitions', () => {
  it('plans nothing but the adoption: every field, any order, defaults said or not', async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const { account, digests } = accountFor();
        const ecs = account.clients().ecs;
        const td = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinitionOf(g, digests)))).taskDefinition!;
        const named = g.containers[0].ports === 'one';
        const settings: Partial<CreateServiceCommandInput> = {
          ...g.service,
          ...(named && g.serviceConnect ? { serviceConnectConfiguration: { enabled: true, namespace: 'gen', services: [{ portName: 'app-http', clientAliases: [{ port: 80, dnsName: 'gen' }] }] } } : {}),
          ...(named && g.loadBalanced ? { loadBalancers: [{ targetGroupArn: account.elbv2.targetGroupArnOf('api-tg')!, containerName: 'app', containerPort: 8000 }] } : {}),
        };
        const input: CreateServiceCommandInput = {
          cluster: 'gen',
          serviceName: 'gen',
          taskDefinition: td.taskDefinitionArn,
          desiredCount: 1,
          networkConfiguration: NETWORK,
          ...(settings.capacityProviderStrategy ? {} : { launchType: 'FARGATE' as const }),
          ...settings,
        };
        await ecs.send(new CreateServiceCommand(input));

        const { result } = await roundTrip(account, { cluster: 'gen' });

        expect(beyondAdoption(result)).toEqual([]);
        expect(result.resources.filter((r) => r.phase === 'Blocked' || r.phase === 'Failed')).toEqual([]);
        expect(result.plan!.actions.map((a) => a.kind)).toEqual(['TagResource']);
      }),
      { numRuns: 200 },
    );
    // 200 whole round trips (register, create, import, load, plan) on a shared machine: room, not a target.
  }, 180_000);
});
