/**
 * One environment, the whole cycle: take the lease, run the pass, record it, tell people, release
 * the lease. The Lambda handler and `steady reconcile` both call this; `runPass` is the part of it
 * that talks to AWS.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from './clock.js';
import type { MigrationLedger, WaitProgress } from './converge/converge.js';
import type { EmailClient } from './report/email.js';
import { LeaseHeldError, SteadyError } from './errors.js';
import { interruptionOf } from './interrupt.js';
import type { ActualState } from './model/actual.js';
import { MemoryAlertStore, type AlertStore } from './model/alerts.js';
import type { PassStage, SkipReason } from './model/outcome.js';
import type { PassResult, SpecSource } from './model/pass.js';
import type { DesiredEnvironment } from './model/plan.js';
import type { Adapters } from './observe/observe.js';
import { newPassId, passBase, runPass, stoppedBeforePlan, type PassOptions, type PassRun } from './pass.js';
import { buildReport, notify, type NotifyResult } from './report/index.js';
import { holdLease, type HeldLease } from './state/hold.js';
import type { StateStore } from './state/store.js';

/** Default lease time: long enough for a pass, short enough that a crashed holder is not waited for long. */
export const DEFAULT_LEASE_TTL_MS = 5 * 60_000;

export interface ReconcileOptions {
  adapters: Adapters;
  clock: Clock;
  calls?: { counts(): Record<string, number>; reset(): void };
  /** The state table: lease, migration ledger, history, alert memory. Without it, none of those. */
  store?: StateStore;
  /** Without a store: why no lease is taken (`--no-lease` said so, or the account is simulated). */
  noLease?: 'noLease' | 'simulated';
  /** Send Slack/email notifications (needs the Environment's notification targets). */
  notify?: {
    alertStore?: AlertStore;
    clients?: { secretsManager?: SecretsManagerClient; ssm?: SSMClient; sesv2?: EmailClient };
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
  /**
   * Aborts the pass (Ctrl-C, the Lambda's wall-clock deadline) with a PassInterruptedError: it stops
   * starting work in whatever stage it is, records itself and releases the lease.
   */
  signal?: AbortSignal;
  /**
   * Aborts the waiting for a pass that did not stop in time (a call hanging near the Lambda's end):
   * the pass is recorded as interrupted with what is known, the lease released, notifications
   * stop retrying. Later than `signal`.
   */
  finishSignal?: AbortSignal;
  passId?: string;
  pollMs?: number;
  /** Told about long waits (a migration, a CodeDeploy deployment, a DNS change) as they go: the CLI's progress lines. */
  progress?: (p: WaitProgress) => void;
  /** Check the wiring of reachable services after converging (default on; `false` skips it). */
  wiring?: { probes?: boolean } | false;
  /** Runs holding the lease, before the pass (`steady maintenance` writes its window there). */
  prepare?: (store: StateStore) => Promise<void>;
}

/** The environment's lease as a run held it, or why it took none. */
export interface LeaseReport {
  /** `held`: taken for the pass; `none`: `--no-lease`; `notNeeded`: a dry run or a simulated account. */
  state: 'held' | 'none' | 'notNeeded';
  table?: string;
  holder?: string;
  version?: number;
  /** How a held lease ended: released for the next writer, lost to another, or left to expire. */
  end?: 'released' | 'lost' | 'expires';
  /** What a person should know: why none was taken, or what happened to it. */
  message?: string;
}

export interface ReconcileOutcome {
  result: PassResult;
  actual?: ActualState;
  notified?: NotifyResult;
  /** Set when recording the pass failed (the pass itself still happened). */
  recordError?: string;
  lease?: LeaseReport;
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

/** Why no lease was taken, in words for the report. */
const NO_LEASE_WORDS = {
  noLease: '--no-lease: no lease was taken, so nothing kept another writer out of this environment while this pass changed it',
  simulated: 'a simulated account belongs to this process alone: no lease is needed',
};

/**
 * Reconciles one environment under its lease: takes it (or says why not), runs the pass with the
 * lease renewed in the background, records the pass, releases the lease and notifies. A lease
 * lost mid-pass, Ctrl-C or the deadline stop the pass where it is; it is then reported as
 * `interrupted`, recorded, and the lease released, all before this returns.
 *
 * @example
 * const { result } = await reconcileEnvironment(desired, { adapters, clock: systemClock, store, holder: context.awsRequestId });
 */
export async function reconcileEnvironment(desired: DesiredEnvironment, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const { clock, store } = options;
  const passId = options.passId ?? newPassId(desired.name, clock.now());
  let held: HeldLease | undefined;
  // A dry run changes nothing, so it needs no lease: it may run beside a reconciling pass.
  if (store && !options.dryRun) {
    try {
      held = await holdLease(store, desired.name, options.holder, { ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, signal: options.signal });
    } catch (err) {
      if (err instanceof LeaseHeldError) return { result: skippedResult(desired.name, clock.now(), 'skipped', err.message, passId, 'leaseHeld') };
      // Without the lease there is no safe way to change anything: no pass this time.
      return { result: skippedResult(desired.name, clock.now(), 'failed', (err as Error).message, passId) };
    }
  }
  let lease: LeaseReport = held
    ? { state: 'held', table: store!.tableName, holder: held.lease.holder, version: held.lease.version }
    : options.dryRun || options.noLease === 'simulated'
      ? { state: 'notNeeded', ...(options.noLease === 'simulated' && !options.dryRun ? { message: NO_LEASE_WORDS.simulated } : {}) }
      : { state: 'none', message: NO_LEASE_WORDS.noLease };
  try {
    if (store && options.prepare) {
      // The command's own write (a maintenance window) is a change like any other: the lease first.
      await held?.beforeChange();
      await options.prepare(store);
    }
    const memory = await maintenanceMemory(desired, options);
    const ran = await passUnderLease(desired, options, passId, held, memory);
    let { result } = ran;
    let recordError: string | undefined;
    if (store && !options.dryRun) {
      try {
        // A lost lease leaves the memory to its new holder (what this pass switched is on the
        // distribution's tags; the holder's next pass sees it and records the switch).
        const after = ran.maintenance;
        const keep = after && after.remember.length > 0 && !memory.maintenanceUnreadable && result.interrupted?.reason !== 'leaseLost';
        if (keep) await store.saveMaintenance(desired.name, after.remember, after.events);
        await store.savePass(result, ran.actual, { desired, report: buildReport(result) });
      } catch (err) {
        recordError = err instanceof SteadyError ? err.message : String(err);
      }
    }
    if (held) {
      const end = await held.release();
      held = undefined;
      lease = { ...lease, end: end.released ? 'released' : end.lost ? 'lost' : 'expires', ...(end.lost || end.error ? { message: end.lost ?? `the lease could not be released (${end.error}); it expires by itself` } : {}) };
      // Lost between the record and the release: the record cannot say it any more, the report does.
      if (end.lost && !result.interrupted) result = { ...result, interrupted: { reason: 'leaseLost', stage: 'record', message: end.lost } };
    }
    // Ctrl-C: the person wants out; what is owed is sent by the next pass.
    const aborted = result.interrupted?.reason === 'aborted' || options.finishSignal?.aborted;
    const notified =
      options.notify && !options.dryRun && !aborted
        ? await notify(result, {
            notifications: desired.environment.spec.notifications,
            alertStore: options.notify.alertStore ?? store ?? new MemoryAlertStore(),
            clock,
            region: desired.environment.spec.region,
            clients: options.notify.clients,
            logger: options.notify.logger,
            signal: options.finishSignal,
          })
        : undefined;
    return { result, actual: ran.actual, notified, recordError, lease };
  } finally {
    await held?.release();
  }
}

/** What the state table remembers of the environment's Maintenances, or why it could not be read. */
type MaintenanceMemoryRead = Pick<PassOptions, 'maintenance' | 'maintenanceUnreadable'>;

/**
 * What the table remembers of the Maintenances (a command's window, the automatic mode). When it
 * cannot be read, maintenance is left as it is this pass (and nothing of it is saved).
 */
async function maintenanceMemory(desired: DesiredEnvironment, options: ReconcileOptions): Promise<MaintenanceMemoryRead> {
  const { store } = options;
  if (!store || (desired.maintenance?.length ?? 0) === 0) return {};
  try {
    return { maintenance: await store.loadMaintenance(desired.name) };
  } catch (err) {
    return { maintenanceUnreadable: err instanceof SteadyError ? err : new SteadyError(String(err), { transient: true }) };
  }
}

/**
 * Runs the pass with the lease's signal, and checks before it is recorded that the lease is still
 * ours. When `finishSignal` aborts first, stops waiting for it: what is known is the result.
 */
async function passUnderLease(
  desired: DesiredEnvironment,
  options: ReconcileOptions,
  passId: string,
  held: HeldLease | undefined,
  memory: MaintenanceMemoryRead,
): Promise<PassRun> {
  const { clock, store } = options;
  const where: { stage?: PassStage } = {};
  const startedAt = clock.now();
  const running = runPass({
    desired,
    adapters: options.adapters,
    clock,
    calls: options.calls,
    specVersion: options.specVersion,
    specSource: options.specSource,
    dryRun: options.dryRun,
    deadline: options.deadline,
    signal: held?.signal ?? options.signal,
    where,
    passId,
    pollMs: options.pollMs,
    progress: options.progress,
    wiring: options.wiring === false ? undefined : (options.wiring ?? {}),
    ...memory,
    ledger: store && !options.dryRun ? ledgerOf(store, desired.name, passId) : undefined,
    beforeChange: held ? () => held.beforeChange() : undefined,
  });
  const ran = options.finishSignal ? await untilAborted(running, options.finishSignal) : await running;
  if (!ran) {
    const why = interruptionOf(options.finishSignal)!;
    const stage = where.stage ?? 'observe';
    const message = `${why.message}; the pass did not stop in time and was left behind while ${stage === 'observe' ? 'reading AWS' : stage === 'converge' ? 'changing AWS' : 'checking the wiring'}: what it did is not in this record, the next pass observes it`;
    const base = passBase(passId, desired, options, startedAt);
    return { result: stoppedBeforePlan({ clock, desired, dryRun: options.dryRun, calls: options.calls }, base, { reason: why.reason, stage, message }) };
  }
  const lost = held ? await held.confirm() : undefined;
  if (lost && ran.result.interrupted?.reason !== 'leaseLost') {
    return { ...ran, result: { ...ran.result, interrupted: { reason: 'leaseLost', stage: ran.result.interrupted?.stage ?? 'record', message: lost } } };
  }
  return ran;
}

/** The promise's value, or undefined if `signal` aborts first. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return undefined;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
