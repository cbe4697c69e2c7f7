/**
 * The report as `steady plan` and `steady reconcile` print it: one block per resource that needs
 * attention, most urgent first, with Terraform's symbols (`+` create, `~` change, `!` blocked or
 * failed), aligned columns, field-level before -> after, each action with how it went, and a
 * summary line. Colour only when asked (a terminal); plain text otherwise.
 */
import pc from 'picocolors';
import { formatDuration, formatTime, plural, shortCommit, shownValue } from './format.js';
import { summaryLine, type Report, type ReportAction, type ResourceOutcome, type ResourceReport } from './model.js';

export interface RenderOptions {
  /** ANSI colours (for a terminal). */
  color: boolean;
  /** Columns to fit lines into (default 100); long values move to lines of their own. */
  width?: number;
  /** Also list the resources that are in sync. */
  showSynced?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

const OUTCOME_WORDS: Record<ResourceOutcome, string> = {
  failed: 'failed',
  blocked: 'blocked',
  drifted: 'drifted',
  wouldChange: 'would change',
  progressing: 'in progress',
  healed: 'healed',
  synced: 'in sync',
};

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
  if (r.outcome === 'failed' || r.outcome === 'blocked') return '!';
  if (r.outcome === 'synced') return '=';
  return r.change === 'create' ? '+' : '~';
}

function paint(c: Colors, outcome: ResourceOutcome, text: string): string {
  switch (outcome) {
    case 'failed':
      return c.red(text);
    case 'blocked':
    case 'drifted':
    case 'wouldChange':
    case 'progressing':
      return c.yellow(text);
    case 'healed':
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
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - indent.length) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`));
}

function detailOf(r: ResourceReport): string {
  switch (r.outcome) {
    case 'failed':
      return r.awsName ?? r.reason;
    case 'blocked':
    case 'drifted':
    case 'progressing':
      return r.reason;
    case 'healed':
      return r.timeToHealMs !== undefined ? `in ${formatDuration(r.timeToHealMs)}` : '';
    default:
      return '';
  }
}

function diffLines(r: ResourceReport, c: Colors, width: number): string[] {
  return r.drift.flatMap((d) => {
    const before = shownValue(d.before);
    const after = shownValue(d.after);
    const oneLine = `${INDENT}${d.path}: ${before} -> ${after}`;
    if (oneLine.length <= width) return [`${INDENT}${d.path}: ${c.red(before)} ${c.dim('->')} ${c.green(after)}`];
    return [`${INDENT}${d.path}`, `${INDENT}    ${c.red(before)}`, `${INDENT} ${c.dim('->')} ${c.green(after)}`];
  });
}

function actionLines(a: ReportAction, c: Colors, width: number): string[] {
  const hang = INDENT + ' '.repeat(ACTION_COLUMN);
  const word = paintAction(c, a.state, ACTION_WORDS[a.state].padEnd(ACTION_COLUMN));
  const lines = [`${INDENT}${word}${a.summary}`];
  if (a.message && a.state !== 'done' && a.state !== 'held') {
    const why = a.awsName && !a.message.includes(a.awsName) ? `${a.awsName}: ${a.message}` : a.message;
    lines.push(...wrap(why, width, hang).map((l, i) => (i === 0 ? `${hang}${c.dim(l)}` : c.dim(l))));
  }
  return lines;
}

function resourceBlock(r: ResourceReport, c: Colors, width: number, nameWidth: number, wordWidth: number): string[] {
  const word = OUTCOME_WORDS[r.outcome];
  const detail = detailOf(r);
  const head = `${paint(c, r.outcome, symbolOf(r))} ${c.bold(r.resource.padEnd(nameWidth))}  ${paint(c, r.outcome, detail ? word.padEnd(wordWidth) : word)}${detail ? `  ${detail}` : ''}`;
  const lines = [head.trimEnd()];
  // A resource held back by the change budget says only what the heading already says.
  const budgetOnly = r.reason === 'ChangeBudgetExceeded';
  const saysWhy = !budgetOnly && (r.outcome === 'failed' || r.outcome === 'blocked' || (r.outcome === 'drifted' && r.actions.length === 0) || r.outcome === 'progressing');
  if (saysWhy && r.message) lines.push(...wrap(r.message, width, INDENT).map((l, i) => (i === 0 ? `${INDENT}${l}` : l)));
  lines.push(...diffLines(r, c, width));
  for (const a of r.actions) lines.push(...actionLines(a, c, width));
  for (const n of r.notes) lines.push(...wrap(`note: ${n}`, width, `${INDENT}      `).map((l, i) => c.dim(i === 0 ? `${INDENT}${l}` : l)));
  return lines;
}

function heading(report: Report, c: Colors, width: number): string[] {
  const parts = [c.bold(report.environment)];
  if (report.specVersion) parts.push(`spec ${shortCommit(report.specVersion)}`);
  parts.push(formatTime(report.startedAt), formatDuration(report.finishedAt - report.startedAt), plural(report.apiCalls, 'API call'));
  const lines = [parts.join(c.dim(' · '))];
  if (report.kind === 'plan') {
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
    lines.push(...wrap(anything ? `${why} This is what steady would do:` : why, width, '').map((l) => c.yellow(l)));
  }
  return lines;
}

/**
 * Renders a report for a terminal.
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
  const wordWidth = Math.max(0, ...shown.map((r) => OUTCOME_WORDS[r.outcome].length));
  const out = [...heading(report, c, width), ''];
  for (const r of shown.filter((x) => x.outcome !== 'synced')) out.push(...resourceBlock(r, c, width, nameWidth, wordWidth), '');
  // Resources in sync say one line each: keep them together.
  const synced = shown.filter((x) => x.outcome === 'synced');
  for (const r of synced) out.push(...resourceBlock(r, c, width, nameWidth, wordWidth));
  if (synced.length > 0) out.push('');
  const summary = summaryLine(report);
  const bad = report.outcome !== 'ok' || report.counts.resources.failed > 0;
  out.push(c.bold(bad ? c.red(summary) : summary));
  return `${out.join('\n')}\n`;
}

/**
 * The report for `--output json`: the report model itself, whole (digests are not shortened),
 * with the summary line people would have read.
 */
export function renderReportJson(report: Report): string {
  return `${JSON.stringify({ ...report, summary: summaryLine(report) }, null, 2)}\n`;
}
