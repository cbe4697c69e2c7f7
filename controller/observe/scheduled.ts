/**
 * Observing ScheduledTasks: the schedule groups they use (with tags), each schedule (GetSchedule),
 * the latest revision of each task's own family with its tags (the last run's record); then the
 * revision the schedule targets, if it is another, and the tasks the schedule started that ECS
 * still lists (running, or stopped within the hour), found by the family and steady's tags on them.
 */
import type { ActualState } from '../model/actual.js';
import { TAG_ENVIRONMENT, TAG_RESOURCE, type DesiredEnvironment } from '../model/plan.js';
import { resourceKey } from '../plan/desired.js';
import { scheduledFamily, scheduleRefOf } from '../plan/scheduled.js';
import { use, type Adapters, type Read } from './common.js';

/** First round: groups, schedules and the families' latest revisions. */
export async function observeScheduledTasks(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
  const groups = new Map<string, string[]>();
  for (const t of desired.scheduledTasks) use(groups, scheduleRefOf(t, desired.name).group, resourceKey('ScheduledTask', t.metadata.name));
  await Promise.all([
    ...[...groups].map(([group, keys]) =>
      read(`schedule group ${group}`, keys, async () => {
        actual.scheduleGroups[group] = await adapters.scheduler.group(group);
      }),
    ),
    ...desired.scheduledTasks.map((t) => {
      const name = t.metadata.name;
      const ref = scheduleRefOf(t, desired.name);
      return read(`scheduled task ${name} (schedule ${ref.group}/${ref.name})`, [resourceKey('ScheduledTask', name)], async () => {
        const [schedule, latest] = await Promise.all([adapters.scheduler.schedule(ref), adapters.ecs.describeTaskDefinition(scheduledFamily(t, desired.services), { tags: true })]);
        actual.scheduledTasks[name] = { schedule, latest: latest ? { ...latest, tags: latest.tags ?? {} } : null };
        if (latest) actual.taskDefinitions[latest.arn] = latest;
      });
    }),
  ]);
}

/** Second round: the targeted revision, if not the latest, and the runs ECS still lists. */
export function scheduledTaskFollowUps(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): (() => Promise<void>)[] {
  const cluster = desired.environment.spec.cluster;
  return desired.scheduledTasks.map((t) => async () => {
    const name = t.metadata.name;
    const key = resourceKey('ScheduledTask', name);
    const observed = actual.scheduledTasks[name];
    if (!observed?.schedule) return;
    const targetArn = observed.schedule.target.ecs?.taskDefinitionArn;
    if (targetArn && !actual.taskDefinitions[targetArn]) {
      await read(`task definition ${targetArn}`, [key], async () => {
        const td = await adapters.ecs.describeTaskDefinition(targetArn);
        if (td) actual.taskDefinitions[td.arn] = td;
      });
    }
    const family = scheduledFamily(t, desired.services);
    await read(`runs of scheduled task ${name}`, [key], async () => {
      const [running, stopped] = await Promise.all([
        adapters.ecs.listTasks(cluster, { family, desiredStatus: 'RUNNING' }),
        adapters.ecs.listTasks(cluster, { family, desiredStatus: 'STOPPED' }),
      ]);
      const arns = [...running, ...stopped];
      const { tasks } = arns.length > 0 ? await adapters.ecs.describeTasks(cluster, arns) : { tasks: [] };
      // The schedule's tasks carry the tags steady puts on its target; a task someone ran by hand from the family does not.
      observed.runs = tasks.filter((x) => x.tags[TAG_RESOURCE] === key && x.tags[TAG_ENVIRONMENT] === desired.name).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
    });
  });
}
