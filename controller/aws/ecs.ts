/**
 * The ECS adapter: the only place steady calls Amazon ECS. Reads are batched to the API maxima
 * (DescribeServices 10, DescribeTasks 100) and paged to the end; task-definition revisions, which
 * never change, are described once per ARN and cached for as long as the SDK client lives (a warm
 * Lambda reuses it across invocations). Every failure becomes an `AwsCallError` that says
 * what was being done and keeps the AWS error name.
 */
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type Deployment,
  type DeploymentConfiguration,
  type ECSClient,
  type NetworkConfiguration,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mapLimit } from '../concurrency.js';
import { AwsCallError, awsCall } from '../errors.js';
import type {
  EcsCluster,
  EcsDeployment,
  EcsLoadBalancerBinding,
  EcsNetwork,
  EcsService,
  EcsTask,
  EcsTaskDefinition,
  Tags,
} from '../model/aws.js';
import { canonicalAlarms, canonicalExtras, EXTRA_SETTINGS, type EcsServiceExtras } from '../model/service-settings.js';
import { canonicalTaskDefinition, type TaskDefinitionContent } from '../model/taskdef.js';

// ------------------------------------------------------------------------------------ requests

/** What steady creates a service with (Fargate, awsvpc); with a capacity provider strategy, no launch type. */
export interface CreateServiceRequest extends EcsServiceExtras {
  cluster: string;
  name: string;
  taskDefinitionArn: string;
  desiredCount: number;
  network: EcsNetwork;
  loadBalancers?: EcsLoadBalancerBinding[];
  /** Default `FARGATE`. */
  launchType?: string;
  platformVersion?: string;
  /** Default `ECS`. */
  deploymentController?: EcsService['deploymentController'];
  deploymentConfiguration?: EcsService['deploymentConfiguration'];
  healthCheckGracePeriodSeconds?: number;
  tags?: Tags;
}

/** The fields of a service steady changes. Omitted fields stay as they are. */
export interface UpdateServiceChanges extends EcsServiceExtras {
  taskDefinitionArn?: string;
  desiredCount?: number;
  network?: EcsNetwork;
  loadBalancers?: EcsLoadBalancerBinding[];
  platformVersion?: string;
  deploymentConfiguration?: EcsService['deploymentConfiguration'];
  healthCheckGracePeriodSeconds?: number;
  /** Redeploys the same revision (and re-resolves image tags). */
  forceNewDeployment?: boolean;
}

/** A one-off task (a migration). */
export interface RunTaskRequest {
  cluster: string;
  /** ARN, `family:revision` or `family`. */
  taskDefinition: string;
  network?: EcsNetwork;
  count?: number;
  startedBy?: string;
  group?: string;
  overrides?: { containerName: string; command?: string[]; environment?: Record<string, string> }[];
  /** Makes a retried RunTask start nothing new (same token, same parameters). */
  clientToken?: string;
  tags?: Tags;
  propagateTags?: 'TASK_DEFINITION' | 'NONE';
  launchType?: string;
  platformVersion?: string;
}

/** ListTasks filters. `desiredStatus` defaults to RUNNING, as in ECS. */
export interface ListTasksFilter {
  startedBy?: string;
  family?: string;
  serviceName?: string;
  desiredStatus?: 'RUNNING' | 'STOPPED';
}

// ------------------------------------------------------------------------------------ the cache

/**
 * Task-definition revisions by ARN. A revision's content never changes, so one describe per ARN
 * is enough; its `status` is as first seen (a later deregistration is not noticed through the
 * cache) and tags are never cached. Least recently used entries go first beyond `capacity`.
 */
export class TaskDefinitionCache {
  readonly #entries = new Map<string, EcsTaskDefinition>();
  readonly #reserved = new Map<string, number>();
  #capacity: number;

  // Room for every revision a pass reads: the services' current revisions, the migrations' latest
  // ones and the revisions searched for a match. A fixed size either wastes memory or, as 5,000 did
  // at 5,000 services, evicts an environment's own revisions every pass: observe reserves what each
  // environment needs (`reserve`), and the capacity is their sum over a floor.
  constructor(readonly floor = 1000) {
    this.#capacity = floor;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Sets what `environment` needs; the capacity becomes the floor or the sum of the needs, whichever is larger. */
  reserve(environment: string, entries: number): void {
    this.#reserved.set(environment, entries);
    this.#capacity = Math.max(this.floor, [...this.#reserved.values()].reduce((a, b) => a + b, 0));
  }

  get(arn: string): EcsTaskDefinition | undefined {
    const hit = this.#entries.get(arn);
    if (hit) {
      this.#entries.delete(arn);
      this.#entries.set(arn, hit);
    }
    return hit;
  }

  set(td: EcsTaskDefinition): void {
    const { tags: _tags, ...content } = td;
    this.#entries.delete(td.arn);
    this.#entries.set(td.arn, content);
    while (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

// The default cache belongs to the SDK client: adapters built on one client share it, and it lives
// as long as the client does, so a Lambda that makes its clients once per container keeps it across
// warm invocations. Keying by ARN alone across clients could mix two accounts' (or two simulated
// accounts') revisions that happen to share an ARN.
const cacheByClient = new WeakMap<ECSClient, TaskDefinitionCache>();

/** The task-definition cache shared by every EcsAdapter built on `client`. */
export function taskDefinitionCacheOf(client: ECSClient): TaskDefinitionCache {
  let cache = cacheByClient.get(client);
  if (!cache) cacheByClient.set(client, (cache = new TaskDefinitionCache()));
  return cache;
}

const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;

// ------------------------------------------------------------------------------------ adapter

/**
 * Amazon ECS as steady uses it, returning `model/aws.ts` types. Task definitions are cached per
 * SDK client (see `taskDefinitionCacheOf`) unless a cache is given.
 *
 * @example
 * const ecs = new EcsAdapter(createAwsClients({ region }).ecs);
 * const { services, missing } = await ecs.describeServices('shop-prod', ['api', 'worker']);
 */
export class EcsAdapter {
  readonly #client: ECSClient;
  readonly #cache: TaskDefinitionCache;

  constructor(client: ECSClient, options: { cache?: TaskDefinitionCache } = {}) {
    this.#client = client;
    this.#cache = options.cache ?? taskDefinitionCacheOf(client);
  }

  /** A revision already in the cache (no call), or undefined. */
  cachedTaskDefinition(arn: string): EcsTaskDefinition | undefined {
    return this.#cache.get(arn);
  }

  /** Puts a revision whose content is known without describing it into the cache (see observe/service.ts). */
  rememberTaskDefinition(td: EcsTaskDefinition): void {
    this.#cache.set(td);
  }

  /**
   * Makes room in the cache for `revisions` revisions of `environment` (the cache holds the
   * revisions of every environment these adapters serve, plus a margin), so that a large
   * environment does not evict its own revisions every pass.
   */
  reserveTaskDefinitions(environment: string, revisions: number): void {
    this.#cache.reserve(environment, revisions);
  }

  /** The cluster, or undefined when ECS reports it MISSING. */
  async describeCluster(cluster: string): Promise<EcsCluster | undefined> {
    const out = await this.#call('DescribeClusters', `describing cluster ${cluster}`, () =>
      this.#client.send(new DescribeClustersCommand({ clusters: [cluster], include: ['TAGS'] })),
    );
    const c = out.clusters?.[0];
    return c ? { arn: c.clusterArn!, name: c.clusterName!, status: c.status!, tags: fromTags(c.tags) } : undefined;
  }

  /** Services by name or ARN, 10 per DescribeServices call; names ECS reports MISSING come back in `missing`. */
  async describeServices(cluster: string, names: string[]): Promise<{ services: EcsService[]; missing: string[] }> {
    // A few batches at a time: fast for large environments, gentle on ECS's rate limits.
    const pages = await mapLimit(chunks(unique(names), 10), 4, async (batch) => {
      const out = await this.#call('DescribeServices', `describing services ${batch.join(', ')} in cluster ${cluster}`, () =>
        this.#client.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] })),
      );
      const found = (out.services ?? []).map(toService);
      return { found, missing: batch.filter((ref) => !found.some((s) => s.name === ref || s.arn === ref)) };
    });
    return { services: pages.flatMap((p) => p.found), missing: pages.flatMap((p) => p.missing) };
  }

  /** ARNs of the cluster's ACTIVE services, every page. */
  async listServices(cluster: string): Promise<string[]> {
    return this.#pages('ListServices', `listing services in cluster ${cluster}`, async (nextToken) => {
      const out = await this.#client.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken }));
      return { items: out.serviceArns ?? [], nextToken: out.nextToken };
    });
  }

  /**
   * A task definition by ARN, `family:revision` or `family` (latest ACTIVE revision); undefined
   * when ECS cannot find it. A full ARN is served from the cache after its first describe; with
   * `tags` the call is always made, because tags change.
   */
  async describeTaskDefinition(ref: string, options: { tags?: boolean } = {}): Promise<EcsTaskDefinition | undefined> {
    if (!options.tags && TASK_DEFINITION_ARN.test(ref)) {
      const hit = this.#cache.get(ref);
      if (hit) return hit;
    }
    try {
      const out = await this.#call('DescribeTaskDefinition', `describing task definition ${ref}`, () =>
        this.#client.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, ...(options.tags ? { include: ['TAGS'] } : {}) })),
      );
      const td = toTaskDefinition(out.taskDefinition!);
      this.#cache.set(td);
      return options.tags ? { ...td, tags: fromTags(out.tags) } : td;
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'ClientException' && /Unable to describe task definition/.test(err.message)) return undefined;
      throw err;
    }
  }

  /** Task-definition ARNs of one family, every page (`sort` DESC: newest first). */
  async listTaskDefinitions(family: string, options: { status?: 'ACTIVE' | 'INACTIVE'; sort?: 'ASC' | 'DESC' } = {}): Promise<string[]> {
    return this.#pages('ListTaskDefinitions', `listing task definitions of family ${family}`, async (nextToken) => {
      const out = await this.#client.send(
        new ListTaskDefinitionsCommand({ familyPrefix: family, status: options.status ?? 'ACTIVE', sort: options.sort ?? 'ASC', maxResults: 100, nextToken }),
      );
      return { items: out.taskDefinitionArns ?? [], nextToken: out.nextToken };
    });
  }

  /**
   * Registers `content` as the family's next revision, with `tags`. The content is sent whole, every
   * field as it is: what is registered is exactly what the plan compared.
   */
  async registerTaskDefinition(content: TaskDefinitionContent, tags: Tags = {}): Promise<EcsTaskDefinition> {
    const out = await this.#call('RegisterTaskDefinition', `registering a revision of task definition family ${content.family}`, () =>
      this.#client.send(
        new RegisterTaskDefinitionCommand({
          ...(structuredClone(content) as unknown as RegisterTaskDefinitionCommandInput),
          ...(Object.keys(tags).length ? { tags: toTags(tags) } : {}),
        }),
      ),
    );
    const td = toTaskDefinition(out.taskDefinition!);
    this.#cache.set(td);
    return { ...td, tags: fromTags(out.tags) };
  }

  async createService(request: CreateServiceRequest): Promise<EcsService> {
    const out = await this.#call('CreateService', `creating service ${request.name} in cluster ${request.cluster}`, () =>
      this.#client.send(
        new CreateServiceCommand({
          cluster: request.cluster,
          serviceName: request.name,
          taskDefinition: request.taskDefinitionArn,
          desiredCount: request.desiredCount,
          // ECS takes a launch type or a capacity provider strategy, never both.
          ...(request.capacityProviderStrategy ? {} : { launchType: (request.launchType ?? 'FARGATE') as Service['launchType'] }),
          ...extrasOf(request),
          platformVersion: request.platformVersion,
          networkConfiguration: toNetworkConfiguration(request.network),
          loadBalancers: request.loadBalancers,
          deploymentController: { type: request.deploymentController ?? 'ECS' },
          deploymentConfiguration: toDeploymentConfiguration(request.deploymentConfiguration),
          healthCheckGracePeriodSeconds: request.healthCheckGracePeriodSeconds,
          ...(request.tags && Object.keys(request.tags).length ? { tags: toTags(request.tags) } : {}),
        }),
      ),
    );
    return toService(out.service!);
  }

  async updateService(cluster: string, name: string, changes: UpdateServiceChanges): Promise<EcsService> {
    const out = await this.#call('UpdateService', `updating service ${name} in cluster ${cluster}`, () =>
      this.#client.send(
        new UpdateServiceCommand({
          cluster,
          service: name,
          taskDefinition: changes.taskDefinitionArn,
          desiredCount: changes.desiredCount,
          networkConfiguration: changes.network && toNetworkConfiguration(changes.network),
          loadBalancers: changes.loadBalancers,
          platformVersion: changes.platformVersion,
          deploymentConfiguration: toDeploymentConfiguration(changes.deploymentConfiguration),
          healthCheckGracePeriodSeconds: changes.healthCheckGracePeriodSeconds,
          forceNewDeployment: changes.forceNewDeployment,
          ...extrasOf(changes),
        }),
      ),
    );
    return toService(out.service!);
  }

  /** Starts one-off tasks; `failures` lists tasks ECS could not place. */
  async runTask(request: RunTaskRequest): Promise<{ tasks: EcsTask[]; failures: { arn?: string; reason: string; detail?: string }[] }> {
    const out = await this.#call('RunTask', `running a task of ${request.taskDefinition} in cluster ${request.cluster}`, () =>
      this.#client.send(
        new RunTaskCommand({
          cluster: request.cluster,
          taskDefinition: request.taskDefinition,
          count: request.count,
          launchType: (request.launchType ?? 'FARGATE') as Task['launchType'],
          platformVersion: request.platformVersion,
          networkConfiguration: request.network && toNetworkConfiguration(request.network),
          startedBy: request.startedBy,
          group: request.group,
          clientToken: request.clientToken,
          propagateTags: request.propagateTags,
          ...(request.tags && Object.keys(request.tags).length ? { tags: toTags(request.tags) } : {}),
          ...(request.overrides?.length
            ? {
                overrides: {
                  containerOverrides: request.overrides.map((o) => ({
                    name: o.containerName,
                    ...(o.command ? { command: o.command } : {}),
                    ...(o.environment ? { environment: Object.entries(o.environment).map(([name, value]) => ({ name, value })) } : {}),
                  })),
                },
              }
            : {}),
        }),
      ),
    );
    return {
      tasks: (out.tasks ?? []).map(toTask),
      failures: (out.failures ?? []).map((f) => ({ ...(f.arn ? { arn: f.arn } : {}), reason: f.reason ?? 'unknown', ...(f.detail ? { detail: f.detail } : {}) })),
    };
  }

  /** Tasks by ARN or id, 100 per DescribeTasks call; tasks ECS no longer knows come back in `missing`. */
  async describeTasks(cluster: string, tasks: string[]): Promise<{ tasks: EcsTask[]; missing: string[] }> {
    const found: EcsTask[] = [];
    const missing: string[] = [];
    for (const batch of chunks(unique(tasks), 100)) {
      const out = await this.#call('DescribeTasks', `describing ${batch.length} tasks in cluster ${cluster}`, () =>
        this.#client.send(new DescribeTasksCommand({ cluster, tasks: batch, include: ['TAGS'] })),
      );
      const mapped = (out.tasks ?? []).map(toTask);
      found.push(...mapped);
      missing.push(...batch.filter((ref) => !mapped.some((t) => t.arn === ref || t.arn.endsWith(`/${ref}`))));
    }
    return { tasks: found, missing };
  }

  /** Task ARNs matching `filter`, every page. */
  async listTasks(cluster: string, filter: ListTasksFilter = {}): Promise<string[]> {
    return this.#pages('ListTasks', `listing tasks in cluster ${cluster}`, async (nextToken) => {
      const out = await this.#client.send(new ListTasksCommand({ cluster, ...filter, maxResults: 100, nextToken }));
      return { items: out.taskArns ?? [], nextToken: out.nextToken };
    });
  }

  async stopTask(cluster: string, task: string, reason?: string): Promise<EcsTask> {
    const out = await this.#call('StopTask', `stopping task ${task} in cluster ${cluster}`, () =>
      this.#client.send(new StopTaskCommand({ cluster, task, reason })),
    );
    return toTask(out.task!);
  }

  /** Adds or overwrites tags on a cluster, service, task definition or task. */
  async tagResource(arn: string, tags: Tags): Promise<void> {
    await this.#call('TagResource', `tagging ${arn}`, () => this.#client.send(new TagResourceCommand({ resourceArn: arn, tags: toTags(tags) })));
  }

  async untagResource(arn: string, keys: string[]): Promise<void> {
    await this.#call('UntagResource', `untagging ${keys.join(', ')} from ${arn}`, () => this.#client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: keys })));
  }

  async listTagsForResource(arn: string): Promise<Tags> {
    const out = await this.#call('ListTagsForResource', `listing tags of ${arn}`, () => this.#client.send(new ListTagsForResourceCommand({ resourceArn: arn })));
    return fromTags(out.tags);
  }

  #call<T>(operation: string, doing: string, fn: () => Promise<T>): Promise<T> {
    return awsCall('ecs', operation, doing, fn);
  }

  async #pages(operation: string, doing: string, fetch: (nextToken?: string) => Promise<{ items: string[]; nextToken?: string }>): Promise<string[]> {
    const all: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#call(operation, doing, () => fetch(nextToken));
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }
}

// ------------------------------------------------------------------------------------ mapping

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

const time = (d: Date | undefined) => (d ? d.getTime() : undefined);

function fromTags(tags: Tag[] | undefined): Tags {
  return Object.fromEntries((tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}

function toTags(tags: Tags): Tag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function toNetworkConfiguration(n: EcsNetwork): NetworkConfiguration {
  return { awsvpcConfiguration: { subnets: n.subnets, securityGroups: n.securityGroups, assignPublicIp: n.assignPublicIp } };
}

/** The settings of `EcsServiceExtras` that are set, as the SDK takes them. */
function extrasOf(settings: EcsServiceExtras): Partial<CreateServiceCommandInput> {
  const out: Record<string, unknown> = {};
  for (const field of EXTRA_SETTINGS) if (settings[field] !== undefined) out[field] = structuredClone(settings[field]);
  return out as Partial<CreateServiceCommandInput>;
}

/** The fields of ECS's deploymentConfiguration steady models; the rest travels as `unmodelled`. */
const MODELLED_DEPLOYMENT_FIELDS = ['minimumHealthyPercent', 'maximumPercent', 'deploymentCircuitBreaker', 'alarms'];

function toDeploymentConfiguration(c: EcsService['deploymentConfiguration'] | undefined): DeploymentConfiguration | undefined {
  if (!c) return undefined;
  return {
    ...(c.unmodelled as DeploymentConfiguration | undefined),
    ...(c.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: c.minimumHealthyPercent } : {}),
    ...(c.maximumPercent !== undefined ? { maximumPercent: c.maximumPercent } : {}),
    ...(c.circuitBreaker ? { deploymentCircuitBreaker: { enable: c.circuitBreaker.enable, rollback: c.circuitBreaker.rollback } } : {}),
    ...(c.alarms ? { alarms: structuredClone(c.alarms) } : {}),
  };
}

function unmodelledOf(dc: DeploymentConfiguration | undefined): { unmodelled?: Record<string, unknown> } {
  const rest = Object.fromEntries(Object.entries(dc ?? {}).filter(([k, v]) => !MODELLED_DEPLOYMENT_FIELDS.includes(k) && v !== undefined));
  return Object.keys(rest).length > 0 ? { unmodelled: rest } : {};
}

function toNetwork(c: NetworkConfiguration | undefined): EcsNetwork | undefined {
  const v = c?.awsvpcConfiguration;
  if (!v) return undefined;
  return { subnets: [...(v.subnets ?? [])].sort(), securityGroups: [...(v.securityGroups ?? [])].sort(), assignPublicIp: v.assignPublicIp ?? 'DISABLED' };
}

function toDeployment(d: Deployment): EcsDeployment {
  return {
    id: d.id!,
    status: d.status as EcsDeployment['status'],
    taskDefinitionArn: d.taskDefinition!,
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    ...(d.rolloutState ? { rolloutState: d.rolloutState as EcsDeployment['rolloutState'] } : {}),
    ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
    createdAt: time(d.createdAt) ?? 0,
    updatedAt: time(d.updatedAt) ?? 0,
  };
}

function toService(s: Service): EcsService {
  const breaker = s.deploymentConfiguration?.deploymentCircuitBreaker;
  const network = toNetwork(s.networkConfiguration);
  const alarms = canonicalAlarms(s.deploymentConfiguration?.alarms);
  // Service Connect and EBS volumes are reported on the deployments only.
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
  return {
    ...canonicalExtras({
      capacityProviderStrategy: s.capacityProviderStrategy,
      enableExecuteCommand: s.enableExecuteCommand,
      propagateTags: s.propagateTags,
      enableECSManagedTags: s.enableECSManagedTags,
      availabilityZoneRebalancing: s.availabilityZoneRebalancing,
      serviceRegistries: s.serviceRegistries,
      serviceConnectConfiguration: primary?.serviceConnectConfiguration,
      volumeConfigurations: primary?.volumeConfigurations,
    }),
    arn: s.serviceArn!,
    name: s.serviceName!,
    clusterArn: s.clusterArn!,
    status: s.status as EcsService['status'],
    taskDefinitionArn: s.taskDefinition ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    ...(s.launchType ? { launchType: s.launchType } : {}),
    ...(s.platformVersion ? { platformVersion: s.platformVersion } : {}),
    deploymentController: (s.deploymentController?.type ?? 'ECS') as EcsService['deploymentController'],
    deployments: (s.deployments ?? []).map(toDeployment).sort((a, b) => b.createdAt - a.createdAt),
    loadBalancers: (s.loadBalancers ?? [])
      .map((lb) => ({ targetGroupArn: lb.targetGroupArn ?? '', containerName: lb.containerName ?? '', containerPort: lb.containerPort ?? 0 }))
      .sort((a, b) => a.targetGroupArn.localeCompare(b.targetGroupArn)),
    ...(network ? { network } : {}),
    deploymentConfiguration: {
      ...(s.deploymentConfiguration?.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: s.deploymentConfiguration.minimumHealthyPercent } : {}),
      ...(s.deploymentConfiguration?.maximumPercent !== undefined ? { maximumPercent: s.deploymentConfiguration.maximumPercent } : {}),
      ...(breaker ? { circuitBreaker: { enable: breaker.enable ?? false, rollback: breaker.rollback ?? false } } : {}),
      ...(alarms ? { alarms } : {}),
      ...unmodelledOf(s.deploymentConfiguration),
    },
    ...(s.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds } : {}),
    ...(s.taskSets
      ? {
          taskSets: s.taskSets.map((t) => ({
            id: t.id!,
            status: t.status!,
            taskDefinitionArn: t.taskDefinition!,
            ...(t.externalId ? { externalId: t.externalId } : {}),
          })),
        }
      : {}),
    tags: fromTags(s.tags),
    events: (s.events ?? []).map((e) => ({ createdAt: time(e.createdAt) ?? 0, message: e.message ?? '' })),
    createdAt: time(s.createdAt) ?? 0,
  };
}

function toTaskDefinition(td: TaskDefinition): EcsTaskDefinition {
  return {
    arn: td.taskDefinitionArn!,
    family: td.family!,
    revision: td.revision!,
    status: td.status as EcsTaskDefinition['status'],
    content: canonicalTaskDefinition(td),
    ...(td.registeredAt ? { registeredAt: td.registeredAt.getTime() } : {}),
  };
}

function commandOverridesOf(t: Task): Record<string, string[]> | undefined {
  const list = (t.overrides?.containerOverrides ?? []).filter((o) => o.name && o.command);
  return list.length > 0 ? Object.fromEntries(list.map((o) => [o.name!, [...o.command!]])) : undefined;
}

function toTask(t: Task): EcsTask {
  const eni = t.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  const privateIp =
    eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? t.containers?.flatMap((c) => c.networkInterfaces ?? [])[0]?.privateIpv4Address;
  const compact = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return compact({
    arn: t.taskArn!,
    clusterArn: t.clusterArn!,
    taskDefinitionArn: t.taskDefinitionArn!,
    lastStatus: t.lastStatus ?? 'UNKNOWN',
    desiredStatus: t.desiredStatus ?? 'UNKNOWN',
    startedBy: t.startedBy,
    group: t.group,
    createdAt: time(t.createdAt),
    startedAt: time(t.startedAt),
    stoppedAt: time(t.stoppedAt),
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    privateIp,
    commandOverrides: commandOverridesOf(t),
    containers: (t.containers ?? []).map((c) =>
      compact({ name: c.name ?? '', image: c.image, imageDigest: c.imageDigest, lastStatus: c.lastStatus, exitCode: c.exitCode, reason: c.reason }),
    ),
    tags: fromTags(t.tags),
  });
}
