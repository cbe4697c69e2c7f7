/**
 * A lease held for the length of some work (a pass, `steady retry`, maintenance): renewed in the
 * background on wall-clock time while the work runs, and an AbortSignal that aborts, with reason
 * `leaseLost`, the moment the lease is found lost (taken over, released by someone else, gone
 * with the table, or unrenewable until its safety margin). The work asks `beforeChange()` before
 * every change of AWS and stops starting work when the signal aborts.
 */
import { LeaseLostError, PassInterruptedError, SteadyError } from '../errors.js';
import { interrupt } from '../interrupt.js';
import type { Lease } from './lease.js';
import type { StateStore } from './store.js';

/** How the end of a held lease went. */
export interface LeaseEnd {
  /** True when this holder released it (the next writer may start at once). */
  released: boolean;
  /** Set when the lease turned out to be lost: why, in words. */
  lost?: string;
  /** Set when the release could not be written (it then expires by itself). */
  error?: string;
}

/** A lease being held. */
export interface HeldLease {
  lease: Lease;
  /** Aborts when the lease is lost, or when the signal given to `holdLease` aborts. */
  signal: AbortSignal;
  /** Renews when due and throws PassInterruptedError (`leaseLost`) unless a change may start now. */
  beforeChange(): Promise<void>;
  /**
   * Proves the lease is still ours with a conditional write (before recording what was done), and
   * returns why not when it is not.
   */
  confirm(): Promise<string | undefined>;
  /** Stops renewing and releases the lease (a lost lease is left to its new holder). Never throws. */
  release(): Promise<LeaseEnd>;
}

export interface HoldLeaseOptions {
  ttlMs: number;
  /** The caller's own signal (Ctrl-C, a deadline): aborting it aborts the held lease's signal too. */
  signal?: AbortSignal;
  /** How often the background renewal looks (default a quarter of the TTL). */
  heartbeatMs?: number;
}

function lostMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Takes the environment's lease (LeaseHeldError when another holder has it) and keeps it until
 * `release()`.
 *
 * @example
 * const held = await holdLease(store, 'shop-prod', holder, { ttlMs: 5 * 60_000, signal });
 * try {
 *   await held.beforeChange(); // before each change of AWS
 *   await changeSomething({ signal: held.signal });
 * } finally {
 *   await held.release();
 * }
 */
export async function holdLease(store: StateStore, environment: string, holder: string, options: HoldLeaseOptions): Promise<HeldLease> {
  const lease = await store.acquireLease(environment, holder, options.ttlMs);
  const controller = new AbortController();
  const lost = (err: unknown) => interrupt(controller, 'leaseLost', lostMessage(err));
  const onParentAbort = () => {
    if (!controller.signal.aborted) controller.abort(options.signal!.reason);
  };
  if (options.signal?.aborted) onParentAbort();
  options.signal?.addEventListener('abort', onParentAbort, { once: true });

  let renewing: Promise<void> | undefined;
  const heartbeat = async () => {
    try {
      await lease.renewIfDue();
    } catch (err) {
      if (err instanceof LeaseLostError) return lost(err);
      // A failed write (throttled, unreachable): keep the lease while it is valid, and say why when it is not.
      if (lease.validFor() <= 0) lost(new LeaseLostError(`the lease for environment ${environment} could not be renewed before its safety margin: ${lostMessage(err)}`, environment, 'expired'));
    }
  };
  const timer = setInterval(() => {
    renewing ??= heartbeat().finally(() => (renewing = undefined));
  }, options.heartbeatMs ?? Math.max(50, Math.floor(options.ttlMs / 4)));
  // The renewal must never keep a process alive on its own.
  timer.unref?.();

  const stop = async () => {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onParentAbort);
    await renewing;
  };

  return {
    lease,
    signal: controller.signal,
    async beforeChange() {
      try {
        await lease.renewIfDue();
        lease.assertHeld();
      } catch (err) {
        if (!(err instanceof LeaseLostError)) throw err;
        lost(err);
        throw new PassInterruptedError('leaseLost', err.message);
      }
    },
    async confirm() {
      if (lease.lost) return lease.lostError!.message;
      try {
        await lease.renew();
        return undefined;
      } catch (err) {
        if (!(err instanceof LeaseLostError)) return undefined;
        lost(err);
        return err.message;
      }
    },
    async release() {
      await stop();
      try {
        await lease.release();
      } catch (err) {
        return { released: false, error: err instanceof SteadyError ? err.message : String(err) };
      }
      if (lease.lost) return { released: false, lost: lease.lostError!.message };
      return { released: true };
    },
  };
}
