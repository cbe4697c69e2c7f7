/**
 * One environment, the whole cycle: take the lease, run the pass, record it, tell people, release
 * the lease. The Lambda handler and `steady reconcile` both call this; `runPass` is the part of it
 * that talks to AWS.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from './clock.js';
import type { MigrationLedger, WaitProgress } from './converge/converge.js';
import { LeaseHeldError, SteadyError } from './errors.js';
import type { ActualState } from './model/actual.js';
import { MemoryAlertStore, type AlertStore } from './model/alerts.js';
import type { SkipReason } from './model/outcome.js';
import type { PassResult, SpecSource } from './model/pass.js';
import type { DesiredEnvironment } from './model/plan.js';
import type { Adapters } from './observe/observe.js';
import { newPassId, runPass } from './pass.js';
import { buildReport, notify, type NotifyResult } from './report/index.js';
import type { Lease } from './state/lease.js';
import type { StateStore } from './state/store.js';

/** Default lease time: long enough for a pass, short enough that a crashed holder is not waited for long. */
export const DEFAULT_LEASE_TTL_MS = 5 * 60_000;

export interface ReconcileOptions {
  adapters: Adapters;
  clock: Clock;
  calls?: { counts(): Record<string, number>; reset(): void };
  /** The state table: lease, migration ledger, history, alert memory. Without it, none of those. */
  store?: StateStore;
  /** Send Slack/email notifications (needs the Environment's notification targets). */
  notify?: {
    alertStore?: AlertStore;
    clients?: { secretsManager?: SecretsManagerClient; ssm?: SSMClient; sesv2?: SESv2Client };
    logger?: { info(msg: string, data?: object): void; warn(msg: string, data?: object): void; error(msg: string, data?: object): void };
  };
  /** Who is asking for the lease (a Lambda request id, `cli@host`). */
  holder: string;
  leaseTtlMs?: number;
  specVersion?: string;
  /** Who published that commit, and when (the manifest's git metadata). */
  specSource?: SpecSource;
  dryRun?: boolean;
  deadline?: number;
  passId?: string;
  pollMs?: number;
  /** Told about long waits (a migration, a CodeDeploy deployment, a DNS change) as they go: the CLI's progress lines. */
  progress?: (p: WaitProgress) => void;
  /** Check the wiring of reachable services after converging (default on; `false` skips it). */
  wiring?: { probes?: boolean } | false;
}

export interface ReconcileOutcome {
  result: PassResult;
  actual?: ActualState;
  notified?: NotifyResult;
  /** Set when recording the pass failed (the pass itself still happened). */
  recordError?: string;
}

/** The migration ledger of the state table, as converge uses it. */
export function ledgerOf(store: StateStore, environment: string, passId: string): MigrationLedger {
  return {
    async claim({ migration, version, attempt }) {
      const c = await store.claimMigration({ environment, migration, version, attempt, passId });
      if (c.claimed) return { claimed: true };
      return { claimed: false, by: c.by, claimedAt: c.entry.claimedAt, state: c.entry.state, taskArn: c.taskArn, reason: c.entry.reason };
    },
    async recordTask({ migration, version, attempt, taskArn }) {
      await store.recordMigrationTask({ environment, migration, version, attempt, taskArn });
    },
    async recordResult({ migration, version, attempt, succeeded, reason }) {
      await store.recordMigrationResult({ environment, migration, version, attempt, result: succeeded ? 'succeeded' : 'failed', reason, passId });
    },
  };
}

/** A result for a pass that did not get to plan (lease held, out of time, specs unreadable). */
export function skippedResult(
  environment: string,
  now: number,
  outcome: 'skipped' | 'failed',
  error: string,
  passId = newPassId(environment, now),
  skipped?: SkipReason,
): PassResult {
  return { passId, environment, startedAt: now, finishedAt: now, mode: 'enforce', dryRun: false, outcomes: [], resources: [], drift: [], apiCalls: {}, outcome, error, ...(skipped ? { skipped } : {}) };
}

/**
 * Reconciles one environment under its lease.
 *
 * @example
 * const { result } = await reconcileEnvironment(desired, { adapters, clock: systemClock, store, holder: context.awsRequestId });
 */
export async function reconcileEnvironment(desired: DesiredEnvironment, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const { clock, store } = options;
  const passId = options.passId ?? newPassId(desired.name, clock.now());
  let lease: Lease | undefined;
  // A dry run changes nothing, so it needs no lease: it may run beside a reconciling pass.
  if (store && !options.dryRun) {
    try {
      lease = await store.acquireLease(desired.name, options.holder, options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
    } catch (err) {
      if (err instanceof LeaseHeldError) return { result: skippedResult(desired.name, clock.now(), 'skipped', err.message, passId, 'leaseHeld') };
      // Without the lease there is no safe way to change anything: no pass this time.
      return { result: skippedResult(desired.name, clock.now(), 'failed', (err as Error).message, passId) };
    }
  }
  try {
    const { result, actual } = await runPass({
      desired,
      adapters: options.adapters,
      clock,
      calls: options.calls,
      specVersion: options.specVersion,
      specSource: options.specSource,
      dryRun: options.dryRun,
      deadline: options.deadline,
      passId,
      pollMs: options.pollMs,
      progress: options.progress,
      wiring: options.wiring === false ? undefined : (options.wiring ?? {}),
      ledger: store && !options.dryRun ? ledgerOf(store, desired.name, passId) : undefined,
      stopReason: lease ? () => (lease!.lost ? 'the lease was lost' : lease!.validFor() <= 0 ? 'the lease is about to expire' : undefined) : undefined,
      beforeChange: lease
        ? async () => {
            await lease!.renewIfDue();
            lease!.assertHeld();
          }
        : undefined,
    });
    let recordError: string | undefined;
    if (store && !options.dryRun) {
      try {
        await store.savePass(result, actual, { desired, report: buildReport(result) });
      } catch (err) {
        recordError = err instanceof SteadyError ? err.message : String(err);
      }
    }
    const notified =
      options.notify && !options.dryRun
        ? await notify(result, {
            notifications: desired.environment.spec.notifications,
            alertStore: options.notify.alertStore ?? store ?? new MemoryAlertStore(),
            clock,
            region: desired.environment.spec.region,
            clients: options.notify.clients,
            logger: options.notify.logger,
          })
        : undefined;
    return { result, actual, notified, recordError };
  } finally {
    await lease?.release().catch(() => undefined);
  }
}
