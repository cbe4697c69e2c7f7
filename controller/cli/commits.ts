/**
 * `steady commits --bucket B [--prefix P]`: the commits published under a prefix, newest first,
 * read from their manifests, with the one HEAD names marked. Exit codes: 0 listed (even none),
 * 1 S3 failure, 2 usage error.
 */
import { SteadyError } from '../errors.js';
import { createS3Client, listCommits, s3Url, shortCommit, type CommitHistory, type CommitSummary } from '../source/index.js';
import type { CliContext } from './context.js';
import { requireRegion } from './engine.js';
import { document } from './json.js';
import { createOutput, plural, type Output, type OutputFormat } from './output.js';

interface CommitsOptions {
  bucket: string;
  prefix: string;
  region?: string;
  limit?: number;
  output: OutputFormat;
}

const MESSAGE_WIDTH = 60;

/** `steady commits --bucket B [--prefix P]` (its definition is commands/publish.ts). */
export async function commits(ctx: CliContext, options: CommitsOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const s3 = createS3Client(options.region);
  await requireRegion(ctx, s3, `the spec bucket ${options.bucket}`);
  try {
    print(await listCommits({ bucket: options.bucket, prefix: options.prefix, limit: options.limit, s3 }), out);
    return 0;
  } catch (err) {
    if (!(err instanceof SteadyError)) throw err;
    out.note(out.color.red(`error: ${err.message}`));
    if (out.format === 'json') {
      out.json(document('commits', 1, { error: { kind: (err as { kind?: string }).kind ?? err.name, message: err.message }, ok: false, bucket: options.bucket, prefix: options.prefix, head: null, commits: [], total: 0, unreadable: [] }));
    }
    return 1;
  }
}

function print(history: CommitHistory, out: Output): void {
  const { color } = out;
  const where = s3Url(history.location);
  for (const u of history.unreadable) out.note(color.yellow(`warning: ${s3Url(history.location, u.key)}: ${u.why}`));
  if (history.head !== null && !history.commits.some((c) => c.head) && history.commits.length === history.total) {
    out.note(color.yellow(`warning: HEAD names commit ${shortCommit(history.head)}, whose manifest is not among the commits`));
  }
  if (out.format === 'json') {
    const { location, ...rest } = history;
    out.json(document('commits', 0, { ok: true, bucket: location.bucket, prefix: location.prefix, ...rest }));
    return;
  }
  if (history.total === 0) {
    out.line(`no commits published under ${where}`);
    return;
  }
  const rows = history.commits.map((c) => [shortCommit(c.commit), created(c), String(c.files), gitOf(c), authorOf(c), firstLine(c.git?.message)]);
  const header = ['COMMIT', 'CREATED', 'FILES', 'GIT', 'AUTHOR', 'MESSAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // FILES is a number: right-aligned. The last column is not padded, so lines end without blanks.
  const format = (cells: string[]) => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  out.line(color.bold(`  ${format(header)}`));
  for (const [i, row] of rows.entries()) {
    const head = history.commits[i].head;
    out.line(head ? color.green(`* ${format(row)}`) : `  ${format(row)}`);
  }
  const shown = history.commits.length < history.total ? `${history.commits.length} of ${history.total} commits` : plural(history.total, 'commit');
  out.line(`${shown} in ${where}; * marks HEAD`);
}

/** `2026-11-25 10:00:00Z`: to the second, in UTC. */
function created(c: CommitSummary): string {
  return new Date(c.createdAt).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** The git commit as git abbreviates it, `-dirty` when the files differed from it. */
function gitOf(c: CommitSummary): string {
  if (!c.git?.commit) return '-';
  return `${c.git.commit.slice(0, 7)}${c.git.dirty ? '-dirty' : ''}`;
}

/** The author's name; the email is in the JSON output. */
function authorOf(c: CommitSummary): string {
  return c.git?.author?.replace(/\s*<[^>]*>\s*$/, '') || '-';
}

function firstLine(message: string | undefined): string {
  const line = message?.split('\n')[0].trim() ?? '';
  if (line === '') return '-';
  return line.length > MESSAGE_WIDTH ? `${line.slice(0, MESSAGE_WIDTH - 1)}…` : line;
}
