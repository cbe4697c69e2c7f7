/**
 * converge: carries out a plan against AWS through the adapters. Actions run in dependency order
 * (schedule.ts) with bounded concurrency, each by the executor of its kind: service.ts (revisions,
 * services, tags), migration.ts (run once per version, wait, record the outcome), records.ts
 * (Route 53 batches per zone), codedeploy.ts (blue/green deployments), scheduled.ts (EventBridge
 * Scheduler groups and schedules), maintenance.ts (maintenance pages: CloudFront switched and back,
 * ALB maintenance rules).
 */
import type { Clock } from '../clock.js';
import { PassInterruptedError } from '../errors.js';
import { stopFor } from '../interrupt.js';
import type { ActionOutcome } from '../model/pass.js';
import type { Action, ChangeRecordsAction, Plan } from '../model/plan.js';
import type { Adapters } from '../observe/observe.js';
import { awaitCodeDeployDeployment, createCodeDeployDeployment } from './codedeploy.js';
import { failure, Outputs, type ExecContext, type MigrationLedger, type WaitProgress } from './context.js';
import { createMaintenanceRule, deleteMaintenanceRule, switchDistribution } from './maintenance.js';
import { awaitMigration, runMigration } from './migration.js';
import { changeRecords, unitsOf } from './records.js';
import { createScheduleGroup, putSchedule } from './scheduled.js';
import { schedule, type ExecResult, type Unit } from './schedule.js';
import { createService, registerTaskDefinition, tagResource, updateService } from './service.js';

export type { LedgerEntry, MigrationLedger, WaitProgress } from './context.js';
export { STALE_CLAIM_MS } from './context.js';
export { migrationFailure } from './migration.js';
export { unitsOf } from './records.js';

export interface ConvergeOptions {
  clock: Clock;
  /** Most actions in flight at once. */
  concurrency?: number;
  /** Epoch ms after which no new action starts and waits give up (the Lambda's remaining time). */
  deadline?: number;
  /** A reason to start nothing more (e.g. the lease is about to expire). */
  stopReason?: () => string | undefined;
  /** Aborts when nothing more may start (the lease lost, Ctrl-C, the invocation's time): waits end early too. */
  signal?: AbortSignal;
  /** Runs before every change (renews the lease, and throws if it was lost). */
  beforeChange?: () => Promise<void>;
  ledger?: MigrationLedger;
  /** How often migration tasks and Route 53 changes are polled. */
  pollMs?: number;
  /** How long to wait for a Route 53 change to reach INSYNC before leaving it to the next pass. */
  insyncWaitMs?: number;
  /** Identifies the pass in change comments. */
  passId?: string;
  /** Told about each poll of a long wait (a migration task, a CodeDeploy deployment, a DNS change). */
  progress?: (p: WaitProgress) => void;
  /** Keeps a copy of a Maintenance's restore record (see ExecContext). */
  rememberRestore?: ExecContext['rememberRestore'];
}

/** Actions that spend their time waiting on AWS; they run in a pool of their own. */
const WAITING_KINDS = new Set<Action['kind']>(['RunMigration', 'AwaitMigration', 'ChangeRecords', 'CreateCodeDeployDeployment', 'AwaitCodeDeployDeployment', 'SwitchDistribution']);
const WAITING_CONCURRENCY = 16;

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
  const stop = stopFor({ clock, deadline: options.deadline, signal: options.signal });
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
    progress: options.progress,
    rememberRestore: options.rememberRestore,
    stop,
  };
  const stopReason = () => stop.check()?.message ?? options.stopReason?.();
  const outcomes = await schedule(unitsOf(plan.actions), (unit) => executeUnit(unit, ctx), {
    concurrency: options.concurrency ?? 4,
    waiting: { isWaiting: (unit) => WAITING_KINDS.has(unit.actions[0].kind), concurrency: WAITING_CONCURRENCY },
    stopReason,
    now: () => clock.now(),
  });
  // The plan could only say "<new revision>"; once registered, the outcomes name it.
  return outcomes.map((o) => ({ ...o, summary: outputs.named(o.summary, o.actionId) }));
}

async function executeUnit(unit: Unit, ctx: ExecContext): Promise<ExecResult[]> {
  const first = unit.actions[0];
  try {
    await ctx.beforeChange?.();
  } catch (err) {
    // The lease was lost just now: this change is not made, and is not a failure of the change.
    if (err instanceof PassInterruptedError) return unit.actions.map(() => ({ state: 'pending', message: `not started: ${err.message}` }));
    return unit.actions.map(() => failure(err));
  }
  try {
    if (first.kind === 'ChangeRecords') return await changeRecords(unit.actions as ChangeRecordsAction[], ctx);
    return [await execute(first, ctx)];
  } catch (err) {
    return unit.actions.map(() => failure(err));
  }
}

async function execute(a: Action, ctx: ExecContext): Promise<ExecResult> {
  switch (a.kind) {
    case 'RegisterTaskDefinition':
      return registerTaskDefinition(a, ctx);
    case 'CreateService':
      return createService(a, ctx);
    case 'UpdateService':
      return updateService(a, ctx);
    case 'TagResource':
      return tagResource(a, ctx);
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
    case 'CreateScheduleGroup':
      return createScheduleGroup(a, ctx);
    case 'CreateSchedule':
    case 'UpdateSchedule':
      return putSchedule(a, ctx);
    case 'SwitchDistribution':
      return switchDistribution(a, ctx);
    case 'CreateMaintenanceRule':
      return createMaintenanceRule(a, ctx);
    case 'DeleteMaintenanceRule':
      return deleteMaintenanceRule(a, ctx);
  }
}
