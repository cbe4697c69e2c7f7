/**
 * steady's own pacing of its AWS calls: a token bucket per AWS rate-limit bucket, at a share of
 * what AWS allows, so that a large environment's reads run concurrently yet stay within the
 * account's limits and leave the rest of them to the other tools in the account. AWS's limits are
 * per account and Region and shared by every caller; steady taking all of a bucket (ELB's
 * Describe* calls: 40 at once, 10 a second) would throttle everyone else.
 *
 * Attached to each SDK client as a middleware inside the retry loop, so every attempt (a retry
 * too) waits for a token. The waits are on a `Clock`: real time in production, the simulated
 * account's clock in tests and the benchmark.
 */
import type { Clock } from '../clock.js';

/** The part of each AWS bucket steady uses (its burst and its refill). */
export const STEADY_RATE_SHARE = 0.5;

/** One of AWS's buckets as steady paces against it. */
export interface PaceRule {
  /** e.g. `ELBv2 Describe*`. */
  name: string;
  /** Operations in the bucket; `reads` / `writes` / `all` of the service otherwise. */
  operations: readonly string[] | 'reads' | 'writes' | 'all';
  /** AWS's bucket size and refill (requests a second); steady uses `STEADY_RATE_SHARE` of both. */
  burst: number;
  perSecond: number;
}

const isRead = (operation: string) => /^(Describe|List|Get|BatchGet)/.test(operation);

/**
 * AWS's documented request-rate limits steady paces against, per service (the sources are listed
 * in controller/sim/SIMPLIFICATIONS.md, "Rate limits"; where AWS documents none, a conservative value).
 */
export const AWS_RATE_LIMITS: Record<string, PaceRule[]> = {
  ecs: [
    { name: 'ECS cluster reads', operations: ['DescribeClusters', 'ListClusters'], burst: 50, perSecond: 20 },
    { name: 'ECS service reads', operations: ['DescribeServices', 'ListServices'], burst: 50, perSecond: 20 },
    { name: 'ECS task reads', operations: ['DescribeTasks', 'ListTasks'], burst: 50, perSecond: 20 },
    { name: 'ECS task definition reads', operations: ['DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies'], burst: 50, perSecond: 20 },
    { name: 'ECS RegisterTaskDefinition', operations: ['RegisterTaskDefinition', 'DeregisterTaskDefinition'], burst: 20, perSecond: 1 },
    { name: 'ECS service writes', operations: ['CreateService', 'UpdateService', 'DeleteService'], burst: 20, perSecond: 5 },
    { name: 'ECS task writes', operations: ['RunTask', 'StopTask'], burst: 100, perSecond: 20 },
    { name: 'ECS tags', operations: ['TagResource', 'UntagResource', 'ListTagsForResource'], burst: 20, perSecond: 5 },
  ],
  elbv2: [
    { name: 'ELBv2 Describe*', operations: 'reads', burst: 40, perSecond: 10 },
    { name: 'ELBv2 changes', operations: 'writes', burst: 20, perSecond: 4 },
  ],
  route53: [
    { name: 'Route 53 account', operations: 'all', burst: 50, perSecond: 10 },
    ...['ListHostedZonesByName', 'ListResourceRecordSets', 'ChangeResourceRecordSets', 'GetChange'].map((op) => ({ name: `Route 53 ${op}`, operations: [op], burst: 50, perSecond: 10 })),
  ],
  ecr: [{ name: 'ECR reads', operations: 'reads', burst: 20, perSecond: 10 }],
  codedeploy: [
    { name: 'CodeDeploy reads', operations: 'reads', burst: 10, perSecond: 5 },
    { name: 'CodeDeploy writes', operations: 'writes', burst: 10, perSecond: 2 },
  ],
  acm: [{ name: 'ACM DescribeCertificate', operations: ['DescribeCertificate'], burst: 10, perSecond: 10 }],
  cloudfront: [{ name: 'CloudFront reads', operations: 'reads', burst: 10, perSecond: 5 }],
  scheduler: [
    { name: 'Scheduler schedules', operations: ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule', 'ListSchedules'], burst: 250, perSecond: 250 },
    { name: 'Scheduler groups and tags', operations: ['CreateScheduleGroup', 'DeleteScheduleGroup', 'GetScheduleGroup', 'ListScheduleGroups', 'TagResource', 'UntagResource', 'ListTagsForResource'], burst: 10, perSecond: 10 },
  ],
};

function covers(rule: PaceRule, operation: string): boolean {
  if (rule.operations === 'all') return true;
  if (rule.operations === 'reads') return isRead(operation);
  if (rule.operations === 'writes') return !isRead(operation);
  return rule.operations.includes(operation);
}

/**
 * A token bucket on a clock. Callers reserve a token in arrival order: the bucket may go below
 * zero, and each caller waits until its own token has been refilled, so waiters are served
 * first come, first served without a queue.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  #burst: number;
  #perSecond: number;

  /** A `burst` below 1 is allowed: every call then waits for the part of its token still missing. */
  constructor(
    private readonly clock: Clock,
    burst: number,
    perSecond: number,
  ) {
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  get burst(): number {
    return this.#burst;
  }

  get perSecond(): number {
    return this.#perSecond;
  }

  /** Milliseconds the caller must wait for its token (0: go now). The token is taken either way. */
  reserve(): number {
    this.#refill();
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#perSecond) * 1000);
  }

  /**
   * New size and refill from now on. What was refilled so far at the old rate is kept, up to the
   * new size, so a smaller bucket never lets through more than its own burst; tokens already
   * reserved (a negative balance) stay owed.
   */
  resize(burst: number, perSecond: number): void {
    this.#refill();
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#tokens = Math.min(burst, this.#tokens);
  }

  #refill(): void {
    const now = this.clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (Math.max(0, now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
  }
}

/** The buckets of one client, by rule name; a call waits for the longest of its buckets. */
export class Pacer {
  readonly #buckets: { rule: PaceRule; bucket: TokenBucket }[];
  #share: number;
  /** Milliseconds callers have waited for a token, in all. */
  waitedMs = 0;

  constructor(
    private readonly clock: Clock,
    rules: readonly PaceRule[],
    share = STEADY_RATE_SHARE,
  ) {
    checkShare(share);
    this.#share = share;
    // Exactly `share` of the burst, a fraction of a token included: n pacers at share/n together never exceed share of the bucket.
    this.#buckets = rules.map((rule) => ({ rule, bucket: new TokenBucket(clock, rule.burst * share, rule.perSecond * share) }));
  }

  /** The part of each AWS bucket this pacer uses. */
  get share(): number {
    return this.#share;
  }

  /**
   * Paces at another share of each AWS bucket from now on (a worker told how many workers may be
   * in its account and Region at once; `lambda/worker.ts`).
   */
  setShare(share: number): void {
    checkShare(share);
    if (share === this.#share) return;
    this.#share = share;
    for (const { rule, bucket } of this.#buckets) bucket.resize(rule.burst * share, rule.perSecond * share);
  }

  /** The rate (requests a second) steady paces `operation` at: its slowest bucket's; undefined when no bucket covers it. */
  perSecond(operation: string): number | undefined {
    const rates = this.#buckets.filter(({ rule }) => covers(rule, operation)).map(({ bucket }) => bucket.perSecond);
    return rates.length > 0 ? Math.min(...rates) : undefined;
  }

  async take(operation: string): Promise<void> {
    let wait = 0;
    for (const { rule, bucket } of this.#buckets) if (covers(rule, operation)) wait = Math.max(wait, bucket.reserve());
    if (wait > 0) {
      this.waitedMs += wait;
      await this.clock.sleep(wait);
    }
  }
}

function checkShare(share: number): void {
  if (!(share > 0 && share <= 1)) throw new RangeError(`a share of an AWS rate-limit bucket is above 0 and at most 1, got ${share}`);
}

const pacers = new WeakMap<object, Pacer>();

/** The pacer `pace` attached to `client`, if any. */
export function pacerOf(client: object): Pacer | undefined {
  return pacers.get(client);
}

/** The rate steady means to use of AWS's bucket for `operation` of `service` (`STEADY_RATE_SHARE` of it). */
export function steadyRate(service: string, operation: string): number | undefined {
  const rates = (AWS_RATE_LIMITS[service] ?? []).filter((rule) => covers(rule, operation)).map((rule) => rule.perSecond * STEADY_RATE_SHARE);
  return rates.length > 0 ? Math.min(...rates) : undefined;
}

interface MiddlewareClient {
  middlewareStack: { add(mw: unknown, options: object): void };
}

/**
 * Paces every attempt of every command sent through `client` (see the file's comment).
 *
 * @example
 * pace(clients.elbv2, 'elbv2', systemClock);
 */
export function pace(client: MiddlewareClient, service: string, clock: Clock, share = STEADY_RATE_SHARE): Pacer {
  const pacer = new Pacer(clock, AWS_RATE_LIMITS[service] ?? [], share);
  pacers.set(client, pacer);
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      await pacer.take(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    // Inside the retry loop (finalizeRequest, after the retry middleware): one token per attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'steadyPacing', override: true },
  );
  return pacer;
}
