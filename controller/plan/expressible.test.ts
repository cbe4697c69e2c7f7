import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTaskDefinition } from '../model/taskdef.js';
import { taskDefinitionSchema } from '../spec/schema.js';
import { FIRELENS_TASK_DEFINITION } from '../testing/firelens.js';
import { EXPRESSIBLE, expressiblePart, specContent, unexpressibleFields, type Expressible } from './expressible.js';

/** What DescribeTaskDefinition returns for the FireLens task definition: AWS's defaults and metadata added. */
const described = {
  ...FIRELENS_TASK_DEFINITION,
  taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/files-api:3',
  revision: 3,
  status: 'ACTIVE',
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [{ name: 'ecs.capability.firelens.fluentbit' }, { name: 'ecs.capability.efsAuth' }],
  placementConstraints: [],
  registeredAt: new Date('2026-01-01T00:00:00Z'),
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/admin/alice',
  containerDefinitions: FIRELENS_TASK_DEFINITION.containerDefinitions!.map((c) => ({
    cpu: 0,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
    ...c,
    portMappings: (c.portMappings ?? []).map((p) => ({ ...p, hostPort: p.containerPort, protocol: 'tcp' })),
  })),
};

/** Every field path of an Expressible tree: `containerDefinitions.linuxParameters.initProcessEnabled`. */
function pathsOf(node: Expressible, prefix = ''): string[] {
  const children = node === true ? [] : Object.entries(node).flatMap(([k, v]) => pathsOf(v, prefix ? `${prefix}.${k}` : k));
  return prefix ? [prefix, ...children] : children;
}

describe('EXPRESSIBLE', () => {
  const paths = pathsOf(EXPRESSIBLE);

  it('holds every RegisterTaskDefinition field that applies to Fargate, under its ECS name', () => {
    const fargate = [
      'family', 'cpu', 'memory', 'executionRoleArn', 'taskRoleArn', 'networkMode', 'requiresCompatibilities', 'pidMode', 'ephemeralStorage.sizeInGiB',
      'enableFaultInjection', 'runtimePlatform.cpuArchitecture', 'runtimePlatform.operatingSystemFamily',
      'proxyConfiguration.type', 'proxyConfiguration.containerName', 'proxyConfiguration.properties.name', 'proxyConfiguration.properties.value',
      'volumes.name', 'volumes.host', 'volumes.configuredAtLaunch', 'volumes.efsVolumeConfiguration.fileSystemId', 'volumes.efsVolumeConfiguration.rootDirectory',
      'volumes.efsVolumeConfiguration.transitEncryption', 'volumes.efsVolumeConfiguration.transitEncryptionPort',
      'volumes.efsVolumeConfiguration.authorizationConfig.accessPointId', 'volumes.efsVolumeConfiguration.authorizationConfig.iam',
      'volumes.s3filesVolumeConfiguration.fileSystemArn',
      ...[
        'name', 'image', 'repositoryCredentials.credentialsParameter', 'cpu', 'memory', 'memoryReservation', 'portMappings.containerPort',
        'portMappings.containerPortRange', 'portMappings.hostPort', 'portMappings.protocol', 'portMappings.name', 'portMappings.appProtocol', 'essential',
        'restartPolicy.enabled', 'restartPolicy.ignoredExitCodes', 'restartPolicy.restartAttemptPeriod', 'entryPoint', 'command', 'environment',
        'environmentFiles.value', 'environmentFiles.type', 'mountPoints.sourceVolume', 'mountPoints.containerPath', 'mountPoints.readOnly',
        'volumesFrom.sourceContainer', 'volumesFrom.readOnly', 'linuxParameters.capabilities.add', 'linuxParameters.capabilities.drop',
        'linuxParameters.initProcessEnabled', 'secrets', 'dependsOn.containerName', 'dependsOn.condition', 'startTimeout', 'stopTimeout',
        'versionConsistency', 'user', 'workingDirectory', 'readonlyRootFilesystem', 'interactive', 'pseudoTerminal', 'dockerLabels',
        'ulimits.name', 'ulimits.softLimit', 'ulimits.hardLimit', 'logConfiguration.logDriver', 'logConfiguration.options',
        'logConfiguration.secretOptions', 'healthCheck.command', 'healthCheck.interval', 'healthCheck.timeout', 'healthCheck.retries',
        'healthCheck.startPeriod', 'systemControls.namespace', 'systemControls.value', 'firelensConfiguration.type', 'firelensConfiguration.options',
        'credentialSpecs',
      ].map((f) => `containerDefinitions.${f}`),
    ];

    expect(fargate.filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('leaves out what does not apply to Fargate, and what is steady\'s own', () => {
    const notFargate = [
      'ipcMode', 'placementConstraints', 'inferenceAccelerators', 'volumes.dockerVolumeConfiguration', 'volumes.fsxWindowsFileServerVolumeConfiguration',
      'volumes.host.sourcePath', 'tags', 'containers',
      ...[
        'links', 'hostname', 'disableNetworking', 'privileged', 'dnsServers', 'dnsSearchDomains', 'extraHosts', 'dockerSecurityOptions',
        'resourceRequirements', 'linuxParameters.devices', 'linuxParameters.sharedMemorySize', 'linuxParameters.tmpfs', 'linuxParameters.maxSwap',
        'linuxParameters.swappiness', 'imageOwner',
      ].map((f) => `containerDefinitions.${f}`),
    ];

    expect(notFargate.filter((p) => paths.includes(p))).toEqual([]);
  });
});

describe('unexpressibleFields', () => {
  it('finds nothing in the FireLens + EFS + ulimits revision: the spec can say all of it', () => {
    expect(unexpressibleFields(canonicalTaskDefinition(described))).toEqual([]);
  });

  it('does not count the defaults AWS fills in as content', () => {
    const plain = {
      family: 'plain',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      volumes: [],
      placementConstraints: [],
      ephemeralStorage: { sizeInGiB: 20 },
      enableFaultInjection: false,
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          cpu: 0,
          essential: true,
          environment: [],
          environmentFiles: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
          ulimits: [],
          dockerLabels: {},
          linuxParameters: { initProcessEnabled: false, capabilities: { add: [], drop: [] }, devices: [], tmpfs: [] },
          versionConsistency: 'enabled',
          privileged: false,
          dnsServers: [],
          links: [],
        },
      ],
    };

    expect(unexpressibleFields(canonicalTaskDefinition(plain))).toEqual([]);
  });

  it('names what does not apply to Fargate, unknown fields and unexpressible parts of expressible ones', () => {
    const fields = unexpressibleFields(
      canonicalTaskDefinition({
        family: 'odd',
        networkMode: 'awsvpc',
        ipcMode: 'task',
        placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
        volumes: [{ name: 'docker', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } }, { name: 'scratch', host: { sourcePath: '/tmp' } }],
        aFieldAwsAddsNextYear: true,
        containerDefinitions: [
          {
            name: 'app',
            image: 'nginx',
            privileged: true,
            dnsServers: ['10.0.0.2'],
            linuxParameters: { initProcessEnabled: true, tmpfs: [{ containerPath: '/run', size: 64 }] },
            healthCheck: { command: ['CMD', 'true'], timeout: 5, futureProbeOption: 'x' },
          },
        ],
      }),
    );

    expect(fields.map((f) => f.path)).toEqual([
      'aFieldAwsAddsNextYear',
      'containerDefinitions[app].dnsServers',
      'containerDefinitions[app].healthCheck.futureProbeOption',
      'containerDefinitions[app].linuxParameters.tmpfs',
      'containerDefinitions[app].privileged',
      'ipcMode',
      'placementConstraints',
      'volumes[docker].dockerVolumeConfiguration',
      'volumes[scratch].host.sourcePath',
    ]);
  });
});

describe('expressiblePart', () => {
  it('keeps exactly what the spec can say, and drops every field unexpressibleFields names', () => {
    const content = canonicalTaskDefinition({
      family: 'odd',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      ipcMode: 'task',
      volumes: [{ name: 'scratch', host: { sourcePath: '/tmp' } }],
      containerDefinitions: [
        { name: 'app', image: 'nginx', privileged: true, environment: [{ name: 'A', value: '1' }], linuxParameters: { initProcessEnabled: true, tmpfs: [{ containerPath: '/run', size: 64 }] } },
      ],
    });

    const part = expressiblePart(content);

    expect(unexpressibleFields(part)).toEqual([]);
    expect(part).toEqual({
      family: 'odd',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      volumes: [{ name: 'scratch', host: {} }],
      containerDefinitions: [{ name: 'app', image: 'nginx', essential: true, environment: [{ name: 'A', value: '1' }], linuxParameters: { initProcessEnabled: true } }],
    });
  });

  it('names an unknown list of named things item by item, by their names', () => {
    const fields = unexpressibleFields({ ...canonicalTaskDefinition({ family: 'odd', containerDefinitions: [{ name: 'app', image: 'nginx' }] }), environment: [{ name: 'A', value: '1' }, { name: 'B' }] } as never);

    expect(fields).toEqual([
      { path: 'environment[A].value', value: '1' },
      { path: 'environment[B]', value: { name: 'B' } },
    ]);
  });
});

describe('specContent', () => {
  const arbitrarySpec = fc.record({
    family: fc.constant('gen'),
    cpu: fc.constantFrom('256', '1 vCPU'),
    memory: fc.constantFrom('2048', '2 GB'),
    executionRoleArn: fc.constant('arn:aws:iam::123456789012:role/exec'),
    taskRoleArn: fc.option(fc.constant('arn:aws:iam::123456789012:role/task'), { nil: undefined }),
    runtimePlatform: fc.option(fc.record({ cpuArchitecture: fc.constantFrom('X86_64', 'ARM64') }), { nil: undefined }),
    containers: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('app', 'agent', 'proxy'),
        image: fc.constantFrom('nginx:1', '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v1'),
        essential: fc.constant(true),
        cpu: fc.option(fc.integer({ min: 0, max: 512 }), { nil: undefined }),
        memoryReservation: fc.option(fc.integer({ min: 6, max: 512 }), { nil: undefined }),
        command: fc.option(fc.array(fc.constantFrom('serve', '--port', '80'), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        entryPoint: fc.option(fc.constant(['/bin/sh', '-c']), { nil: undefined }),
        workingDirectory: fc.option(fc.constant('/app'), { nil: undefined }),
        user: fc.option(fc.constant('1000'), { nil: undefined }),
        portMappings: fc.uniqueArray(fc.record({ containerPort: fc.integer({ min: 1, max: 3 }).map((n) => 8000 + n), appProtocol: fc.option(fc.constant('http' as const), { nil: undefined }) }), {
          maxLength: 2,
          selector: (p) => p.containerPort,
        }),
        environment: fc.dictionary(fc.constantFrom('A', 'B'), fc.constantFrom('1', 'x')),
        secrets: fc.dictionary(fc.constantFrom('S1', 'S2'), fc.constant('arn:aws:ssm:ap-northeast-1:123456789012:parameter/p')),
        healthCheck: fc.option(fc.record({ command: fc.constant(['CMD', 'true']), interval: fc.constantFrom(10, 30) }), { nil: undefined }),
        logConfiguration: fc.option(
          fc.record({ logDriver: fc.constant('awslogs' as const), options: fc.constant({ 'awslogs-group': 'g' }), secretOptions: fc.constant({ TOKEN: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/t' }) }),
          { nil: undefined },
        ),
        readonlyRootFilesystem: fc.option(fc.boolean(), { nil: undefined }),
        stopTimeout: fc.option(fc.integer({ min: 2, max: 120 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3, selector: (c) => c.name },
    ),
  });

  it('builds only content the spec can express, so a revision steady registers never blocks itself', () => {
    fc.assert(
      fc.property(arbitrarySpec, (raw) => {
        const td = taskDefinitionSchema.parse(raw);
        const content = specContent(td, td.family, (c) => c.image);
        expect(unexpressibleFields(content)).toEqual([]);
        expect(unexpressibleFields(canonicalTaskDefinition(JSON.parse(JSON.stringify(content))))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('carries every field the spec can express into the content, in ECS form', () => {
    const td = taskDefinitionSchema.parse({
      family: 'full',
      cpu: '1 vCPU',
      memory: '2 GB',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      taskRoleArn: 'arn:aws:iam::123456789012:role/task',
      runtimePlatform: { cpuArchitecture: 'ARM64' },
      tags: { team: 'files' },
      containers: [
        {
          name: 'app',
          image: 'repo:tag',
          imageOwner: 'external',
          essential: true,
          cpu: 256,
          memory: 1024,
          memoryReservation: 512,
          command: ['serve'],
          entryPoint: ['/entry'],
          workingDirectory: '/app',
          user: '1000',
          portMappings: [{ containerPort: 8080, hostPort: 8080, name: 'web', appProtocol: 'http' }],
          environment: { B: '2', A: '1' },
          secrets: { DB: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/db' },
          dependsOn: [{ containerName: 'agent', condition: 'HEALTHY' }],
          healthCheck: { command: ['CMD', 'true'], interval: 10 },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' }, secretOptions: { KEY: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/k' } },
          readonlyRootFilesystem: true,
          stopTimeout: 30,
        },
        { name: 'agent', image: 'agent:7', essential: false },
      ],
    });

    expect(specContent(td, 'full', (c) => `${c.image}@pinned`)).toEqual({
      family: 'full',
      cpu: '1024',
      memory: '2048',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      taskRoleArn: 'arn:aws:iam::123456789012:role/task',
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      containerDefinitions: [
        {
          name: 'app',
          image: 'repo:tag@pinned',
          essential: true,
          cpu: 256,
          memory: 1024,
          memoryReservation: 512,
          command: ['serve'],
          entryPoint: ['/entry'],
          workingDirectory: '/app',
          user: '1000',
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'web', appProtocol: 'http' }],
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          secrets: [{ name: 'DB', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/db' }],
          dependsOn: [{ containerName: 'agent', condition: 'HEALTHY' }],
          healthCheck: { command: ['CMD', 'true'], interval: 10, timeout: 5, retries: 3, startPeriod: 0 },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' }, secretOptions: [{ name: 'KEY', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/k' }] },
          readonlyRootFilesystem: true,
          stopTimeout: 30,
        },
        { name: 'agent', image: 'agent:7@pinned', essential: false },
      ],
    });
  });
});
