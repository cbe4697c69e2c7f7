/**
 * Planning for blue/green services (`deployment.strategy: blueGreen`): ECS refuses a new task
 * definition for a CODE_DEPLOY service, so a rollout is a CodeDeploy deployment of an AppSpec that
 * names the revision. Pure, like the rest of the planner; `planService` hands over what it has
 * worked out (the service, the target revision, the migration gate) and this decides the rest:
 *
 * - the deployment group must exist and point at this service, its two target groups and its
 *   listeners, else the service is Failed and nothing rolls out;
 * - a deployment that has not finished is never raced: steady's own is followed, anybody else's
 *   (or CodeDeploy's rollback) is reported and left alone;
 * - production's revision is the PRIMARY task set's; when the spec's differs, one deployment is
 *   created, gated by migrations exactly like a rolling update;
 * - a deployment steady created that failed or was stopped is not repeated for that revision (the
 *   `steady:codedeploy` tag remembers it), the circuit-breaker rule of rolling services.
 */
import { createHash } from 'node:crypto';
import type { ActualState, ObservedBlueGreen } from '../model/actual.js';
import type { CodeDeployDeployment, EcsNetwork, EcsService, Listener } from '../model/aws.js';
import { TAG_CODEDEPLOY, type Action, type FieldDiff, type Phase, type ResourceStatus, type ServiceSettings, type TaskDefinitionRef } from '../model/plan.js';
import type { ServiceDoc } from '../spec/schema.js';
import { revisionLabel } from './common.js';
import { networkOf, settingsDiff } from './desired.js';

export { revisionLabel };

/** What `planService` has worked out for a blue/green service that exists and steady may manage. */
export interface BlueGreenInput {
  env: string;
  cluster: string;
  svc: ServiceDoc;
  /** `Service/<name>` */
  key: string;
  ecsName: string;
  specHash: string;
  cur: EcsService;
  actual: ActualState;
  /** The revision the spec asks for: an existing one, or the one `prior` registers. */
  target: TaskDefinitionRef;
  /** Family of the desired task definition (labels a revision not registered yet). */
  family: string;
  /** The task-definition diff between production's revision and the spec. */
  tdDiff: FieldDiff[];
  /** The settings the spec manages, as for a rolling service; only those UpdateService may change here are used. */
  desiredSettings: ServiceSettings;
  currentSettings: ServiceSettings;
  /** Actions already planned for this service (registration, adoption): the rollout depends on them. */
  prior: Action[];
  /** Migration actions of this pass the rollout waits for. */
  gateDeps: string[];
  /** Set when a migration gate is closed: the status of a rollout that must wait. */
  blocked?: (diff: FieldDiff[]) => ResourceStatus;
  notes?: string[];
}

/** The settings UpdateService still takes for a CODE_DEPLOY service (network and platform come from the AppSpec). */
const UPDATABLE: (keyof ServiceSettings)[] = ['desiredCount', 'healthCheckGracePeriodSeconds', 'propagateTags', 'enableECSManagedTags'];

/** Spec settings ECS takes for a CODE_DEPLOY service neither through UpdateService nor from the AppSpec steady writes. */
const NOT_UPDATABLE: (keyof ServiceSettings)[] = [
  'capacityProviderStrategy',
  'enableExecuteCommand',
  'availabilityZoneRebalancing',
  'serviceConnectConfiguration',
  'serviceRegistries',
  'volumeConfigurations',
];

/**
 * Plans one blue/green service.
 *
 * @example
 * const planned = planBlueGreen({ env, cluster, svc, key: 'Service/messaging-api', cur, actual, target, ... });
 * planned.actions; // [] | [CreateCodeDeployDeployment] | [AwaitCodeDeployDeployment] | ...
 */
export function planBlueGreen(input: BlueGreenInput): { actions: Action[]; status: ResourceStatus } {
  const { svc, key, cur, actual, target, env } = input;
  const name = svc.metadata.name;
  const deployment = svc.spec.deployment;
  if (deployment.strategy !== 'blueGreen') throw new Error(`internal: ${key} is not a blue/green service`);
  const { application, deploymentGroup, deploymentConfig } = deployment.codeDeploy;
  const groupLabel = `CodeDeploy deployment group ${deploymentGroup} of application ${application}`;
  const status = statusMaker(input);
  const none = (st: ResourceStatus) => ({ actions: [], status: st });

  const bg = actual.blueGreen[name];
  const problem = groupProblem(input, bg, groupLabel);
  if (problem || !bg?.group) return none(problem ?? status('Blocked', 'ObserveFailed', `${groupLabel} could not be read; nothing is changed this pass`));

  const serving = servingRevision(cur);
  const rollout = 'registeredBy' in target || target.arn !== serving;
  const wanted = 'arn' in target ? revisionLabel(target.arn) : `${input.family}:<new revision>`;
  const recorded = parseRecord(cur.tags[TAG_CODEDEPLOY]);

  // Settings ECS still takes for a CODE_DEPLOY service; network and platform ride on the AppSpec.
  const wantSettings: ServiceSettings = Object.fromEntries(UPDATABLE.filter((k) => input.desiredSettings[k] !== undefined).map((k) => [k, input.desiredSettings[k]]));
  const { diff: setDiff, changed } = settingsDiff(input.currentSettings, wantSettings);
  const settingsChange = Object.keys(changed).length > 0;
  const appSpecNotes = appSpecOnlyNotes(input);
  const diff = [...(rollout ? input.tdDiff : []), ...setDiff];

  // A deployment that has not finished: follow ours, leave anybody else's alone.
  const running = bg.active[0];
  if (running) return planRunning(input, { running, rollout, wanted, serving, recorded, diff, appSpecNotes });

  const update = (dependsOn: string[]): Action => ({
    kind: 'UpdateService',
    id: `update:${key}`,
    resource: key,
    summary: `update service ${input.ecsName}: ${setDiff.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`).join(', ')}`,
    diff: setDiff,
    dependsOn,
    cluster: input.cluster,
    serviceName: input.ecsName,
    serviceArn: cur.arn,
    settings: changed,
  });
  const adoptDeps = input.prior.filter((a) => a.kind === 'TagResource').map((a) => a.id);

  if (!rollout) {
    if (settingsChange) {
      const message = setDiff.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`).join('; ');
      return { actions: [...input.prior, update(adoptDeps)], status: status('Drifted', 'SettingsDiffer', message, diff, appSpecNotes) };
    }
    const tg = productionTargetGroups(bg, actual);
    const message = `runs ${revisionLabel(serving)} with ${cur.runningCount}/${cur.desiredCount} tasks; production traffic goes to target group ${tg.join(', ') || '(none)'}`;
    return { actions: input.prior, status: status('Synced', 'UpToDate', message, [], appSpecNotes) };
  }

  // The same revision failed before: do not push it again (the circuit-breaker rule).
  const last = bg.recorded;
  if (recorded && 'arn' in target && recorded.arn === target.arn && last && last.id === recorded.id && (last.status === 'Failed' || last.status === 'Stopped')) {
    return none(status('Failed', 'DeploymentFailed', deploymentFailedMessage(last, wanted, { key, env, production: revisionLabel(serving) }), diff, appSpecNotes));
  }

  const settingsAction = settingsChange ? [update(adoptDeps)] : [];
  if (input.blocked) {
    return { actions: [...input.prior.filter((a) => a.kind === 'TagResource'), ...settingsAction], status: withNotes(input, input.blocked(diff), appSpecNotes) };
  }
  const deploy: Action = {
    kind: 'CreateCodeDeployDeployment',
    id: `deploy:${key}`,
    resource: key,
    summary: `deploy ${wanted} blue/green through ${groupLabel} (${deploymentConfig}); production runs ${revisionLabel(serving)}`,
    diff: input.tdDiff,
    dependsOn: [...input.prior.map((a) => a.id), ...input.gateDeps],
    application,
    deploymentGroup,
    deploymentConfig,
    cluster: input.cluster,
    serviceName: input.ecsName,
    serviceArn: cur.arn,
    taskDefinition: target,
    containerName: svc.spec.loadBalancer!.containerName,
    containerPort: svc.spec.loadBalancer!.containerPort,
    network: networkOf(svc.spec.network),
    platformVersion: svc.spec.platformVersion,
    production: revisionLabel(serving),
  };
  return {
    actions: [...input.prior, ...settingsAction, deploy],
    status: status('Drifted', 'TaskDefinitionDiffers', `production runs ${revisionLabel(serving)}, the spec asks for ${wanted}: deploy it blue/green through CodeDeploy`, diff, appSpecNotes),
  };
}

function withNotes(input: BlueGreenInput, st: ResourceStatus, extra: string[] = []): ResourceStatus {
  const notes = [...(input.notes ?? []), ...extra];
  return notes.length > 0 ? { ...st, notes } : st;
}

function statusMaker(input: BlueGreenInput) {
  return (phase: Phase, reason: string, message: string, diff: FieldDiff[] = [], extra: string[] = []): ResourceStatus =>
    withNotes(input, { resource: input.key, kind: 'Service', name: input.svc.metadata.name, phase, reason, message, diff, specHash: input.specHash }, extra);
}

/** Why nothing can roll out through the deployment group: missing, the wrong controller, or a group that does not match. */
function groupProblem(input: BlueGreenInput, bg: ObservedBlueGreen | undefined, groupLabel: string): ResourceStatus | undefined {
  const status = statusMaker(input);
  if (!bg) return undefined;
  if (!bg.group) {
    const why = bg.missing ? ` (${bg.missing.awsName}: ${bg.missing.message})` : '';
    return status('Failed', 'DeploymentGroupNotFound', `${groupLabel} does not exist${why}; create it or fix spec.deployment.codeDeploy. Nothing is rolled out`);
  }
  if (input.cur.deploymentController !== 'CODE_DEPLOY') {
    const message = `ECS service ${input.ecsName} uses the ${input.cur.deploymentController} deployment controller; a blueGreen deployment needs a service created with the CODE_DEPLOY controller. Nothing is rolled out`;
    return status('Failed', 'DeploymentControllerMismatch', message);
  }
  const problems = groupProblems(input, bg);
  if (problems.length > 0) return status('Failed', 'DeploymentGroupMismatch', `${groupLabel} does not match the service: ${problems.join('; ')}. Nothing is rolled out until it does`);
  return undefined;
}

/** A deployment of the group has not finished: follow steady's own, report anybody else's (or CodeDeploy's rollback) and leave it alone. */
function planRunning(
  input: BlueGreenInput,
  s: { running: CodeDeployDeployment; rollout: boolean; wanted: string; serving: string; recorded?: { id: string; arn: string }; diff: FieldDiff[]; appSpecNotes: string[] },
): { actions: Action[]; status: ResourceStatus } {
  const { key, env, cur } = input;
  const { running, recorded, serving, diff, appSpecNotes } = s;
  const status = statusMaker(input);
  const waiting = s.rollout ? [`the spec asks for ${s.wanted}; steady deploys it once deployment ${running.id} has finished`] : [];
  if (running.creator === 'codeDeployRollback') {
    const of = running.rollback?.rollbackTriggeringDeploymentId;
    const message = `CodeDeploy is rolling back${of ? ` deployment ${of}` : ''} (rollback deployment ${running.id} is ${running.status}); production runs ${revisionLabel(serving)}`;
    return { actions: [], status: status('Progressing', 'RollingBack', message, diff, [...appSpecNotes, ...waiting]) };
  }
  const mine = running.id === recorded?.id || !!running.description?.startsWith(descriptionPrefix(env, key));
  if (!mine) {
    const message = `deployment ${running.id} started by someone else is in progress (${running.status}); steady does not interrupt or race it`;
    return { actions: [], status: status('Progressing', 'DeploymentInProgress', message, diff, [...appSpecNotes, ...waiting]) };
  }
  const deploying = running.id === recorded?.id ? revisionLabel(recorded.arn) : (running.description?.slice(descriptionPrefix(env, key).length) ?? 'a new revision');
  const recordTag = running.id === recorded?.id ? undefined : recordValue(running.id, deploying, cur);
  const follow: Action = {
    kind: 'AwaitCodeDeployDeployment',
    id: `follow:${key}`,
    resource: key,
    summary: `follow CodeDeploy deployment ${running.id} of ${deploying} (${running.status})`,
    diff: [],
    dependsOn: [],
    deploymentId: running.id,
    revision: deploying,
    serviceArn: cur.arn,
    production: revisionLabel(serving),
    ...(recordTag ? { recordTag } : {}),
  };
  // A revision not registered yet is never the one being deployed, so it waits too.
  const stillWanted = s.rollout && s.wanted !== deploying ? waiting : [];
  const message = `CodeDeploy deployment ${running.id} of ${deploying} is ${running.status}; production runs ${revisionLabel(serving)}`;
  return { actions: [follow], status: status('Progressing', 'Deploying', message, diff, [...appSpecNotes, ...stillWanted]) };
}

function groupProblems(input: BlueGreenInput, bg: ObservedBlueGreen): string[] {
  const group = bg.group!;
  const { actual, cur, svc } = input;
  const problems: string[] = [];
  if (group.computePlatform !== 'ECS') problems.push(`it is for the ${group.computePlatform} compute platform, not ECS`);
  if (!group.ecsServices.some((s) => s.serviceName === input.ecsName && s.clusterName === input.cluster)) {
    const deploys = group.ecsServices.map((s) => `${s.serviceName} in cluster ${s.clusterName}`).join(', ') || 'no ECS service';
    problems.push(`it deploys ${deploys}, not ${input.ecsName} in cluster ${input.cluster}`);
  }
  const pair = group.targetGroups;
  if (group.targetGroupPairs !== 1 || pair.length !== 2) {
    problems.push(`it has ${pair.length} target group${pair.length === 1 ? '' : 's'} in ${group.targetGroupPairs} pair${group.targetGroupPairs === 1 ? '' : 's'}; a blue/green ECS deployment needs one pair of two`);
    return problems;
  }
  const pairText = `${pair[0]} and ${pair[1]}`;
  const specTg = svc.spec.loadBalancer?.targetGroup;
  if (specTg && !pair.includes(specTg)) problems.push(`its target groups are ${pairText}, but spec.loadBalancer.targetGroup is ${specTg}`);
  for (const tg of pair) if (actual.targetGroups[tg] === null) problems.push(`its target group ${tg} does not exist`);
  const pairArns = pair.map((tg) => actual.targetGroups[tg]?.arn).filter((a): a is string => !!a);
  const lb = cur.loadBalancers[0];
  if (!lb) problems.push(`ECS service ${input.ecsName} has no load balancer`);
  else {
    if (pairArns.length === 2 && !pairArns.includes(lb.targetGroupArn)) {
      problems.push(`ECS service ${input.ecsName} sends traffic to target group ${tgName(lb.targetGroupArn, actual)}, which is not ${pairText}`);
    }
    const spec = svc.spec.loadBalancer;
    if (spec && (lb.containerName !== spec.containerName || lb.containerPort !== spec.containerPort)) {
      problems.push(
        `ECS service ${input.ecsName} sends traffic to container ${lb.containerName} port ${lb.containerPort}, but spec.loadBalancer names container ${spec.containerName} port ${spec.containerPort}`,
      );
    }
  }
  if (group.prodListenerArns.length === 0) problems.push('it has no production listener');
  const check = (role: string, arn: string) => {
    const l = bg.listeners[arn];
    if (l === undefined) return; // could not be looked up: the target groups are missing (reported above)
    if (l === null) {
      problems.push(`its ${role} listener ${arn} is not a listener of the load balancer of ${pairText}`);
      return;
    }
    const foreign = forwardsTo(l).filter((a) => pairArns.length === 2 && !pairArns.includes(a));
    if (foreign.length > 0) problems.push(`its ${role} listener (port ${l.port}) forwards to ${foreign.map((a) => tgName(a, actual)).join(', ')}, which is not ${pairText}`);
  };
  for (const arn of group.prodListenerArns) check('production', arn);
  for (const arn of group.testListenerArns) check('test', arn);
  return problems;
}

function forwardsTo(l: Listener): string[] {
  return l.defaultActions.filter((a) => a.type === 'forward').flatMap((a) => a.targetGroups.filter((t) => t.weight > 0).map((t) => t.arn));
}

function tgName(arn: string, actual: ActualState): string {
  return Object.values(actual.targetGroups).find((tg) => tg?.arn === arn)?.name ?? arn;
}

/** The target groups the production listeners send traffic to, by name. */
function productionTargetGroups(bg: ObservedBlueGreen, actual: ActualState): string[] {
  const arns = bg.group!.prodListenerArns.flatMap((arn) => (bg.listeners[arn] ? forwardsTo(bg.listeners[arn]!) : []));
  return [...new Set(arns.map((a) => tgName(a, actual)))];
}

/** Spec settings a CODE_DEPLOY service only takes from the next deployment's AppSpec. */
function appSpecOnlyNotes(input: BlueGreenInput): string[] {
  const want: ServiceSettings = { network: input.desiredSettings.network, platformVersion: input.desiredSettings.platformVersion };
  const fixed: ServiceSettings = Object.fromEntries(NOT_UPDATABLE.map((k) => [k, input.desiredSettings[k]]));
  return [
    ...settingsDiff(input.currentSettings, want).diff.map(
      (d) => `${d.path} differs (${d.before ?? '-'} -> ${d.after ?? '-'}); a CODE_DEPLOY service takes it from the AppSpec, so it changes with the next blue/green deployment`,
    ),
    ...settingsDiff(input.currentSettings, fixed).diff.map(
      (d) => `${d.path} differs (${d.before ?? '-'} -> ${d.after ?? '-'}); ECS does not change it on a CODE_DEPLOY service, so steady leaves it as it is`,
    ),
  ];
}

// ------------------------------------------------------------------------------------ helpers

/** The revision serving production: the PRIMARY task set's (CODE_DEPLOY), else the service's. */
export function servingRevision(svc: EcsService): string {
  return svc.taskSets?.find((t) => t.status === 'PRIMARY')?.taskDefinitionArn ?? svc.taskDefinitionArn;
}


function parseRecord(tag: string | undefined): { id: string; arn: string } | undefined {
  const at = tag?.indexOf('@') ?? -1;
  return tag && at > 0 ? { id: tag.slice(0, at), arn: tag.slice(at + 1) } : undefined;
}

/** A `steady:codedeploy` value for a deployment recognised by its description (the tag write was lost). */
function recordValue(id: string, revision: string, cur: EcsService): string | undefined {
  if (!/^[A-Za-z0-9_-]+:\d+$/.test(revision)) return undefined;
  const prefix = cur.taskDefinitionArn.slice(0, cur.taskDefinitionArn.lastIndexOf('/') + 1);
  return prefix ? `${id}@${prefix}${revision}` : undefined;
}

function descriptionPrefix(env: string, key: string): string {
  return `steady: ${env} ${key} -> `;
}

/**
 * The description steady gives its deployments. It names the environment, the resource and the
 * revision, so a deployment is recognised as steady's even if recording it on the service failed.
 */
export function codeDeployDescription(env: string, key: string, revision: string): string {
  return `${descriptionPrefix(env, key)}${revision}`;
}

/**
 * The AppSpec of a deployment: the revision, the container and port that take the load
 * balancer's traffic, and the network and platform version (a CODE_DEPLOY service takes those
 * only from here). JSON, with the sha256 CreateDeployment checks it against.
 *
 * @example
 * const { content, sha256 } = appSpec({ taskDefinitionArn, containerName: 'api', containerPort: 8080, network });
 */
export function appSpec(input: { taskDefinitionArn: string; containerName: string; containerPort: number; network: EcsNetwork; platformVersion?: string }): {
  content: string;
  sha256: string;
} {
  const properties = {
    TaskDefinition: input.taskDefinitionArn,
    LoadBalancerInfo: { ContainerName: input.containerName, ContainerPort: input.containerPort },
    ...(input.platformVersion ? { PlatformVersion: input.platformVersion } : {}),
    NetworkConfiguration: {
      AwsvpcConfiguration: { Subnets: input.network.subnets, SecurityGroups: input.network.securityGroups, AssignPublicIp: input.network.assignPublicIp },
    },
  };
  // JSON has no way to write 0.0 but a literal; CodeDeploy's examples spell the version so.
  const content = `{"version":0.0,"Resources":${JSON.stringify([{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }])}}`;
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

/**
 * Why a deployment steady started did not make it, and what happens now. The same sentence every
 * pass, so a report says it once.
 */
export function deploymentFailedMessage(d: CodeDeployDeployment, revision: string, ctx: { key: string; env: string; production?: string }): string {
  const verb = d.status === 'Stopped' ? 'was stopped' : 'failed';
  const why = d.error ? ` (${[d.error.code, d.error.message].filter(Boolean).join(': ')})` : '';
  const rolledBack = d.rollback?.rollbackDeploymentId ? ` and CodeDeploy rolled it back (deployment ${d.rollback.rollbackDeploymentId})` : '';
  const production = ctx.production ? `; production stays on ${ctx.production}` : '';
  const name = ctx.key.slice(ctx.key.indexOf('/') + 1);
  return (
    `CodeDeploy deployment ${d.id} of ${revision} ${verb}${why}${rolledBack}${production}. steady does not deploy ${revision} again until the spec changes ` +
    `or someone runs \`steady retry service/${name} --env ${ctx.env}\` (which removes the service's ${TAG_CODEDEPLOY} tag)`
  );
}
