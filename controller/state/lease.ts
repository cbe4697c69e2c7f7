/**
 * One writer per environment: a lease item changed only by conditional writes (DynamoDB Local /
 * dynalite have no transactions, and none are needed). See README.md, "The lease", for why clock
 * skew cannot let two writers in.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import { ConfigError, LeaseHeldError, SteadyError, LeaseLostError } from '../errors.js';
import { dynamoCall, isConditionFailed, toStateStoreError } from './dynamo.js';
import { iso, keys } from './table.js';

/** The lease item as stored. */
export interface LeaseItem {
  pk: string;
  sk: string;
  environment: string;
  holder: string;
  /** Fencing token: incremented by every acquisition, never by a renewal. */
  version: number;
  /** Epoch ms on the *holder's* clock, taken before its write was sent. */
  expiresAt: number;
  state: 'held' | 'released';
  acquiredAt: number;
  renewedAt: number;
  releasedAt?: number;
}

/** What the store lends a Lease to talk to DynamoDB. */
export interface LeaseContext {
  db: DynamoDBDocumentClient;
  table: string;
  clock: Clock;
  /** How long before its expiry (on its own clock) a holder stops starting work. */
  safetyMarginMs: number;
}

/** Values and names shared by the lease's update expressions. */
const NAMES = { '#holder': 'holder', '#version': 'version', '#expiresAt': 'expiresAt', '#state': 'state' };

/**
 * A held lease on one environment. Check `assertHeld()` (or `validFor()`) before every mutation
 * of AWS; `renew()` during long passes; `release()` at the end.
 */
export class Lease {
  readonly environment: string;
  readonly holder: string;
  /** The fencing token of this acquisition. */
  readonly version: number;
  readonly ttlMs: number;
  #expiresAt: number;
  #lost: LeaseLostError | undefined;
  #released = false;
  readonly #ctx: LeaseContext;

  constructor(ctx: LeaseContext, item: LeaseItem, ttlMs: number) {
    this.#ctx = ctx;
    this.environment = item.environment;
    this.holder = item.holder;
    this.version = item.version;
    this.ttlMs = ttlMs;
    this.#expiresAt = item.expiresAt;
  }

  /** Expiry as written in the lease item (epoch ms, our clock). */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** True once we know another holder took the lease, or its item disappeared. */
  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /** Why the lease is lost (who took it over, or what happened to it), once it is. */
  get lostError(): LeaseLostError | undefined {
    return this.#lost;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Milliseconds left in which new work may start (0 when lost, released or too close to expiry). */
  validFor(): number {
    if (this.#lost || this.#released) return 0;
    return Math.max(0, this.#expiresAt - this.#ctx.safetyMarginMs - this.#ctx.clock.now());
  }

  /** Throws LeaseLostError unless new work may start now. */
  assertHeld(): void {
    if (this.#lost) throw this.#lost;
    if (this.#released) {
      throw new LeaseLostError(`the lease for environment ${this.environment} was released by ${this.holder}; nothing may change until it is acquired again`, this.environment, 'released');
    }
    if (this.validFor() <= 0) {
      throw new LeaseLostError(
        `the lease for environment ${this.environment} held by ${this.holder} (version ${this.version}) runs out at ${iso(this.#expiresAt)}, ` +
          `within the safety margin of ${this.#ctx.safetyMarginMs / 1000}s: renew it before changing AWS`,
        this.environment,
        'expired',
      );
    }
  }

  /**
   * Extends the lease by its TTL from now. Only this holder, at this version, still holding it,
   * may: after a takeover it throws LeaseLostError naming the new holder, and `lost` turns true.
   */
  async renew(): Promise<void> {
    if (this.#lost) throw this.#lost;
    const { db, table, clock } = this.#ctx;
    const now = clock.now();
    const expiresAt = now + this.ttlMs;
    const doing = `renewing the lease for environment ${this.environment} as ${this.holder} (version ${this.version}) in table ${table}`;
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.lease(this.environment),
          UpdateExpression: 'SET #expiresAt = :expiresAt, renewedAt = :now',
          ConditionExpression: '#holder = :holder AND #version = :version AND #state = :held',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':expiresAt': expiresAt, ':now': now, ':holder': this.holder, ':version': this.version, ':held': 'held' },
        }),
      );
    } catch (cause) {
      if (!isConditionFailed(cause)) throw toStateStoreError(doing, cause);
      throw (this.#lost = await this.#whyLost(doing));
    }
    this.#expiresAt = expiresAt;
  }

  /** Renews when less than half the TTL is left; true when it renewed. */
  async renewIfDue(): Promise<boolean> {
    if (this.#expiresAt - this.#ctx.clock.now() > this.ttlMs / 2) return false;
    await this.renew();
    return true;
  }

  /**
   * Marks the lease released so the next pass need not wait for it to expire. Conditioned like
   * `renew`: a lease taken over by someone else is left alone (and `lost` turns true) — release
   * never throws for that, since the pass is over either way. Releasing twice does nothing.
   */
  async release(): Promise<void> {
    if (this.#released || this.#lost) return;
    const { db, table, clock } = this.#ctx;
    const doing = `releasing the lease for environment ${this.environment} as ${this.holder} (version ${this.version}) in table ${table}`;
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.lease(this.environment),
          UpdateExpression: 'SET #state = :released, releasedAt = :now',
          ConditionExpression: '#holder = :holder AND #version = :version AND #state = :held',
          ExpressionAttributeNames: { '#holder': 'holder', '#version': 'version', '#state': 'state' },
          ExpressionAttributeValues: { ':released': 'released', ':now': clock.now(), ':holder': this.holder, ':version': this.version, ':held': 'held' },
        }),
      );
      this.#released = true;
    } catch (cause) {
      if (!isConditionFailed(cause)) throw toStateStoreError(doing, cause);
      this.#lost = await this.#whyLost(doing);
    }
  }

  async #whyLost(doing: string): Promise<LeaseLostError> {
    const item = await readLease(this.#ctx, this.environment);
    if (!item) return new LeaseLostError(`${doing}: the lease item is gone (was the table recreated?); stop changing AWS`, this.environment, 'missing');
    if (item.holder === this.holder && item.version === this.version) {
      return new LeaseLostError(`${doing}: the lease was already released`, this.environment, 'released');
    }
    return new LeaseLostError(
      `${doing}: the lease was taken over by ${item.holder} (version ${item.version}, until ${iso(item.expiresAt)}); stop changing AWS`,
      this.environment,
      'taken-over',
    );
  }
}

/** Reads the lease item with a strongly consistent read. */
export async function readLease(ctx: LeaseContext, environment: string): Promise<LeaseItem | undefined> {
  const out = await dynamoCall(`reading the lease for environment ${environment} in table ${ctx.table}`, () =>
    ctx.db.send(new GetCommand({ TableName: ctx.table, Key: keys.lease(environment), ConsistentRead: true })),
  );
  return out.Item as LeaseItem | undefined;
}

/**
 * Acquires the lease when there is none, it was released, or it expired by the item's own
 * expiry; otherwise throws LeaseHeldError naming the holder and until when.
 */
export async function acquireLease(ctx: LeaseContext, environment: string, holder: string, ttlMs: number): Promise<Lease> {
  if (!(ttlMs > 2 * ctx.safetyMarginMs)) {
    throw new ConfigError(`lease TTL ${ttlMs}ms must exceed twice the safety margin (${ctx.safetyMarginMs}ms), or a holder could never start work`);
  }
  const doing = `acquiring the lease for environment ${environment} as ${holder} in table ${ctx.table}`;
  // The condition failing and the lease then being found free means it was released or expired
  // in between: try again a few times rather than report a lease held by nobody.
  for (let attempt = 1; ; attempt++) {
    const now = ctx.clock.now();
    try {
      const out = await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.table,
          Key: keys.lease(environment),
          UpdateExpression:
            'SET environment = :environment, #holder = :holder, #version = if_not_exists(#version, :zero) + :one, ' +
            '#expiresAt = :expiresAt, #state = :held, acquiredAt = :now, renewedAt = :now REMOVE releasedAt',
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :released OR #expiresAt <= :now',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: {
            ':environment': environment,
            ':holder': holder,
            ':zero': 0,
            ':one': 1,
            ':expiresAt': now + ttlMs,
            ':held': 'held',
            ':released': 'released',
            ':now': now,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return new Lease(ctx, out.Attributes as LeaseItem, ttlMs);
    } catch (cause) {
      if (!isConditionFailed(cause)) throw toStateStoreError(doing, cause);
    }
    const current = await readLease(ctx, environment);
    const stillHeld = current && current.state === 'held' && current.expiresAt > ctx.clock.now();
    if (stillHeld) throw new LeaseHeldError(environment, current.holder, current.expiresAt);
    if (attempt >= 3) throw new LeaseHeldError(environment, current?.holder ?? 'another invocation', current?.expiresAt ?? ctx.clock.now());
  }
}
