/**
 * The Lambda's side of "say loudly, once, what a new commit no longer holds". steady deletes
 * nothing, so an Environment or resource that vanishes from the specs (a truncated file, a bad
 * merge) is simply not reconciled any more; the invocation that first sees such a HEAD says so
 * in the log (one WARN line per Environment or resource) and in the `SpecsRemoved` metric, which
 * the stack's alarm of the same name watches.
 *
 * "Once": HEAD is compared with the commit it replaced (`pointer.previous`) when a container first
 * sees it; a conditional put in the state table (`claimNotice`) lets exactly one invocation of all
 * those that see the same pair speak. Should the table be unusable, the notice is said anyway: a
 * repeat is better than silence.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SpecSet } from '../spec/load.js';
import { removalMessage, type RemovedSpec } from '../spec/removed.js';
import { removalsSince, shortCommit, type CommitLoadResult, type CommitPointer } from '../source/index.js';
import type { StateStore } from '../state/store.js';
import { METRIC } from './telemetry.js';

export interface RemovalsDeps {
  bucket: string;
  prefix: string;
  s3: S3Client;
  store: Pick<StateStore, 'claimNotice'>;
  logger: Logger;
  metrics: Metrics;
  /** Loads a commit; default `loadCommit` (the handler passes one that remembers, see changes.ts). */
  load?: (commit: string) => Promise<CommitLoadResult>;
}

/**
 * Returns the function an invocation calls with the commit it loaded; it resolves to what it
 * announced (nothing when the commit pair was seen before, by this container or any other).
 *
 * @example
 * const announceRemovals = removalsAnnouncer({ ...location, s3, store, logger, metrics });
 * await announceRemovals(loaded, context.awsRequestId);
 */
export function removalsAnnouncer(deps: RemovalsDeps) {
  /** Commit pairs this container has settled: compared, and said or found already said. */
  const settled = new Set<string>();

  return async function announceRemovals(loaded: { commit: string; pointer: CommitPointer; specSet: Pick<SpecSet, 'environments'> }, by: string): Promise<RemovedSpec[]> {
    const { commit, pointer } = loaded;
    const previous = pointer.previous;
    if (previous === null || previous === commit) return [];
    const pair = `${previous}#${commit}`;
    if (settled.has(pair)) return [];
    const compared = await removalsSince({ bucket: deps.bucket, prefix: deps.prefix, s3: deps.s3, previous, specSet: loaded.specSet, load: deps.load });
    if (!compared.ok) {
      // A transient failure is tried again by the next invocation; any other is said once here.
      if (!compared.error.transient) settled.add(pair);
      deps.logger.warn(`what commit ${shortCommit(previous)} held that ${shortCommit(commit)} does not could not be checked: ${compared.error.message}`, { errorKind: compared.error.kind });
      return [];
    }
    if (compared.removed.length === 0) {
      settled.add(pair);
      return [];
    }
    let first = true;
    try {
      first = await deps.store.claimNotice(`specs-removed#${pair}`, by);
    } catch (err) {
      deps.logger.warn(`whether this was said before could not be checked, so it is said (again): ${(err as Error).message}`);
    }
    settled.add(pair);
    if (!first) return [];
    for (const r of compared.removed) {
      deps.logger.warn(removalMessage(r, shortCommit(previous), shortCommit(commit)), { removed: `${r.kind}/${r.name}`, removedFrom: r.environment, previousCommit: previous });
    }
    // Its own EMF line, with the `service` dimension the alarm watches; before any pass adds its own.
    deps.metrics.addMetric(METRIC.specsRemoved, MetricUnit.Count, compared.removed.length);
    deps.metrics.publishStoredMetrics();
    return compared.removed;
  };
}
