/**
 * `steady publish [PATH...] --bucket B [--prefix P]` (also `steady apply`): validates a spec set,
 * then publishes it to S3 as one commit (objects, then the manifest, then HEAD) for the controller
 * to load. It changes no AWS resource. `--rollback COMMIT` points HEAD back at an earlier commit.
 * Exit codes: 0 published (or nothing to do), 1 invalid specs or S3 failure, 2 usage error.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SpecValidationError, SteadyError } from '../errors.js';
import { loadSpecPaths, problemCount, type SpecProblem, type SpecSet } from '../spec/load.js';
import type { EnvironmentChanges } from '../spec/digest.js';
import { removalMessage } from '../spec/removed.js';
import {
  createS3Client,
  isDirty,
  publishSpecs,
  readGitCheckout,
  relativeToCheckout,
  removalsSince,
  rollbackTo,
  s3Url,
  shortCommit,
  specFilesToPublish,
  type GitMetadata,
  type PublishResult,
  type RollbackResult,
} from '../source/index.js';
import type { CliContext } from './context.js';
import { requireRegion } from './engine.js';
import { document } from './json.js';
import { createOutput, plural, type Output, type OutputFormat } from './output.js';
import { colorProblem } from './validate.js';

interface ApplyOptions {
  bucket: string;
  region?: string;
  /** The spec bucket's client (made from `region`). */
  s3?: S3Client;
  prefix: string;
  dryRun?: boolean;
  message?: string;
  author?: string;
  gitCommit?: string;
  rollback?: string;
  allowEmpty?: boolean;
  output: OutputFormat;
}

/**
 * `steady publish [PATH...] --bucket B [--prefix P]` and `--rollback COMMIT` (`steady apply` is the
 * same command; its definition is commands/publish.ts).
 */
export async function publish(ctx: CliContext, paths: string[], options: ApplyOptions): Promise<number> {
  if (options.rollback !== undefined && paths.length > 0) ctx.usageError('--rollback takes no spec paths: it republishes a commit already in the bucket');
  const out = createOutput(ctx.io, options.output);
  const s3 = createS3Client(options.region);
  await requireRegion(ctx, s3, `the spec bucket ${options.bucket}`);
  const withS3 = { ...options, s3 };
  try {
    return options.rollback !== undefined ? await rollback(options.rollback, withS3, out) : await apply(paths.length > 0 ? paths : ['specs/'], withS3, out);
  } catch (err) {
    if (!(err instanceof SteadyError)) throw err;
    out.note(out.color.red(`error: ${err.message}`));
    if (out.format === 'json') out.json(document('apply', 1, { error: { kind: (err as { kind?: string }).kind ?? err.name, message: err.message }, ok: false, problems: [] }));
    return 1;
  }
}

async function apply(paths: string[], options: ApplyOptions, out: Output): Promise<number> {
  const { color } = out;
  const loaded = await loadSpecPaths(paths, { allowEmpty: options.allowEmpty });
  if (!loaded.ok) return invalid(loaded.problems, out);

  const { files, base } = await specFilesToPublish(loaded.specSet, paths);
  const checkout = await readGitCheckout(base);
  // Whether the files differ from the git commit can be asked only when they are all in its work tree.
  const git = await gitMetadata(options, checkout && { ...checkout, files: await relativeToCheckout(base, files, checkout.root) });

  let result: PublishResult;
  try {
    result = await publishSpecs({ bucket: options.bucket, prefix: options.prefix, s3: options.s3, files, git, dryRun: options.dryRun, allowEmpty: options.allowEmpty });
  } catch (err) {
    // The files changed between validation and publishing: report them as validate would.
    if (err instanceof SpecValidationError) return invalid([...err.problems], out);
    throw err;
  }

  for (const warning of result.warnings) out.note(color.yellow(`warning: ${warning}`));
  const { removed, environments } = result.pointer.state === 'moved' ? await removals(options, result.previous, result.commit, loaded.specSet, out) : NOTHING_COMPARED;
  if (out.format === 'json') {
    const { location, ...rest } = result;
    out.json(document('apply', 0, { ok: true, bucket: location.bucket, prefix: location.prefix, ...rest, removed, environments, git: git ?? null, problems: [] }));
    return 0;
  }

  out.line(`${color.green('✓')} ${validSummary(loaded.specSet)}`);
  const where = s3Url(result.location);
  const short = color.yellow(shortCommit(result.commit));
  if (result.status === 'unchanged') {
    out.line(`already published as commit ${short} (HEAD of ${where}); nothing was uploaded`);
    return 0;
  }
  const stateOf = new Map(result.objects.flatMap((o) => o.paths.map((p) => [p, o] as const)));
  const width = Math.max(0, ...files.map((f) => f.path.length));
  for (const f of files) {
    const o = stateOf.get(f.path)!;
    if (o.state === 'new') out.line(`${color.green('+')} ${f.path.padEnd(width)}  ${plural(o.bytes, 'byte')}`);
    else if (o.state === 'repaired') out.line(`${color.yellow('!')} ${f.path.padEnd(width)}  ${plural(o.bytes, 'byte')}, ${options.dryRun ? 'to upload' : 'uploaded'} again: the object in the bucket is damaged`);
    else out.line(`${color.dim('=')} ${f.path.padEnd(width)}  ${color.dim('already uploaded')}`);
  }
  if (result.manifest.state === 'new') out.line(`${color.green('+')} ${result.manifest.key}`);
  else if (result.manifest.state === 'repaired') out.line(`${color.yellow('!')} ${result.manifest.key}  ${options.dryRun ? 'to write' : 'written'} again: the manifest in the bucket is damaged`);
  else out.line(`${color.dim('=')} ${result.manifest.key}  ${color.dim('already published')}`);
  if (result.pointer.state === 'moved') out.line(`${color.cyan('→')} ${result.pointer.key}: ${short}${result.previous ? ` (was ${shortCommit(result.previous)})` : ''}`);
  if (environments) out.line(changesLine(environments, out));

  const uploads = result.objects.filter((o) => o.state === 'new').length;
  const repairs = result.objects.filter((o) => o.state === 'repaired').length;
  const present = result.objects.length - uploads - repairs;
  const counts = `${plural(uploads, 'object')} ${options.dryRun ? 'to upload' : 'uploaded'}, ${repairs > 0 ? `${repairs} damaged ${options.dryRun ? 'to repair' : 'repaired'}, ` : ''}${present} already there`;
  const replacing = result.previous === null ? ', its first commit' : result.previous !== result.commit ? `, replacing ${shortCommit(result.previous)}` : '';
  if (options.dryRun) {
    const verb = result.status === 'published' ? 'publish' : 'republish';
    out.line(`dry run: would ${verb} commit ${short} to ${where}${replacing} (${counts}); nothing was written`);
  } else if (result.status === 'published') {
    out.line(color.green(`published commit ${shortCommit(result.commit)} to ${where}${replacing} (${counts})`));
  } else if (result.previous === result.commit) {
    out.line(color.green(`repaired commit ${shortCommit(result.commit)}, the HEAD of ${where} (${counts})`));
  } else {
    out.line(color.green(`republished commit ${shortCommit(result.commit)}, identical to one published before, to ${where}${replacing} (${counts})`));
  }
  return 0;
}

const NOTHING_COMPARED = { removed: [], environments: null };

/**
 * Says, once per Environment or resource, what the commit HEAD named before held that the new
 * one does not (steady deletes nothing, so it simply stops being reconciled); returns it for
 * `--output json`, with the environments whose rendered specs the new commit changes.
 */
async function removals(options: ApplyOptions, previous: string | null, commit: string, specSet: Pick<SpecSet, 'environments'>, out: Output) {
  if (previous === null || previous === commit) return NOTHING_COMPARED;
  const compared = await removalsSince({ bucket: options.bucket, prefix: options.prefix, s3: options.s3, previous, specSet });
  if (!compared.ok) {
    out.note(out.color.yellow(`warning: the commit this one replaces (${shortCommit(previous)}) could not be read, so what it held and this one does not is unknown: ${compared.error.message}`));
    return NOTHING_COMPARED;
  }
  const removed = compared.removed.map((r) => {
    const message = removalMessage(r, shortCommit(previous), shortCommit(commit));
    out.note(out.color.yellow(`warning: ${message}`));
    return { ...r, message };
  });
  return { removed, environments: compared.environments };
}

/** `rendered specs changed: shop-staging; unchanged: shop-prod` (the controller reconciles at once only what changed). */
function changesLine(e: EnvironmentChanges, out: Output): string {
  const parts = [
    `changed: ${e.changed.join(', ') || 'none'}`,
    ...(e.added.length > 0 ? [`new: ${e.added.join(', ')}`] : []),
    ...(e.unchanged.length > 0 ? [`unchanged: ${e.unchanged.join(', ')}`] : []),
  ];
  return `${out.color.cyan('~')} rendered specs ${parts.join('; ')}`;
}

async function rollback(ref: string, options: ApplyOptions, out: Output): Promise<number> {
  const { color } = out;
  const result: RollbackResult = await rollbackTo({ bucket: options.bucket, prefix: options.prefix, s3: options.s3, commit: ref, dryRun: options.dryRun });
  const { removed, environments } = result.status === 'rolled-back' ? await removals(options, result.previous, result.commit, result.specSet, out) : NOTHING_COMPARED;
  if (out.format === 'json') {
    const { location, manifest, specSet: _specSet, ...rest } = result;
    out.json(document('apply', 0, { ok: true, bucket: location.bucket, prefix: location.prefix, ...rest, createdAt: manifest.createdAt, git: manifest.git ?? null, files: manifest.files, removed, environments, problems: [] }));
    return 0;
  }
  const short = color.yellow(shortCommit(result.commit));
  const where = s3Url(result.location);
  out.line(`${color.green('✓')} commit ${short} is intact: ${plural(result.manifest.files.length, 'file')}, every hash matches, the specs are valid`);
  if (result.status === 'unchanged') {
    out.line(`HEAD of ${where} already is commit ${short}; nothing was written`);
    return 0;
  }
  out.line(`${color.cyan('→')} ${result.pointer.key}: ${short}${result.previous ? ` (was ${shortCommit(result.previous)})` : ''}`);
  if (environments) out.line(changesLine(environments, out));
  const replacing = result.previous ? `, replacing ${shortCommit(result.previous)}` : '';
  const published = `first published ${result.manifest.createdAt}`;
  if (result.dryRun) out.line(`dry run: would roll ${where} back to commit ${short} (${published})${replacing}; nothing was written`);
  else out.line(color.green(`rolled ${where} back to commit ${shortCommit(result.commit)} (${published})${replacing}`));
  return 0;
}

/** Validation problems exactly as `steady validate` prints them, and nothing published. */
function invalid(problems: SpecProblem[], out: Output): number {
  const { color } = out;
  if (out.format === 'json') {
    const message = `${plural(problems.length, 'problem')} in the specs: nothing was published`;
    out.note(message);
    out.json(document('apply', 1, { error: { kind: 'invalidSpecs', message, problems }, ok: false, problems }));
    return 1;
  }
  for (const p of problems) {
    out.line(colorProblem(p, color));
  }
  out.line(color.red(problemCount(problems)));
  out.note('nothing was published');
  return 1;
}

function validSummary(specSet: SpecSet): string {
  const resources = specSet.environments.reduce((n, env) => n + env.services.length + env.migrations.length + env.scheduledTasks.length + env.aliases.length, 0);
  return `${plural(specSet.files.length, 'file')} valid: ${plural(specSet.environments.length, 'environment')}, ${plural(resources, 'resource')}`;
}

/** The git metadata to record: the checkout's, each field overridden by its flag. */
async function gitMetadata(options: ApplyOptions, checkout: (GitMetadata & { root: string; files?: string[] }) | undefined): Promise<GitMetadata | undefined> {
  const git: GitMetadata = {};
  if (checkout) {
    if (checkout.commit !== undefined) git.commit = checkout.commit;
    if (checkout.author !== undefined) git.author = checkout.author;
    if (checkout.message !== undefined) git.message = checkout.message;
    // Dirty describes the checkout's commit; it means nothing beside a commit given by flag.
    if (checkout.commit !== undefined && checkout.files !== undefined && options.gitCommit === undefined) {
      const dirty = await isDirty(checkout.root, checkout.files);
      if (dirty !== undefined) git.dirty = dirty;
    }
  }
  if (options.gitCommit !== undefined) git.commit = options.gitCommit;
  if (options.author !== undefined) git.author = options.author;
  if (options.message !== undefined) git.message = options.message;
  return Object.keys(git).length > 0 ? git : undefined;
}
