import type { Clock } from '../clock.js';

interface Entry {
  at: number;
  seq: number;
  run: () => void;
  /** A sleeper whose signal aborted: dropped without moving the clock. */
  cancelled?: boolean;
}

/** A binary min-heap of entries by (at, seq): thousands of task timers stay cheap to schedule. */
class Queue {
  readonly #items: Entry[] = [];

  get length(): number {
    return this.#items.length;
  }

  peek(): Entry | undefined {
    return this.#items[0];
  }

  push(e: Entry): void {
    const a = this.#items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): Entry | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: Entry, y: Entry) => x.at < y.at || (x.at === y.at && x.seq < y.seq);

/**
 * The simulated account's clock: a discrete-event clock. Simulated AWS state changes (a task
 * reaching RUNNING, a Route 53 change reaching INSYNC, a deployment completing) are timers on it;
 * they fire, in time order, when the clock passes them.
 *
 * `sleep(ms)` costs no real time: the sleeper waits until everything else the process can do
 * without time passing has been done (the event loop reaches its check phase with nothing else
 * runnable), then the clock jumps to the earliest sleeper's wake-up time, firing the timers on the
 * way. So concurrent work is modelled as concurrent: ten calls that each wait 40 ms of latency
 * at the same moment end together 40 ms later, and a retry backing off for 2 s does not make an
 * unrelated call that started meanwhile look 2 s later. Real I/O still in flight (a local DynamoDB
 * server, say) is not waited for: simulated time moves on while it runs. A sleep whose signal
 * aborts ends at once and no longer moves the clock (a stopped pass leaves no wake-up behind).
 */
export class SimClock implements Clock {
  #now: number;
  readonly #timers = new Queue();
  readonly #sleepers = new Queue();
  #seq = 0;
  #cancelled = 0;
  #driving = false;
  #holds = 0;

  constructor(start: number | Date = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        entry.cancelled = true;
        this.#cancelled++;
        resolve();
      };
      const entry: Entry = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        run: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(entry);
      this.#drive();
    });
  }

  /** The earliest sleeper still waiting (aborted ones are dropped on the way). */
  #nextSleeper(): Entry | undefined {
    while (this.#sleepers.peek()?.cancelled) {
      this.#sleepers.pop();
      this.#cancelled--;
    }
    return this.#sleepers.peek();
  }

  /** Moves time forward by `ms`, firing every timer (and waking every sleeper) that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const t = this.#timers.peek();
      const s = this.#nextSleeper();
      const next = t && s ? (before(t, s) ? t : s) : (t ?? s);
      if (!next || next.at > target) break;
      (next === t ? this.#timers : this.#sleepers).pop();
      if (next.at > this.#now) this.#now = next.at;
      next.run();
    }
    if (target > this.#now) this.#now = target;
  }

  /** Runs `run` once the clock reaches `now + delayMs` (immediately on the next advance if 0). */
  schedule(delayMs: number, run: () => void): void {
    this.#timers.push({ at: this.#now + Math.max(0, delayMs), seq: this.#seq++, run });
  }

  /**
   * Keeps simulated time still until the returned function is called: for real I/O that should
   * take no simulated time (the benchmark's local DynamoDB, S3 and SQS servers, whose simulated
   * latency it then sleeps). Without a hold, sleepers elsewhere would move the clock on while the
   * real request is in flight, by however long it happens to take.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0 && this.sleeping > 0) this.#drive();
    };
  }

  /** Number of timers not yet fired (a scenario can advance until this reaches zero). */
  get pending(): number {
    return this.#timers.length;
  }

  /** Number of sleepers waiting for simulated time to pass. */
  get sleeping(): number {
    return this.#sleepers.length - this.#cancelled;
  }

  // The check phase runs once no promise continuation is left to run: everything that can happen
  // without time passing has happened, so time may pass. Two hops, so that work another immediate
  // callback started in the same phase gets to run before simulated time moves.
  #drive(): void {
    if (this.#driving) return;
    this.#driving = true;
    setImmediate(() =>
      setImmediate(() => {
        this.#driving = false;
        if (this.#holds > 0) return;
        const next = this.#nextSleeper();
        if (!next) return;
        this.advanceTo(Math.max(this.#now, next.at));
        if (this.sleeping > 0) this.#drive();
      }),
    );
  }
}
