import { createHash } from 'node:crypto';
import {
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  InvalidParameterException,
  ResourceNotFoundException,
  ServiceNotActiveException,
  ServiceNotFoundException,
  type CapacityProviderStrategyItem,
  type Cluster,
  type CreateServiceCommandInput,
  type RunTaskCommandInput,
  type UpdateServiceCommandInput,
  type ContainerDefinition,
  type ContainerOverride,
  type Deployment,
  type DeploymentConfiguration,
  type Failure,
  type LoadBalancer,
  type NetworkConfiguration,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type ServiceConnectConfiguration,
  type ServiceRegistry,
  type ServiceVolumeConfiguration,
  type Tag,
  type Task,
  type TaskDefinition,
  type TaskOverride,
  type TaskSet,
} from '@aws-sdk/client-ecs';
import { parseImageUri } from '../model/image.js';
import { stableJson } from '../model/taskdef.js';
import type { SimAccount, SimService } from './account.js';
import { awsError } from './errors.js';
import { page } from './paging.js';

// ============================================================================================
// Public types: fixtures, scenario helpers, timing

/**
 * A task definition in a fixture: RegisterTaskDefinition's own input (every field it takes), with
 * Fargate defaults so a fixture stays short (cpu `256`, memory `512`, `awsvpc`, `FARGATE`).
 */
export type EcsTaskDefinitionFixture = Omit<RegisterTaskDefinitionCommandInput, 'tags' | 'family' | 'containerDefinitions' | 'cpu' | 'memory' | 'networkMode' | 'requiresCompatibilities' | 'runtimePlatform'> & {
  family: string;
  containerDefinitions: ContainerDefinition[];
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities?: string[];
  runtimePlatform?: { cpuArchitecture?: 'X86_64' | 'ARM64'; operatingSystemFamily?: string };
  tags?: Record<string, string>;
  /** `INACTIVE`: deregistered right after it is registered. */
  status?: 'ACTIVE' | 'INACTIVE';
};

/** A service in a fixture. It starts in steady state: one COMPLETED deployment, tasks RUNNING. */
export interface EcsServiceFixture {
  name: string;
  cluster: string;
  /** `family:revision`, `family` (latest ACTIVE) or an ARN. */
  taskDefinition: string;
  desiredCount?: number;
  /** Defaults to one made-up subnet, no security groups, no public IP. */
  network?: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: 'ENABLED' | 'DISABLED' };
  /** The target group by NAME, looked up in the simulated ELBv2 when the fixture is applied. */
  loadBalancer?: { targetGroup: string; containerName: string; containerPort: number };
  deploymentController?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  circuitBreaker?: { enable: boolean; rollback: boolean };
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  /** CloudWatch alarms that fail (and roll back) a deployment: `deploymentConfiguration.alarms`. */
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean };
  healthCheckGracePeriodSeconds?: number;
  platformVersion?: string;
  tags?: Record<string, string>;
  /**
   * Any other CreateService input, as ECS takes it: `enableExecuteCommand`, `capacityProviderStrategy`
   * (instead of the FARGATE launch type), `propagateTags`, `serviceConnectConfiguration`, ...
   */
  settings?: Omit<CreateServiceCommandInput, 'cluster' | 'serviceName' | 'taskDefinition' | 'desiredCount' | 'loadBalancers' | 'networkConfiguration' | 'tags'>;
}

/** A cluster in a fixture: a name, or a name with tags and capacity providers (default FARGATE and FARGATE_SPOT, as the console sets up). */
export type EcsClusterFixture = string | { name: string; tags?: Record<string, string>; capacityProviders?: string[] };

/**
 * Starting state of the simulated ECS. Task definitions are registered in the order listed, so
 * listing a family three times gives revisions 1-3 (and a service may run revision 2).
 *
 * @example
 * // YAML
 * ecs:
 *   clusters: [shop-prod]
 *   taskDefinitions:
 *     - family: shop-api
 *       containerDefinitions:
 *         - { name: app, image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:v1, portMappings: [{ containerPort: 8000 }] }
 *   services:
 *     - { name: api, cluster: shop-prod, taskDefinition: "shop-api:1", desiredCount: 2,
 *         loadBalancer: { targetGroup: shop-api-tg, containerName: app, containerPort: 8000 } }
 */
export interface EcsFixture {
  clusters?: EcsClusterFixture[];
  taskDefinitions?: EcsTaskDefinitionFixture[];
  services?: EcsServiceFixture[];
  /**
   * How one-off tasks (RunTask: migrations) end, as `setTaskOutcome` sets it:
   * `[{ family: web-web-migrate, exitCode: 1 }]`. `command` is matched as a regular expression on
   * the words joined by spaces.
   */
  taskOutcomes?: (Omit<TaskMatcher, 'command'> & { command?: string } & TaskOutcome)[];
}

/** Which one-off (RunTask) tasks an outcome applies to. Omitted fields match everything. */
export interface TaskMatcher {
  family?: string;
  container?: string;
  /** The container's effective command (override or task definition): exact, or a RegExp on the words joined by spaces. */
  command?: string[] | RegExp;
}

/** How a one-off task ends once RUNNING. */
export interface TaskOutcome {
  exitCode: number;
  /** Time from RUNNING to the container's exit; `timing.oneOffRunMs` when omitted. */
  runMs?: number;
}

/** Which tasks a failure mark applies to (any one field that matches is enough). */
export interface FailureMatcher {
  /** Task definition ARN, `family:revision`, or `family` (every revision). */
  taskDefinition?: string;
  /** Image URI exactly as written in the task definition. */
  image?: string;
  /** Resolved image digest. */
  imageDigest?: string;
}

/** How long each simulated step takes (ms of simulated time). Scenarios may change them. */
export interface EcsTiming {
  provisioningMs: number;
  pendingMs: number;
  activatingMs: number;
  /** Load-balanced tasks: from RUNNING to healthy in the target group. */
  healthyAfterMs: number;
  /** Tasks marked as failing health checks are stopped this long after RUNNING (or after the grace period, if longer). */
  unhealthyAfterMs: number;
  deactivatingMs: number;
  stoppingMs: number;
  deprovisioningMs: number;
  /** Run time of a one-off task without a matching outcome. */
  oneOffRunMs: number;
  /** STOPPED tasks are forgotten this long after they stopped (AWS keeps them at least an hour). */
  stoppedRetentionMs: number;
}

export const DEFAULT_ECS_TIMING: Readonly<EcsTiming> = {
  provisioningMs: 5_000,
  pendingMs: 5_000,
  activatingMs: 5_000,
  healthyAfterMs: 10_000,
  unhealthyAfterMs: 30_000,
  deactivatingMs: 5_000,
  stoppingMs: 5_000,
  deprovisioningMs: 5_000,
  oneOffRunMs: 20_000,
  stoppedRetentionMs: 3_600_000,
};

/** A service as a test inspects it (`EcsSim.serviceState`). */
export interface EcsServiceState {
  arn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition?: string;
  deployments: {
    id: string;
    status: string;
    taskDefinition: string;
    rolloutState: string;
    rolloutStateReason: string;
    failedTasks: number;
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
  }[];
  /** Tasks not yet STOPPED, oldest first. */
  tasks: { arn: string; lastStatus: string; desiredStatus: string; deploymentId: string; taskDefinition: string; images: { name: string; image: string; imageDigest?: string }[] }[];
  /** Event messages, newest first. */
  events: string[];
}

/** A CODE_DEPLOY service as the simulated CodeDeploy sees it (`EcsSim.codeDeployService`). */
export interface CodeDeployServiceView {
  arn: string;
  controller: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  desiredCount: number;
  network?: NetworkConfiguration;
  loadBalancers: LoadBalancer[];
  /** PRIMARY first. */
  taskSets: { id: string; status: 'PRIMARY' | 'ACTIVE'; taskDefinitionArn: string; targetGroupArns: string[]; ready: number; failedTasks: number }[];
}

// ============================================================================================
// Internal state

type Out<T> = Omit<T, '$metadata'>;
type Tags = Record<string, string>;
type Controller = 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';

interface SimCluster {
  arn: string;
  name: string;
  createdAt: number;
  tags: Tags;
  capacityProviders: string[];
  /** RunTask client tokens: token -> what the first call asked and got. */
  tokens: Map<string, { fingerprint: string; taskArns: string[]; at: number }>;
}

interface SimTaskDef {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  deregisteredAt?: number;
  /** The rendered definition minus arn/revision/status/timestamps. */
  body: TaskDefinition;
  tags: Tags;
}

interface SimDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDef: SimTaskDef;
  desiredCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  network?: NetworkConfiguration;
  launchType: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion: string;
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  volumeConfigurations?: ServiceVolumeConfiguration[];
  /** Container name -> digest, resolved once per deployment (ECS version consistency). */
  images: Map<string, string>;
  /** CODE_DEPLOY task sets: the target group this task set's tasks register in (else the service's). */
  loadBalancers?: LoadBalancer[];
}

interface SimServiceRec {
  arn: string;
  name: string;
  cluster: SimCluster;
  seq: number;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  createdAt: number;
  desiredCount: number;
  /** Absent with a capacity provider strategy: ECS reports one or the other. */
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion: string;
  loadBalancers: LoadBalancer[];
  network?: NetworkConfiguration;
  controller: Controller;
  enableExecuteCommand: boolean;
  availabilityZoneRebalancing: string;
  serviceRegistries: ServiceRegistry[];
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  volumeConfigurations?: ServiceVolumeConfiguration[];
  deploymentConfiguration: DeploymentConfiguration;
  healthCheckGracePeriodSeconds: number;
  propagateTags: string;
  enableECSManagedTags: boolean;
  tags: Tags;
  events: { id: string; createdAt: number; message: string }[];
  deployments: SimDeployment[];
  lastCompleted?: SimDeployment;
  fingerprint: string;
  steady: boolean;
  /** The service's tasks the simulated ECS still remembers, oldest first. */
  tasks: Set<SimTask>;
}

interface SimContainer {
  name: string;
  image: string;
  essential: boolean;
  command?: string[];
  imageDigest?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
}

interface SimTask {
  arn: string;
  id: string;
  seq: number;
  cluster: SimCluster;
  taskDef: SimTaskDef;
  createdAt: number;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  startedBy?: string;
  group: string;
  network?: NetworkConfiguration;
  launchType: string;
  platformVersion: string;
  overrides: TaskOverride;
  tags: Tags;
  version: number;
  privateIp?: string;
  eniId?: string;
  containers: SimContainer[];
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  service?: SimServiceRec;
  deployment?: SimDeployment;
  outcome?: { container: string; exitCode: number; runMs: number };
  /** Targets registered in the service's target groups. */
  registered: boolean;
  /** Counts toward the service's healthy tasks (RUNNING and, when load-balanced, healthy). */
  ready: boolean;
  /** Bumped when the task's course changes; timers scheduled under an older value do nothing. */
  gen: number;
}

const PRE_STOPPING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING']);
const NAME = /^[A-Za-z0-9_-]{1,255}$/;

// ============================================================================================

/**
 * The simulated Amazon ECS of one account and region: clusters, task-definition families and
 * revisions, services with rolling deployments (circuit breaker and rollback included), and tasks
 * that go PROVISIONING -> ... -> RUNNING -> ... -> STOPPED on the account's clock. Load-balanced
 * tasks are registered in the simulated ELBv2; images are resolved in the simulated ECR.
 *
 * Scenario helpers (`setTaskOutcome`, `failTasksToStart`, `failHealthChecks`, `serviceState`, ...)
 * set what the real world would decide (exit codes, broken images) and let tests look inside.
 * Anything a person could do by hand (scale to 0, roll back a revision) is done through the SDK.
 */
export class EcsSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    CreateCluster: (i) => this.createCluster(i),
    DescribeClusters: (i) => this.describeClusters(i),
    RegisterTaskDefinition: (i) => this.registerTaskDefinition(i),
    DeregisterTaskDefinition: (i) => this.deregisterTaskDefinition(i),
    DescribeTaskDefinition: (i) => this.describeTaskDefinition(i),
    ListTaskDefinitions: (i) => this.listTaskDefinitions(i),
    CreateService: (i) => this.createService(i),
    UpdateService: (i) => this.updateService(i),
    DescribeServices: (i) => this.describeServices(i),
    ListServices: (i) => this.listServices(i),
    DeleteService: (i) => this.deleteService(i),
    RunTask: (i) => this.runTask(i),
    DescribeTasks: (i) => this.describeTasks(i),
    ListTasks: (i) => this.listTasks(i),
    StopTask: (i) => this.stopTask(i),
    TagResource: (i) => this.tagResource(i),
    UntagResource: (i) => this.untagResource(i),
    ListTagsForResource: (i) => this.listTagsForResource(i),
  };

  /** Step durations; change them on a scenario's account before starting anything. */
  readonly timing: EcsTiming = { ...DEFAULT_ECS_TIMING };

  readonly #clusters = new Map<string, SimCluster>();
  readonly #families = new Map<string, SimTaskDef[]>();
  readonly #services = new Map<string, SimServiceRec>(); // by ARN
  readonly #tasks = new Map<string, SimTask>(); // by ARN
  readonly #outcomes: { match: TaskMatcher; outcome: TaskOutcome }[] = [];
  readonly #failures: { match: FailureMatcher; kind: 'start' | 'health'; reason?: string }[] = [];
  readonly #refusals: { match: { taskDefinition: string }; failure: { reason: string; detail?: string } }[] = [];
  readonly #ips = new Set<string>();
  #seq = 0;

  constructor(readonly account: SimAccount) {}

  // ------------------------------------------------------------------------------ fixtures

  /** Creates the fixture's clusters, task definitions (in order) and steady services. */
  seed(fixture: EcsFixture): void {
    for (const c of fixture.clusters ?? []) {
      const { name, tags, capacityProviders } = typeof c === 'string' ? { name: c, tags: {}, capacityProviders: undefined } : c;
      this.createCluster({ clusterName: name, tags: toTagList(tags), capacityProviders: capacityProviders ?? ['FARGATE', 'FARGATE_SPOT'] });
    }
    for (const td of fixture.taskDefinitions ?? []) {
      const { status, tags, ...rest } = td;
      const out = this.registerTaskDefinition({
        cpu: '256',
        memory: '512',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        ...rest,
        tags: toTagList(tags),
      } as RegisterTaskDefinitionCommandInput);
      if (status === 'INACTIVE') this.deregisterTaskDefinition({ taskDefinition: out.taskDefinition!.taskDefinitionArn });
    }
    for (const s of fixture.services ?? []) {
      const lb = s.loadBalancer;
      const controller = s.deploymentController ?? 'ECS';
      this.createService({
        ...(s.settings?.capacityProviderStrategy ? {} : { launchType: 'FARGATE' }),
        ...s.settings,
        cluster: s.cluster,
        serviceName: s.name,
        taskDefinition: s.taskDefinition,
        desiredCount: s.desiredCount ?? 1,
        platformVersion: s.platformVersion,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: s.network?.subnets ?? ['subnet-0a1b2c3d4e5f60718'],
            securityGroups: s.network?.securityGroups ?? [],
            assignPublicIp: s.network?.assignPublicIp ?? 'DISABLED',
          },
        },
        loadBalancers: lb ? [{ targetGroupArn: this.#targetGroupArnByName(lb.targetGroup, s.name), containerName: lb.containerName, containerPort: lb.containerPort }] : undefined,
        deploymentController: { type: controller },
        deploymentConfiguration: {
          ...s.settings?.deploymentConfiguration,
          ...(s.circuitBreaker ? { deploymentCircuitBreaker: s.circuitBreaker } : {}),
          ...(s.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: s.minimumHealthyPercent } : {}),
          ...(s.maximumPercent !== undefined ? { maximumPercent: s.maximumPercent } : {}),
          ...(s.alarms ? { alarms: s.alarms } : {}),
        },
        healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds ?? s.settings?.healthCheckGracePeriodSeconds,
        tags: toTagList(s.tags),
      });
      this.#settle(this.#serviceByName(this.#cluster(s.cluster), s.name)!);
    }
    for (const { family, container, command, exitCode, runMs } of fixture.taskOutcomes ?? []) {
      this.setTaskOutcome({ family, container, ...(command !== undefined ? { command: new RegExp(command) } : {}) }, { exitCode, ...(runMs !== undefined ? { runMs } : {}) });
    }
  }

  // ------------------------------------------------------------------------------ scenario API

  /**
   * Sets how matching one-off tasks (RunTask) end: the container's exit code and how long it runs.
   * The latest matching outcome wins; unmatched tasks exit 0 after `timing.oneOffRunMs`.
   *
   * @example
   * account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', command: /alembic upgrade/ }, { exitCode: 1, runMs: 90_000 });
   */
  setTaskOutcome(match: TaskMatcher, outcome: TaskOutcome): void {
    this.#outcomes.push({ match, outcome });
  }

  /**
   * Makes matching tasks fail to start (stopCode `TaskFailedToStart`) with `reason`
   * (default `CannotStartContainerError: ...`). Services count these as failed tasks.
   */
  failTasksToStart(match: FailureMatcher, reason?: string): void {
    this.#failures.push({ match, kind: 'start', reason });
  }

  /**
   * Makes matching service tasks start but fail their health checks: ELB health checks when the
   * service is load-balanced, else the container health check (tasks with neither never notice).
   */
  failHealthChecks(match: FailureMatcher): void {
    this.#failures.push({ match, kind: 'health' });
  }

  /** Removes every failure mark (tasks started from now on are healthy). */
  clearFailures(): void {
    this.#failures.length = 0;
    this.#refusals.length = 0;
  }

  /**
   * Makes RunTask of a matching task definition start no task and answer with `failures` instead,
   * as ECS does when Fargate has no capacity (`reason: 'Capacity is unavailable at this time. ...'`)
   * or an EC2 cluster has no room (`RESOURCE:MEMORY`).
   */
  refuseRunTask(match: { taskDefinition: string }, failure: { reason: string; detail?: string }): void {
    this.#refusals.push({ match, failure });
  }

  /** A service's deployments, counts, live tasks and events; throws if there is no such service. */
  serviceState(cluster: string, name: string): EcsServiceState {
    const svc = this.#serviceByName(this.#cluster(cluster), name);
    if (!svc) throw new Error(`simulated ECS: no service ${name} in cluster ${cluster}`);
    const counts = this.#counts(svc);
    return {
      arn: svc.arn,
      status: svc.status,
      desiredCount: svc.desiredCount,
      runningCount: counts.running,
      pendingCount: counts.pending,
      taskDefinition: svc.deployments[0]?.taskDef.arn,
      deployments: svc.deployments.map((d) => {
        const c = this.#counts(svc, d);
        return {
          id: d.id,
          status: d.status,
          taskDefinition: d.taskDef.arn,
          rolloutState: d.rolloutState,
          rolloutStateReason: d.rolloutStateReason,
          failedTasks: d.failedTasks,
          desiredCount: d.desiredCount,
          runningCount: c.running,
          pendingCount: c.pending,
        };
      }),
      tasks: this.#serviceTasks(svc)
        .filter((t) => t.lastStatus !== 'STOPPED')
        .map((t) => ({
          arn: t.arn,
          lastStatus: t.lastStatus,
          desiredStatus: t.desiredStatus,
          deploymentId: t.deployment!.id,
          taskDefinition: t.taskDef.arn,
          images: t.containers.map((c) => ({ name: c.name, image: c.image, ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}) })),
        })),
      events: svc.events.map((e) => e.message),
    };
  }

  // ------------------------------------------------------------------------------ for the simulated CodeDeploy

  /**
   * A CODE_DEPLOY service's task sets as the simulated CodeDeploy drives them (CodeDeploy calls
   * ECS's task-set API, which the simulated ECS does not expose through the SDK); undefined when
   * there is no such ACTIVE service.
   */
  codeDeployService(cluster: string, name: string): CodeDeployServiceView | undefined {
    const c = this.#clusters.get(cluster);
    const svc = c && this.#serviceByName(c, name);
    if (!svc || svc.status !== 'ACTIVE') return undefined;
    return {
      arn: svc.arn,
      controller: svc.controller,
      desiredCount: svc.desiredCount,
      network: svc.network && structuredClone(svc.network),
      loadBalancers: structuredClone(svc.loadBalancers),
      taskSets: svc.deployments.map((d) => {
        const live = this.#serviceTasks(svc, d).filter((t) => t.desiredStatus === 'RUNNING');
        return {
          id: d.id,
          status: d.status,
          taskDefinitionArn: d.taskDef.arn,
          targetGroupArns: (d.loadBalancers ?? svc.loadBalancers).map((lb) => lb.targetGroupArn!),
          ready: live.filter((t) => t.ready && t.lastStatus === 'RUNNING').length,
          failedTasks: d.failedTasks,
        };
      }),
    };
  }

  /**
   * Starts a replacement task set (status ACTIVE) of `taskDefinition` whose tasks register in
   * `loadBalancer.targetGroupArn`, as ECS's CreateTaskSet would. Throws ECS's error when ECS would
   * refuse it (unknown or inactive revision, a container or port the revision lacks, ...).
   */
  createTaskSet(cluster: string, name: string, spec: { taskDefinition: string; loadBalancer: LoadBalancer; network?: NetworkConfiguration; platformVersion?: string }): string {
    const svc = this.#activeService(cluster, name);
    const taskDef = this.#launchableTaskDef(spec.taskDefinition);
    const loadBalancers = this.#checkLoadBalancers(taskDef, [spec.loadBalancer]);
    const network = this.#checkNetwork(taskDef, spec.network ?? svc.network);
    const d = this.#newDeployment(svc, taskDef, 'ACTIVE');
    d.loadBalancers = loadBalancers;
    d.network = network;
    if (spec.platformVersion) d.platformVersion = spec.platformVersion;
    svc.deployments.push(d);
    svc.steady = false;
    this.#reconcile(svc);
    return d.id;
  }

  /** Makes a task set PRIMARY (the others ACTIVE): the service now reports its task definition. */
  setPrimaryTaskSet(cluster: string, name: string, id: string): void {
    const svc = this.#activeService(cluster, name);
    const d = svc.deployments.find((x) => x.id === id);
    if (!d) throw new Error(`simulated ECS: service ${name} has no task set ${id}`);
    for (const x of svc.deployments) x.status = 'ACTIVE';
    d.status = 'PRIMARY';
    d.updatedAt = this.#now();
    svc.deployments = [d, ...svc.deployments.filter((x) => x !== d)];
    this.#event(svc, `(service ${svc.name}) updated its primary task set to (task-set ${id}).`);
  }

  /** Deletes a task set: its tasks are stopped (and deregistered from its target group). */
  deleteTaskSet(cluster: string, name: string, id: string): void {
    const svc = this.#activeService(cluster, name);
    const d = svc.deployments.find((x) => x.id === id);
    if (!d) return;
    svc.deployments = svc.deployments.filter((x) => x !== d);
    const stopped: SimTask[] = [];
    for (const t of this.#serviceTasks(svc, d)) {
      if (t.desiredStatus !== 'RUNNING') continue;
      this.#stop(t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${d.id})`);
      stopped.push(t);
    }
    this.#stoppedEvent(svc, stopped);
    this.#reconcile(svc);
  }

  /** Every task the simulated ECS still remembers, as DescribeTasks would show it. */
  allTasks(): Task[] {
    return [...this.#tasks.values()].map((t) => this.#renderTask(t, true));
  }

  // ------------------------------------------------------------------------------ clusters

  createCluster(input: { clusterName?: string; tags?: Tag[]; capacityProviders?: string[] }): Out<{ cluster: Cluster }> {
    const name = input.clusterName ?? 'default';
    if (!NAME.test(name)) {
      throw awsError(InvalidParameterException, 'Cluster name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.');
    }
    const tags = tagsFrom(input.tags);
    let cluster = this.#clusters.get(name);
    if (!cluster) {
      cluster = { arn: this.#arn(`cluster/${name}`), name, createdAt: this.#now(), tags, capacityProviders: [...(input.capacityProviders ?? [])], tokens: new Map() };
      this.#clusters.set(name, cluster);
    }
    return { cluster: this.#renderCluster(cluster, true) };
  }

  describeClusters(input: { clusters?: string[]; include?: string[] }): Out<{ clusters: Cluster[]; failures: Failure[] }> {
    const out = { clusters: [] as Cluster[], failures: [] as Failure[] };
    for (const ref of input.clusters?.length ? input.clusters : ['default']) {
      const cluster = this.#clusters.get(lastSegment(ref));
      if (cluster && this.account.visible('ecs', cluster.createdAt)) out.clusters.push(this.#renderCluster(cluster, includes(input, 'TAGS')));
      else out.failures.push({ arn: ref.startsWith('arn:') ? ref : this.#arn(`cluster/${ref}`), reason: 'MISSING' });
    }
    return out;
  }

  // ------------------------------------------------------------------------------ task definitions

  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Out<{ taskDefinition: TaskDefinition; tags?: Tag[] }> {
    const family = input.family ?? '';
    if (!NAME.test(family)) {
      throw awsError(ClientException, 'Family contains invalid characters or is longer than 255 characters.');
    }
    const defs = input.containerDefinitions ?? [];
    if (defs.length === 0) throw awsError(ClientException, 'Container list cannot be empty.');
    for (const c of defs) {
      if (!c.name) throw awsError(ClientException, 'Container.name should not be null or empty.');
      if (!c.image) throw awsError(ClientException, 'Container.image should not be null or empty.');
    }
    const networkMode = input.networkMode ?? 'bridge';
    const cpu = input.cpu === undefined ? undefined : normaliseUnits(input.cpu, 'vcpu');
    const memory = input.memory === undefined ? undefined : normaliseUnits(input.memory, 'gb');
    const fargate = (input.requiresCompatibilities ?? []).includes('FARGATE');
    if (fargate) {
      if (networkMode !== 'awsvpc') throw awsError(ClientException, 'Fargate only supports network mode \u2018awsvpc\u2019.');
      if (!cpu || !memory || !validFargateSize(Number(cpu), Number(memory))) throw awsError(ClientException, 'No Fargate configuration exists for given values.');
      if (!input.executionRoleArn && defs.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
        throw awsError(ClientException, 'Fargate requires task definition to have execution role ARN to support log driver awslogs.');
      }
    }
    checkFirelens(defs);
    checkVolumes(input);
    if (fargate) checkFargateOnly(input);
    const tags = tagsFrom(input.tags);
    const revisions = this.#families.get(family) ?? [];
    const revision = revisions.length + 1;
    const canFargate = networkMode === 'awsvpc' && !!cpu && !!memory && validFargateSize(Number(cpu), Number(memory));
    // Every field RegisterTaskDefinition accepts is kept and returned, as AWS does; only tags are
    // kept apart, and AWS's defaults are filled in as DescribeTaskDefinition shows them.
    const { tags: _tags, ...content } = structuredClone(input);
    const body: TaskDefinition = compact({
      ...(content as TaskDefinition),
      containerDefinitions: defs.map((c) => containerWithDefaults(c, networkMode)),
      family,
      networkMode: networkMode as TaskDefinition['networkMode'],
      volumes: content.volumes ?? [],
      placementConstraints: content.placementConstraints ?? [],
      compatibilities: (canFargate ? ['EC2', 'FARGATE'] : ['EC2']) as TaskDefinition['compatibilities'],
      cpu,
      memory,
      registeredBy: `arn:aws:sts::${this.account.accountId}:assumed-role/steady/controller`,
    });
    const td: SimTaskDef = {
      arn: this.#arn(`task-definition/${family}:${revision}`),
      family,
      revision,
      status: 'ACTIVE',
      registeredAt: this.#now(),
      body,
      tags,
    };
    revisions.push(td);
    this.#families.set(family, revisions);
    return { taskDefinition: this.#renderTaskDef(td), ...(input.tags?.length ? { tags: toTagList(tags) } : {}) };
  }

  deregisterTaskDefinition(input: { taskDefinition?: string }): Out<{ taskDefinition: TaskDefinition }> {
    const ref = input.taskDefinition ?? '';
    if (!/:\d+$/.test(ref)) throw awsError(ClientException, 'Revision is missing.');
    const td = this.#findTaskDef(ref, false);
    if (!td) throw awsError(ClientException, 'The specified task definition does not exist.');
    if (td.status === 'ACTIVE') {
      td.status = 'INACTIVE';
      td.deregisteredAt = this.#now();
    }
    return { taskDefinition: this.#renderTaskDef(td) };
  }

  describeTaskDefinition(input: { taskDefinition?: string; include?: string[] }): Out<{ taskDefinition: TaskDefinition; tags?: Tag[] }> {
    const td = this.#findTaskDef(input.taskDefinition ?? '', true);
    if (!td) throw awsError(ClientException, 'Unable to describe task definition.');
    return { taskDefinition: this.#renderTaskDef(td), ...(includes(input, 'TAGS') ? { tags: toTagList(td.tags) } : {}) };
  }

  listTaskDefinitions(input: { familyPrefix?: string; status?: string; sort?: string; maxResults?: number; nextToken?: string }): Out<{
    taskDefinitionArns: string[];
    nextToken?: string;
  }> {
    const status = input.status ?? 'ACTIVE';
    const descending = input.sort === 'DESC';
    const all = [...this.#families.values()]
      .flat()
      .filter((td) => (!input.familyPrefix || td.family === input.familyPrefix) && td.status === status && this.account.visible('ecs', td.registeredAt));
    const { items, next } = page(
      all,
      { size: this.#maxResults(input.maxResults, 100, 100), token: input.nextToken || undefined, key: (td) => [td.family, td.revision], descending },
      invalidToken,
    );
    return { taskDefinitionArns: items.map((td) => td.arn), ...(next ? { nextToken: next } : {}) };
  }

  // ------------------------------------------------------------------------------ services

  createService(input: CreateServiceCommandInput): Out<{ service: Service }> {
    const cluster = this.#cluster(input.cluster);
    const name: string = input.serviceName ?? '';
    if (!NAME.test(name)) {
      throw awsError(InvalidParameterException, 'Service name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.');
    }
    const controller: Controller = input.deploymentController?.type ?? 'ECS';
    const fingerprint = stableJson({ ...input, clientToken: undefined, cluster: cluster.arn });
    const existing = this.#serviceByName(cluster, name);
    if (existing && existing.status !== 'INACTIVE') {
      if (existing.fingerprint === fingerprint) return { service: this.#renderService(existing, false) };
      throw awsError(InvalidParameterException, 'Creation of service was not idempotent.');
    }
    if (input.launchType && input.capacityProviderStrategy?.length) {
      throw awsError(InvalidParameterException, 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
    }
    if ((input.schedulingStrategy ?? 'REPLICA') === 'REPLICA' && input.desiredCount === undefined) {
      throw awsError(InvalidParameterException, 'The desired count must be specified for services using the REPLICA scheduling strategy.');
    }
    if (controller !== 'EXTERNAL' && !input.taskDefinition) throw awsError(InvalidParameterException, 'TaskDefinition must be specified.');
    const taskDef = input.taskDefinition ? this.#launchableTaskDef(input.taskDefinition) : undefined;
    const network = taskDef ? this.#checkNetwork(taskDef, input.networkConfiguration) : undefined;
    const loadBalancers = taskDef ? this.#checkLoadBalancers(taskDef, input.loadBalancers ?? []) : [];
    const breaker = input.deploymentConfiguration?.deploymentCircuitBreaker;
    if (breaker && controller !== 'ECS') {
      throw awsError(InvalidParameterException, 'The deployment circuit breaker is only supported for services using the ECS deployment controller.');
    }
    const strategy = this.#checkCapacityProviders(cluster, input.capacityProviderStrategy);
    if (taskDef) this.#checkServiceSettings(taskDef, input);
    const svc: SimServiceRec = {
      arn: this.#arn(`service/${cluster.name}/${name}`),
      name,
      cluster,
      seq: ++this.#seq,
      status: 'ACTIVE',
      createdAt: this.#now(),
      desiredCount: input.desiredCount ?? 0,
      ...(strategy ? { capacityProviderStrategy: strategy } : { launchType: input.launchType ?? 'FARGATE' }),
      platformVersion: input.platformVersion ?? 'LATEST',
      loadBalancers,
      network,
      controller,
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      // CreateService without it means ENABLED (UpdateService without it keeps the service's).
      availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? 'ENABLED',
      serviceRegistries: structuredClone(input.serviceRegistries ?? []),
      serviceConnectConfiguration: input.serviceConnectConfiguration && structuredClone(input.serviceConnectConfiguration),
      volumeConfigurations: input.volumeConfigurations && structuredClone(input.volumeConfigurations),
      deploymentConfiguration: deploymentConfigurationOf(input.deploymentConfiguration),
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
      propagateTags: input.propagateTags ?? 'NONE',
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      tags: tagsFrom(input.tags),
      events: [],
      deployments: [],
      fingerprint,
      steady: false,
      tasks: new Set(),
    };
    if (existing) this.#services.delete(existing.arn);
    this.#services.set(svc.arn, svc);
    if (taskDef) {
      const first = this.#newDeployment(svc, taskDef, 'PRIMARY');
      if (controller === 'CODE_DEPLOY') first.loadBalancers = structuredClone(loadBalancers);
      svc.deployments.push(first);
    }
    this.#reconcile(svc);
    return { service: this.#renderService(svc, false) };
  }

  updateService(input: UpdateServiceCommandInput): Out<{ service: Service }> {
    const svc = this.#activeService(input.cluster, input.service);
    if (svc.controller !== 'ECS') this.#refuseForController(svc.controller, input);
    const primary = svc.deployments[0];
    const taskDef = input.taskDefinition ? this.#launchableTaskDef(input.taskDefinition) : primary?.taskDef;
    const network = input.networkConfiguration !== undefined && taskDef ? this.#checkNetwork(taskDef, input.networkConfiguration) : svc.network;
    const loadBalancers = input.loadBalancers !== undefined && taskDef ? this.#checkLoadBalancers(taskDef, input.loadBalancers) : svc.loadBalancers;
    const platformVersion = input.platformVersion ?? svc.platformVersion;
    const strategy = input.capacityProviderStrategy !== undefined ? this.#checkCapacityProviders(svc.cluster, input.capacityProviderStrategy) : svc.capacityProviderStrategy;
    if (taskDef) this.#checkServiceSettings(taskDef, input);
    const deploymentLevel = {
      capacityProviderStrategy: strategy,
      serviceRegistries: input.serviceRegistries ?? svc.serviceRegistries,
      serviceConnectConfiguration: input.serviceConnectConfiguration ?? svc.serviceConnectConfiguration,
      volumeConfigurations: input.volumeConfigurations ?? svc.volumeConfigurations,
    };
    const before = { capacityProviderStrategy: svc.capacityProviderStrategy, serviceRegistries: svc.serviceRegistries, serviceConnectConfiguration: svc.serviceConnectConfiguration, volumeConfigurations: svc.volumeConfigurations };

    if (input.desiredCount !== undefined) svc.desiredCount = input.desiredCount;
    if (input.enableExecuteCommand !== undefined) svc.enableExecuteCommand = input.enableExecuteCommand;
    if (input.availabilityZoneRebalancing !== undefined) svc.availabilityZoneRebalancing = input.availabilityZoneRebalancing;
    // UpdateService takes deploymentConfiguration whole: what it leaves out is gone (alarms, strategy, ...).
    if (input.deploymentConfiguration) svc.deploymentConfiguration = deploymentConfigurationOf(input.deploymentConfiguration);
    if (input.healthCheckGracePeriodSeconds !== undefined) svc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
    if (input.propagateTags !== undefined) svc.propagateTags = input.propagateTags;
    if (input.enableECSManagedTags !== undefined) svc.enableECSManagedTags = input.enableECSManagedTags;

    const changed =
      input.forceNewDeployment === true ||
      (taskDef && taskDef !== primary?.taskDef) ||
      stableJson(network ?? null) !== stableJson(svc.network ?? null) ||
      stableJson(loadBalancers) !== stableJson(svc.loadBalancers) ||
      platformVersion !== svc.platformVersion ||
      // Capacity providers, Cloud Map registries, Service Connect and EBS volumes are deployment-level: a change starts a deployment.
      stableJson(deploymentLevel) !== stableJson(before);
    svc.network = network;
    svc.loadBalancers = loadBalancers;
    svc.platformVersion = platformVersion;
    if (strategy) {
      svc.capacityProviderStrategy = strategy;
      delete svc.launchType;
    }
    svc.serviceRegistries = structuredClone(deploymentLevel.serviceRegistries);
    svc.serviceConnectConfiguration = deploymentLevel.serviceConnectConfiguration && structuredClone(deploymentLevel.serviceConnectConfiguration);
    svc.volumeConfigurations = deploymentLevel.volumeConfigurations && structuredClone(deploymentLevel.volumeConfigurations);
    if (changed && taskDef) {
      for (const d of svc.deployments) d.status = 'ACTIVE';
      svc.deployments.unshift(this.#newDeployment(svc, taskDef, 'PRIMARY'));
      svc.steady = false;
    }
    this.#reconcile(svc);
    return { service: this.#renderService(svc, false) };
  }

  describeServices(input: { cluster?: string; services?: string[]; include?: string[] }): Out<{ services: Service[]; failures: Failure[] }> {
    const refs = input.services ?? [];
    if (refs.length === 0) throw awsError(InvalidParameterException, 'Services cannot be empty.');
    if (refs.length > 10) throw awsError(InvalidParameterException, 'service names can have at most 10 items.');
    const cluster = this.#cluster(input.cluster);
    const out = { services: [] as Service[], failures: [] as Failure[] };
    for (const ref of refs) {
      const svc = this.#serviceByName(cluster, lastSegment(ref));
      if (svc && this.account.visible('ecs', svc.createdAt)) out.services.push(this.#renderService(svc, includes(input, 'TAGS')));
      else out.failures.push({ arn: ref.startsWith('arn:') ? ref : this.#arn(`service/${cluster.name}/${ref}`), reason: 'MISSING' });
    }
    return out;
  }

  listServices(input: { cluster?: string; maxResults?: number; nextToken?: string; launchType?: string; schedulingStrategy?: string }): Out<{
    serviceArns: string[];
    nextToken?: string;
  }> {
    const cluster = this.#cluster(input.cluster);
    const services = [...this.#services.values()].filter(
      (s) =>
        s.cluster === cluster &&
        s.status === 'ACTIVE' &&
        this.account.visible('ecs', s.createdAt) &&
        (!input.launchType || s.launchType === input.launchType) &&
        (!input.schedulingStrategy || input.schedulingStrategy === 'REPLICA'),
    );
    const { items, next } = page(services, { size: this.#maxResults(input.maxResults, 100, 10), token: input.nextToken || undefined, key: (s) => [s.seq] }, invalidToken);
    return { serviceArns: items.map((s) => s.arn), ...(next ? { nextToken: next } : {}) };
  }

  deleteService(input: { cluster?: string; service?: string; force?: boolean }): Out<{ service: Service }> {
    const svc = this.#activeService(input.cluster, input.service);
    if (svc.desiredCount > 0 && !input.force) throw awsError(InvalidParameterException, 'The service cannot be stopped while it is scaled above 0.');
    svc.desiredCount = 0;
    svc.status = 'DRAINING';
    const service = this.#renderService(svc, false);
    this.#reconcile(svc); // stops the tasks; INACTIVE once none is left running
    return { service };
  }

  // ------------------------------------------------------------------------------ tasks

  runTask(input: RunTaskCommandInput): Out<{ tasks: Task[]; failures: Failure[] }> {
    const cluster = this.#cluster(input.cluster);
    const taskDef = this.#launchableTaskDef(input.taskDefinition ?? '');
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10) throw awsError(InvalidParameterException, 'count must be between 1 and 10.');
    if (input.launchType && input.capacityProviderStrategy?.length) {
      throw awsError(InvalidParameterException, 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
    }
    if (input.startedBy !== undefined && !/^[A-Za-z0-9\-/_]{1,128}$/.test(input.startedBy)) {
      throw awsError(InvalidParameterException, 'startedBy can have up to 128 characters: letters (uppercase and lowercase), numbers, hyphens, forward slashes and underscores.');
    }
    if (input.propagateTags === 'SERVICE') throw awsError(InvalidParameterException, 'The SERVICE option for propagateTags is not supported by RunTask.');
    const network = this.#checkNetwork(taskDef, input.networkConfiguration);
    const overrides: TaskOverride = input.overrides ?? {};
    this.#checkOverrides(taskDef, overrides.containerOverrides ?? []);
    const tags = tagsFrom(input.tags);

    if (input.clientToken !== undefined) {
      if (!/^[\x21-\x7e]{1,64}$/.test(input.clientToken)) throw awsError(InvalidParameterException, 'clientToken can have up to 64 printable ASCII characters.');
      this.#forgetOldTokens(cluster);
      const fingerprint = stableJson({ ...input, clientToken: undefined, cluster: cluster.arn, taskDefinition: taskDef.arn });
      const seen = cluster.tokens.get(input.clientToken);
      if (seen && seen.fingerprint !== fingerprint) {
        throw awsError(ConflictException, 'The specified client token has already been used with a different request.', { resourceIds: [...seen.taskArns] });
      }
      if (seen) {
        const tasks = seen.taskArns.map((arn) => this.#tasks.get(arn)).filter((t): t is SimTask => !!t);
        return { tasks: tasks.map((t) => this.#renderTask(t, false)), failures: [] };
      }
    }
    const refusal = this.#refusals.findLast((r) => taskDefMatches(taskDef, r.match.taskDefinition));
    if (refusal) return { tasks: [], failures: [{ arn: taskDef.arn, ...refusal.failure }] };
    const started: SimTask[] = [];
    for (let i = 0; i < count; i++) {
      started.push(
        this.#startTask({
          cluster,
          taskDef,
          startedBy: input.startedBy,
          group: input.group ?? `family:${taskDef.family}`,
          network,
          launchType: input.launchType ?? 'FARGATE',
          platformVersion: input.platformVersion ?? 'LATEST',
          overrides,
          tags: input.propagateTags === 'TASK_DEFINITION' ? { ...taskDef.tags, ...tags } : tags,
        }),
      );
    }
    if (input.clientToken !== undefined) {
      cluster.tokens.set(input.clientToken, {
        fingerprint: stableJson({ ...input, clientToken: undefined, cluster: cluster.arn, taskDefinition: taskDef.arn }),
        taskArns: started.map((t) => t.arn),
        at: this.#now(),
      });
    }
    return { tasks: started.map((t) => this.#renderTask(t, false)), failures: [] };
  }

  describeTasks(input: { cluster?: string; tasks?: string[]; include?: string[] }): Out<{ tasks: Task[]; failures: Failure[] }> {
    const refs = input.tasks ?? [];
    if (refs.length === 0) throw awsError(InvalidParameterException, 'Tasks cannot be empty.');
    if (refs.length > 100) throw awsError(InvalidParameterException, 'Tasks cannot have more than 100 items.');
    const cluster = this.#cluster(input.cluster);
    const out = { tasks: [] as Task[], failures: [] as Failure[] };
    for (const ref of refs) {
      const arn = ref.startsWith('arn:') ? ref : this.#arn(`task/${cluster.name}/${ref}`);
      const task = this.#tasks.get(arn);
      if (task && task.cluster === cluster && this.account.visible('ecs', task.createdAt)) out.tasks.push(this.#renderTask(task, includes(input, 'TAGS')));
      else out.failures.push({ arn, reason: 'MISSING' });
    }
    return out;
  }

  listTasks(input: {
    cluster?: string;
    family?: string;
    startedBy?: string;
    serviceName?: string;
    desiredStatus?: string;
    launchType?: string;
    maxResults?: number;
    nextToken?: string;
  }): Out<{ taskArns: string[]; nextToken?: string }> {
    const cluster = this.#cluster(input.cluster);
    const service = input.serviceName ? this.#serviceByName(cluster, lastSegment(input.serviceName)) : undefined;
    if (input.serviceName && !service) throw awsError(ServiceNotFoundException, 'Service not found.');
    const desired = input.desiredStatus ?? 'RUNNING';
    const tasks = [...this.#tasks.values()].filter(
      (t) =>
        t.cluster === cluster &&
        this.account.visible('ecs', t.createdAt) &&
        (desired === 'PENDING' ? t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING' : t.desiredStatus === desired) &&
        (!input.family || t.taskDef.family === input.family) &&
        (!input.startedBy || t.startedBy === input.startedBy) &&
        (!service || t.service === service) &&
        (!input.launchType || t.launchType === input.launchType),
    );
    const { items, next } = page(tasks, { size: this.#maxResults(input.maxResults, 100, 100), token: input.nextToken || undefined, key: (t) => [t.seq] }, invalidToken);
    return { taskArns: items.map((t) => t.arn), ...(next ? { nextToken: next } : {}) };
  }

  stopTask(input: { cluster?: string; task?: string; reason?: string }): Out<{ task: Task }> {
    const cluster = this.#cluster(input.cluster);
    const ref = input.task ?? '';
    const task = this.#tasks.get(ref.startsWith('arn:') ? ref : this.#arn(`task/${cluster.name}/${ref}`));
    if (!task || task.cluster !== cluster) throw awsError(InvalidParameterException, 'The referenced task was not found.');
    if (task.desiredStatus === 'RUNNING') {
      this.#stop(task, 'UserInitiated', input.reason ?? 'Task stopped by user');
      task.tags = {};
    }
    return { task: this.#renderTask(task, false) };
  }

  // ------------------------------------------------------------------------------ tags

  tagResource(input: { resourceArn?: string; tags?: Tag[] }): Out<object> {
    const holder = this.#taggable(input.resourceArn ?? '');
    const merged = { ...holder.tags, ...tagsFrom(input.tags) };
    checkTagCount(merged);
    holder.tags = merged;
    return {};
  }

  untagResource(input: { resourceArn?: string; tagKeys?: string[] }): Out<object> {
    const holder = this.#taggable(input.resourceArn ?? '');
    holder.tags = Object.fromEntries(Object.entries(holder.tags).filter(([k]) => !(input.tagKeys ?? []).includes(k)));
    return {};
  }

  listTagsForResource(input: { resourceArn?: string }): Out<{ tags: Tag[] }> {
    return { tags: toTagList(this.#taggable(input.resourceArn ?? '').tags) };
  }

  // ============================================================================================
  // Lookups and validation

  #now(): number {
    return this.account.clock.now();
  }

  #arn(resource: string): string {
    return `arn:aws:ecs:${this.account.region}:${this.account.accountId}:${resource}`;
  }

  #cluster(ref: string | undefined): SimCluster {
    const cluster = this.#clusters.get(lastSegment(ref ?? 'default'));
    if (!cluster) throw awsError(ClusterNotFoundException, 'Cluster not found.');
    return cluster;
  }

  #serviceByName(cluster: SimCluster, name: string): SimServiceRec | undefined {
    return this.#services.get(this.#arn(`service/${cluster.name}/${name}`));
  }

  #activeService(clusterRef: string | undefined, ref: string | undefined): SimServiceRec {
    const svc = this.#serviceByName(this.#cluster(clusterRef), lastSegment(ref ?? ''));
    if (!svc) throw awsError(ServiceNotFoundException, 'Service not found.');
    if (svc.status !== 'ACTIVE') throw awsError(ServiceNotActiveException, 'Service was not ACTIVE.');
    return svc;
  }

  /** family | family:revision | ARN. A bare family means its latest ACTIVE revision. */
  #findTaskDef(ref: string, readsOnly: boolean): SimTaskDef | undefined {
    const m = /^(?:arn:[^:]+:ecs:[^:]+:\d+:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(ref);
    if (!m) return undefined;
    const revisions = (this.#families.get(m[1]) ?? []).filter((td) => !readsOnly || this.account.visible('ecs', td.registeredAt));
    if (m[2] !== undefined) return revisions.find((td) => td.revision === Number(m[2]));
    return revisions.filter((td) => td.status === 'ACTIVE').at(-1);
  }

  #launchableTaskDef(ref: string): SimTaskDef {
    const td = this.#findTaskDef(ref, false);
    if (!td) throw awsError(ClientException, 'TaskDefinition not found.');
    if (td.status !== 'ACTIVE') throw awsError(InvalidParameterException, 'TaskDefinition is inactive');
    return td;
  }

  #checkNetwork(td: SimTaskDef, config: NetworkConfiguration | undefined): NetworkConfiguration | undefined {
    const awsvpc = td.body.networkMode === 'awsvpc';
    const vpc = config?.awsvpcConfiguration;
    if (!awsvpc) {
      if (vpc) throw awsError(InvalidParameterException, 'Network Configuration is not valid for the given networkMode of this task definition.');
      return undefined;
    }
    if (!vpc) throw awsError(InvalidParameterException, "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    if (!vpc.subnets?.length) throw awsError(InvalidParameterException, 'subnets can not be empty.');
    if (vpc.subnets.length > 16) throw awsError(InvalidParameterException, 'subnets can have at most 16 items.');
    if ((vpc.securityGroups?.length ?? 0) > 5) throw awsError(InvalidParameterException, 'securityGroups can have at most 5 items.');
    return { awsvpcConfiguration: { subnets: [...vpc.subnets], securityGroups: [...(vpc.securityGroups ?? [])], assignPublicIp: vpc.assignPublicIp ?? 'DISABLED' } };
  }

  #checkLoadBalancers(td: SimTaskDef, lbs: LoadBalancer[]): LoadBalancer[] {
    return lbs.map((lb) => {
      const arn = lb.targetGroupArn ?? '';
      const info = this.account.elbv2.targetGroupInfo(arn);
      if (!info) throw awsError(InvalidParameterException, `The target group with targetGroupArn ${arn} does not exist.`);
      if (info.loadBalancerArns.length === 0) {
        throw awsError(InvalidParameterException, `The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
      }
      const container = td.body.containerDefinitions!.find((c) => c.name === lb.containerName);
      if (!container) throw awsError(InvalidParameterException, `The container ${lb.containerName} does not exist in the task definition.`);
      if (!(container.portMappings ?? []).some((p) => p.containerPort === lb.containerPort)) {
        throw awsError(InvalidParameterException, `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
      }
      if (td.body.networkMode === 'awsvpc' && info.targetType !== 'ip') {
        throw awsError(
          InvalidParameterException,
          `The provided target group ${arn} has target type ${info.targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`,
        );
      }
      return { targetGroupArn: arn, containerName: lb.containerName, containerPort: lb.containerPort };
    });
  }

  #checkOverrides(td: SimTaskDef, overrides: ContainerOverride[]): void {
    for (const o of overrides) {
      if (!o.name) throw awsError(InvalidParameterException, 'Container Overrides must specify a container name.');
      if (!td.body.containerDefinitions!.some((c) => c.name === o.name)) {
        throw awsError(InvalidParameterException, `Override for container named ${o.name} is not a container in the TaskDefinition.`);
      }
    }
    if (JSON.stringify(overrides).length > 8192) throw awsError(InvalidParameterException, 'Container Overrides length must be at most 8192');
  }

  /** A capacity provider strategy ECS accepts for a service of `cluster`, or undefined when none is given. */
  #checkCapacityProviders(cluster: SimCluster, strategy: CapacityProviderStrategyItem[] | undefined): CapacityProviderStrategyItem[] | undefined {
    if (!strategy?.length) return undefined;
    if (strategy.length > 20) throw awsError(InvalidParameterException, 'capacityProviderStrategy can have at most 20 items.');
    for (const item of strategy) {
      if (!item.capacityProvider || !cluster.capacityProviders.includes(item.capacityProvider)) {
        throw awsError(
          InvalidParameterException,
          'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
        );
      }
      if ((item.weight ?? 0) < 0 || (item.weight ?? 0) > 1000) throw awsError(InvalidParameterException, 'The capacity provider weight must be between 0 and 1000.');
      if ((item.base ?? 0) < 0 || (item.base ?? 0) > 100000) throw awsError(InvalidParameterException, 'The capacity provider base must be between 0 and 100000.');
    }
    if (strategy.filter((i) => (i.base ?? 0) > 0).length > 1) throw awsError(InvalidParameterException, 'Only one capacity provider in a capacity provider strategy can have a base defined.');
    return strategy.map((i) => ({ capacityProvider: i.capacityProvider, weight: i.weight ?? 0, base: i.base ?? 0 }));
  }

  /** Service settings that name parts of the task definition: Service Connect ports, volumes configured at launch. */
  #checkServiceSettings(td: SimTaskDef, input: { serviceConnectConfiguration?: ServiceConnectConfiguration; volumeConfigurations?: ServiceVolumeConfiguration[] }): void {
    const ports = new Set((td.body.containerDefinitions ?? []).flatMap((c) => (c.portMappings ?? []).flatMap((p) => (p.name ? [p.name] : []))));
    for (const s of input.serviceConnectConfiguration?.services ?? []) {
      if (!s.portName || !ports.has(s.portName)) {
        throw awsError(InvalidParameterException, `The Service Connect portName ${s.portName ?? ''} does not match a named port mapping in the task definition.`);
      }
    }
    const atLaunch = new Set((td.body.volumes ?? []).filter((v) => v.configuredAtLaunch).map((v) => v.name));
    for (const v of input.volumeConfigurations ?? []) {
      if (!v.name || !atLaunch.has(v.name)) {
        throw awsError(InvalidParameterException, `The volume ${v.name ?? ''} in volumeConfigurations is not configured at launch in the task definition.`);
      }
      if (!v.managedEBSVolume?.roleArn) throw awsError(InvalidParameterException, 'The managedEBSVolume roleArn must be specified.');
    }
  }

  /** CODE_DEPLOY and EXTERNAL services only take the settings their controller leaves to ECS. */
  #refuseForController(controller: Controller, input: UpdateServiceCommandInput): void {
    const tail = controller === 'CODE_DEPLOY' ? ' Use AWS CodeDeploy to trigger a new deployment.' : '';
    if (input.taskDefinition !== undefined) {
      throw awsError(InvalidParameterException, `Unable to update task definition on services with a ${controller} deployment controller.${tail}`);
    }
    if (input.forceNewDeployment) {
      throw awsError(InvalidParameterException, `Cannot force a new deployment on services with a ${controller} deployment controller.${tail}`);
    }
    if (input.networkConfiguration !== undefined || input.platformVersion !== undefined || input.loadBalancers !== undefined) {
      throw awsError(InvalidParameterException, `Unable to update network parameters on services with a ${controller} deployment controller.${tail}`);
    }
    const other = (['capacityProviderStrategy', 'serviceRegistries', 'serviceConnectConfiguration', 'volumeConfigurations', 'enableExecuteCommand', 'availabilityZoneRebalancing'] as const).find(
      (k) => input[k] !== undefined,
    );
    if (other) throw awsError(InvalidParameterException, `Unable to update ${other} on services with a ${controller} deployment controller.${tail}`);
    if (controller === 'EXTERNAL' && input.deploymentConfiguration !== undefined) {
      throw awsError(InvalidParameterException, 'Unable to update deployment configuration on services with a EXTERNAL deployment controller.');
    }
  }

  #taggable(arn: string): { tags: Tags } {
    const m = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:(cluster|service|task-definition|task)\/(.+)$/.exec(arn);
    if (!m) throw awsError(InvalidParameterException, 'The ARN provided is invalid.');
    const [, type, rest] = m;
    if ((type === 'service' || type === 'task') && !rest.includes('/')) {
      throw awsError(InvalidParameterException, 'Long arn format must be used for tagging operations');
    }
    const found =
      type === 'cluster'
        ? this.#clusters.get(rest)
        : type === 'service'
          ? this.#services.get(arn)
          : type === 'task'
            ? this.#tasks.get(arn)
            : this.#findTaskDef(arn, false);
    if (!found) throw awsError(ResourceNotFoundException, 'The specified resource could not be found.');
    return found;
  }

  #maxResults(value: number | undefined, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) throw awsError(InvalidParameterException, `maxResults must be between 1 and ${max}.`);
    return value;
  }

  #forgetOldTokens(cluster: SimCluster): void {
    for (const [token, seen] of cluster.tokens) if (this.#now() - seen.at > 24 * 3_600_000) cluster.tokens.delete(token);
  }

  #targetGroupArnByName(name: string, service: string): string {
    try {
      const out = this.account.elbv2.operations.DescribeTargetGroups?.({ Names: [name] }) as { TargetGroups?: { TargetGroupArn?: string }[] } | undefined;
      if (out && typeof (out as any).then !== 'function' && out.TargetGroups?.[0]?.TargetGroupArn) return out.TargetGroups[0].TargetGroupArn;
    } catch {
      // reported below
    }
    throw new Error(`simulated ECS fixture: service ${service} names target group ${name}, which the simulated ELBv2 does not have`);
  }

  // ============================================================================================
  // Task lifecycle

  #startTask(
    opts: Pick<SimTask, 'cluster' | 'taskDef' | 'startedBy' | 'group' | 'network' | 'launchType' | 'platformVersion' | 'overrides' | 'tags' | 'service' | 'deployment'>,
  ): SimTask {
    const id = this.account.hex(32);
    const overrides = opts.overrides.containerOverrides ?? [];
    const task: SimTask = {
      arn: this.#arn(`task/${opts.cluster.name}/${id}`),
      id,
      seq: ++this.#seq,
      cluster: opts.cluster,
      taskDef: opts.taskDef,
      createdAt: this.#now(),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      startedBy: opts.startedBy,
      group: opts.group,
      network: opts.network,
      launchType: opts.launchType,
      platformVersion: opts.platformVersion,
      overrides: { containerOverrides: overrides, inferenceAcceleratorOverrides: [] },
      tags: opts.tags,
      version: 1,
      containers: opts.taskDef.body.containerDefinitions!.map((c) => ({
        name: c.name!,
        image: c.image!,
        essential: c.essential !== false,
        command: overrides.find((o) => o.name === c.name)?.command ?? c.command,
        lastStatus: 'PENDING',
      })),
      service: opts.service,
      deployment: opts.deployment,
      registered: false,
      ready: false,
      gen: 0,
    };
    if (opts.network) {
      task.privateIp = this.#allocateIp();
      task.eniId = `eni-${this.account.hex(17)}`;
    }
    if (!opts.service) task.outcome = this.#outcomeFor(task);
    this.#tasks.set(task.arn, task);
    opts.service?.tasks.add(task);
    this.#after(task, this.timing.provisioningMs, () => {
      this.#setStatus(task, 'PENDING');
      this.#after(task, this.timing.pendingMs, () => this.#activate(task));
    });
    return task;
  }

  /** Schedules `fn` unless the task's course changes (a stop) before it is due. */
  #after(task: SimTask, ms: number, fn: () => void): void {
    const gen = task.gen;
    this.account.clock.schedule(ms, () => {
      if (task.gen === gen) fn();
    });
  }

  #setStatus(task: SimTask, status: string): void {
    task.lastStatus = status;
    task.version += 1;
    if (task.service) this.#reconcile(task.service);
  }

  /** Image pull and, for services, target registration. May end the task before it starts. */
  #activate(task: SimTask, immediate = false): void {
    task.pullStartedAt = this.#now();
    for (const c of task.containers) {
      const pinned = task.deployment?.images.get(c.name);
      const digest = pinned ?? this.#resolveImage(c.image);
      if (!digest && immediate) continue; // a fixture's task keeps running an image that has gone since
      if (!digest) {
        const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${c.image}: ${c.image}: not found`;
        c.reason = reason;
        this.#failStart(task, reason);
        return;
      }
      c.imageDigest = digest;
      if (task.deployment && !pinned) task.deployment.images.set(c.name, digest);
    }
    task.pullStoppedAt = this.#now();
    const mark = immediate ? undefined : this.#failureFor(task, 'start');
    if (mark) {
      this.#failStart(task, mark.reason ?? 'CannotStartContainerError: simulated start failure');
      return;
    }
    const healthy = !this.#failureFor(task, 'health');
    for (const lb of this.#lbsOf(task)) {
      this.account.elbv2.registerTargets(lb.targetGroupArn!, [{ id: task.privateIp!, port: lb.containerPort!, healthy }], { settled: immediate });
      this.#event(task.service!, `(service ${task.service!.name}) registered 1 targets in (target-group ${lb.targetGroupArn})`);
    }
    task.registered = this.#lbsOf(task).length > 0;
    if (immediate) return;
    this.#setStatus(task, 'ACTIVATING');
    this.#after(task, this.timing.activatingMs, () => this.#run(task));
  }

  #run(task: SimTask, immediate = false): void {
    task.startedAt = this.#now();
    for (const c of task.containers) {
      c.lastStatus = 'RUNNING';
      c.runtimeId = `${task.id}-${this.account.digits(10)}`;
    }
    const svc = task.service;
    if (task.outcome) {
      const { container, exitCode, runMs } = task.outcome;
      this.#after(task, runMs, () => {
        const c = task.containers.find((x) => x.name === container)!;
        c.exitCode = exitCode;
        c.lastStatus = 'STOPPED';
        this.#stop(task, 'EssentialContainerExited', 'Essential container in task exited');
      });
    } else if (svc) {
      const failingHealth = this.#failureFor(task, 'health');
      const lbs = this.#lbsOf(task);
      const checked = lbs.length > 0 || task.taskDef.body.containerDefinitions!.some((c) => c.healthCheck);
      if (failingHealth && checked) {
        const wait = Math.max(this.timing.unhealthyAfterMs, svc.healthCheckGracePeriodSeconds * 1000);
        this.#after(task, wait, () => {
          const tg = lbs[0]?.targetGroupArn;
          const reason = tg ? `Task failed ELB health checks in (target-group ${tg})` : 'Task failed container health checks';
          this.#event(svc, tg ? `(service ${svc.name}) (port ${lbs[0].containerPort}) is unhealthy in (target-group ${tg}) due to (reason Health checks failed).` : `(service ${svc.name}) (task ${task.id}) failed container health checks.`);
          this.#stop(task, 'ServiceSchedulerInitiated', reason);
          this.#taskFailed(task);
        });
      } else if (lbs.length > 0 && !immediate) {
        this.#after(task, this.timing.healthyAfterMs, () => this.#becomeReady(task));
      } else {
        task.ready = true;
      }
    }
    if (task.ready && task.deployment) task.deployment.failedTasks = 0;
    this.#setStatus(task, 'RUNNING');
  }

  /** The target groups a service task registers in: its task set's (CODE_DEPLOY), else its service's. */
  #lbsOf(task: SimTask): LoadBalancer[] {
    return task.deployment?.loadBalancers ?? task.service?.loadBalancers ?? [];
  }

  #becomeReady(task: SimTask): void {
    task.ready = true;
    if (task.deployment) task.deployment.failedTasks = 0;
    this.#reconcile(task.service!);
  }

  #failStart(task: SimTask, reason: string): void {
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      c.reason ??= reason;
    }
    this.#stop(task, 'TaskFailedToStart', reason);
    this.#taskFailed(task);
  }

  /** Ends a task: DEACTIVATING (if registered) -> STOPPING -> DEPROVISIONING -> STOPPED. */
  #stop(task: SimTask, stopCode: string, reason: string): void {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = this.#now();
    task.ready = false;
    task.gen += 1;
    task.version += 1;
    const deprovision = () => {
      this.#setStatus(task, 'DEPROVISIONING');
      this.#after(task, this.timing.deprovisioningMs, () => this.#stopped(task));
    };
    const stopContainers = () => {
      this.#setStatus(task, 'STOPPING');
      this.#after(task, this.timing.stoppingMs, () => {
        for (const c of task.containers) {
          if (c.lastStatus === 'RUNNING') c.exitCode = 143; // SIGTERM
          c.lastStatus = 'STOPPED';
        }
        deprovision();
      });
    };
    this.#after(task, 0, () => {
      if (task.registered) {
        this.#setStatus(task, 'DEACTIVATING');
        for (const lb of this.#lbsOf(task)) {
          this.account.elbv2.deregisterTargets(lb.targetGroupArn!, [{ id: task.privateIp!, port: lb.containerPort! }]);
        }
        task.registered = false;
        this.#after(task, this.timing.deactivatingMs, stopContainers);
      } else if (task.lastStatus === 'ACTIVATING' || task.lastStatus === 'RUNNING') {
        stopContainers();
      } else {
        for (const c of task.containers) c.lastStatus = 'STOPPED';
        deprovision();
      }
    });
  }

  #stopped(task: SimTask): void {
    task.stoppedAt = this.#now();
    if (task.privateIp) this.#ips.delete(task.privateIp);
    this.#setStatus(task, 'STOPPED');
    this.#after(task, this.timing.stoppedRetentionMs, () => {
      this.#tasks.delete(task.arn);
      task.service?.tasks.delete(task);
    });
  }

  /** A service task failed (to start, or its health checks): the circuit breaker counts it. */
  #taskFailed(task: SimTask): void {
    const svc = task.service;
    const d = task.deployment;
    if (!svc || !d) return;
    d.failedTasks += 1;
    d.updatedAt = this.#now();
    const breaker = svc.deploymentConfiguration.deploymentCircuitBreaker;
    const threshold = Math.min(200, Math.max(3, Math.ceil(svc.desiredCount / 2)));
    if (!breaker?.enable || d !== svc.deployments[0] || d.rolloutState !== 'IN_PROGRESS' || d.failedTasks < threshold) return;
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    this.#event(svc, `(service ${svc.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`);
    const back = svc.lastCompleted;
    if (breaker.rollback && back) {
      d.status = 'ACTIVE';
      const rollback = this.#newDeployment(svc, back.taskDef, 'PRIMARY');
      rollback.images = new Map(back.images);
      rollback.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${back.id}.`;
      svc.deployments.unshift(rollback);
      this.#event(svc, `(service ${svc.name}) rolling back to deployment ${back.id}.`);
    }
    this.#reconcile(svc);
  }

  #resolveImage(uri: string): string | undefined {
    if (parseImageUri(uri).ecr) return this.account.ecr.resolve(uri);
    // Another registry: the sim cannot look it up, so it pretends the pull worked and gives it a stable digest.
    return `sha256:${createHash('sha256').update(uri).digest('hex')}`;
  }

  #failureFor(task: SimTask, kind: 'start' | 'health') {
    return this.#failures.findLast(
      (f) =>
        f.kind === kind &&
        ((f.match.taskDefinition !== undefined && taskDefMatches(task.taskDef, f.match.taskDefinition)) ||
          (f.match.image !== undefined && task.containers.some((c) => c.image === f.match.image)) ||
          (f.match.imageDigest !== undefined && task.containers.some((c) => c.imageDigest === f.match.imageDigest))),
    );
  }

  #outcomeFor(task: SimTask): SimTask['outcome'] {
    const essential = task.containers.find((c) => c.essential) ?? task.containers[0];
    for (const { match, outcome } of [...this.#outcomes].reverse()) {
      if (match.family !== undefined && match.family !== task.taskDef.family) continue;
      const container = task.containers.find(
        (c) =>
          (match.container === undefined || c.name === match.container) &&
          (match.command === undefined ||
            (match.command instanceof RegExp ? match.command.test((c.command ?? []).join(' ')) : stableJson(c.command ?? []) === stableJson(match.command))),
      );
      if (!container) continue;
      const chosen = match.container === undefined && match.command === undefined ? essential : container;
      return { container: chosen.name, exitCode: outcome.exitCode, runMs: outcome.runMs ?? this.timing.oneOffRunMs };
    }
    return { container: essential.name, exitCode: 0, runMs: this.timing.oneOffRunMs };
  }

  #allocateIp(): string {
    for (;;) {
      const ip = `10.0.${Math.floor(this.account.random() * 256)}.${1 + Math.floor(this.account.random() * 254)}`;
      if (!this.#ips.has(ip)) {
        this.#ips.add(ip);
        return ip;
      }
    }
  }

  // ============================================================================================
  // The service scheduler

  #newDeployment(svc: SimServiceRec, taskDef: SimTaskDef, status: SimDeployment['status']): SimDeployment {
    const id = `ecs-svc/${this.account.digits(19)}`;
    return {
      id,
      status,
      taskDef,
      desiredCount: svc.desiredCount,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: this.#now(),
      updatedAt: this.#now(),
      network: svc.network,
      launchType: svc.launchType ?? 'FARGATE',
      ...(svc.capacityProviderStrategy ? { capacityProviderStrategy: structuredClone(svc.capacityProviderStrategy) } : {}),
      platformVersion: svc.platformVersion,
      serviceConnectConfiguration: svc.serviceConnectConfiguration && structuredClone(svc.serviceConnectConfiguration),
      volumeConfigurations: svc.volumeConfigurations && structuredClone(svc.volumeConfigurations),
      images: new Map(),
    };
  }

  #serviceTasks(svc: SimServiceRec, d?: SimDeployment): SimTask[] {
    return [...svc.tasks].filter((t) => !d || t.deployment === d);
  }

  #counts(svc: SimServiceRec, d?: SimDeployment): { running: number; pending: number } {
    const live = this.#serviceTasks(svc, d).filter((t) => t.desiredStatus === 'RUNNING');
    return {
      running: live.filter((t) => t.lastStatus === 'RUNNING').length,
      pending: live.filter((t) => t.lastStatus !== 'RUNNING').length,
    };
  }

  /**
   * Brings a service one step closer to its desired state: starts the PRIMARY deployment's tasks
   * (within maximumPercent), stops older deployments' tasks (keeping minimumHealthyPercent
   * healthy), completes the rollout and records events. Called after every change that matters.
   */
  #reconcile(svc: SimServiceRec): void {
    if (svc.controller === 'EXTERNAL') return;
    const live = (d?: SimDeployment) => this.#serviceTasks(svc, d).filter((t) => t.desiredStatus === 'RUNNING');
    const stopped: SimTask[] = [];
    const stop = (t: SimTask, d: SimDeployment) => {
      this.#stop(t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${d.id})`);
      stopped.push(t);
    };

    if (svc.status !== 'ACTIVE') {
      for (const t of live()) stop(t, t.deployment!);
      this.#stoppedEvent(svc, stopped);
      if (svc.status === 'DRAINING' && !this.#serviceTasks(svc).some((t) => PRE_STOPPING.has(t.lastStatus))) svc.status = 'INACTIVE';
      return;
    }
    if (svc.controller === 'CODE_DEPLOY') return this.#reconcileTaskSets(svc);
    const primary = svc.deployments[0];
    if (!primary) return;
    const desired = svc.desiredCount;
    const { maximumPercent = 200, minimumHealthyPercent = 100 } = svc.deploymentConfiguration;

    // The primary deployment scales to the service's desired count.
    const started: SimTask[] = [];
    if (primary.rolloutState !== 'FAILED') {
      const mine = live(primary);
      if (mine.length > desired) {
        const byLeastUseful = [...mine].sort((a, b) => Number(a.ready) - Number(b.ready) || b.seq - a.seq);
        for (const t of byLeastUseful.slice(0, mine.length - desired)) stop(t, primary);
      }
      const room = Math.max(desired, Math.floor((desired * maximumPercent) / 100)) - live().length;
      for (let i = 0; i < Math.min(desired - mine.length, room); i++) started.push(this.#startServiceTask(svc, primary));
    }
    // Older deployments give way, keeping enough healthy tasks.
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    let healthy = live().filter((t) => t.ready).length;
    for (const d of svc.deployments.slice(1).reverse()) {
      for (const t of live(d)) {
        if (!t.ready) stop(t, d);
        else if (healthy - 1 >= minHealthy) {
          stop(t, d);
          healthy -= 1;
        }
      }
      d.desiredCount = live(d).length;
    }
    primary.desiredCount = desired;
    if (started.length) {
      this.#event(svc, `(service ${svc.name}) has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(' ')}.`);
    }
    this.#stoppedEvent(svc, stopped);

    // Done when the primary runs its count healthy and every older deployment has drained.
    const primaryReady = live(primary).filter((t) => t.ready).length;
    const drained = svc.deployments.slice(1).every((d) => !this.#serviceTasks(svc, d).some((t) => PRE_STOPPING.has(t.lastStatus)));
    if (primary.rolloutState === 'IN_PROGRESS' && primaryReady === desired && live(primary).length === desired && drained) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.updatedAt = this.#now();
      svc.deployments = [primary];
      svc.lastCompleted = primary;
      this.#event(svc, `(service ${svc.name}) (deployment ${primary.id}) deployment completed.`);
    }
    const steady = primary.rolloutState === 'COMPLETED' && svc.deployments.length === 1 && primaryReady === desired && live(primary).length === desired;
    if (steady && !svc.steady) this.#event(svc, `(service ${svc.name}) has reached a steady state.`);
    svc.steady = steady;
  }

  /**
   * CODE_DEPLOY services: every task set runs the service's desired count (scale 100%) until the
   * simulated CodeDeploy deletes it; nothing is rolled between task sets here.
   */
  #reconcileTaskSets(svc: SimServiceRec): void {
    const desired = svc.desiredCount;
    const started: SimTask[] = [];
    const stopped: SimTask[] = [];
    let steady = svc.deployments.length > 0;
    for (const d of svc.deployments) {
      const mine = this.#serviceTasks(svc, d).filter((t) => t.desiredStatus === 'RUNNING');
      if (mine.length > desired) {
        const byLeastUseful = [...mine].sort((a, b) => Number(a.ready) - Number(b.ready) || b.seq - a.seq);
        for (const t of byLeastUseful.slice(0, mine.length - desired)) {
          this.#stop(t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${d.id})`);
          stopped.push(t);
        }
      }
      for (let i = mine.length; i < desired; i++) started.push(this.#startServiceTask(svc, d));
      d.desiredCount = desired;
      const live = this.#serviceTasks(svc, d).filter((t) => t.desiredStatus === 'RUNNING');
      if (live.length !== desired || live.some((t) => !t.ready)) steady = false;
    }
    if (started.length) {
      this.#event(svc, `(service ${svc.name}) has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(' ')}.`);
    }
    this.#stoppedEvent(svc, stopped);
    if (steady && !svc.steady) this.#event(svc, `(service ${svc.name}) has reached a steady state.`);
    svc.steady = steady;
  }

  #startServiceTask(svc: SimServiceRec, d: SimDeployment): SimTask {
    return this.#startTask({
      cluster: svc.cluster,
      taskDef: d.taskDef,
      startedBy: d.id,
      group: `service:${svc.name}`,
      network: d.network,
      launchType: d.launchType,
      platformVersion: d.platformVersion,
      overrides: {},
      tags: svc.propagateTags === 'SERVICE' ? { ...svc.tags } : svc.propagateTags === 'TASK_DEFINITION' ? { ...d.taskDef.tags } : {},
      service: svc,
      deployment: d,
    });
  }

  #stoppedEvent(svc: SimServiceRec, stopped: SimTask[]): void {
    if (stopped.length) this.#event(svc, `(service ${svc.name}) has stopped ${stopped.length} running tasks: ${stopped.map((t) => `(task ${t.id})`).join(' ')}.`);
  }

  /** Fast-forwards a just-created service to steady state (fixtures). */
  #settle(svc: SimServiceRec): void {
    for (const t of this.#serviceTasks(svc)) {
      t.gen += 1; // cancels the scheduled lifecycle steps
      this.#activate(t, true);
      if (t.desiredStatus === 'RUNNING') this.#run(t, true);
      t.ready = t.desiredStatus === 'RUNNING' && !this.#failureFor(t, 'health');
    }
    this.#reconcile(svc);
  }

  #event(svc: SimServiceRec, message: string): void {
    const h = this.account.hex(32);
    svc.events.unshift({ id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`, createdAt: this.#now(), message });
    if (svc.events.length > 100) svc.events.length = 100;
  }

  // ============================================================================================
  // Rendering (SDK output shapes)

  #renderCluster(c: SimCluster, withTags: boolean): Cluster {
    const tasks = [...this.#tasks.values()].filter((t) => t.cluster === c && t.desiredStatus === 'RUNNING');
    return {
      clusterArn: c.arn,
      clusterName: c.name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
      activeServicesCount: [...this.#services.values()].filter((s) => s.cluster === c && s.status === 'ACTIVE').length,
      statistics: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [...c.capacityProviders],
      defaultCapacityProviderStrategy: [],
      ...(withTags ? { tags: toTagList(c.tags) } : {}),
    };
  }

  #renderTaskDef(td: SimTaskDef): TaskDefinition {
    return structuredClone({
      taskDefinitionArn: td.arn,
      ...td.body,
      revision: td.revision,
      status: td.status,
      registeredAt: new Date(td.registeredAt),
      ...(td.deregisteredAt !== undefined ? { deregisteredAt: new Date(td.deregisteredAt) } : {}),
    });
  }

  #renderDeployment(svc: SimServiceRec, d: SimDeployment): Deployment {
    const c = this.#counts(svc, d);
    return compact({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDef.arn,
      desiredCount: d.desiredCount,
      pendingCount: c.pending,
      runningCount: c.running,
      failedTasks: d.failedTasks,
      createdAt: new Date(d.createdAt),
      updatedAt: new Date(d.updatedAt),
      ...(d.capacityProviderStrategy ? { capacityProviderStrategy: structuredClone(d.capacityProviderStrategy) } : { launchType: d.launchType as Deployment['launchType'] }),
      platformVersion: d.platformVersion,
      platformFamily: 'Linux',
      networkConfiguration: d.network && structuredClone(d.network),
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
      serviceConnectConfiguration: d.serviceConnectConfiguration && structuredClone(d.serviceConnectConfiguration),
      volumeConfigurations: d.volumeConfigurations && structuredClone(d.volumeConfigurations),
    });
  }

  #renderTaskSet(svc: SimServiceRec, d: SimDeployment): TaskSet {
    const c = this.#counts(svc, d);
    return compact({
      id: d.id,
      taskSetArn: this.#arn(`task-set/${svc.cluster.name}/${svc.name}/${d.id}`),
      serviceArn: svc.arn,
      clusterArn: svc.cluster.arn,
      status: d.status,
      taskDefinition: d.taskDef.arn,
      computedDesiredCount: svc.desiredCount,
      pendingCount: c.pending,
      runningCount: c.running,
      createdAt: new Date(d.createdAt),
      updatedAt: new Date(d.updatedAt),
      launchType: d.launchType as TaskSet['launchType'],
      platformVersion: d.platformVersion,
      platformFamily: 'Linux',
      networkConfiguration: d.network && structuredClone(d.network),
      loadBalancers: structuredClone(d.loadBalancers ?? svc.loadBalancers),
      serviceRegistries: [],
      scale: { value: 100, unit: 'PERCENT' },
      stabilityStatus: this.#taskSetSteady(svc, d) ? 'STEADY_STATE' : 'STABILIZING',
      stabilityStatusAt: new Date(d.updatedAt),
    });
  }

  #taskSetSteady(svc: SimServiceRec, d: SimDeployment): boolean {
    const live = this.#serviceTasks(svc, d).filter((t) => t.desiredStatus === 'RUNNING');
    return live.length === svc.desiredCount && live.every((t) => t.ready && t.lastStatus === 'RUNNING');
  }

  #renderService(svc: SimServiceRec, withTags: boolean): Service {
    const counts = this.#counts(svc);
    const primary = svc.deployments[0];
    const ecs = svc.controller === 'ECS';
    return compact({
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: svc.cluster.arn,
      loadBalancers: structuredClone(svc.loadBalancers),
      serviceRegistries: structuredClone(svc.serviceRegistries),
      status: svc.status,
      desiredCount: svc.desiredCount,
      runningCount: counts.running,
      pendingCount: counts.pending,
      launchType: svc.launchType as Service['launchType'],
      capacityProviderStrategy: svc.capacityProviderStrategy && structuredClone(svc.capacityProviderStrategy),
      platformVersion: svc.platformVersion,
      platformFamily: 'Linux',
      taskDefinition: primary?.taskDef.arn,
      deploymentConfiguration: structuredClone(svc.deploymentConfiguration),
      ...(ecs ? {} : { taskSets: svc.controller === 'CODE_DEPLOY' ? svc.deployments.map((d) => this.#renderTaskSet(svc, d)) : [] }),
      deployments: ecs ? svc.deployments.map((d) => this.#renderDeployment(svc, d)) : [],
      events: svc.events.map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
      createdAt: new Date(svc.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: svc.network && structuredClone(svc.network),
      healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
      schedulingStrategy: 'REPLICA',
      ...(ecs ? {} : { deploymentController: { type: svc.controller } }),
      createdBy: `arn:aws:iam::${this.account.accountId}:role/steady-controller`,
      enableECSManagedTags: svc.enableECSManagedTags,
      propagateTags: svc.propagateTags as Service['propagateTags'],
      enableExecuteCommand: svc.enableExecuteCommand,
      availabilityZoneRebalancing: svc.availabilityZoneRebalancing as Service['availabilityZoneRebalancing'],
      ...(withTags ? { tags: toTagList(svc.tags) } : {}),
    });
  }

  #renderTask(t: SimTask, withTags: boolean): Task {
    const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
    const subnet = t.network?.awsvpcConfiguration?.subnets?.[0];
    const attachmentId = t.eniId ? `${t.id.slice(0, 8)}-${t.id.slice(8, 12)}-${t.id.slice(12, 16)}-${t.id.slice(16, 20)}-${t.id.slice(20)}` : undefined;
    return compact({
      attachments: t.eniId
        ? [
            {
              id: attachmentId,
              type: 'ElasticNetworkInterface',
              status: t.lastStatus === 'STOPPED' ? 'DELETED' : t.lastStatus === 'PROVISIONING' ? 'PRECREATED' : 'ATTACHED',
              details: [
                { name: 'subnetId', value: subnet },
                { name: 'networkInterfaceId', value: t.eniId },
                { name: 'privateIPv4Address', value: t.privateIp },
              ],
            },
          ]
        : [],
      availabilityZone: `${this.account.region}a`,
      clusterArn: t.cluster.arn,
      containers: t.containers.map((c) =>
        compact({
          containerArn: this.#arn(`container/${t.cluster.name}/${t.id}/${createHash('sha256').update(t.id + c.name).digest('hex').slice(0, 32)}`),
          taskArn: t.arn,
          name: c.name,
          image: c.image,
          imageDigest: c.imageDigest,
          runtimeId: c.runtimeId,
          lastStatus: c.lastStatus,
          exitCode: c.exitCode,
          reason: c.reason,
          networkInterfaces: t.privateIp ? [{ attachmentId, privateIpv4Address: t.privateIp }] : [],
          healthStatus: 'UNKNOWN',
          cpu: '0',
        }),
      ),
      cpu: t.taskDef.body.cpu,
      memory: t.taskDef.body.memory,
      createdAt: new Date(t.createdAt),
      desiredStatus: t.desiredStatus,
      enableExecuteCommand: false,
      group: t.group,
      healthStatus: 'UNKNOWN',
      lastStatus: t.lastStatus,
      launchType: t.launchType as Task['launchType'],
      overrides: structuredClone(t.overrides),
      platformVersion: t.platformVersion === 'LATEST' ? '1.4.0' : t.platformVersion,
      platformFamily: 'Linux',
      pullStartedAt: date(t.pullStartedAt),
      pullStoppedAt: date(t.pullStoppedAt),
      startedAt: date(t.startedAt),
      startedBy: t.startedBy,
      stopCode: t.stopCode as Task['stopCode'],
      stoppedAt: date(t.stoppedAt),
      stoppedReason: t.stoppedReason,
      stoppingAt: date(t.stoppingAt),
      executionStoppedAt: date(t.stoppedAt),
      taskArn: t.arn,
      taskDefinitionArn: t.taskDef.arn,
      version: t.version,
      ephemeralStorage: { sizeInGiB: 20 },
      ...(withTags ? { tags: toTagList(t.tags) } : {}),
    });
  }
}

// ============================================================================================
// Helpers

const invalidToken = () => awsError(InvalidParameterException, 'Invalid nextToken.');

function includes(input: { include?: string[] }, what: string): boolean {
  return (input.include ?? []).includes(what);
}

/** `service/cluster/name`, an ARN, or a name -> the last path segment. */
function lastSegment(ref: string): string {
  return ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
}

function tagsFrom(list: Tag[] | undefined): Tags {
  const tags: Tags = {};
  for (const t of list ?? []) {
    const key = t.key ?? '';
    if (key.length < 1 || key.length > 128) throw awsError(InvalidParameterException, 'Tag keys must be between 1 and 128 characters.');
    if ((t.value ?? '').length > 256) throw awsError(InvalidParameterException, 'Tag values must be at most 256 characters.');
    tags[key] = t.value ?? '';
  }
  checkTagCount(tags);
  return tags;
}

function checkTagCount(tags: Tags): void {
  if (Object.keys(tags).length > 50) throw awsError(InvalidParameterException, 'A resource can have at most 50 tags.');
}

function toTagList(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

function taskDefMatches(td: SimTaskDef, ref: string): boolean {
  return ref === td.arn || ref === `${td.family}:${td.revision}` || ref === td.family;
}

/** `"1 vCPU"` -> `"1024"`, `"0.5GB"` -> `"512"`; plain numbers stay as they are. */
function normaliseUnits(value: string, unit: 'vcpu' | 'gb'): string {
  const m = new RegExp(`^\\s*(\\d+(?:\\.\\d+)?)\\s*${unit}\\s*$`, 'i').exec(value);
  return m ? String(Math.round(Number(m[1]) * 1024)) : value.trim();
}

/** The Fargate task sizes (CPU units -> memory MiB) AWS accepts. */
function validFargateSize(cpu: number, memory: number): boolean {
  const between = (lo: number, hi: number, step: number) => memory >= lo && memory <= hi && (memory - lo) % step === 0;
  switch (cpu) {
    case 256:
      return [512, 1024, 2048].includes(memory);
    case 512:
      return between(1024, 4096, 1024);
    case 1024:
      return between(2048, 8192, 1024);
    case 2048:
      return between(4096, 16384, 1024);
    case 4096:
      return between(8192, 30720, 1024);
    case 8192:
      return between(16384, 61440, 4096);
    case 16384:
      return between(32768, 122880, 8192);
    default:
      return false;
  }
}

/**
 * A service's deployment configuration as ECS keeps it: the whole object sent, with the defaults
 * of a REPLICA service filled (200 % / 100 %, no circuit breaker).
 */
function deploymentConfigurationOf(dc: DeploymentConfiguration | undefined): DeploymentConfiguration {
  const breaker = dc?.deploymentCircuitBreaker;
  return compact({
    ...structuredClone(dc ?? {}),
    deploymentCircuitBreaker: { enable: breaker?.enable ?? false, rollback: breaker?.rollback ?? false },
    maximumPercent: dc?.maximumPercent ?? 200,
    minimumHealthyPercent: dc?.minimumHealthyPercent ?? 100,
  });
}

/** FireLens needs both halves: a log router and a container that logs through it (obs). */
function checkFirelens(defs: ContainerDefinition[]): void {
  const router = defs.some((c) => c.firelensConfiguration);
  const routed = defs.some((c) => c.logConfiguration?.logDriver === 'awsfirelens');
  if (routed && !router) {
    throw awsError(ClientException, 'When awsfirelens log driver is specified in log configuration, a firelens configuration object must be configured in one of the containers.');
  }
  if (router && !routed) {
    throw awsError(ClientException, 'When a firelensConfiguration object is specified, at least one container has to be configured with the awsfirelens log driver.');
  }
}

/** Parameters a task definition that requires FARGATE cannot have (ECS developer guide, "task definition differences for Fargate"). */
function checkFargateOnly(input: RegisterTaskDefinitionCommandInput): void {
  const refuse = () => awsError(ClientException, 'Task definition does not support launch_type FARGATE.');
  if (input.ipcMode || input.placementConstraints?.length || input.inferenceAccelerators?.length || (input.pidMode && input.pidMode !== 'task')) throw refuse();
  for (const v of input.volumes ?? []) if (v.dockerVolumeConfiguration || v.host?.sourcePath) throw refuse();
  for (const c of input.containerDefinitions ?? []) {
    if (c.privileged || c.links?.length || c.hostname || c.disableNetworking || c.dnsServers?.length || c.dnsSearchDomains?.length || c.extraHosts?.length) throw refuse();
    if (c.dockerSecurityOptions?.length || c.resourceRequirements?.length) throw refuse();
    const lp = c.linuxParameters;
    if (lp && (lp.devices?.length || lp.tmpfs?.length || lp.sharedMemorySize !== undefined || lp.maxSwap !== undefined || lp.swappiness !== undefined)) throw refuse();
    if ((lp?.capabilities?.add ?? []).some((cap) => cap !== 'SYS_PTRACE')) throw refuse();
    if (c.logConfiguration && !['awslogs', 'splunk', 'awsfirelens'].includes(c.logConfiguration.logDriver ?? '')) throw refuse();
  }
  const size = input.ephemeralStorage?.sizeInGiB;
  if (size !== undefined && (size < 21 || size > 200)) throw awsError(ClientException, 'The ephemeral storage size must be between 21 and 200 GiB.');
}

/** Mount points name volumes of the task definition; EFS authorization needs transit encryption. */
function checkVolumes(input: RegisterTaskDefinitionCommandInput): void {
  const names = new Set((input.volumes ?? []).map((v) => v.name));
  for (const c of input.containerDefinitions ?? []) {
    for (const m of c.mountPoints ?? []) {
      if (!names.has(m.sourceVolume)) throw awsError(ClientException, `Invalid 'mountPoints' setting for container '${c.name}': sourceVolume '${m.sourceVolume ?? ''}' is not a volume of the task definition.`);
    }
  }
  for (const v of input.volumes ?? []) {
    const efs = v.efsVolumeConfiguration;
    const auth = efs?.authorizationConfig;
    if ((auth?.iam === 'ENABLED' || auth?.accessPointId) && efs?.transitEncryption !== 'ENABLED') {
      throw awsError(ClientException, `Transit encryption must be enabled for volume '${v.name ?? ''}' when using EFS IAM authorization or an access point.`);
    }
  }
}

/** A container definition as DescribeTaskDefinition returns it: ECS fills these defaults. */
function containerWithDefaults(c: ContainerDefinition, networkMode: string): ContainerDefinition {
  return {
    ...structuredClone(c),
    ...(c.healthCheck
      ? { healthCheck: { ...structuredClone(c.healthCheck), interval: c.healthCheck.interval ?? 30, timeout: c.healthCheck.timeout ?? 5, retries: c.healthCheck.retries ?? 3 } }
      : {}),
    cpu: c.cpu ?? 0,
    portMappings: (c.portMappings ?? []).map((p) => ({
      ...p,
      hostPort: p.hostPort ?? (networkMode === 'awsvpc' ? p.containerPort : 0),
      protocol: p.protocol ?? 'tcp',
    })),
    essential: c.essential ?? true,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    systemControls: c.systemControls ?? [],
  };
}

/** Drops undefined fields, as the SDK's deserializer never produces them. */
function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
