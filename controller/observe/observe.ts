/**
 * observe: reads what AWS looks like for one environment into an ActualState, with as few calls
 * as batching allows. Independent reads run in parallel. A read that fails does not fail the
 * pass: it is recorded in `unreadable` with the resources that depend on it, and the planner
 * changes nothing that depends on it.
 *
 * Calls per pass with no drift (the minimum the benchmark compares against):
 * 1 DescribeClusters + ceil(services/10) DescribeServices + per ECR repository ceil(images/100)
 * DescribeImages + ceil(target groups/20) DescribeTargetGroups + ceil(load balancers/20)
 * DescribeLoadBalancers + per distribution 1 GetDistribution + per zone 1 ListHostedZonesByName
 * and ceil(records/300) ListResourceRecordSets + per migration 1 DescribeTaskDefinition (the
 * family's latest revision, with its tags); the revisions services run are served from the cache.
 * A blue/green service adds 1 GetDeploymentGroup, 1 ListDeployments, 1 DescribeTargetGroups (its
 * pair's other target group) and 1 DescribeListeners (see `observeBlueGreen`).
 */
import type { AcmAdapter } from '../aws/acm.js';
import type { CloudFrontAdapter } from '../aws/cloudfront.js';
import type { CodeDeployAdapter } from '../aws/codedeploy.js';
import type { EcrAdapter } from '../aws/ecr.js';
import type { EcsAdapter } from '../aws/ecs.js';
import type { Elbv2Adapter } from '../aws/elbv2.js';
import type { Route53Adapter } from '../aws/route53.js';
import { mapLimit } from '../concurrency.js';
import type { AwsCause } from '../model/causes.js';
import { AwsCallError, SteadyError } from '../errors.js';
import { emptyActualState, type ActualState } from '../model/actual.js';
import type { CodeDeployDeployment, EcsService, Listener } from '../model/aws.js';
import { parseImageUri, pinImage } from '../model/image.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { TAG_CODEDEPLOY, TAG_MIGRATION_RESULT, TAG_MIGRATION_VERSION, TAG_MIGRATION_ATTEMPT } from '../model/plan.js';
import { taskDefinitionsEqual } from '../model/taskdef.js';
import { desiredTaskDefinition, migrationFamily, resourceKey, serviceName } from '../plan/desired.js';
import type { ServiceDoc } from '../spec/schema.js';

/** The adapters observe and converge use, one per AWS service. */
export interface Adapters {
  ecs: EcsAdapter;
  ecr: EcrAdapter;
  elbv2: Elbv2Adapter;
  route53: Route53Adapter;
  cloudfront: CloudFrontAdapter;
  codedeploy: CodeDeployAdapter;
  /** Certificate validity, for the wiring checks. */
  acm: AcmAdapter;
}

/** Most follow-up reads (revision lookups, migration tasks) in flight at once. */
export const OBSERVE_CONCURRENCY = 8;

/** How many of a family's newest ACTIVE revisions are searched for one matching the spec. */
export const REVISIONS_SEARCHED = 10;

function describeError(err: unknown, what: string): { awsName: string; message: string; transient: boolean; cause: AwsCause } {
  if (err instanceof AwsCallError) return { awsName: err.awsName, message: err.message, transient: err.transient, cause: err.awsCause };
  const awsName = err instanceof SteadyError ? err.name : ((err as Error)?.name ?? 'Error');
  const message = (err as Error)?.message ?? String(err);
  const cause: AwsCause = { kind: 'other', action: 'steady', doing: `reading ${what}`, code: awsName, message };
  return { awsName, message, transient: err instanceof SteadyError ? err.transient : false, cause };
}

/**
 * Observes one environment.
 *
 * @example
 * const actual = await observe(desired, adapters, clock.now());
 * const p = plan(desired, actual, policyFor(desired, { now: clock.now() }));
 */
export async function observe(desired: DesiredEnvironment, adapters: Adapters, now: () => number): Promise<ActualState> {
  const actual = emptyActualState(desired.name, now());
  const cluster = desired.environment.spec.cluster;
  const serviceKeys = desired.services.map((s) => resourceKey('Service', s.metadata.name));
  const migrationKeys = desired.migrations.map((m) => resourceKey('Migration', m.metadata.name));

  /** Runs a read; on failure records what could not be read and for whom. */
  const read = async (what: string, affects: string[], fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      actual.unreadable.push({ what, affects, ...describeError(err, what) });
    }
  };

  // Which resources use which image, target group, load balancer, distribution and zone.
  const images = new Map<string, string[]>();
  const use = (map: Map<string, string[]>, name: string, key: string) => map.set(name, [...(map.get(name) ?? []), key]);
  for (const s of desired.services) for (const c of s.spec.taskDefinition.containers) use(images, c.image, resourceKey('Service', s.metadata.name));
  for (const m of desired.migrations) {
    const td = m.spec.taskDefinition ?? desired.services.find((s) => s.metadata.name === m.spec.fromService)?.spec.taskDefinition;
    for (const c of td?.containers ?? []) use(images, c.image, resourceKey('Migration', m.metadata.name));
  }
  const targetGroups = new Map<string, string[]>();
  for (const s of desired.services) if (s.spec.loadBalancer) use(targetGroups, s.spec.loadBalancer.targetGroup, resourceKey('Service', s.metadata.name));
  const loadBalancers = new Map<string, string[]>();
  const distributions = new Map<string, string[]>();
  const zones = new Map<string, string[]>();
  for (const a of desired.aliases) {
    const key = resourceKey('AliasRecord', a.metadata.name);
    const t = a.spec.target;
    if ('loadBalancer' in t) use(loadBalancers, t.loadBalancer, key);
    if ('cloudFront' in t) use(distributions, t.cloudFront, key);
    use(zones, a.spec.zoneId ?? a.spec.zone, key);
  }

  await Promise.all([
    read(`ECS cluster ${cluster}`, [...serviceKeys, ...migrationKeys], async () => {
      actual.cluster = (await adapters.ecs.describeCluster(cluster)) ?? null;
    }),
    read(`ECS services in cluster ${cluster}`, serviceKeys, async () => {
      const names = desired.services.map(serviceName);
      const { services, missing } = await adapters.ecs.describeServices(cluster, names);
      for (const name of missing) actual.services[name] = null;
      for (const svc of services) actual.services[svc.name] = svc.status === 'INACTIVE' ? null : svc;
      // The revisions the services run: immutable, so the adapter serves them from its cache.
      await Promise.all(
        services
          .filter((svc) => svc.status !== 'INACTIVE')
          .map((svc) => {
            // Worked out once per service: inside the filter's callback it was O(services^3) per pass.
            const key = resourceKey('Service', specNameOf(desired, svc.name));
            return read(`task definition ${svc.taskDefinitionArn}`, serviceKeys.filter((k) => k === key), async () => {
              const td = await adapters.ecs.describeTaskDefinition(svc.taskDefinitionArn);
              if (td) actual.taskDefinitions[td.arn] = td;
            });
          }),
      );
    }),
    read('ECR images', [...new Set([...images.values()].flat())], async () => {
      const refs = [...images.keys()].map((uri) => parseImageUri(uri));
      const resolved = await adapters.ecr.resolveImages(refs);
      for (const ref of refs) {
        const r = resolved.get(ref.uri);
        if (r === undefined) actual.images[ref.uri] = { kind: 'unpinnable' };
        else if (!(r instanceof AwsCallError)) actual.images[ref.uri] = { kind: 'pinned', digest: r.digest, pinned: pinImage(ref, r.digest) };
        else if (r.awsName === 'ImageNotFoundException' || r.awsName === 'RepositoryNotFoundException') {
          actual.images[ref.uri] = { kind: 'notFound', awsName: r.awsName, message: r.message };
        } else {
          actual.unreadable.push({ what: `image ${ref.uri}`, affects: images.get(ref.uri) ?? [], ...describeError(r, `image ${ref.uri}`) });
        }
      }
    }),
    targetGroups.size > 0 &&
      read(`target groups ${[...targetGroups.keys()].join(', ')}`, [...new Set([...targetGroups.values()].flat())], async () => {
        const { found, missing } = await adapters.elbv2.targetGroupsByName([...targetGroups.keys()]);
        for (const tg of found) actual.targetGroups[tg.name] = tg;
        for (const name of missing) actual.targetGroups[name] = null;
      }),
    loadBalancers.size > 0 &&
      read(`load balancers ${[...loadBalancers.keys()].join(', ')}`, [...new Set([...loadBalancers.values()].flat())], async () => {
        const { found, missing } = await adapters.elbv2.loadBalancersByName([...loadBalancers.keys()]);
        for (const lb of found) actual.loadBalancers[lb.name] = lb;
        for (const name of missing) actual.loadBalancers[name] = null;
      }),
    ...[...distributions].map(([id, keys]) =>
      read(`CloudFront distribution ${id}`, keys, async () => {
        actual.distributions[id] = (await adapters.cloudfront.distribution(id)) ?? null;
      }),
    ),
    ...[...zones].map(([zoneKey, keys]) =>
      read(`hosted zone ${zoneKey}`, keys, async () => {
        const spec = desired.aliases.find((a) => (a.spec.zoneId ?? a.spec.zone) === zoneKey)!.spec;
        const zone = await adapters.route53.findZone(spec.zone, { id: spec.zoneId });
        actual.zones[zoneKey] = zone ? { zone, records: await adapters.route53.recordSets(zone) } : null;
      }),
    ),
    ...desired.migrations.map((m) =>
      read(`migration ${m.metadata.name}`, [resourceKey('Migration', m.metadata.name)], async () => {
        const family = migrationFamily(m, desired.services);
        const latest = await adapters.ecs.describeTaskDefinition(family, { tags: true });
        actual.migrations[m.metadata.name] = { latest: latest ? { ...latest, tags: latest.tags ?? {} } : null, tasks: [] };
      }),
    ),
  ]);

  // Second round, only where the first found something to look into.
  // Bounded: a first pass of a large environment has a lookup per service, and a thousand calls in
  // flight at once would only meet throttling (and hold their responses in memory together).
  const lookups: (() => Promise<void>)[] = [
    ...desired.services.map((svc) => () => findMatchingRevisions(desired, actual, adapters, svc.metadata.name, read)),
    ...desired.migrations.map((m) => () => findMigrationTasks(actual, adapters, cluster, m.metadata.name, migrationFamily(m, desired.services), read)),
    ...desired.services.filter((svc) => svc.spec.deployment.strategy === 'blueGreen').map((svc) => () => observeBlueGreen(actual, adapters, svc, read)),
  ];
  await mapLimit(lookups, OBSERVE_CONCURRENCY, (lookup) => lookup());
  actual.observedAt = now();
  return actual;
}

function specNameOf(desired: DesiredEnvironment, ecsName: string): string {
  return desired.services.find((s) => serviceName(s) === ecsName)?.metadata.name ?? ecsName;
}

type Read = (what: string, affects: string[], fn: () => Promise<void>) => Promise<void>;

/**
 * When a service does not run what its spec asks for, an existing revision may already have the
 * right content (registered, but the service was never updated): look through the family's
 * newest ACTIVE revisions so the planner can roll that one out instead of registering another.
 */
async function findMatchingRevisions(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, name: string, read: Read): Promise<void> {
  const svc = desired.services.find((s) => s.metadata.name === name)!;
  const current = actual.services[serviceName(svc)];
  if (current === undefined) return;
  const currentTd = current ? actual.taskDefinitions[current.taskDefinitionArn] : undefined;
  const built = desiredTaskDefinition(svc.spec.taskDefinition, actual.images, currentTd);
  if (!('content' in built)) return;
  if (currentTd && taskDefinitionsEqual(currentTd.content, built.content)) return;
  const family = built.content.family;
  await read(`revisions of task definition family ${family}`, [resourceKey('Service', name)], async () => {
    const arns = (await adapters.ecs.listTaskDefinitions(family, { status: 'ACTIVE', sort: 'DESC' })).slice(0, REVISIONS_SEARCHED);
    actual.familyRevisions[family] = arns;
    for (const arn of arns) {
      const td = await adapters.ecs.describeTaskDefinition(arn);
      if (td) actual.taskDefinitions[td.arn] = td;
      if (td && taskDefinitionsEqual(td.content, built.content)) break;
    }
  });
}

/**
 * A migration version that was started but has no recorded result: find its task (running, or
 * stopped within the hour ECS keeps stopped tasks) by the family and its startedBy.
 */
async function findMigrationTasks(actual: ActualState, adapters: Adapters, cluster: string, name: string, family: string, read: Read): Promise<void> {
  const observed = actual.migrations[name];
  const latest = observed?.latest;
  if (!latest || !latest.tags[TAG_MIGRATION_VERSION] || latest.tags[TAG_MIGRATION_RESULT]) return;
  const startedBy = `steady/${name}/${latest.tags[TAG_MIGRATION_VERSION]}/${Number(latest.tags[TAG_MIGRATION_ATTEMPT] ?? '0') || 0}`;
  await read(`tasks of migration ${name}`, [resourceKey('Migration', name)], async () => {
    const [running, stopped] = await Promise.all([
      adapters.ecs.listTasks(cluster, { family, desiredStatus: 'RUNNING' }),
      adapters.ecs.listTasks(cluster, { family, desiredStatus: 'STOPPED' }),
    ]);
    const arns = [...running, ...stopped];
    if (arns.length === 0) return;
    const { tasks } = await adapters.ecs.describeTasks(cluster, arns);
    observed.tasks = tasks.filter((t) => t.startedBy === startedBy).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  });
}

// ------------------------------------------------------------------------------------ blue/green

/**
 * The CodeDeploy side of a blue/green service: its deployment group, the group's target groups
 * and listeners (for validation), its unfinished deployments, and the deployment the service's
 * `steady:codedeploy` tag records when production does not run that revision (to know whether it
 * failed). Calls: 1 GetDeploymentGroup + 1 ListDeployments, then DescribeTargetGroups for a
 * group target group no spec names, 1 DescribeListeners per load balancer of the pair, and 1
 * GetDeployment per unfinished deployment (at most one) and for the recorded one when needed.
 */
async function observeBlueGreen(actual: ActualState, adapters: Adapters, svc: ServiceDoc, read: Read): Promise<void> {
  const deployment = svc.spec.deployment;
  if (deployment.strategy !== 'blueGreen') return;
  const { application, deploymentGroup } = deployment.codeDeploy;
  const name = svc.metadata.name;
  const key = resourceKey('Service', name);
  const current = actual.services[serviceName(svc)];
  await read(`CodeDeploy deployment group ${deploymentGroup} of application ${application}`, [key], async () => {
    const [found, activeIds] = await Promise.all([
      adapters.codedeploy.deploymentGroup(application, deploymentGroup),
      adapters.codedeploy.activeDeployments(application, deploymentGroup).catch((err: unknown): string[] => {
        // A missing group fails both calls; GetDeploymentGroup's answer says so.
        if (err instanceof AwsCallError && /DoesNotExistException$/.test(err.awsName)) return [];
        throw err;
      }),
    ]);
    if ('missing' in found) {
      actual.blueGreen[name] = { group: null, missing: found.missing, listeners: {}, active: [] };
      return;
    }
    const group = found.group;
    const unknownGroups = group.targetGroups.filter((tg) => tg && !(tg in actual.targetGroups));
    if (unknownGroups.length > 0) {
      const { found: tgs, missing } = await adapters.elbv2.targetGroupsByName(unknownGroups);
      for (const tg of tgs) actual.targetGroups[tg.name] = tg;
      for (const tgName of missing) actual.targetGroups[tgName] = null;
    }
    const loadBalancerArns = [...new Set(group.targetGroups.flatMap((tg) => actual.targetGroups[tg]?.loadBalancerArns ?? []))];
    const recordedId = recordedDeployment(current ?? undefined);
    const [listenerLists, active, recorded] = await Promise.all([
      Promise.all(loadBalancerArns.map((arn) => adapters.elbv2.listeners(arn))),
      Promise.all(activeIds.map((id) => adapters.codedeploy.deployment(id))),
      recordedId && !activeIds.includes(recordedId) ? adapters.codedeploy.deployment(recordedId).then((d) => d ?? null) : Promise.resolve(undefined),
    ]);
    const listeners: Record<string, Listener | null> = {};
    for (const arn of [...group.prodListenerArns, ...group.testListenerArns]) listeners[arn] = listenerLists.flat().find((l) => l.arn === arn) ?? null;
    actual.blueGreen[name] = {
      group,
      listeners,
      active: active.filter((d): d is CodeDeployDeployment => !!d).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0)),
      ...(recorded !== undefined ? { recorded } : {}),
    };
  });
}

/**
 * The deployment id in a service's `steady:codedeploy` tag, when reading it can tell something:
 * production (the PRIMARY task set) does not run the revision it deployed.
 */
function recordedDeployment(svc: EcsService | undefined): string | undefined {
  const tag = svc?.tags[TAG_CODEDEPLOY];
  const at = tag?.indexOf('@') ?? -1;
  if (!tag || at <= 0) return undefined;
  const serving = svc!.taskSets?.find((t) => t.status === 'PRIMARY')?.taskDefinitionArn ?? svc!.taskDefinitionArn;
  return tag.slice(at + 1) === serving ? undefined : tag.slice(0, at);
}
