import type { SimServiceName } from './account.js';

/** Which calls a fault applies to. Omitted fields match everything. */
export interface CallMatcher {
  service?: SimServiceName;
  operation?: string;
  /** Further narrowing on the request input (e.g. one hosted zone). */
  when?: (input: any) => boolean;
}

/** What a failing call answers with. */
export type FaultError =
  | 'throttle' // the service's throttling code, HTTP 400, "Rate exceeded"
  | 'accessDenied' // AccessDeniedException / AccessDenied, HTTP 403
  | 'internal' // the service's internal error, HTTP 500
  | (() => Error);

export interface FailRule extends CallMatcher {
  error: FaultError;
  /** How many matching calls fail before the rule is spent; every call when omitted. */
  times?: number;
}

export interface RateLimitRule extends CallMatcher {
  /** Sustained requests per second (token refill rate). */
  perSecond: number;
  /** Bucket size; defaults to `perSecond`. */
  burst?: number;
  /** The operations the bucket covers, when `operation` (one name) does not say it. */
  operations?: (operation: string) => boolean;
  /** What the bucket is, in the call log of a throttled call. */
  name?: string;
}

export interface LatencyRule extends CallMatcher {
  ms: number;
}

export interface StaleReadRule {
  service: SimServiceName;
  /** A resource created less than this long ago (simulated time) is not yet seen by reads. */
  forMs: number;
}

interface Bucket {
  rule: RateLimitRule;
  tokens: number;
  last: number;
}

function matches(m: CallMatcher, service: SimServiceName, operation: string, input: unknown): boolean {
  return (!m.service || m.service === service) && (!m.operation || m.operation === operation) && (!m.when || m.when(input));
}

/**
 * Fault injection for the simulated account: failures, throttling by rate, latency and eventually
 * consistent reads. Rate limits and latency are in simulated time (the account's clock): token
 * buckets refill as simulated time passes, and latency is a simulated wait, so neither costs real
 * time while the SDK's retries (on the same clock, see `ClockRetryStrategy`) back off as they would.
 * Tests that need a throttle at an exact call use `fail({ error: 'throttle', times })`.
 */
export class Faults {
  #fails: FailRule[] = [];
  #buckets: Bucket[] = [];
  #latency: LatencyRule[] = [];
  #stale: StaleReadRule[] = [];

  /** `now`: the simulated time buckets refill by. */
  constructor(private readonly now: () => number = () => 0) {}

  /** Makes matching calls fail (`times` of them, or all). */
  fail(rule: FailRule): this {
    this.#fails.push({ ...rule });
    return this;
  }

  /**
   * Throttles matching calls above a sustained rate (a token bucket of `burst` tokens refilled at
   * `perSecond`, starting full). A call takes a token from every bucket that matches it, and is
   * throttled without taking any when one of them is empty.
   */
  rateLimit(rule: RateLimitRule): this {
    const burst = rule.burst ?? rule.perSecond;
    this.#buckets.push({ rule: { ...rule, burst }, tokens: burst, last: this.now() });
    return this;
  }

  /** Removes the rate limits (the other faults stay). */
  clearRateLimits(): void {
    this.#buckets = [];
  }

  /** Adds simulated latency to matching calls. The most specific matching rule wins (last added). */
  latency(rule: LatencyRule): this {
    this.#latency.push(rule);
    return this;
  }

  /** Makes reads of one service miss resources created within the last `forMs`. */
  staleReads(rule: StaleReadRule): this {
    this.#stale.push(rule);
    return this;
  }

  /** Removes every fault. */
  clear(): void {
    this.#fails = [];
    this.#buckets = [];
    this.#latency = [];
    this.#stale = [];
  }

  /** @internal The failure a call meets, if any (consumes one use of a counted rule). */
  failureFor(service: SimServiceName, operation: string, input: unknown): FaultError | undefined {
    const rule = this.#fails.find((r) => (r.times === undefined || r.times > 0) && matches(r, service, operation, input));
    if (rule) {
      if (rule.times !== undefined) rule.times -= 1;
      return rule.error;
    }
    const now = this.now();
    const hit = this.#buckets.filter((b) => matches(b.rule, service, operation, input) && (!b.rule.operations || b.rule.operations(operation)));
    for (const b of hit) {
      b.tokens = Math.min(b.rule.burst!, b.tokens + (Math.max(0, now - b.last) / 1000) * b.rule.perSecond);
      b.last = now;
    }
    if (hit.some((b) => b.tokens < 1)) return 'throttle';
    for (const b of hit) b.tokens -= 1;
    return undefined;
  }

  /** @internal Simulated milliseconds a call waits before it is answered. */
  latencyFor(service: SimServiceName, operation: string, input: unknown): number {
    for (let i = this.#latency.length - 1; i >= 0; i--) {
      const r = this.#latency[i];
      if (matches(r, service, operation, input)) return r.ms;
    }
    return 0;
  }

  /** @internal How long after creation a resource of `service` becomes visible to reads. */
  staleFor(service: SimServiceName): number {
    return this.#stale.filter((r) => r.service === service).reduce((max, r) => Math.max(max, r.forMs), 0);
  }
}
