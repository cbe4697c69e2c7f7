/**
 * The spec language, `steady.dev/v1alpha1`: one zod schema per kind. This file is the single
 * source of truth: the TypeScript types below are inferred from it and the CRDs in crds/ are
 * generated from it (`npm run crds`; a test fails when they are out of date).
 *
 * Field names follow the AWS APIs (ECS RegisterTaskDefinition / CreateService, Route 53
 * AliasTarget), in camelCase, so an ECS or Route 53 user recognises them.
 */
import { z } from 'zod';
import {
  capacityProviderStrategy,
  CONTAINER_NOT_ON_FARGATE,
  deploymentAlarms,
  environmentFile,
  ephemeralStorage,
  firelensConfiguration,
  linuxParameters,
  mountPoint,
  OPERATING_SYSTEM_FAMILIES,
  proxyConfiguration,
  repositoryCredentials,
  restartPolicy,
  SERVICE_NOT_ON_FARGATE,
  serviceConnectConfiguration,
  serviceRegistry,
  systemControl,
  TASK_NOT_ON_FARGATE,
  ulimit,
  volume,
  volumeConfiguration,
  volumeFrom,
} from './ecs-fields.js';
import { checkTimezone, parseScheduleExpression } from '../model/schedule-expression.js';

export const API_VERSION = 'steady.dev/v1alpha1';
export const KINDS = ['Environment', 'Service', 'Migration', 'ScheduledTask', 'AliasRecord', 'Maintenance'] as const;
export type Kind = (typeof KINDS)[number];

// ---------------------------------------------------------------------------------------------
// Shared pieces

const resourceName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a name of lower-case letters, digits and hyphens (at most 63)')
  .meta({ description: 'Name of the resource, unique per kind within its environment.' });

const awsName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected up to 255 letters, digits, hyphens and underscores');

const elbName = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, 'expected an Elastic Load Balancing name (up to 32 letters, digits and hyphens)');

const tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .meta({ description: 'Tags added to the AWS resources steady creates (besides its own steady:* tags).' });

const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)');

/**
 * A reference to a secret: a Secrets Manager secret ARN or an SSM Parameter Store parameter ARN.
 * Never the secret itself. The error message deliberately does not repeat the value.
 */
export const SECRET_ARN = /^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/;
const secretArn = z
  .string()
  .regex(SECRET_ARN, 'expected a Secrets Manager or SSM Parameter Store ARN; secrets are referenced, never written into a spec');

const domainName = z
  .string()
  .max(255)
  .regex(
    /^(\*\.)?([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.?$/,
    'expected a DNS name such as api.example.com',
  )
  .transform((s) => s.toLowerCase().replace(/\.$/, ''));

// Environment variable values: YAML reads `PORT: 8000` as a number; ECS wants strings.
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/**
 * Plain environment variables. Secrets written into them (or into any other field) are refused by
 * the loader (`secrets.ts`), which can point at the value without repeating it.
 */
const environmentVariables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), envValue);

const metadata = z.strictObject({
  name: resourceName,
  environment: resourceName.meta({ description: 'The Environment this resource belongs to.' }),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const environmentMetadata = z.strictObject({
  name: resourceName,
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

// ---------------------------------------------------------------------------------------------
// Task definitions (ECS RegisterTaskDefinition)

/** `256`, `"256"`, `"0.25 vCPU"`, `"1 vCPU"` -> CPU units as a string, as ECS returns them. */
export function normalizeCpu(value: string | number): string | undefined {
  const s = String(value).trim();
  if (/^\d+$/.test(s)) return String(Number(s));
  const m = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(s);
  return m ? String(Math.round(Number(m[1]) * 1024)) : undefined;
}

/**
 * `512`, `"512"`, `"512 MiB"`, `"512MB"`, `"0.5GB"`, `"1 GiB"` -> MiB as a string, as ECS returns
 * them. The units are case-insensitive, and MB and GB are read as AWS reads them in
 * RegisterTaskDefinition and its console: 1 GB = 1024 MiB.
 */
export function normalizeMemory(value: string | number): string | undefined {
  const s = String(value).trim();
  if (/^\d+$/.test(s)) return String(Number(s));
  const m = /^(\d+(?:\.\d+)?)\s*(mib|mb|gib|gb)$/i.exec(s);
  if (!m) return undefined;
  const mib = Number(m[1]) * (m[2].toLowerCase().startsWith('g') ? 1024 : 1);
  return Number.isInteger(mib) ? String(mib) : undefined;
}

/** The CPU sizes Fargate runs, in units (1024 = 1 vCPU). */
export const FARGATE_CPU_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384];

/** `1024 (1 vCPU)`. */
const cpuWords = (units: number) => `${units} (${units / 1024} vCPU)`;

/** What Fargate allows with `cpu`, in words: `512, 1024 or 2048 MiB`, `2048 to 8192 MiB in steps of 1024 (2 to 8 GB)`. */
export function fargateMemoryWords(cpu: number): string {
  const options = fargateMemoryOptions(cpu);
  if (options.length <= 3) return `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]} MiB`;
  const step = options[1] - options[0];
  return `${options[0]} to ${options[options.length - 1]} MiB in steps of ${step} (${options[0] / 1024} to ${options[options.length - 1] / 1024} GB)`;
}

/** The problem with a cpu/memory pair, at the field to change; undefined when Fargate runs it. */
export function fargateSizeProblem(cpu: number, memory: number): { path: 'cpu' | 'memory'; message: string } | undefined {
  if (!FARGATE_CPU_SIZES.includes(cpu)) {
    return { path: 'cpu', message: `expected a Fargate cpu size: ${FARGATE_CPU_SIZES.map(cpuWords).join(', ')}; got ${Number.isInteger(cpu / 256) ? cpuWords(cpu) : cpu}` };
  }
  if (fargateMemoryOptions(cpu).includes(memory)) return undefined;
  return { path: 'memory', message: `expected a Fargate memory size for cpu ${cpuWords(cpu)}: ${fargateMemoryWords(cpu)}; got ${memory}` };
}

/** Valid Fargate task sizes: CPU units -> allowed memory (MiB). */
export function fargateMemoryOptions(cpu: number): number[] {
  const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096, 1024);
    case 1024:
      return range(2048, 8192, 1024);
    case 2048:
      return range(4096, 16384, 1024);
    case 4096:
      return range(8192, 30720, 1024);
    case 8192:
      return range(16384, 61440, 4096);
    case 16384:
      return range(32768, 122880, 8192);
    default:
      return [];
  }
}

const cpu = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const n = normalizeCpu(v);
    if (n === undefined) ctx.addIssue({ code: 'custom', message: 'expected CPU units (256, 512, 1024, ...) or vCPUs ("0.25 vCPU", "1 vCPU")' });
    return n ?? '';
  })
  .meta({ description: 'Task CPU: units (256 = 0.25 vCPU) or "N vCPU". Fargate sizes only.' });

const memory = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const n = normalizeMemory(v);
    if (n === undefined) ctx.addIssue({ code: 'custom', message: 'expected MiB (512, 1024, ...) or a size with its unit: "512 MiB", "512 MB", "1 GiB", "1.5 GB" (MB and GB as AWS reads them: 1 GB = 1024 MiB)' });
    return n ?? '';
  })
  .meta({ description: 'Task memory: MiB (a number), or with a unit: MiB, MB, GiB, GB, case-insensitive (1 GB = 1024 MiB, as AWS reads it). Must be a valid Fargate pair with cpu.' });

const portMapping = z
  .strictObject({
    containerPort: z.number().int().min(1).max(65535).optional(),
    containerPortRange: z
      .string()
      .regex(/^\d{1,5}-\d{1,5}$/, 'expected a port range such as "9000-9100"')
      .optional()
      .meta({ description: 'A range of container ports (instead of containerPort), e.g. "9000-9100".' }),
    hostPort: z.number().int().min(1).max(65535).optional().meta({ description: 'With awsvpc, equal to containerPort when given.' }),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    name: z.string().optional().meta({ description: 'Names the port for Service Connect.' }),
    appProtocol: z.enum(['http', 'http2', 'grpc']).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.containerPort === undefined) === (p.containerPortRange === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['containerPort'], message: 'expected exactly one of containerPort or containerPortRange' });
    }
  });

const healthCheck = z.strictObject({
  command: z.array(z.string()).min(1).meta({ description: 'e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]' }),
  interval: z.number().int().min(5).max(300).default(30),
  timeout: z.number().int().min(2).max(60).default(5),
  retries: z.number().int().min(1).max(10).default(3),
  startPeriod: z.number().int().min(0).max(300).default(0),
});

const logConfiguration = z.strictObject({
  logDriver: z.enum(['awslogs', 'awsfirelens', 'splunk'], {
    error: 'expected awslogs, awsfirelens or splunk: the only log drivers Fargate supports (FireLens routes logs anywhere else)',
  }),
  options: z.record(z.string(), z.string()).default({}),
  secretOptions: z.record(z.string(), secretArn).default({}),
});

export const containerSchema = z.strictObject({
  name: awsName,
  image: z
    .string()
    .regex(/^[^\s]+$/, 'expected an image URI without spaces')
    .meta({ description: 'Image URI. ECR tags are resolved to digests; the registered revision pins the digest.' }),
  imageOwner: z
    .enum(['steady', 'external'])
    .default('steady')
    .meta({ description: '`external`: a CI pipeline updates this image; steady reports a different image but does not revert it.' }),
  essential: z.boolean().default(true),
  cpu: z.number().int().min(0).optional(),
  memory: z.number().int().min(6).optional(),
  memoryReservation: z.number().int().min(6).optional(),
  command: z.array(z.string()).optional(),
  entryPoint: z.array(z.string()).optional(),
  workingDirectory: z.string().optional(),
  user: z.string().optional(),
  portMappings: z.array(portMapping).default([]),
  environment: environmentVariables.default({}).meta({ description: 'Plain environment variables: NAME -> value. Secrets go under `secrets`.' }),
  secrets: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), secretArn)
    .default({})
    .meta({ description: 'Environment variables filled from Secrets Manager / SSM at task start: NAME -> ARN.' }),
  dependsOn: z
    .array(z.strictObject({ containerName: awsName, condition: z.enum(['START', 'COMPLETE', 'SUCCESS', 'HEALTHY']) }))
    .default([]),
  healthCheck: healthCheck.optional(),
  logConfiguration: logConfiguration.optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  stopTimeout: z.number().int().min(2).max(120).optional(),
  startTimeout: z.number().int().min(2).max(120).optional().meta({ description: 'Seconds to wait for the containers this one depends on (2-120 on Fargate).' }),
  repositoryCredentials: repositoryCredentials.optional(),
  environmentFiles: z.array(environmentFile).max(10).optional().meta({ description: 'Environment files in S3, loaded in order.' }),
  mountPoints: z.array(mountPoint).optional(),
  volumesFrom: z.array(volumeFrom).optional(),
  linuxParameters: linuxParameters.optional(),
  ulimits: z.array(ulimit).optional(),
  systemControls: z.array(systemControl).optional(),
  dockerLabels: z.record(z.string().min(1), z.string()).optional(),
  firelensConfiguration: firelensConfiguration.optional().meta({ description: 'Makes this container the task\'s FireLens log router (Fluent Bit or Fluentd).' }),
  restartPolicy: restartPolicy.optional(),
  versionConsistency: z
    .enum(['enabled', 'disabled'])
    .optional()
    .meta({ description: 'enabled (ECS\'s default): a deployment resolves the image tag to one digest for all its tasks.' }),
  interactive: z.boolean().optional(),
  pseudoTerminal: z.boolean().optional(),
  credentialSpecs: z.array(z.string().min(1)).max(1).optional().meta({ description: 'gMSA for Linux containers on Fargate: the CredSpec location.' }),
  ...CONTAINER_NOT_ON_FARGATE,
});

const taskDefinitionObject = z
  .strictObject({
    family: awsName,
    cpu,
    memory,
    executionRoleArn: roleArn.optional().meta({ description: 'Needed to pull from ECR, read secrets and write awslogs.' }),
    taskRoleArn: roleArn.optional(),
    networkMode: z.literal('awsvpc', { message: 'expected "awsvpc": steady runs tasks on Fargate' }).default('awsvpc'),
    requiresCompatibilities: z
      .array(z.enum(['FARGATE', 'EC2', 'EXTERNAL', 'MANAGED_INSTANCES']))
      .default(['FARGATE'])
      .refine((list) => list.length === 0 || list.includes('FARGATE'), { message: 'expected FARGATE among them: steady runs tasks on Fargate' })
      .meta({ description: 'What ECS validates the task definition against; default [FARGATE] ([] registers without it, as ECS allows).' }),
    runtimePlatform: z
      .strictObject({
        cpuArchitecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
        operatingSystemFamily: z.enum(OPERATING_SYSTEM_FAMILIES).default('LINUX'),
      })
      .optional(),
    volumes: z.array(volume).optional().meta({ description: 'Bind, EFS and EBS (configuredAtLaunch) volumes the containers mount.' }),
    pidMode: z
      .literal('task', { error: 'expected "task": containers of a task may share its process namespace; the host\'s is not available on Fargate' })
      .optional(),
    proxyConfiguration: proxyConfiguration.optional().meta({ description: 'The App Mesh proxy configuration.' }),
    ephemeralStorage: ephemeralStorage.optional(),
    enableFaultInjection: z.boolean().optional(),
    ...TASK_NOT_ON_FARGATE,
    containers: z.array(containerSchema).min(1).max(10),
    tags: tags.default({}),
  });

export const taskDefinitionSchema = taskDefinitionObject.superRefine((td, ctx) => {
    checkReferences(td, ctx);
    checkPlatform(td, ctx);
    const size = td.cpu && td.memory ? fargateSizeProblem(Number(td.cpu), Number(td.memory)) : undefined;
    if (size) ctx.addIssue({ code: 'custom', path: [size.path], message: size.message });
    const names = new Set<string>();
    td.containers.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['containers', i, 'name'], message: `duplicate container name "${c.name}"` });
      names.add(c.name);
    });
    td.containers.forEach((c, i) =>
      c.dependsOn.forEach((d, j) => {
        if (!names.has(d.containerName) || d.containerName === c.name) {
          ctx.addIssue({
            code: 'custom',
            path: ['containers', i, 'dependsOn', j, 'containerName'],
            message: `expected the name of another container of this task definition, got "${d.containerName}"`,
          });
        }
      }),
    );
    if (!td.containers.some((c) => c.essential)) {
      ctx.addIssue({ code: 'custom', path: ['containers'], message: 'expected at least one essential container' });
    }
    if (!td.executionRoleArn) {
      td.containers.forEach((c, i) => {
        if (Object.keys(c.secrets).length > 0) {
          ctx.addIssue({ code: 'custom', path: ['containers', i, 'secrets'], message: 'secrets need executionRoleArn on the task definition' });
        }
        if (c.logConfiguration?.logDriver === 'awslogs') {
          ctx.addIssue({
            code: 'custom',
            path: ['containers', i, 'logConfiguration'],
            message: 'Fargate requires executionRoleArn on the task definition to use the awslogs log driver',
          });
        }
        if (c.repositoryCredentials) {
          ctx.addIssue({ code: 'custom', path: ['containers', i, 'repositoryCredentials'], message: 'repositoryCredentials need executionRoleArn on the task definition' });
        }
        if (c.environmentFiles?.length) {
          ctx.addIssue({ code: 'custom', path: ['containers', i, 'environmentFiles'], message: 'environmentFiles need executionRoleArn on the task definition' });
        }
      });
    }
  });

type TaskDefinitionInput = z.output<typeof taskDefinitionObject>;

/** Names one part of a task definition gives another: volumes, containers, the FireLens pair. */
function checkReferences(td: TaskDefinitionInput, ctx: z.RefinementCtx): void {
  const volumes = new Set<string>();
  (td.volumes ?? []).forEach((v, i) => {
    if (volumes.has(v.name)) ctx.addIssue({ code: 'custom', path: ['volumes', i, 'name'], message: `duplicate volume name "${v.name}"` });
    volumes.add(v.name);
  });
  const containers = new Set(td.containers.map((c) => c.name));
  td.containers.forEach((c, i) => {
    (c.mountPoints ?? []).forEach((m, j) => {
      if (!volumes.has(m.sourceVolume)) {
        ctx.addIssue({ code: 'custom', path: ['containers', i, 'mountPoints', j, 'sourceVolume'], message: `expected the name of a volume of this task definition, got "${m.sourceVolume}"` });
      }
    });
    (c.volumesFrom ?? []).forEach((v, j) => {
      if (!containers.has(v.sourceContainer) || v.sourceContainer === c.name) {
        ctx.addIssue({ code: 'custom', path: ['containers', i, 'volumesFrom', j, 'sourceContainer'], message: `expected the name of another container of this task definition, got "${v.sourceContainer}"` });
      }
    });
  });
  const s3files = (td.volumes ?? []).findIndex((v) => v.s3filesVolumeConfiguration);
  if (s3files !== -1 && !td.taskRoleArn) ctx.addIssue({ code: 'custom', path: ['volumes', s3files, 's3filesVolumeConfiguration'], message: 'S3 Files volumes need taskRoleArn on the task definition' });
  if (td.proxyConfiguration && !containers.has(td.proxyConfiguration.containerName)) {
    ctx.addIssue({ code: 'custom', path: ['proxyConfiguration', 'containerName'], message: `expected the name of a container of this task definition, got "${td.proxyConfiguration.containerName}"` });
  }
  const routers = td.containers.flatMap((c, i) => (c.firelensConfiguration ? [i] : []));
  const routed = td.containers.flatMap((c, i) => (c.logConfiguration?.logDriver === 'awsfirelens' ? [i] : []));
  if (routers.length > 1) ctx.addIssue({ code: 'custom', path: ['containers', routers[1], 'firelensConfiguration'], message: 'expected one FireLens log router per task definition' });
  if (routed.length > 0 && routers.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['containers', routed[0], 'logConfiguration', 'logDriver'], message: 'awsfirelens needs a log router: a container with firelensConfiguration' });
  }
  if (routers.length > 0 && routed.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['containers', routers[0], 'firelensConfiguration'], message: 'a FireLens log router needs a container that logs through it (logDriver: awsfirelens)' });
  }
}

/** What Fargate's Windows platform does not take. */
function checkPlatform(td: TaskDefinitionInput, ctx: z.RefinementCtx): void {
  const platform = td.runtimePlatform;
  if (!platform || platform.operatingSystemFamily === 'LINUX') return;
  if (platform.cpuArchitecture !== 'X86_64') ctx.addIssue({ code: 'custom', path: ['runtimePlatform', 'cpuArchitecture'], message: 'expected X86_64: Windows tasks on Fargate run on X86_64' });
  if (td.cpu && Number(td.cpu) < 1024) ctx.addIssue({ code: 'custom', path: ['cpu'], message: 'expected at least 1024 (1 vCPU): the least a Windows task on Fargate takes' });
  const efs = (td.volumes ?? []).findIndex((v) => v.efsVolumeConfiguration);
  if (efs !== -1) ctx.addIssue({ code: 'custom', path: ['volumes', efs, 'efsVolumeConfiguration'], message: 'not supported on Fargate: Windows tasks cannot mount EFS volumes' });
}

// ---------------------------------------------------------------------------------------------
// Environment

const secretRef = z.union(
  [
    z.strictObject({ secretsManager: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN') }),
    z.strictObject({ ssmParameter: z.string().min(1).meta({ description: 'Parameter name (/steady/slack-webhook) or ARN.' }) }),
  ],
  { error: 'expected either secretsManager: <secret ARN> or ssmParameter: <parameter name or ARN>' },
);

export const environmentSpecSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d+$/, 'expected an AWS region such as ap-northeast-1'),
  account: z
    .string()
    .regex(/^\d{12}$/, 'expected a 12-digit AWS account id')
    .optional()
    .meta({ description: "The AWS account the environment lives in. Default: the controller's own account. Another account needs `roleArn`." }),
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, 'expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)')
    .optional()
    .meta({ description: 'The role steady assumes (STS AssumeRole, one session per pass) to read and change this environment; its account must be `account`. Default: steady\'s own role.' }),
  externalId: z
    .string()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, 'expected 2 to 1224 of A-Z a-z 0-9 and +=,.@:/-')
    .optional()
    .meta({ description: "The external id the role's trust policy requires (sts:ExternalId); not a secret." }),
  cluster: awsName.meta({ description: 'ECS cluster the services and migrations run in.' }),
  mode: z
    .enum(['enforce', 'observe'])
    .default('enforce')
    .meta({ description: '`observe`: plan and report only, never change anything.' }),
  changeBudget: z
    .number()
    .int()
    .min(1)
    .max(10000)
    .default(20)
    .meta({ description: 'Most resources one pass may change; a larger plan changes nothing and is reported instead (unless stepwiseCreation allows creating in steps).' }),
  stepwiseCreation: z
    .boolean()
    .default(false)
    .meta({
      description:
        'When a plan exceeds changeBudget only because of resources that do not exist yet (a first pass of a large environment), create them a budget at a time, in dependency order, one step a pass, instead of changing nothing. Changes to existing resources still count in full: if they alone exceed the budget, nothing is changed.',
    }),
  tags: tags.default({}),
  notifications: z
    .strictObject({
      slack: z
        .strictObject({
          webhookUrl: secretRef.meta({ description: 'Where the incoming-webhook URL is stored; never the URL itself.' }),
          maxSections: z.number().int().min(1).max(45).default(10),
        })
        .optional(),
      email: z
        .strictObject({
          from: z.email(),
          to: z.array(z.email()).min(1),
        })
        .optional(),
      remindEveryHours: z.number().min(1).default(24).meta({ description: 'How often an unhealed drift is reminded.' }),
      dailyDigest: z.boolean().default(false),
    })
    .default({ remindEveryHours: 24, dailyDigest: false }),
  wiring: z
    .strictObject({
      certificateExpiryDays: z
        .number()
        .int()
        .min(1)
        .max(365)
        .default(30)
        .meta({ description: 'A listener certificate that expires within this many days is reported as a broken link.' }),
      rotationMinutes: z
        .number()
        .int()
        .min(1)
        .max(1440)
        .default(10)
        .meta({
          description:
            "A reconcile pass reads target health, tasks, listeners and rules only for services that look wrong in ECS's own view, that it changed, or that are due in a rotation reading every service at least once in this many minutes (DescribeTargetHealth has no batch form: reading all every pass costs a call per service).",
        }),
    })
    .optional()
    .meta({ description: 'How `steady verify` and the wiring checks judge the chain from a name to the containers. Defaults: certificateExpiryDays 30, rotationMinutes 10.' }),
}).superRefine((env, ctx) => {
  const roleAccount = env.roleArn?.split(':')[4];
  if (env.roleArn && env.account && roleAccount !== env.account) {
    ctx.addIssue({ code: 'custom', path: ['roleArn'], message: `the role is in account ${roleAccount}, but the environment's account is ${env.account}` });
  }
  if (env.externalId && !env.roleArn) ctx.addIssue({ code: 'custom', path: ['externalId'], message: 'an external id needs a roleArn to assume' });
});

// ---------------------------------------------------------------------------------------------
// Service

const network = z.strictObject({
  subnets: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id (subnet-...)')).min(1).max(16),
  securityGroups: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id (sg-...)')).max(5).default([]),
  assignPublicIp: z.enum(['ENABLED', 'DISABLED']).default('DISABLED'),
});

const rollingDeployment = z.strictObject({
  strategy: z.literal('rolling'),
  minimumHealthyPercent: z.number().int().min(0).max(100).default(100),
  maximumPercent: z.number().int().min(100).max(200).default(200),
  circuitBreaker: z
    .strictObject({ enable: z.boolean().default(true), rollback: z.boolean().default(true) })
    .default({ enable: true, rollback: true })
    .meta({ description: 'ECS deployment circuit breaker; steady never re-pushes a revision it rolled back.' }),
  alarms: deploymentAlarms.optional(),
});

const blueGreenDeployment = z
  .strictObject({
    strategy: z.literal('blueGreen'),
    codeDeploy: z.strictObject({
      application: z.string().min(1).max(100).meta({ description: 'The CodeDeploy application (compute platform ECS).' }),
      deploymentGroup: z
        .string()
        .min(1)
        .max(100)
        .meta({
          description:
            'The deployment group: it must deploy this ECS service and shift traffic between two target groups, one of them spec.loadBalancer.targetGroup. steady checks it every pass.',
        }),
      deploymentConfig: z
        .string()
        .default('CodeDeployDefault.ECSAllAtOnce')
        .meta({ description: 'How traffic shifts, e.g. CodeDeployDefault.ECSAllAtOnce, CodeDeployDefault.ECSLinear10PercentEvery1Minutes, CodeDeployDefault.ECSCanary10Percent5Minutes' }),
    }),
  })
  .meta({
    description:
      'Roll out through CodeDeploy: each new revision becomes one CodeDeploy deployment (a failed one is not repeated). The ECS service is created with its deployment group, outside steady; adopt it.',
  });

const listenerExpectation = z
  .strictObject({
    loadBalancer: elbName
      .optional()
      .meta({
        description:
          'The load balancer in front of the target group. Default: the one whose listener or rule forwards to the target group now, ' +
          'else the only load balancer an AliasRecord of the environment targets.',
      }),
    port: z.number().int().min(1).max(65535).optional().meta({ description: 'The listener port, e.g. 443.' }),
    protocol: z
      .enum(['HTTP', 'HTTPS'])
      .optional()
      .meta({ description: 'HTTPS: the listener must have a certificate, which must not expire within the Environment\'s wiring.certificateExpiryDays.' }),
  })
  .meta({ description: 'What the wiring checks expect in front of the target group. Only the fields given are checked; steady never changes listeners.' });

const probe = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).meta({ description: 'e.g. https://api.example.com/health' }),
    expectStatus: z.number().int().min(100).max(599).default(200).meta({ description: 'The HTTP status a working service answers (redirects are not followed).' }),
    timeoutSeconds: z.number().positive().max(60).default(5),
  })
  .meta({
    description:
      'An HTTP request the wiring checks make to the service from outside. A failing probe with every link of the chain healthy is reported as an application problem.',
  });

export const serviceSpecSchema = z
  .strictObject({
    serviceName: awsName.optional().meta({ description: 'ECS service name; defaults to metadata.name.' }),
    adopt: z
      .boolean()
      .default(false)
      .meta({ description: 'Take over an existing service steady did not create (it is then tagged as steady\'s).' }),
    desiredCount: z.number().int().min(0).max(5000).default(1),
    autoscaling: z
      .boolean()
      .default(false)
      .meta({ description: 'Application Auto Scaling owns the count: steady uses desiredCount only when it creates the service.' }),
    taskDefinition: taskDefinitionSchema,
    loadBalancer: z
      .strictObject({
        targetGroup: elbName.meta({ description: 'Target group name, looked up every pass.' }),
        containerName: awsName,
        containerPort: z.number().int().min(1).max(65535),
        listener: listenerExpectation.optional(),
      })
      .optional(),
    probe: probe.optional(),
    network,
    platformVersion: z.string().default('LATEST'),
    healthCheckGracePeriodSeconds: z.number().int().min(0).max(2147483647).optional(),
    capacityProviderStrategy: capacityProviderStrategy.optional(),
    enableExecuteCommand: z.boolean().optional().meta({ description: 'ECS Exec into the service\'s tasks (tasks started after the change get it).' }),
    propagateTags: z
      .enum(['TASK_DEFINITION', 'SERVICE', 'NONE'])
      .optional()
      .meta({ description: 'Which tags the service\'s tasks get; steady creates services with SERVICE when this is left out.' }),
    enableECSManagedTags: z.boolean().optional(),
    availabilityZoneRebalancing: z.enum(['ENABLED', 'DISABLED']).optional(),
    serviceConnectConfiguration: serviceConnectConfiguration(logConfiguration).optional(),
    serviceRegistries: z.array(serviceRegistry).max(1).optional().meta({ description: 'AWS Cloud Map service discovery.' }),
    volumeConfigurations: z.array(volumeConfiguration).max(1).optional().meta({ description: 'The Amazon EBS volume of a task-definition volume with configuredAtLaunch: true.' }),
    ...SERVICE_NOT_ON_FARGATE,
    deployment: z
      .discriminatedUnion('strategy', [rollingDeployment, blueGreenDeployment])
      .default({ strategy: 'rolling', minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true } }),
    after: z.array(resourceName).default([]).meta({ description: 'Migrations that must succeed before this service rolls out.' }),
    tags: tags.default({}),
  })
  .superRefine((svc, ctx) => {
    checkServiceReferences(svc, ctx);
    const lb = svc.loadBalancer;
    if (!lb && svc.deployment.strategy === 'blueGreen') {
      ctx.addIssue({ code: 'custom', path: ['deployment', 'strategy'], message: 'a blueGreen deployment needs spec.loadBalancer: CodeDeploy shifts its traffic between two target groups' });
    }
    if (!lb) return;
    const i = svc.taskDefinition.containers.findIndex((c) => c.name === lb.containerName);
    if (i === -1) {
      ctx.addIssue({ code: 'custom', path: ['loadBalancer', 'containerName'], message: `expected a container of the task definition, got "${lb.containerName}"` });
    } else if (!svc.taskDefinition.containers[i].portMappings.some((p) => p.containerPort === lb.containerPort)) {
      ctx.addIssue({
        code: 'custom',
        path: ['loadBalancer', 'containerPort'],
        message: `expected a containerPort that container "${lb.containerName}" maps in portMappings, got ${lb.containerPort}`,
      });
    }
  });

/** Service settings that name parts of the task definition: Service Connect ports, EBS volumes. */
function checkServiceReferences(svc: { taskDefinition: TaskDefinitionInput; serviceConnectConfiguration?: { services?: { portName: string }[] }; volumeConfigurations?: { name: string }[] }, ctx: z.RefinementCtx): void {
  const ports = new Set(svc.taskDefinition.containers.flatMap((c) => c.portMappings.flatMap((p) => (p.name ? [p.name] : []))));
  (svc.serviceConnectConfiguration?.services ?? []).forEach((s, i) => {
    if (!ports.has(s.portName)) {
      ctx.addIssue({ code: 'custom', path: ['serviceConnectConfiguration', 'services', i, 'portName'], message: `expected the name of a port mapping of the task definition, got "${s.portName}"` });
    }
  });
  const atLaunch = new Set((svc.taskDefinition.volumes ?? []).filter((v) => v.configuredAtLaunch).map((v) => v.name));
  (svc.volumeConfigurations ?? []).forEach((v, i) => {
    if (!atLaunch.has(v.name)) {
      ctx.addIssue({ code: 'custom', path: ['volumeConfigurations', i, 'name'], message: `expected a volume of the task definition with configuredAtLaunch: true, got "${v.name}"` });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Migration

export const migrationSpecSchema = z
  .strictObject({
    taskDefinition: taskDefinitionSchema.optional().meta({ description: 'A task definition of its own (or use fromService).' }),
    fromService: resourceName.optional().meta({ description: 'Run with this Service\'s task definition and network, overriding the command.' }),
    container: awsName.optional().meta({ description: 'Container to run the command in; defaults to the first essential one.' }),
    command: z.array(z.string()).min(1).optional().meta({ description: 'e.g. ["alembic", "upgrade", "head"]' }),
    network: network.optional().meta({ description: 'Required with a task definition of its own; fromService uses the service\'s.' }),
    timeoutSeconds: z.number().int().min(1).max(86400).default(900),
    before: z.array(resourceName).default([]).meta({ description: 'Services that wait for this migration (same as their `after`).' }),
    tags: tags.default({}),
  })
  .superRefine((m, ctx) => {
    if (!!m.taskDefinition === !!m.fromService) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of taskDefinition or fromService' });
    }
    if (m.fromService && !m.command) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'expected a command to run with fromService' });
    }
    if (m.taskDefinition && !m.network) {
      ctx.addIssue({ code: 'custom', path: ['network'], message: 'expected network (subnets, securityGroups) for a migration with its own task definition' });
    }
    if (m.taskDefinition && m.container && !m.taskDefinition.containers.some((c) => c.name === m.container)) {
      ctx.addIssue({ code: 'custom', path: ['container'], message: `expected a container of the task definition, got "${m.container}"` });
    }
  });

// ---------------------------------------------------------------------------------------------
// ScheduledTask

/** EventBridge Scheduler's name rules for schedules and schedule groups. */
const schedulerName = z.string().regex(/^[0-9a-zA-Z._-]{1,64}$/, 'expected up to 64 letters, digits, dots, hyphens and underscores');

export const scheduledTaskSpecSchema = z
  .strictObject({
    schedule: z
      .string()
      .superRefine((expression, ctx) => {
        const parsed = parseScheduleExpression(expression);
        if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
      })
      .meta({
        description:
          'When it runs, in EventBridge Scheduler syntax: cron(minutes hours day-of-month month day-of-week year) with ? in one of the day fields, rate(value unit), or at(yyyy-mm-ddThh:mm:ss) for once.',
      }),
    timezone: z
      .string()
      .default('UTC')
      .superRefine((name, ctx) => {
        const problem = checkTimezone(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: 'IANA time zone the cron or at expression is read in, e.g. Asia/Tokyo (daylight saving time as Scheduler handles it).' }),
    enabled: z.boolean().default(true).meta({ description: '`false`: the schedule is kept but DISABLED: nothing runs and no run is missed.' }),
    flexibleWindowMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .optional()
      .meta({ description: 'Scheduler may start the run up to this many minutes after the fire time (FLEXIBLE window); omitted: on time (OFF).' }),
    taskDefinition: taskDefinitionSchema.optional().meta({ description: 'A task definition of its own (or use fromService).' }),
    fromService: resourceName
      .optional()
      .meta({ description: "Run a copy of this Service's task definition (same images, pinned to digests, same secrets) with the command below, in its network." }),
    container: awsName.optional().meta({ description: 'Container to run the command in; defaults to the first essential one.' }),
    command: z.array(z.string()).min(1).optional().meta({ description: 'e.g. ["alembic", "upgrade", "head"]; registered into the task definition steady keeps for this task.' }),
    network: network.optional().meta({ description: "Required with a task definition of its own; fromService uses the service's." }),
    roleArn: roleArn.meta({
      description: 'The role EventBridge Scheduler assumes to call ecs:RunTask (it must be allowed to, and to pass the task definition\'s roles: iam:PassRole).',
    }),
    retryPolicy: z
      .strictObject({
        maximumRetryAttempts: z.number().int().min(0).max(185).default(185),
        maximumEventAgeSeconds: z.number().int().min(60).max(86400).default(86400),
      })
      .default({ maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 })
      .meta({ description: 'How Scheduler retries a RunTask call that fails (throttled, refused). A task that starts and exits non-zero is not retried: steady reports it.' }),
    deadLetterQueue: z
      .string()
      .regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/, 'expected an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)')
      .optional()
      .meta({ description: 'Where Scheduler sends a run it could not start after its retries.' }),
    overlap: z
      .enum(['allow', 'report'])
      .default('allow')
      .meta({
        description:
          'Scheduler starts a run at every fire time even if the previous one still runs; nothing between Scheduler and RunTask can skip it. `report`: steady reports two runs at once as a failure (RunsOverlap). To forbid overlap, the job itself must take a lock.',
      }),
    group: schedulerName
      .optional()
      .meta({ description: "The schedule group; default steady-<environment>, which steady creates and tags as its own. Another group must exist already (adopted schedules)." }),
    scheduleName: schedulerName.optional().meta({ description: 'The EventBridge Scheduler schedule name; defaults to metadata.name.' }),
    adopt: z.boolean().default(false).meta({ description: 'Take over an existing schedule steady did not create (steady writes its marker into the description).' }),
    tags: tags.default({}),
  })
  .superRefine((t, ctx) => {
    if (!!t.taskDefinition === !!t.fromService) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of taskDefinition or fromService' });
    }
    if (t.fromService && !t.command) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'expected a command to run with fromService' });
    }
    if (t.taskDefinition && !t.network) {
      ctx.addIssue({ code: 'custom', path: ['network'], message: 'expected network (subnets, securityGroups) for a scheduled task with its own task definition' });
    }
    if (t.taskDefinition && t.container && !t.taskDefinition.containers.some((c) => c.name === t.container)) {
      ctx.addIssue({ code: 'custom', path: ['container'], message: `expected a container of the task definition, got "${t.container}"` });
    }
  });

// ---------------------------------------------------------------------------------------------
// AliasRecord

const aliasTarget = z.union(
  [
    z.strictObject({ loadBalancer: elbName.meta({ description: 'ALB/NLB name: its DNS name and zone id are looked up every pass.' }) }),
    z.strictObject({ cloudFront: z.string().regex(/^E[A-Z0-9]{6,20}$/, 'expected a CloudFront distribution id (E...)') }),
    z.strictObject({
      dnsName: domainName,
      hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'expected a hosted zone id (Z...)'),
    }),
  ],
  { error: 'expected one of: loadBalancer: <load balancer name>, cloudFront: <distribution id>, or dnsName and hostedZoneId' },
);

export const aliasRecordSpecSchema = z
  .strictObject({
    zone: domainName.meta({ description: 'Hosted zone name, e.g. example.com.' }),
    zoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, 'expected a hosted zone id (Z...)')
      .optional()
      .meta({ description: 'Pins the zone when a public and a private zone share the name.' }),
    name: domainName.meta({ description: 'Record name inside the zone, e.g. api.example.com.' }),
    type: z.enum(['A', 'AAAA']).default('A'),
    target: aliasTarget,
    evaluateTargetHealth: z.boolean().default(false),
    adopt: z.boolean().default(false).meta({ description: 'Take over an existing record steady did not create.' }),
  })
  .superRefine((r, ctx) => {
    if (r.name !== r.zone && !r.name.endsWith(`.${r.zone}`)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `expected a name inside the zone ${r.zone}, got ${r.name}` });
    }
  });

// ---------------------------------------------------------------------------------------------
// Maintenance

/** `on` / `off`; YAML 1.1 habits (`true`, `false`, `yes`, `no`) are read the same way. */
const onOff = z
  .union([z.enum(['on', 'off']), z.boolean()], { error: 'expected on or off' })
  .transform((v) => (v === true ? 'on' : v === false ? 'off' : v));

const maintenanceCloudFront = z
  .strictObject({
    distribution: z.string().regex(/^E[A-Z0-9]{6,20}$/, 'expected a CloudFront distribution id (E...)'),
    origin: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .meta({
        description:
          "The Id of the distribution's origin that serves the maintenance page (the maintenance bucket, reached through origin access control). The behaviours below are switched to it.",
      }),
    behaviors: z
      .array(z.string().min(1).max(255))
      .min(1)
      .optional()
      .meta({ description: 'Path patterns of the cache behaviours to switch, `*` for the default behaviour; default every behaviour.' }),
    errorResponse: z
      .strictObject({
        pagePath: z.string().regex(/^\/\S*$/, 'expected a path that starts with /, e.g. /maintenance.html'),
        errorCodes: z
          .array(z.union([z.literal(400), z.literal(403), z.literal(404), z.literal(405), z.literal(414), z.literal(416), z.literal(500), z.literal(501), z.literal(502), z.literal(503), z.literal(504)], { error: 'expected an HTTP error code CloudFront can map: 400, 403, 404, 405, 414, 416, 500-504' }))
          .min(1)
          .default([403, 404, 500, 502, 503, 504])
          .meta({ description: 'The origin errors answered with the page (an S3 bucket through OAC answers 403 for a path it does not hold).' }),
        responseCode: z.union([z.literal(200), z.literal(503)]).default(503).meta({ description: 'The status users get with the page.' }),
        cacheSeconds: z
          .number()
          .int()
          .min(0)
          .max(31536000)
          .default(10)
          .meta({ description: 'How long CloudFront may cache the maintenance response (ErrorCachingMinTTL): short, so the site comes back soon after maintenance ends.' }),
      })
      .optional()
      .meta({ description: 'Custom error responses CloudFront answers with the maintenance page while maintenance is on.' }),
  })
  .superRefine((cf, ctx) => {
    if (!cf.origin && !cf.errorResponse) ctx.addIssue({ code: 'custom', path: [], message: 'expected origin (the behaviours switch to it), errorResponse, or both' });
    if (cf.behaviors && !cf.origin) ctx.addIssue({ code: 'custom', path: ['behaviors'], message: 'behaviors are switched to an origin: set origin as well' });
    const dup = cf.behaviors?.find((b, i) => cf.behaviors!.indexOf(b) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['behaviors'], message: `duplicate behaviour ${JSON.stringify(dup)}` });
  })
  .meta({ description: 'What maintenance changes in a CloudFront distribution: only these fields, and back again afterwards.' });

const maintenanceLoadBalancer = z
  .strictObject({
    name: elbName.meta({ description: 'The load balancer (ALB) whose listener answers for the API.' }),
    listener: z.strictObject({
      port: z.number().int().min(1).max(65535),
      protocol: z.enum(['HTTP', 'HTTPS']).optional(),
    }),
    hosts: z
      .array(domainName)
      .min(1)
      .max(5)
      .optional()
      .meta({ description: 'Host headers the maintenance response is for (a host-header condition); default every request to the listener.' }),
    priority: z
      .number()
      .int()
      .min(1)
      .max(50000)
      .default(1)
      .meta({ description: 'The listener rule priority steady owns for the maintenance rule; it must be free (lower answers first).' }),
    statusCode: z.number().int().min(200).max(599).default(503),
    contentType: z.enum(['application/json', 'text/html', 'text/plain']).default('application/json'),
    body: z
      .string()
      .max(1024)
      .optional()
      .meta({ description: 'The response body, at most 1024 characters; default one made from spec.message (JSON, HTML or text as contentType says).' }),
  })
  .superRefine((lb, ctx) => {
    if (!/^[245]\d\d$/.test(String(lb.statusCode))) ctx.addIssue({ code: 'custom', path: ['statusCode'], message: 'expected a 2XX, 4XX or 5XX status (what an ALB fixed response allows)' });
  })
  .meta({ description: 'The listener rule (a fixed response) that answers instead of the containers while maintenance is on; deleted again afterwards.' });

const maintenanceAutomatic = z
  .strictObject({
    services: z
      .array(resourceName)
      .min(1)
      .optional()
      .meta({ description: "The Services whose chain (the wiring checks) is watched; default every Service behind spec.loadBalancer's load balancer, or every Service with a chain." }),
    brokenPasses: z.number().int().min(1).max(100).default(3).meta({ description: 'Switch on when the chain has been broken this many passes in a row.' }),
    readyPasses: z.number().int().min(1).max(100).default(3).meta({ description: 'Switch off when the chain has been Ready this many passes in a row.' }),
    minOnMinutes: z.number().int().min(0).max(1440).default(10).meta({ description: 'Once on, stay on at least this long.' }),
    minOffMinutes: z.number().int().min(0).max(1440).default(30).meta({ description: 'Once off, do not switch on again within this long.' }),
    maxPerHour: z.number().int().min(1).max(10).default(2).meta({ description: 'At most this many automatic switches on within any hour.' }),
  })
  .meta({ description: 'Opt-in: switch to maintenance when the chain behind the entry points is broken, and back when it is Ready. Never flaps: hold times and a cap per hour.' });

export const maintenanceSpecSchema = z
  .strictObject({
    maintenance: onOff
      .default('off')
      .meta({ description: '`on`: the entry points answer the maintenance page (the durable way: by spec). `steady maintenance on` turns it on for a while without a commit.' }),
    message: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .meta({ description: 'What users are told, in the default ALB response body.' }),
    retryAfterSeconds: z.number().int().min(1).max(604800).optional().meta({ description: 'How long users should wait, in the default ALB response body.' }),
    cloudFront: maintenanceCloudFront.optional(),
    loadBalancer: maintenanceLoadBalancer.optional(),
    automatic: maintenanceAutomatic.optional(),
  })
  .superRefine((m, ctx) => {
    if (!m.cloudFront && !m.loadBalancer) ctx.addIssue({ code: 'custom', path: [], message: 'expected cloudFront, loadBalancer, or both: the entry points maintenance switches' });
  });

// ---------------------------------------------------------------------------------------------
// Documents

function document<K extends Kind, M extends z.ZodType, S extends z.ZodType>(kind: K, meta: M, spec: S, description: string) {
  return z
    .strictObject({
      apiVersion: z.literal(API_VERSION),
      kind: z.literal(kind),
      metadata: meta,
      spec,
    })
    .meta({ description });
}

export const environmentSchema = document(
  'Environment',
  environmentMetadata,
  environmentSpecSchema,
  'An AWS region and ECS cluster that steady keeps as its specs say: mode, change budget, notifications, default tags.',
);
export const serviceSchema = document(
  'Service',
  metadata,
  serviceSpecSchema,
  'An ECS service on Fargate and the task definition it must run.',
);
export const migrationSchema = document(
  'Migration',
  metadata,
  migrationSpecSchema,
  'A one-off ECS task (a database migration, say) run once per version, before the services that wait for it roll out.',
);
export const scheduledTaskSchema = document(
  'ScheduledTask',
  metadata,
  scheduledTaskSpecSchema,
  'An ECS task run on a schedule (a nightly migration, a batch job): an EventBridge Scheduler schedule whose target is ECS RunTask of a task definition steady keeps pinned to image digests, and the outcome of its runs.',
);
export const aliasRecordSchema = document(
  'AliasRecord',
  metadata,
  aliasRecordSpecSchema,
  'A Route 53 A/AAAA alias record whose target is named (a load balancer, a CloudFront distribution) and looked up every pass.',
);

export const maintenanceSchema = document(
  'Maintenance',
  metadata,
  maintenanceSpecSchema,
  "An environment's maintenance page: what a CloudFront distribution and an ALB listener answer while maintenance is on (by spec, by `steady maintenance`, or automatically), and everything back as it was when it ends.",
);

export const SCHEMAS = {
  Environment: environmentSchema,
  Service: serviceSchema,
  Migration: migrationSchema,
  ScheduledTask: scheduledTaskSchema,
  AliasRecord: aliasRecordSchema,
  Maintenance: maintenanceSchema,
} as const;

export type EnvironmentDoc = z.output<typeof environmentSchema>;
export type ServiceDoc = z.output<typeof serviceSchema>;
export type MigrationDoc = z.output<typeof migrationSchema>;
export type ScheduledTaskDoc = z.output<typeof scheduledTaskSchema>;
export type AliasRecordDoc = z.output<typeof aliasRecordSchema>;
export type MaintenanceDoc = z.output<typeof maintenanceSchema>;
export type SpecDoc = EnvironmentDoc | ServiceDoc | MigrationDoc | ScheduledTaskDoc | AliasRecordDoc | MaintenanceDoc;

export type TaskDefinitionSpec = z.output<typeof taskDefinitionSchema>;
export type ContainerSpec = z.output<typeof containerSchema>;
export type NetworkSpec = z.output<typeof network>;
export type AliasTargetSpec = z.output<typeof aliasTarget>;
export type ListenerExpectationSpec = z.output<typeof listenerExpectation>;
export type ProbeSpec = z.output<typeof probe>;
export type MaintenanceCloudFrontSpec = z.output<typeof maintenanceCloudFront>;
export type MaintenanceLoadBalancerSpec = z.output<typeof maintenanceLoadBalancer>;
export type MaintenanceAutomaticSpec = z.output<typeof maintenanceAutomatic>;
