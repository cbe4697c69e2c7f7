/**
 * The time an invocation has, as every stage of a pass honours it. Lambda freezes the container
 * the moment the function's time is up, with whatever is in flight: a pass that is still
 * changing AWS then, unrecorded, keeps its lease held until the TTL. So an invocation keeps a
 * margin (`STEADY_TIME_MARGIN_SECONDS`) and, at the deadline (the remaining time minus the
 * margin), every pass stops starting work; at the finish line (half the margin later) a pass that
 * has still not stopped is given up: it is recorded as interrupted with what is known, its lease
 * released and notifications stop retrying, all before the function returns. middy's own early
 * timeout (its signal, a few ms before the end) aborts both.
 */
import type { Clock } from '../clock.js';
import { interrupt, OUT_OF_TIME } from '../interrupt.js';

/** An invocation's time, in the forms a pass reads it. */
export interface InvocationTime {
  /** The deadline on the pass's clock (the simulated clock in tests): nothing new starts after it. */
  deadline: number;
  /** Aborts (reason `outOfTime`) at the deadline in wall-clock time, or when middy gives up. */
  signal: AbortSignal;
  /** Aborts half the margin after the deadline: a pass still running is given up. */
  finishSignal: AbortSignal;
  /** Stops the timers (call when the invocation ends). */
  dispose(): void;
}

/**
 * @example
 * const time = invocationTime({ clock, remainingMs: context.getRemainingTimeInMillis(), marginMs: 60_000, signal });
 * try { await reconcileEnvironment(desired, { ...options, deadline: time.deadline, signal: time.signal, finishSignal: time.finishSignal }); }
 * finally { time.dispose(); }
 */
export function invocationTime(options: { clock: Clock; remainingMs: number; marginMs: number; signal?: AbortSignal }): InvocationTime {
  const { clock, remainingMs, marginMs } = options;
  const stop = new AbortController();
  const finish = new AbortController();
  const outOfTime = () => interrupt(stop, 'outOfTime', OUT_OF_TIME);
  const givenUp = () => interrupt(finish, 'outOfTime', 'the invocation ran out of time');
  const timers = [setTimeout(outOfTime, Math.max(0, remainingMs - marginMs)), setTimeout(givenUp, Math.max(0, remainingMs - marginMs / 2))];
  // The timers must never keep a process alive by themselves.
  for (const t of timers) t.unref?.();
  const onMiddyTimeout = () => {
    outOfTime();
    givenUp();
  };
  if (options.signal?.aborted) onMiddyTimeout();
  options.signal?.addEventListener('abort', onMiddyTimeout, { once: true });
  return {
    deadline: clock.now() + remainingMs - marginMs,
    signal: stop.signal,
    finishSignal: finish.signal,
    dispose() {
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onMiddyTimeout);
    },
  };
}
