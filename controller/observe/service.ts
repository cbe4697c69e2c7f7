/**
 * Observing Services: the ECS services (DescribeServices, 10 a call), the revisions they run
 * (immutable, so served from the adapter's cache), their target groups, and — only for a service
 * that does not run what its spec asks for — the family's newest revisions, in case one already
 * has the right content. Blue/green services add their CodeDeploy side (bluegreen.ts).
 */
import type { ActualState } from '../model/actual.js';
import type { EcsService, EcsTaskDefinition } from '../model/aws.js';
import { TAG_CONTENT, TAG_ROLLOUT, type DesiredEnvironment } from '../model/plan.js';
import { contentFingerprint, taskDefinitionsEqual } from '../model/taskdef.js';
import { desiredTaskDefinition, resourceKey, serviceName } from '../plan/desired.js';
import { parseRolloutTag } from '../plan/service.js';
import type { ServiceDoc } from '../spec/schema.js';
import { observeBlueGreen } from './bluegreen.js';
import { use, type Adapters, type Read } from './common.js';

/** How many of a family's newest ACTIVE revisions are searched for one matching the spec. */
export const REVISIONS_SEARCHED = 10;

/** Revisions an environment's pass may read and keep cached: current and searched ones of each service, migrations' and scheduled tasks' own. */
export function revisionsNeeded(desired: DesiredEnvironment): number {
  return 2 * (desired.services.length + desired.migrations.length + desired.scheduledTasks.length) + REVISIONS_SEARCHED;
}

/**
 * The revision a service runs, when steady rolled it out and its content fingerprint
 * (`steady:content`) is that of the content the spec asks for: then that is its content, and a cold
 * start need not describe it. Otherwise undefined (describe it).
 */
async function fingerprinted(svc: EcsService, spec: ServiceDoc | undefined, actual: ActualState, imagesRead: Promise<void>): Promise<EcsTaskDefinition | undefined> {
  const rollout = parseRolloutTag(svc.tags[TAG_ROLLOUT]);
  const fingerprint = svc.tags[TAG_CONTENT];
  if (!spec || !fingerprint || !rollout || rollout.arn !== svc.taskDefinitionArn || rollout.failed !== undefined) return undefined;
  // An image someone else deploys is whatever runs now: only the revision can say.
  if (spec.spec.taskDefinition.containers.some((c) => c.imageOwner === 'external')) return undefined;
  const m = /:task-definition\/([^:/]+):(\d+)$/.exec(svc.taskDefinitionArn);
  if (!m) return undefined;
  await imagesRead;
  const built = desiredTaskDefinition(spec.spec.taskDefinition, actual.images);
  if (!('content' in built) || contentFingerprint(built.content) !== fingerprint) return undefined;
  return { arn: svc.taskDefinitionArn, family: m[1], revision: Number(m[2]), status: 'ACTIVE', content: built.content };
}

/**
 * First round: the services, their revisions and their target groups. A revision is read from the
 * cache, else known from its fingerprint (after `imagesRead`), else described.
 */
export async function observeServices(
  desired: DesiredEnvironment,
  actual: ActualState,
  adapters: Adapters,
  read: Read,
  imagesRead: Promise<void> = Promise.resolve(),
  onTargetGroups?: (actual: ActualState) => void,
): Promise<void> {
  const cluster = desired.environment.spec.cluster;
  const serviceKeys = desired.services.map((s) => resourceKey('Service', s.metadata.name));
  const targetGroups = new Map<string, string[]>();
  for (const s of desired.services) if (s.spec.loadBalancer) use(targetGroups, s.spec.loadBalancer.targetGroup, resourceKey('Service', s.metadata.name));
  await Promise.all([
    read(`ECS services in cluster ${cluster}`, serviceKeys, async () => {
      const names = desired.services.map(serviceName);
      const { services, missing } = await adapters.ecs.describeServices(cluster, names);
      for (const name of missing) actual.services[name] = null;
      for (const svc of services) actual.services[svc.name] = svc.status === 'INACTIVE' ? null : svc;
      const specs = new Map(desired.services.map((s) => [serviceName(s), s]));
      // The revisions the services run: immutable, so the adapter serves them from its cache.
      await Promise.all(
        services
          .filter((svc) => svc.status !== 'INACTIVE')
          .map((svc) => {
            const spec = specs.get(svc.name);
            const key = resourceKey('Service', spec?.metadata.name ?? svc.name);
            return read(`task definition ${svc.taskDefinitionArn}`, [key], async () => {
              let td = adapters.ecs.cachedTaskDefinition(svc.taskDefinitionArn) ?? (await fingerprinted(svc, spec, actual, imagesRead));
              if (td) adapters.ecs.rememberTaskDefinition(td);
              else td = await adapters.ecs.describeTaskDefinition(svc.taskDefinitionArn);
              if (td) actual.taskDefinitions[td.arn] = td;
            });
          }),
      );
    }),
    targetGroups.size > 0 &&
      read(`target groups ${[...targetGroups.keys()].join(', ')}`, [...new Set([...targetGroups.values()].flat())], async () => {
        const { found, missing } = await adapters.elbv2.targetGroupsByName([...targetGroups.keys()]);
        for (const tg of found) actual.targetGroups[tg.name] = tg;
        for (const name of missing) actual.targetGroups[name] = null;
        onTargetGroups?.(actual);
      }),
  ]);
}

/** Second round, only where the first found something to look into. */
export function serviceFollowUps(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): (() => Promise<void>)[] {
  return [
    ...desired.services.map((svc) => () => findMatchingRevisions(desired, actual, adapters, svc.metadata.name, read)),
    ...desired.services.filter((svc) => svc.spec.deployment.strategy === 'blueGreen').map((svc) => () => observeBlueGreen(actual, adapters, svc, read)),
  ];
}

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
