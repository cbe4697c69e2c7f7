/**
 * What every kind's observer shares: the adapters, and the rule that a failed read fails no
 * pass: it is recorded in `unreadable` with the resources that depend on it.
 */
import type { AcmAdapter } from '../aws/acm.js';
import type { CloudFrontAdapter } from '../aws/cloudfront.js';
import type { CodeDeployAdapter } from '../aws/codedeploy.js';
import type { EcrAdapter } from '../aws/ecr.js';
import type { EcsAdapter } from '../aws/ecs.js';
import type { Elbv2Adapter } from '../aws/elbv2.js';
import type { Route53Adapter } from '../aws/route53.js';
import type { SchedulerAdapter } from '../aws/scheduler.js';
import { AwsCallError, SteadyError } from '../errors.js';
import type { ActualState } from '../model/actual.js';
import type { AwsCause } from '../model/causes.js';

/** The adapters observe and converge use, one per AWS service. */
export interface Adapters {
  ecs: EcsAdapter;
  ecr: EcrAdapter;
  elbv2: Elbv2Adapter;
  route53: Route53Adapter;
  cloudfront: CloudFrontAdapter;
  codedeploy: CodeDeployAdapter;
  /** Certificate validity, for the wiring checks. */
  acm: AcmAdapter;
  /** EventBridge Scheduler, for ScheduledTasks. */
  scheduler: SchedulerAdapter;
}

/** Runs a read; on failure records what could not be read and for whom. */
export type Read = (what: string, affects: string[], fn: () => Promise<void>) => Promise<void>;

export function describeError(err: unknown, what: string): { awsName: string; message: string; transient: boolean; cause: AwsCause } {
  if (err instanceof AwsCallError) return { awsName: err.awsName, message: err.message, transient: err.transient, cause: err.awsCause };
  const awsName = err instanceof SteadyError ? err.name : ((err as Error)?.name ?? 'Error');
  const message = (err as Error)?.message ?? String(err);
  const cause: AwsCause = { kind: 'other', action: 'steady', doing: `reading ${what}`, code: awsName, message };
  return { awsName, message, transient: err instanceof SteadyError ? err.transient : false, cause };
}

/**
 * The `Read` of one observation: failures land in `actual.unreadable`. Once `stopped()` says so
 * (the pass's deadline, a lost lease, Ctrl-C), reads not yet started are not started: observe then
 * throws instead of returning a partial state.
 */
export function readerFor(actual: ActualState, stopped: () => boolean = () => false): Read {
  return async (what, affects, fn) => {
    if (stopped()) return;
    try {
      await fn();
    } catch (err) {
      actual.unreadable.push({ what, affects, ...describeError(err, what) });
    }
  };
}

/** Adds `key` to the users of `name`. */
export function use(map: Map<string, string[]>, name: string, key: string): void {
  map.set(name, [...(map.get(name) ?? []), key]);
}
