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
 * A scheduled task adds 1 GetSchedule, 1 DescribeTaskDefinition (its family's latest, with tags),
 * 2 ListTasks (its runs) and 1 DescribeTasks when there are any; each schedule group 1
 * GetScheduleGroup and 1 ListTagsForResource (see `observeScheduledTasks`).
 * A blue/green service adds 1 GetDeploymentGroup, 1 ListDeployments, 1 DescribeTargetGroups (its
 * pair's other target group) and 1 DescribeListeners (see `observeBlueGreen`).
 * A Maintenance adds 1 GetDistribution and 1 ListTagsForResource (its distribution), and 1
 * DescribeListeners, 1 DescribeRules and, when the listener has fixed-response rules, 1 DescribeTags
 * (plus 1 DescribeLoadBalancers when no alias names its load balancer; see `observeMaintenance`).
 */
import { mapLimit } from '../concurrency.js';
import { emptyActualState, type ActualState } from '../model/actual.js';
import { parseImageUri, pinImage } from '../model/image.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { AwsCallError } from '../errors.js';
import type { Stop } from '../interrupt.js';
import { resourceKey } from '../plan/desired.js';
import { observeAliases } from './alias.js';
import { describeError, readerFor, use, type Adapters, type Read } from './common.js';
import { maintenanceFollowUps, observeMaintenance } from './maintenance.js';
import { migrationFollowUps, observeMigrations } from './migration.js';
import { observeScheduledTasks, scheduledTaskFollowUps } from './scheduled.js';
import { observeServices, revisionsNeeded, serviceFollowUps } from './service.js';

export type { Adapters } from './common.js';
export { REVISIONS_SEARCHED } from './service.js';

/** Most follow-up reads (revision lookups, migration tasks) in flight at once. */
export const OBSERVE_CONCURRENCY = 8;

/**
 * Observes one environment. With `stop`, no read starts once it says so, and observe throws
 * PassInterruptedError instead of returning a state it did not finish reading. `onTargetGroups`
 * hears as soon as the services' target groups are read, with the state read so far (a cold pass
 * starts its wiring rotation's reads then, beside the rest of observe).
 *
 * @example
 * const actual = await observe(desired, adapters, () => clock.now());
 * const p = plan(desired, actual, policyFor(desired, { now: clock.now() }));
 */
export async function observe(desired: DesiredEnvironment, adapters: Adapters, now: () => number, stop?: Stop, onTargetGroups?: (actual: ActualState) => void): Promise<ActualState> {
  const actual = emptyActualState(desired.name, now());
  const cluster = desired.environment.spec.cluster;
  const read = readerFor(actual, () => stop?.check() !== undefined);
  const serviceKeys = desired.services.map((s) => resourceKey('Service', s.metadata.name));
  const migrationKeys = desired.migrations.map((m) => resourceKey('Migration', m.metadata.name));
  const scheduledKeys = desired.scheduledTasks.map((t) => resourceKey('ScheduledTask', t.metadata.name));
  adapters.ecs.reserveTaskDefinitions(desired.name, revisionsNeeded(desired));
  const images = observeImages(desired, actual, adapters, read);
  await Promise.all([
    read(`ECS cluster ${cluster}`, [...serviceKeys, ...migrationKeys, ...scheduledKeys], async () => {
      actual.cluster = (await adapters.ecs.describeCluster(cluster)) ?? null;
    }),
    images,
    observeServices(desired, actual, adapters, read, images, onTargetGroups),
    observeMigrations(desired, actual, adapters, read),
    observeScheduledTasks(desired, actual, adapters, read),
    observeAliases(desired, actual, adapters, read),
    observeMaintenance(desired, actual, adapters, read),
  ]);
  stop?.throwIfStopped();
  // Second round, only where the first found something to look into.
  // Bounded: a first pass of a large environment has a lookup per service, and a thousand calls in
  // flight at once would only meet throttling (and hold their responses in memory together).
  const lookups = [
    ...serviceFollowUps(desired, actual, adapters, read),
    ...migrationFollowUps(desired, actual, adapters, read),
    ...scheduledTaskFollowUps(desired, actual, adapters, read),
    ...maintenanceFollowUps(desired, actual, adapters, read),
  ];
  await mapLimit(lookups, OBSERVE_CONCURRENCY, (lookup) => lookup());
  stop?.throwIfStopped();
  actual.observedAt = now();
  return actual;
}

/** Every image the services, migrations and scheduled tasks name, resolved in ECR in one batch per repository. */
async function observeImages(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
  const images = new Map<string, string[]>();
  for (const s of desired.services) for (const c of s.spec.taskDefinition.containers) use(images, c.image, resourceKey('Service', s.metadata.name));
  for (const m of desired.migrations) {
    const td = m.spec.taskDefinition ?? desired.services.find((s) => s.metadata.name === m.spec.fromService)?.spec.taskDefinition;
    for (const c of td?.containers ?? []) use(images, c.image, resourceKey('Migration', m.metadata.name));
  }
  for (const t of desired.scheduledTasks) {
    const td = t.spec.taskDefinition ?? desired.services.find((s) => s.metadata.name === t.spec.fromService)?.spec.taskDefinition;
    for (const c of td?.containers ?? []) use(images, c.image, resourceKey('ScheduledTask', t.metadata.name));
  }
  await read('ECR images', [...new Set([...images.values()].flat())], async () => {
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
  });
}
