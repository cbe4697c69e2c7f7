import { describe, expect, it } from 'vitest';
import { STEADY_RATE_SHARE } from '../aws/pace.js';
import { accountOf, fallbackShares, homeAccount, rateShares } from './rate-share.js';
import { readWorkMessage } from './worker.js';

const HOME = '123456789012';
const OTHER = '210987654321';
const role = (account: string) => ({ roleArn: `arn:aws:iam::${account}:role/steady-target` });

describe('each worker’s share of AWS’s rate limits', () => {
  it('divides the share by the workers that can be in one account and Region at once: the environments there, at most workerConcurrency', () => {
    const environments = [
      ...Array.from({ length: 25 }, (_, i) => ({ name: `big-${i}`, spec: { region: 'eu-west-1' } })),
      { name: 'pair-a', spec: { region: 'us-east-1' } },
      { name: 'pair-b', spec: { region: 'us-east-1', account: HOME } },
      { name: 'alone', spec: { region: 'eu-west-1', ...role(OTHER) } },
    ];

    const shares = rateShares(environments, 10, HOME);

    // 25 in one account and Region, 10 workers: each a tenth. Route 53 and CloudFront are the account's: 27 share them.
    expect(shares.get('big-0')).toEqual({ regional: STEADY_RATE_SHARE / 10, global: STEADY_RATE_SHARE / 10 });
    // An environment naming the controller's own account is in the same place as one naming none.
    expect(shares.get('pair-a')).toEqual({ regional: STEADY_RATE_SHARE / 2, global: STEADY_RATE_SHARE / 10 });
    expect(shares.get('pair-b')).toEqual(shares.get('pair-a'));
    expect(shares.get('alone')).toEqual({ regional: STEADY_RATE_SHARE, global: STEADY_RATE_SHARE });
  });

  it('never lets the workers that can run at once in one account and Region sum to more than the share', () => {
    const environments = Array.from({ length: 40 }, (_, i) => ({ name: `e${i}`, spec: { region: ['eu-west-1', 'us-east-1'][i % 2], ...(i % 3 === 0 ? role(OTHER) : {}) } }));
    for (const workers of [1, 2, 7, 10, 100]) {
      const shares = rateShares(environments, workers, HOME);
      const places = new Map<string, number[]>();
      for (const e of environments) {
        const key = `${accountOf(e.spec, HOME)}|${e.spec.region}`;
        places.set(key, [...(places.get(key) ?? []), shares.get(e.name)!.regional]);
      }
      for (const [, list] of places) {
        // The largest sum: the `workers` largest shares of that place together.
        const worst = list.sort((a, b) => b - a).slice(0, workers).reduce((a, b) => a + b, 0);
        expect(worst).toBeLessThanOrEqual(STEADY_RATE_SHARE + 1e-12);
      }
    }
  });

  it("reads the controller's account from the invoked function's ARN, and the account of an environment from its role first", () => {
    expect(homeAccount('arn:aws:lambda:ap-northeast-1:123456789012:function:steady')).toBe(HOME);
    expect(homeAccount('arn:aws:lambda:ap-northeast-1:123456789012:function:steady:live')).toBe(HOME);
    expect(homeAccount(undefined)).toBe('');
    expect(accountOf({ region: 'eu-west-1', account: OTHER, ...role(OTHER) }, HOME)).toBe(OTHER);
    expect(accountOf({ region: 'eu-west-1' }, HOME)).toBe(HOME);
    // Without a role steady calls with its own credentials: the controller's account's buckets.
    expect(accountOf({ region: 'eu-west-1', account: OTHER }, HOME)).toBe(HOME);
  });

  it('assumes every worker is in one account and Region for a message that names no share', () => {
    expect(fallbackShares(10)).toEqual({ regional: 0.05, global: 0.05 });
    expect(() => rateShares([], 0, HOME)).toThrow('workerConcurrency must be a whole number of workers, at least 1, got 0');
  });
});

describe('the share in a work message', () => {
  const body = (extra: object) => JSON.stringify({ v: 1, environment: 'e1', commit: 'c0ffee', specHash: 'h1', trigger: 'schedule', dryRun: false, dispatchedAt: 0, ...extra });

  it('is read when given, and may be absent (a message from a dispatcher older than it)', () => {
    expect(readWorkMessage(body({ rateShare: { regional: 0.05, global: 0.025 } }))).toMatchObject({ ok: true, message: { rateShare: { regional: 0.05, global: 0.025 } } });
    const old = readWorkMessage(body({}));
    expect(old.ok && old.message.rateShare).toBeUndefined();
  });

  it('is refused above steady’s share of a bucket, or at nothing', () => {
    expect(readWorkMessage(body({ rateShare: { regional: 0.9, global: 0.05 } }))).toEqual({ ok: false, problem: 'rateShare.regional: Too big: expected number to be <=0.5' });
    expect(readWorkMessage(body({ rateShare: { regional: 0.05, global: 0 } }))).toEqual({ ok: false, problem: 'rateShare.global: Too small: expected number to be >0' });
  });
});
