/**
 * The result of one pass over one environment: what was planned, what was done, where every
 * resource stands afterwards. Reports, the state table and the CLI all read this one shape.
 */
import type { Unreadable } from './actual.js';
import type { Interruption, SkipReason } from './outcome.js';
import type { Phase, Plan, ResourceStatus } from './plan.js';

/** What became of one planned action. */
export interface ActionOutcome {
  actionId: string;
  resource: string;
  kind: string;
  summary: string;
  /**
   * done: the change was made; failed: AWS refused or it did not work; blocked: something it
   * depends on failed or is not ready; held: observe mode, dry run or change budget; pending:
   * started but not finished within the pass (a migration still running, a DNS change still
   * PENDING) — the next pass picks it up.
   */
  state: 'done' | 'failed' | 'blocked' | 'held' | 'pending';
  /** Why it failed / is blocked / is pending, for people. */
  message?: string;
  /** The AWS error name when AWS refused. */
  awsName?: string;
  /** The status reason an executor chose for a failure AWS did not refuse (a CodeDeploy deployment that failed). */
  reason?: string;
  startedAt?: number;
  finishedAt?: number;
}

/** A drift seen in this pass and, if healed in it, how long healing took. */
export interface DriftEvent {
  resource: string;
  /** Stable id of this drift (resource + what differs), for noise control. */
  key: string;
  summary: string;
  diff: { path: string; before?: string; after?: string; specValue?: string }[];
  detectedAt: number;
  healedAt?: number;
}

/** Where the specs of a pass came from, as the published commit's manifest says. */
export interface SpecSource {
  /** When the commit was published (ISO 8601). */
  publishedAt?: string;
  /** `Name <email>` of the git commit, or `--author`. */
  author?: string;
  gitCommit?: string;
  message?: string;
}

export interface PassResult {
  /** Unique per pass, e.g. `shop-prod/2026-01-01T00:00:00.000Z/ab12`. */
  passId: string;
  environment: string;
  /** The spec commit (spec-set hash) the pass used, when specs came from a published commit. */
  specVersion?: string;
  /** Who published that commit and when, when the specs came from a published commit. */
  specSource?: SpecSource;
  startedAt: number;
  finishedAt: number;
  mode: 'enforce' | 'observe';
  dryRun: boolean;
  /** Absent when the pass stopped before planning (specs unreadable, lease held, ...). */
  plan?: Plan;
  outcomes: ActionOutcome[];
  /** Status of every resource after the pass. */
  resources: ResourceStatus[];
  drift: DriftEvent[];
  /** AWS API calls made during the pass, by `service:Operation`. */
  apiCalls: Record<string, number>;
  /**
   * skipped: nothing was attempted (lease held, specs unreadable); failed: the pass itself could
   * not complete (observe failed entirely); ok: the pass ran (resources may still have failed).
   */
  outcome: 'ok' | 'failed' | 'skipped';
  /** Why the pass was skipped or failed. */
  error?: string;
  /** For a skipped pass: the lease was held, or the invocation ran out of time before reaching it. */
  skipped?: SkipReason;
  /** For a pass that started but stopped before it finished: why, and in which stage. */
  interrupted?: Interruption;
  /** What observe could not read, for whom, and why (the causes a report says once). */
  unreadable?: Unreadable[];
}

/** Counts of resources by phase, for summaries. */
export function countPhases(resources: ResourceStatus[]): Record<Phase, number> {
  const counts: Record<Phase, number> = { Synced: 0, Drifted: 0, Progressing: 0, Blocked: 0, Failed: 0 };
  for (const r of resources) counts[r.phase] += 1;
  return counts;
}

/** Actions planned in a pass, and what became of them. */
export function actionCounts(result: PassResult): { planned: number; done: number; failed: number; blocked: number; held: number; pending: number } {
  const count = (state: ActionOutcome['state']) => result.outcomes.filter((o) => o.state === state).length;
  return { planned: result.plan?.actions.length ?? 0, done: count('done'), failed: count('failed'), blocked: count('blocked'), held: count('held'), pending: count('pending') };
}
