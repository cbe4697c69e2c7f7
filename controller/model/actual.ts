/**
 * ActualState: what one pass saw of one environment in AWS. Produced by observe/, consumed by the
 * pure planner.
 *
 * Every lookup map distinguishes three answers, because the safety rules depend on it:
 * - key present with a value: the thing exists and this is what it looks like;
 * - key present with `null`: AWS said it does not exist;
 * - key absent: it could not be read this pass (see `unreadable` for why). The planner never
 *   plans a change that depends on something it could not read.
 */
import type { AwsCause } from './causes.js';
import type {
  CodeDeployDeployment,
  CodeDeployDeploymentGroup,
  Distribution,
  DistributionDetail,
  EcsCluster,
  EcsService,
  EcsTask,
  EcsTaskDefinition,
  HostedZone,
  Listener,
  ListenerRule,
  LoadBalancer,
  RecordSet,
  ScheduleGroup,
  SchedulerSchedule,
  Tags,
  TargetGroup,
} from './aws.js';

/** How an image URI of a spec resolved in ECR. */
export type ImageResolution =
  /** An ECR image: `pinned` is `<repository URI>@sha256:...`. */
  | { kind: 'pinned'; digest: string; pinned: string }
  /** Not an ECR image (Docker Hub, public registries): used as written, cannot be pinned. */
  | { kind: 'unpinnable' }
  /** ECR answered that the repository or image does not exist. */
  | { kind: 'notFound'; awsName: string; message: string };

/** A described task-definition revision together with its (mutable) tags. */
export interface TaggedTaskDefinition extends EcsTaskDefinition {
  tags: Tags;
}

/** What AWS says about one Migration. */
export interface ObservedMigration {
  /** Latest ACTIVE revision of the migration's own family, with tags; null when none exists. */
  latest: TaggedTaskDefinition | null;
  /** Tasks started for the version recorded on `latest` (by their startedBy), newest first. */
  tasks: EcsTask[];
}

/** What AWS says about one ScheduledTask. */
export interface ObservedScheduledTask {
  /** The schedule (GetSchedule); null when it does not exist. */
  schedule: SchedulerSchedule | null;
  /** Latest ACTIVE revision of the task's own family, with tags (the last run's record); null when none exists. */
  latest: TaggedTaskDefinition | null;
  /** Tasks the schedule started that ECS still knows (running, or stopped within the hour), newest first; undefined when not read. */
  runs?: EcsTask[];
}

/** What AWS says about the CodeDeploy side of one blue/green Service. */
export interface ObservedBlueGreen {
  /** The deployment group; null when CodeDeploy says it, or its application, does not exist. */
  group: CodeDeployDeploymentGroup | null;
  /** Why `group` is null: CodeDeploy's error name and message. */
  missing?: { awsName: string; message: string };
  /**
   * The group's production and test listeners by ARN, looked up among the listeners of its target
   * groups' load balancers; null when none of them has it.
   */
  listeners: Record<string, Listener | null>;
  /** The group's deployments that have not finished (Created, Queued, InProgress, Baking, Ready), newest first. */
  active: CodeDeployDeployment[];
  /**
   * The deployment the service's `steady:codedeploy` tag names, read when it is not active and
   * production does not run its revision (did it fail?); null when CodeDeploy no longer knows it.
   */
  recorded?: CodeDeployDeployment | null;
}

/** What AWS says about the entry points one Maintenance switches. Absent fields were not read (see `unreadable`). */
export interface ObservedMaintenance {
  /** The distribution with its configuration and tags; null when it does not exist. */
  distribution?: DistributionDetail | null;
  /** The load balancer; null when it does not exist. */
  loadBalancer?: LoadBalancer | null;
  /** The listener on the spec's port (and protocol); null when the load balancer has none. */
  listener?: Listener | null;
  /** The listener's rules, the default rule last; fixed-response rules carry their tags. */
  rules?: ListenerRule[];
}

/** A hosted zone with all its record sets. */
export interface ObservedZone {
  zone: HostedZone;
  records: RecordSet[];
}

const recordIndexes = new WeakMap<RecordSet[], { simple: Map<string, RecordSet>; any: Map<string, RecordSet> }>();

/**
 * The record set of `name` and `type` without a routing set identifier (a simple record), or with
 * `anySet` the first of that name and type, from an index built once per record list: finding each
 * alias's record stays linear in the zone's size. The list must not change after the first lookup.
 */
export function findRecord(zone: ObservedZone, name: string, type: string, options: { anySet?: boolean } = {}): RecordSet | undefined {
  let index = recordIndexes.get(zone.records);
  if (!index) {
    index = { simple: new Map(), any: new Map() };
    for (const r of zone.records) {
      const key = `${r.type} ${r.name}`;
      if (!index.any.has(key)) index.any.set(key, r);
      if (!r.setIdentifier && !index.simple.has(key)) index.simple.set(key, r);
    }
    recordIndexes.set(zone.records, index);
  }
  return (options.anySet ? index.any : index.simple).get(`${type} ${name}`);
}

/** Something observe could not read, and which resources depend on it. */
export interface Unreadable {
  /** What was being read, e.g. `load balancer shop-api-alb`. */
  what: string;
  /** Resource keys (`Service/api`) whose planning depends on it. */
  affects: string[];
  awsName: string;
  message: string;
  transient: boolean;
  /** Why it could not be read, classified (no credentials, unreachable, access denied, ...); observe always sets it. */
  cause?: AwsCause;
}

export interface ActualState {
  environment: string;
  /** When observe finished (epoch ms). */
  observedAt: number;
  /** The environment's ECS cluster. */
  cluster?: EcsCluster | null;
  /** Image URI as written in a spec -> resolution. */
  images: Record<string, ImageResolution>;
  /** ECS service name -> service (null: missing or INACTIVE). */
  services: Record<string, EcsService | null>;
  /** Task-definition ARN -> described revision (content is immutable, so these are cached). */
  taskDefinitions: Record<string, EcsTaskDefinition>;
  /**
   * Family -> ARNs of ACTIVE revisions, newest first, read only for families whose service does
   * not already run the desired content (to find an existing matching revision). All of them are
   * described in `taskDefinitions`.
   */
  familyRevisions: Record<string, string[]>;
  /** Target-group name -> target group. */
  targetGroups: Record<string, TargetGroup | null>;
  /** Load-balancer name -> load balancer. */
  loadBalancers: Record<string, LoadBalancer | null>;
  /** CloudFront distribution id -> distribution. */
  distributions: Record<string, Distribution | null>;
  /** Zone key (the spec's `zoneId` if given, else the zone name) -> zone and its records. */
  zones: Record<string, ObservedZone | null>;
  /** Migration name -> what AWS says about it. */
  migrations: Record<string, ObservedMigration>;
  /** Service spec name -> its CodeDeploy setup (blue/green services only). */
  blueGreen: Record<string, ObservedBlueGreen>;
  /** ScheduledTask name -> what AWS says about it. */
  scheduledTasks: Record<string, ObservedScheduledTask>;
  /** Schedule group name -> the group (null: does not exist). */
  scheduleGroups: Record<string, ScheduleGroup | null>;
  /** Maintenance name -> its distribution and listener as observed. */
  maintenance: Record<string, ObservedMaintenance>;
  unreadable: Unreadable[];
}

/** An ActualState with nothing in it, to be filled by observe (or by tests). */
export function emptyActualState(environment: string, observedAt: number): ActualState {
  return {
    environment,
    observedAt,
    images: {},
    services: {},
    taskDefinitions: {},
    familyRevisions: {},
    targetGroups: {},
    loadBalancers: {},
    distributions: {},
    zones: {},
    migrations: {},
    blueGreen: {},
    scheduledTasks: {},
    scheduleGroups: {},
    maintenance: {},
    unreadable: [],
  };
}
