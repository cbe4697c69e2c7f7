/**
 * What a spec change changes, with no AWS at all: two spec sets (the working tree and a git
 * revision, or a published commit) compared resource by resource and field by field, as the
 * desired state steady would act on, not as text. Both sides go through the planner's own
 * canonicalisation (desired.ts, expressible.ts, model/taskdef.ts) after the loader has filled in
 * the defaults, so a reordered environment map, a default written out, `"0.5 vCPU"` for `"512"` or
 * subnets in another order are no change. What AWS would resolve (an image tag's digest, a target
 * group's ARN) is compared as written: `steady plan` is the one that looks. Pure.
 */
import type { FieldDiff } from '../model/plan.js';
import { contentDiff, type TaskDefinitionContent } from '../model/taskdef.js';
import type { EnvironmentSpecs } from '../spec/load.js';
import { removalSentence } from '../spec/removed.js';
import type { Kind, MigrationDoc, ScheduledTaskDoc, ServiceDoc, TaskDefinitionSpec } from '../spec/schema.js';
import { specContent } from './expressible.js';
import { migrationContainer, migrationFamily, migrationVersion, networkOf, render, serviceName, taskDefinitionDiff } from './desired.js';
import { scheduledContainer, scheduledFamily, scheduleRefOf } from './scheduled.js';

/** How a resource (or an Environment) differs between the two sets. */
export type SpecChange = 'added' | 'changed' | 'removed';

/** One resource that differs. */
export interface SpecDiffResource {
  /** `Kind/name` */
  resource: string;
  kind: Kind;
  name: string;
  change: SpecChange;
  /** Field by field, in the spec's terms (`taskDefinition.containers[app].image`); empty for a removal. */
  diff: FieldDiff[];
  /** What the change makes steady do, for people: `a new task-definition revision and a rollout after db-migrate`. */
  effects: string[];
  /** For a removal: that it is no longer managed, and that steady deletes nothing. */
  message?: string;
}

/** One Environment: its own change (if any) and its resources that differ. */
export interface SpecDiffEnvironment {
  environment: string;
  change: SpecChange | 'unchanged';
  /** The Environment document first, when it differs; then its resources in kind and name order. */
  resources: SpecDiffResource[];
  /** Resources (and the Environment document) that are the same on both sides. */
  unchanged: number;
}

/** The whole comparison, and its counts of resources. */
export interface SpecDiff {
  environments: SpecDiffEnvironment[];
  counts: { added: number; changed: number; removed: number; unchanged: number };
}

/** What each side is called in messages: `main`, `working tree`, a commit id. */
export interface SpecDiffLabels {
  before: string;
  after: string;
}

type Doc = { kind: string; metadata: { name: string }; spec: unknown };
type Obj = Record<string, unknown>;

/** A resource as steady would act on it: its settings, and the task definition it runs (if any). */
interface DesiredView {
  settings: Obj;
  content?: TaskDefinitionContent;
  /** The migration's version (what makes it run again), for Migrations. */
  version?: string;
}

const sorted = (names: readonly string[]) => [...names].sort();

/** The spec's task definition as content, images as written (nothing is resolved without AWS). */
function contentOf(td: TaskDefinitionSpec, family: string): TaskDefinitionContent {
  return specContent(td, family, (c) => c.image);
}

function serviceView(svc: ServiceDoc): DesiredView {
  const { taskDefinition, ...spec } = svc.spec;
  const { tags } = taskDefinition;
  return {
    settings: { ...spec, serviceName: serviceName(svc), network: networkOf(spec.network), after: sorted(spec.after), ...(tags ? { 'taskDefinition.tags': tags } : {}) },
    content: contentOf(taskDefinition, taskDefinition.family),
  };
}

function migrationView(m: MigrationDoc, env: EnvironmentSpecs): DesiredView {
  const { taskDefinition: own, network, ...spec } = m.spec;
  const from = env.services.find((s) => s.metadata.name === m.spec.fromService);
  const td = own ?? from?.spec.taskDefinition;
  const net = network ?? from?.spec.network;
  // The loader refuses a migration without either; a view without them still compares its settings.
  const content = td && contentOf(td, migrationFamily(m, env.services));
  const container = td ? migrationContainer(m, td) : undefined;
  return {
    settings: { ...spec, container, before: sorted(spec.before), ...(net ? { network: networkOf(net) } : {}) },
    ...(content ? { content, version: migrationVersion(content, container!, m.spec.command) } : {}),
  };
}

function scheduledView(t: ScheduledTaskDoc, env: EnvironmentSpecs): DesiredView {
  const { taskDefinition: own, network, ...spec } = t.spec;
  const from = env.services.find((s) => s.metadata.name === t.spec.fromService);
  const td = own ?? from?.spec.taskDefinition;
  const net = network ?? from?.spec.network;
  const container = td ? scheduledContainer(t, td) : undefined;
  let content = td && contentOf(td, scheduledFamily(t, env.services));
  // The command is registered into the task definition steady keeps for the task (plan/scheduled.ts).
  if (content && t.spec.command) {
    const command = t.spec.command;
    content = { ...content, containerDefinitions: content.containerDefinitions.map((c) => (c.name === container ? { ...c, command } : c)) };
  }
  const ref = scheduleRefOf(t, env.name);
  return {
    settings: { ...spec, group: ref.group, scheduleName: ref.name, container, ...(net ? { network: networkOf(net) } : {}) },
    ...(content ? { content } : {}),
  };
}

function viewOf(kind: Kind, doc: Doc, env: EnvironmentSpecs): DesiredView {
  switch (kind) {
    case 'Service':
      return serviceView(doc as ServiceDoc);
    case 'Migration':
      return migrationView(doc as MigrationDoc, env);
    case 'ScheduledTask':
      return scheduledView(doc as ScheduledTaskDoc, env);
    default:
      return { settings: doc.spec as Obj };
  }
}

/** Field-level differences of two views: settings by path, then the task definition the planner's way. */
function viewDiff(before: DesiredView | undefined, after: DesiredView): FieldDiff[] {
  const settings = contentDiff((before?.settings ?? {}) as never, after.settings as never).map((d) => ({ path: d.path, before: render(d.before), after: render(d.after) }));
  if (!after.content) return settings;
  return [...settings, ...taskDefinitionDiff(before?.content, after.content)];
}

const SERVICE_UPDATES = ['desiredCount', 'network', 'platformVersion', 'healthCheckGracePeriodSeconds', 'deployment', 'loadBalancer'];
const top = (diff: FieldDiff[]) => new Set(diff.map((d) => d.path.split(/[.[]/)[0]));

/** What the change makes steady do, in words a reviewer reads. */
function effectsOf(kind: Kind, doc: Doc, change: 'added' | 'changed', diff: FieldDiff[], before?: DesiredView, after?: DesiredView): string[] {
  const fields = top(diff);
  const spec = doc.spec as Obj;
  switch (kind) {
    case 'Environment':
      if (change === 'added') return ['a new environment: steady starts reconciling it'];
      return fields.has('mode') ? [spec.mode === 'observe' ? 'observe mode: steady reports drift and changes nothing' : 'enforce mode: steady changes what drifts'] : [];
    case 'Service': {
      const svc = doc as ServiceDoc;
      const after_ = svc.spec.after.length > 0 ? ` after ${svc.spec.after.join(', ')}` : '';
      if (change === 'added') return [svc.spec.adopt ? 'steady adopts the existing ECS service' : `a new ECS service${after_}`];
      const out: string[] = [];
      if (fields.has('taskDefinition')) out.push(svc.spec.deployment.strategy === 'blueGreen' ? `a new task-definition revision, deployed blue/green through CodeDeploy${after_}` : `a new task-definition revision and a rollout${after_}`);
      const updated = SERVICE_UPDATES.filter((f) => fields.has(f));
      if (updated.length > 0) out.push(`the ECS service is updated (${updated.join(', ')})`);
      return out;
    }
    case 'Migration':
      if (change === 'added') return ['a new migration: it runs once'];
      if (before?.version !== after?.version) return ['it runs again: a new version (images, container or command)'];
      return fields.has('taskDefinition') ? ['no new run: its version (images, container, command) is the same'] : [];
    case 'ScheduledTask': {
      if (change === 'added') return ['a new schedule'];
      const out: string[] = [];
      if (fields.has('taskDefinition')) out.push('a new task-definition revision for the schedule');
      if ([...fields].some((f) => f !== 'taskDefinition')) out.push('the schedule is updated');
      return out;
    }
    case 'AliasRecord':
      return [change === 'added' ? (spec.adopt ? 'steady adopts the existing record' : 'a new DNS record') : 'the DNS record is changed'];
    default:
      return [];
  }
}

/** Every document of an environment, the Environment first, then by kind and name. */
function documentsOf(env: EnvironmentSpecs): Map<string, { kind: Kind; doc: Doc }> {
  const all: { kind: Kind; doc: Doc }[] = [
    { kind: 'Environment', doc: env.environment },
    ...[...env.services, ...env.migrations, ...env.scheduledTasks, ...env.aliases].map((d) => ({ kind: d.kind as Kind, doc: d as Doc })),
  ];
  return new Map(all.map((d) => [`${d.kind}/${d.doc.metadata.name}`, d]));
}

const byResource = (a: SpecDiffResource, b: SpecDiffResource) =>
  a.kind === 'Environment' ? -1 : b.kind === 'Environment' ? 1 : a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0;

/** One environment on both sides (either may be missing). */
function diffEnvironment(name: string, before: EnvironmentSpecs | undefined, after: EnvironmentSpecs | undefined, labels: SpecDiffLabels): SpecDiffEnvironment {
  const between = `${labels.before} → ${labels.after}`;
  if (!after) {
    const resources = documentsOf(before!).size - 1;
    const message = removalSentence({ kind: 'Environment', name, environment: name, resources }, between);
    return { environment: name, change: 'removed', resources: [{ resource: `Environment/${name}`, kind: 'Environment', name, change: 'removed', diff: [], effects: [], message }], unchanged: 0 };
  }
  const was = before ? documentsOf(before) : new Map<string, { kind: Kind; doc: Doc }>();
  const now = documentsOf(after);
  const resources: SpecDiffResource[] = [];
  let unchanged = 0;
  for (const [key, { kind, doc }] of now) {
    const old = was.get(key);
    const viewAfter = viewOf(kind, doc, after);
    const viewBefore = old ? viewOf(kind, old.doc, before!) : undefined;
    const diff = viewDiff(viewBefore, viewAfter);
    if (old && diff.length === 0) {
      unchanged += 1;
      continue;
    }
    const change = old ? 'changed' : 'added';
    resources.push({ resource: key, kind, name: doc.metadata.name, change, diff, effects: effectsOf(kind, doc, change, diff, viewBefore, viewAfter) });
  }
  for (const [key, { kind, doc }] of was) {
    if (now.has(key)) continue;
    const message = removalSentence({ kind, name: doc.metadata.name, environment: name }, between);
    resources.push({ resource: key, kind, name: doc.metadata.name, change: 'removed', diff: [], effects: [], message });
  }
  const change = !before ? 'added' : resources.length > 0 ? 'changed' : 'unchanged';
  return { environment: name, change, resources: resources.sort(byResource), unchanged };
}

/**
 * Compares two spec sets as the desired state steady would act on.
 *
 * @example
 * const diff = diffSpecSets(base.environments, working.environments, { before: 'main', after: 'working tree' });
 * diff.counts // { added: 1, changed: 2, removed: 0, unchanged: 7 }
 */
export function diffSpecSets(before: readonly EnvironmentSpecs[], after: readonly EnvironmentSpecs[], labels: SpecDiffLabels): SpecDiff {
  const names = [...new Set([...before.map((e) => e.name), ...after.map((e) => e.name)])].sort();
  const environments = names.map((n) =>
    diffEnvironment(
      n,
      before.find((e) => e.name === n),
      after.find((e) => e.name === n),
      labels,
    ),
  );
  const counts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  for (const env of environments) {
    counts.unchanged += env.unchanged;
    for (const r of env.resources) counts[r.change] += 1;
  }
  return { environments, counts };
}

/** True when the two sets differ at all. */
export function hasChanges(diff: SpecDiff): boolean {
  return diff.counts.added + diff.counts.changed + diff.counts.removed > 0;
}
