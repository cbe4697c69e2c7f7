/**
 * Planning Services (rolling ECS deployments; blue/green ones are handed to bluegreen.ts once
 * the revision and the gates are known): ownership and adoption, the revision to run (the
 * current one, an existing one with the same content, or a new one), the settings steady
 * manages, the migration gates, and the memory of rollouts the circuit breaker rolled back. Pure.
 */
import type { EcsService, EcsTaskDefinition } from '../model/aws.js';
import { carryOver } from '../model/carryover.js';
import { canonicalExtras, EXTRA_SETTINGS } from '../model/service-settings.js';
import {
  ownershipTags,
  TAG_ENVIRONMENT,
  TAG_RESOURCE,
  TAG_ROLLOUT,
  type Action,
  type FieldDiff,
  type ResourceStatus,
  type ServiceSettings,
  type TaskDefinitionRef,
} from '../model/plan.js';
import { contentFingerprint, taskDefinitionsEqual, type TaskDefinitionContent } from '../model/taskdef.js';
import type { ServiceDoc } from '../spec/schema.js';
import { planBlueGreen } from './bluegreen.js';
import { clusterProblem, imageProblemStatus, ownedBy, refLabel, revisionLabel, status, unexpressibleStatus, unreadStatus, type Context, type Gate, type Planned } from './common.js';
import { unexpressibleFields, type UnexpressibleField } from './expressible.js';
import { desiredServiceSettings, desiredTaskDefinition, resourceKey, serviceName, settingsDiff, specHash, taskDefinitionDiff } from './desired.js';

/** One service being planned: its names, and what AWS says about it. */
interface ServiceCase {
  svc: ServiceDoc;
  name: string;
  key: string;
  hash: string;
  ecsName: string;
  /** The ECS service; null when it does not exist. */
  cur: EcsService | null;
  currentTd?: EcsTaskDefinition;
  targetGroupArn?: string;
}

/** The migrations a service's rollout waits for, as this pass sees them. */
interface Gating {
  /** Migration actions of this pass the rollout depends on. */
  deps: string[];
  /** The first closed gate, and the migration that closed it. */
  closed?: { gate: Extract<Gate, { state: 'closed' }>; migration: string };
}

const none = (st: ResourceStatus): Planned => ({ actions: [], status: st });

/** The settings of a service as ECS reports them, with ECS's defaults filled in. */
function currentSettings(svc: EcsService): ServiceSettings {
  const dc = svc.deploymentConfiguration;
  return {
    ...canonicalExtras(Object.fromEntries(EXTRA_SETTINGS.map((f) => [f, svc[f]]))),
    deploymentAlarms: dc.alarms,
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

/**
 * What must hold before anything of a service is planned: its cluster, the service itself, its
 * owner, its target group and its current revision read. Returns the case, or why not.
 */
function resolveService(ctx: Context, svc: ServiceDoc): ServiceCase | ResourceStatus {
  const name = svc.metadata.name;
  const key = resourceKey('Service', name);
  const hash = specHash(svc);
  const ecsName = serviceName(svc);
  const early = clusterProblem(ctx, 'Service', name, hash) ?? unreadStatus(ctx, 'Service', name, hash);
  if (early) return early;
  const cur = ctx.actual.services[ecsName];
  if (cur === undefined) return status('Service', name, hash, 'Blocked', 'ObserveFailed', `ECS service ${ecsName} could not be read; nothing is changed this pass`);
  if (cur) {
    const owner = ownedBy(cur.tags, ctx.env, key);
    if (owner === 'other') {
      return status('Service', name, hash, 'Failed', 'Conflict', `ECS service ${ecsName} is managed by steady for ${cur.tags[TAG_ENVIRONMENT]} ${cur.tags[TAG_RESOURCE]}; steady leaves it alone`);
    }
    if (owner === 'unowned' && !svc.spec.adopt) {
      const message = `ECS service ${ecsName} exists in cluster ${ctx.cluster} but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`;
      return status('Service', name, hash, 'Failed', 'Conflict', message);
    }
    if (cur.status === 'DRAINING') {
      return status('Service', name, hash, 'Blocked', 'ServiceDraining', `ECS service ${ecsName} is being deleted (DRAINING); it is created again once it is gone`);
    }
  }
  let targetGroupArn: string | undefined;
  const lb = svc.spec.loadBalancer;
  if (lb) {
    const tg = ctx.actual.targetGroups[lb.targetGroup];
    if (tg === undefined) return status('Service', name, hash, 'Blocked', 'ObserveFailed', `target group ${lb.targetGroup} could not be read; nothing is changed this pass`);
    if (tg === null) return status('Service', name, hash, 'Failed', 'TargetGroupNotFound', `target group ${lb.targetGroup} does not exist; create it or fix spec.loadBalancer.targetGroup`);
    targetGroupArn = tg.arn;
  }
  const currentTd = cur ? ctx.actual.taskDefinitions[cur.taskDefinitionArn] : undefined;
  if (cur && !currentTd) {
    return status('Service', name, hash, 'Blocked', 'ObserveFailed', `task definition ${cur.taskDefinitionArn} could not be read; nothing is changed this pass`);
  }
  return { svc, name, key, hash, ecsName, cur, currentTd, targetGroupArn };
}

/** Which revision to run: the current one, an existing one with the same content, or a new one (registered by the returned action). */
function chooseRevision(ctx: Context, sc: ServiceCase, desiredTd: TaskDefinitionContent, tags: Record<string, string>): { target: TaskDefinitionRef; register?: Action } {
  const { currentTd } = sc;
  if (currentTd && taskDefinitionsEqual(currentTd.content, desiredTd)) return { target: { arn: currentTd.arn } };
  const match = (ctx.actual.familyRevisions[desiredTd.family] ?? [])
    .map((arn) => ctx.actual.taskDefinitions[arn])
    .find((td) => td && td.status === 'ACTIVE' && taskDefinitionsEqual(td.content, desiredTd));
  if (match) return { target: { arn: match.arn } };
  const register: Action = {
    kind: 'RegisterTaskDefinition',
    id: `register:${sc.key}`,
    resource: sc.key,
    summary: `register task definition ${desiredTd.family} (new revision)`,
    diff: taskDefinitionDiff(currentTd?.content, desiredTd, sc.svc.spec.taskDefinition),
    dependsOn: [],
    content: desiredTd,
    tags: { ...tags, ...sc.svc.spec.taskDefinition.tags },
  };
  return { target: { registeredBy: register.id }, register };
}

/** Migrations this service waits for: only its rollout waits, other settings do not. */
function gatingOf(gates: Map<string, Gate>, waitsFor: string[]): Gating {
  const gating: Gating = { deps: [] };
  for (const mig of waitsFor) {
    const gate = gates.get(mig) ?? { state: 'closed', reason: 'MigrationNotReady', message: `migration ${mig} is not in the specs` };
    if (gate.state === 'pending') gating.deps.push(gate.actionId);
    if (gate.state === 'closed' && !gating.closed) gating.closed = { gate, migration: mig };
  }
  return gating;
}

function blockedByMigration(kind: ResourceStatus['kind'], name: string, hash: string, migration: string, gate: Extract<Gate, { state: 'closed' }>, diff: FieldDiff[]): ResourceStatus {
  const why = gate.reason === 'MigrationFailed' ? `migration ${migration} failed` : `migration ${migration} is not ready`;
  return status(kind, name, hash, 'Blocked', gate.reason === 'MigrationFailed' ? 'MigrationFailed' : 'WaitingForMigration', `rollout waits: ${why} (${gate.message})`, diff);
}

function blockedBy(sc: ServiceCase, gating: Gating, diff: FieldDiff[]): ResourceStatus {
  const c = gating.closed!;
  return blockedByMigration('Service', sc.name, sc.hash, c.migration, c.gate, diff);
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

/** Everything worked out for a service before deciding between create, blue/green and rolling update. */
interface Prepared {
  desiredTd: TaskDefinitionContent;
  target: TaskDefinitionRef;
  tdDiff: FieldDiff[];
  desiredSettings: ServiceSettings & { network: ReturnType<typeof desiredServiceSettings>['network'] };
  tags: Record<string, string>;
  gating: Gating;
  notes?: string[];
  /** Registration (and adoption) actions planned so far. */
  actions: Action[];
}

function planCreate(ctx: Context, sc: ServiceCase, p: Prepared): Planned {
  const { svc, name, key, hash, ecsName } = sc;
  if (svc.spec.deployment.strategy === 'blueGreen') {
    return none(status('Service', name, hash, 'Failed', 'BlueGreenCreate', `ECS service ${ecsName} does not exist; a blue/green service is created together with its CodeDeploy deployment group, not by steady`));
  }
  const diff: FieldDiff[] = [{ path: 'service', before: undefined, after: ecsName }, ...p.tdDiff];
  if (p.gating.closed) return none(blockedBy(sc, p.gating, diff));
  const settings = { ...p.desiredSettings, desiredCount: svc.spec.desiredCount };
  const actions = [...p.actions];
  actions.push({
    kind: 'CreateService',
    id: `create:${key}`,
    resource: key,
    summary: `create service ${ecsName} (${refLabel(p.target, p.desiredTd.family)}, ${settings.desiredCount} tasks)`,
    diff,
    dependsOn: [...actions.map((a) => a.id), ...p.gating.deps],
    cluster: ctx.cluster,
    serviceName: ecsName,
    taskDefinition: p.target,
    contentFingerprint: contentFingerprint(p.desiredTd),
    settings,
    deploymentController: 'ECS',
    tags: p.tags,
  });
  return { actions, status: { ...status('Service', name, hash, 'Drifted', 'NotFound', `ECS service ${ecsName} does not exist`, diff), notes: p.notes } };
}

/** The rollout of a revision ECS rolled back is not pushed again; the failure is remembered on the service. */
function planRolledBack(sc: ServiceCase, cur: EcsService, p: Prepared, failed: { reason: string; recorded: boolean }, diff: FieldDiff[], env: string): Planned {
  const record: Action[] = failed.recorded
    ? []
    : [
        {
          kind: 'TagResource',
          id: `record:${sc.key}`,
          resource: sc.key,
          summary: `remember on service ${sc.ecsName} that the rollout of ${refLabel(p.target, p.desiredTd.family)} failed`,
          diff: [],
          dependsOn: [],
          arn: cur.arn,
          tags: { [TAG_ROLLOUT]: `${cur.tags[TAG_ROLLOUT]}#failed:${failed.reason}`.slice(0, 256) },
          purpose: 'record',
        },
      ];
  const message = `the rollout of ${refLabel(p.target, p.desiredTd.family)} failed and ECS rolled it back (${failed.reason}); steady does not push it again until the spec changes or someone runs \`steady retry service/${sc.name} --env ${env}\``;
  return { actions: record, status: { ...status('Service', sc.name, sc.hash, 'Failed', 'RolloutFailed', message, diff), notes: p.notes } };
}

/**
 * The fields of a service's deploymentConfiguration steady owns; the rest is carried over as observed.
 * The alarms are steady's only when the spec names them (`deploymentAlarms`).
 */
const DEPLOYMENT_FIELDS_STEADY_OWNS = ['minimumHealthyPercent', 'maximumPercent', 'circuitBreaker'];

/**
 * What UpdateService is sent for `changed`: deploymentConfiguration, which it replaces whole, is the
 * one observed with steady's changed fields applied (alarms included when the spec names them).
 */
export function updateSettings(cur: EcsService, changed: ServiceSettings): ServiceSettings {
  const { deploymentAlarms, ...settings } = changed;
  const owned = [...(changed.deploymentConfiguration ? DEPLOYMENT_FIELDS_STEADY_OWNS : []), ...(deploymentAlarms ? ['alarms'] : [])];
  if (owned.length === 0) return settings;
  type Dc = NonNullable<ServiceSettings['deploymentConfiguration']>;
  return { ...settings, deploymentConfiguration: carryOver<Dc>(cur.deploymentConfiguration, owned, { ...changed.deploymentConfiguration, alarms: deploymentAlarms }) };
}

function updateAction(ctx: Context, sc: ServiceCase, cur: EcsService, p: Prepared, id: string, withTarget: boolean, changed: ServiceSettings, dependsOn: string[]): Action {
  const settingDiffs = settingsDiff(currentSettings(cur), changed).diff;
  const settings = updateSettings(cur, changed);
  const parts = [
    ...(withTarget ? [`task definition ${revisionLabel(cur.taskDefinitionArn)} -> ${refLabel(p.target, p.desiredTd.family)}`] : []),
    ...settingDiffs.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`),
  ];
  return {
    kind: 'UpdateService',
    id,
    resource: sc.key,
    summary: `update service ${sc.ecsName}: ${parts.join(', ')}`,
    diff: [...(withTarget ? p.tdDiff : []), ...settingDiffs],
    dependsOn,
    cluster: ctx.cluster,
    serviceName: sc.ecsName,
    serviceArn: cur.arn,
    taskDefinition: withTarget ? p.target : undefined,
    ...(withTarget ? { contentFingerprint: contentFingerprint(p.desiredTd) } : {}),
    settings,
  };
}

/** A rolling service that exists: roll out a revision and/or change settings, within the gates. */
function planRollingUpdate(ctx: Context, sc: ServiceCase, cur: EcsService, p: Prepared): Planned {
  const { name, hash, ecsName } = sc;
  const { diff: setDiff, changed } = settingsDiff(currentSettings(cur), p.desiredSettings);
  const rollout = 'registeredBy' in p.target || p.target.arn !== cur.taskDefinitionArn;
  const diff = [...(rollout ? p.tdDiff : []), ...setDiff];
  const settingsChange = Object.keys(changed).length > 0;
  const notes = p.notes;

  if (rollout && cur.deploymentController !== 'ECS') {
    const message = `ECS service ${ecsName} uses the ${cur.deploymentController} deployment controller, so ECS refuses a new task definition through UpdateService; roll it out with deployment.strategy: blueGreen (CodeDeploy)`;
    return none({ ...status('Service', name, hash, 'Failed', 'CodeDeployController', message, diff), notes });
  }
  const failedRollout = rollout && 'arn' in p.target ? rolledBack(cur, p.target.arn) : undefined;
  if (failedRollout) return planRolledBack(sc, cur, p, failedRollout, diff, ctx.env);
  const actions = [...p.actions];
  if (!rollout && !settingsChange) return { actions, status: { ...serviceRuntimeStatus(cur, name, hash), notes } };

  const message = [
    ...(rollout ? [`task definition ${revisionLabel(cur.taskDefinitionArn)} -> ${refLabel(p.target, p.desiredTd.family)}`] : []),
    ...setDiff.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`),
  ].join('; ');
  const prior = actions.map((a) => a.id);
  const adoptDeps = actions.filter((a) => a.kind === 'TagResource').map((a) => a.id);
  const gateDeps = p.gating.deps;
  if (rollout && p.gating.closed) {
    // The rollout waits; settings that are not a rollout (a desired count, say) still converge.
    if (settingsChange) actions.push(updateAction(ctx, sc, cur, p, `update:${sc.key}`, false, changed, adoptDeps));
    return { actions, status: { ...blockedBy(sc, p.gating, diff), notes } };
  }
  if (rollout && gateDeps.length > 0 && settingsChange) {
    actions.push(updateAction(ctx, sc, cur, p, `update:${sc.key}`, false, changed, adoptDeps));
    actions.push(updateAction(ctx, sc, cur, p, `rollout:${sc.key}`, true, {}, [...prior, ...gateDeps]));
  } else {
    // Only a rollout waits for the migrations (DESIGN.md: nothing else is blocked); a settings change alone does not.
    actions.push(updateAction(ctx, sc, cur, p, `update:${sc.key}`, rollout, changed, rollout ? [...prior, ...gateDeps] : prior));
  }
  return { actions, status: { ...status('Service', name, hash, 'Drifted', rollout ? 'TaskDefinitionDiffers' : 'SettingsDiffer', message, diff), notes } };
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

/**
 * The service runs a revision with content the spec cannot express (adopted that way, or a revision
 * registered by hand): nothing is registered, updated or tagged, and the message says what to do.
 */
function hiddenContentStatus(ctx: Context, sc: ServiceCase, running: EcsTaskDefinition, desiredTd: TaskDefinitionContent, fields: UnexpressibleField[]): ResourceStatus {
  const match = (ctx.actual.familyRevisions[desiredTd.family] ?? [])
    .map((arn) => ctx.actual.taskDefinitions[arn])
    .find((td) => td && td.status === 'ACTIVE' && taskDefinitionsEqual(td.content, desiredTd));
  const without = match
    ? `update the service to ${revisionLabel(match.arn)}, which has exactly what the spec asks`
    : 'register a revision without it and update the service to that revision';
  const remedy = `If the service needs this content, leave it out of steady's specs until the spec language can express it; if it does not, ${without}, and the next pass takes over`;
  return unexpressibleStatus('Service', sc.name, sc.hash, {
    whose: `ECS service ${sc.ecsName} runs ${revisionLabel(running.arn)}`,
    fields,
    diff: taskDefinitionDiff(running.content, desiredTd),
    remedy,
  });
}

/**
 * Plans one Service.
 *
 * @example
 * const { actions, status } = planService(ctx, serviceDoc, gates, ['db-migrate']);
 */
export function planService(ctx: Context, svc: ServiceDoc, gates: Map<string, Gate>, waitsFor: string[]): Planned {
  const sc = resolveService(ctx, svc);
  if (!('ecsName' in sc)) return none(sc);
  const { name, key, hash, cur, currentTd } = sc;
  const built = desiredTaskDefinition(svc.spec.taskDefinition, ctx.actual.images, currentTd);
  if ('problems' in built) return none(imageProblemStatus('Service', name, hash, built.problems));
  const desiredTd = built.content;
  const hidden = currentTd ? unexpressibleFields(currentTd.content) : [];
  if (currentTd && hidden.length > 0) return none(hiddenContentStatus(ctx, sc, currentTd, desiredTd, hidden));
  const desiredSettings = desiredServiceSettings(svc, sc.targetGroupArn);
  if (svc.spec.autoscaling) delete desiredSettings.desiredCount;
  const tags = { ...ctx.desired.environment.spec.tags, ...svc.spec.tags, ...ownershipTags(ctx.env, key) };
  const { target, register } = chooseRevision(ctx, sc, desiredTd, tags);
  const p: Prepared = {
    desiredTd,
    target,
    tdDiff: taskDefinitionDiff(currentTd?.content, desiredTd, svc.spec.taskDefinition),
    desiredSettings,
    tags,
    gating: gatingOf(gates, waitsFor),
    notes: externalImageNotes(svc, ctx, currentTd?.content),
    actions: register ? [register] : [],
  };
  if (!cur) return planCreate(ctx, sc, p);

  if (ownedBy(cur.tags, ctx.env, key) === 'unowned') {
    p.actions.push({
      kind: 'TagResource',
      id: `adopt:${key}`,
      resource: key,
      summary: `adopt service ${sc.ecsName} (tag it as steady's)`,
      diff: [{ path: 'tags.steady:managed-by', before: undefined, after: 'steady' }],
      dependsOn: [],
      arn: cur.arn,
      tags: ownershipTags(ctx.env, key),
      purpose: 'adopt',
    });
  }
  if (svc.spec.deployment.strategy !== 'blueGreen') return planRollingUpdate(ctx, sc, cur, p);
  return planBlueGreen({
    env: ctx.env,
    cluster: ctx.cluster,
    svc,
    key,
    ecsName: sc.ecsName,
    specHash: hash,
    cur,
    actual: ctx.actual,
    target,
    family: desiredTd.family,
    tdDiff: p.tdDiff,
    desiredSettings,
    currentSettings: currentSettings(cur),
    prior: p.actions,
    gateDeps: p.gating.deps,
    blocked: p.gating.closed ? (diff) => blockedBy(sc, p.gating, diff) : undefined,
    notes: p.notes,
  });
}
