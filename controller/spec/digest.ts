/**
 * The version of one environment's specs: the SHA-256 of its rendered, validated documents (as
 * canonical JSON: keys sorted, lists in order), whatever files, bases and overlays they were
 * written in. A change to a base that only one overlay's rendering sees changes only that
 * environment's digest; moving documents between files, comments and formatting change none.
 *
 * A commit's id stays the hash of its files (controller/source/commit.ts): it must be verifiable
 * before anything is parsed, by any version of steady, forever. A digest is computed by the
 * steady that reads the specs, on both sides of a comparison, so a change in defaults between
 * versions can never make an old commit unverifiable.
 */
import { createHash } from 'node:crypto';
import type { EnvironmentSpecs, SpecSet } from './load.js';

/**
 * The digest of an environment's rendered documents (lower-case hex SHA-256).
 *
 * @example
 * environmentDigest(specSet.environments[0]) // '3f1a...'
 */
export function environmentDigest(env: EnvironmentSpecs): string {
  const { locations: _locations, ...documents } = env;
  return createHash('sha256').update(canonicalJson(documents)).digest('hex');
}

/** Which environments of `after` differ from `before`, by digest; names sorted. */
export interface EnvironmentChanges {
  changed: string[];
  unchanged: string[];
  /** In `after` only. */
  added: string[];
}

/**
 * Compares two spec sets environment by environment (an environment `after` no longer holds is a
 * removal: `removedSpecs` in removed.ts says it).
 *
 * @example
 * environmentChanges(previousCommit.specSet, specSet) // { changed: ['shop-staging'], unchanged: ['shop-prod'], added: [] }
 */
export function environmentChanges(before: Pick<SpecSet, 'environments'>, after: Pick<SpecSet, 'environments'>): EnvironmentChanges {
  const was = new Map(before.environments.map((e) => [e.name, environmentDigest(e)]));
  const out: EnvironmentChanges = { changed: [], unchanged: [], added: [] };
  for (const env of after.environments) {
    const digest = was.get(env.name);
    if (digest === undefined) out.added.push(env.name);
    else if (digest === environmentDigest(env)) out.unchanged.push(env.name);
    else out.changed.push(env.name);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** JSON with every object's keys sorted; `undefined` fields dropped as JSON.stringify drops them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
