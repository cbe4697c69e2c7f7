/**
 * What the status page is drawn from, read from the state table alone (no ECS or Route 53 call):
 * per environment the statuses (with the wiring chains), the recent passes, the drift of the
 * window, the last pass's report and the lease. Plain data, so the page can be rendered from a
 * table, from a test's records or from a benchmark's.
 */
import { mapLimit } from '../concurrency.js';
import type { Report } from '../report/model.js';
import type { LeaseItem } from '../state/lease.js';
import type { DriftRecord, PassRecord, StoredStatus } from '../state/records.js';
import type { StateStore } from '../state/store.js';

export interface EnvironmentData {
  name: string;
  /** Every resource's last recorded status; `Wiring` ones carry their chain. */
  statuses: StoredStatus[];
  /** The most recent passes, newest first. */
  passes: PassRecord[];
  /** Drift first seen within the window, newest first. */
  drift: DriftRecord[];
  /** The report of the last pass, when it was recorded with one. */
  report?: Report;
  lease?: Pick<LeaseItem, 'holder' | 'expiresAt' | 'state'>;
}

export interface SiteData {
  /** Epoch ms the page was made at: ages are counted to it. */
  generatedAt: number;
  /** Start of the drift window (epoch ms). */
  since: number;
  /** Where the data came from, for the footer: `table steady-state`. */
  source: string;
  environments: EnvironmentData[];
}

export interface LoadOptions {
  /** Only this environment (default: every environment that recorded a pass). */
  environment?: string;
  /** Only these environments. */
  environments?: string[];
  now: number;
  /** How far back the drift timeline goes: 7 days by default. */
  sinceMs?: number;
  /** How many recent passes per environment: 20 by default. */
  passes?: number;
}

export const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60_000;
export const DEFAULT_PASSES = 20;

/**
 * Reads everything the page shows, five queries per environment, at most 8 environments at once.
 *
 * @example
 * const data = await loadSiteData(store, { now: Date.now() });
 * await writeStatusSite('status/', data);
 */
export async function loadSiteData(store: StateStore, options: LoadOptions): Promise<SiteData> {
  const since = options.now - (options.sinceMs ?? DEFAULT_WINDOW_MS);
  const only = options.environments ?? (options.environment ? [options.environment] : undefined);
  const names = only && only.length > 0 ? only : (await store.listEnvironments()).map((e) => e.environment).sort();
  const environments = await mapLimit(names, 8, async (name): Promise<EnvironmentData> => {
    const [statuses, passes, drift, last, lease] = await Promise.all([
      store.loadStatuses(name),
      store.recentPasses(name, options.passes ?? DEFAULT_PASSES),
      store.listDrift(name, since),
      store.lastPass(name),
      store.readLease(name),
    ]);
    return {
      name,
      statuses,
      passes,
      drift,
      ...(last?.report ? { report: last.report as Report } : {}),
      ...(lease ? { lease: { holder: lease.holder, expiresAt: lease.expiresAt, state: lease.state } } : {}),
    };
  });
  return { generatedAt: options.now, since, source: `table ${store.tableName}`, environments };
}
