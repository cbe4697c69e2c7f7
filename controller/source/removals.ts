/**
 * Compares a spec set with a published commit it replaces: which Environments and resources the
 * commit held that the set no longer does (`removedSpecs`). Used by `steady apply` before it moves
 * HEAD and by the Lambda when it first sees a new HEAD.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SpecSet } from '../spec/load.js';
import { removedSpecs, type RemovedSpec } from '../spec/removed.js';
import type { PublishedSpecsError } from './errors.js';
import { loadCommit } from './load.js';

/** What the commit `previous` held that `specSet` does not, or why it could not be read. */
export type RemovalsResult = { ok: true; removed: RemovedSpec[] } | { ok: false; error: PublishedSpecsError };

/**
 * Loads commit `previous` (verified, as the controller would) and compares it with `specSet`.
 * Never throws.
 *
 * @example
 * const r = await removalsSince({ bucket, prefix, previous: pointer.previous, specSet });
 * if (r.ok) for (const x of r.removed) console.warn(removalMessage(x, shortCommit(pointer.previous), shortCommit(commit)));
 */
export async function removalsSince(options: { bucket: string; prefix?: string; s3?: S3Client; previous: string; specSet: Pick<SpecSet, 'environments'> }): Promise<RemovalsResult> {
  const before = await loadCommit({ bucket: options.bucket, prefix: options.prefix, s3: options.s3, commit: options.previous });
  if (!before.ok) return before;
  return { ok: true, removed: removedSpecs(before.specSet, options.specSet) };
}
