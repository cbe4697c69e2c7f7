/**
 * The publisher: a validated spec set becomes one commit under `s3://bucket/prefix/`. The order
 * of the writes is the whole design: every object first, then the manifest, then HEAD. A reader
 * that follows HEAD therefore only ever finds a manifest whose objects are all there, whatever
 * moment it reads at and however the publish ends. See README.md beside this file.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import packageJson from '../../package.json' with { type: 'json' };
import { systemClock, type Clock } from '../clock.js';
import { ConfigError, SpecValidationError } from '../errors.js';
import { parseSpecFiles, type SpecFile, type SpecSet } from '../spec/load.js';
import {
  COMMIT_FORMAT,
  commitIdOf,
  decodeManifest,
  encodeDocument,
  sha256,
  shortCommit,
  manifestPathProblem,
  printablePath,
  type CommitManifest,
  type CommitPointer,
  type GitMetadata,
  type ManifestFile,
} from './commit.js';
import { PublishedSpecsError } from './errors.js';
import { loadCommit, MAX_MANIFEST_BYTES, readPointer, type PointerRead } from './load.js';
import { keys, manifestKeyOf, normalizePrefix, s3Url, type SpecLocation } from './location.js';
import { createS3Client, listKeys, readObject, writeObject } from './s3.js';
import { mapLimit } from '../concurrency.js';

const DEFAULT_CONCURRENCY = 8;

/** What to publish, where, and how. */
export interface PublishOptions {
  bucket: string;
  /** Key prefix; `''` (the default) is the bucket's root. */
  prefix?: string;
  /** The spec files, with the paths the manifest will record (see `specFilesToPublish`). */
  files: SpecFile[];
  /** Recorded in the manifest when the commit is new. */
  git?: GitMetadata;
  /** Work out what would be written, and write nothing. */
  dryRun?: boolean;
  /** Publish an empty set, or files without documents (`--allow-empty`); recorded in the manifest. */
  allowEmpty?: boolean;
  /** Defaults to {@link createS3Client}. */
  s3?: S3Client;
  /** For `createdAt` and `updatedAt`; the system clock by default. */
  clock?: Clock;
  /** Most objects checked or uploaded at once; default 8. */
  concurrency?: number;
}

/** One distinct object of the commit (files with identical bytes share one). */
export interface PublishedObject {
  key: string;
  sha256: string;
  bytes: number;
  /** The files whose content it is. */
  paths: string[];
  /**
   * `new`: uploaded (or, in a dry run, would be); `present`: already in the bucket, intact;
   * `repaired`: in the bucket but not with these bytes (damaged), uploaded again.
   */
  state: 'new' | 'present' | 'repaired';
}

/** What a publish did, or in a dry run would do. */
export interface PublishResult {
  /**
   * `published`: a new commit (its manifest written, HEAD moved to it); `republished`: the same
   * specs were published before, HEAD moved back to that commit, or what was missing or damaged
   * of it written again; `unchanged`: HEAD already is this commit and every object and the
   * manifest are intact; nothing was written.
   */
  status: 'published' | 'republished' | 'unchanged';
  dryRun: boolean;
  location: SpecLocation;
  commit: string;
  /** The commit HEAD named before; null when there was none. */
  previous: string | null;
  objects: PublishedObject[];
  /** `repaired`: a manifest of this commit was there but damaged or different; written again. */
  manifest: { key: string; state: 'new' | 'present' | 'repaired' };
  pointer: { key: string; state: 'moved' | 'unchanged' };
  /** Things worth telling the user that did not stop the publish. */
  warnings: string[];
}

/**
 * Publishes spec files as one commit: validates them (throws SpecValidationError, having
 * written nothing, when they are invalid), uploads the objects not yet in the bucket, writes the
 * manifest, then points HEAD at it. Publishing identical specs again writes nothing. Throws
 * AwsCallError when S3 fails; whatever was written by then is never named by HEAD.
 *
 * @example
 * const result = await publishSpecs({ bucket: 'my-specs', prefix: 'shop-prod', files, git });
 * console.log(`${result.status} ${result.commit}`);
 */
export async function publishSpecs(options: PublishOptions): Promise<PublishResult> {
  const s3 = options.s3 ?? createS3Client();
  const clock = options.clock ?? systemClock;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const loc: SpecLocation = { bucket: options.bucket, prefix: normalizePrefix(options.prefix ?? '') };
  const dryRun = options.dryRun ?? false;

  const entries = options.files
    .map((f) => ({ path: f.path, body: typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content }))
    .map((f) => ({ ...f, sha256: sha256(f.body), bytes: f.body.length }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const duplicate = entries.find((f, i) => i > 0 && entries[i - 1].path === f.path);
  if (duplicate) throw new ConfigError(`cannot publish two files with the same path ${printablePath(duplicate.path)}`);
  const badPaths = entries.flatMap((e) => {
    const problem = manifestPathProblem(e.path);
    return problem ? [`${printablePath(e.path)}: ${problem}`] : [];
  });
  if (badPaths.length > 0) throw new ConfigError(`cannot publish files under these names: ${badPaths.join('; ')}`);
  const validated = parseSpecFiles(options.files, { allowEmpty: options.allowEmpty });
  if (!validated.ok) throw new SpecValidationError(validated.problems);
  // Recorded only when the set needs it, so that the same specs always make the same manifest.
  const allowEmpty = options.allowEmpty === true && !parseSpecFiles(options.files).ok;
  const commit = commitIdOf(entries);
  const warnings: string[] = [];

  const head = await readPointer(s3, loc);
  if (head.state === 'invalid') warnings.push(`${s3Url(loc, keys.pointer(loc))} is not a valid pointer (${head.why}); it will be replaced`);
  const previous = head.state === 'ok' ? head.pointer.commit : null;

  // Which objects are missing or damaged: each one's bytes are read and hashed, so a commit
  // that is there but broken is repaired rather than taken for published.
  const distinct = [...new Map(entries.map((e) => [e.sha256, e])).values()];
  const found = await mapLimit(distinct, concurrency, (e) => objectState(s3, loc, e, warnings));
  const objects: PublishedObject[] = distinct.map((e, i) => ({
    key: keys.object(loc, e.sha256),
    sha256: e.sha256,
    bytes: e.bytes,
    paths: entries.filter((f) => f.sha256 === e.sha256).map((f) => f.path),
    state: found[i],
  }));

  // A manifest of the same commit may exist: the same specs were published before. It is kept
  // (its createdAt and git metadata say when they first were) unless it is damaged.
  const manifestKey = keys.manifest(loc, commit);
  const files = entries.map((e) => ({ path: e.path, sha256: e.sha256, bytes: e.bytes }));
  const existing = await soundManifest(s3, loc, { commit, files, allowEmpty }, warnings);
  let manifestBytes = existing.bytes;
  const manifestState = existing.state;
  if (!manifestBytes) {
    const manifest: CommitManifest = {
      format: COMMIT_FORMAT,
      commit,
      createdAt: new Date(clock.now()).toISOString(),
      parent: previous === commit ? null : previous,
      steadyVersion: packageJson.version,
      ...(options.git && Object.keys(options.git).length > 0 ? { git: boundedGit(options.git) } : {}),
      ...(allowEmpty ? { allowEmpty: true as const } : {}),
      files,
    };
    manifestBytes = encodeDocument(manifest);
  }
  const pointerIsCurrent = head.state === 'ok' && head.pointer.commit === commit && head.pointer.manifestSha256 === sha256(manifestBytes);
  const toWrite = objects.filter((o) => o.state !== 'present');

  const result: PublishResult = {
    status: manifestState === 'new' ? 'published' : pointerIsCurrent && toWrite.length === 0 && manifestState === 'present' ? 'unchanged' : 'republished',
    dryRun,
    location: loc,
    commit,
    previous,
    objects,
    manifest: { key: manifestKey, state: manifestState },
    pointer: { key: keys.pointer(loc), state: pointerIsCurrent ? 'unchanged' : 'moved' },
    warnings,
  };
  if (dryRun || result.status === 'unchanged') return result;

  // 1. Every object. All must be there before anything names them. A damaged one is overwritten.
  await mapLimit(toWrite, concurrency, async (o) => {
    const body = entries.find((e) => e.sha256 === o.sha256)!.body;
    await writeObject(s3, loc.bucket, o.key, body, { contentType: contentTypeOf(o.paths[0]), ifAbsent: o.state === 'new', sha256: o.sha256 });
  });
  // 2. The manifest, only once its objects are all there.
  if (manifestState !== 'present') {
    const outcome = await writeObject(s3, loc.bucket, manifestKey, manifestBytes, { contentType: 'application/json', ifAbsent: manifestState === 'new', sha256: sha256(manifestBytes) });
    if (outcome === 'exists') {
      // Another publish of the same specs won the race; point HEAD at its manifest instead.
      const theirs = await soundManifest(s3, loc, { commit, files, allowEmpty }, warnings);
      if (!theirs.bytes) throw new PublishedSpecsError({ kind: 'hash-mismatch', bucket: loc.bucket, key: manifestKey, message: `writing ${s3Url(loc, manifestKey)}: another publish wrote a manifest that does not hold commit ${shortCommit(commit)}` });
      manifestBytes = theirs.bytes;
    }
  }
  // 3. HEAD, last.
  if (result.pointer.state === 'moved') await writePointer(s3, loc, { commit, manifestSha256: sha256(manifestBytes), previous, reason: 'apply', clock });
  return result;
}

/** What to roll back to, where. */
export interface RollbackOptions {
  bucket: string;
  prefix?: string;
  /** A commit id, or an unambiguous prefix of one (at least 7 hex digits). */
  commit: string;
  dryRun?: boolean;
  s3?: S3Client;
  clock?: Clock;
  concurrency?: number;
}

/** What a rollback did, or in a dry run would do. */
export interface RollbackResult {
  /** `rolled-back`: HEAD now names the commit; `unchanged`: it already did. */
  status: 'rolled-back' | 'unchanged';
  dryRun: boolean;
  location: SpecLocation;
  commit: string;
  /** The commit HEAD named before; null when there was none. */
  previous: string | null;
  manifest: CommitManifest;
  /** The commit's specs, as the loader returned them. */
  specSet: SpecSet;
  pointer: { key: string; state: 'moved' | 'unchanged' };
}

/**
 * Points HEAD at an earlier commit, after loading it as the controller would: its manifest must
 * exist, every object must match its hash and the specs must validate, or HEAD is left alone and
 * the PublishedSpecsError is thrown. Nothing but HEAD is written; the manifest stays as it was.
 *
 * @example
 * const { previous } = await rollbackTo({ bucket: 'my-specs', prefix: 'shop-prod', commit: '3f2a9c1d' });
 */
export async function rollbackTo(options: RollbackOptions): Promise<RollbackResult> {
  const s3 = options.s3 ?? createS3Client();
  const loc: SpecLocation = { bucket: options.bucket, prefix: normalizePrefix(options.prefix ?? '') };
  const commit = await resolveCommit(s3, loc, options.commit);
  const loaded = await loadCommit({ bucket: loc.bucket, prefix: loc.prefix, commit, s3, concurrency: options.concurrency });
  if (!loaded.ok) throw loaded.error;

  const head: PointerRead = await readPointer(s3, loc);
  const previous = head.state === 'ok' ? head.pointer.commit : null;
  const current = head.state === 'ok' && head.pointer.commit === commit && head.pointer.manifestSha256 === loaded.manifestSha256;
  const result: RollbackResult = {
    status: current ? 'unchanged' : 'rolled-back',
    dryRun: options.dryRun ?? false,
    location: loc,
    commit,
    previous,
    manifest: loaded.manifest,
    specSet: loaded.specSet,
    pointer: { key: keys.pointer(loc), state: current ? 'unchanged' : 'moved' },
  };
  if (!current && !result.dryRun) {
    await writePointer(s3, loc, { commit, manifestSha256: loaded.manifestSha256, previous, reason: 'rollback', clock: options.clock ?? systemClock });
  }
  return result;
}

/**
 * The full id of `ref`: a full id as it is, an abbreviation by listing `commits/<ref>*`. Throws
 * ConfigError when `ref` is not hex or is ambiguous, PublishedSpecsError (manifest-missing) when
 * no commit starts with it.
 */
export async function resolveCommit(s3: S3Client, loc: SpecLocation, ref: string): Promise<string> {
  const id = ref.toLowerCase();
  if (!/^[0-9a-f]{7,64}$/.test(id)) throw new ConfigError(`${JSON.stringify(ref)} is not a commit id: expected 7 to 64 hex digits`);
  if (id.length === 64) return id;
  const prefix = `${keys.commits(loc)}${id}`;
  const matches = (await listKeys(s3, loc.bucket, prefix))
    .map((o) => /([0-9a-f]{64})\.json$/.exec(o.key)?.[1])
    .filter((m): m is string => m !== undefined && m.startsWith(id));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new PublishedSpecsError({ kind: 'manifest-missing', bucket: loc.bucket, key: prefix, message: `no commit ${id} under ${s3Url(loc)}: no manifest ${keys.commits(loc)}${id}*.json` });
  }
  throw new ConfigError(`commit ${id} is ambiguous under ${s3Url(loc)}: it starts ${matches.map(shortCommit).join(', ')}`);
}

/**
 * The manifest of `want.commit` when it exists and records exactly these files (sizes included)
 * and the same `allowEmpty`: `present`, with its bytes. Otherwise `new` (there is none) or
 * `repaired` (one is there but damaged or different: it is written again, with a warning).
 */
async function soundManifest(
  s3: S3Client,
  loc: SpecLocation,
  want: { commit: string; files: ManifestFile[]; allowEmpty: boolean },
  warnings: string[],
): Promise<{ state: 'new' | 'present' | 'repaired'; bytes?: Uint8Array }> {
  const key = keys.manifest(loc, want.commit);
  const read = await readObject(s3, loc.bucket, key, MAX_MANIFEST_BYTES);
  if (!read) return { state: 'new' };
  const decoded = read.bytes ? decodeManifest(read.bytes) : ({ ok: false, why: `${read.size} bytes, more than a manifest may have` } as const);
  let why: string | undefined;
  if (!decoded.ok) why = decoded.why;
  else if (decoded.value.commit !== want.commit || commitIdOf(decoded.value.files) !== want.commit) why = `it does not hold commit ${shortCommit(want.commit)}`;
  else if (decoded.value.files.some((f, i) => f.bytes !== want.files[i]?.bytes)) why = 'the sizes it records are not the files\'';
  else if ((decoded.value.allowEmpty === true) !== want.allowEmpty) why = want.allowEmpty ? 'it does not record --allow-empty' : 'it records --allow-empty, which these specs do not need';
  if (why === undefined) return { state: 'present', bytes: read.bytes };
  warnings.push(`${s3Url(loc, key)} is damaged (${why}); it will be written again`);
  return { state: 'repaired' };
}

/** Whether an object is in the bucket with exactly these bytes: `present`, `new` (absent) or `repaired` (damaged: to be written again). */
async function objectState(s3: S3Client, loc: SpecLocation, e: { sha256: string; bytes: number; path: string }, warnings: string[]): Promise<PublishedObject['state']> {
  const key = keys.object(loc, e.sha256);
  const read = await readObject(s3, loc.bucket, key, e.bytes);
  if (!read) return 'new';
  if (read.bytes && sha256(read.bytes) === e.sha256) return 'present';
  warnings.push(`${s3Url(loc, key)} (${printablePath(e.path)}) is damaged (${read.size === e.bytes ? 'other bytes of the same size' : `${read.size} bytes, not ${e.bytes}`}); it will be uploaded again`);
  return 'repaired';
}

async function writePointer(
  s3: S3Client,
  loc: SpecLocation,
  p: { commit: string; manifestSha256: string; previous: string | null; reason: CommitPointer['reason']; clock: Clock },
): Promise<void> {
  const pointer: CommitPointer = {
    format: COMMIT_FORMAT,
    commit: p.commit,
    manifestKey: manifestKeyOf(p.commit),
    manifestSha256: p.manifestSha256,
    updatedAt: new Date(p.clock.now()).toISOString(),
    previous: p.previous,
    reason: p.reason,
  };
  const body = encodeDocument(pointer);
  await writeObject(s3, loc.bucket, keys.pointer(loc), body, { contentType: 'application/json', sha256: sha256(body) });
}

/** Longest git message a manifest records: it must stay far inside the size a manifest may have. */
const MAX_GIT_MESSAGE = 16 * 1024;

function boundedGit(git: GitMetadata): GitMetadata {
  return git.message !== undefined && git.message.length > MAX_GIT_MESSAGE ? { ...git, message: `${git.message.slice(0, MAX_GIT_MESSAGE - 1)}…` } : git;
}

function contentTypeOf(file: string): string {
  return /\.ya?ml$/i.test(file) ? 'application/yaml' : 'application/octet-stream';
}
