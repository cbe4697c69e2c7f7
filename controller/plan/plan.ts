/**
 * The planner: `plan(desired, actual, policy) -> Plan`. Pure and synchronous: everything it needs
 * was observed beforehand, so it can be tested as a table of (specs, AWS state) -> actions.
 *
 * Rules it keeps (DESIGN.md, "Safety rules"):
 * - nothing that depends on something unread is planned (the resource is Blocked instead);
 * - only resources steady owns (tags / TXT registry) or that a spec adopts are changed;
 * - a migration gates the rollouts that wait for it; a failed one blocks them, nothing else;
 * - a revision the circuit breaker rolled back, or a failed migration version, is not retried;
 * - observe mode, dry runs and an exceeded change budget hold every action.
 */
import type { ActualState } from '../model/actual.js';
import { CLOUDFRONT_HOSTED_ZONE_ID, sameAliasDnsName, type AliasTarget, type EcsService, type RecordSet } from '../model/aws.js';
import {
  migrationStartedAt,
  ownershipTags,
  TAG_ENVIRONMENT,
  TAG_MANAGED_BY,
  TAG_MIGRATION_ATTEMPT,
  TAG_MIGRATION_RESULT,
  TAG_MIGRATION_VERSION,
  TAG_RESOURCE,
  TAG_ROLLOUT,
  type Action,
  type DesiredEnvironment,
  type FieldDiff,
  type Phase,
  type Plan,
  type Policy,
  type ResourceStatus,
  type ServiceSettings,
  type TaskDefinitionRef,
} from '../model/plan.js';
import { contentHash, taskDefinitionsEqual, type TaskDefinitionContent } from '../model/taskdef.js';
import type { AliasRecordDoc, MigrationDoc, ServiceDoc } from '../spec/schema.js';
import { planBlueGreen } from './bluegreen.js';
import {
  desiredServiceSettings,
  desiredTaskDefinition,
  migrationContainer,
  migrationFamily,
  migrationVersion,
  networkOf,
  resourceKey,
  serviceName,
  settingsDiff,
  specHash,
  taskDefinitionDiff,
  unreadableFor,
  type ImageProblem,
} from './desired.js';

/** What a migration means for the rollouts waiting for it. */
type Gate =
  | { state: 'open' }
  | { state: 'pending'; actionId: string }
  | { state: 'closed'; reason: string; message: string };

interface Planned {
  actions: Action[];
  status: ResourceStatus;
}

interface Context {
  desired: DesiredEnvironment;
  actual: ActualState;
  policy: Policy;
  env: string;
  cluster: string;
}

function status(kind: ResourceStatus['kind'], name: string, hash: string, phase: Phase, reason: string, message: string, diff: FieldDiff[] = []): ResourceStatus {
  return { resource: resourceKey(kind, name), kind, name, phase, reason, message, diff, specHash: hash };
}

/** Blocked because something it depends on could not be read, or undefined if all was read. */
function unreadStatus(ctx: Context, kind: ResourceStatus['kind'], name: string, hash: string): ResourceStatus | undefined {
  const unread = unreadableFor(ctx.actual, resourceKey(kind, name));
  if (unread.length === 0) return undefined;
  const what = unread.map((u) => `${u.what} (${u.awsName}: ${u.message})`).join('; ');
  return status(kind, name, hash, 'Blocked', 'ObserveFailed', `could not read ${what}; nothing that depends on it is changed this pass`);
}

function clusterProblem(ctx: Context, kind: ResourceStatus['kind'], name: string, hash: string): ResourceStatus | undefined {
  if (ctx.actual.cluster === null) {
    return status(kind, name, hash, 'Failed', 'ClusterNotFound', `ECS cluster ${ctx.cluster} does not exist; create it or fix spec.cluster of environment ${ctx.env}`);
  }
  if (ctx.actual.cluster === undefined) {
    return status(kind, name, hash, 'Blocked', 'ObserveFailed', `ECS cluster ${ctx.cluster} could not be read; nothing is changed this pass`);
  }
  return undefined;
}

function imageProblemStatus(kind: ResourceStatus['kind'], name: string, hash: string, problems: ImageProblem[]): ResourceStatus {
  const missing = problems.filter((p): p is Extract<ImageProblem, { kind: 'notFound' }> => p.kind === 'notFound');
  if (missing.length > 0) {
    const list = missing.map((p) => `${p.image} (container ${p.container}: ${p.awsName})`).join(', ');
    return status(kind, name, hash, 'Failed', 'ImageNotFound', `image not found in ECR: ${list}; nothing of ${kind} ${name} rolls out until the spec names an image that exists`);
  }
  const list = problems.map((p) => p.image).join(', ');
  return status(kind, name, hash, 'Blocked', 'ObserveFailed', `could not resolve ${list} in ECR this pass; nothing of ${kind} ${name} changes until it can`);
}

function ownedBy(tags: Record<string, string>, env: string, key: string): 'mine' | 'unowned' | 'other' {
  if (tags[TAG_MANAGED_BY] !== 'steady') return 'unowned';
  return tags[TAG_ENVIRONMENT] === env && tags[TAG_RESOURCE] === key ? 'mine' : 'other';
}

function revisionLabel(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function refLabel(ref: TaskDefinitionRef, family: string): string {
  return 'arn' in ref ? revisionLabel(ref.arn) : `${family}:<new revision>`;
}

// ------------------------------------------------------------------------------------ migrations

function planMigration(ctx: Context, m: MigrationDoc): Planned & { gate: Gate } {
  const name = m.metadata.name;
  const key = resourceKey('Migration', name);
  const hash = specHash(m);
  const closed = (st: ResourceStatus): Planned & { gate: Gate } => ({
    actions: [],
    status: st,
    gate: { state: 'closed', reason: st.reason === 'MigrationFailed' ? 'MigrationFailed' : 'MigrationNotReady', message: st.message },
  });

  const early = clusterProblem(ctx, 'Migration', name, hash) ?? unreadStatus(ctx, 'Migration', name, hash);
  if (early) return closed(early);

  const fromService = m.spec.fromService ? ctx.desired.services.find((s) => s.metadata.name === m.spec.fromService) : undefined;
  const tdSpec = m.spec.taskDefinition ?? fromService?.spec.taskDefinition;
  if (!tdSpec) {
    return closed(status('Migration', name, hash, 'Failed', 'InvalidSpec', `migration ${name} names no task definition and no service`));
  }
  const family = migrationFamily(m, ctx.desired.services);
  // A fromService migration runs what the service is about to run: the service's current revision
  // provides externally owned images.
  const svcCurrent = fromService ? ctx.actual.services[serviceName(fromService)] : undefined;
  const current = svcCurrent ? ctx.actual.taskDefinitions[svcCurrent.taskDefinitionArn] : undefined;
  const built = desiredTaskDefinition(tdSpec, ctx.actual.images, current, family);
  if ('problems' in built) return closed(imageProblemStatus('Migration', name, hash, built.problems));

  const container = migrationContainer(m, tdSpec);
  const command = m.spec.command;
  const version = migrationVersion(built.content, container, command);
  const network = networkOf(m.spec.network ?? fromService!.spec.network);
  const observed = ctx.actual.migrations[name];
  if (!observed) {
    return closed(status('Migration', name, hash, 'Blocked', 'ObserveFailed', `migration ${name} could not be observed; it does not run this pass`));
  }
  const latest = observed.latest;
  const runAction = (taskDefinition: TaskDefinitionRef, attempt: number, dependsOn: string[], diff: FieldDiff[]): Action => ({
    kind: 'RunMigration',
    id: `run:${key}`,
    resource: key,
    summary: `run migration ${name} (version ${version}${attempt > 0 ? `, attempt ${attempt + 1}` : ''}): ${(command ?? ['<task definition command>']).join(' ')}`,
    diff,
    dependsOn,
    cluster: ctx.cluster,
    migration: name,
    version,
    attempt,
    taskDefinition,
    container,
    command,
    network,
    startedBy: `steady/${name}/${version}/${attempt}`.slice(0, 128),
    clientToken: `steady-${contentHash([ctx.env, name, version, attempt], 40)}`,
    timeoutSeconds: m.spec.timeoutSeconds,
  });

  if (latest && latest.tags[TAG_MIGRATION_VERSION] === version) {
    const result = latest.tags[TAG_MIGRATION_RESULT];
    const attempt = Number(latest.tags[TAG_MIGRATION_ATTEMPT] ?? '0') || 0;
    if (result === 'succeeded') {
      return { actions: [], status: status('Migration', name, hash, 'Synced', 'Succeeded', `version ${version} succeeded`), gate: { state: 'open' } };
    }
    if (result) {
      return closed(
        status(
          'Migration',
          name,
          hash,
          'Failed',
          'MigrationFailed',
          `version ${version} ${result}; it is not run again until the spec changes or someone runs \`steady retry migration/${name} --env ${ctx.env}\``,
        ),
      );
    }
    const startedBy = `steady/${name}/${version}/${attempt}`.slice(0, 128);
    const task = observed.tasks.find((t) => t.startedBy === startedBy);
    if (task) {
      const started = migrationStartedAt(task, latest.tags, attempt) ?? ctx.policy.now;
      const action: Action = {
        kind: 'AwaitMigration',
        id: `wait:${key}`,
        resource: key,
        summary: `wait for migration ${name} (task ${task.arn.slice(task.arn.lastIndexOf('/') + 1)}, ${task.lastStatus})`,
        diff: [],
        dependsOn: [],
        cluster: ctx.cluster,
        migration: name,
        version,
        attempt,
        container,
        taskArn: task.arn,
        taskDefinitionArn: latest.arn,
        deadline: started + m.spec.timeoutSeconds * 1000,
        startedAt: started,
      };
      return {
        actions: [action],
        status: status('Migration', name, hash, 'Progressing', 'Running', `version ${version} is running (task ${task.lastStatus})`),
        gate: { state: 'pending', actionId: action.id },
      };
    }
    const diff = [{ path: 'version', before: undefined, after: version }];
    const run = runAction({ arn: latest.arn }, attempt, [], diff);
    return {
      actions: [run],
      status: status('Migration', name, hash, 'Drifted', 'NotRun', `version ${version} has not run yet`, diff),
      gate: { state: 'pending', actionId: run.id },
    };
  }

  const diff: FieldDiff[] = [{ path: 'version', before: latest?.tags[TAG_MIGRATION_VERSION], after: version }];
  const register: Action = {
    kind: 'RegisterTaskDefinition',
    id: `register:${key}`,
    resource: key,
    summary: `register task definition ${family} for migration ${name} version ${version}`,
    diff: taskDefinitionDiff(latest?.content, built.content),
    dependsOn: [],
    content: built.content,
    tags: { ...ctx.desired.environment.spec.tags, ...m.spec.tags, ...ownershipTags(ctx.env, key), [TAG_MIGRATION_VERSION]: version, [TAG_MIGRATION_ATTEMPT]: '0' },
  };
  const run = runAction({ registeredBy: register.id }, 0, [register.id], diff);
  return {
    actions: [register, run],
    status: status('Migration', name, hash, 'Drifted', 'NewVersion', `version ${version} has not run yet`, diff),
    gate: { state: 'pending', actionId: run.id },
  };
}

// -------------------------------------------------------------------------------------- services

/** The settings of a service as ECS reports them, with ECS's defaults filled in. */
function currentSettings(svc: EcsService): ServiceSettings {
  const dc = svc.deploymentConfiguration;
  return {
    desiredCount: svc.desiredCount,
    loadBalancers: svc.loadBalancers,
    network: svc.network,
    platformVersion: svc.platformVersion,
    healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
    deploymentConfiguration: {
      minimumHealthyPercent: dc.minimumHealthyPercent ?? 100,
      maximumPercent: dc.maximumPercent ?? 200,
      circuitBreaker: dc.circuitBreaker ?? { enable: false, rollback: false },
    },
  };
}

/** What the `steady:rollout` tag says: the revision steady pushed, when, and whether it failed. */
export function parseRolloutTag(tag: string | undefined): { arn: string; since: number; failed?: string } | undefined {
  if (!tag) return undefined;
  const m = /^(.+?)@(\d+)(?:#failed:(.*))?$/s.exec(tag);
  if (!m) return { arn: tag, since: 0 };
  return { arn: m[1], since: Number(m[2]), ...(m[3] !== undefined ? { failed: m[3] } : {}) };
}

/**
 * Did a rollout steady started fail and get rolled back? The `steady:rollout` tag says which
 * revision steady pushed and when; evidence of failure is a FAILED deployment of that revision, or
 * a circuit-breaker / rollback event after the push. Once seen, the failure is written into the
 * tag (`#failed:<why>`), because ECS keeps only the latest 100 events.
 */
function rolledBack(svc: EcsService, targetArn: string): { reason: string; recorded: boolean } | undefined {
  const tag = parseRolloutTag(svc.tags[TAG_ROLLOUT]);
  if (!tag || tag.arn !== targetArn || svc.taskDefinitionArn === targetArn) return undefined;
  if (tag.failed !== undefined) return { reason: tag.failed, recorded: true };
  const failed = svc.deployments.find((d) => d.taskDefinitionArn === targetArn && d.rolloutState === 'FAILED');
  if (failed) return { reason: failed.rolloutStateReason ?? 'the deployment failed', recorded: false };
  const events = svc.events.filter((e) => e.createdAt >= tag.since && /circuit breaker|rolling back|deployment failed/i.test(e.message));
  // The event that says why beats the one that says what ECS did about it.
  const event = events.find((e) => /failed/i.test(e.message)) ?? events[0];
  return event ? { reason: event.message, recorded: false } : undefined;
}

function planService(ctx: Context, svc: ServiceDoc, gates: Map<string, Gate>, waitsFor: string[]): Planned {
  const name = svc.metadata.name;
  const key = resourceKey('Service', name);
  const hash = specHash(svc);
  const ecsName = serviceName(svc);
  const none = (st: ResourceStatus): Planned => ({ actions: [], status: st });
  const early = clusterProblem(ctx, 'Service', name, hash) ?? unreadStatus(ctx, 'Service', name, hash);
  if (early) return none(early);

  const cur = ctx.actual.services[ecsName];
  if (cur === undefined) {
    return none(status('Service', name, hash, 'Blocked', 'ObserveFailed', `ECS service ${ecsName} could not be read; nothing is changed this pass`));
  }
  if (cur) {
    const owner = ownedBy(cur.tags, ctx.env, key);
    if (owner === 'other') {
      return none(
        status('Service', name, hash, 'Failed', 'Conflict', `ECS service ${ecsName} is managed by steady for ${cur.tags[TAG_ENVIRONMENT]} ${cur.tags[TAG_RESOURCE]}; steady leaves it alone`),
      );
    }
    if (owner === 'unowned' && !svc.spec.adopt) {
      return none(
        status(
          'Service',
          name,
          hash,
          'Failed',
          'Conflict',
          `ECS service ${ecsName} exists in cluster ${ctx.cluster} but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`,
        ),
      );
    }
    if (cur.status === 'DRAINING') {
      return none(status('Service', name, hash, 'Blocked', 'ServiceDraining', `ECS service ${ecsName} is being deleted (DRAINING); it is created again once it is gone`));
    }
  }

  // Target group
  let targetGroupArn: string | undefined;
  const lb = svc.spec.loadBalancer;
  if (lb) {
    const tg = ctx.actual.targetGroups[lb.targetGroup];
    if (tg === undefined) return none(status('Service', name, hash, 'Blocked', 'ObserveFailed', `target group ${lb.targetGroup} could not be read; nothing is changed this pass`));
    if (tg === null) return none(status('Service', name, hash, 'Failed', 'TargetGroupNotFound', `target group ${lb.targetGroup} does not exist; create it or fix spec.loadBalancer.targetGroup`));
    targetGroupArn = tg.arn;
  }

  // Task definition
  const currentTd = cur ? ctx.actual.taskDefinitions[cur.taskDefinitionArn] : undefined;
  if (cur && !currentTd) {
    return none(status('Service', name, hash, 'Blocked', 'ObserveFailed', `task definition ${cur.taskDefinitionArn} could not be read; nothing is changed this pass`));
  }
  const built = desiredTaskDefinition(svc.spec.taskDefinition, ctx.actual.images, currentTd);
  if ('problems' in built) return none(imageProblemStatus('Service', name, hash, built.problems));
  const desiredTd = built.content;
  const notes = externalImageNotes(svc, ctx, currentTd?.content);

  const actions: Action[] = [];
  const desiredSettings = desiredServiceSettings(svc, targetGroupArn);
  if (svc.spec.autoscaling) delete desiredSettings.desiredCount;
  const tags = { ...ctx.desired.environment.spec.tags, ...svc.spec.tags, ...ownershipTags(ctx.env, key) };

  // Which revision: the current one, an existing one with the same content, or a new one.
  let target: TaskDefinitionRef;
  if (currentTd && taskDefinitionsEqual(currentTd.content, desiredTd)) {
    target = { arn: currentTd.arn };
  } else {
    const match = (ctx.actual.familyRevisions[desiredTd.family] ?? [])
      .map((arn) => ctx.actual.taskDefinitions[arn])
      .find((td) => td && td.status === 'ACTIVE' && taskDefinitionsEqual(td.content, desiredTd));
    if (match) {
      target = { arn: match.arn };
    } else {
      const register: Action = {
        kind: 'RegisterTaskDefinition',
        id: `register:${key}`,
        resource: key,
        summary: `register task definition ${desiredTd.family} (new revision)`,
        diff: taskDefinitionDiff(currentTd?.content, desiredTd),
        dependsOn: [],
        content: desiredTd,
        tags: { ...tags, ...svc.spec.taskDefinition.tags },
      };
      actions.push(register);
      target = { registeredBy: register.id };
    }
  }
  const tdDiff = taskDefinitionDiff(currentTd?.content, desiredTd);

  // Migrations this service waits for: only its rollout waits, other settings do not.
  const gateDeps: string[] = [];
  let closed: Extract<Gate, { state: 'closed' }> | undefined;
  let closedBy: string | undefined;
  for (const mig of waitsFor) {
    const gate = gates.get(mig) ?? { state: 'closed', reason: 'MigrationNotReady', message: `migration ${mig} is not in the specs` };
    if (gate.state === 'pending') gateDeps.push(gate.actionId);
    if (gate.state === 'closed' && !closed) {
      closed = gate;
      closedBy = mig;
    }
  }

  if (!cur) {
    if (svc.spec.deployment.strategy === 'blueGreen') {
      return none(
        status('Service', name, hash, 'Failed', 'BlueGreenCreate', `ECS service ${ecsName} does not exist; a blue/green service is created together with its CodeDeploy deployment group, not by steady`),
      );
    }
    const diff: FieldDiff[] = [{ path: 'service', before: undefined, after: ecsName }, ...tdDiff];
    if (closed) return none(blockedByMigration('Service', name, hash, closedBy!, closed, diff));
    const settings = { ...desiredSettings, desiredCount: svc.spec.desiredCount };
    actions.push({
      kind: 'CreateService',
      id: `create:${key}`,
      resource: key,
      summary: `create service ${ecsName} (${refLabel(target, desiredTd.family)}, ${settings.desiredCount} tasks)`,
      diff,
      dependsOn: [...actions.map((a) => a.id), ...gateDeps],
      cluster: ctx.cluster,
      serviceName: ecsName,
      taskDefinition: target,
      settings,
      deploymentController: 'ECS',
      tags,
    });
    return { actions, status: { ...status('Service', name, hash, 'Drifted', 'NotFound', `ECS service ${ecsName} does not exist`, diff), notes } };
  }

  const owner = ownedBy(cur.tags, ctx.env, key);
  if (owner === 'unowned') {
    actions.push({
      kind: 'TagResource',
      id: `adopt:${key}`,
      resource: key,
      summary: `adopt service ${ecsName} (tag it as steady's)`,
      diff: [{ path: 'tags.steady:managed-by', before: undefined, after: 'steady' }],
      dependsOn: [],
      arn: cur.arn,
      tags: ownershipTags(ctx.env, key),
      purpose: 'adopt',
    });
  }
  const adoptDeps = actions.filter((a) => a.kind === 'TagResource').map((a) => a.id);

  if (svc.spec.deployment.strategy === 'blueGreen') {
    return planBlueGreen({
      env: ctx.env,
      cluster: ctx.cluster,
      svc,
      key,
      ecsName,
      specHash: hash,
      cur,
      actual: ctx.actual,
      target,
      family: desiredTd.family,
      tdDiff,
      desiredSettings,
      currentSettings: currentSettings(cur),
      prior: actions,
      gateDeps,
      blocked: closed ? (diff) => blockedByMigration('Service', name, hash, closedBy!, closed!, diff) : undefined,
      notes,
    });
  }

  const { diff: setDiff, changed } = settingsDiff(currentSettings(cur), desiredSettings);
  const rollout = 'registeredBy' in target || target.arn !== cur.taskDefinitionArn;
  const diff = [...(rollout ? tdDiff : []), ...setDiff];
  const settingsChange = Object.keys(changed).length > 0;

  if (rollout && cur.deploymentController !== 'ECS') {
    return none({
      ...status(
        'Service',
        name,
        hash,
        'Failed',
        'CodeDeployController',
        `ECS service ${ecsName} uses the ${cur.deploymentController} deployment controller, so ECS refuses a new task definition through UpdateService; roll it out with deployment.strategy: blueGreen (CodeDeploy)`,
        diff,
      ),
      notes,
    });
  }

  const failedRollout = rollout && 'arn' in target ? rolledBack(cur, target.arn) : undefined;
  if (failedRollout) {
    const record: Action[] = failedRollout.recorded
      ? []
      : [
          {
            kind: 'TagResource',
            id: `record:${key}`,
            resource: key,
            summary: `remember on service ${ecsName} that the rollout of ${refLabel(target, desiredTd.family)} failed`,
            diff: [],
            dependsOn: [],
            arn: cur.arn,
            tags: { [TAG_ROLLOUT]: `${cur.tags[TAG_ROLLOUT]}#failed:${failedRollout.reason}`.slice(0, 256) },
            purpose: 'record',
          },
        ];
    return {
      actions: record,
      status: {
        ...status(
          'Service',
          name,
          hash,
          'Failed',
          'RolloutFailed',
          `the rollout of ${refLabel(target, desiredTd.family)} failed and ECS rolled it back (${failedRollout.reason}); steady does not push it again until the spec changes or someone runs \`steady retry service/${name} --env ${ctx.env}\``,
          diff,
        ),
        notes,
      },
    };
  }

  if (!rollout && !settingsChange) {
    return { actions, status: { ...serviceRuntimeStatus(cur, name, hash), notes } };
  }

  const update = (id: string, withTarget: boolean, settings: ServiceSettings, dependsOn: string[]): Action => {
    const parts = [
      ...(withTarget ? [`task definition ${revisionLabel(cur.taskDefinitionArn)} -> ${refLabel(target, desiredTd.family)}`] : []),
      ...settingsDiff(currentSettings(cur), settings).diff.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`),
    ];
    return {
      kind: 'UpdateService',
      id,
      resource: key,
      summary: `update service ${ecsName}: ${parts.join(', ')}`,
      diff: [...(withTarget ? tdDiff : []), ...settingsDiff(currentSettings(cur), settings).diff],
      dependsOn,
      cluster: ctx.cluster,
      serviceName: ecsName,
      serviceArn: cur.arn,
      taskDefinition: withTarget ? target : undefined,
      settings,
    };
  };
  const message = [
    ...(rollout ? [`task definition ${revisionLabel(cur.taskDefinitionArn)} -> ${refLabel(target, desiredTd.family)}`] : []),
    ...setDiff.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`),
  ].join('; ');
  const prior = actions.map((a) => a.id);
  if (rollout && closed) {
    // The rollout waits; settings that are not a rollout (a desired count, say) still converge.
    if (settingsChange) actions.push(update(`update:${key}`, false, changed, adoptDeps));
    return { actions, status: { ...blockedByMigration('Service', name, hash, closedBy!, closed, diff), notes } };
  }
  if (rollout && gateDeps.length > 0 && settingsChange) {
    actions.push(update(`update:${key}`, false, changed, adoptDeps));
    actions.push(update(`rollout:${key}`, true, {}, [...prior, ...gateDeps]));
  } else {
    actions.push(update(`update:${key}`, rollout, changed, [...prior, ...gateDeps]));
  }
  return {
    actions,
    status: { ...status('Service', name, hash, 'Drifted', rollout ? 'TaskDefinitionDiffers' : 'SettingsDiffer', message, diff), notes },
  };
}

/** Status of a service that needs no change: synced, still rolling out, or failed by ECS. */
function serviceRuntimeStatus(cur: EcsService, name: string, hash: string): ResourceStatus {
  const primary = cur.deployments.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') {
    return status('Service', name, hash, 'Failed', 'DeploymentFailed', `the deployment of ${revisionLabel(primary.taskDefinitionArn)} failed: ${primary.rolloutStateReason ?? 'no reason given'}`);
  }
  if (cur.deployments.length > 1 || primary?.rolloutState === 'IN_PROGRESS') {
    return status('Service', name, hash, 'Progressing', 'RollingOut', `deployment of ${revisionLabel(cur.taskDefinitionArn)} in progress (${cur.runningCount}/${cur.desiredCount} running)`);
  }
  return status('Service', name, hash, 'Synced', 'UpToDate', `runs ${revisionLabel(cur.taskDefinitionArn)} with ${cur.runningCount}/${cur.desiredCount} tasks`);
}

function blockedByMigration(kind: ResourceStatus['kind'], name: string, hash: string, migration: string, gate: Extract<Gate, { state: 'closed' }>, diff: FieldDiff[]): ResourceStatus {
  const why = gate.reason === 'MigrationFailed' ? `migration ${migration} failed` : `migration ${migration} is not ready`;
  return status(kind, name, hash, 'Blocked', gate.reason === 'MigrationFailed' ? 'MigrationFailed' : 'WaitingForMigration', `rollout waits: ${why} (${gate.message})`, diff);
}

function externalImageNotes(svc: ServiceDoc, ctx: Context, current: TaskDefinitionContent | undefined): string[] | undefined {
  const notes: string[] = [];
  for (const c of svc.spec.taskDefinition.containers) {
    if (c.imageOwner !== 'external' || !current) continue;
    const running = current.containerDefinitions.find((x) => x.name === c.name)?.image;
    const resolution = ctx.actual.images[c.image];
    const specImage = resolution?.kind === 'pinned' ? resolution.pinned : c.image;
    if (running && running !== specImage && running !== c.image) {
      notes.push(`container ${c.name} runs ${running}, the spec says ${c.image}; its image is owned by an outside deployer, so steady does not revert it`);
    }
  }
  return notes.length > 0 ? notes : undefined;
}

// ---------------------------------------------------------------------------------------- aliases

/** The TXT record that says a record is steady's (external-dns's registry idea). */
export function ownerRecordName(type: string, name: string): string {
  return `_steady-${type.toLowerCase()}.${name}`;
}

export function ownerRecordValue(env: string, key: string): string {
  return `"heritage=steady,steady/environment=${env},steady/resource=${key}"`;
}

function parseOwner(record: RecordSet | undefined): { env?: string; resource?: string } | undefined {
  const value = record?.values?.find((v) => v.includes('heritage=steady'));
  if (!value) return undefined;
  const fields = Object.fromEntries(
    value
      .replace(/^"|"$/g, '')
      .split(',')
      .map((kv) => kv.split('=') as [string, string]),
  );
  return { env: fields['steady/environment'], resource: fields['steady/resource'] };
}

function renderAlias(a: AliasTarget | undefined): string | undefined {
  return a ? `ALIAS ${a.dnsName} (zone ${a.hostedZoneId}${a.evaluateTargetHealth ? ', evaluate target health' : ''})` : undefined;
}

function planAlias(ctx: Context, a: AliasRecordDoc): Planned {
  const name = a.metadata.name;
  const key = resourceKey('AliasRecord', name);
  const hash = specHash(a);
  const none = (st: ResourceStatus): Planned => ({ actions: [], status: st });
  const early = unreadStatus(ctx, 'AliasRecord', name, hash);
  if (early) return none(early);
  const spec = a.spec;
  const zoneKey = spec.zoneId ?? spec.zone;
  const observed = ctx.actual.zones[zoneKey];
  if (observed === undefined) return none(status('AliasRecord', name, hash, 'Blocked', 'ObserveFailed', `hosted zone ${zoneKey} could not be read; nothing is changed this pass`));
  if (observed === null) return none(status('AliasRecord', name, hash, 'Failed', 'ZoneNotFound', `hosted zone ${zoneKey} does not exist in this account`));

  // Resolve the target every pass: this is what heals an alias to a recreated ALB.
  let want: AliasTarget;
  const t = spec.target;
  if ('loadBalancer' in t) {
    const lb = ctx.actual.loadBalancers[t.loadBalancer];
    if (lb === undefined) return none(status('AliasRecord', name, hash, 'Blocked', 'ObserveFailed', `load balancer ${t.loadBalancer} could not be read; the record is left as it is`));
    if (lb === null) return none(status('AliasRecord', name, hash, 'Failed', 'TargetNotFound', `load balancer ${t.loadBalancer} does not exist; the record is left as it is`));
    want = { dnsName: lb.dnsName, hostedZoneId: lb.canonicalHostedZoneId, evaluateTargetHealth: spec.evaluateTargetHealth };
  } else if ('cloudFront' in t) {
    const d = ctx.actual.distributions[t.cloudFront];
    if (d === undefined) return none(status('AliasRecord', name, hash, 'Blocked', 'ObserveFailed', `CloudFront distribution ${t.cloudFront} could not be read; the record is left as it is`));
    if (d === null) return none(status('AliasRecord', name, hash, 'Failed', 'TargetNotFound', `CloudFront distribution ${t.cloudFront} does not exist; the record is left as it is`));
    want = { dnsName: d.domainName, hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID, evaluateTargetHealth: spec.evaluateTargetHealth };
  } else {
    want = { dnsName: t.dnsName, hostedZoneId: t.hostedZoneId, evaluateTargetHealth: spec.evaluateTargetHealth };
  }

  const records = observed.records;
  const current = records.find((r) => r.name === spec.name && r.type === spec.type && !r.setIdentifier);
  const ownerName = ownerRecordName(spec.type, spec.name);
  const ownerRecord = records.find((r) => r.name === ownerName && r.type === 'TXT');
  const owner = parseOwner(ownerRecord);
  const mine = owner?.env === ctx.env && owner?.resource === key;
  if (owner && !mine) {
    return none(status('AliasRecord', name, hash, 'Failed', 'Conflict', `${spec.name} ${spec.type} is managed by steady for ${owner.env} ${owner.resource}; steady leaves it alone`));
  }
  if (current && !mine && !spec.adopt) {
    return none(
      status(
        'AliasRecord',
        name,
        hash,
        'Failed',
        'Conflict',
        `${spec.name} ${spec.type} exists in zone ${observed.zone.name} but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`,
      ),
    );
  }

  const record: RecordSet = { name: spec.name, type: spec.type, alias: want };
  const ownerTxt: RecordSet = { name: ownerName, type: 'TXT', ttl: 300, values: [ownerRecordValue(ctx.env, key)] };
  const same =
    current?.alias &&
    sameAliasDnsName(current.alias.dnsName, want.dnsName) &&
    current.alias.hostedZoneId === want.hostedZoneId &&
    current.alias.evaluateTargetHealth === want.evaluateTargetHealth;
  if (same && mine) {
    return none(status('AliasRecord', name, hash, 'Synced', 'UpToDate', `${spec.name} ${spec.type} -> ${want.dnsName}`));
  }
  const diff: FieldDiff[] = [{ path: `${spec.name} ${spec.type}`, before: current ? (renderAlias(current.alias) ?? `${current.values?.join(' ')}`) : undefined, after: renderAlias(want) }];
  const changes = [
    { action: current ? ('UPSERT' as const) : ('CREATE' as const), record },
    ...(mine ? [] : [{ action: 'UPSERT' as const, record: ownerTxt }]),
  ];
  const verb = !current ? 'create' : mine ? 'update' : 'adopt';
  return {
    actions: [
      {
        kind: 'ChangeRecords',
        id: `records:${key}`,
        resource: key,
        summary: `${verb} ${spec.name} ${spec.type} -> ${want.dnsName}`,
        diff,
        dependsOn: [],
        zoneId: observed.zone.id,
        zoneName: observed.zone.name,
        changes,
      },
    ],
    status: status('AliasRecord', name, hash, 'Drifted', current ? (mine ? 'TargetDiffers' : 'Adopting') : 'NotFound', `${spec.name} ${spec.type}: ${diff[0].before ?? 'missing'} -> ${diff[0].after}`, diff),
  };
}

// ------------------------------------------------------------------------------------------ plan

/** The policy for a pass over `desired`: its Environment's mode and budget, plus command-line flags. */
export function policyFor(desired: DesiredEnvironment, options: { dryRun?: boolean; now: number }): Policy {
  return {
    mode: desired.environment.spec.mode,
    dryRun: options.dryRun ?? false,
    changeBudget: desired.environment.spec.changeBudget,
    now: options.now,
  };
}

/**
 * Works out what to do to one environment. Pure: same input, same plan.
 *
 * @example
 * const p = plan(desired, actual, { mode: 'enforce', dryRun: false, changeBudget: 20, now: Date.now() });
 * for (const a of p.actions) console.log(a.summary);
 */
export function plan(desired: DesiredEnvironment, actual: ActualState, policy: Policy): Plan {
  const ctx: Context = { desired, actual, policy, env: desired.name, cluster: desired.environment.spec.cluster };
  const planned: Planned[] = [];
  const gates = new Map<string, Gate>();
  for (const m of desired.migrations) {
    const p = planMigration(ctx, m);
    gates.set(m.metadata.name, p.gate);
    planned.push(p);
  }
  for (const svc of desired.services) {
    const waitsFor = new Set(svc.spec.after);
    for (const m of desired.migrations) if (m.spec.before.includes(svc.metadata.name)) waitsFor.add(m.metadata.name);
    planned.push(planService(ctx, svc, gates, [...waitsFor].sort()));
  }
  for (const a of desired.aliases) planned.push(planAlias(ctx, a));

  const actions = planned.flatMap((p) => p.actions);
  const resources = planned.map((p) => p.status);
  // Waiting (for a migration, a CodeDeploy deployment) and bookkeeping tags are not changes people would count.
  const waiting = new Set(['AwaitMigration', 'AwaitCodeDeployDeployment']);
  const changing = new Set(actions.filter((a) => !waiting.has(a.kind) && !(a.kind === 'TagResource' && a.purpose === 'record')).map((a) => a.resource));
  const budget = { limit: policy.changeBudget, used: changing.size, exceeded: changing.size > policy.changeBudget };
  const holdAll = policy.mode === 'observe' || policy.dryRun || budget.exceeded;
  if (holdAll) {
    const why =
      policy.mode === 'observe'
        ? { reason: 'ObserveMode', message: 'environment is in observe mode: steady reports, and changes nothing' }
        : policy.dryRun
          ? { reason: 'DryRun', message: 'dry run: nothing is changed' }
          : {
              reason: 'ChangeBudgetExceeded',
              message: `the plan changes ${budget.used} resources, more than the change budget of ${budget.limit}; nothing is changed. Raise spec.changeBudget of environment ${ctx.env} or change fewer resources at once`,
            };
    for (const r of resources) {
      if (changing.has(r.resource)) {
        r.notes = [...(r.notes ?? []), `would change, but ${why.message}`];
        if (why.reason === 'ChangeBudgetExceeded') {
          r.phase = 'Blocked';
          r.reason = why.reason;
          r.message = `${r.message}; ${why.message}`;
        }
      }
    }
  }
  return { environment: ctx.env, policy, actions, resources, budget, holdAll };
}
