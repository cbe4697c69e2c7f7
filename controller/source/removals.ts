/**
 * Compares a spec set with a published commit it replaces: which Environments and resources the
 * commit held that the set no longer does (`removedSpecs`), and which environments' rendered specs
 * the set changes (`environmentChanges`). Used by `steady apply` before it moves HEAD and by the
 * Lambda when it first sees a new HEAD.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { environmentChanges, type EnvironmentChanges } from '../spec/digest.js';
import type { SpecSet } from '../spec/load.js';
import { removedSpecs, type RemovedSpec } from '../spec/removed.js';
import type { PublishedSpecsError } from './errors.js';
import { loadCommit, type CommitLoadResult } from './load.js';

/** What the commit `previous` held that `specSet` does not, and what it changes, or why it could not be read. */
export type RemovalsResult = { ok: true; removed: RemovedSpec[]; environments: EnvironmentChanges } | { ok: false; error: PublishedSpecsError };

/**
 * Loads commit `previous` (verified, as the controller would; or takes it from `load`, a loader
 * that may remember commits) and compares it with `specSet`. Never throws.
 *
 * @example
 * const r = await removalsSince({ bucket, prefix, previous: pointer.previous, specSet });
 * if (r.ok) for (const x of r.removed) console.warn(removalMessage(x, shortCommit(pointer.previous), shortCommit(commit)));
 */
export async function removalsSince(options: {
  bucket: string;
  prefix?: string;
  s3?: S3Client;
  previous: string;
  specSet: Pick<SpecSet, 'environments'>;
  load?: (commit: string) => Promise<CommitLoadResult>;
}): Promise<RemovalsResult> {
  const before = options.load
    ? await options.load(options.previous)
    : await loadCommit({ bucket: options.bucket, prefix: options.prefix, s3: options.s3, commit: options.previous });
  if (!before.ok) return before;
  return { ok: true, removed: removedSpecs(before.specSet, options.specSet), environments: environmentChanges(before.specSet, options.specSet) };
}
