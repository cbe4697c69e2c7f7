import type { Clock } from '../clock.js';

interface Timer {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * The simulated account's clock. Simulated AWS state changes (a task reaching RUNNING, a Route 53
 * change reaching INSYNC, a deployment completing) are timers on this clock; they fire, in time
 * order, when the clock is advanced past them.
 *
 * `sleep(ms)` advances the clock to "time of the call + ms" without waiting. Concurrent sleepers
 * that started at the same moment therefore share the advance instead of adding theirs up.
 */
export class SimClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #seq = 0;

  constructor(start: number | Date = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    await Promise.resolve();
    this.advanceTo(target);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      if (next.at > this.#now) this.#now = next.at;
      next.run();
    }
    if (target > this.#now) this.#now = target;
  }

  /** Runs `run` once the clock reaches `now + delayMs` (immediately on the next advance if 0). */
  schedule(delayMs: number, run: () => void): void {
    const timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, run };
    const i = this.#timers.findIndex((t) => t.at > timer.at);
    if (i === -1) this.#timers.push(timer);
    else this.#timers.splice(i, 0, timer);
  }

  /** Number of timers not yet fired (a scenario can advance until this reaches zero). */
  get pending(): number {
    return this.#timers.length;
  }
}
