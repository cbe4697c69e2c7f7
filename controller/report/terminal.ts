/**
 * The report as `steady plan` and `steady reconcile` print it: first the summary line (the pass's
 * verdict in words, what the exit code says too) and, when AWS could not be read, each cause once
 * with what to do about it; then one block per resource that needs attention, most urgent first,
 * with Terraform's symbols (`+` create, `~` change, `!` failed or not repaired, `?` not read),
 * aligned columns, field-level before -> after and each action with how it went. Colour only when
 * asked (a terminal); plain text otherwise.
 */
import pc from 'picocolors';
import type { FieldDiff } from '../model/plan.js';
import { formatDuration, formatTime, plural, shortCommit, shownValue } from './format.js';
import { maintenanceSwitchWord, REPAIR_BLOCK_WORDS, summaryLine, type Report, type ReportAction, type ResourceOutcome, type ResourceReport } from './model.js';

export interface RenderOptions {
  /** ANSI colours (for a terminal). */
  color: boolean;
  /** Columns to fit lines into (default 100); long values move to lines of their own. */
  width?: number;
  /** Also list the resources that are in sync. */
  showSynced?: boolean;
  /**
   * The causes of failed reads were printed already, above several environments' reports (they
   * shared them): say "as above" instead of repeating them.
   */
  causesSaidAbove?: boolean;
}

export type Colors = ReturnType<typeof pc.createColors>;

const OUTCOME_WORDS: Record<ResourceOutcome, string> = {
  failed: 'failed',
  unknown: 'not read',
  unrepaired: 'unrepaired',
  wouldChange: 'would change',
  converging: 'converging',
  healed: 'healed',
  created: 'created',
  synced: 'in sync',
};

/** The word a resource's line leads with: what left alone in observe mode is, is drifted. */
function wordOf(r: ResourceReport): string {
  if (r.outcome === 'unrepaired' && r.blockedBy === 'observe') return 'drifted';
  return maintenanceSwitchWord(r) ?? OUTCOME_WORDS[r.outcome];
}

const ACTION_WORDS: Record<ReportAction['state'], string> = {
  done: 'done',
  failed: 'failed',
  blocked: 'blocked',
  held: 'would',
  pending: 'pending',
  notRun: 'not run',
};
const ACTION_COLUMN = 9;
const INDENT = '    ';

function symbolOf(r: ResourceReport): string {
  if (r.outcome === 'unknown') return '?';
  if (r.outcome === 'failed' || (r.outcome === 'unrepaired' && r.blockedBy !== 'observe')) return '!';
  if (r.outcome === 'synced') return '=';
  return r.change === 'create' ? '+' : '~';
}

function paint(c: Colors, outcome: ResourceOutcome, text: string): string {
  switch (outcome) {
    case 'failed':
    case 'unknown':
      return c.red(text);
    case 'unrepaired':
    case 'wouldChange':
    case 'converging':
      return c.yellow(text);
    case 'healed':
    case 'created':
      return c.green(text);
    case 'synced':
      return c.dim(text);
  }
}

function paintAction(c: Colors, state: ReportAction['state'], text: string): string {
  if (state === 'done') return c.green(text);
  if (state === 'failed') return c.red(text);
  if (state === 'notRun') return c.dim(text);
  return c.yellow(text);
}

/** Words of `text` filled into lines of at most `width` columns, every line after the first indented. */
function wrap(text: string, width: number, indent: string): string[] {
  return wrapWords(text.split(/\s+/).filter(Boolean), width, indent);
}

/** {@link wrap} over words given: a word may hold spaces (`(spec: shop-api:latest)` stays whole). */
function wrapWords(words: string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width - indent.length) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`));
}

function detailOf(r: ResourceReport, report: Report): string {
  switch (r.outcome) {
    case 'failed':
      return r.awsName ?? r.reason;
    case 'unknown': {
      // The cause is said once at the top; here only what could not be read (and, when causes differ, which).
      const kinds = report.causes.length > 1;
      return (r.unread ?? []).map((u) => `${u.what}${kinds && u.cause ? ` (${CAUSE_WORDS[u.cause]})` : ''}`).join('; ');
    }
    case 'unrepaired':
      return r.reason;
    case 'converging':
      return r.reason;
    case 'healed':
      return r.timeToHealMs !== undefined ? `in ${formatDuration(r.timeToHealMs)}` : '';
    default:
      return '';
  }
}

const CAUSE_WORDS: Record<string, string> = {
  noCredentials: 'no credentials',
  credentialsRejected: 'credentials rejected',
  unreachable: 'unreachable',
  accessDenied: 'access denied',
  throttled: 'throttled',
  serverError: 'server error',
  other: 'error',
};

/** Field diffs, one line each (`path: before -> after`), or three when that is wider than `width`. */
export function fieldDiffLines(diff: FieldDiff[], c: Colors, width: number): string[] {
  return diff.flatMap((d) => {
    const before = shownValue(d.before);
    // A pinned image names the tag the spec wrote beside its digest: `shop-api@sha256:589d… (spec: shop-api:latest)`.
    const spec = d.specValue ? `(spec: ${d.specValue.slice(d.specValue.lastIndexOf('/') + 1)})` : undefined;
    const after = `${shownValue(d.after)}${spec ? ` ${spec}` : ''}`;
    const oneLine = `${INDENT}${d.path}: ${before} -> ${after}`;
    if (oneLine.length <= width) return [`${INDENT}${d.path}: ${c.red(before)} ${c.dim('->')} ${c.green(after)}`];
    // Three lines; a value wider than the line goes on at its words, indented under itself.
    const value = (words: string[], lead: string, paint: (s: string) => string) =>
      wrapWords(words, width, `${INDENT}    `).map((l, i) => (i === 0 ? `${lead}${paint(l)}` : paint(l)));
    const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean);
    return [`${INDENT}${d.path}`, ...value(wordsOf(before), `${INDENT}    `, c.red), ...value([...wordsOf(shownValue(d.after)), ...(spec ? [spec] : [])], `${INDENT} ${c.dim('->')} `, c.green)];
  });
}

function actionLines(a: ReportAction, c: Colors, width: number): string[] {
  const hang = INDENT + ' '.repeat(ACTION_COLUMN);
  const word = paintAction(c, a.state, ACTION_WORDS[a.state].padEnd(ACTION_COLUMN));
  const lines = wrap(a.summary, width, hang).map((l, i) => (i === 0 ? `${INDENT}${word}${l}` : l));
  if (a.message && a.state !== 'done' && a.state !== 'held') {
    const why = a.awsName && !a.message.includes(a.awsName) ? `${a.awsName}: ${a.message}` : a.message;
    lines.push(...wrap(why, width, hang).map((l, i) => (i === 0 ? `${hang}${c.dim(l)}` : c.dim(l))));
  }
  return lines;
}

function resourceBlock(r: ResourceReport, report: Report, c: Colors, width: number, nameWidth: number, wordWidth: number): string[] {
  const word = wordOf(r);
  const unread = r.outcome === 'unknown' ? detailOf(r, report) : '';
  const detail = r.outcome === 'unknown' ? '' : detailOf(r, report);
  const head = `${paint(c, r.outcome, symbolOf(r))} ${c.bold(r.resource.padEnd(nameWidth))}  ${paint(c, r.outcome, detail ? word.padEnd(wordWidth) : word)}${detail ? `  ${detail}` : ''}`;
  const lines = [head.trimEnd()];
  // Why it could not be read is said once at the top of the report: here only what.
  if (r.outcome === 'unknown') {
    if (unread) lines.push(...wrap(unread, width, INDENT).map((l, i) => (i === 0 ? `${INDENT}${l}` : l)));
    return lines;
  }
  // A resource held back by the change budget says only what the heading already says.
  const budgetOnly = r.reason === 'ChangeBudgetExceeded';
  const saysWhy =
    !budgetOnly && (r.outcome === 'failed' || (r.outcome === 'unrepaired' && (r.blockedBy !== 'observe' || r.actions.length === 0)) || r.outcome === 'converging');
  if (saysWhy && r.message) lines.push(...wrap(r.message, width, INDENT).map((l, i) => (i === 0 ? `${INDENT}${l}` : l)));
  lines.push(...fieldDiffLines(r.drift, c, width));
  for (const a of r.actions) lines.push(...actionLines(a, c, width));
  for (const n of r.notes) lines.push(...wrap(`note: ${n}`, width, `${INDENT}      `).map((l, i) => c.dim(i === 0 ? `${INDENT}${l}` : l)));
  return lines;
}

/** Each cause of failed reads with its advice, when the summary line does not say them already. */
function causeLines(report: Report, c: Colors, width: number, saidAbove: boolean): string[] {
  if (report.causes.length === 0 || saidAbove) return [];
  const lines: string[] = [];
  if (report.verdict !== 'unknown') lines.push(...wrap(`Some reads failed: ${report.causes.map((x) => x.text).join('; ')}.`, width, '').map((l) => c.yellow(l)));
  for (const cause of report.causes) lines.push(...wrap(cause.advice, width, INDENT).map((l, i) => (i === 0 ? `${INDENT}${l}` : l)));
  return lines;
}

/** The first line: the environment and the summary line (or, when the causes were said above, a short form). */
function firstLine(report: Report, saidAbove: boolean): string {
  const summary = summaryLine(report);
  if (saidAbove && report.verdict === 'unknown') return `${report.environment}: ${summary.replace(/^AWS could not be read: .*?\. (Nothing was|Plan:|Then:)/, 'AWS could not be read (as above). $1')}`;
  return `${report.environment}: ${summary}`;
}

function heading(report: Report, c: Colors, width: number, saidAbove: boolean): string[] {
  const bad = report.verdict === 'failed' || report.verdict === 'unknown' || report.verdict === 'unrepaired';
  const first = firstLine(report, saidAbove);
  // One line, however long: it is what a person (and `head -1`) reads first.
  const lines = [c.bold(bad ? c.red(first) : first)];
  lines.push(...causeLines(report, c, width, saidAbove));
  const parts: string[] = [];
  if (report.specVersion) parts.push(`spec ${shortCommit(report.specVersion)}`);
  parts.push(formatTime(report.startedAt), formatDuration(report.finishedAt - report.startedAt), plural(report.apiCalls, 'API call'));
  lines.push(c.dim(`${INDENT}${parts.join(' · ')}`));
  // "Nothing was planned" says it already.
  if (report.kind === 'plan' && !(report.verdict === 'unknown' && report.resources.every((r) => r.actions.length === 0))) {
    const why =
      report.held === 'dryRun'
        ? 'Dry run: nothing was changed.'
        : report.held === 'observe'
          ? 'Observe mode: steady reports and changes nothing.'
          : report.held === 'changeBudget' && report.heldBecause
            ? `Change budget exceeded: ${report.heldBecause}.`
            : report.held === 'changeBudget' && report.budget
              ? `Change budget exceeded: the plan changes ${report.budget.used} resources, the limit is ${report.budget.limit}; nothing was changed.`
              : 'Nothing was changed.';
    const anything = report.resources.some((r) => r.actions.length > 0);
    // A plan over the budget: a reconcile would not apply it either, and says so.
    const budget =
      report.held === 'dryRun' && report.budget?.exceeded && report.mode !== 'observe'
        ? ` The plan changes ${report.budget.used} resources, more than the change budget of ${report.budget.limit}: a reconcile would change nothing.`
        : '';
    lines.push(...wrap(anything ? `${why}${budget} This is what steady would do:` : `${why}${budget}`, width, '').map((l) => c.yellow(l)));
  }
  return lines;
}

/**
 * Renders a report for a terminal. The first line is the environment and the summary line.
 *
 * @example
 * const text = renderReport(buildReport(result), { color: process.stdout.isTTY === true, width: process.stdout.columns });
 * process.stdout.write(text);
 */
export function renderReport(report: Report, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const width = Math.max(40, options.width ?? 100);
  const shown = report.resources.filter((r) => options.showSynced || r.outcome !== 'synced');
  const nameWidth = Math.max(0, ...shown.map((r) => r.resource.length));
  const wordWidth = Math.max(0, ...shown.map((r) => wordOf(r).length));
  const out = [...heading(report, c, width, options.causesSaidAbove === true)];
  const problems = shown.filter((x) => x.outcome !== 'synced');
  if (problems.length > 0) out.push('');
  for (const r of problems) out.push(...resourceBlock(r, report, c, width, nameWidth, wordWidth), '');
  // Resources in sync say one line each: keep them together.
  const synced = shown.filter((x) => x.outcome === 'synced');
  if (synced.length > 0 && problems.length === 0) out.push('');
  for (const r of synced) out.push(...resourceBlock(r, report, c, width, nameWidth, wordWidth));
  if (synced.length > 0) out.push('');
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

/**
 * The report for `--output json`: the report model itself, whole (digests are not shortened),
 * with the summary line people would have read.
 */
export function renderReportJson(report: Report): string {
  return `${JSON.stringify({ ...report, summary: summaryLine(report) }, null, 2)}\n`;
}
