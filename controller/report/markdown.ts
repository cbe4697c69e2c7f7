/**
 * Reports as GitHub-flavoured Markdown, for a pull-request comment or a GitHub Actions job summary
 * (`steady plan --output markdown`, `steady diff --output markdown`): a headline that says what
 * changes, what is blocked and what the exit code means; one collapsible `<details>` per resource
 * that changes, with its field diff as a table; resources in sync only counted. It renders the
 * same redacted report as every other output. A long document is cut, whole resources at a time,
 * with a count of what was left out, so that it fits in one comment (65,536 characters).
 *
 * Everything that comes from specs or AWS is escaped: values go into code spans (a `|` escaped for
 * the table), text into HTML-escaped, Markdown-escaped prose, so nothing in a name, a message or a
 * value can open a tag, a link or a table cell.
 */
import { escapeHtml } from './email.js';
import { formatTime, plural, shortCommit, shownValue } from './format.js';
import { REPAIR_BLOCK_WORDS, summaryLine, type Report, type ReportAction, type ResourceReport } from './model.js';
import type { FieldDiff } from '../model/plan.js';
import type { PassVerdict } from '../model/outcome.js';

/** GitHub's limit for a pull-request comment (and the body of an issue). */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** A value longer than this is shown cut, with how much was left out. */
const MAX_VALUE = 300;
/** Fields of one resource shown before the rest are counted. */
const MAX_FIELDS = 40;

// ------------------------------------------------------------------------------------ escaping

/** Text as a code span: never interpreted, one line, and safe inside a table cell. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ⏎ ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Prose for Markdown, on one line: `&` and `<` as entities (no tag, no entity can start), the
 * punctuation of emphasis, links, code and tables backslash-escaped, and a line-start that would
 * open a list, heading or quote escaped.
 */
export function text(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/^(\s*)([-=+#>])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** A value as a table cell shows it: a code span, or *(none)*, cut when long. */
function cell(value: string | undefined): string {
  if (value === undefined) return '*(none)*';
  const shown = shownValue(value);
  return code(shown.length > MAX_VALUE ? `${shown.slice(0, MAX_VALUE)}… (${shown.length - MAX_VALUE} more characters)` : shown);
}

/** A field diff as a table (the first {@link MAX_FIELDS} rows, then a count of the rest). */
export function diffTable(diff: FieldDiff[]): string[] {
  if (diff.length === 0) return [];
  const rows = diff.slice(0, MAX_FIELDS).map((d) => `| ${code(d.path)} | ${cell(d.before)} | ${cell(d.after)} |`);
  const more = diff.length > MAX_FIELDS ? [``, `…and ${plural(diff.length - MAX_FIELDS, 'more field')}.`] : [];
  return ['| field | before | after |', '| --- | --- | --- |', ...rows, ...more];
}

/** A collapsible section: its one-line summary (HTML), then Markdown. */
export function details(summary: string, body: string[], open = false): string {
  return [`<details${open ? ' open' : ''}>`, `<summary>${summary}</summary>`, '', ...body, '', '</details>'].join('\n');
}

// ------------------------------------------------------------------------------------ fitting

/** A part of a document: its text, and what it stands for when it has to be left out. */
export interface Section {
  heading: string;
  /** The resources of the section, most important first; each is kept or left out whole. */
  blocks: string[];
  /** After the blocks (resources in sync, ...). */
  footer?: string;
}

/**
 * Puts a document together within `limit` characters: the head and every section's heading and
 * footer always, then as many blocks as fit, in order, each left-out block counted in a line of its
 * section (`…and 1,812 more resources not shown: run steady plan for the whole plan.`).
 */
export function fitDocument(head: string, sections: Section[], tail: string, limit: number, leftOut: (n: number) => string): string {
  const fixed = head.length + tail.length + sections.reduce((n, s) => n + s.heading.length + (s.footer?.length ?? 0) + 4, 0);
  // Room for the lines that say what was left out, should any be.
  const reserve = sections.length * (leftOut(999_999).length + 4);
  let room = limit - fixed - reserve;
  const kept: string[][] = sections.map(() => []);
  let full = false;
  sections.forEach((s, i) => {
    for (const block of s.blocks) {
      if (full || block.length + 2 > room) {
        full = true;
        continue;
      }
      kept[i].push(block);
      room -= block.length + 2;
    }
  });
  const parts = [head];
  sections.forEach((s, i) => {
    const missing = s.blocks.length - kept[i].length;
    parts.push([s.heading, ...kept[i], ...(missing > 0 ? [leftOut(missing)] : []), ...(s.footer ? [s.footer] : [])].join('\n\n'));
  });
  parts.push(tail);
  return `${parts.filter(Boolean).join('\n\n').trimEnd()}\n`;
}

// ------------------------------------------------------------------------------------ plan

export interface PlanMarkdownOptions {
  /** `steady plan`'s exit code, said in the headline. */
  exitCode: number;
  /** Where the plan looked: `AWS`, or the simulated account. */
  target?: string;
  /** The most characters the document may have (default {@link GITHUB_COMMENT_LIMIT}). */
  limit?: number;
}

const VERDICT_WORDS: Record<PassVerdict, string> = {
  converged: 'no changes',
  converging: 'no changes',
  changesPending: 'changes pending',
  drifted: 'drifted (observe mode: reported, never changed)',
  unrepaired: 'cannot converge',
  failed: 'failed',
  unknown: 'AWS could not be read',
  skipped: 'skipped',
  interrupted: 'interrupted (stopped before it finished)',
};

/** What `steady plan`'s exit code means, for the headline. */
export function planExitMeaning(code: number): string {
  if (code === 0) return 'exit 0: no changes, and every resource was read';
  if (code === 2) return 'exit 2: changes pending, which a merge (the next reconcile) would make';
  return 'exit 1: an error: something cannot be brought to its spec, or AWS could not be read';
}

const blocked = (r: ResourceReport) => r.outcome === 'failed' || r.outcome === 'unknown' || (r.outcome === 'unrepaired' && r.blockedBy !== 'observe');

function symbolOf(r: ResourceReport): string {
  if (r.outcome === 'unknown') return '?';
  if (blocked(r)) return '!';
  return r.change === 'create' ? '+' : '~';
}

function outcomeWords(r: ResourceReport): string {
  switch (r.outcome) {
    case 'unrepaired':
      return r.blockedBy === 'observe' ? 'drifted (observe mode)' : `blocked: ${REPAIR_BLOCK_WORDS[r.blockedBy ?? 'none']}`;
    case 'unknown':
      return 'not read';
    case 'wouldChange':
      return r.change === 'create' ? 'would create' : 'would change';
    default:
      return r.outcome;
  }
}

const ACTION_WORDS: Record<ReportAction['state'], string> = { done: 'done', failed: 'failed', blocked: 'blocked', held: 'would', pending: 'pending', notRun: 'not run' };

function resourceBlock(r: ResourceReport): string {
  const fields = r.drift.length > 0 ? plural(r.drift.length, 'field') : undefined;
  const actions = r.actions.length > 0 ? plural(r.actions.length, 'action') : undefined;
  const what = [outcomeWords(r), fields, actions].filter(Boolean).join(' · ');
  const summary = `<code>${symbolOf(r)} ${escapeHtml(r.resource)}</code> ${escapeHtml(what)}`;
  const body: string[] = [];
  const why = blocked(r) || r.outcome === 'converging' ? r.message : '';
  if (why) body.push(`> ${text(r.reason)}: ${text(why)}`, '');
  if (r.unread?.length) body.push(`Not read: ${text(r.unread.map((u) => u.what).join('; '))}`, '');
  body.push(...diffTable(r.drift));
  if (r.actions.length > 0) {
    if (r.drift.length > 0) body.push('');
    for (const a of r.actions) body.push(`- **${ACTION_WORDS[a.state]}** ${text(a.summary)}${a.message && a.state !== 'held' && a.state !== 'done' ? ` — ${text(a.message)}` : ''}`);
  }
  for (const n of r.notes) body.push('', `*note:* ${text(n)}`);
  return details(summary, body, blocked(r));
}

/** The resources a reviewer reads: those that change or cannot, not runtime health (that is `steady verify`). */
function shownResources(report: Report): ResourceReport[] {
  return report.resources.filter((r) => r.kind !== 'Wiring' && r.outcome !== 'synced');
}

function environmentSection(report: Report): Section {
  const shown = shownResources(report);
  const synced = report.counts.resources.synced;
  const meta = [report.specVersion ? `spec ${code(shortCommit(report.specVersion))}` : undefined, formatTime(report.startedAt), plural(report.apiCalls, 'API call')].filter(Boolean).join(' · ');
  const heading = [`### ${text(report.environment)}`, '', `**${text(summaryLine(report))}**`, '', `<sub>${meta}</sub>`];
  if (report.held === 'changeBudget' && report.heldBecause) heading.push('', `> Change budget exceeded: ${text(report.heldBecause)}`);
  for (const c of report.causes) heading.push('', `> ${text(c.text)}. ${text(c.advice)}`);
  return { heading: heading.join('\n'), blocks: shown.map(resourceBlock), footer: synced > 0 ? `${plural(synced, 'resource')} in sync.` : undefined };
}

/**
 * The plan of one or more environments as Markdown, within the comment limit.
 *
 * @example
 * out.line(renderPlanMarkdown(reports, { exitCode: 2, target: 'AWS' }));
 */
export function renderPlanMarkdown(reports: Report[], options: PlanMarkdownOptions): string {
  const changing = reports.reduce((n, r) => n + shownResources(r).filter((x) => !blocked(x)).length, 0);
  const stuck = reports.reduce((n, r) => n + shownResources(r).filter(blocked).length, 0);
  const synced = reports.reduce((n, r) => n + r.counts.resources.synced, 0);
  const verdicts = [...new Set(reports.map((r) => VERDICT_WORDS[r.verdict]))];
  const headline = `## steady plan: ${verdicts.join(', ') || 'nothing to plan'}`;
  const counts = [`${plural(changing, 'resource')} to change`, stuck > 0 ? `**${stuck} blocked or not read**` : undefined, `${synced} in sync`].filter(Boolean).join(' · ');
  const table = [
    '| environment | verdict | summary |',
    '| --- | --- | --- |',
    ...reports.map((r) => `| ${code(r.environment)} | ${text(VERDICT_WORDS[r.verdict])} | ${text(summaryLine(r))} |`),
  ];
  const head = [headline, '', `${counts} — ${text(planExitMeaning(options.exitCode))}${options.target ? ` · planned against ${text(options.target)}` : ''}`, '', ...table].join('\n');
  const tail = '<sub>Images are pinned to the digests their tags name now. `steady plan` changes nothing; the wiring checks are `steady verify`.</sub>';
  return fitDocument(head, reports.map(environmentSection), tail, options.limit ?? GITHUB_COMMENT_LIMIT, (n) => `…and ${plural(n, 'more resource')} not shown here: run \`steady plan\` for the whole plan.`);
}

/**
 * Why a command could not run, as Markdown: the headline, and the problems as they are printed
 * (`file:line:column field: message`) in a code block.
 */
export function renderFailureMarkdown(command: string, exitCode: number, lines: string[]): string {
  const body = lines.map((l) => l.replace(/```/g, '``\u200b`')).join('\n');
  return `## steady ${command}: failed (exit ${exitCode})\n\n\`\`\`text\n${body}\n\`\`\`\n`;
}
