/**
 * The CloudWatch metrics of passes, as embedded metric format (EMF) lines through Powertools.
 * Each environment's pass is one EMF line carrying two dimension sets: `service, environment`
 * (dashboards, per-environment investigation) and `service` alone (the aggregate the alarms watch,
 * since the environments are not known when the stack is deployed).
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { PassResult } from '../model/pass.js';

/** The CloudWatch namespace and the `service` dimension of every metric. */
export const METRIC_NAMESPACE = 'steady';
export const SERVICE_NAME = 'steady';

/** Metric names; the CDK app's alarms refer to them through this object. */
export const METRIC = {
  /** Drift seen by the pass (one per resource and difference). */
  driftFound: 'DriftFound',
  /** Drift the pass healed. */
  driftHealed: 'DriftHealed',
  /** Drift still there when the pass ended (failed, blocked, pending, held or observe mode). */
  driftUnhealed: 'DriftUnhealed',
  /** Changes AWS refused or that did not work. */
  actionsFailed: 'ActionsFailed',
  /** Changes started but not finished, or not started because time ran out. */
  actionsPending: 'ActionsPending',
  /** 1 when the pass could not run at all (AWS unreadable, state table down, specs unreadable). */
  passFailed: 'PassFailed',
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
} as const;

/**
 * Publishes one EMF line with the metrics of one pass. Synchronous from `addDimension` to
 * `publishStoredMetrics`, so passes running concurrently in one invocation never mix their
 * dimensions.
 *
 * @example
 * publishPassMetrics(metrics, result, { leaseHeld: false });
 */
export function publishPassMetrics(metrics: Metrics, result: PassResult, options: { leaseHeld: boolean }): void {
  const healed = result.drift.filter((d) => d.healedAt !== undefined).length;
  const count = (state: string) => result.outcomes.filter((o) => o.state === state).length;
  metrics.addDimension('environment', result.environment);
  // An empty set adds the `service`-only dimension set beside `service, environment`.
  metrics.addDimensions({});
  metrics.addMetric(METRIC.driftFound, MetricUnit.Count, result.drift.length);
  metrics.addMetric(METRIC.driftHealed, MetricUnit.Count, healed);
  metrics.addMetric(METRIC.driftUnhealed, MetricUnit.Count, result.drift.length - healed);
  metrics.addMetric(METRIC.actionsFailed, MetricUnit.Count, count('failed'));
  metrics.addMetric(METRIC.actionsPending, MetricUnit.Count, count('pending'));
  metrics.addMetric(METRIC.passFailed, MetricUnit.Count, result.outcome === 'failed' ? 1 : 0);
  metrics.addMetric(METRIC.leaseHeld, MetricUnit.Count, options.leaseHeld ? 1 : 0);
  metrics.addMetric(METRIC.passDuration, MetricUnit.Milliseconds, result.finishedAt - result.startedAt);
  metrics.addMetric(METRIC.apiCalls, MetricUnit.Count, Object.values(result.apiCalls).reduce((a, b) => a + b, 0));
  metrics.publishStoredMetrics();
}
