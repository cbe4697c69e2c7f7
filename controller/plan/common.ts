/**
 * What every kind's planner shares: the planning context, status construction, the ownership
 * rule, and the "could not be read" rules. Pure.
 */
import type { ActualState } from '../model/actual.js';
import {
  TAG_ENVIRONMENT,
  TAG_MANAGED_BY,
  TAG_RESOURCE,
  type Action,
  type DesiredEnvironment,
  type FieldDiff,
  type Phase,
  type Policy,
  type ResourceStatus,
  type TaskDefinitionRef,
} from '../model/plan.js';
import type { EcsTaskDefinition } from '../model/aws.js';
import type { MaintenanceMemory } from '../model/maintenance.js';
import { render, resourceKey, specPath, unreadableFor, type ImageProblem } from './desired.js';
import { unexpressibleFields, type UnexpressibleField } from './expressible.js';

/** What one resource's planner returns: its actions and its status before converge. */
export interface Planned {
  actions: Action[];
  status: ResourceStatus;
}

/** Everything a planner may look at. */
export interface Context {
  desired: DesiredEnvironment;
  actual: ActualState;
  policy: Policy;
  env: string;
  cluster: string;
  /** What the state table remembers of each Maintenance (a command's window, the automatic mode), by name. */
  memory?: Record<string, MaintenanceMemory>;
}

/** What a migration means for the rollouts waiting for it. */
export type Gate =
  | { state: 'open' }
  | { state: 'pending'; actionId: string }
  | { state: 'closed'; reason: string; message: string };

export function status(kind: ResourceStatus['kind'], name: string, hash: string, phase: Phase, reason: string, message: string, diff: FieldDiff[] = []): ResourceStatus {
  return { resource: resourceKey(kind, name), kind, name, phase, reason, message, diff, specHash: hash };
}

/** Blocked because something it depends on could not be read, or undefined if all was read. */
export function unreadStatus(ctx: Context, kind: ResourceStatus['kind'], name: string, hash: string): ResourceStatus | undefined {
  const unread = unreadableFor(ctx.actual, resourceKey(kind, name));
  if (unread.length === 0) return undefined;
  const what = unread.map((u) => `${u.what} (${u.awsName}: ${u.message})`).join('; ');
  return status(kind, name, hash, 'Blocked', 'ObserveFailed', `could not read ${what}; nothing that depends on it is changed this pass`);
}

/** The environment's cluster is missing (Failed) or could not be read (Blocked). */
export function clusterProblem(ctx: Context, kind: ResourceStatus['kind'], name: string, hash: string): ResourceStatus | undefined {
  if (ctx.actual.cluster === null) {
    return status(kind, name, hash, 'Failed', 'ClusterNotFound', `ECS cluster ${ctx.cluster} does not exist; create it or fix spec.cluster of environment ${ctx.env}`);
  }
  if (ctx.actual.cluster === undefined) {
    return status(kind, name, hash, 'Blocked', 'ObserveFailed', `ECS cluster ${ctx.cluster} could not be read; nothing is changed this pass`);
  }
  return undefined;
}

export function imageProblemStatus(kind: ResourceStatus['kind'], name: string, hash: string, problems: ImageProblem[]): ResourceStatus {
  const missing = problems.filter((p): p is Extract<ImageProblem, { kind: 'notFound' }> => p.kind === 'notFound');
  if (missing.length > 0) {
    const list = missing.map((p) => `${p.image} (container ${p.container}: ${p.awsName})`).join(', ');
    return status(kind, name, hash, 'Failed', 'ImageNotFound', `image not found in ECR: ${list}; nothing of ${kind} ${name} rolls out until the spec names an image that exists`);
  }
  const list = problems.map((p) => p.image).join(', ');
  return status(kind, name, hash, 'Blocked', 'ObserveFailed', `could not resolve ${list} in ECR this pass; nothing of ${kind} ${name} changes until it can`);
}

/**
 * Whose a tagged AWS resource is: steady's for this very resource (`mine`), steady's for another
 * environment or resource (`other`: never touched), or nobody's steady knows (`unowned`: only a
 * spec with `adopt: true` may take it).
 */
export function ownedBy(tags: Record<string, string>, env: string, key: string): 'mine' | 'unowned' | 'other' {
  if (tags[TAG_MANAGED_BY] !== 'steady') return 'unowned';
  return tags[TAG_ENVIRONMENT] === env && tags[TAG_RESOURCE] === key ? 'mine' : 'other';
}

/** `family:revision` of a task-definition ARN. */
export function revisionLabel(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function refLabel(ref: TaskDefinitionRef, family: string): string {
  return 'arn' in ref ? revisionLabel(ref.arn) : `${family}:<new revision>`;
}

/**
 * Blocked because a revision has content the spec language cannot express: a revision built from
 * the spec would drop it, so nothing is registered or updated. `whose` says whose revision it is
 * (`ECS service api runs shop-api:3`), `remedy` what a person can do about it.
 */
export function unexpressibleStatus(
  kind: ResourceStatus['kind'],
  name: string,
  hash: string,
  s: { whose: string; fields: UnexpressibleField[]; diff: FieldDiff[]; remedy: string },
): ResourceStatus {
  const paths = s.fields.map((f) => f.path).join(', ');
  const message =
    `${s.whose}, which has content the spec language cannot express: ${paths}. ` +
    `A revision built from the spec would drop it, so steady registers and updates nothing for ${kind} ${name}. ${s.remedy}`;
  return status(kind, name, hash, 'Blocked', 'UnexpressibleFields', message, s.diff);
}

/**
 * A new revision of a task's own family (a Migration's, a ScheduledTask's) would drop content the
 * spec cannot express: content of the service revision a `fromService` task copies, or of the
 * family's latest revision (registered by hand). Then the resource is Blocked and nothing is
 * registered or run.
 */
export function hiddenContentStatus(
  kind: ResourceStatus['kind'],
  name: string,
  hash: string,
  s: { from?: { service: string; running?: EcsTaskDefinition }; family: string; latest?: EcsTaskDefinition; subject: string },
): ResourceStatus | undefined {
  const asDiff = (fields: UnexpressibleField[]): FieldDiff[] => fields.map((f) => ({ path: specPath(f.path), before: render(f.value), after: undefined }));
  const running = s.from?.running;
  const fromService = running ? unexpressibleFields(running.content) : [];
  if (running && fromService.length > 0) {
    return unexpressibleStatus(kind, name, hash, {
      whose: `it runs a copy of service ${s.from!.service}'s task definition, and ECS service ${s.from!.service} runs ${revisionLabel(running.arn)}`,
      fields: fromService,
      diff: asDiff(fromService),
      remedy: `${s.subject[0].toUpperCase()}${s.subject.slice(1)} runs once the service's revision holds only what the spec can say (see the status of Service ${s.from!.service})`,
    });
  }
  const own = s.latest ? unexpressibleFields(s.latest.content) : [];
  if (!s.latest || own.length === 0) return undefined;
  return unexpressibleStatus(kind, name, hash, {
    whose: `the latest revision of task definition family ${s.family} is ${revisionLabel(s.latest.arn)}`,
    fields: own,
    diff: asDiff(own),
    remedy: `If ${s.subject} needs this content, run it outside steady until the spec language can express it; if it does not, deregister ${revisionLabel(s.latest.arn)} and the next pass registers ${s.subject}'s own revision`,
  });
}
