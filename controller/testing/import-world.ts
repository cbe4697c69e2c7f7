/**
 * The round trip of `steady import` for tests: import a cluster of a simulated account, load the
 * written specs the way `steady validate` does, and plan them against the same account (a dry run).
 */
import type { ChangeRecordsAction, TagResourceAction } from '../model/plan.js';
import type { Action } from '../model/plan.js';
import type { PassResult } from '../model/pass.js';
import { createAdapters, runPass } from '../pass.js';
import { importReads } from '../import/aws.js';
import { readCluster, type ImportOptions } from '../import/read.js';
import { importedDocs, type ImportedDoc } from '../import/specs.js';
import { renderDoc } from '../import/yaml.js';
import type { SimAccount } from '../sim/account.js';
import { formatProblem, parseSpecFiles } from '../spec/load.js';

export interface RoundTrip {
  docs: ImportedDoc[];
  /** The file texts, by file name. */
  files: Record<string, string>;
  skipped: { name: string; why: string }[];
  result: PassResult;
}

/** Imports `options.cluster`, loads what was written, and plans it against the same account. Throws when the written specs are invalid. */
export async function roundTrip(account: SimAccount, options: ImportOptions & { env?: string }): Promise<RoundTrip> {
  const clients = account.clients();
  const adapters = createAdapters(clients);
  const cluster = await readCluster({ ...adapters, reads: importReads(clients, adapters.codedeploy) }, options, account.region);
  const { docs, skipped } = importedDocs(cluster, options.env);
  const files = Object.fromEntries(docs.map((d) => [d.file, renderDoc(d)]));
  // Drafts (`.yaml.draft`) are not spec files: the loader never reads them.
  const loaded = parseSpecFiles(Object.entries(files).filter(([path]) => !path.endsWith('.draft')).map(([path, content]) => ({ path, content })));
  if (!loaded.ok) throw new Error(`the imported specs are invalid:\n${loaded.problems.map(formatProblem).join('\n')}\n\n${Object.values(files).join('\n---\n')}`);
  const [desired] = loaded.specSet.environments;
  const { result } = await runPass({ desired, adapters, clock: account.clock, pollMs: 5_000, dryRun: true });
  return { docs, files, skipped, result };
}

/** True for an action that only adopts: the ownership tag of a service, the ownership record of an alias. */
export function onlyAdopts(a: Action): boolean {
  if (a.kind === 'TagResource') return (a as TagResourceAction).purpose === 'adopt';
  if (a.kind === 'ChangeRecords') return (a as ChangeRecordsAction).changes.every((c) => c.record.type === 'TXT' && c.record.name.startsWith('_steady-'));
  return false;
}

/** The actions of a plan that do more than adopt, with their diffs, for a readable failure. */
export function beyondAdoption(result: PassResult): { kind: string; resource: string; diff: unknown }[] {
  return (result.plan?.actions ?? []).filter((a) => !onlyAdopts(a)).map((a) => ({ kind: a.kind, resource: a.resource, diff: a.diff }));
}
