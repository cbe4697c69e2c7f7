import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseHeldError, PassInterruptedError, StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { holdLease } from './hold.js';

const TTL = 5 * 60_000;

let t: LocalStateTable;
let env: string;
let n = 0;

beforeAll(async () => {
  t = await startStateTable('hold-state');
});
afterAll(() => t.close());
beforeEach(() => {
  env = `env-${++n}`;
});

/** A store whose lease reads the simulated clock, so the test can move time past the TTL. */
const store = () => t.store({ leaseClock: t.clock });

function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener('abort', () => resolve(signal.reason), { once: true })));
}

describe('a held lease', () => {
  it('aborts its signal, with reason leaseLost, once the background renewal finds it taken over', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 5 });
    t.clock.advance(TTL + 1); // pass-a stalls past its TTL
    await store().acquireLease(env, 'pass-b', TTL);

    const reason = await aborted(held.signal);

    expect(reason).toBeInstanceOf(PassInterruptedError);
    expect(reason).toMatchObject({ reason: 'leaseLost', message: expect.stringContaining('the lease was taken over by pass-b (version 2') });
    await expect(held.beforeChange()).rejects.toMatchObject({ reason: 'leaseLost' });
    expect(await held.release()).toEqual({ released: false, lost: expect.stringContaining('taken over by pass-b') });
    expect(await t.store().readLease(env)).toMatchObject({ holder: 'pass-b', state: 'held' });
  });

  it('keeps the lease while work runs: renewed in the background, so nobody takes it after the TTL', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 5 });
    const first = held.lease.expiresAt;
    t.clock.advance(TTL / 2 + 1);

    // The heartbeat's renewal moves the expiry on.
    while (held.lease.expiresAt === first) await new Promise((r) => setTimeout(r, 5));
    t.clock.advance(TTL / 2);

    await expect(store().acquireLease(env, 'pass-b', TTL)).rejects.toBeInstanceOf(LeaseHeldError);
    expect(held.signal.aborted).toBe(false);
    expect(await held.release()).toEqual({ released: true });
    expect(await t.store().readLease(env)).toMatchObject({ holder: 'pass-a', state: 'released' });
  });

  it("aborts with the caller's own reason (Ctrl-C) and still releases", async () => {
    const caller = new AbortController();
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, signal: caller.signal });

    caller.abort(new PassInterruptedError('aborted', 'interrupted (Ctrl-C)'));

    expect(held.signal.reason).toMatchObject({ reason: 'aborted' });
    expect(await held.release()).toEqual({ released: true });
  });

  it('says when the lease is no longer ours before the pass is recorded', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 60_000 });
    t.clock.advance(TTL + 1);
    await store().acquireLease(env, 'pass-b', TTL);

    const lost = await held.confirm();

    expect(lost).toMatch(/^renewing the lease for environment env-\d+ as pass-a \(version 1\) in table hold-state: the lease was taken over by pass-b/);
    expect(held.signal.aborted).toBe(true);
    await held.release();
  });

  it("starts aborted when the caller's signal already is", async () => {
    const caller = new AbortController();
    caller.abort(new PassInterruptedError('aborted', 'interrupted (Ctrl-C)'));

    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, signal: caller.signal });

    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toMatchObject({ reason: 'aborted', message: 'interrupted (Ctrl-C)' });
    expect(await held.release()).toEqual({ released: true });
  });

  it('a lease found taken over aborts with the takeover itself as the reason', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 5 });
    t.clock.advance(TTL + 1);
    const taker = await store().acquireLease(env, 'pass-b', TTL);

    const reason = await aborted(held.signal);

    expect((reason as Error).message).toBe(
      `renewing the lease for environment ${env} as pass-a (version 1) in table hold-state: the lease was taken over by pass-b (version 2, until ${new Date(taker.expiresAt).toISOString()}); stop changing AWS`,
    );
    await held.release();
  });

  it('a renewal that fails for another reason keeps the lease while it is valid, aborts once its safety margin is reached, and a failed release says why', async () => {
    const local = await startStateTable(`hold-gone-${n}`);
    try {
      const held = await holdLease(local.store({ leaseClock: t.clock }), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 5 });
      await local.client.send(new DeleteTableCommand({ TableName: local.tableName }));

      // Renewal is due, and fails (the table is gone), but the lease has two minutes left: kept.
      t.clock.advance(TTL / 2 + 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(held.signal.aborted).toBe(false);

      t.clock.advance(TTL / 2 - 30_000);
      const reason = await aborted(held.signal);

      expect(reason).toMatchObject({
        reason: 'leaseLost',
        message: expect.stringMatching(new RegExp(`^the lease for environment ${env} could not be renewed before its safety margin: renewing the lease for environment ${env} as pass-a \\(version 1\\) in table hold-gone-${n}: ResourceNotFoundException`)),
      });
      expect(await held.release()).toEqual({ released: false, error: expect.stringMatching(new RegExp(`^releasing the lease for environment ${env} as pass-a \\(version 1\\) in table hold-gone-${n}: ResourceNotFoundException`)) });
    } finally {
      await local.close();
    }
  });

  it('a table that fails (not a lost lease) is an error before a change and no answer from confirm: the lease is not given up', async () => {
    const local = await startStateTable(`hold-fail-${n}`);
    try {
      const held = await holdLease(local.store({ leaseClock: t.clock }), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 60_000 });
      await local.client.send(new DeleteTableCommand({ TableName: local.tableName }));
      t.clock.advance(TTL / 2 + 1);

      const err = await held.beforeChange().catch((e: unknown) => e);

      expect(err).toBeInstanceOf(StateStoreError);
      expect(await held.confirm()).toBeUndefined();
      expect(held.signal.aborted).toBe(false);
      await held.release();
    } finally {
      await local.close();
    }
  });

  it("once released, neither the caller's abort nor the background renewal touch it", async () => {
    const caller = new AbortController();
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 5, signal: caller.signal });
    expect(await held.release()).toEqual({ released: true });
    const item = await t.store().readLease(env);

    caller.abort(new PassInterruptedError('aborted', 'interrupted (Ctrl-C)'));
    t.clock.advance(TTL / 2 + 1);
    await new Promise((r) => setTimeout(r, 50));

    expect(held.signal.aborted).toBe(false);
    expect(await t.store().readLease(env)).toEqual(item);
  });

  it('is renewed in the background again and again, not only once', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 5 });
    const renewed = async (from: number) => {
      for (let i = 0; i < 400 && held.lease.expiresAt === from; i++) await new Promise((r) => setTimeout(r, 5));
      return held.lease.expiresAt !== from;
    };

    const expiries: number[] = [held.lease.expiresAt];
    for (let round = 0; round < 3; round++) {
      t.clock.advance(TTL / 2 + 1);
      expect(await renewed(expiries[expiries.length - 1])).toBe(true);
      expiries.push(held.lease.expiresAt);
    }

    expect(new Set(expiries).size).toBe(4);
    expect(await held.release()).toEqual({ released: true });
  });
});

describe('a held lease that is still ours', () => {
  it('lets a change start, renewing first when due, and confirm renews it and finds nothing wrong', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 60_000 });
    const acquired = await t.store().readLease(env);

    await held.beforeChange();
    expect(await t.store().readLease(env)).toEqual(acquired); // not due yet: no write

    t.clock.advance(TTL / 2 + 1);
    await held.beforeChange();
    expect(await t.store().readLease(env)).toMatchObject({ holder: 'pass-a', version: 1, renewedAt: t.clock.now(), expiresAt: t.clock.now() + TTL });

    t.clock.advance(1_000);
    expect(await held.confirm()).toBeUndefined();
    expect(await t.store().readLease(env)).toMatchObject({ renewedAt: t.clock.now(), expiresAt: t.clock.now() + TTL });
    expect(held.signal.aborted).toBe(false);
    expect(await held.release()).toEqual({ released: true });
  });

  it('refuses a change once released (leaseLost, saying it was released), and aborts its signal', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 60_000 });
    await held.release();

    const err = await held.beforeChange().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(PassInterruptedError);
    expect(err).toMatchObject({ reason: 'leaseLost', message: `the lease for environment ${env} was released by pass-a; nothing may change until it is acquired again` });
    expect(held.signal.reason).toMatchObject({ reason: 'leaseLost' });
  });

  it('once found lost, confirm names the loss again without writing', async () => {
    const held = await holdLease(store(), env, 'pass-a', { ttlMs: TTL, heartbeatMs: 60_000 });
    t.clock.advance(TTL + 1);
    await store().acquireLease(env, 'pass-b', TTL);
    const first = await held.confirm();
    const taken = await t.store().readLease(env);

    t.clock.advance(1_000);
    expect(await held.confirm()).toBe(first);
    expect(await t.store().readLease(env)).toEqual(taken);
    await held.release();
  });
});

describe('the default heartbeat', () => {
  // Only the renewal's interval timer is faked: the DynamoDB calls and the lease's clock run as usual.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Holds a lease, makes its renewal due, lets `ms` of the heartbeat's timer pass, and says whether it renewed. */
  async function renewedAfter(ttlMs: number, ms: number): Promise<boolean> {
    const held = await holdLease(t.store({ leaseClock: t.clock, leaseSafetyMarginMs: Math.min(30_000, ttlMs / 4) }), env, 'pass-a', { ttlMs });
    const acquired = await t.store().readLease(env);
    t.clock.advance(Math.ceil(ttlMs / 2) + 1);

    vi.advanceTimersByTime(ms);
    await held.release(); // waits for a renewal the timer started

    const item = await t.store().readLease(env);
    expect(item).toMatchObject({ holder: 'pass-a', state: 'released' });
    return item!.renewedAt !== acquired!.renewedAt;
  }

  it('looks every quarter of the TTL: a five-minute lease is renewed 75 s in, not before', async () => {
    expect(await renewedAfter(TTL, TTL / 4 - 1)).toBe(false);
    env = `${env}-b`;
    expect(await renewedAfter(TTL, TTL / 4)).toBe(true);
  });

  it('looks at most every 50 ms, however short the TTL', async () => {
    expect(await renewedAfter(120, 49)).toBe(false);
    env = `${env}-b`;
    expect(await renewedAfter(120, 50)).toBe(true);
  });
});
