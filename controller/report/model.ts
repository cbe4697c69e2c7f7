/**
 * The report of one pass as plain data: per resource what differed (field by field), what steady
 * did about it and how that went, and counts for a summary line. The terminal, Slack, email and
 * `--output json` all render this one shape; it holds no secret and no SDK type, so it can be
 * stored in history and rendered again later (`steady report --last`).
 */
import { describeCauses, type AwsCauseKind, type CauseDescription } from '../model/causes.js';
import type { AlertState } from '../model/alerts.js';
import { changeOf, passOutcome, RESOURCE_OUTCOMES, type Interruption, type PassStage, type PassVerdict, type RepairBlock, type ResourceOutcome, type SkipReason } from '../model/outcome.js';
import type { ActionOutcome, PassResult } from '../model/pass.js';
import type { ActionKind, FieldDiff, Phase, Plan, ResourceStatus } from '../model/plan.js';
import { plural } from './format.js';
import { redactReport } from './secrets.js';

export { RESOURCE_OUTCOMES, type ResourceOutcome };

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
  /** What became of it in the pass (model/outcome.ts). */
  outcome: ResourceOutcome;
  /** For `unrepaired`: what keeps steady from repairing it. */
  blockedBy?: RepairBlock;
  /** For `unknown`: what could not be read, and the kind of cause (the report says each cause once, in `causes`). */
  unread?: { what: string; cause?: AwsCauseKind }[];
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
  /** Resources by outcome (a plan leaves out the wiring statuses: runtime health is not its question). */
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
  /** What the pass was (model/outcome.ts): what the exit code, the Lambda's `ok` and the metrics say too. */
  verdict: PassVerdict;
  /** Why AWS could not be read, each distinct cause once (empty when everything was read). */
  causes: CauseDescription[];
  /** ok: the pass ran (resources may still have failed); failed / skipped: see `error`. */
  outcome: PassResult['outcome'];
  error?: string;
  /** For a skipped pass: why. */
  skipped?: SkipReason;
  /** For a pass that stopped before it finished: why, and where. */
  interrupted?: Interruption;
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
  /** The process environment, for advice that names `AWS_ENDPOINT_URL*` when AWS could not be reached. */
  env?: Record<string, string | undefined>;
}

/** The planner notes every held resource with this; the report says it once instead. */
const HELD_NOTE = 'would change, but ';

function emptyOutcomeCounts(): Record<ResourceOutcome, number> {
  return { failed: 0, unknown: 0, unrepaired: 0, wouldChange: 0, converging: 0, healed: 0, created: 0, synced: 0 };
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

/** Items by their `resource`, each list in the items' order. */
function groupByResource<T extends { resource: string }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.resource);
    if (list) list.push(item);
    else map.set(item.resource, [item]);
  }
  return map;
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
  const passed = passOutcome(result);
  const verdicts = new Map(passed.resources.map((v) => [v.resource, v]));
  // Each resource's actions and drift events, in order, found once (a scan of them per resource was quadratic).
  const actionsOf = groupByResource(plan?.actions ?? []);
  const driftOf = groupByResource(result.drift);

  const resources: ResourceReport[] = order.map((name) => {
    const was = before.get(name);
    const now = after.get(name) ?? was!;
    const actions: ReportAction[] = (actionsOf.get(name) ?? []).map((a) => {
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
    const events = driftOf.get(name) ?? [];
    const verdict = verdicts.get(name)!;
    const outcome = verdict.outcome;
    const drift = events.find((e) => e.diff.length > 0)?.diff.map((d) => ({ path: d.path, before: d.before, after: d.after, ...(d.specValue ? { specValue: d.specValue } : {}) })) ?? (was?.diff.length ? was.diff : now.diff);
    const change = changeOf({ ...(was ?? now), diff: drift }, actions);
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
      ...(verdict.blockedBy ? { blockedBy: verdict.blockedBy } : {}),
      ...(verdict.unread ? { unread: verdict.unread.map((u) => ({ what: u.what, ...(u.cause ? { cause: u.cause.kind } : {}) })) } : {}),
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
  // A plan's verdict leaves runtime health (the wiring statuses) to `verify`; so do its counts.
  for (const r of sorted) if (!(passed.plan && r.kind === 'Wiring')) counts.resources[r.outcome] += 1;
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
    verdict: passed.verdict,
    causes: describeCauses(passed.causes, options.env),
    outcome: result.outcome,
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.skipped ? { skipped: result.skipped } : {}),
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
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
/** Every action kind, in the order summary lines count them. */
export const ACTION_ORDER: ActionKind[] = [
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

/** How reports name what keeps steady from repairing a resource. */
export const REPAIR_BLOCK_WORDS: Record<RepairBlock, string> = {
  observe: 'observe mode',
  changeBudget: 'change budget',
  conflict: 'conflict',
  migration: 'migration gate',
  dependency: 'dependency',
  aws: 'waiting on AWS',
  unexpressible: 'content the spec cannot express',
  none: 'no repair planned',
};

/**
 * `1 failed, 2 not read, 1 unrepaired (conflict), 1 converging, 2 healed` (zeros left out). In
 * observe mode what is left unrepaired by choice is `drifted`.
 */
export function outcomePhrases(report: Pick<Report, 'counts' | 'resources' | 'dryRun'>): string[] {
  const counts = report.counts.resources;
  const counted = report.resources.filter((r) => r.outcome === 'unrepaired' && !(report.dryRun && r.kind === 'Wiring'));
  const observed = counted.filter((r) => r.blockedBy === 'observe').length;
  const unrepaired = counted.filter((r) => r.blockedBy !== 'observe');
  const reasons = [...new Set(unrepaired.map((r) => REPAIR_BLOCK_WORDS[r.blockedBy ?? 'none']))];
  const phrases: [number, string][] = [
    [counts.failed, 'failed'],
    [counts.unknown, 'not read'],
    [unrepaired.length, `unrepaired (${reasons.join(', ')})`],
    [observed, 'drifted'],
    [counts.converging, 'converging'],
    [counts.healed, 'healed'],
    [counts.created, 'created'],
  ];
  return phrases.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`);
}

/** The verdict's word, as the summary line starts with it. */
const VERDICT_WORDS: Record<PassVerdict, string> = {
  converged: 'Converged',
  converging: 'Converging',
  changesPending: 'Plan',
  drifted: 'Drifted (observe mode)',
  unrepaired: 'Cannot converge',
  failed: 'Failed',
  unknown: 'AWS could not be read',
  skipped: 'Skipped',
  interrupted: 'Interrupted',
};

/** Where an interrupted pass was when it stopped, as its summary line says it. */
const STAGE_WORDS: Record<PassStage, string> = {
  observe: 'while reading AWS',
  converge: 'while changing AWS',
  wiring: 'before the wiring checks',
  record: 'at the end',
};

/**
 * `switched on` / `switched off` for a Maintenance whose pass switched it (its first diff line is
 * `maintenance: off -> on ...` or `on -> off`): a switch is no repair, and the reports say so.
 */
export function maintenanceSwitchWord(r: Pick<ResourceReport, 'kind' | 'outcome' | 'drift'>): 'switched on' | 'switched off' | undefined {
  const m = r.kind === 'Maintenance' && (r.outcome === 'healed' || r.outcome === 'converging') ? r.drift[0] : undefined;
  if (m?.path !== 'maintenance') return undefined;
  if (m.before === 'off' && m.after?.startsWith('on')) return 'switched on';
  if (m.before === 'on' && m.after === 'off') return 'switched off';
  return undefined;
}

/**
 * The one-line summary, the first thing a person reads of a pass, in the words of its verdict (the
 * same verdict the exit code, the Lambda's `ok` and the metrics carry):
 * `Converging: 2 registered, 1 created, 1 migration run. 1 converging, 1 healed, 2 created.`,
 * `Plan: 1 to register, 1 to update.`, `Cannot converge: nothing changed. 1 unrepaired (conflict).`,
 * `AWS could not be read: no credentials were found (...). Nothing was planned.`,
 * `Skipped: lease for environment shop-prod is held by ... until ...; nothing was done.`,
 * `Interrupted while changing AWS: the pass ran out of time. 1 registered. 2 converging.`,
 * `No changes. 3 resources in sync.` when there is nothing to do.
 */
export function summaryLine(report: Report): string {
  if (report.verdict === 'skipped') return `Skipped: ${report.error ?? 'the pass did not run'}; nothing was done.`;
  if (report.outcome === 'failed') return `Failed: ${report.error ?? 'the pass could not run'}`;
  const problems = outcomePhrases(report);
  const tail = problems.length ? ` ${problems.join(', ')}.` : '';
  const plan = report.kind === 'plan';
  const changes = actionPhrases(plan ? report.counts.planned : report.counts.done, plan ? 'planned' : 'done');
  const body = changes.length ? `${changes.join(', ')}.` : plan ? 'no changes.' : 'nothing changed.';
  if (report.verdict === 'interrupted' && report.interrupted) {
    const { stage, message } = report.interrupted;
    if (stage === 'observe') return `Interrupted ${STAGE_WORDS[stage]}: ${message}. Nothing was ${plan ? 'planned' : 'changed'}.`;
    return `Interrupted ${STAGE_WORDS[stage]}: ${message}. ${plan ? 'Plan' : 'Done'}: ${body}${tail}`;
  }
  if (report.verdict === 'unknown') {
    const said = `AWS could not be read: ${report.causes.map((c) => c.text).join('; ') || 'see the resources below'}.`;
    const rest = report.counts.resources;
    const onlyUnknown = changes.length === 0 && rest.failed + rest.unrepaired + rest.converging + rest.healed + rest.created + rest.wouldChange === 0;
    if (onlyUnknown) return `${said} Nothing was ${plan ? 'planned' : 'changed'}${rest.synced > 0 ? ` (${rest.synced} of ${rest.synced + rest.unknown} resources read and in sync)` : ''}.`;
    return `${said} ${plan ? 'Plan' : 'Then'}: ${body}${tail}`;
  }
  if ((report.verdict === 'converged' || report.verdict === 'converging') && changes.length === 0) {
    if (problems.length === 0) return noChanges(report);
    return `${VERDICT_WORDS[report.verdict]}: ${body}${tail}`;
  }
  return `${VERDICT_WORDS[report.verdict]}: ${body}${tail}`;
}

/**
 * A note for the summary line when nothing could be changed and the line does not say so already
 * (` Observe mode: nothing was changed.`), for Slack and email.
 */
export function heldNote(report: Report): string {
  if (report.kind !== 'plan' || report.verdict === 'drifted' || report.verdict === 'unknown') return '';
  return report.held === 'observe' ? ' Observe mode: nothing was changed.' : ' Nothing was changed.';
}

/** What to do about each cause of failed reads, one sentence each (the summary line names the causes). */
export function adviceLines(report: Report): string[] {
  return report.causes.map((c) => c.advice);
}

function noChanges(report: Report): string {
  const n = report.counts.resources.synced;
  return `No changes. ${plural(n, 'resource')} in sync.`;
}
