import { DEFAULT_MAX_ATTEMPTS, INITIAL_RETRY_TOKENS, MAXIMUM_RETRY_DELAY, NO_RETRY_INCREMENT, Retry } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import type { Clock } from '../clock.js';

interface Token extends StandardRetryToken {
  $retryLog: { acquisitionDelay: number };
}

function token(count: number, cost?: number, acquisitionDelay = 0): Token {
  return {
    getRetryCount: () => count,
    getRetryDelay: () => 0,
    getRetryCost: () => cost,
    $retryLog: { acquisitionDelay },
  };
}

/**
 * The SDK's standard retry strategy (the same decisions, back-off formula and retry quota as
 * `StandardRetryStrategy` in @smithy/core/retry: `Retry.throttlingDelay()` as the base after a
 * throttle, `Retry.delay()` otherwise, full jitter, at most 20 s, 500 retry tokens), except that
 * it waits on a `Clock`: on the simulated account's clock a back-off costs no real time, yet
 * simulated time passes and rate-limit buckets refill while it waits. The wait still shows in
 * `$metadata.totalRetryDelay`. The jitter comes from a seeded generator, so runs repeat.
 *
 * Production clients keep the SDK's own (adaptive) strategy; this one is for simulated accounts.
 */
export class ClockRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  #capacity = INITIAL_RETRY_TOKENS;
  #rng: number;

  constructor(
    private readonly clock: Clock,
    private readonly maxAttempts = DEFAULT_MAX_ATTEMPTS,
    seed = 0x5eed,
  ) {
    this.#rng = seed;
  }

  async acquireInitialRetryToken(): Promise<StandardRetryToken> {
    return token(0);
  }

  async refreshRetryTokenForRetry(previous: StandardRetryToken, info: RetryErrorInfo): Promise<StandardRetryToken> {
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
    const cost = info.errorType === Retry.modifiedCostType() ? Retry.throttlingCost() : Retry.cost();
    const count = previous.getRetryCount();
    if (!retryable || count + 1 >= this.maxAttempts || this.#capacity < cost) throw new Error('No retry token available');
    const base = info.errorType === 'THROTTLING' ? Retry.throttlingDelay() : Retry.delay();
    const delay = Math.floor(this.#random() * Math.min(base * 2 ** count, MAXIMUM_RETRY_DELAY));
    this.#capacity -= cost;
    await this.clock.sleep(delay);
    return token(count + 1, cost, delay);
  }

  recordSuccess(t: StandardRetryToken): void {
    this.#capacity = Math.min(INITIAL_RETRY_TOKENS, this.#capacity + (t.getRetryCost() ?? NO_RETRY_INCREMENT));
  }

  /** mulberry32 */
  #random(): number {
    let t = (this.#rng = (this.#rng + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
