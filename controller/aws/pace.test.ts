import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { AWS_RATE_LIMITS, Pacer, STEADY_RATE_SHARE, TokenBucket } from './pace.js';

/** Calls `take(operation)` on each pacer `n` times at one instant; how many went without waiting. */
async function admittedAtOnce(pacers: Pacer[], operation: string, n: number): Promise<number> {
  let admitted = 0;
  for (const p of pacers) {
    for (let i = 0; i < n; i++) {
      const before = p.waitedMs;
      void p.take(operation); // the wait (if any) is reserved synchronously
      if (p.waitedMs === before) admitted++;
    }
  }
  return admitted;
}

describe('steady pacing its AWS calls', () => {
  it('paces each bucket at STEADY_RATE_SHARE of its burst and refill by default', async () => {
    const clock = new SimClock();
    const pacer = new Pacer(clock, AWS_RATE_LIMITS.elbv2);

    expect(pacer.share).toBe(STEADY_RATE_SHARE);
    expect(pacer.perSecond('DescribeTargetHealth')).toBe(5);
    expect(await admittedAtOnce([pacer], 'DescribeRules', 30)).toBe(20);
  });

  it('ten pacers at a tenth of the share together take no more of a bucket than one pacer at the share', async () => {
    const clock = new SimClock();
    const one = new Pacer(clock, AWS_RATE_LIMITS.elbv2);
    const ten = Array.from({ length: 10 }, () => new Pacer(clock, AWS_RATE_LIMITS.elbv2, STEADY_RATE_SHARE / 10));

    // ELB's Describe* bucket: 40 at once. At the share, 20; ten pacers at a tenth, 2 each.
    expect(await admittedAtOnce([one], 'DescribeRules', 40)).toBe(20);
    expect(await admittedAtOnce(ten, 'DescribeRules', 40)).toBe(20);
    expect(ten.map((p) => p.perSecond('DescribeRules'))).toEqual(Array(10).fill(0.5));
  });

  it('keeps a fraction of a token: a bucket of half a token makes every call wait for the rest of its token', () => {
    const clock = new SimClock();
    // CodeDeploy reads: 10 at once, 5 a second; a twentieth of it is half a token and a quarter a second.
    const bucket = new TokenBucket(clock, 0.5, 0.25);

    expect(bucket.reserve()).toBe(2000);
    expect(bucket.reserve()).toBe(6000);
  });

  it('setShare shrinks a full bucket to the new burst at once and refills at the new rate', async () => {
    const clock = new SimClock();
    const pacer = new Pacer(clock, AWS_RATE_LIMITS.elbv2);
    clock.advance(60_000);

    pacer.setShare(STEADY_RATE_SHARE / 10);

    expect(pacer.share).toBe(0.05);
    expect(pacer.perSecond('DescribeTargetHealth')).toBe(0.5);
    expect(await admittedAtOnce([pacer], 'DescribeTargetHealth', 10)).toBe(2);
    // The writes' bucket (20 at once, 4 a second) shrank too: 1 at once.
    expect(await admittedAtOnce([pacer], 'ModifyRule', 5)).toBe(1);
  });

  it('setShare back up lets the bucket refill to the larger burst, never handing out what it did not refill', async () => {
    const clock = new SimClock();
    const pacer = new Pacer(clock, AWS_RATE_LIMITS.elbv2, 0.05);
    expect(await admittedAtOnce([pacer], 'DescribeRules', 2)).toBe(2);

    pacer.setShare(STEADY_RATE_SHARE);
    expect(await admittedAtOnce([pacer], 'DescribeRules', 1)).toBe(0);
    clock.advance(60_000);
    expect(await admittedAtOnce([pacer], 'DescribeRules', 30)).toBe(20);
  });

  it('refuses a share that is not a part of a bucket', () => {
    const clock = new SimClock();
    expect(() => new Pacer(clock, AWS_RATE_LIMITS.ecs, 0)).toThrow('a share of an AWS rate-limit bucket is above 0 and at most 1, got 0');
    expect(() => new Pacer(clock, AWS_RATE_LIMITS.ecs).setShare(1.5)).toThrow('got 1.5');
  });
});
