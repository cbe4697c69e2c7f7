/**
 * The hand-made Fargate task definition of issue 25, as a person would register it and as
 * DescribeTaskDefinition returns it: an EFS volume with a mount point, FireLens (a `log_router`
 * container with `firelensConfiguration`, the app logging through `awsfirelens`), `ulimits`,
 * `linuxParameters.initProcessEnabled`, `dockerLabels`, `ephemeralStorage` and an ARM64 runtime
 * platform. Before issue 20 the spec language could say only the last of these; now it says all of
 * them (`controller/plan/testdata/adopt-files/files-api.yaml`).
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

export const ACCOUNT = '123456789012';
export const FIRELENS_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable';
export const APP_IMAGE = `${ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/files-api:v1`;
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/files-exec`;

/** The RegisterTaskDefinition input, as a person wrote it. */
export const FIRELENS_TASK_DEFINITION: RegisterTaskDefinitionCommandInput = {
  family: 'files-api',
  cpu: '1024',
  memory: '2048',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: EXECUTION_ROLE,
  runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
  ephemeralStorage: { sizeInGiB: 50 },
  volumes: [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED' } }],
  containerDefinitions: [
    {
      name: 'log_router',
      image: FIRELENS_IMAGE,
      essential: true,
      firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/files-api', 'awslogs-region': 'ap-northeast-1', 'awslogs-stream-prefix': 'firelens' } },
    },
    {
      name: 'app',
      image: APP_IMAGE,
      essential: true,
      portMappings: [{ containerPort: 8080 }],
      mountPoints: [{ sourceVolume: 'shared', containerPath: '/data' }],
      ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
      linuxParameters: { initProcessEnabled: true },
      dockerLabels: { 'com.datadoghq.tags.service': 'files-api' },
      logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'cloudwatch', region: 'ap-northeast-1', log_group_name: '/ecs/files-api/app' } },
      dependsOn: [{ containerName: 'log_router', condition: 'START' }],
    },
  ],
};

