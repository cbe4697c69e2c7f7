/**
 * The plan: what steady will do to one environment, as plain data. Made by the pure planner,
 * executed by converge, rendered by reports. Pure types only.
 */
import type { RepairBlock, UnreadItem } from './outcome.js';
import type { EcsLoadBalancerBinding, EcsNetwork, RecordChange, ScheduleSettings, Tags } from './aws.js';
import type { DeploymentAlarms, EcsServiceExtras } from './service-settings.js';
import type { TaskDefinitionContent } from './taskdef.js';
import type { AliasRecordDoc, EnvironmentDoc, MaintenanceCloudFrontSpec, MaintenanceDoc, MigrationDoc, ScheduledTaskDoc, ServiceDoc } from '../spec/schema.js';
import type { DistributionRestore, MaintenanceRule, MaintenanceState } from './maintenance.js';
import type { WiringChain } from './wiring.js';

/** The specs of one environment, as the loader hands them over. */
export interface DesiredEnvironment {
  name: string;
  environment: EnvironmentDoc;
  services: ServiceDoc[];
  migrations: MigrationDoc[];
  scheduledTasks: ScheduledTaskDoc[];
  aliases: AliasRecordDoc[];
  /** Maintenance pages (at most a few per environment); absent in desired states built before the kind existed. */
  maintenance?: MaintenanceDoc[];
}

/** One field that differs: `path` in spec terms, values rendered for people. */
export interface FieldDiff {
  path: string;
  before: string | undefined;
  after: string | undefined;
  /** The value as the spec writes it, when `after` is its resolved form (an image tag pinned to its digest). */
  specValue?: string;
}

/** A task-definition revision: known already, or the one another action of the plan registers. */
export type TaskDefinitionRef = { arn: string } | { registeredBy: string };

interface ActionBase {
  /** Unique within the plan, e.g. `register:Service/api`. */
  id: string;
  /** The resource this action serves, `Kind/name`. */
  resource: string;
  /** One line for people: `update service api: task definition shop-api:7 -> shop-api:8`. */
  summary: string;
  /** The field-level reason. */
  diff: FieldDiff[];
  /** Actions that must succeed first (registration before rollout, migration before rollout). */
  dependsOn: string[];
}

export interface RegisterTaskDefinitionAction extends ActionBase {
  kind: 'RegisterTaskDefinition';
  content: TaskDefinitionContent;
  tags: Tags;
}

/**
 * The ECS service settings steady manages, as CreateService/UpdateService take them. Those of
 * `EcsServiceExtras` and `deploymentAlarms` are set only when the spec names them: a setting the spec
 * leaves out is one steady has no opinion on, and never changes.
 */
export interface ServiceSettings extends EcsServiceExtras {
  desiredCount?: number;
  loadBalancers?: EcsLoadBalancerBinding[];
  network?: EcsNetwork;
  platformVersion?: string;
  healthCheckGracePeriodSeconds?: number;
  deploymentConfiguration?: {
    minimumHealthyPercent: number;
    maximumPercent: number;
    circuitBreaker: { enable: boolean; rollback: boolean };
    /** On UpdateService: the alarms, when the spec names them or they are carried over. */
    alarms?: DeploymentAlarms;
    /** On UpdateService: the fields of the service's deploymentConfiguration steady does not own, carried over as observed. */
    unmodelled?: Record<string, unknown>;
  };
  /** `deploymentConfiguration.alarms`, compared on its own: steady owns the alarms only when the spec names them. */
  deploymentAlarms?: DeploymentAlarms;
}

export interface CreateServiceAction extends ActionBase {
  kind: 'CreateService';
  cluster: string;
  serviceName: string;
  taskDefinition: TaskDefinitionRef;
  /** `contentFingerprint` of the revision's content, remembered in the `steady:content` tag. */
  contentFingerprint?: string;
  settings: ServiceSettings & { desiredCount: number; network: EcsNetwork };
  deploymentController: 'ECS' | 'CODE_DEPLOY';
  tags: Tags;
}

export interface UpdateServiceAction extends ActionBase {
  kind: 'UpdateService';
  cluster: string;
  serviceName: string;
  serviceArn: string;
  /** A new revision to roll out (starts a deployment); remembered in the `steady:rollout` tag. */
  taskDefinition?: TaskDefinitionRef;
  /** With `taskDefinition`: the fingerprint of its content, remembered in the `steady:content` tag. */
  contentFingerprint?: string;
  settings: ServiceSettings;
}

export interface TagResourceAction extends ActionBase {
  kind: 'TagResource';
  arn: string;
  tags: Tags;
  /** Why: adoption of an existing resource, or bookkeeping. */
  purpose: 'adopt' | 'record';
}

export interface RunMigrationAction extends ActionBase {
  kind: 'RunMigration';
  cluster: string;
  migration: string;
  version: string;
  attempt: number;
  taskDefinition: TaskDefinitionRef;
  container: string;
  command?: string[];
  network: EcsNetwork;
  startedBy: string;
  clientToken: string;
  timeoutSeconds: number;
}

/** Wait for a migration task started by an earlier pass, then record its outcome. */
export interface AwaitMigrationAction extends ActionBase {
  kind: 'AwaitMigration';
  cluster: string;
  migration: string;
  version: string;
  attempt: number;
  /** The container whose exit code decides the outcome. */
  container: string;
  taskArn: string;
  /** The migration family's revision whose tags record the outcome. */
  taskDefinitionArn: string;
  /** Deadline (epoch ms) after which the task is stopped and the migration fails. */
  deadline: number;
  /**
   * When the migration's timeout started counting (epoch ms): the task's own start, or, when the
   * endpoint gave none, steady's RunTask time (see {@link migrationStartedAt}).
   */
  startedAt?: number;
}

export interface ChangeRecordsAction extends ActionBase {
  kind: 'ChangeRecords';
  zoneId: string;
  zoneName: string;
  /** The alias change and its ownership TXT record, applied together. */
  changes: RecordChange[];
}

/**
 * Roll a revision of a blue/green service out through CodeDeploy: CreateDeployment with an AppSpec
 * naming the revision, then the deployment id is remembered in the service's `steady:codedeploy` tag.
 */
export interface CreateCodeDeployDeploymentAction extends ActionBase {
  kind: 'CreateCodeDeployDeployment';
  application: string;
  deploymentGroup: string;
  /** `deploymentConfigName`, e.g. `CodeDeployDefault.ECSAllAtOnce`. */
  deploymentConfig: string;
  cluster: string;
  serviceName: string;
  serviceArn: string;
  taskDefinition: TaskDefinitionRef;
  /** The container and port the load balancer sends traffic to (AppSpec `LoadBalancerInfo`). */
  containerName: string;
  containerPort: number;
  /** Carried in the AppSpec: a CODE_DEPLOY service takes its network and platform only from there. */
  network: EcsNetwork;
  platformVersion?: string;
  /** The revision production runs now (`family:revision`), for messages. */
  production: string;
}

/** Follow a CodeDeploy deployment steady started in an earlier pass, until it finishes or the pass must end. */
export interface AwaitCodeDeployDeploymentAction extends ActionBase {
  kind: 'AwaitCodeDeployDeployment';
  deploymentId: string;
  /** The revision it deploys, for messages (`messaging-api:5`). */
  revision: string;
  serviceArn: string;
  /** The revision production runs now (`family:revision`), for messages. */
  production: string;
  /** A `steady:codedeploy` value to write first, when the tag does not record this deployment yet. */
  recordTag?: string;
}

/** Create steady's schedule group of an environment, tagged as steady's. */
export interface CreateScheduleGroupAction extends ActionBase {
  kind: 'CreateScheduleGroup';
  group: string;
  tags: Tags;
}

/**
 * Create or update a ScheduledTask's schedule with steady's settings. The target's task-definition
 * ARN in `settings` is replaced by `taskDefinition` once known (a revision this plan registers).
 */
export interface ScheduleAction extends ActionBase {
  kind: 'CreateSchedule' | 'UpdateSchedule';
  group: string;
  name: string;
  settings: ScheduleSettings;
  taskDefinition: TaskDefinitionRef;
}

/**
 * Switch a CloudFront distribution to its maintenance page (`on`) or back (`off`). The change is
 * worked out again by the executor on the configuration it reads just before the update (the
 * restore record written to the distribution's tags first); the plan's diff is what it saw when
 * it looked.
 */
export interface SwitchDistributionAction extends ActionBase {
  kind: 'SwitchDistribution';
  mode: 'on' | 'off';
  distributionId: string;
  arn: string;
  cloudFront: MaintenanceCloudFrontSpec;
  /** `on`: the `steady:maintenance` marker to write. */
  marker?: string;
  /** `on`: the record of an earlier switch, kept as it is; `off`: the record to put back. */
  restore?: DistributionRestore;
  /** The distribution's tags when observed (old restore parts are removed). */
  tags: Tags;
}

/** Create the fixed-response rule a Maintenance owns on an ALB listener, tagged as steady's. */
export interface CreateMaintenanceRuleAction extends ActionBase {
  kind: 'CreateMaintenanceRule';
  listenerArn: string;
  /** `HTTPS:443 of shop-api-alb`, for messages. */
  listener: string;
  rule: MaintenanceRule;
  tags: Tags;
}

/** Delete the maintenance rule (maintenance is over). */
export interface DeleteMaintenanceRuleAction extends ActionBase {
  kind: 'DeleteMaintenanceRule';
  ruleArn: string;
  listener: string;
  priority: string;
}

export type Action =
  | RegisterTaskDefinitionAction
  | CreateServiceAction
  | UpdateServiceAction
  | TagResourceAction
  | RunMigrationAction
  | AwaitMigrationAction
  | ChangeRecordsAction
  | CreateCodeDeployDeploymentAction
  | AwaitCodeDeployDeploymentAction
  | CreateScheduleGroupAction
  | ScheduleAction
  | SwitchDistributionAction
  | CreateMaintenanceRuleAction
  | DeleteMaintenanceRuleAction;

export type ActionKind = Action['kind'];

/** Where a resource stands, in the vocabulary of Kubernetes conditions. */
export type Phase = 'Synced' | 'Drifted' | 'Progressing' | 'Blocked' | 'Failed';

export interface ResourceStatus {
  /** `Kind/name` */
  resource: string;
  /** `Wiring` statuses say whether the chain from a Service's public name to its containers holds (wiring checks). */
  kind: 'Service' | 'Migration' | 'ScheduledTask' | 'AliasRecord' | 'Maintenance' | 'Wiring';
  name: string;
  phase: Phase;
  /** A CamelCase reason code: `UpToDate`, `ImageNotFound`, `Conflict`, `MigrationFailed`, ... */
  reason: string;
  /** A sentence for people: what is wrong and, when a person must act, what to do. */
  message: string;
  /** What differs between the spec and AWS (empty when Synced). */
  diff: FieldDiff[];
  /** Hash of the resource's spec: the observedGeneration of this status. */
  specHash: string;
  /** Things worth saying that change nothing (an externally owned image that differs). */
  notes?: string[];
  /** What keeps steady from repairing it, when a status says so itself (wiring statuses); see model/outcome.ts. */
  blockedBy?: RepairBlock;
  /** What could not be read for it, and why (wiring statuses); see model/outcome.ts. */
  unread?: UnreadItem[];
  /** On a `Wiring` status: the chain it was judged on, link by link with the evidence (the status page draws it). */
  wiring?: WiringChain;
  /** On a `Maintenance` status: on or off, who turned it on, why, since and until when (in place when the phase is Synced). */
  maintenance?: MaintenanceState;
}

/** The safety policy a plan is made under (Environment spec + command-line flags). */
export interface Policy {
  mode: 'enforce' | 'observe';
  /** `--dry-run`: plan and report, change nothing (like observe, for one pass). */
  dryRun: boolean;
  /** Most resources one pass may change. */
  changeBudget: number;
  /** Over the budget, create new resources a budget at a time instead of holding everything (Environment `stepwiseCreation`). */
  stepwiseCreation?: boolean;
  /** Now (epoch ms), for deadlines. */
  now: number;
}

export interface Plan {
  environment: string;
  policy: Policy;
  /** In an order that respects `dependsOn`. */
  actions: Action[];
  /** One per spec resource. */
  resources: ResourceStatus[];
  /**
   * Resources the plan changes, against the budget. `deferred`: new resources left to later passes
   * (stepwise creation), whose actions are not in the plan.
   */
  budget: { limit: number; used: number; exceeded: boolean; deferred?: number };
  /** True when nothing may be executed (observe mode, dry run or budget exceeded). */
  holdAll: boolean;
}

/** steady's ownership tags. */
export const TAG_MANAGED_BY = 'steady:managed-by';
export const TAG_ENVIRONMENT = 'steady:environment';
export const TAG_RESOURCE = 'steady:resource';
/** On a service: the revision steady last rolled out and when (`<arn>@<epoch ms>`). */
export const TAG_ROLLOUT = 'steady:rollout';
/**
 * On a service, beside `steady:rollout`: the fingerprint of that revision's content
 * (`contentFingerprint`). A cold start compares it with the spec's content instead of describing
 * the revision the service runs, when that is the one steady rolled out.
 */
export const TAG_CONTENT = 'steady:content';
/**
 * On a blue/green service: the CodeDeploy deployment steady last created and the revision it
 * deploys (`<deployment id>@<task definition arn>`). A failed or stopped one is not repeated for
 * that revision; `steady retry` removes this tag.
 */
export const TAG_CODEDEPLOY = 'steady:codedeploy';
/** On a migration revision: the migration version it was registered for. */
export const TAG_MIGRATION_VERSION = 'steady:migration-version';
/** On a migration revision: `succeeded` or `failed: <why>`. */
export const TAG_MIGRATION_RESULT = 'steady:migration-result';
/** On a migration revision: retry counter, part of the RunTask client token. */
export const TAG_MIGRATION_ATTEMPT = 'steady:migration-attempt';
/**
 * On a migration revision, only when ECS (or the endpoint steady talks to) answered RunTask without
 * the task's `createdAt`: `<attempt>@<epoch ms of steady's RunTask>`, so the timeout of that run is
 * counted from when steady started it, by whichever pass waits for it.
 */
export const TAG_MIGRATION_STARTED = 'steady:migration-started';

/**
 * When a migration task's timeout starts: the task's own start or creation time, else the time
 * steady recorded at RunTask for this attempt (`steady:migration-started`).
 */
export function migrationStartedAt(task: { startedAt?: number; createdAt?: number }, revisionTags: Tags, attempt: number): number | undefined {
  if (task.startedAt !== undefined) return task.startedAt;
  if (task.createdAt !== undefined) return task.createdAt;
  const m = /^(\d+)@(\d+)$/.exec(revisionTags[TAG_MIGRATION_STARTED] ?? '');
  return m && Number(m[1]) === attempt ? Number(m[2]) : undefined;
}

/**
 * On a ScheduledTask's latest task-definition revision: how its last run ended, written once a pass
 * has seen it (ECS forgets stopped tasks after an hour): `fire=<ISO time> result=<succeeded|failed|missed>`
 * and, for a run that started, `task=<id> exit=<code> stop=<stop code> seconds=<duration>`.
 */
export const TAG_LAST_RUN = 'steady:last-run';

export function ownershipTags(environment: string, resource: string): Tags {
  return { [TAG_MANAGED_BY]: 'steady', [TAG_ENVIRONMENT]: environment, [TAG_RESOURCE]: resource };
}
