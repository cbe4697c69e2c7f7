/**
 * What a spec set may be as a whole: how many files and bytes (so that a damaged or hostile
 * commit cannot make the Lambda read 100,000 objects), and not empty unless the user says so
 * (an empty set, or a file truncated to its comments, would silently stop steady reconciling
 * what it held). The same rules apply to `steady validate`, `steady apply` and the loaders.
 */
import type { SpecProblem } from './load.js';

/** 1 MiB: far more than any real spec file, far less than what could hurt the Lambda. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Most files in one spec set (and so in one published commit). Real sets have tens. */
export const MAX_SPEC_FILES = 1000;
/**
 * Most bytes of all the files of one spec set together: 12 MiB (12.6 MB). A realistic 5,000-service
 * environment is about 9.1 MB of YAML (the benchmark's, 1.6 KB a service, 8.1 MB): this leaves a
 * third more. Parsing costs about 25 bytes of memory a byte of YAML while it runs (measured: 12.0 MB
 * of specs took the process from 174 to 473 MB), so a set at the limit still parses in the Lambda's
 * default 512 MB; 16 MiB would not.
 */
export const MAX_SPEC_SET_BYTES = 12 * 1024 * 1024;

/** How a whole-set problem names the set: `specs/`, or a commit's s3:// URL. */
export const DEFAULT_SET_LABEL = 'the spec set';

/** Why an empty set is refused, and what to do: the same words wherever it trips. */
const EMPTY_WHY = 'an empty spec set would stop steady reconciling what the previous one held (steady deletes nothing, but nothing is kept as the specs say any more)';
const ALLOW_EMPTY = 'if that is what you mean, pass --allow-empty to steady validate and steady apply';

/** A problem about the set as a whole: line and column 0. */
export function setProblem(label: string, message: string): SpecProblem {
  return { file: label, line: 0, column: 0, path: '', message };
}

/** `1 MiB`, `64 KiB`, `1000 bytes` */
export function formatLimit(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Too many files, or too many bytes altogether; checked before any file is parsed. */
export function setSizeProblems(files: { bytes: number }[], label: string): SpecProblem[] {
  if (files.length > MAX_SPEC_FILES) {
    return [setProblem(label, `${files.length} spec files, more than the ${MAX_SPEC_FILES} a spec set may have`)];
  }
  const total = files.reduce((n, f) => n + f.bytes, 0);
  if (total > MAX_SPEC_SET_BYTES) {
    return [setProblem(label, `the spec files are ${total} bytes together, more than the ${formatLimit(MAX_SPEC_SET_BYTES)} a spec set may have`)];
  }
  return [];
}

/**
 * An empty set (no files, or files holding no document: empty, or only comments) is one problem
 * about the set; otherwise each file holding no document is a problem of its own, since a file
 * truncated to its comments silently drops every resource it held.
 */
export function emptinessProblems(files: { path: string; documents: number }[], label: string): SpecProblem[] {
  if (files.length === 0) return [setProblem(label, `no spec files (*.yaml, *.yml): ${EMPTY_WHY}; ${ALLOW_EMPTY}`)];
  const empty = files.filter((f) => f.documents === 0);
  if (empty.length === files.length) {
    const what = files.length === 1 ? 'the only spec file holds' : `none of the ${files.length} spec files holds`;
    return [setProblem(label, `${what} a document (only comments, or nothing): ${EMPTY_WHY}; ${ALLOW_EMPTY}`)];
  }
  return empty.map((f) => ({
    file: f.path,
    line: 1,
    column: 1,
    path: '',
    message: `the file holds no document (only comments, or nothing): a file truncated to its comments would silently drop the resources it held; restore it or delete it, or ${ALLOW_EMPTY}`,
  }));
}
