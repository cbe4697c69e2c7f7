/**
 * The summary block that `plan`, `reconcile`, `verify` and `status` print first when they show
 * several environments: one line per environment, aligned, with its name, what its pass (or its
 * wiring, or its last recorded pass) came to in a word or two, and counts, e.g.
 *
 *     shop-prod      converged   12 in sync, 1 healed
 *     messaging-prod unknown     6 not read (access denied)
 *
 * The demo, whose environments live in two accounts, adds where each lives as a column after the
 * name (`account 210987654321 (role steady-target)`).
 *
 * The details of each environment follow it. With one environment the block is left out: that
 * environment's own first line (`shop-prod: Converged: ...`) is already its summary line, and
 * saying it twice would only push the details down.
 */
import type { AwsCauseKind } from '../model/causes.js';
import { RESOURCE_OUTCOMES, type PassVerdict, type ResourceOutcome } from '../model/outcome.js';
import type { Phase } from '../model/plan.js';
import type { Report } from '../report/index.js';
import type { WiringResult } from '../wiring/index.js';
import type { Output } from './output.js';

/** One environment's line: its name, its verdict in a word or two, and what there is to count. */
export interface SummaryRow {
  environment: string;
  /** Where the environment lives, when the caller says it (`account 210987654321 (role steady-target)`): a column after the name. */
  account?: string;
  verdict: string;
  /** Counts and, where one explains the verdict, its cause. */
  detail: string;
  /** Whether the verdict is good news (green), bad (red) or neither (yellow), for a terminal. */
  tone: 'good' | 'bad' | 'neutral';
}

/** A pass's verdict as the summary block says it (short: it is a column). */
export const VERDICT_COLUMN: Record<PassVerdict, string> = {
  converged: 'converged',
  converging: 'converging',
  changesPending: 'changes pending',
  drifted: 'drifted',
  unrepaired: 'unrepaired',
  failed: 'failed',
  unknown: 'unknown',
  skipped: 'skipped',
  interrupted: 'interrupted',
};

const VERDICT_TONE: Record<PassVerdict, SummaryRow['tone']> = {
  converged: 'good',
  converging: 'good',
  changesPending: 'neutral',
  drifted: 'neutral',
  unrepaired: 'bad',
  failed: 'bad',
  unknown: 'bad',
  skipped: 'neutral',
  interrupted: 'neutral',
};

const OUTCOME_COUNT_WORDS: Record<ResourceOutcome, string> = {
  synced: 'in sync',
  created: 'created',
  healed: 'healed',
  converging: 'converging',
  wouldChange: 'would change',
  unrepaired: 'unrepaired',
  unknown: 'not read',
  failed: 'failed',
};

/** In sync first, as a person reads a healthy environment; the rest in the report's order reversed. */
const COUNT_ORDER = [...RESOURCE_OUTCOMES].reverse();

/** `12 in sync, 1 healed`: the resource outcomes of a report that are not zero. */
export function outcomeCounts(counts: Record<ResourceOutcome, number>): string {
  return COUNT_ORDER.filter((o) => counts[o] > 0)
    .map((o) => `${counts[o]} ${OUTCOME_COUNT_WORDS[o]}`)
    .join(', ');
}

/** Causes of failed reads in a word or two: the block names them, the details below say them in full, once. */
const CAUSE_WORDS: Record<AwsCauseKind, string> = {
  noCredentials: 'no credentials',
  credentialsRejected: 'credentials rejected',
  unreachable: 'AWS unreachable',
  accessDenied: 'access denied',
  throttled: 'throttled',
  serverError: 'AWS server error',
  other: 'AWS error',
};

/**
 * The summary line of one pass (`plan`, `reconcile`): verdict and counts; the kinds of cause when
 * AWS could not be read (in full in the details, once), or why the pass did not run or stopped.
 */
export function passSummaryRow(report: Report): SummaryRow {
  const counts = outcomeCounts(report.counts.resources);
  const kinds = [...new Set(report.causes.map((c) => CAUSE_WORDS[c.kind]))].join(', ');
  const why = report.verdict === 'unknown' ? kinds : report.verdict === 'interrupted' ? report.interrupted?.message : ['failed', 'skipped'].includes(report.verdict) ? report.error : undefined;
  const detail = counts && why ? `${counts} (${why})` : counts || why || 'no resources';
  return { environment: report.environment, verdict: VERDICT_COLUMN[report.verdict], detail, tone: VERDICT_TONE[report.verdict] };
}

/** The summary line of `verify` for one environment: ready, degraded (a link is broken) or unknown (only unread links), with its services counted. */
export function wiringSummaryRow(environment: string, results: WiringResult[]): SummaryRow {
  const degraded = results.filter((r) => r.condition.type !== 'Ready');
  const broken = degraded.some((r) => r.links.some((l) => l.status === 'broken'));
  const verdict = degraded.length === 0 ? 'ready' : broken ? 'degraded' : 'unknown';
  const where = degraded.map((r) => (r.firstBroken ? `${r.service} at ${r.firstBroken}` : r.service)).join(', ');
  const detail = results.length === 0 ? 'nothing to check' : `${results.length - degraded.length} Ready, ${degraded.length} Degraded${where ? ` (${where})` : ''}`;
  return { environment, verdict, detail, tone: degraded.length === 0 ? 'good' : 'bad' };
}

const PHASE_ORDER: Phase[] = ['Synced', 'Progressing', 'Drifted', 'Blocked', 'Failed'];

/** The summary line of `status` for one environment: the verdict of its last recorded pass, and its resources counted by phase. */
export function statusSummaryRow(environment: string, lastVerdict: PassVerdict | undefined, phases: Phase[]): SummaryRow {
  const counts = PHASE_ORDER.map((p) => [p, phases.filter((x) => x === p).length] as const)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${n} ${p}`)
    .join(', ');
  return { environment, verdict: lastVerdict ? VERDICT_COLUMN[lastVerdict] : 'no verdict', detail: counts || 'no resources', tone: lastVerdict ? VERDICT_TONE[lastVerdict] : 'neutral' };
}

/** The block's lines, aligned in columns; none for fewer than two environments (see above). */
export function summaryLines(rows: SummaryRow[], color: Output['color']): string[] {
  if (rows.length < 2) return [];
  const nameWidth = Math.max(...rows.map((r) => r.environment.length));
  const verdictWidth = Math.max(...rows.map((r) => r.verdict.length));
  const accountWidth = Math.max(...rows.map((r) => r.account?.length ?? 0));
  const paint = { good: color.green, bad: color.red, neutral: color.yellow };
  const where = (r: SummaryRow) => (accountWidth > 0 ? `${(r.account ?? '').padEnd(accountWidth)}  ` : '');
  return rows.map((r) => `${color.bold(r.environment.padEnd(nameWidth))}  ${where(r)}${paint[r.tone](r.verdict.padEnd(verdictWidth))}  ${r.detail}`);
}

/** Prints the block and a blank line after it, when there is a block. */
export function printSummary(out: Output, rows: SummaryRow[]): void {
  const lines = summaryLines(rows, out.color);
  if (lines.length === 0) return;
  for (const line of lines) out.line(line);
  out.line();
}
