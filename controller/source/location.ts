/**
 * Where a spec source lives (`s3://bucket/prefix/`) and the keys of the commit format under it.
 * See README.md beside this file for the format itself.
 */
import { ConfigError } from '../errors.js';

/** A bucket and a key prefix; `prefix` is `''` (the bucket's root) or ends with `/`. */
export interface SpecLocation {
  bucket: string;
  prefix: string;
}

/** The pointer to the current commit, written last. */
export const POINTER_NAME = 'HEAD';
/** Folder of the commit manifests, one `<commit id>.json` each. */
export const COMMITS_FOLDER = 'commits/';
/** Folder of the content-addressed file bodies, one `<sha256 hex>` each. */
export const OBJECTS_FOLDER = 'objects/sha256/';

/** The keys of one location, all relative to the bucket. */
export const keys = {
  pointer: (loc: SpecLocation) => `${loc.prefix}${POINTER_NAME}`,
  commits: (loc: SpecLocation) => `${loc.prefix}${COMMITS_FOLDER}`,
  manifest: (loc: SpecLocation, commit: string) => `${loc.prefix}${manifestKeyOf(commit)}`,
  object: (loc: SpecLocation, sha256: string) => `${loc.prefix}${OBJECTS_FOLDER}${sha256}`,
};

/** The manifest's key relative to the prefix, as the pointer records it. */
export function manifestKeyOf(commit: string): string {
  return `${COMMITS_FOLDER}${commit}.json`;
}

/**
 * `s3://bucket/prefix/key`, for messages. With no key, the location itself
 * (`s3://bucket/prefix/`, or `s3://bucket/` for the root).
 */
export function s3Url(loc: SpecLocation, key?: string): string {
  return `s3://${loc.bucket}/${key ?? loc.prefix}`;
}

/**
 * A location with its prefix normalised: no leading slash, one trailing slash unless empty.
 * Throws ConfigError when the bucket name or the prefix cannot be right.
 *
 * @example
 * specLocation('my-specs', '/shop-prod') // { bucket: 'my-specs', prefix: 'shop-prod/' }
 */
export function specLocation(bucket: string, prefix = ''): SpecLocation {
  const problem = bucketNameProblem(bucket);
  if (problem) throw new ConfigError(problem);
  return { bucket, prefix: normalizePrefix(prefix) };
}

/**
 * Parses `s3://bucket` or `s3://bucket/prefix` (the `--from` argument). Throws ConfigError with
 * a message that says what was expected.
 *
 * @example
 * parseS3Url('s3://my-specs/shop-prod') // { bucket: 'my-specs', prefix: 'shop-prod/' }
 */
export function parseS3Url(url: string): SpecLocation {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(url);
  if (!match) throw new ConfigError(`expected an S3 URL like s3://bucket/prefix, got ${JSON.stringify(url)}`);
  const [, bucket, prefix = ''] = match;
  if (bucket === '') throw new ConfigError(`S3 URL ${JSON.stringify(url)} names no bucket; expected s3://bucket/prefix`);
  const problem = bucketNameProblem(bucket);
  if (problem) throw new ConfigError(`S3 URL ${JSON.stringify(url)}: ${problem}`);
  return { bucket, prefix: normalizePrefix(prefix) };
}

/** Why `name` cannot be an S3 bucket name (general purpose buckets), or undefined when it can. */
export function bucketNameProblem(name: string): string | undefined {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
  if (valid) return undefined;
  return (
    `invalid bucket name ${JSON.stringify(name)}: a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens, ` +
    'starting and ending with a letter or digit'
  );
}

/**
 * `''`, or the prefix without a leading slash and with one trailing slash. Throws ConfigError for
 * an empty segment (`a//b`), a `.` or `..` segment, or a control character: each is a typo more
 * likely than a wish, and S3 would take it literally.
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new ConfigError(`invalid prefix ${JSON.stringify(prefix)}: it contains a control character`);
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new ConfigError(`invalid prefix ${JSON.stringify(prefix)}: ${segment === '' ? 'an empty segment (//)' : `a "${segment}" segment`} is not allowed`);
    }
  }
  return `${trimmed}/`;
}
