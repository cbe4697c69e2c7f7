/**
 * The ECS fields of the spec language that are taken as the API names them: the parts of
 * RegisterTaskDefinition and of CreateService/UpdateService a Fargate task or service can use, one
 * zod schema each, and the fields that do not apply to Fargate, refused with a message that says so.
 * `schema.ts` puts them into `taskDefinition`, its `containers` and the Service spec.
 *
 * A field added here under its ECS name is expressible (`plan/expressible.ts` derives that from the
 * schema) and reaches the registered content with no other change. A field refused with
 * `notOnFargate` is never expressible.
 */
import { z } from 'zod';

const awsName = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected up to 255 letters, digits, hyphens and underscores');

/**
 * A RegisterTaskDefinition or CreateService field that does not apply to Fargate: any value is
 * refused with `why`. It is never expressible, and the CRDs say it must be absent.
 */
export function notOnFargate(why: string) {
  return z
    .never({ error: `not supported on Fargate: ${why}` })
    .optional()
    .meta({ description: `Not supported on Fargate: ${why}` });
}

/** True for a schema made by `notOnFargate`. */
export function isNotOnFargate(schema: z.ZodType): boolean {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  if (def.type === 'optional') return isNotOnFargate(def.innerType!);
  return def.type === 'never';
}

// ---------------------------------------------------------------------------------- containers

const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'] as const;

export const ulimit = z.strictObject({
  name: z.enum(ULIMIT_NAMES),
  softLimit: z.number().int().min(0),
  hardLimit: z.number().int().min(0),
});

export const mountPoint = z.strictObject({
  sourceVolume: awsName.meta({ description: 'The name of one of the task definition\'s volumes.' }),
  containerPath: z.string().min(1),
  readOnly: z.boolean().optional(),
});

export const volumeFrom = z.strictObject({
  sourceContainer: awsName.meta({ description: 'Another container of the task definition.' }),
  readOnly: z.boolean().optional(),
});

const CAPABILITIES = [
  'ALL', 'AUDIT_CONTROL', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER',
  'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'SETFCAP',
  'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
] as const;

export const linuxParameters = z.strictObject({
  capabilities: z
    .strictObject({
      add: z
        .array(z.literal('SYS_PTRACE', { error: 'expected "SYS_PTRACE": it is the only capability Fargate lets a container add' }))
        .optional(),
      drop: z.array(z.enum(CAPABILITIES)).optional(),
    })
    .optional(),
  initProcessEnabled: z.boolean().optional().meta({ description: 'Run an init process (PID 1) that reaps zombies; recommended with ECS Exec.' }),
  devices: notOnFargate('host devices belong to EC2 instances'),
  sharedMemorySize: notOnFargate('/dev/shm size is fixed'),
  tmpfs: notOnFargate('tmpfs mounts are not available; use a bind volume'),
  maxSwap: notOnFargate('Fargate tasks have no swap'),
  swappiness: notOnFargate('Fargate tasks have no swap'),
});

export const firelensConfiguration = z.strictObject({
  type: z.enum(['fluentbit', 'fluentd']),
  options: z
    .record(z.string(), z.string())
    .optional()
    .meta({ description: 'e.g. enable-ecs-log-metadata: "true", config-file-type: s3 | file, config-file-value: <ARN or path>' }),
});

export const repositoryCredentials = z.strictObject({
  credentialsParameter: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'expected the ARN of the Secrets Manager secret holding the registry credentials')
    .meta({ description: 'A private registry\'s credentials: the Secrets Manager secret ARN, never the credentials.' }),
});

export const restartPolicy = z.strictObject({
  enabled: z.boolean(),
  ignoredExitCodes: z.array(z.number().int()).max(50).optional(),
  restartAttemptPeriod: z.number().int().min(60).max(1800).optional().meta({ description: 'Seconds a container must run before it may be restarted (ECS assumes 300).' }),
});

export const environmentFile = z.strictObject({
  value: z.string().regex(/^arn:aws[a-z-]*:s3:::.+$/, 'expected the ARN of an S3 object (arn:aws:s3:::bucket/key.env)'),
  type: z.literal('s3'),
});

export const systemControl = z.strictObject({
  namespace: z.string().min(1).meta({ description: 'e.g. net.core.somaxconn' }),
  value: z.string(),
});

/** Fields of a container definition that do not apply to Fargate (awsvpc), with why. */
export const CONTAINER_NOT_ON_FARGATE = {
  links: notOnFargate('links need the bridge network mode; containers of a task reach each other on localhost'),
  hostname: notOnFargate('a container hostname cannot be set with the awsvpc network mode'),
  disableNetworking: notOnFargate('networking cannot be disabled with the awsvpc network mode'),
  privileged: notOnFargate('privileged containers are refused'),
  dnsServers: notOnFargate('DNS servers come from the VPC with the awsvpc network mode'),
  dnsSearchDomains: notOnFargate('DNS search domains come from the VPC with the awsvpc network mode'),
  extraHosts: notOnFargate('/etc/hosts entries cannot be added with the awsvpc network mode'),
  dockerSecurityOptions: notOnFargate('SELinux/AppArmor labels and credential spec options are EC2 features (use credentialSpecs for gMSA)'),
  resourceRequirements: notOnFargate('GPUs and inference accelerators are EC2 features'),
};

// ---------------------------------------------------------------------------------- task level

const efsVolumeConfiguration = z
  .strictObject({
    fileSystemId: z.string().regex(/^fs-[0-9a-f]{8,40}$/, 'expected an EFS file system id (fs-...)'),
    rootDirectory: z.string().optional().meta({ description: 'Default "/"; must be "/" (or left out) with an access point.' }),
    transitEncryption: z.enum(['ENABLED', 'DISABLED']).optional().meta({ description: 'Default DISABLED; must be ENABLED with IAM authorization or an access point.' }),
    transitEncryptionPort: z.number().int().min(1).max(65535).optional(),
    authorizationConfig: z
      .strictObject({
        accessPointId: z.string().regex(/^fsap-[0-9a-f]{8,40}$/, 'expected an EFS access point id (fsap-...)').optional(),
        iam: z.enum(['ENABLED', 'DISABLED']).optional(),
      })
      .optional(),
  })
  .superRefine((efs, ctx) => {
    const auth = efs.authorizationConfig;
    if ((auth?.iam === 'ENABLED' || auth?.accessPointId) && efs.transitEncryption !== 'ENABLED') {
      ctx.addIssue({ code: 'custom', path: ['transitEncryption'], message: 'expected ENABLED: EFS IAM authorization and access points need transit encryption' });
    }
    if (auth?.accessPointId && efs.rootDirectory !== undefined && efs.rootDirectory !== '/') {
      ctx.addIssue({ code: 'custom', path: ['rootDirectory'], message: 'expected "/" or no rootDirectory: an access point sets the directory' });
    }
  });

export const volume = z.strictObject({
  name: awsName,
  host: z
    .strictObject({ sourcePath: notOnFargate('a bind volume on Fargate lives in the task\'s own storage; leave sourcePath out') })
    .optional()
    .meta({ description: 'A bind mount volume (the default when a volume says nothing else).' }),
  efsVolumeConfiguration: efsVolumeConfiguration.optional(),
  configuredAtLaunch: z
    .boolean()
    .optional()
    .meta({ description: 'An Amazon EBS volume configured when the service starts tasks (the Service spec\'s volumeConfigurations).' }),
  s3filesVolumeConfiguration: z
    .strictObject({
      fileSystemArn: z.string().regex(/^arn:aws[a-z-]*:s3files:[a-z0-9-]+:\d{12}:file-system\/.+$/, 'expected an S3 Files file system ARN'),
      rootDirectory: z.string().optional(),
      transitEncryptionPort: z.number().int().min(1).max(65535).optional(),
      accessPointArn: z.string().regex(/^arn:aws[a-z-]*:s3files:/, 'expected an S3 Files access point ARN').optional(),
    })
    .optional()
    .meta({ description: 'An Amazon S3 Files file system (needs taskRoleArn).' }),
  dockerVolumeConfiguration: notOnFargate('Docker volumes are EC2 features; use a bind or EFS volume'),
  fsxWindowsFileServerVolumeConfiguration: notOnFargate('FSx for Windows File Server volumes are not available to Linux tasks on Fargate'),
});

export const proxyConfiguration = z.strictObject({
  type: z.literal('APPMESH').optional(),
  containerName: awsName.meta({ description: 'The App Mesh proxy (Envoy) container.' }),
  properties: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
});

export const ephemeralStorage = z.strictObject({
  sizeInGiB: z.number().int().min(21).max(200).meta({ description: 'Total ephemeral storage of the task, 21-200 GiB (Fargate gives 20 GiB when it is left out).' }),
});

export const OPERATING_SYSTEM_FAMILIES = ['LINUX', 'WINDOWS_SERVER_2019_FULL', 'WINDOWS_SERVER_2019_CORE', 'WINDOWS_SERVER_2022_FULL', 'WINDOWS_SERVER_2022_CORE'] as const;

/** Task-level fields that do not apply to Fargate, with why. */
export const TASK_NOT_ON_FARGATE = {
  ipcMode: notOnFargate('tasks cannot share an IPC namespace'),
  placementConstraints: notOnFargate('placement constraints choose EC2 instances'),
  inferenceAccelerators: notOnFargate('Elastic Inference accelerators are EC2 features'),
};

// ---------------------------------------------------------------------------------- services

export const capacityProviderStrategy = z
  .array(
    z.strictObject({
      capacityProvider: z.enum(['FARGATE', 'FARGATE_SPOT'], {
        error: 'expected FARGATE or FARGATE_SPOT: other capacity providers run tasks on EC2 instances, and steady runs services on Fargate',
      }),
      weight: z.number().int().min(0).max(1000).default(0),
      base: z.number().int().min(0).max(100000).default(0),
    }),
  )
  .min(1)
  .max(2)
  .superRefine((items, ctx) => {
    const names = items.map((i) => i.capacityProvider);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'expected each capacity provider at most once' });
    if (items.filter((i) => i.base > 0).length > 1) ctx.addIssue({ code: 'custom', message: 'expected a base on at most one capacity provider' });
    if (items.every((i) => i.weight === 0)) ctx.addIssue({ code: 'custom', message: 'expected a weight above 0 on at least one capacity provider' });
  })
  .meta({ description: 'Fargate and Fargate Spot, e.g. [{ capacityProvider: FARGATE, base: 1, weight: 1 }, { capacityProvider: FARGATE_SPOT, weight: 3 }]. Without it the service uses the FARGATE launch type.' });

export const deploymentAlarms = z
  .strictObject({
    alarmNames: z.array(z.string().min(1).max(255)).min(1),
    enable: z.boolean().default(true),
    rollback: z.boolean().default(true),
  })
  .meta({ description: 'CloudWatch alarms that fail a deployment (and roll it back): ECS\'s deploymentConfiguration.alarms.' });

const serviceConnectTls = z.strictObject({
  issuerCertificateAuthority: z.strictObject({ awsPcaAuthorityArn: z.string().regex(/^arn:aws[a-z-]*:acm-pca:/, 'expected an AWS Private CA ARN') }),
  kmsKey: z.string().optional(),
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN').optional(),
});

const serviceConnectService = z.strictObject({
  portName: z.string().min(1).meta({ description: 'The `name` of a port mapping of the task definition.' }),
  discoveryName: z.string().min(1).optional(),
  clientAliases: z
    .array(
      z.strictObject({
        port: z.number().int().min(1).max(65535),
        dnsName: z.string().min(1).optional(),
        testTrafficRules: z
          .strictObject({
            header: z.strictObject({ name: z.string().min(1), value: z.strictObject({ exact: z.string() }).optional() }),
          })
          .optional(),
      }),
    )
    .optional(),
  ingressPortOverride: z.number().int().min(1).max(65535).optional(),
  timeout: z.strictObject({ idleTimeoutSeconds: z.number().int().min(0).optional(), perRequestTimeoutSeconds: z.number().int().min(0).optional() }).optional(),
  tls: serviceConnectTls.optional(),
});

/** ECS Service Connect, as CreateService takes it (its logConfiguration as a container's). */
export function serviceConnectConfiguration<L extends z.ZodType>(logConfiguration: L) {
  return z
    .strictObject({
      enabled: z.boolean(),
      namespace: z.string().min(1).optional().meta({ description: 'The Cloud Map namespace (name or ARN); default: the cluster\'s.' }),
      services: z.array(serviceConnectService).optional(),
      logConfiguration: logConfiguration.optional(),
      accessLogConfiguration: z
        .strictObject({ format: z.enum(['TEXT', 'JSON']), includeQueryParameters: z.enum(['ENABLED', 'DISABLED']).optional() })
        .optional(),
    })
    .meta({ description: 'ECS Service Connect: the names this service is reached by, and the namespace it reaches others in.' });
}

export const serviceRegistry = z.strictObject({
  registryArn: z.string().regex(/^arn:aws[a-z-]*:servicediscovery:/, 'expected an AWS Cloud Map service ARN'),
  port: z.number().int().min(1).max(65535).optional(),
  containerName: awsName.optional(),
  containerPort: z.number().int().min(1).max(65535).optional(),
});

export const volumeConfiguration = z.strictObject({
  name: awsName.meta({ description: 'A volume of the task definition with configuredAtLaunch: true.' }),
  managedEBSVolume: z.strictObject({
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN (the ECS infrastructure role)'),
    encrypted: z.boolean().optional(),
    kmsKeyId: z.string().optional(),
    volumeType: z.enum(['gp2', 'gp3', 'io1', 'io2', 'sc1', 'st1', 'standard']).optional(),
    sizeInGiB: z.number().int().min(1).max(65536).optional(),
    snapshotId: z.string().regex(/^snap-[0-9a-f]+$/, 'expected an EBS snapshot id (snap-...)').optional(),
    volumeInitializationRate: z.number().int().optional(),
    iops: z.number().int().optional(),
    throughput: z.number().int().optional(),
    tagSpecifications: z
      .array(
        z.strictObject({
          resourceType: z.literal('volume'),
          tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
          propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']).optional(),
        }),
      )
      .optional(),
    filesystemType: z.enum(['ext3', 'ext4', 'xfs']).optional(),
  }),
});

/** Service fields of CreateService that do not apply to Fargate, with why. */
export const SERVICE_NOT_ON_FARGATE = {
  launchType: notOnFargate('steady runs services with the FARGATE launch type; use capacityProviderStrategy for Fargate Spot'),
  placementConstraints: notOnFargate('placement constraints choose EC2 instances'),
  placementStrategy: notOnFargate('placement strategies choose EC2 instances'),
  schedulingStrategy: notOnFargate('DAEMON services run on EC2 instances; Fargate services are REPLICA'),
  role: notOnFargate('with the awsvpc network mode ECS uses its service-linked role'),
};
