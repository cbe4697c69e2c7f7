/**
 * What every executor of converge shares: the pass's execution context (deadline, clock, the
 * revisions registered so far), the migration ledger's interface, and how a failure becomes an
 * outcome.
 */
import type { Clock } from '../clock.js';
import { AwsCallError, PassInterruptedError } from '../errors.js';
import type { Stop } from '../interrupt.js';
import type { DistributionRestore } from '../model/maintenance.js';
import type { Plan, TaskDefinitionRef } from '../model/plan.js';
import type { Adapters } from '../observe/observe.js';
import type { ExecResult } from './schedule.js';

/** What the ledger says about a version/attempt another pass claimed first. */
export interface LedgerEntry {
  claimed: false;
  by: string;
  claimedAt: number;
  state: 'claimed' | 'started' | 'succeeded' | 'failed';
  taskArn?: string;
  reason?: string;
}

/** The migration ledger (DynamoDB) as converge uses it; absent when running without a state table. */
export interface MigrationLedger {
  /** Claims the right to run one migration version/attempt, or says who claimed it first. */
  claim(m: { migration: string; version: string; attempt: number }): Promise<{ claimed: true } | LedgerEntry>;
  recordTask(m: { migration: string; version: string; attempt: number; taskArn: string }): Promise<void>;
  recordResult(m: { migration: string; version: string; attempt: number; succeeded: boolean; reason: string }): Promise<void>;
}

/** A claim without a task this old means its pass died before RunTask. */
export const STALE_CLAIM_MS = 5 * 60_000;

/** The task-definition revisions registered by earlier actions of this pass. */
export class Outputs {
  readonly #arns = new Map<string, string>();
  set(actionId: string, arn: string) {
    this.#arns.set(actionId, arn);
  }
  resolve(ref: TaskDefinitionRef): string {
    if ('arn' in ref) return ref.arn;
    const arn = this.#arns.get(ref.registeredBy);
    if (!arn) throw new Error(`internal: no revision registered by ${ref.registeredBy}`);
    return arn;
  }

  /**
   * An action's summary with the revisions this pass registered named (`shop-api:2`) where the plan
   * could only say `shop-api:<new revision>`, and the registration itself naming its revision
   * (`register task definition shop-api:2`). A family is registered at most once per pass.
   */
  named(summary: string, actionId: string): string {
    let named = summary;
    for (const [id, arn] of this.#arns) {
      const label = arn.slice(arn.lastIndexOf('/') + 1);
      const family = label.slice(0, label.lastIndexOf(':'));
      named = named.split(`${family}:<new revision>`).join(label);
      // Family names are letters, digits, - and _: nothing a regular expression would read as syntax.
      if (id === actionId) named = named.replace(`task definition ${family} (new revision)`, `task definition ${label}`).replace(new RegExp(`task definition ${family}(?= |$)`), `task definition ${label}`);
    }
    return named;
  }
}

/**
 * A long wait, told at each poll to whoever shows progress (the CLI, on a terminal): what is awaited,
 * where it is, and since when (the pass's clock).
 */
export interface WaitProgress {
  /** `Kind/name` of the resource the wait is for. */
  resource: string;
  /** `migration db-migrate (task 1a2b3c4d)`, `CodeDeploy deployment d-ABC of api:3`, `Route 53 change C123`. */
  waitingFor: string;
  /** Where it is now: `RUNNING`, `InProgress`, `PENDING`. */
  status: string;
  since: number;
  now: number;
  /** The latest thing AWS said about it, if it says anything. */
  lastEvent?: string;
}

export interface ExecContext {
  plan: Plan;
  adapters: Adapters;
  outputs: Outputs;
  clock: Clock;
  ledger?: MigrationLedger;
  pollMs: number;
  insyncWaitMs: number;
  deadline: number;
  passId: string;
  beforeChange?: () => Promise<void>;
  progress?: (p: WaitProgress) => void;
  /**
   * Told what a Maintenance's distribution had before maintenance (the restore record, also
   * written to the distribution's tags), and null once it is back: the state table keeps a copy.
   */
  rememberRestore?: (resource: string, distributionId: string, record: DistributionRestore | null) => void;
  /** When to stop starting work and end waits early (the deadline, a lost lease, Ctrl-C). */
  stop: Stop;
}

export function failure(err: unknown): ExecResult {
  const e = err as Error;
  return { state: 'failed', message: e.message, awsName: err instanceof AwsCallError ? err.awsName : undefined };
}


/**
 * Asks `beforeChange` (the lease) whether a change may be made now, in the middle of an action
 * (a migration's result tag after a long wait): the reason it may not, or undefined.
 */
export async function changeRefused(ctx: ExecContext): Promise<string | undefined> {
  try {
    await ctx.beforeChange?.();
    return undefined;
  } catch (err) {
    if (err instanceof PassInterruptedError) return err.message;
    throw err;
  }
}
