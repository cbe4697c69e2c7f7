/**
 * Planning Migrations: register the migration's own revision when its version (resolved image
 * digests + container + command) changes, run it once per version, follow a task an earlier pass
 * started, and open or close the gate of the rollouts that wait for it. Pure.
 */
import type { ObservedMigration, TaggedTaskDefinition } from '../model/actual.js';
import {
  migrationStartedAt,
  ownershipTags,
  TAG_MIGRATION_ATTEMPT,
  TAG_MIGRATION_RESULT,
  TAG_MIGRATION_VERSION,
  type Action,
  type FieldDiff,
  type ResourceStatus,
  type TaskDefinitionRef,
} from '../model/plan.js';
import type { EcsTaskDefinition } from '../model/aws.js';
import { contentHash, type TaskDefinitionContent } from '../model/taskdef.js';
import type { MigrationDoc, TaskDefinitionSpec } from '../spec/schema.js';
import { clusterProblem, hiddenContentStatus, imageProblemStatus, status, unreadStatus, type Context, type Gate, type Planned } from './common.js';
import { desiredTaskDefinition, migrationContainer, migrationFamily, migrationVersion, networkOf, resourceKey, serviceName, specHash, taskDefinitionDiff } from './desired.js';

type PlannedMigration = Planned & { gate: Gate };

/** What a migration runs, worked out from its spec and what AWS says. */
interface MigrationRun {
  name: string;
  /** The task definition of the spec (the migration's own, or its service's), images as written. */
  tdSpec: TaskDefinitionSpec;
  /** The service whose task definition a fromService migration copies, and the revision it runs. */
  from?: { service: string; running?: EcsTaskDefinition };
  key: string;
  hash: string;
  family: string;
  content: TaskDefinitionContent;
  container: string;
  command?: string[];
  version: string;
  network: ReturnType<typeof networkOf>;
  observed: ObservedMigration;
  timeoutSeconds: number;
}

function closed(st: ResourceStatus): PlannedMigration {
  return { actions: [], status: st, gate: { state: 'closed', reason: st.reason === 'MigrationFailed' ? 'MigrationFailed' : 'MigrationNotReady', message: st.message } };
}

/** The migration's run, or the status that says why it cannot run this pass. */
function resolveRun(ctx: Context, m: MigrationDoc): MigrationRun | ResourceStatus {
  const name = m.metadata.name;
  const hash = specHash(m);
  const early = clusterProblem(ctx, 'Migration', name, hash) ?? unreadStatus(ctx, 'Migration', name, hash);
  if (early) return early;
  const fromService = m.spec.fromService ? ctx.desired.services.find((s) => s.metadata.name === m.spec.fromService) : undefined;
  const tdSpec = m.spec.taskDefinition ?? fromService?.spec.taskDefinition;
  if (!tdSpec) return status('Migration', name, hash, 'Failed', 'InvalidSpec', `migration ${name} names no task definition and no service`);
  const family = migrationFamily(m, ctx.desired.services);
  // A fromService migration runs what the service is about to run: the service's current revision
  // provides externally owned images.
  const svcCurrent = fromService ? ctx.actual.services[serviceName(fromService)] : undefined;
  const current = svcCurrent ? ctx.actual.taskDefinitions[svcCurrent.taskDefinitionArn] : undefined;
  const built = desiredTaskDefinition(tdSpec, ctx.actual.images, current, family);
  if ('problems' in built) return imageProblemStatus('Migration', name, hash, built.problems);
  const observed = ctx.actual.migrations[name];
  if (!observed) return status('Migration', name, hash, 'Blocked', 'ObserveFailed', `migration ${name} could not be observed; it does not run this pass`);
  const container = migrationContainer(m, tdSpec);
  return {
    name,
    ...(fromService ? { from: { service: serviceName(fromService), running: current } } : {}),
    key: resourceKey('Migration', name),
    hash,
    family,
    content: built.content,
    tdSpec,
    container,
    command: m.spec.command,
    version: migrationVersion(built.content, container, m.spec.command),
    network: networkOf(m.spec.network ?? fromService!.spec.network),
    observed,
    timeoutSeconds: m.spec.timeoutSeconds,
  };
}

function startedByOf(run: MigrationRun, attempt: number): string {
  return `steady/${run.name}/${run.version}/${attempt}`.slice(0, 128);
}

function runAction(ctx: Context, run: MigrationRun, taskDefinition: TaskDefinitionRef, attempt: number, dependsOn: string[], diff: FieldDiff[]): Action {
  return {
    kind: 'RunMigration',
    id: `run:${run.key}`,
    resource: run.key,
    summary: `run migration ${run.name} (version ${run.version}${attempt > 0 ? `, attempt ${attempt + 1}` : ''}): ${(run.command ?? ['<task definition command>']).join(' ')}`,
    diff,
    dependsOn,
    cluster: ctx.cluster,
    migration: run.name,
    version: run.version,
    attempt,
    taskDefinition,
    container: run.container,
    command: run.command,
    network: run.network,
    startedBy: startedByOf(run, attempt),
    clientToken: `steady-${contentHash([ctx.env, run.name, run.version, attempt], 40)}`,
    timeoutSeconds: run.timeoutSeconds,
  };
}

/** The family's latest revision is this version's: it succeeded, failed, is running, or has not run yet. */
function planKnownVersion(ctx: Context, run: MigrationRun, latest: TaggedTaskDefinition): PlannedMigration {
  const { name, key, hash, version } = run;
  const result = latest.tags[TAG_MIGRATION_RESULT];
  const attempt = Number(latest.tags[TAG_MIGRATION_ATTEMPT] ?? '0') || 0;
  if (result === 'succeeded') {
    return { actions: [], status: status('Migration', name, hash, 'Synced', 'Succeeded', `version ${version} succeeded`), gate: { state: 'open' } };
  }
  if (result) {
    const retry = `steady retry migration/${name} --env ${ctx.env}`;
    return closed(status('Migration', name, hash, 'Failed', 'MigrationFailed', `version ${version} ${result}; it is not run again until the spec changes or someone runs \`${retry}\``));
  }
  const task = run.observed.tasks.find((t) => t.startedBy === startedByOf(run, attempt));
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
      container: run.container,
      taskArn: task.arn,
      taskDefinitionArn: latest.arn,
      deadline: started + run.timeoutSeconds * 1000,
      startedAt: started,
    };
    return {
      actions: [action],
      status: status('Migration', name, hash, 'Progressing', 'Running', `version ${version} is running (task ${task.lastStatus})`),
      gate: { state: 'pending', actionId: action.id },
    };
  }
  const diff = [{ path: 'version', before: undefined, after: version }];
  const run1 = runAction(ctx, run, { arn: latest.arn }, attempt, [], diff);
  return {
    actions: [run1],
    status: status('Migration', name, hash, 'Drifted', 'NotRun', `version ${version} has not run yet`, diff),
    gate: { state: 'pending', actionId: run1.id },
  };
}

function hiddenContent(run: MigrationRun): ResourceStatus | undefined {
  return hiddenContentStatus('Migration', run.name, run.hash, { from: run.from, family: run.family, latest: run.observed.latest ?? undefined, subject: 'the migration' });
}

/**
 * Plans one Migration and the gate it puts on the rollouts that wait for it.
 *
 * @example
 * const { actions, status, gate } = planMigration(ctx, migrationDoc);
 */
export function planMigration(ctx: Context, m: MigrationDoc): PlannedMigration {
  const run = resolveRun(ctx, m);
  if (!('version' in run)) return closed(run);
  const latest = run.observed.latest;
  if (latest && latest.tags[TAG_MIGRATION_VERSION] === run.version) return planKnownVersion(ctx, run, latest);

  const hidden = hiddenContent(run);
  if (hidden) return closed(hidden);
  const diff: FieldDiff[] = [{ path: 'version', before: latest?.tags[TAG_MIGRATION_VERSION], after: run.version }];
  const register: Action = {
    kind: 'RegisterTaskDefinition',
    id: `register:${run.key}`,
    resource: run.key,
    summary: `register task definition ${run.family} for migration ${run.name} version ${run.version}`,
    diff: taskDefinitionDiff(latest?.content, run.content, run.tdSpec),
    dependsOn: [],
    content: run.content,
    tags: { ...ctx.desired.environment.spec.tags, ...m.spec.tags, ...ownershipTags(ctx.env, run.key), [TAG_MIGRATION_VERSION]: run.version, [TAG_MIGRATION_ATTEMPT]: '0' },
  };
  const run0 = runAction(ctx, run, { registeredBy: register.id }, 0, [register.id], diff);
  return {
    actions: [register, run0],
    status: status('Migration', run.name, run.hash, 'Drifted', 'NewVersion', `version ${run.version} has not run yet`, diff),
    gate: { state: 'pending', actionId: run0.id },
  };
}
