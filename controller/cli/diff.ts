/**
 * `steady diff`: what a spec change changes, without AWS. The specs in the working tree against
 * those of a git revision (`--base main`: read with git, no AWS at all; the default is `HEAD`) or
 * of a published commit (`--from s3://bucket/prefix`, its HEAD or `--commit ID`: read access to the
 * spec prefix only), compared as the desired state steady acts on (plan/spec-diff.ts).
 *
 * Exit codes, like `plan`: 0 no change, 2 changes, 1 an error (invalid specs on either side, with
 * their positions; a revision or commit that cannot be read; a usage error). Its definition (help,
 * options) is commands/diff.ts.
 */
import { diffSpecSets, hasChanges, type SpecDiff } from '../plan/spec-diff.js';
import { renderFailureMarkdown } from '../report/markdown.js';
import { redactReport } from '../report/secrets.js';
import { renderSpecDiffMarkdown, renderSpecDiffText, type SpecDiffSides } from '../report/spec-diff.js';
import { createS3Client, loadCommit, loadPublishedSpecs, parseS3Url, resolveCommit, s3Url, shortCommit } from '../source/index.js';
import { readRevisionFiles } from '../source/revision.js';
import { parseSpecFiles, type EnvironmentSpecs } from '../spec/load.js';
import { loadEnvironments, loadFailure, requireRegion, type LoadFailure } from './engine.js';
import { document, printFailure } from './json.js';
import type { CliContext } from './context.js';
import { createOutput, type Output, type OutputFormat } from './output.js';
import { matchEnvironments } from './patterns.js';

interface DiffOptions {
  base?: string;
  from?: string;
  commit?: string;
  env?: string[];
  region?: string;
  output: OutputFormat;
}

/** The other side of the comparison, as the JSON says it. */
type BaseJson = { kind: 'git'; revision: string; commit: string } | { kind: 's3'; url: string; commit: string };

const EMPTY = { environments: [] };

/** The spec set the working tree is compared with, or why it cannot be had. */
async function loadBase(ctx: CliContext, paths: string[], options: DiffOptions): Promise<{ ok: true; environments: EnvironmentSpecs[]; base: BaseJson; label: string; side: string } | LoadFailure> {
  if (options.from) {
    let loc;
    try {
      loc = parseS3Url(options.from);
    } catch (err) {
      ctx.usageError(`--from: ${(err as Error).message}`);
    }
    const s3 = createS3Client(options.region);
    await requireRegion(ctx, s3, `the spec bucket ${loc.bucket}`);
    let loaded;
    try {
      loaded = options.commit
        ? await loadCommit({ bucket: loc.bucket, prefix: loc.prefix, s3, commit: await resolveCommit(s3, loc, options.commit) })
        : await loadPublishedSpecs({ bucket: loc.bucket, prefix: loc.prefix, s3 });
    } catch (err) {
      return { ok: false, kind: 'unreadable', problems: [], message: (err as Error).message };
    }
    if (!loaded.ok) return { ok: false, kind: loaded.error.kind, problems: loaded.error.problems ?? [], message: loaded.error.message };
    const short = shortCommit(loaded.commit);
    return { ok: true, environments: loaded.specSet.environments, base: { kind: 's3', url: s3Url(loc), commit: loaded.commit }, label: `commit ${short}`, side: `${s3Url(loc)} ${options.commit ? 'commit' : 'HEAD'} (${short})` };
  }
  const revision = options.base ?? 'HEAD';
  let read;
  try {
    read = await readRevisionFiles(revision, paths);
  } catch (err) {
    return { ok: false, kind: 'revision', problems: [], message: (err as Error).message };
  }
  // A revision from before the specs existed holds none: then everything is new.
  const parsed = parseSpecFiles(read.files, { allowEmpty: true, label: `${revision}:${paths.join(', ')}` });
  const problems = [...read.problems, ...(parsed.ok ? [] : parsed.problems)];
  if (problems.length > 0 || !parsed.ok) {
    return { ok: false, kind: 'invalidSpecs', problems, message: `the specs at ${revision} are invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): nothing was compared` };
  }
  const commit = read.commit;
  return { ok: true, environments: parsed.specSet.environments, base: { kind: 'git', revision, commit }, label: revision, side: `git ${revision} (${commit.slice(0, 12)})` };
}

/** Both sides, limited to `--env` (an environment may be on one side only). */
function only<T extends { name: string }>(patterns: string[] | undefined, ...sides: T[][]): { ok: true; sides: T[][] } | LoadFailure {
  if (!patterns || patterns.length === 0) return { ok: true, sides };
  const all = [...new Set(sides.flat().map((e) => e.name))].sort();
  // Names or patterns ('shop-*'); one that matches nothing is an error, never an empty comparison.
  const { selected, unmatched } = matchEnvironments(all, patterns);
  if (unmatched.length > 0) return { ok: false, kind: 'unknownEnvironment', problems: [], message: `no environment ${unmatched.join(', ')} on either side (there are: ${all.join(', ') || 'none'})` };
  return { ok: true, sides: sides.map((s) => s.filter((e) => selected.includes(e.name))) };
}

function fail(out: Output, failure: LoadFailure): number {
  if (out.format === 'markdown') {
    out.line(renderFailureMarkdown('diff', 1, loadFailure(failure).text).trimEnd());
    return 1;
  }
  const { error, text } = loadFailure(failure);
  return printFailure(out, 'diff', 1, error, EMPTY, text);
}

function print(out: Output, diff: SpecDiff, sides: SpecDiffSides, code: number, extra: { base: BaseJson; paths: string[] }): void {
  if (out.format === 'json') out.json(document('diff', code, { ...extra, changed: code === 2, counts: diff.counts, environments: diff.environments }));
  else if (out.format === 'markdown') out.line(renderSpecDiffMarkdown(diff, sides, { exitCode: code }).trimEnd());
  else out.line(renderSpecDiffText(diff, sides, { color: out.color.isColorSupported }).trimEnd());
}

/** `steady diff [PATH...]` (its definition is commands/diff.ts). */
export async function diff(ctx: CliContext, paths: string[], options: DiffOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  if (options.base !== undefined && options.from !== undefined) ctx.usageError('give --base (a git revision) or --from (a published commit), not both');
  if (options.commit !== undefined && options.from === undefined) ctx.usageError('--commit names a published commit: it needs --from s3://bucket/prefix');
  // The working tree goes through the loader every command uses.
  const working = await loadEnvironments(ctx, paths);
  if (!working.ok) return fail(out, working);
  const base = await loadBase(ctx, paths, options);
  if (!base.ok) return fail(out, base);
  const chosen = only(options.env, base.environments, working.environments);
  if (!chosen.ok) return fail(out, chosen);
  const [before, after] = chosen.sides;
  // The loader refuses secrets in specs; this is the second line of defence, as for every report.
  const changes = redactReport(diffSpecSets(before, after, { before: base.label, after: 'working tree' }));
  const code = hasChanges(changes) ? 2 : 0;
  print(out, changes, { after: paths.join(' '), before: base.side }, code, { base: base.base, paths });
  return code;
}
