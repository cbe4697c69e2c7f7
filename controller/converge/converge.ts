/**
 * converge: carries out a plan against AWS through the adapters. Actions run in dependency order
 * (schedule.ts) with bounded concurrency; alias changes of one zone go to Route 53 as one batch,
 * split record by record if Route 53 refuses it, so one bad record cannot block the others.
 * Migrations are run once per version (deterministic clientToken), waited for, and their outcome
 * written onto the migration's task-definition revision, where the next pass reads it.
 */
import { changeBatchSize, MAX_RECORDS_PER_CHANGE_BATCH, MAX_VALUE_CHARS_PER_CHANGE_BATCH } from '../aws/route53.js';
import type { Clock } from '../clock.js';
import { AwsCallError } from '../errors.js';
import type { EcsNetwork, EcsTask } from '../model/aws.js';
import type { ActionOutcome } from '../model/pass.js';
import {
  ownershipTags,
  TAG_MIGRATION_RESULT,
  TAG_MIGRATION_STARTED,
  TAG_ROLLOUT,
  type Action,
  type AwaitMigrationAction,
  type ChangeRecordsAction,
  type Plan,
  type RunMigrationAction,
  type TaskDefinitionRef,
} from '../model/plan.js';
import type { Adapters } from '../observe/observe.js';
import { awaitCodeDeployDeployment, createCodeDeployDeployment } from './codedeploy.js';
import { schedule, type ExecResult, type Unit } from './schedule.js';

/** What the ledger says about a version/attempt another pass claimed first. */
export interface LedgerEntry {
  claimed: false;
  by: string;
  claimedAt: number;
  state: 'claimed' | 'started' | 'succeeded' | 'failed';
  taskArn?: string;
  reason?: string;
}

/** The migration ledger (DynamoDB) as converge uses it; absent when running without a state table. */
export interface MigrationLedger {
  /** Claims the right to run one migration version/attempt, or says who claimed it first. */
  claim(m: { migration: string; version: string; attempt: number }): Promise<{ claimed: true } | LedgerEntry>;
  recordTask(m: { migration: string; version: string; attempt: number; taskArn: string }): Promise<void>;
  recordResult(m: { migration: string; version: string; attempt: number; succeeded: boolean; reason: string }): Promise<void>;
}

export interface ConvergeOptions {
  clock: Clock;
  /** Most actions in flight at once. */
  concurrency?: number;
  /** Epoch ms after which no new action starts and waits give up (the Lambda's remaining time). */
  deadline?: number;
  /** A reason to start nothing more (e.g. the lease is about to expire). */
  stopReason?: () => string | undefined;
  /** Runs before every change (renews the lease, and throws if it was lost). */
  beforeChange?: () => Promise<void>;
  ledger?: MigrationLedger;
  /** How often migration tasks and Route 53 changes are polled. */
  pollMs?: number;
  /** How long to wait for a Route 53 change to reach INSYNC before leaving it to the next pass. */
  insyncWaitMs?: number;
  /** Identifies the pass in change comments. */
  passId?: string;
}

/** Actions that spend their time waiting on AWS; they run in a pool of their own. */
const WAITING_KINDS = new Set<Action['kind']>(['RunMigration', 'AwaitMigration', 'ChangeRecords', 'CreateCodeDeployDeployment', 'AwaitCodeDeployDeployment']);
const WAITING_CONCURRENCY = 16;

/** A claim without a task this old means its pass died before RunTask. */
export const STALE_CLAIM_MS = 5 * 60_000;

class Outputs {
  readonly #arns = new Map<string, string>();
  set(actionId: string, arn: string) {
    this.#arns.set(actionId, arn);
  }
  resolve(ref: TaskDefinitionRef): string {
    if ('arn' in ref) return ref.arn;
    const arn = this.#arns.get(ref.registeredBy);
    if (!arn) throw new Error(`internal: no revision registered by ${ref.registeredBy}`);
    return arn;
  }
}

function failure(err: unknown): ExecResult {
  const e = err as Error;
  return { state: 'failed', message: e.message, awsName: err instanceof AwsCallError ? err.awsName : undefined };
}

/**
 * Groups actions into units of execution: the ChangeRecords actions of one zone (they never
 * depend on anything) go together, as few units as Route 53's per-request limits allow; every
 * other action is its own unit. Without the limits, a zone with a few hundred new records sent one
 * batch Route 53 refused, and the record-by-record retry cost a call (and a wait) per record.
 */
export function unitsOf(actions: Action[]): Unit[] {
  const units: Unit[] = [];
  const zones = new Map<string, { unit: Unit; size: { records: number; chars: number } }>();
  for (const a of actions) {
    if (a.kind === 'ChangeRecords' && a.dependsOn.length === 0) {
      const size = changeBatchSize(a.changes);
      const open = zones.get(a.zoneId);
      const records = (open?.size.records ?? 0) + size.records;
      const chars = (open?.size.chars ?? 0) + size.chars;
      if (open && records <= MAX_RECORDS_PER_CHANGE_BATCH && chars <= MAX_VALUE_CHARS_PER_CHANGE_BATCH) {
        open.unit.actions.push(a);
        open.size = { records, chars };
      } else {
        const u = { actions: [a] };
        zones.set(a.zoneId, { unit: u, size });
        units.push(u);
      }
    } else units.push({ actions: [a] });
  }
  return units;
}

/**
 * Executes the plan. Held plans (observe mode, dry run, budget) execute nothing: every action is
 * reported `held`.
 *
 * @example
 * const outcomes = await converge(p, adapters, { clock, deadline: Date.now() + 60_000 });
 */
export async function converge(plan: Plan, adapters: Adapters, options: ConvergeOptions): Promise<ActionOutcome[]> {
  if (plan.holdAll) {
    const why = plan.policy.mode === 'observe' ? 'observe mode' : plan.policy.dryRun ? 'dry run' : 'change budget exceeded';
    return plan.actions.map((a) => ({ actionId: a.id, resource: a.resource, kind: a.kind, summary: a.summary, state: 'held', message: why }));
  }
  const clock = options.clock;
  const outputs = new Outputs();
  const ctx: ExecContext = {
    plan,
    adapters,
    outputs,
    clock,
    ledger: options.ledger,
    pollMs: options.pollMs ?? 10_000,
    insyncWaitMs: options.insyncWaitMs ?? 120_000,
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
    passId: options.passId ?? 'manual',
    beforeChange: options.beforeChange,
  };
  const stopReason = () => {
    if (clock.now() >= ctx.deadline) return 'the pass ran out of time';
    return options.stopReason?.();
  };
  return schedule(unitsOf(plan.actions), (unit) => executeUnit(unit, ctx), {
    concurrency: options.concurrency ?? 4,
    waiting: { isWaiting: (unit) => WAITING_KINDS.has(unit.actions[0].kind), concurrency: WAITING_CONCURRENCY },
    stopReason,
    now: () => clock.now(),
  });
}

interface ExecContext {
  plan: Plan;
  adapters: Adapters;
  outputs: Outputs;
  clock: Clock;
  ledger?: MigrationLedger;
  pollMs: number;
  insyncWaitMs: number;
  deadline: number;
  passId: string;
  beforeChange?: () => Promise<void>;
}

async function executeUnit(unit: Unit, ctx: ExecContext): Promise<ExecResult[]> {
  const first = unit.actions[0];
  try {
    await ctx.beforeChange?.();
    if (first.kind === 'ChangeRecords') return await changeRecords(unit.actions as ChangeRecordsAction[], ctx);
    return [await execute(first, ctx)];
  } catch (err) {
    return unit.actions.map(() => failure(err));
  }
}

async function execute(a: Action, ctx: ExecContext): Promise<ExecResult> {
  const { ecs } = ctx.adapters;
  switch (a.kind) {
    case 'RegisterTaskDefinition': {
      const td = await ecs.registerTaskDefinition(a.content, a.tags);
      ctx.outputs.set(a.id, td.arn);
      return { state: 'done', message: `registered ${td.family}:${td.revision}` };
    }
    case 'CreateService': {
      const arn = ctx.outputs.resolve(a.taskDefinition);
      await ecs.createService({
        cluster: a.cluster,
        name: a.serviceName,
        taskDefinitionArn: arn,
        desiredCount: a.settings.desiredCount,
        network: a.settings.network,
        loadBalancers: a.settings.loadBalancers,
        platformVersion: a.settings.platformVersion,
        deploymentController: a.deploymentController,
        deploymentConfiguration: a.settings.deploymentConfiguration,
        healthCheckGracePeriodSeconds: a.settings.healthCheckGracePeriodSeconds,
        propagateTags: 'SERVICE',
        tags: { ...a.tags, [TAG_ROLLOUT]: `${arn}@${ctx.clock.now()}` },
      });
      return { state: 'done', message: `created with ${revision(arn)}` };
    }
    case 'UpdateService': {
      const arn = a.taskDefinition ? ctx.outputs.resolve(a.taskDefinition) : undefined;
      await ecs.updateService(a.cluster, a.serviceName, { taskDefinitionArn: arn, ...a.settings });
      // Remember what steady rolled out, so a rollback by the circuit breaker is recognised later.
      if (arn) await ecs.tagResource(a.serviceArn, { [TAG_ROLLOUT]: `${arn}@${ctx.clock.now()}` });
      return { state: 'done', message: arn ? `rolling out ${revision(arn)}` : 'updated' };
    }
    case 'TagResource':
      await ecs.tagResource(a.arn, a.tags);
      return { state: 'done' };
    case 'RunMigration':
      return runMigration(a, ctx);
    case 'AwaitMigration':
      return awaitMigration(a, ctx);
    case 'ChangeRecords':
      return (await changeRecords([a], ctx))[0];
    case 'CreateCodeDeployDeployment':
      return createCodeDeployDeployment(a, ctx);
    case 'AwaitCodeDeployDeployment':
      return awaitCodeDeployDeployment(a, ctx);
  }
}

function revision(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

// ------------------------------------------------------------------------------------ migrations

async function runMigration(a: RunMigrationAction, ctx: ExecContext): Promise<ExecResult> {
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

async function awaitMigration(a: AwaitMigrationAction, ctx: ExecContext): Promise<ExecResult> {
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
  for (;;) {
    const { tasks } = await ecs.describeTasks(w.cluster, [w.taskArn]);
    const task = tasks[0];
    if (!task) return { state: 'failed', message: `migration task ${taskId} is no longer known to ECS; run \`steady retry migration/${w.migration}\` to run it again` };
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
    if (now + ctx.pollMs > ctx.deadline) {
      return { state: 'pending', message: `migration task ${taskId} is ${task.lastStatus}; the next pass waits for it` };
    }
    await ctx.clock.sleep(Math.min(ctx.pollMs, w.deadline - now));
  }
}

// ---------------------------------------------------------------------------------------- records

async function changeRecords(actions: ChangeRecordsAction[], ctx: ExecContext): Promise<ExecResult[]> {
  const zone = { id: actions[0].zoneId, name: actions[0].zoneName };
  const comment = `steady ${ctx.plan.environment} ${ctx.passId}`.slice(0, 256);
  try {
    const change = await ctx.adapters.route53.changeRecordSets(zone, actions.flatMap((a) => a.changes), comment);
    const result = await waitInsync(change.id, ctx);
    return actions.map(() => result);
  } catch (err) {
    // One bad record must not block the rest of the zone: try each on its own.
    if (actions.length > 1 && err instanceof AwsCallError && err.awsName === 'InvalidChangeBatch') {
      const results: ExecResult[] = [];
      for (const a of actions) results.push(...(await changeRecords([a], ctx)));
      return results;
    }
    return actions.map(() => failure(err));
  }
}

async function waitInsync(changeId: string, ctx: ExecContext): Promise<ExecResult> {
  const until = Math.min(ctx.clock.now() + ctx.insyncWaitMs, ctx.deadline);
  for (;;) {
    const info = await ctx.adapters.route53.getChange(changeId);
    if (info.status === 'INSYNC') return { state: 'done', message: `change ${changeId} is INSYNC` };
    if (ctx.clock.now() + ctx.pollMs > until) {
      return { state: 'pending', message: `change ${changeId} is still PENDING; Route 53 applies it within about a minute, and the next pass checks it` };
    }
    await ctx.clock.sleep(ctx.pollMs);
  }
}
