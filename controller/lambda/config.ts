/**
 * The Lambda's configuration: environment variables the CDK app sets, read and checked once, at
 * cold start. Every problem is reported at once, so a misconfigured deployment fails its first
 * invocation with one message that says what to fix instead of failing later, half-way.
 */
import { ConfigError } from '../errors.js';
import { bucketNameProblem, normalizePrefix } from '../source/index.js';
import { DEFAULT_LEASE_TTL_MS } from '../reconcile.js';
import { DEFAULT_LEASE_SAFETY_MARGIN_MS } from '../state/store.js';

/** What the handler needs to know about where it runs. */
export interface HandlerConfig {
  /** The bucket steady's specs are published to (`steady apply --bucket`). */
  bucket: string;
  /** Key prefix of the commits, normalised (`''` or ending in `/`). */
  prefix: string;
  /** The state table: lease, migration ledger, history, alert memory. */
  table: string;
  /** How long a lease lasts before another invocation may take it (renewed while a pass runs). */
  leaseTtlMs: number;
  /**
   * How long before the Lambda's own timeout a pass stops starting changes, leaving time to
   * record the pass, notify and release the lease.
   */
  marginMs: number;
  /** Most environments reconciled at once by one invocation. */
  concurrency: number;
  /** Send the Slack/email notifications of each Environment's spec. */
  notify: boolean;
  /** The private bucket the status page is written to after each invocation; none: no page. */
  statusBucket?: string;
}

/** The variables, their defaults and what they mean (the README's table comes from here). */
export const CONFIG_VARIABLES = {
  STEADY_SPEC_BUCKET: 'the spec bucket (required)',
  STEADY_SPEC_PREFIX: "key prefix of the published commits (default: the bucket's root)",
  STEADY_TABLE: 'the state table (required): the lease is what keeps two invocations from changing one environment at once',
  STEADY_LEASE_TTL_SECONDS: `lease duration; renewed while a pass runs (default ${DEFAULT_LEASE_TTL_MS / 1000})`,
  STEADY_TIME_MARGIN_SECONDS: 'stop starting changes this long before the Lambda times out, to record, notify and release the lease (default 60)',
  STEADY_CONCURRENCY: 'environments reconciled at once (default 4)',
  STEADY_NOTIFY: 'send Slack/email notifications: true or false (default true)',
  STEADY_STATUS_BUCKET: 'the private bucket the status page is written to after each invocation (default: none, no page)',
} as const;

/** Recording the pass, notifying (a Slack post may take 4 attempts of up to 10 s) and releasing the lease. */
const DEFAULT_MARGIN_MS = 60_000;
const DEFAULT_CONCURRENCY = 4;

/**
 * Reads the configuration from environment variables; throws one ConfigError naming every
 * problem.
 *
 * @example
 * const config = configFromEnv(process.env);
 * // { bucket: 'my-steady-specs', prefix: 'shop-prod/', table: 'steady-state', leaseTtlMs: 300000, ... }
 */
export function configFromEnv(env: Record<string, string | undefined>): HandlerConfig {
  const problems: string[] = [];
  const text = (name: keyof typeof CONFIG_VARIABLES) => env[name]?.trim() || undefined;
  const seconds = (name: keyof typeof CONFIG_VARIABLES, fallbackMs: number, min: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallbackMs;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n) || n < min) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a number of seconds, at least ${min}`);
      return fallbackMs;
    }
    return Math.round(n * 1000);
  };

  const bucket = text('STEADY_SPEC_BUCKET');
  if (bucket === undefined) problems.push('STEADY_SPEC_BUCKET is not set: the name of the bucket steady apply publishes to');
  else {
    const why = bucketNameProblem(bucket);
    if (why) problems.push(`STEADY_SPEC_BUCKET=${JSON.stringify(bucket)}: ${why}`);
  }

  let prefix = '';
  try {
    prefix = normalizePrefix(env.STEADY_SPEC_PREFIX ?? '');
  } catch (err) {
    problems.push(`STEADY_SPEC_PREFIX: ${(err as Error).message}`);
  }

  const table = text('STEADY_TABLE');
  if (table === undefined) {
    problems.push('STEADY_TABLE is not set: the state table holds the lease that keeps two invocations from changing one environment at once');
  } else if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    problems.push(`STEADY_TABLE=${JSON.stringify(table)}: not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
  }

  const leaseTtlMs = seconds('STEADY_LEASE_TTL_SECONDS', DEFAULT_LEASE_TTL_MS, 1);
  // The lease refuses a TTL at or under twice its safety margin (see controller/state/README.md).
  if (leaseTtlMs <= 2 * DEFAULT_LEASE_SAFETY_MARGIN_MS) {
    problems.push(`STEADY_LEASE_TTL_SECONDS=${leaseTtlMs / 1000}: must be more than ${(2 * DEFAULT_LEASE_SAFETY_MARGIN_MS) / 1000} (twice the lease's safety margin)`);
  }
  const marginMs = seconds('STEADY_TIME_MARGIN_SECONDS', DEFAULT_MARGIN_MS, 1);

  let concurrency = DEFAULT_CONCURRENCY;
  const rawConcurrency = text('STEADY_CONCURRENCY');
  if (rawConcurrency !== undefined) {
    if (/^\d+$/.test(rawConcurrency) && Number(rawConcurrency) >= 1 && Number(rawConcurrency) <= 64) concurrency = Number(rawConcurrency);
    else problems.push(`STEADY_CONCURRENCY=${JSON.stringify(rawConcurrency)}: expected a whole number from 1 to 64`);
  }

  let notify = true;
  const rawNotify = text('STEADY_NOTIFY');
  if (rawNotify !== undefined) {
    if (rawNotify === 'true' || rawNotify === 'false') notify = rawNotify === 'true';
    else problems.push(`STEADY_NOTIFY=${JSON.stringify(rawNotify)}: expected true or false`);
  }

  const statusBucket = text('STEADY_STATUS_BUCKET');
  if (statusBucket !== undefined) {
    const why = bucketNameProblem(statusBucket);
    if (why) problems.push(`STEADY_STATUS_BUCKET=${JSON.stringify(statusBucket)}: ${why}`);
  }

  if (problems.length > 0) {
    throw new ConfigError(`steady's Lambda is misconfigured (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { bucket: bucket!, prefix, table: table!, leaseTtlMs, marginMs, concurrency, notify, ...(statusBucket ? { statusBucket } : {}) };
}
