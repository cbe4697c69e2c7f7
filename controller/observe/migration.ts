/**
 * Observing Migrations: the latest revision of each migration's own family, with its tags (the
 * version it was registered for and how it ended), and, for a version started but not finished,
 * its task.
 */
import type { ActualState } from '../model/actual.js';
import { TAG_MIGRATION_ATTEMPT, TAG_MIGRATION_RESULT, TAG_MIGRATION_VERSION, type DesiredEnvironment } from '../model/plan.js';
import { migrationFamily, resourceKey } from '../plan/desired.js';
import type { Adapters, Read } from './common.js';

/** First round: each migration family's latest revision, with its tags. */
export async function observeMigrations(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
  await Promise.all(
    desired.migrations.map((m) =>
      read(`migration ${m.metadata.name}`, [resourceKey('Migration', m.metadata.name)], async () => {
        const family = migrationFamily(m, desired.services);
        const latest = await adapters.ecs.describeTaskDefinition(family, { tags: true });
        actual.migrations[m.metadata.name] = { latest: latest ? { ...latest, tags: latest.tags ?? {} } : null, tasks: [] };
      }),
    ),
  );
}

/** Second round: the task of a version that was started and has no recorded result. */
export function migrationFollowUps(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): (() => Promise<void>)[] {
  const cluster = desired.environment.spec.cluster;
  return desired.migrations.map((m) => () => findMigrationTasks(actual, adapters, cluster, m.metadata.name, migrationFamily(m, desired.services), read));
}

/**
 * A migration version that was started but has no recorded result: find its task (running, or
 * stopped within the hour ECS keeps stopped tasks) by the family and its startedBy.
 */
async function findMigrationTasks(actual: ActualState, adapters: Adapters, cluster: string, name: string, family: string, read: Read): Promise<void> {
  const observed = actual.migrations[name];
  const latest = observed?.latest;
  if (!latest || !latest.tags[TAG_MIGRATION_VERSION] || latest.tags[TAG_MIGRATION_RESULT]) return;
  const startedBy = `steady/${name}/${latest.tags[TAG_MIGRATION_VERSION]}/${Number(latest.tags[TAG_MIGRATION_ATTEMPT] ?? '0') || 0}`;
  await read(`tasks of migration ${name}`, [resourceKey('Migration', name)], async () => {
    const [running, stopped] = await Promise.all([
      adapters.ecs.listTasks(cluster, { family, desiredStatus: 'RUNNING' }),
      adapters.ecs.listTasks(cluster, { family, desiredStatus: 'STOPPED' }),
    ]);
    const arns = [...running, ...stopped];
    if (arns.length === 0) return;
    const { tasks } = await adapters.ecs.describeTasks(cluster, arns);
    observed.tasks = tasks.filter((t) => t.startedBy === startedBy).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  });
}
