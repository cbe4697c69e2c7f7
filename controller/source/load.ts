/**
 * The loader of published specs: HEAD, then the manifest it names, then every file, each checked
 * against its hash, then the same validation as `steady validate`. Any failure yields no SpecSet
 * at all, only a {@link PublishedSpecsError} naming the key and the cause, so a pass never acts
 * on a half-uploaded, damaged or unreadable commit (DESIGN.md, "Safety rules").
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { AwsCallError, SpecValidationError } from '../errors.js';
import { DEFAULT_MAX_FILE_BYTES } from '../spec/limits.js';
import { parseSpecFiles, type SpecFile, type SpecSet } from '../spec/load.js';
import { commitIdOf, decodeManifest, decodePointer, printablePath, sha256, shortCommit, type CommitManifest, type CommitPointer, type ManifestFile } from './commit.js';
import { kindOfAwsError, PublishedSpecsError } from './errors.js';
import { keys, manifestKeyOf, normalizePrefix, s3Url, type SpecLocation } from './location.js';
import { createS3Client, listKeys, readObject, S3CallError } from './s3.js';
import { mapLimit } from '../concurrency.js';

/** Where to load from, and how. */
export interface LoadPublishedOptions {
  bucket: string;
  /** Key prefix; `''` (the default) is the bucket's root. `shop` and `shop/` are the same. */
  prefix?: string;
  /** Defaults to {@link createS3Client}: the SDK's default configuration. */
  s3?: S3Client;
  /** Most objects read at once; default 8. */
  concurrency?: number;
  /** Largest spec file accepted, as for `parseSpecFiles`. */
  maxFileBytes?: number;
}

/** A commit loaded whole and valid, or why not. */
export type PublishedSpecsResult =
  | { ok: true; commit: string; specSet: SpecSet; manifest: CommitManifest; pointer: CommitPointer }
  | { ok: false; error: PublishedSpecsError };

/** A commit loaded by id, or why not. */
export type CommitLoadResult = { ok: true; commit: string; specSet: SpecSet; manifest: CommitManifest; manifestSha256: string } | { ok: false; error: PublishedSpecsError };

const DEFAULT_CONCURRENCY = 8;
/** Far above any real manifest (1,000 files of 512-character paths is ~0.7 MB) or pointer: a bound on what a damaged bucket can make a pass read. */
export const MAX_MANIFEST_BYTES = 2 * 1024 * 1024;
const MAX_POINTER_BYTES = 64 * 1024;

/**
 * Loads the commit HEAD names under `s3://bucket/prefix/`. Never throws: every failure is a
 * typed error in the result, and then there is no SpecSet.
 *
 * @example
 * const result = await loadPublishedSpecs({ bucket: 'my-specs', prefix: 'shop-prod' });
 * if (!result.ok) return report(result.error.kind, result.error.message); // and change nothing
 * const { commit, specSet } = result;
 */
export async function loadPublishedSpecs(options: LoadPublishedOptions): Promise<PublishedSpecsResult> {
  const s3 = options.s3 ?? createS3Client();
  let loc: SpecLocation = { bucket: options.bucket, prefix: options.prefix ?? '' };
  try {
    loc = { bucket: options.bucket, prefix: normalizePrefix(options.prefix ?? '') };
    const head = await readPointer(s3, loc);
    const pointerKey = keys.pointer(loc);
    if (head.state === 'missing') {
      return fail({ kind: 'pointer-missing', bucket: loc.bucket, key: pointerKey, message: `reading ${s3Url(loc, pointerKey)}: ${await whyNoPointer(s3, loc)}` });
    }
    if (head.state === 'invalid') return fail({ kind: 'unreadable', bucket: loc.bucket, key: pointerKey, message: `reading ${s3Url(loc, pointerKey)}: ${head.why}` });
    const { pointer } = head;
    const result = await loadCommit({ ...options, s3, prefix: loc.prefix, commit: pointer.commit, manifestSha256: pointer.manifestSha256 });
    if (!result.ok) return result;
    return { ok: true, commit: result.commit, specSet: result.specSet, manifest: result.manifest, pointer };
  } catch (err) {
    return { ok: false, error: translate(err, loc) };
  }
}

/**
 * Loads one commit by its full id, whatever HEAD says: the manifest, every object (each hash
 * checked) and validation. `manifestSha256`, when given (HEAD's), is checked as well. Used by
 * the loader and to verify a commit before `steady apply --rollback` points HEAD at it.
 *
 * @example
 * const result = await loadCommit({ bucket: 'my-specs', prefix: 'shop-prod', commit });
 */
export async function loadCommit(options: LoadPublishedOptions & { commit: string; manifestSha256?: string }): Promise<CommitLoadResult> {
  const s3 = options.s3 ?? createS3Client();
  let loc: SpecLocation = { bucket: options.bucket, prefix: options.prefix ?? '' };
  try {
    loc = { bucket: options.bucket, prefix: normalizePrefix(options.prefix ?? '') };
    const { commit } = options;
    const manifestKey = keys.manifest(loc, commit);
    const manifestUrl = s3Url(loc, manifestKey);
    const at = (kind: PublishedSpecsError['kind'], why: string) => fail({ kind, bucket: loc.bucket, key: manifestKey, message: `reading ${manifestUrl}: ${why}` });

    const read = await readObject(s3, loc.bucket, manifestKey, MAX_MANIFEST_BYTES);
    if (!read) return at('manifest-missing', `the manifest of commit ${shortCommit(commit)}${options.manifestSha256 ? ', which HEAD names,' : ''} does not exist`);
    if (!read.bytes) return at('unreadable', `the manifest is ${read.size} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`);
    const manifestSha256 = sha256(read.bytes);
    if (options.manifestSha256 !== undefined && manifestSha256 !== options.manifestSha256) {
      return at('hash-mismatch', `the manifest has sha256 ${manifestSha256}, but HEAD says ${options.manifestSha256}; it was changed after it was published`);
    }
    const decoded = decodeManifest(read.bytes);
    if (!decoded.ok) return at('unreadable', decoded.why);
    const manifest = decoded.value;
    if (manifest.commit !== commit) return at('hash-mismatch', `the manifest is of commit ${shortCommit(manifest.commit)}, not ${shortCommit(commit)}`);
    const filesHash = commitIdOf(manifest.files);
    if (filesHash !== commit) return at('hash-mismatch', `its files hash to commit ${shortCommit(filesHash)}, not ${shortCommit(commit)}; the manifest is corrupt`);

    const bodies = await readObjects(s3, loc, manifest.files, options.concurrency ?? DEFAULT_CONCURRENCY, { key: manifestKey, url: manifestUrl });
    if (!bodies.ok) return bodies;

    const files: SpecFile[] = manifest.files.map((f) => ({ path: f.path, content: bodies.bySha.get(f.sha256)! }));
    const parsed = parsedCommit(`${commit} ${manifestSha256} ${options.maxFileBytes ?? ''}`, () =>
      parseSpecFiles(files, {
        ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
        allowEmpty: manifest.allowEmpty === true,
        label: `commit ${shortCommit(commit)} of ${s3Url(loc)}`,
      }),
    );
    if (!parsed.ok) {
      const cause = new SpecValidationError(parsed.problems);
      return fail({
        kind: 'invalid-specs',
        bucket: loc.bucket,
        key: manifestKey,
        message: `validating commit ${shortCommit(commit)} from ${s3Url(loc)}: ${cause.message}`,
        cause,
        problems: parsed.problems,
      });
    }
    return { ok: true, commit, specSet: parsed.specSet, manifest, manifestSha256 };
  } catch (err) {
    return { ok: false, error: translate(err, loc) };
  }
}

/**
 * Spec sets parsed from the last commits, by commit id and manifest hash: a commit is its files'
 * hashes (each object was just read and checked against its hash), so the same commit always parses
 * to the same spec set, and a warm Lambda need not parse it again every invocation (seconds at
 * thousands of services). Only valid ones are kept; the objects are still read and checked.
 */
const parsedCommits = new Map<string, ReturnType<typeof parseSpecFiles>>();
const PARSED_COMMITS_KEPT = 2;

function parsedCommit(key: string, parse: () => ReturnType<typeof parseSpecFiles>): ReturnType<typeof parseSpecFiles> {
  const known = parsedCommits.get(key);
  if (known) {
    parsedCommits.delete(key);
    parsedCommits.set(key, known);
    return known;
  }
  const parsed = parse();
  if (parsed.ok) {
    parsedCommits.set(key, parsed);
    while (parsedCommits.size > PARSED_COMMITS_KEPT) parsedCommits.delete(parsedCommits.keys().next().value!);
  }
  return parsed;
}

/** What HEAD holds. Throws AwsCallError when S3 cannot be read. */
export type PointerRead = { state: 'missing' } | { state: 'invalid'; why: string } | { state: 'ok'; pointer: CommitPointer; sha256: string };

/** Reads and decodes HEAD. The publisher uses it too, to learn the parent of a new commit. */
export async function readPointer(s3: S3Client, loc: SpecLocation): Promise<PointerRead> {
  const read = await readObject(s3, loc.bucket, keys.pointer(loc), MAX_POINTER_BYTES);
  if (!read) return { state: 'missing' };
  if (!read.bytes) return { state: 'invalid', why: `HEAD is ${read.size} bytes, more than the ${MAX_POINTER_BYTES} a pointer may have` };
  const decoded = decodePointer(read.bytes);
  if (!decoded.ok) return { state: 'invalid', why: decoded.why };
  const pointer = decoded.value;
  if (pointer.manifestKey !== manifestKeyOf(pointer.commit)) {
    return { state: 'invalid', why: `HEAD names manifest ${pointer.manifestKey}, expected ${manifestKeyOf(pointer.commit)} for commit ${shortCommit(pointer.commit)}` };
  }
  return { state: 'ok', pointer, sha256: sha256(read.bytes) };
}

/** Tells an empty prefix from one where an apply stopped before its first HEAD. */
async function whyNoPointer(s3: S3Client, loc: SpecLocation): Promise<string> {
  let empty: boolean | undefined;
  try {
    empty = (await listKeys(s3, loc.bucket, loc.prefix, { firstPageOnly: true })).length === 0;
  } catch {
    // Listing is only for a better message; without s3:ListBucket, say what is certain.
  }
  if (empty === true) return `nothing is published under ${s3Url(loc)} (the prefix is empty); publish specs with steady apply`;
  if (empty === false) return `HEAD does not exist, though ${s3Url(loc)} holds objects: no apply has finished publishing a commit there`;
  return 'HEAD does not exist: no commit is published there';
}

type ObjectsRead = { ok: true; bySha: Map<string, Uint8Array> } | { ok: false; error: PublishedSpecsError };

/**
 * Every distinct object of the manifest, each checked; the first failure in manifest order wins.
 * An object is read only up to the size any spec file may have; one whose bytes hash to what the
 * manifest says but whose size is not the manifest's is intact, and the manifest is wrong.
 */
async function readObjects(s3: S3Client, loc: SpecLocation, files: ManifestFile[], concurrency: number, manifest: { key: string; url: string }): Promise<ObjectsRead> {
  const distinct = [...new Map(files.map((f) => [f.sha256, f])).values()];
  const outcomes = await mapLimit(distinct, concurrency, async (file) => {
    const key = keys.object(loc, file.sha256);
    const at = (kind: PublishedSpecsError['kind'], why: string) =>
      new PublishedSpecsError({ kind, bucket: loc.bucket, key, message: `reading ${s3Url(loc, key)}: ${why}` });
    const name = printablePath(file.path);
    try {
      const read = await readObject(s3, loc.bucket, key, DEFAULT_MAX_FILE_BYTES);
      if (!read) return at('object-missing', `the object of ${name} does not exist`);
      const actual = read.bytes && sha256(read.bytes);
      if (actual === file.sha256 && read.size !== file.bytes) {
        return new PublishedSpecsError({
          kind: 'unreadable',
          bucket: loc.bucket,
          key: manifest.key,
          message: `reading ${manifest.url}: the manifest says ${name} is ${file.bytes} bytes, but its object (sha256 ${file.sha256}) is ${read.size}; the object is intact, the manifest is wrong`,
        });
      }
      if (read.size !== file.bytes) return at('hash-mismatch', `the object of ${name} is ${read.size} bytes, the manifest says ${file.bytes}; the object is corrupt`);
      if (actual !== file.sha256) return at('hash-mismatch', `the object of ${name} has sha256 ${actual}; the object is corrupt`);
      return read.bytes!;
    } catch (err) {
      return translate(err, loc);
    }
  });
  const bySha = new Map<string, Uint8Array>();
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome instanceof PublishedSpecsError) return { ok: false, error: outcome };
    bySha.set(distinct[i].sha256, outcome);
  }
  return { ok: true, bySha };
}

function fail(init: ConstructorParameters<typeof PublishedSpecsError>[0]): { ok: false; error: PublishedSpecsError } {
  return { ok: false, error: new PublishedSpecsError(init) };
}

/** An AWS failure keeps its message (it names the s3:// URL and the AWS error) and gets a kind. */
function translate(err: unknown, loc: SpecLocation): PublishedSpecsError {
  if (err instanceof PublishedSpecsError) return err;
  if (err instanceof AwsCallError) {
    const key = err instanceof S3CallError ? err.key : undefined;
    return new PublishedSpecsError({ kind: kindOfAwsError(err), bucket: loc.bucket, key, message: err.message, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PublishedSpecsError({ kind: 'unreadable', bucket: loc.bucket, message: `loading specs from ${s3Url(loc)}: ${message}`, cause: err });
}
