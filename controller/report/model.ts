/**
 * The report of one pass as plain data: per resource what differed (field by field), what steady
 * did about it and how that went, and counts for a summary line. The terminal, Slack, email and
 * `--output json` all render this one shape; it holds no secret and no SDK type, so it can be
 * stored in history and rendered again later (`steady report --last`).
 */
import type { AlertState } from '../model/alerts.js';
import type { ActionOutcome, DriftEvent, PassResult } from '../model/pass.js';
import type { ActionKind, FieldDiff, Phase, Plan, ResourceStatus } from '../model/plan.js';
import { plural } from './format.js';
import { redactReport } from './secrets.js';

/**
 * What became of one resource in the pass, the word a report leads with:
 * - `healed`: it differed from its spec and steady brought it back in this pass;
 * - `progressing`: steady started the change (a rollout, a migration, a DNS change) and it is
 *   still under way; the next pass picks it up;
 * - `wouldChange`: it differs and steady would change it, but may not (observe mode, dry run);
 * - `drifted`: it differs and nothing was done about it (no action could be planned);
 * - `blocked`: a change is needed but waits for something that failed or could not be read;
 * - `failed`: AWS refused a change, or the resource cannot be brought to its spec as written;
 * - `synced`: nothing to do.
 */
export type ResourceOutcome = 'healed' | 'progressing' | 'wouldChange' | 'drifted' | 'blocked' | 'failed' | 'synced';

/** Every outcome, most urgent first: the order reports list resources in. */
export const RESOURCE_OUTCOMES: readonly ResourceOutcome[] = ['failed', 'blocked', 'drifted', 'wouldChange', 'progressing', 'healed', 'synced'];

/** One planned action and how it went; `notRun` when the pass ended before reaching it. */
export interface ReportAction {
  id: string;
  kind: ActionKind;
  /** One line, starting with a verb: `update service api: desiredCount 0 -> 2`. */
  summary: string;
  state: ActionOutcome['state'] | 'notRun';
  /** Why it failed, is blocked or pending. */
  message?: string;
  /** The AWS error name when AWS refused. */
  awsName?: string;
  durationMs?: number;
}

export interface ResourceReport {
  /** `Kind/name` */
  resource: string;
  kind: ResourceStatus['kind'];
  name: string;
  outcome: ResourceOutcome;
  /** `create` when the resource did not exist, `update` when it differs, `none` otherwise. */
  change: 'create' | 'update' | 'none';
  /** Phase, reason and message after the pass. */
  phase: Phase;
  reason: string;
  message: string;
  /** What differed from the spec when the pass looked (field, before -> after). */
  drift: FieldDiff[];
  actions: ReportAction[];
  notes: string[];
  /** The AWS error name of the first failed action, if any. */
  awsName?: string;
  /** Stable id of the drift, for noise control. */
  driftKey?: string;
  /** When the drift was first seen (this pass, or an earlier one when the alert history says so). */
  detectedAt?: number;
  /** When the drift was healed, if in this pass. */
  healedAt?: number;
  /** `healedAt - detectedAt` when healed in this pass. */
  timeToHealMs?: number;
}

/** Counts for summary lines. */
export interface ReportCounts {
  /** Resources by outcome. */
  resources: Record<ResourceOutcome, number>;
  /** Actions in the plan, by kind. */
  planned: Partial<Record<ActionKind, number>>;
  /** Actions done in this pass, by kind. */
  done: Partial<Record<ActionKind, number>>;
}

export interface Report {
  environment: string;
  passId: string;
  /** The spec commit the pass used. */
  specVersion?: string;
  startedAt: number;
  finishedAt: number;
  mode: 'enforce' | 'observe';
  dryRun: boolean;
  /**
   * `plan` when nothing could be changed (observe mode, dry run, change budget exceeded): the
   * report then says what steady *would* do. `reconcile` otherwise.
   */
  kind: 'plan' | 'reconcile';
  /** Why nothing was changed, when `kind` is `plan`. */
  held?: 'observe' | 'dryRun' | 'changeBudget';
  /** The planner's explanation of why nothing was changed, said once rather than per resource. */
  heldBecause?: string;
  budget?: Plan['budget'];
  /** ok: the pass ran (resources may still have failed); failed / skipped: see `error`. */
  outcome: PassResult['outcome'];
  error?: string;
  /** Every resource, most urgent first, then in plan order. */
  resources: ResourceReport[];
  counts: ReportCounts;
  /** AWS API calls made by the pass. */
  apiCalls: number;
}

export interface BuildReportOptions {
  /**
   * The environment's open alerts. When a drift healed in this pass was first seen by an earlier
   * one, its time-to-heal counts from then, not from this pass.
   */
  alerts?: AlertState[];
}

/** The planner notes every held resource with this; the report says it once instead. */
const HELD_NOTE = 'would change, but ';

function emptyOutcomeCounts(): Record<ResourceOutcome, number> {
  return { healed: 0, progressing: 0, wouldChange: 0, drifted: 0, blocked: 0, failed: 0, synced: 0 };
}

/** A drift key for a resource whose pass reported no DriftEvent: resource, reason and the diff. */
export function derivedDriftKey(resource: string, reason: string, diff: FieldDiff[]): string {
  const what = diff
    .map((d) => `${d.path}=${d.before ?? ''}>${d.after ?? ''}`)
    .sort()
    .join('|');
  return `${resource}#${reason}#${fnv1a(what)}`;
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable id (not a security boundary). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function outcomeOf(
  before: ResourceStatus | undefined,
  after: ResourceStatus,
  actions: ReportAction[],
  events: DriftEvent[],
  holdAll: boolean,
): ResourceOutcome {
  if (after.phase === 'Failed' || actions.some((a) => a.state === 'failed')) return 'failed';
  if (after.phase === 'Blocked' || actions.some((a) => a.state === 'blocked')) return 'blocked';
  if (actions.some((a) => a.state === 'held') || (holdAll && actions.length > 0)) return 'wouldChange';
  if (after.phase === 'Synced' && (events.some((e) => e.healedAt !== undefined) || (before && (before.phase === 'Drifted' || before.phase === 'Progressing'))))
    return 'healed';
  if (after.phase === 'Progressing' || actions.some((a) => a.state === 'pending')) return 'progressing';
  if (after.phase === 'Drifted') return 'drifted';
  return 'synced';
}

/**
 * Builds the report of one pass.
 *
 * Per resource it joins the status the plan found (and its field-level diff), the actions
 * planned for it with their outcomes, the status after the pass and the pass's drift events (for
 * time-to-heal).
 *
 * @example
 * const report = buildReport(result, { alerts: await alertStore.load(result.environment) });
 * process.stdout.write(renderReport(report, { color: process.stdout.isTTY }));
 */
export function buildReport(result: PassResult, options: BuildReportOptions = {}): Report {
  const plan = result.plan;
  const outcomes = new Map(result.outcomes.map((o) => [o.actionId, o]));
  const before = new Map((plan?.resources ?? []).map((r) => [r.resource, r]));
  const after = new Map(result.resources.map((r) => [r.resource, r]));
  const order = [...new Set([...(plan?.resources ?? []).map((r) => r.resource), ...result.resources.map((r) => r.resource)])];
  const firstSeen = new Map<string, number>();
  // Alerts only owed a "healed" message are about a problem already gone, not the current one.
  for (const a of (options.alerts ?? []).filter((x) => x.pending === undefined && x.kind !== 'digest')) {
    firstSeen.set(a.resource, Math.min(firstSeen.get(a.resource) ?? Infinity, a.firstSeenAt));
  }
  const holdAll = plan?.holdAll ?? false;
  let heldBecause: string | undefined;

  const resources: ResourceReport[] = order.map((name) => {
    const was = before.get(name);
    const now = after.get(name) ?? was!;
    const actions: ReportAction[] = (plan?.actions ?? [])
      .filter((a) => a.resource === name)
      .map((a) => {
        const o = outcomes.get(a.id);
        const state: ReportAction['state'] = o?.state ?? (holdAll ? 'held' : 'notRun');
        return {
          id: a.id,
          kind: a.kind,
          summary: o?.summary ?? a.summary,
          state,
          ...(o?.message !== undefined ? { message: o.message } : {}),
          ...(o?.awsName !== undefined ? { awsName: o.awsName } : {}),
          ...(o?.startedAt !== undefined && o.finishedAt !== undefined ? { durationMs: o.finishedAt - o.startedAt } : {}),
        };
      });
    const events = result.drift.filter((e) => e.resource === name);
    const outcome = outcomeOf(was, now, actions, events, holdAll);
    const drift = events.find((e) => e.diff.length > 0)?.diff.map((d) => ({ path: d.path, before: d.before, after: d.after })) ?? (was?.diff.length ? was.diff : now.diff);
    const creates = actions.some((a) => a.kind === 'CreateService') || (drift.length > 0 && drift.every((d) => d.before === undefined));
    const change = creates ? 'create' : drift.length > 0 || actions.length > 0 ? 'update' : 'none';
    const event = events[0];
    const driftKey = drift.length > 0 || event ? (event?.key ?? derivedDriftKey(name, (was ?? now).reason, drift)) : undefined;
    const detectedAt = event ? Math.min(event.detectedAt, firstSeen.get(name) ?? Infinity) : firstSeen.get(name);
    const healedAt = events.find((e) => e.healedAt !== undefined)?.healedAt ?? (outcome === 'healed' ? result.finishedAt : undefined);
    const failedAction = actions.find((a) => a.state === 'failed' && a.awsName);
    const notes = [...new Set([...(was?.notes ?? []), ...(now.notes ?? [])])].filter((n) => {
      if (!n.startsWith(HELD_NOTE)) return true;
      heldBecause ??= n.slice(HELD_NOTE.length);
      return false;
    });
    return {
      resource: name,
      kind: now.kind,
      name: now.name,
      outcome,
      change,
      phase: now.phase,
      reason: now.reason,
      message: now.message,
      drift,
      actions,
      notes,
      ...(failedAction ? { awsName: failedAction.awsName } : {}),
      ...(driftKey !== undefined ? { driftKey } : {}),
      ...(detectedAt !== undefined && outcome !== 'synced' ? { detectedAt } : {}),
      ...(outcome === 'healed' && healedAt !== undefined ? { healedAt } : {}),
      ...(outcome === 'healed' && healedAt !== undefined && detectedAt !== undefined ? { timeToHealMs: healedAt - detectedAt } : {}),
    };
  });
  const rank = (r: ResourceReport) => RESOURCE_OUTCOMES.indexOf(r.outcome);
  const sorted = resources.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);

  const counts: ReportCounts = { resources: emptyOutcomeCounts(), planned: {}, done: {} };
  for (const r of sorted) counts.resources[r.outcome] += 1;
  // Bookkeeping tags (steady remembering a failed rollout) are not changes worth counting.
  const bookkeeping = new Set((plan?.actions ?? []).filter((a) => a.kind === 'TagResource' && a.purpose === 'record').map((a) => a.id));
  for (const a of plan?.actions ?? []) if (!bookkeeping.has(a.id)) counts.planned[a.kind] = (counts.planned[a.kind] ?? 0) + 1;
  for (const o of result.outcomes) {
    if (o.state === 'done' && !bookkeeping.has(o.actionId)) counts.done[o.kind as ActionKind] = (counts.done[o.kind as ActionKind] ?? 0) + 1;
  }

  const held = result.dryRun ? 'dryRun' : result.mode === 'observe' ? 'observe' : plan?.budget.exceeded ? 'changeBudget' : undefined;
  // Every rendering (terminal, JSON, Slack, email, the stored report) starts here: nothing secret-shaped leaves.
  return redactReport({
    environment: result.environment,
    passId: result.passId,
    ...(result.specVersion !== undefined ? { specVersion: result.specVersion } : {}),
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    mode: result.mode,
    dryRun: result.dryRun,
    kind: held || holdAll ? 'plan' : 'reconcile',
    ...(held ? { held } : {}),
    ...(heldBecause !== undefined ? { heldBecause } : {}),
    ...(plan ? { budget: plan.budget } : {}),
    outcome: result.outcome,
    ...(result.error !== undefined ? { error: result.error } : {}),
    resources: sorted,
    counts,
    apiCalls: Object.values(result.apiCalls).reduce((a, b) => a + b, 0),
  });
}

/** How each action kind is counted in a summary line: planned (`to register`) and done (`registered`). */
const ACTION_WORDS: Record<ActionKind, { noun?: [string, string]; planned: string; done: string }> = {
  RegisterTaskDefinition: { planned: 'to register', done: 'registered' },
  CreateService: { planned: 'to create', done: 'created' },
  UpdateService: { planned: 'to update', done: 'updated' },
  TagResource: { planned: 'to adopt', done: 'adopted' },
  RunMigration: { noun: ['migration', 'migrations'], planned: 'to run', done: 'run' },
  AwaitMigration: { noun: ['migration', 'migrations'], planned: 'to wait for', done: 'finished' },
  ChangeRecords: { noun: ['record', 'records'], planned: 'to change', done: 'changed' },
  CreateCodeDeployDeployment: { noun: ['blue/green deployment', 'blue/green deployments'], planned: 'to start', done: 'started' },
  AwaitCodeDeployDeployment: { noun: ['blue/green deployment', 'blue/green deployments'], planned: 'to follow', done: 'finished' },
  CreateScheduleGroup: { noun: ['schedule group', 'schedule groups'], planned: 'to create', done: 'created' },
  CreateSchedule: { noun: ['schedule', 'schedules'], planned: 'to create', done: 'created' },
  UpdateSchedule: { noun: ['schedule', 'schedules'], planned: 'to update', done: 'updated' },
  SwitchDistribution: { noun: ['distribution', 'distributions'], planned: 'to switch', done: 'switched' },
  CreateMaintenanceRule: { noun: ['maintenance rule', 'maintenance rules'], planned: 'to create', done: 'created' },
  DeleteMaintenanceRule: { noun: ['maintenance rule', 'maintenance rules'], planned: 'to delete', done: 'deleted' },
};
const ACTION_ORDER: ActionKind[] = [
  'RegisterTaskDefinition',
  'CreateService',
  'UpdateService',
  'TagResource',
  'RunMigration',
  'AwaitMigration',
  'CreateCodeDeployDeployment',
  'AwaitCodeDeployDeployment',
  'CreateScheduleGroup',
  'CreateSchedule',
  'UpdateSchedule',
  'ChangeRecords',
  'SwitchDistribution',
  'CreateMaintenanceRule',
  'DeleteMaintenanceRule',
];

function actionPhrases(counts: Partial<Record<ActionKind, number>>, tense: 'planned' | 'done'): string[] {
  return ACTION_ORDER.filter((k) => (counts[k] ?? 0) > 0).map((k) => {
    const n = counts[k]!;
    const w = ACTION_WORDS[k];
    return w.noun ? `${plural(n, w.noun[0], w.noun[1])} ${w[tense]}` : `${n} ${w[tense]}`;
  });
}

/** `1 healed, 1 in progress, 2 blocked, 1 failed` (zeros left out). */
export function outcomePhrases(counts: Record<ResourceOutcome, number>): string[] {
  const words: [ResourceOutcome, string][] = [
    ['healed', 'healed'],
    ['progressing', 'in progress'],
    ['drifted', 'drifted'],
    ['blocked', 'blocked'],
    ['failed', 'failed'],
  ];
  return words.filter(([o]) => counts[o] > 0).map(([o, w]) => `${counts[o]} ${w}`);
}

/**
 * The one-line summary, like Terraform's:
 * `Plan: 1 to register, 2 to update, 1 record to change. 1 blocked, 1 failed.` for a plan,
 * `Reconciled: 1 registered, 1 updated, 1 record changed. 2 healed, 1 failed.` after changes,
 * `No changes. 3 resources in sync.` when there is nothing to do.
 */
export function summaryLine(report: Report): string {
  if (report.outcome === 'skipped') return `Pass skipped${report.error ? `: ${report.error}` : '.'}`;
  if (report.outcome === 'failed') return `Pass failed${report.error ? `: ${report.error}` : '.'}`;
  const problems = outcomePhrases(report.counts.resources);
  const tail = problems.length ? ` ${problems.join(', ')}.` : '';
  if (report.kind === 'plan') {
    const planned = actionPhrases(report.counts.planned, 'planned');
    if (planned.length === 0) return problems.length ? `Plan: no changes.${tail}` : noChanges(report);
    return `Plan: ${planned.join(', ')}.${tail}`;
  }
  const done = actionPhrases(report.counts.done, 'done');
  if (done.length === 0) return problems.length ? `Reconciled: nothing changed.${tail}` : noChanges(report);
  return `Reconciled: ${done.join(', ')}.${tail}`;
}

function noChanges(report: Report): string {
  const n = report.counts.resources.synced;
  return `No changes. ${plural(n, 'resource')} in sync.`;
}
