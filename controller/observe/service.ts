/**
 * Observing Services: the ECS services (DescribeServices, 10 a call), the revisions they run
 * (immutable, so served from the adapter's cache), their target groups, and — only for a service
 * that does not run what its spec asks for — the family's newest revisions, in case one already
 * has the right content. Blue/green services add their CodeDeploy side (bluegreen.ts).
 */
import type { ActualState } from '../model/actual.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { taskDefinitionsEqual } from '../model/taskdef.js';
import { desiredTaskDefinition, resourceKey, serviceName } from '../plan/desired.js';
import { observeBlueGreen } from './bluegreen.js';
import { use, type Adapters, type Read } from './common.js';

/** How many of a family's newest ACTIVE revisions are searched for one matching the spec. */
export const REVISIONS_SEARCHED = 10;

/** First round: the services, their revisions and their target groups. */
export async function observeServices(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
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
      const specNames = new Map(desired.services.map((s) => [serviceName(s), s.metadata.name]));
      // The revisions the services run: immutable, so the adapter serves them from its cache.
      await Promise.all(
        services
          .filter((svc) => svc.status !== 'INACTIVE')
          .map((svc) => {
            const key = resourceKey('Service', specNames.get(svc.name) ?? svc.name);
            return read(`task definition ${svc.taskDefinitionArn}`, [key], async () => {
              const td = await adapters.ecs.describeTaskDefinition(svc.taskDefinitionArn);
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
