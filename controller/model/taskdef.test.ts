/**
 * Canonical task definitions. Every expected value here is written out by hand: DescribeTaskDefinition
 * responses as AWS returns them (defaults filled, lists in AWS's order, ports with protocol and host
 * port, `cpu: 0`, empty lists, revision metadata) against the RegisterTaskDefinition input a person
 * sent, and the canonical form both must come to.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTaskDefinition, contentDiff, contentFingerprint, contentHash, stableJson, taskDefinitionsEqual } from './taskdef.js';

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:7';
const IMAGE = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:' + 'a'.repeat(64);
const DB_SECRET = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shop-db';

/** What a person sent to RegisterTaskDefinition. */
const registered = {
  family: 'shop-api',
  cpu: '512',
  memory: '1024',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/shop-exec',
  containerDefinitions: [
    {
      name: 'app',
      image: IMAGE,
      portMappings: [{ containerPort: 8000 }, { containerPort: 9000, protocol: 'udp' }],
      environment: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'APP_ENV', value: 'production' },
      ],
      secrets: [{ name: 'DATABASE_URL', valueFrom: DB_SECRET }],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/health'] },
    },
  ],
  tags: [{ key: 'team', value: 'shop' }],
};

/** What DescribeTaskDefinition answers for it. */
const described = {
  taskDefinitionArn: ARN,
  containerDefinitions: [
    {
      name: 'app',
      image: IMAGE,
      cpu: 0,
      portMappings: [
        { containerPort: 9000, hostPort: 9000, protocol: 'udp' },
        { containerPort: 8000, hostPort: 8000, protocol: 'tcp' },
      ],
      essential: true,
      environment: [
        { name: 'APP_ENV', value: 'production' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      mountPoints: [],
      volumesFrom: [],
      secrets: [{ name: 'DATABASE_URL', valueFrom: DB_SECRET }],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/health'], interval: 30, timeout: 5, retries: 3 },
      systemControls: [],
    },
  ],
  family: 'shop-api',
  executionRoleArn: 'arn:aws:iam::123456789012:role/shop-exec',
  networkMode: 'awsvpc',
  revision: 7,
  volumes: [],
  status: 'ACTIVE',
  requiresAttributes: [{ name: 'ecs.capability.execution-role-awslogs' }, { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }, { name: 'ecs.capability.task-eni' }],
  placementConstraints: [],
  compatibilities: ['EC2', 'FARGATE'],
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1024',
  registeredAt: new Date('2026-01-01T09:00:00Z'),
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/admin/alice',
};

/** The canonical form of both. */
const canonical = {
  family: 'shop-api',
  cpu: '512',
  memory: '1024',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/shop-exec',
  containerDefinitions: [
    {
      name: 'app',
      image: IMAGE,
      essential: true,
      portMappings: [
        { containerPort: 8000, hostPort: 8000, protocol: 'tcp' },
        { containerPort: 9000, hostPort: 9000, protocol: 'udp' },
      ],
      environment: [
        { name: 'APP_ENV', value: 'production' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      secrets: [{ name: 'DATABASE_URL', valueFrom: DB_SECRET }],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/health'], interval: 30, timeout: 5, retries: 3, startPeriod: 0 },
    },
  ],
};

describe('canonicalTaskDefinition', () => {
  it('brings what AWS describes and what a person registered to one form', () => {
    expect(canonicalTaskDefinition(described)).toEqual(canonical);
    expect(canonicalTaskDefinition(registered)).toEqual(canonical);
    expect(taskDefinitionsEqual(canonicalTaskDefinition(described), canonicalTaskDefinition(registered))).toBe(true);
  });

  it('leaves out what describes the revision rather than its content', () => {
    const other = { ...described, taskDefinitionArn: ARN.replace(':7', ':8'), revision: 8, status: 'INACTIVE', deregisteredAt: new Date(), registeredBy: 'someone-else', compatibilities: ['EC2'], requiresAttributes: [] };

    expect(canonicalTaskDefinition(other)).toEqual(canonical);
  });

  it('treats default-valued fields present and absent alike', () => {
    const withDefaults = {
      ...described,
      ephemeralStorage: { sizeInGiB: 20 },
      enableFaultInjection: false,
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      proxyConfiguration: undefined,
      containerDefinitions: [
        {
          ...described.containerDefinitions[0],
          readonlyRootFilesystem: false,
          privileged: false,
          interactive: false,
          pseudoTerminal: false,
          disableNetworking: false,
          versionConsistency: 'enabled',
          linuxParameters: { initProcessEnabled: false, capabilities: { add: [], drop: [] } },
          dockerLabels: {},
          ulimits: [],
          command: [],
          healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/health'], interval: 30, timeout: 5, retries: 3, startPeriod: 0 },
        },
      ],
    };

    expect(canonicalTaskDefinition(withDefaults)).toEqual(canonical);
  });

  it('keeps content it has never heard of, at any level', () => {
    const future = {
      ...described,
      someFutureTaskField: { mode: 'strict' },
      containerDefinitions: [{ ...described.containerDefinitions[0], someFutureContainerField: ['a', 'b'] }],
    };

    const content = canonicalTaskDefinition(future);

    expect(content.someFutureTaskField).toEqual({ mode: 'strict' });
    expect(content.containerDefinitions[0].someFutureContainerField).toEqual(['a', 'b']);
    expect(taskDefinitionsEqual(content, canonicalTaskDefinition(described))).toBe(false);
  });

  it('keeps non-default values of fields that have a default', () => {
    const content = canonicalTaskDefinition({
      ...described,
      ephemeralStorage: { sizeInGiB: 21 },
      runtimePlatform: { cpuArchitecture: 'ARM64' },
      containerDefinitions: [{ ...described.containerDefinitions[0], essential: false, cpu: 128, readonlyRootFilesystem: true, linuxParameters: { initProcessEnabled: true } }],
    });

    expect(content.ephemeralStorage).toEqual({ sizeInGiB: 21 });
    expect(content.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(content.containerDefinitions[0]).toMatchObject({ essential: false, cpu: 128, readonlyRootFilesystem: true, linuxParameters: { initProcessEnabled: true } });
  });

  it('reads the task role or an SSM parameter named where ECS also takes its ARN as that ARN, in the revision\'s account and region', () => {
    const byName = {
      ...described,
      taskRoleArn: 'shop-task',
      containerDefinitions: [
        {
          ...described.containerDefinitions[0],
          secrets: [
            { name: 'DATABASE_URL', valueFrom: DB_SECRET },
            { name: 'API_TOKEN', valueFrom: '/shop/api-token' },
            { name: 'PLAIN', valueFrom: 'plain-param' },
          ],
          logConfiguration: { logDriver: 'splunk', options: { 'splunk-url': 'https://splunk.example.com' }, secretOptions: [{ name: 'splunk-token', valueFrom: '/shop/splunk' }] },
        },
      ],
    };

    const content = canonicalTaskDefinition(byName);

    expect(content.taskRoleArn).toBe('arn:aws:iam::123456789012:role/shop-task');
    expect(content.executionRoleArn).toBe('arn:aws:iam::123456789012:role/shop-exec');
    // Without the revision's ARN nothing says which account a name belongs to: it stays as written.
    expect(canonicalTaskDefinition({ ...byName, taskDefinitionArn: undefined }).taskRoleArn).toBe('shop-task');
    expect(content.containerDefinitions[0].secrets).toEqual([
      { name: 'API_TOKEN', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/shop/api-token' },
      { name: 'DATABASE_URL', valueFrom: DB_SECRET },
      { name: 'PLAIN', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/plain-param' },
    ]);
    expect(content.containerDefinitions[0].logConfiguration).toEqual({
      logDriver: 'splunk',
      options: { 'splunk-url': 'https://splunk.example.com' },
      secretOptions: [{ name: 'splunk-token', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/shop/splunk' }],
    });
  });

  it('sorts named lists and sets, drops empty host volumes and default EFS settings', () => {
    const content = canonicalTaskDefinition({
      family: 'files',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE', 'EC2'],
      volumes: [
        { name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/', transitEncryption: 'ENABLED' } },
        { name: 'scratch', host: {} },
      ],
      containerDefinitions: [
        {
          name: 'app',
          image: 'busybox',
          ulimits: [
            { name: 'nproc', softLimit: 512, hardLimit: 1024 },
            { name: 'nofile', softLimit: 65536, hardLimit: 65536 },
          ],
          mountPoints: [
            { sourceVolume: 'shared', containerPath: '/data', readOnly: false },
            { sourceVolume: 'scratch', containerPath: '/cache', readOnly: true },
          ],
          linuxParameters: { capabilities: { add: ['SYS_PTRACE', 'NET_ADMIN'] } },
        },
      ],
    });

    expect(content).toEqual({
      family: 'files',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['EC2', 'FARGATE'],
      volumes: [{ name: 'scratch' }, { name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' } }],
      containerDefinitions: [
        {
          name: 'app',
          image: 'busybox',
          essential: true,
          ulimits: [
            { name: 'nofile', softLimit: 65536, hardLimit: 65536 },
            { name: 'nproc', softLimit: 512, hardLimit: 1024 },
          ],
          mountPoints: [
            { sourceVolume: 'scratch', containerPath: '/cache', readOnly: true },
            { sourceVolume: 'shared', containerPath: '/data' },
          ],
          linuxParameters: { capabilities: { add: ['NET_ADMIN', 'SYS_PTRACE'] } },
        },
      ],
    });
  });

  it('keeps the order of containers and of lists whose order means something', () => {
    const content = canonicalTaskDefinition({
      family: 'two',
      containerDefinitions: [
        { name: 'web', image: 'nginx', dnsServers: ['10.0.0.2', '10.0.0.1'], environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/2.env' }, { type: 's3', value: 'arn:aws:s3:::b/1.env' }] },
        { name: 'agent', image: 'datadog/agent:7' },
      ],
    });

    expect(content.containerDefinitions.map((c) => c.name)).toEqual(['web', 'agent']);
    expect(content.containerDefinitions[0].dnsServers).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(content.containerDefinitions[0].environmentFiles).toEqual([
      { type: 's3', value: 'arn:aws:s3:::b/2.env' },
      { type: 's3', value: 'arn:aws:s3:::b/1.env' },
    ]);
    expect(content.networkMode).toBe('bridge');
  });
});

describe('contentDiff', () => {
  it('names every difference, nested ones and named list items included', () => {
    const before = canonicalTaskDefinition({
      ...described,
      ephemeralStorage: { sizeInGiB: 50 },
      containerDefinitions: [{ ...described.containerDefinitions[0], ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }], stopTimeout: 60 }],
    });
    const after = canonicalTaskDefinition({
      ...registered,
      containerDefinitions: [
        {
          ...registered.containerDefinitions[0],
          environment: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'APP_ENV', value: 'production' },
            { name: 'NEW', value: '1' },
          ],
          healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/health'], interval: 10 },
        },
        { name: 'sidecar', image: 'busybox' },
      ],
    });

    expect(contentDiff(before, after)).toEqual([
      { path: 'containerDefinitions[app].environment[LOG_LEVEL]', before: 'info', after: 'debug' },
      { path: 'containerDefinitions[app].environment[NEW]', before: undefined, after: '1' },
      { path: 'containerDefinitions[app].healthCheck.interval', before: 30, after: 10 },
      { path: 'containerDefinitions[app].ulimits', before: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }], after: undefined },
      { path: 'containerDefinitions[app].stopTimeout', before: 60, after: undefined },
      { path: 'containerDefinitions[sidecar]', before: undefined, after: { name: 'sidecar', image: 'busybox', essential: true } },
      { path: 'ephemeralStorage', before: { sizeInGiB: 50 }, after: undefined },
    ]);
  });

  it('matches containers by name, so their order is no difference', () => {
    const a = canonicalTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] });
    const b = canonicalTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'b', image: 'y' }, { name: 'a', image: 'x' }] });

    expect(contentDiff(a, b)).toEqual([]);
    expect(taskDefinitionsEqual(a, b)).toBe(true);
  });

  it('finds a difference exactly when the canonical forms differ (containers in any order)', () => {
    const value = fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b'), fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 }));
    const container = fc.record({
      name: fc.constantFrom('app', 'sidecar'),
      image: fc.constantFrom('i1', 'i2'),
      stopTimeout: value,
      environment: fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: fc.constantFrom('1', '2') }), { maxLength: 3 }),
      ulimits: fc.array(fc.record({ name: fc.constantFrom('nofile', 'nproc'), softLimit: fc.integer({ min: 1, max: 2 }), hardLimit: fc.integer({ min: 1, max: 2 }) }), { maxLength: 2 }),
      dockerLabels: fc.dictionary(fc.constantFrom('k1', 'k2'), fc.constantFrom('v1', 'v2'), { maxKeys: 2 }),
    });
    const td = fc.record({
      family: fc.constant('f'),
      cpu: fc.constantFrom('256', '512'),
      pidMode: fc.constantFrom(undefined, 'task'),
      ephemeralStorage: fc.constantFrom(undefined, { sizeInGiB: 20 }, { sizeInGiB: 30 }),
      containerDefinitions: fc.uniqueArray(container, { minLength: 1, maxLength: 2, selector: (c) => c.name }),
    });
    fc.assert(
      fc.property(td, td, (x, y) => {
        const a = canonicalTaskDefinition(x);
        const b = canonicalTaskDefinition(y);
        const sameJson = stable(a) === stable(b);
        expect(contentDiff(a, b).length === 0).toBe(sameJson);
      }),
      { numRuns: 300 },
    );
  });
});

/** A spelling of a canonical content independent of key and container order, for the property above. */
function stable(t: ReturnType<typeof canonicalTaskDefinition>): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)])) : v;
  return JSON.stringify(sortKeys({ ...t, containerDefinitions: [...t.containerDefinitions].sort((x, y) => x.name.localeCompare(y.name)) }));
}

/**
 * What DescribeTaskDefinition answers for a RegisterTaskDefinition input, written from AWS's
 * documented behaviour and independently of taskdef.ts: revision metadata added, `cpu: 0` and
 * `essential: true` filled, ports with protocol and (awsvpc) host port, health-check timings,
 * empty lists where nothing was sent, and named lists in an order of AWS's choosing.
 */
function awsEcho(input: Registration, order: number[]): Record<string, unknown> {
  const shuffle = <T>(items: T[]) => items.map((item, i) => [order[i % order.length] ?? 0, i, item] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , item]) => item);
  return {
    taskDefinitionArn: `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/${input.family}:3`,
    revision: 3,
    status: 'ACTIVE',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
    registeredAt: new Date('2026-01-01T00:00:00Z'),
    family: input.family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: input.cpu,
    memory: input.memory,
    volumes: [],
    placementConstraints: [],
    containerDefinitions: input.containerDefinitions.map((c) => ({
      name: c.name,
      image: c.image,
      cpu: c.cpu ?? 0,
      essential: c.essential ?? true,
      portMappings: shuffle(c.portMappings.map((p) => ({ containerPort: p.containerPort, hostPort: p.containerPort, protocol: p.protocol ?? 'tcp' }))),
      environment: shuffle(c.environment),
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...(c.command ? { command: c.command } : {}),
      ...(c.healthCheck ? { healthCheck: { command: c.healthCheck.command, interval: c.healthCheck.interval ?? 30, timeout: 5, retries: 3 } } : {}),
    })),
  };
}

interface Registration {
  family: string;
  cpu: string;
  memory: string;
  networkMode: 'awsvpc';
  requiresCompatibilities: ['FARGATE'];
  containerDefinitions: {
    name: string;
    image: string;
    cpu?: number;
    essential?: boolean;
    command?: string[];
    portMappings: { containerPort: number; protocol?: 'tcp' | 'udp' }[];
    environment: { name: string; value: string }[];
    healthCheck?: { command: string[]; interval?: number };
  }[];
}

const registration: fc.Arbitrary<Registration> = fc.record({
  family: fc.constantFrom('shop-api', 'shop-worker'),
  cpu: fc.constantFrom('256', '512', '1024'),
  memory: fc.constantFrom('512', '1024', '2048'),
  networkMode: fc.constant('awsvpc' as const),
  requiresCompatibilities: fc.constant(['FARGATE'] as ['FARGATE']),
  containerDefinitions: fc.uniqueArray(
    fc.record(
      {
        name: fc.constantFrom('app', 'sidecar', 'log-router'),
        image: fc.constantFrom(IMAGE, 'public.ecr.aws/nginx/nginx:1.27', 'datadog/agent:7'),
        cpu: fc.integer({ min: 1, max: 256 }),
        essential: fc.boolean(),
        command: fc.array(fc.constantFrom('serve', '--port', '8000'), { minLength: 1, maxLength: 3 }),
        portMappings: fc.uniqueArray(fc.record({ containerPort: fc.integer({ min: 80, max: 9000 }), protocol: fc.constantFrom<'tcp' | 'udp' | undefined>('tcp', 'udp', undefined) }, { requiredKeys: ['containerPort'] }), {
          maxLength: 3,
          selector: (p) => `${p.containerPort}/${p.protocol ?? 'tcp'}`,
        }),
        environment: fc.uniqueArray(fc.record({ name: fc.constantFrom('A', 'B', 'LOG_LEVEL', 'APP_ENV'), value: fc.constantFrom('1', 'info', '') }), { maxLength: 4, selector: (e) => e.name }),
        healthCheck: fc.record({ command: fc.constant(['CMD-SHELL', 'true']), interval: fc.constantFrom(10, 30) }, { requiredKeys: ['command'] }),
      },
      { requiredKeys: ['name', 'image', 'portMappings', 'environment'] },
    ),
    { minLength: 1, maxLength: 3, selector: (c) => c.name },
  ),
});

/** One real change to a registration, and the content path it changes. */
const oneChange: fc.Arbitrary<{ path: (r: Registration) => string; apply: (r: Registration) => void }> = fc.constantFrom(
  { path: () => 'cpu', apply: (r: Registration) => void (r.cpu = r.cpu === '256' ? '4096' : '256') },
  { path: () => 'memory', apply: (r: Registration) => void (r.memory = `${Number(r.memory) * 2}`) },
  { path: (r: Registration) => `containerDefinitions[${r.containerDefinitions[0].name}].image`, apply: (r: Registration) => void (r.containerDefinitions[0].image = `${r.containerDefinitions[0].image}-other`) },
  {
    // An item added to an empty (absent) list is the list appearing.
    path: (r: Registration) => `containerDefinitions[${r.containerDefinitions[0].name}].environment${r.containerDefinitions[0].environment.length ? '[ZZ_NEW]' : ''}`,
    apply: (r: Registration) => void r.containerDefinitions[0].environment.push({ name: 'ZZ_NEW', value: 'x' }),
  },
  {
    path: (r: Registration) => `containerDefinitions[${r.containerDefinitions[0].name}].portMappings${r.containerDefinitions[0].portMappings.length ? '[9999/tcp]' : ''}`,
    apply: (r: Registration) => void r.containerDefinitions[0].portMappings.push({ containerPort: 9999 }),
  },
  {
    path: (r: Registration) => `containerDefinitions[${r.containerDefinitions[0].name}].essential`,
    apply: (r: Registration) => void (r.containerDefinitions[0].essential = r.containerDefinitions[0].essential === false),
  },
);

describe("a spec's content and AWS's echo of it", () => {
  it('are equal whatever AWS fills in and however it orders lists (property)', () => {
    fc.assert(
      fc.property(registration, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }), (input, order) => {
        const sent = canonicalTaskDefinition(input);
        const echo = canonicalTaskDefinition(awsEcho(input, order));

        expect(contentDiff(sent, echo)).toEqual([]);
        expect(taskDefinitionsEqual(echo, sent)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('differ exactly where one field really differs (property)', () => {
    fc.assert(
      fc.property(registration, oneChange, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }), (input, change, order) => {
        const changed = structuredClone(input);
        change.apply(changed);

        const diff = contentDiff(canonicalTaskDefinition(awsEcho(input, order)), canonicalTaskDefinition(changed));

        expect(diff.map((d) => d.path)).toEqual([change.path(input)]);
        expect(taskDefinitionsEqual(canonicalTaskDefinition(awsEcho(input, order)), canonicalTaskDefinition(changed))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('what canonicalisation decides is drift (rules guarded against mutation)', () => {
  const td = (ports: object[], image = IMAGE) => ({ family: 'dns', networkMode: 'awsvpc', containerDefinitions: [{ name: 'dns', image, portMappings: ports }] });

  it('one port over TCP and UDP is two mappings, the same in any order', () => {
    const spec = canonicalTaskDefinition(td([{ containerPort: 53 }, { containerPort: 53, protocol: 'udp' }]));
    const aws = canonicalTaskDefinition({
      ...td([
        { containerPort: 53, hostPort: 53, protocol: 'udp' },
        { containerPort: 53, hostPort: 53, protocol: 'tcp' },
      ]),
      taskDefinitionArn: ARN,
    });

    expect(spec.containerDefinitions[0].portMappings).toEqual([
      { containerPort: 53, hostPort: 53, protocol: 'tcp' },
      { containerPort: 53, hostPort: 53, protocol: 'udp' },
    ]);
    expect(contentDiff(aws, spec)).toEqual([]);
    expect(taskDefinitionsEqual(aws, spec)).toBe(true);
  });

  it('a changed UDP mapping is named by its port and protocol', () => {
    const before = canonicalTaskDefinition(td([{ containerPort: 53 }, { containerPort: 53, protocol: 'udp', name: 'dns-udp' }]));
    const after = canonicalTaskDefinition(td([{ containerPort: 53, protocol: 'udp', name: 'dns' }, { containerPort: 53 }]));

    expect(contentDiff(before, after)).toEqual([{ path: 'containerDefinitions[dns].portMappings[53/udp].name', before: 'dns-udp', after: 'dns' }]);
  });

  it('a list whose items lack what identifies them keeps its order, and its diff is the whole list', () => {
    const withEnv = (environment: object[]) => canonicalTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'app', image: 'x', environment }] });
    const a = withEnv([{ name: 'B', value: '1' }, { value: 'no name' }]);
    const b = withEnv([{ value: 'no name' }, { name: 'B', value: '1' }]);

    expect(a.containerDefinitions[0].environment).toEqual([{ name: 'B', value: '1' }, { value: 'no name' }]);
    expect(b.containerDefinitions[0].environment).toEqual([{ value: 'no name' }, { name: 'B', value: '1' }]);
    expect(contentDiff(a, b)).toEqual([{ path: 'containerDefinitions[app].environment', before: a.containerDefinitions[0].environment, after: b.containerDefinitions[0].environment }]);
  });

  it('a tag beside a digest is no difference: the digest is what runs', () => {
    const digest = `@sha256:${'b'.repeat(64)}`;
    const repo = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api';
    const image = (i: string) => canonicalTaskDefinition(td([], i)).containerDefinitions[0].image;

    expect(image(`${repo}:v2.1${digest}`)).toBe(`${repo}${digest}`);
    expect(image(`localhost:5000/app:release-7${digest}`)).toBe(`localhost:5000/app${digest}`);
    expect(image(`localhost:5000/app${digest}`)).toBe(`localhost:5000/app${digest}`);
    // Not a sha256 digest: left exactly as written, tag and all.
    expect(image(`${repo}:v2@sha256:${'b'.repeat(63)}`)).toBe(`${repo}:v2@sha256:${'b'.repeat(63)}`);
    expect(image(`${repo}:v2@sha256:${'B'.repeat(64)}`)).toBe(`${repo}:v2@sha256:${'B'.repeat(64)}`);
    expect(image(`${repo}:v2`)).toBe(`${repo}:v2`);
  });

  it('a task role already given as an ARN, and an empty one, are left as they are', () => {
    const role = 'arn:aws:iam::123456789012:role/shop-task';
    const content = (taskRoleArn: string) => canonicalTaskDefinition({ ...described, taskRoleArn }).taskRoleArn;

    expect(content(role)).toBe(role);
    expect(content('')).toBe('');
    expect(canonicalTaskDefinition({ ...described, taskDefinitionArn: ARN.replace('arn:aws:', 'arn:aws-cn:').replace('ap-northeast-1', 'cn-north-1'), taskRoleArn: 'r' }).taskRoleArn).toBe('arn:aws-cn:iam::123456789012:role/r');
  });
});

describe('defaults AWS fills in are no drift, and real values are kept', () => {
  it('bridge mode: a port without a host port gets a dynamic one (0), as ECS echoes it; a port range gets none', () => {
    const spec = canonicalTaskDefinition({ family: 'b', networkMode: 'bridge', containerDefinitions: [{ name: 'app', image: 'x', portMappings: [{ containerPort: 80 }, { containerPortRange: '9000-9010' }] }] });
    const aws = canonicalTaskDefinition({
      family: 'b',
      networkMode: 'bridge',
      containerDefinitions: [{ name: 'app', image: 'x', portMappings: [{ containerPortRange: '9000-9010', protocol: 'tcp' }, { containerPort: 80, hostPort: 0, protocol: 'tcp' }] }],
    });

    expect(spec.containerDefinitions[0].portMappings).toStrictEqual([
      { containerPort: 80, hostPort: 0, protocol: 'tcp' },
      { containerPortRange: '9000-9010', protocol: 'tcp' },
    ]);
    expect(contentDiff(aws, spec)).toEqual([]);
  });

  it('volume and restart defaults (EFS, S3 Files, configured at launch, volumes from, restart period) are the same as absent', () => {
    const spec = {
      family: 'v',
      volumes: [
        { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', authorizationConfig: { accessPointId: 'fsap-1' } } },
        { name: 's3', s3filesVolumeConfiguration: { bucket: 'b' } },
        { name: 'ebs', configuredAtLaunch: true },
      ],
      containerDefinitions: [{ name: 'app', image: 'x', volumesFrom: [{ sourceContainer: 'data' }], restartPolicy: { enabled: true, ignoredExitCodes: [10, 9, 1] } }],
    };
    const aws = {
      family: 'v',
      volumes: [
        { name: 'ebs', configuredAtLaunch: true },
        { name: 's3', s3filesVolumeConfiguration: { bucket: 'b', rootDirectory: '/' }, configuredAtLaunch: false },
        { name: 'efs', configuredAtLaunch: false, efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/', transitEncryption: 'DISABLED', authorizationConfig: { accessPointId: 'fsap-1', iam: 'DISABLED' } } },
      ],
      containerDefinitions: [{ name: 'app', image: 'x', volumesFrom: [{ sourceContainer: 'data', readOnly: false }], restartPolicy: { enabled: true, ignoredExitCodes: [1, 10, 9], restartAttemptPeriod: 300 } }],
    };

    expect(canonicalTaskDefinition(aws)).toStrictEqual({
      family: 'v',
      networkMode: 'bridge',
      volumes: [
        { name: 'ebs', configuredAtLaunch: true },
        { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', authorizationConfig: { accessPointId: 'fsap-1' } } },
        { name: 's3', s3filesVolumeConfiguration: { bucket: 'b' } },
      ],
      containerDefinitions: [{ name: 'app', image: 'x', essential: true, volumesFrom: [{ sourceContainer: 'data' }], restartPolicy: { enabled: true, ignoredExitCodes: [1, 9, 10] } }],
    });
    expect(contentDiff(canonicalTaskDefinition(aws), canonicalTaskDefinition(spec))).toEqual([]);
    // Non-default values are kept.
    const other = canonicalTaskDefinition({
      family: 'v',
      volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/data', authorizationConfig: { iam: 'ENABLED' } } }, { name: 's3', s3filesVolumeConfiguration: { rootDirectory: '/x' } }],
      containerDefinitions: [{ name: 'app', image: 'x', volumesFrom: [{ sourceContainer: 'data', readOnly: true }], restartPolicy: { enabled: true, restartAttemptPeriod: 60 } }],
    });
    expect(other.volumes).toStrictEqual([
      { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/data', authorizationConfig: { iam: 'ENABLED' } } },
      { name: 's3', s3filesVolumeConfiguration: { rootDirectory: '/x' } },
    ]);
    expect(other.containerDefinitions[0]).toMatchObject({ volumesFrom: [{ sourceContainer: 'data', readOnly: true }], restartPolicy: { enabled: true, restartAttemptPeriod: 60 } });
  });

  it('a runtime platform other than X86_64/LINUX, or with more in it, is kept', () => {
    const platform = (runtimePlatform: object) => canonicalTaskDefinition({ family: 'p', runtimePlatform, containerDefinitions: [] }).runtimePlatform;

    expect(platform({ operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' })).toStrictEqual({ cpuArchitecture: 'X86_64', operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' });
    expect(platform({ cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX', future: 'x' })).toStrictEqual({ cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX', future: 'x' });
    expect(platform({})).toBeUndefined();
  });

  it('null is absent; a list of numbers is a set only where ECS says so; a field it has never heard of keeps its order', () => {
    const content = canonicalTaskDefinition({ family: 'n', pidMode: null, taskRoleArn: null, someFutureList: [3, 1, 2], containerDefinitions: [{ name: 'app', image: 'x', command: null }] });

    expect(content).toStrictEqual({ family: 'n', networkMode: 'bridge', someFutureList: [3, 1, 2], containerDefinitions: [{ name: 'app', image: 'x', essential: true }] });
  });

  it('a list with a name twice is compared whole and in order', () => {
    const withEnv = (environment: object[]) => canonicalTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'app', image: 'x', environment }] });
    const a = withEnv([{ name: 'A', value: '1' }, { name: 'A', value: '2' }]);
    const b = withEnv([{ name: 'A', value: '2' }, { name: 'A', value: '1' }]);

    expect(contentDiff(a, b)).toEqual([{ path: 'containerDefinitions[app].environment', before: a.containerDefinitions[0].environment, after: b.containerDefinitions[0].environment }]);
  });

  it('a keyed item that gains a field is named to that field', () => {
    const mount = (m: object) => canonicalTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'app', image: 'x', mountPoints: [m] }] });

    expect(contentDiff(mount({ containerPath: '/data', sourceVolume: 'shared' }), mount({ containerPath: '/data', sourceVolume: 'shared', readOnly: true }))).toEqual([
      { path: 'containerDefinitions[app].mountPoints[/data].readOnly', before: undefined, after: true },
    ]);
  });

  it('an SSM parameter already given as an ARN, and an empty reference, are left as they are', () => {
    const content = canonicalTaskDefinition({
      ...described,
      containerDefinitions: [{ ...described.containerDefinitions[0], secrets: [{ name: 'A', valueFrom: 'arn:aws:ssm:us-east-1:210987654321:parameter/x' }, { name: 'B', valueFrom: '' }, { name: 'C' }] }],
    });

    expect(content.containerDefinitions[0].secrets).toStrictEqual([{ name: 'A', valueFrom: 'arn:aws:ssm:us-east-1:210987654321:parameter/x' }, { name: 'B', valueFrom: '' }, { name: 'C' }]);
  });
});

describe('the content fingerprint (steady:content) and comparison', () => {
  const twoContainers = (order: 'ab' | 'ba', env = '1') => {
    const a = { name: 'a', image: 'x', environment: [{ name: 'E', value: env }] };
    const b = { name: 'b', image: 'y' };
    return canonicalTaskDefinition({ family: 'f', containerDefinitions: order === 'ab' ? [a, b] : [b, a] });
  };

  it('is the same for the same content, containers in any order, and differs when content differs', () => {
    const fp = contentFingerprint(twoContainers('ab'));

    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(contentFingerprint(twoContainers('ba'))).toBe(fp);
    expect(contentFingerprint(twoContainers('ab', '2'))).not.toBe(fp);
  });

  it('spells JSON with object keys sorted at every level, lists in their order', () => {
    expect(stableJson({ b: 1, a: { d: [3, 1], c: { z: 1, y: 2, x: 3 } }, c: 'x' })).toBe('{"a":{"c":{"x":3,"y":2,"z":1},"d":[3,1]},"b":1,"c":"x"}');
    expect(stableJson([{ b: 1, a: 2 }])).toBe('[{"a":2,"b":1}]');
  });

  it('hashes content to hex of the length asked', () => {
    expect(contentHash({ a: 1, b: 2 })).toMatch(/^[0-9a-f]{16}$/);
    expect(contentHash({ b: 2, a: 1 })).toBe(contentHash({ a: 1, b: 2 }));
    expect(contentHash({ a: 1 }, 8)).toBe(contentHash({ a: 1 }).slice(0, 8));
    expect(contentHash({ a: 1 }, 64)).toHaveLength(64);
  });

  it('finds content equal that is not in canonical form (a keyed list in another order)', () => {
    const env = (environment: object[]) => ({ family: 'f', networkMode: 'awsvpc', containerDefinitions: [{ name: 'app', image: 'x', essential: true, environment }] });
    const a = env([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]) as unknown as Parameters<typeof taskDefinitionsEqual>[0];
    const b = env([{ name: 'B', value: '2' }, { name: 'A', value: '1' }]) as unknown as Parameters<typeof taskDefinitionsEqual>[0];

    expect(taskDefinitionsEqual(a, b)).toBe(true);
    expect(taskDefinitionsEqual(a, env([{ name: 'A', value: '1' }]) as unknown as Parameters<typeof taskDefinitionsEqual>[0])).toBe(false);
  });
});
