/**
 * How much of AWS's rate limits one worker may use. AWS's buckets are per account and Region
 * (Route 53's and CloudFront's per account) and shared by every caller in it; steady as a whole
 * means to use at most `STEADY_RATE_SHARE` of each (`aws/pace.ts`). In one process (the single
 * function, the CLI) the environments of an account and Region share one set of clients, hence one
 * pacer. Workers are separate Lambda containers, each with its own pacer, and up to
 * `workerConcurrency` of them run at once; at most one pass per environment runs at a time (its
 * lease). So at most min(workerConcurrency, environments there) workers spend from one bucket at
 * once, and each paces at `STEADY_RATE_SHARE` divided by that: together they stay within the share
 * whichever environments the queue hands out together. The dispatcher works it out from the commit
 * (every environment of it, not only the ones it sends, so that a spec change's few messages do not
 * get a larger share than a tick's passes still running) and puts it in each message.
 */
import type { RateShares } from '../aws/clients.js';
import { STEADY_RATE_SHARE } from '../aws/pace.js';

/** The fields of an Environment's spec that say where it is. */
export interface Placement {
  region: string;
  account?: string;
  roleArn?: string;
}

/**
 * The account whose buckets an environment's calls spend from: its role's, or without a role the
 * controller's own (`home`, from the invoked function's ARN; `''` when unknown), whatever `account`
 * says, since steady then calls with its own credentials.
 */
export function accountOf(spec: Placement, home: string): string {
  return spec.roleArn?.split(':')[4] ?? home;
}

/** The controller's own account, from the invoked function's ARN (`arn:aws:lambda:<region>:<account>:function:<name>`); `''` when it does not say. */
export function homeAccount(invokedFunctionArn: string | undefined): string {
  return /^arn:aws[a-z-]*:lambda:[^:]*:(\d{12}):/.exec(invokedFunctionArn ?? '')?.[1] ?? '';
}

/**
 * Each environment's share of its account's buckets (see the file's comment).
 *
 * @example
 * rateShares([{ name: 'a', spec: { region: 'eu-west-1' } }, { name: 'b', spec: { region: 'eu-west-1' } }], 10, '123456789012');
 * // Map { 'a' => { regional: 0.25, global: 0.25 }, 'b' => { regional: 0.25, global: 0.25 } }
 */
export function rateShares(environments: readonly { name: string; spec: Placement }[], workerConcurrency: number, home: string): Map<string, RateShares> {
  if (!Number.isInteger(workerConcurrency) || workerConcurrency < 1) throw new RangeError(`workerConcurrency must be a whole number of workers, at least 1, got ${workerConcurrency}`);
  const placed = environments.map((e) => ({ name: e.name, account: accountOf(e.spec, home), region: e.spec.region }));
  const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const perRegion = count(placed.map((p) => `${p.account}|${p.region}`));
  const perAccount = count(placed.map((p) => p.account));
  const share = (n: number) => STEADY_RATE_SHARE / Math.min(workerConcurrency, n);
  return new Map(placed.map((p) => [p.name, { regional: share(perRegion.get(`${p.account}|${p.region}`)!), global: share(perAccount.get(p.account)!) }]));
}

/** A worker's share when its message does not say (sent by a dispatcher from before shares): as if every worker were in its account and Region. */
export function fallbackShares(workerConcurrency: number): RateShares {
  const share = STEADY_RATE_SHARE / Math.max(1, workerConcurrency);
  return { regional: share, global: share };
}
