/**
 * When a pass must stop starting work, in one place every stage asks: its deadline on the pass's
 * clock (the Lambda's remaining time minus its margin; simulated time in tests), or its AbortSignal
 * (the lease lost, Ctrl-C, the Lambda's wall-clock deadline). Work in flight finishes; nothing new
 * starts; waits end early. The reason travels as the signal's `reason`, a PassInterruptedError.
 */
import type { Clock } from './clock.js';
import { PassInterruptedError } from './errors.js';
import type { InterruptReason } from './model/outcome.js';

/** What converge has always said of actions the deadline kept from starting. */
export const OUT_OF_TIME = 'the pass ran out of time';

/** Why a pass stops: the reason and the words for it. */
export interface StopReason {
  reason: InterruptReason;
  message: string;
}

/** A pass's stop condition. */
export interface Stop {
  /** Why no new work may start now, or undefined while it may. */
  check(): StopReason | undefined;
  /** Throws PassInterruptedError when no new work may start. */
  throwIfStopped(): void;
  /** Sleeps `ms` on the pass's clock, ending early when the signal aborts. */
  sleep(ms: number): Promise<void>;
  /** The signal behind it (for fetch and SDK calls that take one). */
  signal?: AbortSignal;
}

/** The PassInterruptedError an aborted signal carries (any other abort reads as Ctrl-C's). */
export function interruptionOf(signal: AbortSignal | undefined): PassInterruptedError | undefined {
  if (!signal?.aborted) return undefined;
  const reason = signal.reason as unknown;
  if (reason instanceof PassInterruptedError) return reason;
  return new PassInterruptedError('aborted', reason instanceof Error && reason.message ? reason.message : 'the pass was stopped');
}

/** Aborts `controller` for `reason`, unless it is aborted already (the first reason stands). */
export function interrupt(controller: AbortController, reason: InterruptReason, message: string): void {
  if (!controller.signal.aborted) controller.abort(new PassInterruptedError(reason, message));
}

/**
 * The stop condition of a pass: its deadline on `clock`, and `signal`.
 *
 * @example
 * const stop = stopFor({ clock, deadline: clock.now() + 60_000, signal });
 * for (const unit of work) {
 *   if (stop.check()) break;
 *   await unit();
 * }
 */
export function stopFor(options: { clock: Clock; deadline?: number; signal?: AbortSignal }): Stop {
  const { clock, deadline, signal } = options;
  const check = (): StopReason | undefined => {
    const aborted = interruptionOf(signal);
    if (aborted) return { reason: aborted.reason, message: aborted.message };
    if (deadline !== undefined && clock.now() >= deadline) return { reason: 'outOfTime', message: OUT_OF_TIME };
    return undefined;
  };
  return {
    check,
    signal,
    throwIfStopped() {
      const why = check();
      if (why) throw new PassInterruptedError(why.reason, why.message);
    },
    sleep: (ms) => abortableSleep(clock, ms, signal),
  };
}

/** `clock.sleep(ms)`, over at once when `signal` aborts. */
export async function abortableSleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([clock.sleep(ms, signal), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
