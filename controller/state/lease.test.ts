import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, LeaseHeldError, StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { LeaseLostError } from '../errors.js';
import { SimClock } from '../sim/clock.js';
import { keys } from './table.js';

const TTL = 5 * 60_000;

let t: LocalStateTable;
let env: string;
let n = 0;

beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());
beforeEach(() => {
  // A fresh environment per test: the table is shared, the lease items are not.
  env = `env-${++n}`;
});

/** A store whose lease reads the table's simulated clock, so these tests can move time. */
const leaseStore = (options: Parameters<LocalStateTable['store']>[0] = {}) => t.store({ leaseClock: t.clock, ...options });

async function storedLease() {
  const out = await DynamoDBDocumentClient.from(t.client).send(new GetCommand({ TableName: t.tableName, Key: keys.lease(env), ConsistentRead: true }));
  return out.Item;
}

describe('the lease', () => {
  it('is acquired when there is no lease, with version 1 and an expiry of now + ttl', async () => {
    const store = leaseStore();
    const now = t.clock.now();

    const lease = await store.acquireLease(env, 'pass-a', TTL);

    expect({ holder: lease.holder, version: lease.version, expiresAt: lease.expiresAt, lost: lease.lost }).toEqual({
      holder: 'pass-a',
      version: 1,
      expiresAt: now + TTL,
      lost: false,
    });
    expect(await storedLease()).toEqual({
      pk: `ENV#${env}`,
      sk: 'LEASE',
      environment: env,
      holder: 'pass-a',
      version: 1,
      expiresAt: now + TTL,
      state: 'held',
      acquiredAt: now,
      renewedAt: now,
    });
  });

  it('refuses a second holder while held, saying who holds it and until when', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);

    const err = await store.acquireLease(env, 'pass-b', TTL).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LeaseHeldError);
    expect((err as LeaseHeldError).message).toBe(`lease for environment ${env} is held by pass-a until ${new Date(lease.expiresAt).toISOString()}`);
    expect(err).toMatchObject({ holder: 'pass-a', expiresAt: lease.expiresAt, transient: true });
  });

  it('lets another holder take over once the holder crashed and its lease expired, with the next version', async () => {
    const store = leaseStore();
    await store.acquireLease(env, 'pass-a', TTL); // pass-a "crashes": never renews nor releases
    t.clock.advance(TTL);

    const lease = await store.acquireLease(env, 'pass-b', TTL);

    expect({ holder: lease.holder, version: lease.version }).toEqual({ holder: 'pass-b', version: 2 });
    expect(await storedLease()).toMatchObject({ holder: 'pass-b', version: 2, state: 'held' });
  });

  it('is renewed by its holder: the expiry moves to now + ttl and the version stays', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL - 60_000);

    await lease.renew();

    expect(lease.expiresAt).toBe(t.clock.now() + TTL);
    expect(await storedLease()).toMatchObject({ holder: 'pass-a', version: 1, expiresAt: t.clock.now() + TTL, renewedAt: t.clock.now() });
    // Renewed in time, it is still held: nobody else gets it.
    t.clock.advance(TTL - 60_000);
    await expect(store.acquireLease(env, 'pass-b', TTL)).rejects.toBeInstanceOf(LeaseHeldError);
  });

  it('fails to renew after a takeover, naming the new holder, and marks itself lost', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL + 1);
    const taker = await store.acquireLease(env, 'pass-b', TTL);

    const err = await lease.renew().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LeaseLostError);
    expect((err as Error).message).toBe(
      `renewing the lease for environment ${env} as pass-a (version 1) in table ${t.tableName}: ` +
        `the lease was taken over by pass-b (version 2, until ${new Date(taker.expiresAt).toISOString()}); stop changing AWS`,
    );
    expect(lease.lost).toBe(true);
    expect(() => lease.assertHeld()).toThrow(err as Error);
    expect(await storedLease()).toMatchObject({ holder: 'pass-b', version: 2, expiresAt: taker.expiresAt });
  });

  it('is released by its holder, and then acquired at once by the next', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);

    await lease.release();

    expect(await storedLease()).toMatchObject({ holder: 'pass-a', version: 1, state: 'released', releasedAt: t.clock.now() });
    expect(() => lease.assertHeld()).toThrow(`the lease for environment ${env} was released by pass-a; nothing may change until it is acquired again`);
    const next = await store.acquireLease(env, 'pass-b', TTL);
    expect(next.version).toBe(2);
    expect(await storedLease()).not.toHaveProperty('releasedAt');
  });

  it('never releases a lease another holder took over', async () => {
    const store = leaseStore();
    const stale = await store.acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL);
    const current = await store.acquireLease(env, 'pass-b', TTL);

    await stale.release();

    expect(stale.lost).toBe(true);
    expect(await storedLease()).toMatchObject({ holder: 'pass-b', version: 2, state: 'held', expiresAt: current.expiresAt });
    await expect(store.acquireLease(env, 'pass-c', TTL)).rejects.toThrow(`is held by pass-b`);
  });

  it('lets exactly one of two simultaneous acquisitions win', async () => {
    const store = leaseStore();

    const results = await Promise.allSettled([store.acquireLease(env, 'pass-a', TTL), store.acquireLease(env, 'pass-b', TTL)]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(LeaseHeldError);
    const winner = (won[0] as PromiseFulfilledResult<{ holder: string }>).value.holder;
    expect((lost[0].reason as LeaseHeldError).holder).toBe(winner);
    expect(await storedLease()).toMatchObject({ holder: winner, version: 1 });
  });

  it('stops new work once its own expiry minus the safety margin has passed', async () => {
    const store = leaseStore({ leaseSafetyMarginMs: 30_000 });
    const lease = await store.acquireLease(env, 'pass-a', TTL);

    t.clock.advance(TTL - 30_000 - 1);
    expect(lease.validFor()).toBe(1);
    expect(() => lease.assertHeld()).not.toThrow();

    t.clock.advance(1);
    expect(lease.validFor()).toBe(0);
    expect(() => lease.assertHeld()).toThrow(
      `the lease for environment ${env} held by pass-a (version 1) runs out at ${new Date(lease.expiresAt).toISOString()}, within the safety margin of 30s: renew it before changing AWS`,
    );
    // Nobody took it over, so the holder may still renew and carry on.
    await lease.renew();
    expect(lease.validFor()).toBe(TTL - 30_000);
  });

  it('uses the expiry the holder wrote: a taker whose clock runs behind waits longer, never less', async () => {
    // The taker's clock runs 2 s behind the holder's: the item says start + TTL on the holder's clock.
    const store = leaseStore();
    const start = t.clock.now();
    await store.acquireLease(env, 'pass-a', TTL);
    const takerClock = { now: () => t.clock.now() - 2_000, sleep: async () => {} };
    const taker = leaseStore({ leaseClock: takerClock });

    // By the holder's clock the lease has just run out; by the taker's it has 2 s left: it waits.
    t.clock.advance(TTL);
    await expect(taker.acquireLease(env, 'pass-b', TTL)).rejects.toThrow(`held by pass-a until ${new Date(start + TTL).toISOString()}`);
    t.clock.advance(1_999);
    await expect(taker.acquireLease(env, 'pass-b', TTL)).rejects.toThrow(`held by pass-a until ${new Date(start + TTL).toISOString()}`);

    // 2 s after the written expiry, by the holder's clock: the taker proceeds.
    t.clock.advance(1);
    await expect(taker.acquireLease(env, 'pass-b', TTL)).resolves.toMatchObject({ holder: 'pass-b', version: 2 });
  });

  it('a taker whose clock runs ahead takes over no earlier than the written expiry by its own clock', async () => {
    const store = leaseStore();
    const start = t.clock.now();
    const lease = await store.acquireLease(env, 'pass-a', TTL);
    const takerClock = { now: () => t.clock.now() + 2_000, sleep: async () => {} };
    const taker = leaseStore({ leaseClock: takerClock });

    // Holder's view: it stopped new work 30 s before expiry; the taker (2 s ahead) still waits.
    t.clock.advance(TTL - 30_000);
    expect(lease.validFor()).toBe(0);
    await expect(taker.acquireLease(env, 'pass-b', TTL)).rejects.toThrow(`held by pass-a until ${new Date(start + TTL).toISOString()}`);

    // By the taker's clock the written expiry has passed: the taker proceeds, 28 s after the holder stopped.
    t.clock.advance(30_000 - 2_000);
    await expect(taker.acquireLease(env, 'pass-b', TTL)).resolves.toMatchObject({ holder: 'pass-b', version: 2 });
  });

  it('a released or lost lease leaves no time for work, however long its item had left', async () => {
    const store = leaseStore();
    const released = await store.acquireLease(env, 'pass-a', TTL);
    await released.release();
    expect(released.validFor()).toBe(0);
    expect(() => released.assertHeld()).toThrow(`the lease for environment ${env} was released by pass-a; nothing may change until it is acquired again`);

    const lost = await store.acquireLease(env, 'pass-b', TTL);
    // The lease item disappears (the table was recreated): the holder learns it on renewing.
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.lease(env) }));
    await expect(lost.renew()).rejects.toThrow(/the lease item is gone/);
    expect(lost.lost).toBe(true);
    expect(lost.expiresAt).toBeGreaterThan(t.clock.now() + 60_000);
    expect(lost.validFor()).toBe(0);
  });

  it('a release that fails for another reason than a refused condition throws, and the lease is not taken for released', async () => {
    const env2 = `${env}-gone`;
    const local = await startStateTable(`steady-state-release-${n}`);
    try {
      const lease = await local.store({ leaseClock: t.clock }).acquireLease(env2, 'pass-a', TTL);
      await local.client.send(new DeleteTableCommand({ TableName: local.tableName }));

      await expect(lease.release()).rejects.toThrow(new RegExp(`^releasing the lease for environment ${env2} as pass-a \\(version 1\\) in table ${local.tableName}: `));
      expect(lease.released).toBe(false);
      expect(lease.lost).toBe(false);
    } finally {
      await local.close();
    }
  });

  it('a refused acquisition that then finds the lease free tries again and gets it', async () => {
    const store = leaseStore();
    await store.acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL - 500);
    // Each reading of the taker's clock is one second later: the holder's lease runs out between
    // the refused write and the read that follows it.
    let ticks = 0;
    const ticking = { now: () => t.clock.now() + 1_000 * ticks++, sleep: async () => {} };

    const lease = await leaseStore({ leaseClock: ticking }).acquireLease(env, 'pass-b', TTL);

    expect({ holder: lease.holder, version: lease.version }).toEqual({ holder: 'pass-b', version: 2 });
  });

  it('renews when due: not while more than half the ttl is left, then yes', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);

    t.clock.advance(TTL / 2 - 1);
    expect(await lease.renewIfDue()).toBe(false);
    t.clock.advance(1);
    expect(await lease.renewIfDue()).toBe(true);
    expect(lease.expiresAt).toBe(t.clock.now() + TTL);
  });

  it('refuses a ttl that leaves no time for work after the safety margin', async () => {
    const store = leaseStore({ leaseSafetyMarginMs: 30_000 });

    const err = await store.acquireLease(env, 'pass-a', 60_000).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('lease TTL 60000ms must exceed twice the safety margin (30000ms), or a holder could never start work');
    expect(await storedLease()).toBeUndefined();
  });
});

describe('the lease: what a refused or lost lease says (rules mutation testing found unguarded, docs/mutation.md)', () => {
  it('a released lease says so in its error, with the reason "released"', async () => {
    const lease = await leaseStore().acquireLease(env, 'pass-a', TTL);
    await lease.release();

    const err = (() => {
      try {
        lease.assertHeld();
      } catch (e) {
        return e;
      }
    })();

    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ environment: env, reason: 'released' });
  });

  it('a lease past its safety margin says so in its error, with the reason "expired"', async () => {
    const lease = await leaseStore({ leaseSafetyMarginMs: 30_000 }).acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL - 30_000);

    let err: unknown;
    try {
      lease.assertHeld();
    } catch (e) {
      err = e;
    }

    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ environment: env, reason: 'expired' });
  });

  it('a lost lease stays lost: renewing again throws the same error, whatever became of the item since', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL);
    await store.acquireLease(env, 'pass-b', TTL);
    const first = await lease.renew().catch((e: unknown) => e);
    // Whatever happens to the item afterwards, the lease already knows it is lost.
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.lease(env) }));

    const again = await lease.renew().catch((e: unknown) => e);

    expect(first).toMatchObject({ reason: 'taken-over' });
    expect(again).toBe(first);
    expect(await storedLease()).toBeUndefined();
  });

  it('releasing twice does nothing: the lease stays released (not lost) and the item keeps its first release', async () => {
    const lease = await leaseStore().acquireLease(env, 'pass-a', TTL);
    await lease.release();
    const item = await storedLease();
    t.clock.advance(1_000);

    await lease.release();

    expect({ released: lease.released, lost: lease.lost }).toEqual({ released: true, lost: false });
    expect(await storedLease()).toEqual(item);
  });

  it('releasing a lost lease leaves it lost for the reason first found, and the new holder\'s item alone', async () => {
    const store = leaseStore();
    const lease = await store.acquireLease(env, 'pass-a', TTL);
    t.clock.advance(TTL);
    await store.acquireLease(env, 'pass-b', TTL);
    const first = await lease.renew().catch((e: unknown) => e);
    const item = await storedLease();

    await lease.release();

    expect(lease.lostError).toBe(first);
    expect(lease.released).toBe(false);
    expect(await storedLease()).toEqual(item);
  });

  it('a lease whose item is gone is lost with the reason "missing"', async () => {
    const lease = await leaseStore().acquireLease(env, 'pass-a', TTL);
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.lease(env) }));

    const err = await lease.renew().catch((e: unknown) => e);

    expect(err).toMatchObject({ reason: 'missing', message: expect.stringMatching(/: the lease item is gone \(was the table recreated\?\); stop changing AWS$/) });
  });

  it('after the table was recreated, another holder at the same version has taken the lease over: never "already released"', async () => {
    const store = leaseStore();
    const old = await store.acquireLease(env, 'pass-a', TTL);
    // The item is lost with the table; the next pass starts again at version 1.
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.lease(env) }));
    const now = await store.acquireLease(env, 'pass-b', TTL);

    const err = await old.renew().catch((e: unknown) => e);

    expect(now.version).toBe(old.version);
    expect(err).toMatchObject({ reason: 'taken-over', message: expect.stringContaining(`the lease was taken over by pass-b (version 1, until ${new Date(now.expiresAt).toISOString()})`) });
    expect(await storedLease()).toMatchObject({ holder: 'pass-b', version: 1, state: 'held', expiresAt: now.expiresAt });
  });

  it('a lease that cannot be read says which lease, in which table', async () => {
    const local = await startStateTable(`steady-state-read-${n}`);
    try {
      await local.client.send(new DeleteTableCommand({ TableName: local.tableName }));

      await expect(local.store({ leaseClock: t.clock }).readLease(env)).rejects.toThrow(
        new RegExp(`^reading the lease for environment ${env} in table ${local.tableName}: ResourceNotFoundException`),
      );
    } finally {
      await local.close();
    }
  });

  it('a lease another holder holds is refused at once: one conditional write and one read, no retry', async () => {
    const store = leaseStore();
    const held = await store.acquireLease(env, 'pass-a', TTL);
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    const calls: string[] = [];
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName!);
        return next(args);
      },
      { step: 'initialize', name: 'count' },
    );
    try {
      const err = await leaseStore({ client: ours }).acquireLease(env, 'pass-b', TTL).catch((e: unknown) => e);

      expect(err).toMatchObject({ holder: 'pass-a', expiresAt: held.expiresAt });
      expect(calls).toEqual(['UpdateItemCommand', 'GetItemCommand']);
    } finally {
      ours.destroy();
    }
  });

  it('a lease whose written expiry is exactly now is free: the taker tries again and gets it', async () => {
    const store = leaseStore();
    const held = await store.acquireLease(env, 'pass-a', TTL);
    // The taker's clock reads one millisecond later each time: its write goes 1 ms before the
    // expiry (refused), its read of the lease exactly at it, its second write 1 ms after.
    let ticks = 0;
    const ticking = { now: () => held.expiresAt - 1 + ticks++, sleep: async () => {} };

    const lease = await leaseStore({ leaseClock: ticking }).acquireLease(env, 'pass-b', TTL);

    expect({ holder: lease.holder, version: lease.version, ticks }).toEqual({ holder: 'pass-b', version: 2, ticks: 3 });
  });

  it('renewing a lease its holder already released throws "already released" and writes nothing', async () => {
    const lease = await leaseStore().acquireLease(env, 'pass-a', TTL);
    await lease.release();
    const before = await storedLease();
    t.clock.advance(1_000);

    const err = await lease.renew().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).toMatchObject({ reason: 'released', message: `renewing the lease for environment ${env} as pass-a (version 1) in table ${t.tableName}: the lease was already released` });
    expect(lease.lost).toBe(true);
    expect(await storedLease()).toEqual(before);
  });

  it('a holder that acquired again holds a new version: its old lease is taken over, never "already released"', async () => {
    // One CLI process (one holder name) takes the lease twice: the first acquisition ran out.
    const store = leaseStore();
    const old = await store.acquireLease(env, 'cli:me@host:42', TTL);
    t.clock.advance(TTL);
    const again = await store.acquireLease(env, 'cli:me@host:42', TTL);

    const err = await old.renew().catch((e: unknown) => e);

    expect(err).toMatchObject({ reason: 'taken-over', message: expect.stringContaining(`the lease was taken over by cli:me@host:42 (version 2, until ${new Date(again.expiresAt).toISOString()})`) });
    expect(old.lost).toBe(true);
    expect(await storedLease()).toMatchObject({ holder: 'cli:me@host:42', version: 2, state: 'held', expiresAt: again.expiresAt });
  });

  it('a renewal that fails for another reason than a refused condition throws it, and the lease is not taken for lost', async () => {
    const env2 = `${env}-gone`;
    const local = await startStateTable(`steady-state-renew-${n}`);
    try {
      const lease = await local.store({ leaseClock: t.clock }).acquireLease(env2, 'pass-a', TTL);
      await local.client.send(new DeleteTableCommand({ TableName: local.tableName }));

      const err = await lease.renew().catch((e: unknown) => e);

      expect(err).toBeInstanceOf(StateStoreError);
      expect((err as Error).message).toMatch(new RegExp(`^renewing the lease for environment ${env2} as pass-a \\(version 1\\) in table ${local.tableName}: ResourceNotFoundException`));
      expect(lease.lost).toBe(false);
    } finally {
      await local.close();
    }
  });

  it('an acquisition refused three times while the lease reads free each time gives up with LeaseHeldError, after exactly three writes', async () => {
    // A rival takes the lease just before each of our writes and releases it just before our
    // read: DynamoDB refuses every write for real, and every read finds the lease free.
    const rival = leaseStore();
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    let writes = 0;
    let held: Awaited<ReturnType<typeof rival.acquireLease>> | undefined;
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          writes++;
          held = await rival.acquireLease(env, `rival-${writes}`, TTL);
        }
        if (context.commandName === 'GetItemCommand') await held?.release();
        return next(args);
      },
      { step: 'initialize', name: 'rival' },
    );
    try {
      const err = await leaseStore({ client: ours }).acquireLease(env, 'pass-b', TTL).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(LeaseHeldError);
      expect(err).toMatchObject({ holder: 'rival-3', message: `lease for environment ${env} is held by rival-3 until ${new Date(held!.expiresAt).toISOString()}` });
      expect(writes).toBe(3);
      expect(await storedLease()).toMatchObject({ holder: 'rival-3', version: 3, state: 'released' });
    } finally {
      ours.destroy();
    }
  });

  it('an acquisition refused while no lease item exists at all gives up naming "another invocation", until now', async () => {
    // The rival's item is gone again before our read (the table was emptied in between).
    const rival = leaseStore();
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    const doc = DynamoDBDocumentClient.from(t.client);
    let writes = 0;
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          writes++;
          await rival.acquireLease(env, 'rival', TTL);
        }
        if (context.commandName === 'GetItemCommand') await doc.send(new DeleteCommand({ TableName: t.tableName, Key: keys.lease(env) }));
        return next(args);
      },
      { step: 'initialize', name: 'rival' },
    );
    try {
      const err = await leaseStore({ client: ours }).acquireLease(env, 'pass-b', TTL).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(LeaseHeldError);
      expect(err).toMatchObject({ holder: 'another invocation', expiresAt: t.clock.now(), message: `lease for environment ${env} is held by another invocation until ${new Date(t.clock.now()).toISOString()}` });
      expect(writes).toBe(3);
      expect(await storedLease()).toBeUndefined();
    } finally {
      ours.destroy();
    }
  });
});

describe('the lease in production', () => {
  it('runs on the wall clock whatever clock the store records with (a simulated one starts at 2026-01-01 in every process)', async () => {
    const store = t.store({ clock: new SimClock() });
    const before = Date.now();

    const lease = await store.acquireLease(env, 'pass-a', TTL);

    expect(lease.expiresAt).toBeGreaterThanOrEqual(before + TTL);
    expect(lease.expiresAt).toBeLessThanOrEqual(Date.now() + TTL);
    // A second process, its simulated clock at 2026-01-01 or an hour on, cannot take it.
    const later = new SimClock(Date.UTC(2026, 0, 1, 1));
    await expect(t.store({ clock: later }).acquireLease(env, 'pass-b', TTL)).rejects.toBeInstanceOf(LeaseHeldError);
  });
});
