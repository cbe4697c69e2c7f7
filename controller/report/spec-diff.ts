/**
 * `steady diff` for people: the spec diff (plan/spec-diff.ts) as text for a terminal and as
 * Markdown for a pull request, in the words and symbols of the plan (`+` new, `~` changed, `-` no
 * longer managed) and with the same escaping and size limit as the plan's Markdown.
 */
import pc from 'picocolors';
import type { SpecDiff, SpecDiffResource } from '../plan/spec-diff.js';
import { escapeHtml } from './email.js';
import { plural } from './format.js';
import { code, details, diffTable, fitDocument, GITHUB_COMMENT_LIMIT, text, type Section } from './markdown.js';
import { fieldDiffLines, type Colors } from './terminal.js';

/** What is compared with what, as the first line says it. */
export interface SpecDiffSides {
  /** `specs/` */
  after: string;
  /** `git main (05b34d19db8e)`, `s3://my-specs/shop-prod HEAD (9830ce858a1f)` */
  before: string;
}

const SYMBOL: Record<SpecDiffResource['change'], string> = { added: '+', changed: '~', removed: '-' };
const WORD: Record<SpecDiffResource['change'], string> = { added: 'new', changed: 'changed', removed: 'no longer managed' };

/** The closing note: what `diff` cannot know without AWS. */
export const AS_WRITTEN = 'Images, target groups and other names are compared as written: steady plan resolves them against AWS.';

/** `2 changed, 1 new, 1 no longer managed; 6 unchanged`, or `no changes; 9 unchanged`. */
export function specDiffCounts(diff: SpecDiff): string {
  const { added, changed, removed, unchanged } = diff.counts;
  const parts = [changed ? `${changed} changed` : '', added ? `${added} new` : '', removed ? `${removed} no longer managed` : ''].filter(Boolean);
  return `${parts.length ? parts.join(', ') : 'no changes'}; ${plural(unchanged, 'resource')} unchanged`;
}

function paint(c: Colors, change: SpecDiffResource['change'], s: string): string {
  return change === 'added' ? c.green(s) : change === 'removed' ? c.red(s) : c.yellow(s);
}

/**
 * The diff for a terminal: a first line with both sides and the counts, then per environment the
 * resources that differ, each with its fields and what it makes steady do.
 *
 * @example
 * process.stdout.write(renderSpecDiffText(diff, { after: 'specs/', before: 'git main (05b34d19db8e)' }, { color: true }));
 */
export function renderSpecDiffText(diff: SpecDiff, sides: SpecDiffSides, options: { color: boolean; width?: number }): string {
  const c = pc.createColors(options.color);
  const width = Math.max(40, options.width ?? 100);
  const lines = [c.bold(`${sides.after} against ${sides.before}: ${specDiffCounts(diff)}.`)];
  for (const env of diff.environments.filter((e) => e.resources.length > 0)) {
    const nameWidth = Math.max(...env.resources.map((r) => r.resource.length));
    lines.push('', c.bold(env.environment));
    for (const r of env.resources) {
      const effects = r.effects.length ? `  ${r.effects.join('; ')}` : '';
      lines.push(`${paint(c, r.change, SYMBOL[r.change])} ${c.bold(r.resource.padEnd(nameWidth))}  ${paint(c, r.change, WORD[r.change])}${effects}`);
      if (r.message) lines.push(`    ${r.message}`);
      lines.push(...fieldDiffLines(r.diff, c, width));
    }
  }
  if (diff.counts.added + diff.counts.changed > 0) lines.push('', c.dim(AS_WRITTEN));
  return `${lines.join('\n')}\n`;
}

/** What `steady diff`'s exit code means. */
export function diffExitMeaning(code: number): string {
  if (code === 0) return 'exit 0: no change to what steady acts on';
  if (code === 2) return 'exit 2: the specs differ';
  return 'exit 1: an error';
}

function resourceBlock(r: SpecDiffResource): string {
  const effects = r.effects.length ? ` · ${escapeHtml(r.effects.join('; '))}` : '';
  const summary = `<code>${SYMBOL[r.change]} ${escapeHtml(r.resource)}</code> ${WORD[r.change]}${effects}`;
  const body = [...(r.message ? [`> ${text(r.message)}`] : []), ...diffTable(r.diff)];
  return details(summary, body, r.change === 'removed');
}

/**
 * The diff as Markdown for a pull request, within `limit` characters (GitHub's comment limit).
 *
 * @example
 * out.line(renderSpecDiffMarkdown(diff, sides, { exitCode: 2 }));
 */
export function renderSpecDiffMarkdown(diff: SpecDiff, sides: SpecDiffSides, options: { exitCode: number; limit?: number }): string {
  const { added, changed, removed } = diff.counts;
  const what = [changed ? `${plural(changed, 'resource')} changed` : '', added ? `${added} new` : '', removed ? `${removed} no longer managed` : ''].filter(Boolean).join(', ') || 'no changes';
  const head = [`## steady diff: ${what}`, '', `${code(sides.after)} against ${text(sides.before)} · ${plural(diff.counts.unchanged, 'resource')} unchanged — ${diffExitMeaning(options.exitCode)} · no AWS was read`].join('\n');
  const sections: Section[] = diff.environments
    .filter((e) => e.resources.length > 0)
    .map((e) => ({
      heading: `### ${text(e.environment)}${e.change === 'added' ? ' (new environment)' : ''}`,
      blocks: e.resources.map(resourceBlock),
      footer: e.unchanged > 0 ? `${plural(e.unchanged, 'resource')} unchanged.` : undefined,
    }));
  const tail = added + changed > 0 ? `<sub>${text(AS_WRITTEN)}</sub>` : '';
  return fitDocument(head, sections, tail, options.limit ?? GITHUB_COMMENT_LIMIT, (n) => `…and ${plural(n, 'more resource')} not shown here: run \`steady diff\` for the whole diff.`);
}
