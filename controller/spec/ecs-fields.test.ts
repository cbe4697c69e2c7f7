import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatProblem, parseSpecFiles } from './load.js';

const ENV = { apiVersion: 'steady.dev/v1alpha1', kind: 'Environment', metadata: { name: 'prod' }, spec: { region: 'ap-northeast-1', cluster: 'prod' } };
const EXEC = 'arn:aws:iam::123456789012:role/exec';

/** A Service spec with `td` merged into its task definition, `container` into its one container and `spec` into the spec. */
function service(parts: { td?: Record<string, unknown>; container?: Record<string, unknown>; spec?: Record<string, unknown> } = {}) {
  return {
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'api', environment: 'prod' },
    spec: {
      network: { subnets: ['subnet-0123456789abcdef0'] },
      ...parts.spec,
      taskDefinition: {
        family: 'api',
        cpu: 256,
        memory: 512,
        executionRoleArn: EXEC,
        ...parts.td,
        containers: [{ name: 'app', image: 'nginx:1', portMappings: [{ containerPort: 80, name: 'web' }], ...parts.container }],
      },
    },
  };
}

/** The problems of a spec set made of the environment and `doc`, as `steady validate` prints them (without the file). */
function problems(doc: unknown): string[] {
  const result = parseSpecFiles([{ path: 'specs/api.yaml', content: `${stringify(ENV)}---\n${stringify(doc)}` }]);
  return result.ok ? [] : result.problems.map((p) => formatProblem(p).replace(/^specs\/api\.yaml:\d+:\d+ /, ''));
}

describe('task-definition fields Fargate takes', () => {
  it('accepts volumes, mount points, FireLens, ulimits, Linux parameters, ephemeral storage and the rest', () => {
    const doc = service({
      td: {
        ephemeralStorage: { sizeInGiB: 50 },
        pidMode: 'task',
        enableFaultInjection: true,
        volumes: [
          { name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED', authorizationConfig: { iam: 'ENABLED' } } },
          { name: 'scratch' },
        ],
      },
      container: {
        mountPoints: [{ sourceVolume: 'shared', containerPath: '/data' }, { sourceVolume: 'scratch', containerPath: '/tmp', readOnly: false }],
        ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
        linuxParameters: { initProcessEnabled: true, capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] } },
        systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
        dockerLabels: { team: 'api' },
        restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 },
        repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:registry-AbCdEf' },
        environmentFiles: [{ value: 'arn:aws:s3:::config/api.env', type: 's3' }],
        startTimeout: 30,
        versionConsistency: 'disabled',
      },
    });

    expect(problems(doc)).toEqual([]);
  });

  it('refuses what does not apply to Fargate, saying so', () => {
    const doc = service({
      td: { ipcMode: 'host', pidMode: 'host', placementConstraints: [], volumes: [{ name: 'd', dockerVolumeConfiguration: { scope: 'task' } }] },
      container: { privileged: true, links: ['db'], hostname: 'api', linuxParameters: { capabilities: { add: ['NET_ADMIN'] }, sharedMemorySize: 64 }, logConfiguration: { logDriver: 'json-file' } },
    });

    expect(problems(doc)).toEqual([
      'spec.taskDefinition.ipcMode: not supported on Fargate: tasks cannot share an IPC namespace',
      "spec.taskDefinition.pidMode: expected \"task\": containers of a task may share its process namespace; the host's is not available on Fargate",
      'spec.taskDefinition.placementConstraints: not supported on Fargate: placement constraints choose EC2 instances',
      'spec.taskDefinition.volumes[0].dockerVolumeConfiguration: not supported on Fargate: Docker volumes are EC2 features; use a bind or EFS volume',
      'spec.taskDefinition.containers[0].privileged: not supported on Fargate: privileged containers are refused',
      'spec.taskDefinition.containers[0].links: not supported on Fargate: links need the bridge network mode; containers of a task reach each other on localhost',
      'spec.taskDefinition.containers[0].hostname: not supported on Fargate: a container hostname cannot be set with the awsvpc network mode',
      'spec.taskDefinition.containers[0].linuxParameters.capabilities.add[0]: expected "SYS_PTRACE": it is the only capability Fargate lets a container add',
      'spec.taskDefinition.containers[0].linuxParameters.sharedMemorySize: not supported on Fargate: /dev/shm size is fixed',
      'spec.taskDefinition.containers[0].logConfiguration.logDriver: expected awslogs, awsfirelens or splunk: the only log drivers Fargate supports (FireLens routes logs anywhere else)',
    ]);
  });

  it('checks what one part names of another: volumes, containers, the FireLens pair, EFS encryption', () => {
    const doc = service({
      td: { volumes: [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0' } } }], ephemeralStorage: { sizeInGiB: 20 } },
      container: { mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }], volumesFrom: [{ sourceContainer: 'sidecar' }], logConfiguration: { logDriver: 'awsfirelens' } },
    });

    expect(problems(doc)).toEqual([
      'spec.taskDefinition.volumes[0].efsVolumeConfiguration.transitEncryption: expected ENABLED: EFS IAM authorization and access points need transit encryption',
      'spec.taskDefinition.ephemeralStorage.sizeInGiB: expected a number of at least 21',
      'spec.taskDefinition.containers[0].mountPoints[0].sourceVolume: expected the name of a volume of this task definition, got "data"',
      'spec.taskDefinition.containers[0].volumesFrom[0].sourceContainer: expected the name of another container of this task definition, got "sidecar"',
      'spec.taskDefinition.containers[0].logConfiguration.logDriver: awsfirelens needs a log router: a container with firelensConfiguration',
    ]);
  });
});

describe('service settings Fargate takes', () => {
  it('accepts ECS Exec, Fargate Spot, tag propagation, Service Connect, Cloud Map and deployment alarms', () => {
    const doc = service({
      spec: {
        enableExecuteCommand: true,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }],
        propagateTags: 'SERVICE',
        enableECSManagedTags: true,
        availabilityZoneRebalancing: 'ENABLED',
        serviceConnectConfiguration: { enabled: true, namespace: 'shop', services: [{ portName: 'web', clientAliases: [{ port: 80, dnsName: 'api' }] }] },
        serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-0123456789abcdef' }],
        deployment: { strategy: 'rolling', alarms: { alarmNames: ['api-5xx'] } },
      },
    });

    expect(problems(doc)).toEqual([]);
  });

  it('refuses EC2 capacity providers, placement and launch types', () => {
    const doc = service({
      spec: {
        launchType: 'EC2',
        placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
        capacityProviderStrategy: [{ capacityProvider: 'my-asg', weight: 1 }],
      },
    });

    expect(problems(doc)).toEqual([
      'spec.launchType: not supported on Fargate: steady runs services with the FARGATE launch type; use capacityProviderStrategy for Fargate Spot',
      'spec.placementStrategy: not supported on Fargate: placement strategies choose EC2 instances',
      'spec.capacityProviderStrategy[0].capacityProvider: expected FARGATE or FARGATE_SPOT: other capacity providers run tasks on EC2 instances, and steady runs services on Fargate',
    ]);
  });

  it('refuses a strategy ECS would refuse, and a Service Connect port the task definition does not name', () => {
    const doc = service({
      spec: {
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 2 }],
        serviceConnectConfiguration: { enabled: true, services: [{ portName: 'grpc' }] },
      },
    });

    expect(problems(doc)).toEqual([
      'spec.capacityProviderStrategy: expected a base on at most one capacity provider',
      'spec.capacityProviderStrategy: expected a weight above 0 on at least one capacity provider',
      'spec.serviceConnectConfiguration.services[0].portName: expected the name of a port mapping of the task definition, got "grpc"',
    ]);
  });
});
