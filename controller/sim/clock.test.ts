import { setTimeout as realDelay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SimClock } from './clock.js';

describe('SimClock', () => {
  it('lets concurrent sleepers overlap: two 40 ms waits started together end together', async () => {
    const clock = new SimClock(0);
    const ends: number[] = [];
    await Promise.all([clock.sleep(40).then(() => ends.push(clock.now())), clock.sleep(40).then(() => ends.push(clock.now()))]);
    expect(ends).toEqual([40, 40]);
  });

  it('does not move while held: real I/O in flight takes no simulated time, and time moves on once it is released', async () => {
    const clock = new SimClock(0);
    const release = clock.hold();
    let woke: number | undefined;
    const sleeper = clock.sleep(1_000).then(() => (woke = clock.now()));
    // Real time passes (a local server answering); the sleeper must not be woken meanwhile.
    await realDelay(20);
    expect(woke).toBeUndefined();
    expect(clock.now()).toBe(0);
    release();
    release(); // a second call does nothing
    await sleeper;
    expect(woke).toBe(1_000);
  });

  it('moves only when every hold is released', async () => {
    const clock = new SimClock(0);
    const [a, b] = [clock.hold(), clock.hold()];
    const sleeper = clock.sleep(5);
    a();
    await realDelay(10);
    expect(clock.now()).toBe(0);
    b();
    await sleeper;
    expect(clock.now()).toBe(5);
  });
});
