/**
 * The CloudWatch metrics of passes, as embedded metric format (EMF) lines through Powertools.
 * Each environment's pass is one EMF line carrying two dimension sets: `service, environment`
 * (dashboards, per-environment investigation) and `service` alone (the aggregate the alarms watch,
 * since the environments are not known when the stack is deployed).
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { driftCounts, passOutcome } from '../model/outcome.js';
import type { PassResult } from '../model/pass.js';

/** The CloudWatch namespace and the `service` dimension of every metric. */
export const METRIC_NAMESPACE = 'steady';
export const SERVICE_NAME = 'steady';

/** Metric names; the CDK app's alarms refer to them through this object. */
export const METRIC = {
  /** Drift seen by the pass (one per resource and difference). */
  driftFound: 'DriftFound',
  /** Drift the pass healed (a first creation is not drift). */
  driftHealed: 'DriftHealed',
  /**
   * Resources left differing from their specs that nothing in the pass repairs: a conflict, a
   * failed migration gate, the change budget, AWS busy, or observe mode (model/outcome.ts).
   */
  driftUnrepaired: 'DriftUnrepaired',
  /** Changes AWS refused or that did not work. */
  actionsFailed: 'ActionsFailed',
  /** Changes started but not finished, or not started because time ran out. */
  actionsPending: 'ActionsPending',
  /** 1 when the pass's verdict is `failed`: a change failed, a resource cannot reach its spec, or the pass could not run. */
  passFailed: 'PassFailed',
  /** 1 when the pass's verdict is `unknown`: AWS could not be read (no credentials, access denied, unreachable, ...). */
  environmentUnreadable: 'EnvironmentUnreadable',
  /** 1 when another invocation held the environment's lease. */
  leaseHeld: 'LeaseHeld',
  passDuration: 'PassDuration',
  apiCalls: 'ApiCalls',
  /** 1 per invocation that found the published commit unreadable (no action was taken). */
  specsUnreadable: 'SpecsUnreadable',
  /** Per invocation: environments it reconciled (skipped and failed ones included). */
  environmentsReconciled: 'EnvironmentsReconciled',
  /** Per invocation: 1 when the event was not for steady (another key of the bucket). */
  eventsIgnored: 'EventsIgnored',
  /** Environments and resources a new HEAD no longer holds; emitted once per commit pair. */
  specsRemoved: 'SpecsRemoved',
  /** Per dispatch (fan-out): environments sent to the work queue. */
  environmentsDispatched: 'EnvironmentsDispatched',
  /** Per worker message dropped because another invocation holds the environment's lease. */
  messagesDropped: 'WorkMessagesDropped',
} as const;

/**
 * Publishes one EMF line with the metrics of one pass, every one of them read from the pass's
 * verdict and outcomes (model/outcome.ts), the same the Lambda's `ok` and the reports read.
 * Synchronous from `addDimension` to `publishStoredMetrics`, so passes running concurrently in
 * one invocation never mix their dimensions.
 *
 * @example
 * publishPassMetrics(metrics, result);
 */
export function publishPassMetrics(metrics: Metrics, result: PassResult): void {
  const outcome = passOutcome(result);
  const drift = driftCounts(result, outcome);
  const count = (state: string) => result.outcomes.filter((o) => o.state === state).length;
  metrics.addDimension('environment', result.environment);
  // An empty set adds the `service`-only dimension set beside `service, environment`.
  metrics.addDimensions({});
  metrics.addMetric(METRIC.driftFound, MetricUnit.Count, drift.found);
  metrics.addMetric(METRIC.driftHealed, MetricUnit.Count, drift.healed);
  metrics.addMetric(METRIC.driftUnrepaired, MetricUnit.Count, drift.unrepaired);
  metrics.addMetric(METRIC.actionsFailed, MetricUnit.Count, count('failed'));
  metrics.addMetric(METRIC.actionsPending, MetricUnit.Count, count('pending'));
  metrics.addMetric(METRIC.passFailed, MetricUnit.Count, outcome.verdict === 'failed' ? 1 : 0);
  metrics.addMetric(METRIC.environmentUnreadable, MetricUnit.Count, outcome.verdict === 'unknown' ? 1 : 0);
  metrics.addMetric(METRIC.leaseHeld, MetricUnit.Count, outcome.skipped === 'leaseHeld' ? 1 : 0);
  metrics.addMetric(METRIC.passDuration, MetricUnit.Milliseconds, result.finishedAt - result.startedAt);
  metrics.addMetric(METRIC.apiCalls, MetricUnit.Count, Object.values(result.apiCalls).reduce((a, b) => a + b, 0));
  metrics.publishStoredMetrics();
}
