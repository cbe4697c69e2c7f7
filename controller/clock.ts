/**
 * Time as the engine sees it. Production uses the system clock; the simulated account supplies a
 * clock whose `sleep` advances simulated time instantly, so waits and timeouts are tested without
 * sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves once `ms` milliseconds have passed on this clock, or as soon as `signal` aborts (a
   * clock that does not really wait, like the simulated one, may ignore it).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // Cleared on abort, so a stopped pass leaves no timer keeping the process alive.
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
