/**
 * What a new spec set no longer holds that the previous one did. steady never deletes, so an
 * Environment or resource that vanishes from the specs is simply not reconciled any more: that
 * must be said out loud, once, or a truncated file or a bad merge goes unnoticed. Pure.
 */
import type { Kind } from './schema.js';
import type { EnvironmentSpecs } from './load.js';

/** An Environment, or a resource of an Environment still in the specs, that the new set lacks. */
export interface RemovedSpec {
  kind: Kind;
  name: string;
  /** The Environment it belonged to (its own name for an Environment). */
  environment: string;
  /** For an Environment: how many resources it held, none of which is reconciled any more. */
  resources?: number;
}

type SetLike = { environments: ReadonlyArray<Pick<EnvironmentSpecs, 'name' | 'services' | 'migrations' | 'scheduledTasks' | 'aliases'>> };

/**
 * The Environments of `before` missing from `after`, then the resources missing from the
 * Environments both hold; each in name order. A resource of a removed Environment is not listed
 * on its own: the Environment's line covers it.
 *
 * @example
 * removedSpecs(previous.specSet, loaded.specSet) // [{ kind: 'Environment', name: 'shop-prod', environment: 'shop-prod', resources: 3 }]
 */
export function removedSpecs(before: SetLike, after: SetLike): RemovedSpec[] {
  const kept = new Map(after.environments.map((e) => [e.name, e]));
  const out: RemovedSpec[] = [];
  for (const env of before.environments) {
    if (!kept.has(env.name)) out.push({ kind: 'Environment', name: env.name, environment: env.name, resources: resourcesOf(env).length });
  }
  for (const env of before.environments) {
    const now = kept.get(env.name);
    if (!now) continue;
    const still = new Set(resourcesOf(now).map((r) => `${r.kind}/${r.name}`));
    for (const r of resourcesOf(env)) if (!still.has(`${r.kind}/${r.name}`)) out.push({ ...r, environment: env.name });
  }
  return out;
}

/**
 * One sentence per removal, for people: what is gone, between which commits, and that steady
 * deletes nothing.
 *
 * @example
 * removalMessage(r, 'abc', 'def') // 'Environment shop-prod is no longer in the specs (commit abc → def); it is not reconciled any more; steady deletes nothing'
 */
export function removalMessage(r: RemovedSpec, from: string, to: string): string {
  return removalSentence(r, `commit ${from} → ${to}`);
}

/**
 * The same sentence between any two spec sets, named by `between` (`main → working tree`).
 *
 * @example
 * removalSentence(r, 'main → working tree') // 'Service api of environment shop-prod is no longer in the specs (main → working tree); ...'
 */
export function removalSentence(r: RemovedSpec, between: string): string {
  if (r.kind === 'Environment') {
    const what = r.resources ? `it and its ${r.resources === 1 ? 'resource are' : `${r.resources} resources are`}` : 'it is';
    return `Environment ${r.name} is no longer in the specs (${between}); ${what} not reconciled any more; steady deletes nothing`;
  }
  return `${r.kind} ${r.name} of environment ${r.environment} is no longer in the specs (${between}); it is not reconciled any more; steady deletes nothing`;
}

function resourcesOf(env: Pick<EnvironmentSpecs, 'services' | 'migrations' | 'scheduledTasks' | 'aliases'>): { kind: Kind; name: string }[] {
  return [...env.services, ...env.migrations, ...env.scheduledTasks, ...env.aliases].map((d) => ({ kind: d.kind as Kind, name: d.metadata.name })).sort((a, b) => compare(`${a.kind}/${a.name}`, `${b.kind}/${b.name}`));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
