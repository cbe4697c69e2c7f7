/**
 * What a new HEAD asks the Lambda to reconcile at once. The S3 event of a new HEAD reconciles the
 * environments whose rendered specs it changed (by digest, `controller/spec/digest.ts`) and the
 * ones it adds, not every environment: a base change that only staging's overlay sees
 * re-reconciles only staging. The schedule's tick still reconciles every environment (steady is
 * level-triggered: drift is found whatever the specs did), and when the commit HEAD replaced
 * cannot be read, or there is none, every environment is reconciled, as before.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SpecSet } from '../spec/load.js';
import { loadCommit, removalsSince, shortCommit, type CommitLoadResult, type CommitPointer } from '../source/index.js';

export interface ChangesDeps {
  bucket: string;
  prefix: string;
  s3: S3Client;
  logger: Logger;
  /** Loads a commit; default `loadCommit`. */
  load?: (commit: string) => Promise<CommitLoadResult>;
}

/**
 * Returns the function an S3-triggered invocation asks which environments to reconcile; it
 * resolves to their names, or undefined for every environment.
 *
 * @example
 * const changedEnvironments = changedEnvironmentsFinder({ ...location, s3, logger });
 * const names = await changedEnvironments(loaded); // ['shop-staging']
 */
export function changedEnvironmentsFinder(deps: ChangesDeps) {
  /** Commit pairs this container has compared, and what changed between them. */
  const known = new Map<string, string[]>();

  return async function changedEnvironments(loaded: { commit: string; pointer: CommitPointer; specSet: Pick<SpecSet, 'environments'> }): Promise<string[] | undefined> {
    const { commit, pointer } = loaded;
    const previous = pointer.previous;
    if (previous === null || previous === commit) return undefined;
    const pair = `${previous}#${commit}`;
    const seen = known.get(pair);
    if (seen) return seen;
    const compared = await removalsSince({ bucket: deps.bucket, prefix: deps.prefix, s3: deps.s3, previous, specSet: loaded.specSet, load: deps.load });
    if (!compared.ok) {
      deps.logger.warn(`which environments commit ${shortCommit(commit)} changes could not be told (the commit it replaced, ${shortCommit(previous)}, could not be read), so every environment is reconciled: ${compared.error.message}`);
      return undefined;
    }
    const { changed, unchanged, added } = compared.environments;
    const names = [...changed, ...added].sort();
    known.set(pair, names);
    deps.logger.info(
      `commit ${shortCommit(commit)} changes the rendered specs of ${names.join(', ') || 'no environment'}` +
        (unchanged.length > 0 ? `; ${unchanged.join(', ')} unchanged since ${shortCommit(previous)}, left to the schedule's next pass` : ''),
      { changed: names, unchanged },
    );
    return names;
  };
}

/**
 * A commit loader that remembers the last commit it loaded whole: the announcer of removals and
 * the finder of changes both compare a new HEAD with the commit it replaced, and read it once.
 */
export function rememberingLoader(location: { bucket: string; prefix: string; s3: S3Client }): (commit: string) => Promise<CommitLoadResult> {
  let last: { commit: string; result: Promise<CommitLoadResult> } | undefined;
  return (commit) => {
    if (last?.commit === commit) return last.result;
    const result = loadCommit({ ...location, commit });
    // Only a commit that loaded is remembered; a failure is tried again by the next caller.
    last = { commit, result };
    void result.then((r) => {
      if (!r.ok && last?.commit === commit) last = undefined;
    });
    return result;
  };
}
