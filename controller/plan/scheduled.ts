/**
 * Planning ScheduledTasks: an EventBridge Scheduler schedule whose target is ECS RunTask of a
 * task definition steady keeps for the task (its own family, images pinned to digests, the
 * command registered into it), in a schedule group per environment. steady creates the group
 * (tagged as its own: schedules cannot be tagged), creates or updates the schedule (its
 * description is steady's ownership marker), adopts one a spec says to, and never deletes. Once the
 * schedule is as the spec says, its status is that of its runs (scheduled-runs.ts): a failed or
 * missed run is Failed until a later run succeeds. Pure.
 */
import type { ObservedScheduledTask } from '../model/actual.js';
import type { EcsNetwork, ScheduleSettings, SchedulerSchedule, Tags } from '../model/aws.js';
import { ownershipTags, TAG_ENVIRONMENT, TAG_LAST_RUN, TAG_MANAGED_BY, type Action, type FieldDiff, type ResourceStatus, type TaskDefinitionRef } from '../model/plan.js';
import { stableJson, taskDefinitionsEqual, type TaskDefinitionContent } from '../model/taskdef.js';
import type { ScheduledTaskDoc, ServiceDoc, TaskDefinitionSpec } from '../spec/schema.js';
import { clusterProblem, hiddenContentStatus, imageProblemStatus, ownedBy, refLabel, revisionLabel, status, unreadStatus, type Context, type Planned } from './common.js';
import { desiredTaskDefinition, networkOf, resourceKey, serviceName, specHash, taskDefinitionDiff } from './desired.js';
import { describeRun, formatFireTime, judgeRuns, parseRunRecord, type RunsJudgement } from './scheduled-runs.js';

/** The description steady writes on a schedule it manages: its ownership marker. */
export function scheduleMarker(env: string, name: string): string {
  return `steady: ${env} ScheduledTask/${name}`;
}

/** The group and name of a ScheduledTask's schedule. */
export function scheduleRefOf(t: ScheduledTaskDoc, env: string): { group: string; name: string } {
  return { group: t.spec.group ?? `steady-${env}`, name: t.spec.scheduleName ?? t.metadata.name };
}

/** The family of the task definition steady keeps for a scheduled task. */
export function scheduledFamily(t: ScheduledTaskDoc, services: ServiceDoc[]): string {
  if (t.spec.taskDefinition) return t.spec.taskDefinition.family;
  const svc = services.find((s) => s.metadata.name === t.spec.fromService);
  return `${svc?.spec.taskDefinition.family ?? t.spec.fromService}-${t.metadata.name}`.slice(0, 255);
}

/** The container whose command runs (and whose exit code decides): named, or the first essential one. */
export function scheduledContainer(t: ScheduledTaskDoc, td: TaskDefinitionSpec): string {
  return t.spec.container ?? td.containers.find((c) => c.essential)?.name ?? td.containers[0].name;
}

/** One scheduled task being planned, with what AWS says about it. */
interface TaskCase {
  t: ScheduledTaskDoc;
  name: string;
  key: string;
  hash: string;
  ref: { group: string; name: string };
  family: string;
  container: string;
  tdSpec: TaskDefinitionSpec;
  network: EcsNetwork;
  fromService?: ServiceDoc;
  observed: ObservedScheduledTask;
  clusterArn: string;
  /** The id of the action creating steady's schedule group this pass, if it is missing. */
  createGroup?: string;
}

const none = (st: ResourceStatus): Planned => ({ actions: [], status: st });

/** What must hold before anything is planned: cluster, reads, the group, the schedule's owner. */
function resolveTask(ctx: Context, t: ScheduledTaskDoc, createGroup: string | undefined): TaskCase | ResourceStatus {
  const name = t.metadata.name;
  const key = resourceKey('ScheduledTask', name);
  const hash = specHash(t);
  const early = clusterProblem(ctx, 'ScheduledTask', name, hash) ?? unreadStatus(ctx, 'ScheduledTask', name, hash);
  if (early) return early;
  const observed = ctx.actual.scheduledTasks[name];
  if (!observed) return status('ScheduledTask', name, hash, 'Blocked', 'ObserveFailed', `scheduled task ${name} could not be observed; nothing is changed this pass`);
  const ref = scheduleRefOf(t, ctx.env);
  const groupProblem = checkGroup(ctx, ref.group, name, hash);
  if (groupProblem) return groupProblem;
  const owner = scheduleOwner(ctx, t, observed.schedule, name, hash);
  if (owner) return owner;
  const fromService = t.spec.fromService ? ctx.desired.services.find((s) => s.metadata.name === t.spec.fromService) : undefined;
  const tdSpec = t.spec.taskDefinition ?? fromService?.spec.taskDefinition;
  const net = t.spec.network ?? fromService?.spec.network;
  if (!tdSpec || !net) return status('ScheduledTask', name, hash, 'Failed', 'InvalidSpec', `scheduled task ${name} names no task definition and no service`);
  const missingGroup = ctx.actual.scheduleGroups[ref.group] === null;
  return {
    t,
    name,
    key,
    hash,
    ref,
    family: scheduledFamily(t, ctx.desired.services),
    container: scheduledContainer(t, tdSpec),
    tdSpec,
    network: networkOf(net),
    fromService,
    observed,
    clusterArn: ctx.actual.cluster!.arn,
    ...(missingGroup ? { createGroup } : {}),
  };
}

/** steady's own group must be tagged as this environment's; another group must exist. */
function checkGroup(ctx: Context, group: string, name: string, hash: string): ResourceStatus | undefined {
  const g = ctx.actual.scheduleGroups[group];
  const own = group === `steady-${ctx.env}`;
  if (g === undefined) return status('ScheduledTask', name, hash, 'Blocked', 'ObserveFailed', `schedule group ${group} could not be read; nothing is changed this pass`);
  if (g === null) {
    return own ? undefined : status('ScheduledTask', name, hash, 'Failed', 'ScheduleGroupNotFound', `schedule group ${group} does not exist; steady creates only its own group steady-${ctx.env}`);
  }
  if (own && (g.tags[TAG_MANAGED_BY] !== 'steady' || g.tags[TAG_ENVIRONMENT] !== ctx.env)) {
    return status(
      'ScheduledTask',
      name,
      hash,
      'Failed',
      'Conflict',
      `schedule group ${group} exists but is not steady's for environment ${ctx.env} (tags ${TAG_MANAGED_BY}=steady, ${TAG_ENVIRONMENT}=${ctx.env}); steady leaves it alone. Tag it so, or set spec.group`,
    );
  }
  return undefined;
}

/** A schedule of the same name that is not this task's: someone else's (Conflict) unless the spec adopts it. */
function scheduleOwner(ctx: Context, t: ScheduledTaskDoc, schedule: SchedulerSchedule | null, name: string, hash: string): ResourceStatus | undefined {
  if (!schedule || schedule.description === scheduleMarker(ctx.env, name)) return undefined;
  const where = `${schedule.group}/${schedule.name}`;
  if (schedule.description?.startsWith('steady: ')) {
    return status('ScheduledTask', name, hash, 'Failed', 'Conflict', `schedule ${where} is managed by steady for ${schedule.description.slice('steady: '.length)}; steady leaves it alone`);
  }
  if (t.spec.adopt) return undefined;
  return status('ScheduledTask', name, hash, 'Failed', 'Conflict', `schedule ${where} exists but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`);
}

/** The task definition the spec asks for: the service's (or its own), images pinned, the command registered in. */
function desiredContent(ctx: Context, tc: TaskCase): { content: TaskDefinitionContent } | ResourceStatus {
  // Externally owned images come from what the service runs now, as for a fromService migration.
  const svc = tc.fromService ? ctx.actual.services[serviceName(tc.fromService)] : undefined;
  const current = svc ? ctx.actual.taskDefinitions[svc.taskDefinitionArn] : undefined;
  const built = desiredTaskDefinition(tc.tdSpec, ctx.actual.images, current, tc.family);
  if ('problems' in built) return imageProblemStatus('ScheduledTask', tc.name, tc.hash, built.problems);
  const command = tc.t.spec.command;
  if (!command) return built;
  return { content: { ...built.content, containerDefinitions: built.content.containerDefinitions.map((c) => (c.name === tc.container ? { ...c, command } : c)) } };
}

/** The revision to target: the schedule's, the family's latest, or a new one (carrying the last run's record). */
function chooseTarget(ctx: Context, tc: TaskCase, content: TaskDefinitionContent, tags: Tags, record: string | undefined): { target: TaskDefinitionRef; register?: Action } {
  const current = tc.observed.schedule?.target.ecs?.taskDefinitionArn;
  const currentTd = current ? ctx.actual.taskDefinitions[current] : undefined;
  if (currentTd && taskDefinitionsEqual(currentTd.content, content)) return { target: { arn: currentTd.arn } };
  const latest = tc.observed.latest;
  if (latest && latest.status === 'ACTIVE' && taskDefinitionsEqual(latest.content, content)) return { target: { arn: latest.arn } };
  const lastRun = record ?? latest?.tags[TAG_LAST_RUN];
  const register: Action = {
    kind: 'RegisterTaskDefinition',
    id: `register:${tc.key}`,
    resource: tc.key,
    summary: `register task definition ${tc.family} for scheduled task ${tc.name}`,
    diff: taskDefinitionDiff(latest?.content, content, tc.tdSpec),
    dependsOn: [],
    content,
    tags: { ...tags, ...(tc.t.spec.taskDefinition?.tags ?? {}), ...(lastRun ? { [TAG_LAST_RUN]: lastRun } : {}) },
  };
  return { target: { registeredBy: register.id }, register };
}

function desiredSettings(ctx: Context, tc: TaskCase, target: TaskDefinitionRef, tags: Tags): ScheduleSettings {
  const s = tc.t.spec;
  return {
    expression: s.schedule,
    timezone: s.timezone,
    state: s.enabled ? 'ENABLED' : 'DISABLED',
    description: scheduleMarker(ctx.env, tc.name),
    ...(s.flexibleWindowMinutes ? { flexibleWindowMinutes: s.flexibleWindowMinutes } : {}),
    target: {
      arn: tc.clusterArn,
      roleArn: s.roleArn,
      retryPolicy: { ...s.retryPolicy },
      ...(s.deadLetterQueue ? { deadLetterArn: s.deadLetterQueue } : {}),
      ecs: { taskDefinitionArn: 'arn' in target ? target.arn : '', taskCount: 1, launchType: 'FARGATE', network: tc.network, tags },
    },
  };
}

/** Field-level differences between the schedule and steady's settings for it. */
function scheduleDiff(current: SchedulerSchedule, desired: ScheduleSettings, target: TaskDefinitionRef, family: string): FieldDiff[] {
  const view = (s: ScheduleSettings, taskDefinition: string | undefined): Record<string, unknown> => ({
    schedule: s.expression,
    timezone: s.timezone,
    enabled: s.state === 'ENABLED',
    description: s.description,
    flexibleWindowMinutes: s.flexibleWindowMinutes,
    'target.cluster': s.target.arn,
    roleArn: s.target.roleArn,
    retryPolicy: s.target.retryPolicy,
    deadLetterQueue: s.target.deadLetterArn,
    taskDefinition: taskDefinition,
    taskCount: s.target.ecs?.taskCount,
    launchType: current.target.ecs?.capacityProviderStrategy ? undefined : s.target.ecs?.launchType,
    network: s.target.ecs?.network,
    tags: s.target.ecs?.tags,
  });
  const currentArn = current.target.ecs?.taskDefinitionArn;
  const before = view(current, currentArn ? revisionLabel(currentArn) : undefined);
  const after = view(desired, refLabel(target, family));
  const render = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : stableJson(v));
  return Object.keys(after)
    .filter((k) => stableJson(before[k] ?? null) !== stableJson(after[k] ?? null))
    .map((k) => ({ path: k, before: render(before[k]), after: render(after[k]) }));
}

/** Where the task stands once its schedule is as the spec says: its runs. */
function runStatus(ctx: Context, tc: TaskCase, j: RunsJudgement): ResourceStatus {
  const { name, hash } = tc;
  const tz = tc.t.spec.timezone;
  const when = (at: number) => formatFireTime(at, tz);
  const next = j.next !== undefined ? `; next run ${when(j.next)}` : '';
  const notes = j.unknown !== undefined ? [`no pass saw the run due ${when(j.unknown)} and ECS no longer lists its task, so steady cannot tell whether it ran`] : undefined;
  const withNotes = (st: ResourceStatus) => (notes ? { ...st, notes } : st);
  if (tc.t.spec.overlap === 'report' && j.running.length > 1) {
    const runs = j.running.map((r) => `task ${r.taskId} (due ${when(r.fireTime)})`).join(', ');
    return withNotes(status('ScheduledTask', name, hash, 'Failed', 'RunsOverlap', `${j.running.length} runs at once: ${runs}; Scheduler starts a run at every fire time, even while the last one runs`));
  }
  const last = j.last;
  const path = last ? `runs[${when(last.fireTime)}]` : 'runs';
  if (last?.result === 'failed') {
    const message = `the run due ${when(last.fireTime)} failed: ${describeRun(last)}${next}`;
    return withNotes(status('ScheduledTask', name, hash, 'Failed', 'RunFailed', message, [{ path, before: 'succeeded', after: describeRun(last) }]));
  }
  if (last?.result === 'missed') {
    const message = `the run due ${when(last.fireTime)} did not start: no ECS task within its window; check that the schedule's role may call ecs:RunTask and pass the task's roles${tc.t.spec.deadLetterQueue ? `, and the dead-letter queue ${tc.t.spec.deadLetterQueue}` : ''}${next}`;
    return withNotes(status('ScheduledTask', name, hash, 'Failed', 'RunMissed', message, [{ path, before: 'started', after: 'did not start' }]));
  }
  if (!tc.t.spec.enabled) return withNotes(status('ScheduledTask', name, hash, 'Synced', 'Disabled', `the schedule is disabled: nothing runs${last ? `; the last run (due ${when(last.fireTime)}) ${describeRun(last)}` : ''}`));
  if (last?.result === 'running') return withNotes(status('ScheduledTask', name, hash, 'Synced', 'Running', `the run due ${when(last.fireTime)} is ${describeRun(last)}${next}`));
  const message = last ? `the last run (due ${when(last.fireTime)}) ${describeRun(last)}${next}` : `no run yet${next}`;
  return withNotes(status('ScheduledTask', name, hash, 'Synced', 'UpToDate', message));
}

/**
 * Plans one ScheduledTask. `createGroup` is the id of the action that creates steady's schedule
 * group this pass (planned with the first task that needs it).
 *
 * @example
 * const { actions, status } = planScheduledTask(ctx, doc, 'create-group:steady-shop-prod');
 */
export function planScheduledTask(ctx: Context, t: ScheduledTaskDoc, createGroup?: string): Planned {
  const tc = resolveTask(ctx, t, createGroup);
  if (!('family' in tc)) return none(tc);
  const built = desiredContent(ctx, tc);
  if (!('content' in built)) return none(built);
  const schedule = tc.observed.schedule;
  const latest = tc.observed.latest;
  const judged = schedule ? judgeRuns(schedule, tc.observed.runs ?? [], parseRunRecord(latest?.tags[TAG_LAST_RUN]), tc.container, ctx.policy.now) : undefined;
  const tags = { ...ctx.desired.environment.spec.tags, ...t.spec.tags, ...ownershipTags(ctx.env, tc.key) };
  const { target, register } = chooseTarget(ctx, tc, built.content, tags, judged?.record);
  const runningTd = tc.fromService ? ctx.actual.services[serviceName(tc.fromService)] : undefined;
  const hidden = register
    ? hiddenContentStatus('ScheduledTask', tc.name, tc.hash, {
        ...(tc.fromService ? { from: { service: serviceName(tc.fromService), running: runningTd ? ctx.actual.taskDefinitions[runningTd.taskDefinitionArn] : undefined } } : {}),
        family: tc.family,
        latest: latest ?? undefined,
        subject: 'the scheduled task',
      })
    : undefined;
  if (hidden) return none(hidden);
  const settings = desiredSettings(ctx, tc, target, tags);
  const actions: Action[] = register ? [register] : [];
  const deps = [...actions.map((a) => a.id), ...(tc.createGroup ? [tc.createGroup] : [])];
  const scheduleAction = (kind: 'CreateSchedule' | 'UpdateSchedule', summary: string, diff: FieldDiff[]): Action => ({
    kind,
    id: `${kind === 'CreateSchedule' ? 'create' : 'update'}:${tc.key}`,
    resource: tc.key,
    summary,
    diff,
    dependsOn: deps,
    group: tc.ref.group,
    name: tc.ref.name,
    settings,
    taskDefinition: target,
  });
  if (!schedule) {
    const diff: FieldDiff[] = [{ path: 'schedule', before: undefined, after: `${t.spec.schedule} ${t.spec.timezone}` }, ...(register ? register.diff : [])];
    actions.push(scheduleAction('CreateSchedule', `create schedule ${tc.ref.group}/${tc.ref.name} (${t.spec.schedule} ${t.spec.timezone}, runs ${refLabel(target, tc.family)})`, diff));
    return { actions, status: status('ScheduledTask', tc.name, tc.hash, 'Drifted', 'NotFound', `schedule ${tc.ref.group}/${tc.ref.name} does not exist`, diff) };
  }
  const diff = scheduleDiff(schedule, settings, target, tc.family);
  const runs = judged ? runStatus(ctx, tc, judged) : undefined;
  if (diff.length > 0) {
    const adopting = schedule.description !== scheduleMarker(ctx.env, tc.name);
    const stale = diff.length === 1 && diff[0].path === 'taskDefinition';
    const reason = adopting ? 'Adopt' : stale ? 'TargetRevisionStale' : 'ScheduleDiffers';
    const what = diff.map((d) => `${d.path} ${d.before ?? '-'} -> ${d.after ?? '-'}`).join(', ');
    const message = stale ? `the schedule runs ${diff[0].before ?? 'nothing'}, a stale revision: the spec's images are in ${diff[0].after}` : `${adopting ? 'adopt schedule: ' : ''}${what}`;
    actions.push(scheduleAction('UpdateSchedule', `${adopting ? 'adopt and update' : 'update'} schedule ${tc.ref.group}/${tc.ref.name}: ${what}`, diff));
    const notes = runs && runs.phase !== 'Synced' ? [runs.message] : undefined;
    return { actions, status: { ...status('ScheduledTask', tc.name, tc.hash, 'Drifted', reason, message, diff), ...(notes ? { notes } : {}) } };
  }
  if (judged?.record && latest && ownedBy(latest.tags, ctx.env, tc.key) === 'mine' && !register) {
    actions.push({
      kind: 'TagResource',
      id: `record:${tc.key}`,
      resource: tc.key,
      summary: `remember the last run of scheduled task ${tc.name} on ${revisionLabel(latest.arn)}`,
      diff: [],
      dependsOn: [],
      arn: latest.arn,
      tags: { [TAG_LAST_RUN]: judged.record },
      purpose: 'record',
    });
  }
  return { actions, status: runs ?? status('ScheduledTask', tc.name, tc.hash, 'Synced', 'UpToDate', 'the schedule is as the spec says') };
}

/**
 * Plans every ScheduledTask of the environment; steady's schedule group, if missing, is created
 * once, with the first task that needs it.
 */
export function planScheduledTasks(ctx: Context): Planned[] {
  const group = `steady-${ctx.env}`;
  let createGroup: Action | undefined;
  return ctx.desired.scheduledTasks.map((t) => {
    const needs = scheduleRefOf(t, ctx.env).group === group && ctx.actual.scheduleGroups[group] === null;
    const first = needs && !createGroup;
    if (first) {
      createGroup = {
        kind: 'CreateScheduleGroup',
        id: `create-group:${group}`,
        resource: resourceKey('ScheduledTask', t.metadata.name),
        summary: `create schedule group ${group}`,
        diff: [{ path: 'scheduleGroup', before: undefined, after: group }],
        dependsOn: [],
        group,
        tags: { ...ctx.desired.environment.spec.tags, [TAG_MANAGED_BY]: 'steady', [TAG_ENVIRONMENT]: ctx.env },
      };
    }
    const planned = planScheduledTask(ctx, t, needs ? createGroup!.id : undefined);
    // The group is created only for a task that goes on to create its schedule.
    if (first && planned.actions.some((a) => a.kind === 'CreateSchedule')) planned.actions.unshift(createGroup!);
    else if (first) createGroup = undefined;
    return planned;
  });
}
