/**
 * AWS resources as steady's adapters return them: normalised, SDK-free, the same shapes whatever
 * answered (real AWS, LocalStack, the simulated account). The planner only ever sees these.
 *
 * Normalisation rules: DNS names lower-case without the trailing dot and with Route 53's octal
 * escapes decoded (`\052` -> `*`); hosted-zone and change ids without their `/hostedzone/` or
 * `/change/` prefix; times as epoch milliseconds; tags as plain records.
 */
import type { DeploymentAlarms, EcsServiceExtras } from './service-settings.js';
import type { TaskDefinitionContent } from './taskdef.js';

export type Tags = Record<string, string>;

// ------------------------------------------------------------------------------------------- ECS

export interface EcsCluster {
  arn: string;
  name: string;
  status: string;
  tags: Tags;
}

export interface EcsDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  createdAt: number;
  updatedAt: number;
}

export interface EcsLoadBalancerBinding {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface EcsNetwork {
  subnets: string[]; // sorted
  securityGroups: string[]; // sorted
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

/**
 * An ECS service. The settings of `EcsServiceExtras` (ECS Exec, capacity providers, tag propagation,
 * Service Connect, ...) are in canonical form with ECS's defaults filled (`model/service-settings.ts`);
 * Service Connect and EBS volumes are the PRIMARY deployment's, where DescribeServices reports them.
 */
export interface EcsService extends EcsServiceExtras {
  arn: string;
  name: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  launchType?: string;
  platformVersion?: string;
  deploymentController: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  /** Newest first, as ECS lists them; the PRIMARY one is what the service is moving to. */
  deployments: EcsDeployment[];
  loadBalancers: EcsLoadBalancerBinding[]; // sorted by targetGroupArn
  network?: EcsNetwork;
  deploymentConfiguration: {
    minimumHealthyPercent?: number;
    maximumPercent?: number;
    circuitBreaker?: { enable: boolean; rollback: boolean };
    /** CloudWatch alarms that fail a deployment, canonical (alarm names sorted). */
    alarms?: DeploymentAlarms;
    /**
     * The rest of ECS's `deploymentConfiguration`, which steady does not model (`strategy`,
     * `bakeTimeInMinutes`, `lifecycleHooks`, ...), as ECS returned it. UpdateService replaces the
     * object whole, so this is sent back with it (`model/carryover.ts`).
     */
    unmodelled?: Record<string, unknown>;
  };
  healthCheckGracePeriodSeconds?: number;
  /** Task sets, for CODE_DEPLOY / EXTERNAL controllers (PRIMARY serves production traffic). */
  taskSets?: { id: string; status: string; taskDefinitionArn: string; externalId?: string }[];
  tags: Tags;
  /** Latest service events, newest first (ECS returns up to 100). */
  events: { createdAt: number; message: string }[];
  createdAt: number;
}

export interface EcsTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  content: TaskDefinitionContent;
  registeredAt?: number;
  /** Present only when asked for (tags change; content never does). */
  tags?: Tags;
}

export interface EcsTaskContainer {
  name: string;
  image?: string;
  imageDigest?: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
}

export interface EcsTask {
  arn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  startedBy?: string;
  group?: string;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** The task's private IPv4 address (awsvpc ENI), when it has one. */
  privateIp?: string;
  /** RunTask's command overrides, by container name. */
  commandOverrides?: Record<string, string[]>;
  containers: EcsTaskContainer[];
  tags: Tags;
}

// ------------------------------------------------------------------------------------------- ECR

/** An image URI taken apart. Only ECR URIs have registryId/region/repository. */
export interface ImageRef {
  uri: string;
  /** Set for ECR URIs (`<acct>.dkr.ecr.<region>.amazonaws.com/<repo>`). */
  ecr?: { registryId: string; region: string; repository: string };
  /** Everything before the tag/digest (`registry/repo`). */
  name: string;
  tag?: string;
  digest?: string;
}

export interface EcrImage {
  repository: string;
  registryId: string;
  digest: string;
  tags: string[];
  pushedAt?: number;
}

// ------------------------------------------------------------------------------------ Load balancing

export interface LoadBalancer {
  arn: string;
  name: string;
  /** Lower-case, no trailing dot. */
  dnsName: string;
  canonicalHostedZoneId: string;
  type: 'application' | 'network' | 'gateway';
  scheme: 'internet-facing' | 'internal';
  state: 'provisioning' | 'active' | 'active_impaired' | 'failed';
  vpcId?: string;
  createdAt?: number;
}

export interface TargetGroup {
  arn: string;
  name: string;
  protocol?: string;
  port?: number;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  loadBalancerArns: string[];
  /** A target group only serves load balancers in its own VPC. */
  vpcId?: string;
  healthCheckPath?: string;
  healthCheckPort?: string;
  healthCheckProtocol?: string;
  matcher?: string;
}

export interface ForwardAction {
  type: string;
  /** Target groups the action forwards to, with weights (a plain forward is one group, weight 1). */
  targetGroups: { arn: string; weight: number }[];
  /** What a `fixed-response` action answers (a maintenance rule, say). */
  fixedResponse?: { statusCode: string; contentType?: string; messageBody?: string };
}

export interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  certificateArns: string[];
  sslPolicy?: string;
  defaultActions: ForwardAction[];
}

export interface ListenerRule {
  arn: string;
  priority: string; // "default" for the default rule
  isDefault: boolean;
  conditions: { field: string; values: string[] }[];
  actions: ForwardAction[];
  /** Present only when asked for (DescribeTags). */
  tags?: Tags;
}

export interface TargetHealth {
  id: string;
  port?: number;
  state: 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable' | 'unhealthy.draining';
  reason?: string;
  description?: string;
}

// -------------------------------------------------------------------------------------- Route 53

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** Lower-case, no trailing dot. */
  name: string;
  private: boolean;
  recordCount?: number;
}

export interface AliasTarget {
  /** Lower-case, no trailing dot, exactly as stored (a `dualstack.` prefix is kept here). */
  dnsName: string;
  hostedZoneId: string;
  evaluateTargetHealth: boolean;
}

export interface RecordSet {
  /** Lower-case, no trailing dot, octal escapes decoded (`*.example.com`). */
  name: string;
  type: string;
  ttl?: number;
  values?: string[];
  alias?: AliasTarget;
  setIdentifier?: string;
}

export interface RecordChange {
  action: 'CREATE' | 'UPSERT' | 'DELETE';
  record: RecordSet;
}

export interface ChangeInfo {
  /** Without the `/change/` prefix. */
  id: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: number;
}

/**
 * A DNS name as steady compares it: Route 53's `\ooo` octal escapes decoded (`\052` -> `*`),
 * lower-case, without the trailing dot.
 *
 * @example
 * normaliseDnsName('\\052.Example.COM.') // '*.example.com'
 */
export function normaliseDnsName(name: string): string {
  return name
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, '');
}

/** Compares alias DNS names as Route 53 treats them: case-insensitive, `dualstack.` optional. */
export function sameAliasDnsName(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');
  return norm(a) === norm(b);
}

// ------------------------------------------------------------------------------------ CloudFront

export interface Distribution {
  id: string;
  /** e.g. d111111abcdef8.cloudfront.net */
  domainName: string;
  status: string;
  enabled: boolean;
  aliases: string[];
}

/** A distribution with what maintenance needs: its whole configuration (and its ETag) and its tags. */
export interface DistributionDetail extends Distribution {
  arn: string;
  /** The ETag of `config`: UpdateDistribution's `IfMatch`. */
  etag: string;
  /** The DistributionConfig as CloudFront returned it (JSON, fields steady does not model included). */
  config: Record<string, any>;
  tags: Tags;
}

/** Every CloudFront distribution's alias target zone (AWS documents this fixed id). */
export const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

// ------------------------------------------------------------------------------------ CodeDeploy

/** A CodeDeploy deployment's status, as CodeDeploy spells it. */
export type CodeDeployStatus = 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';

/** Statuses after which a deployment changes nothing more. */
export const CODEDEPLOY_FINISHED: readonly CodeDeployStatus[] = ['Succeeded', 'Failed', 'Stopped'];

/** A CodeDeploy deployment group of an ECS blue/green service. */
export interface CodeDeployDeploymentGroup {
  application: string;
  name: string;
  /** `ECS` for ECS services (`Server`, `Lambda` otherwise). */
  computePlatform: string;
  deploymentConfigName: string;
  /** The ECS services the group deploys (ECS allows one). */
  ecsServices: { serviceName: string; clusterName: string }[];
  /** The target-group pair by name (blue and green, in the group's order); empty when none is set. */
  targetGroups: string[];
  /** Listener ARNs that carry production traffic. */
  prodListenerArns: string[];
  /** Listener ARNs of the test route (may be empty). */
  testListenerArns: string[];
  /** How many target-group pairs the group has (CodeDeploy allows one for ECS). */
  targetGroupPairs: number;
}

/** One CodeDeploy deployment, as GetDeployment reports it. */
export interface CodeDeployDeployment {
  id: string;
  application: string;
  deploymentGroup: string;
  status: CodeDeployStatus;
  /** `user`, `codeDeployRollback`, `CloudFormation`, ... */
  creator?: string;
  description?: string;
  deploymentConfigName?: string;
  /** Why it failed or stopped: CodeDeploy's error code and message. */
  error?: { code?: string; message?: string };
  /** Set when CodeDeploy rolled it back, or when it is itself a rollback. */
  rollback?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; message?: string };
  /** sha256 of the AppSpec content (CodeDeploy never returns the content itself). */
  appSpecSha256?: string;
  createdAt?: number;
  completedAt?: number;
}

// ------------------------------------------------------------------------------ EventBridge Scheduler

/** A schedule group (groups can be tagged; schedules cannot). */
export interface ScheduleGroup {
  arn: string;
  name: string;
  state: string;
  tags: Tags;
}

/** What an ECS RunTask target of a schedule runs. */
export interface ScheduleEcsTarget {
  taskDefinitionArn: string;
  taskCount: number;
  /** Absent when the target uses a capacity provider strategy instead. */
  launchType?: string;
  /** True when the target names a capacity provider strategy (steady then leaves the launch alone). */
  capacityProviderStrategy?: boolean;
  network?: EcsNetwork;
  platformVersion?: string;
  /** The tags RunTask puts on each task (Scheduler's list of one-entry maps, as one record). */
  tags: Tags;
}

/**
 * The parts of a schedule steady decides (everything else a schedule has is carried over when
 * steady updates it): when, in which time zone, enabled or not, its description (steady's
 * ownership marker), its window and its target.
 */
export interface ScheduleSettings {
  expression: string;
  /** IANA name; Scheduler's default `UTC` when the schedule has none. */
  timezone: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  /** Minutes of the FLEXIBLE window; absent: OFF. */
  flexibleWindowMinutes?: number;
  target: {
    /** The ECS cluster's ARN for a RunTask target. */
    arn: string;
    roleArn: string;
    retryPolicy: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
    deadLetterArn?: string;
    ecs?: ScheduleEcsTarget;
  };
}

/** An EventBridge Scheduler schedule as GetSchedule describes it. */
export interface SchedulerSchedule extends ScheduleSettings {
  arn: string;
  name: string;
  group: string;
  startDate?: number;
  endDate?: number;
  createdAt: number;
  modifiedAt: number;
}
