/**
 * Observing the CodeDeploy side of blue/green services.
 */
import { AwsCallError } from '../errors.js';
import type { ActualState } from '../model/actual.js';
import type { CodeDeployDeployment, EcsService, Listener } from '../model/aws.js';
import { TAG_CODEDEPLOY } from '../model/plan.js';
import { resourceKey, serviceName } from '../plan/desired.js';
import type { ServiceDoc } from '../spec/schema.js';
import type { Adapters, Read } from './common.js';

/**
 * The CodeDeploy side of a blue/green service: its deployment group, the group's target groups
 * and listeners (for validation), its unfinished deployments, and the deployment the service's
 * `steady:codedeploy` tag records when production does not run that revision (to know whether it
 * failed). Calls: 1 GetDeploymentGroup + 1 ListDeployments, then DescribeTargetGroups for a
 * group target group no spec names, 1 DescribeListeners per load balancer of the pair, and 1
 * GetDeployment per unfinished deployment (at most one) and for the recorded one when needed.
 */
export async function observeBlueGreen(actual: ActualState, adapters: Adapters, svc: ServiceDoc, read: Read): Promise<void> {
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
