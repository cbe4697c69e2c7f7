/**
 * Executes migrations: run once per version (a deterministic RunTask clientToken, and the ledger's
 * claim when there is a state table), wait for the task, and write the outcome onto the
 * migration's task-definition revision, where the next pass reads it.
 */
import type { EcsNetwork, EcsTask } from '../model/aws.js';
import { ownershipTags, TAG_MIGRATION_RESULT, TAG_MIGRATION_STARTED, type AwaitMigrationAction, type RunMigrationAction } from '../model/plan.js';
import { changeRefused, STALE_CLAIM_MS, type ExecContext } from './context.js';
import type { ExecResult } from './schedule.js';


export async function runMigration(a: RunMigrationAction, ctx: ExecContext): Promise<ExecResult> {
  const { ecs } = ctx.adapters;
  const tdArn = ctx.outputs.resolve(a.taskDefinition);
  const ids = { migration: a.migration, version: a.version, attempt: a.attempt };
  if (ctx.ledger) {
    const claim = await ctx.ledger.claim(ids);
    if (!claim.claimed) {
      if (claim.state === 'succeeded' || claim.state === 'failed') {
        // It ran to the end, but the pass that ran it did not live to write the outcome into AWS.
        await ecs.tagResource(tdArn, { [TAG_MIGRATION_RESULT]: claim.state === 'succeeded' ? 'succeeded' : `failed: ${claim.reason ?? 'see the ledger'}`.slice(0, 256) });
        return claim.state === 'succeeded' ? { state: 'done', message: `succeeded (recorded by ${claim.by})` } : { state: 'failed', message: `migration ${a.migration} failed: ${claim.reason ?? 'see the ledger'}` };
      }
      if (claim.taskArn) {
        return waitForMigration({ ...ids, cluster: a.cluster, taskArn: claim.taskArn, taskDefinitionArn: tdArn, deadline: ctx.clock.now() + a.timeoutSeconds * 1000, since: ctx.clock.now(), container: a.container }, ctx);
      }
      // Claimed, no task recorded: another pass is starting it right now, or died between its claim
      // and RunTask. Only a stale claim is taken over, and RunTask's clientToken makes that safe:
      // if the task was started after all, ECS answers with that task instead of a second one.
      if (ctx.clock.now() - claim.claimedAt < STALE_CLAIM_MS) {
        return { state: 'pending', message: `another pass (${claim.by}) is starting this migration version` };
      }
    }
  }
  const { tasks, failures } = await ecs.runTask({
    cluster: a.cluster,
    taskDefinition: tdArn,
    network: a.network as EcsNetwork,
    startedBy: a.startedBy,
    clientToken: a.clientToken,
    overrides: [{ containerName: a.container, ...(a.command ? { command: a.command } : {}) }],
    tags: ownershipTags(ctx.plan.environment, a.resource),
  });
  const task = tasks[0];
  if (!task) {
    const why = failures.map((f) => `${f.reason}${f.detail ? ` (${f.detail})` : ''}`).join(', ') || 'no task was started';
    return { state: 'failed', message: `ECS did not start the migration task: ${why}` };
  }
  await ctx.ledger?.recordTask({ ...ids, taskArn: task.arn });
  const started = task.createdAt ?? ctx.clock.now();
  // An endpoint that does not say when the task was created: remember steady's own RunTask time, so a later pass times it from there.
  if (task.createdAt === undefined) await ecs.tagResource(tdArn, { [TAG_MIGRATION_STARTED]: `${a.attempt}@${started}` });
  return waitForMigration({ ...ids, cluster: a.cluster, taskArn: task.arn, taskDefinitionArn: tdArn, deadline: started + a.timeoutSeconds * 1000, since: started, container: a.container }, ctx);
}

export async function awaitMigration(a: AwaitMigrationAction, ctx: ExecContext): Promise<ExecResult> {
  return waitForMigration(
    { migration: a.migration, version: a.version, attempt: a.attempt, cluster: a.cluster, taskArn: a.taskArn, taskDefinitionArn: a.taskDefinitionArn, deadline: a.deadline, since: a.startedAt, container: a.container },
    ctx,
  );
}

interface MigrationWait {
  migration: string;
  version: string;
  attempt: number;
  cluster: string;
  taskArn: string;
  taskDefinitionArn: string;
  /** The migration's own timeout (epoch ms). */
  deadline: number;
  /** When that timeout started counting (epoch ms), when known. */
  since?: number;
  container?: string;
}

/** Why a stopped migration task did not succeed, or undefined if it did. */
export function migrationFailure(task: EcsTask, container?: string): string | undefined {
  const c = task.containers.find((x) => x.name === container) ?? task.containers.find((x) => x.exitCode !== undefined) ?? task.containers[0];
  if (c?.exitCode === 0) return undefined;
  if (c?.exitCode !== undefined) return `exit code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`;
  return task.stoppedReason ?? task.stopCode ?? 'the task stopped without an exit code';
}

async function waitForMigration(w: MigrationWait, ctx: ExecContext): Promise<ExecResult> {
  const { ecs } = ctx.adapters;
  const taskId = w.taskArn.slice(w.taskArn.lastIndexOf('/') + 1);
  const since = w.since ?? ctx.clock.now();
  for (;;) {
    const { tasks } = await ecs.describeTasks(w.cluster, [w.taskArn]);
    const task = tasks[0];
    if (!task) return { state: 'failed', message: `migration task ${taskId} is no longer known to ECS; run \`steady retry migration/${w.migration}\` to run it again` };
    const refused = task.lastStatus === 'STOPPED' || ctx.clock.now() >= w.deadline ? await changeRefused(ctx) : undefined;
    // The lease was lost while waiting: the new holder records the outcome.
    if (refused) return { state: 'pending', message: `migration task ${taskId} is ${task.lastStatus}; not recorded: ${refused}` };
    if (task.lastStatus === 'STOPPED') {
      const why = migrationFailure(task, w.container);
      await ecs.tagResource(w.taskDefinitionArn, { [TAG_MIGRATION_RESULT]: why ? `failed: ${why}`.slice(0, 256) : 'succeeded' });
      await ctx.ledger?.recordResult({ migration: w.migration, version: w.version, attempt: w.attempt, succeeded: !why, reason: why ?? 'exit code 0' });
      return why ? { state: 'failed', message: `migration ${w.migration} failed: ${why} (task ${taskId})` } : { state: 'done', message: `succeeded (task ${taskId})` };
    }
    const now = ctx.clock.now();
    if (now >= w.deadline) {
      const seconds = Math.round((now - (w.since ?? task.createdAt ?? now)) / 1000);
      const why = `timed out after ${seconds} s`;
      await ecs.stopTask(w.cluster, w.taskArn, `steady: migration ${w.migration} ${why}`);
      await ecs.tagResource(w.taskDefinitionArn, { [TAG_MIGRATION_RESULT]: `failed: ${why}` });
      await ctx.ledger?.recordResult({ migration: w.migration, version: w.version, attempt: w.attempt, succeeded: false, reason: why });
      return { state: 'failed', message: `migration ${w.migration} ${why}; the task was stopped (task ${taskId})` };
    }
    if (now + ctx.pollMs > ctx.deadline || ctx.stop.check()) {
      return { state: 'pending', message: `migration task ${taskId} is ${task.lastStatus}; the next pass waits for it` };
    }
    ctx.progress?.({ resource: `Migration/${w.migration}`, waitingFor: `migration ${w.migration} (task ${taskId})`, status: task.lastStatus, since, now });
    await ctx.stop.sleep(Math.min(ctx.pollMs, w.deadline - now));
  }
}
