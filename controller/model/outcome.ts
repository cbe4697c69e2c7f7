/**
 * What a pass *was*: the one place that decides it. Per resource an outcome (in sync, created,
 * healed, converging, would change, left unrepaired and why, failed, unknown and why) and per pass
 * a verdict; the exit codes of `plan` and `reconcile`, the Lambda's `ok`, its metrics (and so the
 * alarms), and the summary line of every report (terminal, Slack, email, JSON) all read them, and
 * nothing else decides on its own. Pure: no I/O, no SDK.
 */
import type { AwsCause, AwsCauseKind } from './causes.js';
import type { ActionOutcome, PassResult } from './pass.js';
import type { ResourceStatus } from './plan.js';

/**
 * What became of one resource in the pass:
 * - `synced`: it is as its spec says, and nothing was done;
 * - `created`: it did not exist, and steady created it in this pass;
 * - `healed`: it differed from its spec, and steady brought it back in this pass;
 * - `converging`: a change of this pass, or a rollout, deployment or migration of the spec's
 *   revision, is still under way (the next pass follows it);
 * - `wouldChange`: it differs, and this pass is a plan (dry run): reconcile would change it;
 * - `unrepaired`: it differs, and nothing in this pass repairs it; `blockedBy` says why;
 * - `failed`: a change failed, or it cannot be brought to its spec as written (a person must act);
 * - `unknown`: AWS could not be read for it; `unread` says what and why.
 */
export type ResourceOutcome = 'synced' | 'created' | 'healed' | 'converging' | 'wouldChange' | 'unrepaired' | 'failed' | 'unknown';

/** Every outcome, most urgent first: the order reports list resources in. */
export const RESOURCE_OUTCOMES: readonly ResourceOutcome[] = ['failed', 'unknown', 'unrepaired', 'wouldChange', 'converging', 'healed', 'created', 'synced'];

/**
 * What keeps steady from repairing a resource that differs:
 * - `observe`: the Environment is in observe mode (by choice);
 * - `changeBudget`: the pass would change more resources than the change budget allows;
 * - `conflict`: the AWS resource is not steady's (created by someone else, or another spec's);
 * - `migration`: a migration it waits for failed or is not ready (a gate);
 * - `dependency`: a change it depends on did not succeed;
 * - `aws`: AWS is busy with it (a service draining, a deployment or rollback steady did not start);
 * - `unexpressible`: what runs has content the spec language cannot express, so a revision built
 *   from the spec would drop it (see plan/expressible.ts);
 * - `none`: nothing in this pass would repair it.
 */
export type RepairBlock = 'observe' | 'changeBudget' | 'conflict' | 'migration' | 'dependency' | 'aws' | 'unexpressible' | 'none';

/** A read that failed, and why. */
export interface UnreadItem {
  /** What could not be read, e.g. `ECS cluster shop-prod`. */
  what: string;
  cause?: AwsCause;
}

/** The outcome of one resource, with what explains it. */
export interface ResourceVerdict {
  /** `Kind/name` */
  resource: string;
  kind: ResourceStatus['kind'];
  outcome: ResourceOutcome;
  /** For `unrepaired`. */
  blockedBy?: RepairBlock;
  /** For `unknown`. */
  unread?: UnreadItem[];
}

/**
 * What a pass was, in one word:
 * - `converged`: everything was read and is as the specs say (after this pass's changes, if any);
 * - `converging`: nothing is wrong, and steady's own changes (a rollout, migration, DNS change,
 *   deployment of the spec's revision) are still under way;
 * - `changesPending`: a plan (dry run): reconcile would change something;
 * - `drifted`: observe mode: differences are reported and, by choice, not changed;
 * - `unrepaired`: something differs and steady cannot repair it in this pass (conflict, a failed
 *   migration gate, the change budget, AWS busy): a person must look;
 * - `failed`: a change failed, a resource cannot be brought to its spec, or the pass could not run;
 * - `unknown`: AWS could not be read (for some or all resources); never "no changes";
 * - `skipped`: the pass did not run: another invocation holds the lease, or the invocation ran
 *   out of time before reaching the environment;
 * - `interrupted`: the pass started but stopped before it finished (`interrupted` says why: out of
 *   time, the lease lost to another writer, or stopped by a person with Ctrl-C); what it did before
 *   stopping is in its resources. A failed change or AWS that could not be read still outranks it.
 */
export type PassVerdict = 'converged' | 'converging' | 'changesPending' | 'drifted' | 'unrepaired' | 'failed' | 'unknown' | 'skipped' | 'interrupted';

/** Why a pass was skipped. */
export type SkipReason = 'leaseHeld' | 'outOfTime';

/**
 * Why a pass stopped before it finished:
 * - `outOfTime`: the invocation's deadline came (the Lambda's remaining time minus its margin);
 * - `leaseLost`: the environment's lease was taken over, released or could not be renewed, so
 *   another writer may be changing it: nothing more may be changed;
 * - `aborted`: a person stopped it (Ctrl-C).
 */
export type InterruptReason = 'outOfTime' | 'leaseLost' | 'aborted';

/** The stage a pass was in when it stopped (`record`: it had finished, and the lease was found lost before it was recorded). */
export type PassStage = 'observe' | 'converge' | 'wiring' | 'record';

/** How and where a pass stopped before it finished. */
export interface Interruption {
  reason: InterruptReason;
  stage: PassStage;
  /** In words, e.g. `the lease for environment shop-prod was taken over by cli:ann@laptop:4242 (version 7)`. */
  message: string;
}

export interface PassOutcome {
  verdict: PassVerdict;
  /** True when the pass is a plan (`steady plan`, `--dry-run`, a dry-run invocation). */
  plan: boolean;
  resources: ResourceVerdict[];
  /** Resources by outcome (the resources a plan's verdict ignores, Wiring, are counted too). */
  counts: Record<ResourceOutcome, number>;
  /** Every failed read of the pass, once per call (the report groups them by cause). */
  causes: AwsCause[];
  skipped?: SkipReason;
  /** Why an interrupted pass stopped (set whenever the pass stopped early, whatever its verdict). */
  interrupted?: InterruptReason;
}

/** What the outcome module reads of a pass: the result, or the part of it known before wiring checks. */
export type PassFacts = Pick<PassResult, 'plan' | 'outcomes' | 'resources' | 'drift' | 'dryRun' | 'mode'> &
  Partial<Pick<PassResult, 'unreadable' | 'outcome' | 'skipped' | 'interrupted'>>;

type ActionState = ActionOutcome['state'] | 'notRun';

function emptyCounts(): Record<ResourceOutcome, number> {
  return { failed: 0, unknown: 0, unrepaired: 0, wouldChange: 0, converging: 0, healed: 0, created: 0, synced: 0 };
}

/** Statuses a read failure leaves behind (the planner's and the wiring checks'). */
const UNREAD_REASONS = new Set(['ObserveFailed', 'ReadFailed']);

/** Progressing reasons that are not steady converging the resource to its spec. */
const NOT_CONVERGING: Record<string, RepairBlock> = { RollingBack: 'aws', DeploymentInProgress: 'aws' };

/** What a Blocked reason means for the repair. */
function blockOf(status: ResourceStatus, planned: ResourceStatus | undefined): RepairBlock {
  if (status.blockedBy) return status.blockedBy;
  switch (status.reason) {
    case 'ChangeBudgetExceeded':
      return 'changeBudget';
    case 'MigrationFailed':
    case 'WaitingForMigration':
      return 'migration';
    case 'DependencyNotReady':
      return planned?.reason === 'MigrationFailed' || planned?.reason === 'WaitingForMigration' ? 'migration' : 'dependency';
    case 'ServiceDraining':
      return 'aws';
    case 'Conflict':
      return 'conflict';
    case 'UnexpressibleFields':
      return 'unexpressible';
    default:
      return 'none';
  }
}

/** `create` when the resource did not exist, `update` when it differs, `none` otherwise. */
export function changeOf(planned: ResourceStatus | undefined, actions: { kind: string }[]): 'create' | 'update' | 'none' {
  const diff = planned?.diff ?? [];
  if (actions.some((a) => a.kind === 'CreateService') || (diff.length > 0 && diff.every((d) => d.before === undefined))) return 'create';
  return diff.length > 0 || actions.length > 0 ? 'update' : 'none';
}

/**
 * The outcome of every resource of a pass, in the order of the pass's statuses (plan order, then
 * the wiring statuses).
 *
 * @example
 * resourceVerdicts(result).find((r) => r.resource === 'Service/api'); // { outcome: 'unrepaired', blockedBy: 'migration', ... }
 */
export function resourceVerdicts(pass: PassFacts): ResourceVerdict[] {
  const plan = pass.plan;
  const before = new Map((plan?.resources ?? []).map((r) => [r.resource, r]));
  const after = new Map(pass.resources.map((r) => [r.resource, r]));
  const order = [...new Set([...(plan?.resources ?? []).map((r) => r.resource), ...pass.resources.map((r) => r.resource)])];
  const outcomes = new Map(pass.outcomes.map((o) => [o.actionId, o]));
  const holdAll = plan?.holdAll ?? false;
  // Bookkeeping (remembering a failed rollout) does not change where a resource stands.
  const actionsOf = groupBy((plan?.actions ?? []).filter((a) => !(a.kind === 'TagResource' && a.purpose === 'record')), (a) => a.resource);
  const listed = new Set((plan?.actions ?? []).map((a) => a.id));
  // An outcome whose action the plan does not list (a recorded pass read back) still counts.
  const unlisted = groupBy(pass.outcomes.filter((o) => !listed.has(o.actionId)), (o) => o.resource);
  const healed = new Set(pass.drift.filter((e) => e.healedAt !== undefined).map((e) => e.resource));
  return order.map((name) => {
    const planned = before.get(name);
    const now = after.get(name) ?? planned!;
    const actions = actionsOf.get(name) ?? [];
    const states: ActionState[] = [...actions.map((a) => outcomes.get(a.id)?.state ?? (holdAll ? 'held' : 'notRun')), ...(unlisted.get(name) ?? []).map((o) => o.state)];
    const healedEvent = healed.has(name);
    // A plan over the change budget: a reconcile would not apply it either.
    const overBudget = plan?.budget.exceeded === true && pass.mode !== 'observe';
    const base = { resource: name, kind: now.kind };
    const verdict = (outcome: ResourceOutcome, extra: Partial<ResourceVerdict> = {}): ResourceVerdict => ({ ...base, outcome, ...extra });

    if (states.includes('failed')) return verdict('failed');
    if (UNREAD_REASONS.has(now.reason) || (planned && UNREAD_REASONS.has(planned.reason) && !states.includes('done'))) {
      const unread =
        now.unread ??
        (pass.unreadable ?? [])
          .filter((u) => u.affects.includes(name))
          .map((u) => ({ what: u.what, ...(u.cause ? { cause: u.cause } : {}) }))
          .sort((a, b) => a.what.localeCompare(b.what));
      return verdict('unknown', { unread });
    }
    if (now.phase === 'Failed') return now.reason === 'Conflict' ? verdict('unrepaired', { blockedBy: 'conflict' }) : verdict('failed');
    if (now.phase === 'Blocked' || states.includes('blocked')) return verdict('unrepaired', { blockedBy: blockOf(now, planned) });
    if (states.includes('pending')) return verdict('converging');
    if (states.includes('held')) {
      if (pass.dryRun && !overBudget) return verdict('wouldChange');
      return verdict('unrepaired', { blockedBy: pass.mode === 'observe' ? 'observe' : overBudget ? 'changeBudget' : 'none' });
    }
    if (now.phase === 'Progressing') {
      const block = NOT_CONVERGING[now.reason];
      return block ? verdict('unrepaired', { blockedBy: block }) : verdict('converging');
    }
    if (now.phase === 'Drifted') {
      if (pass.dryRun && !overBudget) return verdict('wouldChange');
      return verdict('unrepaired', { blockedBy: now.blockedBy ?? (pass.mode === 'observe' ? 'observe' : overBudget ? 'changeBudget' : 'none') });
    }
    if (states.includes('done') || healedEvent) return verdict(changeOf(planned, actions) === 'create' ? 'created' : 'healed');
    return verdict('synced');
  });
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Most severe first: the verdict of a pass is the first that applies. */
function verdictOf(verdicts: ResourceVerdict[], plan: boolean, mode: PassFacts['mode'], interrupted: boolean): PassVerdict {
  // Runtime health (the wiring checks) is `verify`'s question, not a plan's.
  const counted = plan ? verdicts.filter((v) => v.kind !== 'Wiring') : verdicts;
  const has = (o: ResourceOutcome) => counted.some((v) => v.outcome === o);
  if (has('unknown')) return 'unknown';
  if (has('failed')) return 'failed';
  // Whatever else the resources say, the pass did not get to the end of it.
  if (interrupted) return 'interrupted';
  const unrepaired = counted.filter((v) => v.outcome === 'unrepaired');
  if (unrepaired.some((v) => v.blockedBy !== 'observe')) return 'unrepaired';
  if (has('wouldChange')) return 'changesPending';
  if (unrepaired.length > 0) return mode === 'observe' && !plan ? 'drifted' : 'unrepaired';
  if (has('converging')) return 'converging';
  return 'converged';
}

/**
 * What a pass was: its verdict, every resource's outcome and every failed read.
 *
 * @example
 * const { verdict } = passOutcome(result); // 'unknown' when AWS could not be read
 * process.exitCode = exitCode(result.dryRun ? 'plan' : 'reconcile', [verdict]);
 */
export function passOutcome(pass: PassFacts): PassOutcome {
  const plan = pass.dryRun;
  const resources = resourceVerdicts(pass);
  const counts = emptyCounts();
  for (const r of resources) counts[r.outcome] += 1;
  const causes = [...(pass.unreadable ?? []).flatMap((u) => (u.cause ? [u.cause] : [])), ...resources.flatMap((r) => (r.kind === 'Wiring' ? (r.unread ?? []).flatMap((u) => (u.cause ? [u.cause] : [])) : []))];
  const common = { plan, resources, counts, causes: uniqueCauses(causes), ...(pass.interrupted ? { interrupted: pass.interrupted.reason } : {}) };
  if (pass.outcome === 'skipped') return { ...common, verdict: 'skipped', ...(pass.skipped ? { skipped: pass.skipped } : {}) };
  if (pass.outcome === 'failed') return { ...common, verdict: 'failed' };
  return { ...common, verdict: verdictOf(resources, plan, pass.mode, pass.interrupted !== undefined) };
}

/** One cause per (kind, action, what was done, message): a read repeated for the wiring checks is one failure. */
export function uniqueCauses(causes: AwsCause[]): AwsCause[] {
  const seen = new Map<string, AwsCause>();
  for (const c of causes) seen.set(`${c.kind}|${c.action}|${c.doing}|${c.message}`, c);
  return [...seen.values()];
}

/** The cause kinds of a pass's failed reads, once each. */
export function causeKinds(outcome: Pick<PassOutcome, 'causes'>): AwsCauseKind[] {
  return [...new Set(outcome.causes.map((c) => c.kind))];
}

/**
 * Drift in numbers, for metrics and history: `found` differences seen (a first creation is not
 * drift), `healed` the resources brought back by this pass, `unrepaired` those left differing that
 * nothing in this pass repairs (observe mode included).
 */
export function driftCounts(pass: PassFacts, outcome: Pick<PassOutcome, 'resources'> = passOutcome(pass)): { found: number; healed: number; unrepaired: number } {
  const byResource = new Map(outcome.resources.map((r) => [r.resource, r.outcome]));
  const events = pass.drift.filter((e) => byResource.get(e.resource) !== 'created');
  return {
    found: events.length,
    healed: events.filter((e) => e.healedAt !== undefined && byResource.get(e.resource) === 'healed').length,
    unrepaired: outcome.resources.filter((r) => r.outcome === 'unrepaired').length,
  };
}

// ------------------------------------------------------------------------------------ exit codes

/** The exit codes of the commands that run passes; the README's table and each `--help` list them. */
export const EXIT = {
  /** plan: nothing to change and everything read; reconcile: converged or converging by steady's own changes. */
  ok: 0,
  /** An error: invalid specs, AWS could not be read, a failed change or resource, drift steady cannot repair. */
  failed: 1,
  /** plan: changes pending. Every other command: a usage error (an unknown command or option). */
  changesPending: 2,
  usage: 2,
  /** reconcile: skipped, nothing was done (the lease is held by another run). */
  skipped: 3,
  /** The CLI was stopped with Ctrl-C (128 + SIGINT, as shells report it); the lease was released first. */
  interrupted: 130,
} as const;

/** The exit code one pass's verdict means for `plan` (and `reconcile --dry-run`) or `reconcile`. */
export function verdictExitCode(command: 'plan' | 'reconcile', verdict: PassVerdict): number {
  switch (verdict) {
    case 'converged':
    case 'converging':
      return EXIT.ok;
    case 'changesPending':
      return command === 'plan' ? EXIT.changesPending : EXIT.ok;
    case 'drifted':
      // A plan of an observe-mode environment that differs has changes to show; a reconcile did what observe mode asks.
      return command === 'plan' ? EXIT.changesPending : EXIT.ok;
    case 'skipped':
      return EXIT.skipped;
    case 'unrepaired':
    case 'failed':
    case 'unknown':
    // Stopped before the end (the lease lost, out of time): what the specs ask is not known to be done.
    case 'interrupted':
      return EXIT.failed;
  }
}

/**
 * The exit code of a run over several environments: the most serious of theirs (1, then 3, then 2,
 * then 0), so a CI job can tell "did nothing" from "converged" and "changes" from "error".
 *
 * @example
 * exitCode('reconcile', ['converged', 'skipped']); // 3
 */
export function exitCode(command: 'plan' | 'reconcile', verdicts: PassVerdict[]): number {
  const codes = verdicts.map((v) => verdictExitCode(command, v));
  for (const code of [EXIT.failed, EXIT.skipped, EXIT.changesPending]) if (codes.includes(code)) return code;
  return EXIT.ok;
}

/**
 * The Lambda's `ok` for one environment: its pass did what a reconcile should (the reconcile exit
 * code is 0), or it did not run because another invocation holds the lease or the time ran out
 * (3: the next tick comes), or it ran out of time part-way with nothing worse to say (a large
 * environment converges over several passes; the next tick goes on). A pass that lost its lease
 * is never ok: another writer was in. A dry run is ok unless it is an error.
 */
export function isOk(outcome: Pick<PassOutcome, 'verdict' | 'plan' | 'interrupted'>): boolean {
  if (outcome.verdict === 'interrupted') return outcome.interrupted === 'outOfTime';
  return verdictExitCode(outcome.plan ? 'plan' : 'reconcile', outcome.verdict) !== EXIT.failed;
}
