/**
 * Per-environment alarms: each a CloudWatch alarm on a Metrics Insights query grouped by the
 * `environment` dimension every pass publishes (controller/lambda/telemetry.ts), so each environment
 * is a contributor of its own and goes into ALARM (and notifies) on its own. Why a query and not an
 * alarm per environment listed in the context: the environments live in the published specs, not
 * in the deployment; an environment added by `steady apply` is watched from its first pass without a
 * redeploy, and one removed leaves no alarm behind. 200 environments would also be 600 alarms
 * in one stack, over CloudFormation's 500 resources. A Metrics Insights query returns at most 500
 * time series: past 500 environments, the alarm watches the 500 worst (ORDER BY MAX() DESC).
 */
import type { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from '../controller/lambda/telemetry.js';

export interface EnvironmentAlarmsProps {
  alarmTopic: sns.ITopic;
  /** The schedule's interval: one datapoint a pass. */
  interval: Duration;
  /** Passes in a row with unrepaired drift before an environment alarms (the context `driftAlarmPasses`). */
  driftAlarmPasses: number;
}

/**
 * The Metrics Insights query of one metric per environment: its highest value in each period.
 *
 * @example
 * perEnvironmentQuery('PassFailed');
 * // SELECT MAX(PassFailed) FROM SCHEMA(steady, environment, service) WHERE service = 'steady' GROUP BY environment ORDER BY MAX() DESC
 */
export function perEnvironmentQuery(metricName: string): string {
  return `SELECT MAX(${metricName}) FROM SCHEMA(${METRIC_NAMESPACE}, environment, service) WHERE service = '${SERVICE_NAME}' GROUP BY environment ORDER BY MAX() DESC`;
}

/** The per-environment alarms: a failed pass, AWS unreadable, drift left unrepaired. */
export function addEnvironmentAlarms(stack: Stack, props: EnvironmentAlarmsProps) {
  const alarm = (id: string, metricName: string, periods: number, alarmDescription: string) => {
    const a = new cloudwatch.Alarm(stack, id, {
      alarmDescription: `${alarmDescription} Each environment is a contributor of its own: the alarm's contributors name the environments in ALARM.`,
      metric: new cloudwatch.MathExpression({ expression: perEnvironmentQuery(metricName), period: props.interval, label: `${metricName} by environment` }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      // An environment with no pass in a period (skipped, removed from the specs) neither alarms nor clears.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    a.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    return a;
  };
  return {
    passFailed: alarm('EnvironmentPassFailed', METRIC.passFailed, 1, 'A pass of an environment failed (a change AWS refused, a resource steady cannot bring to its spec, the lease or the state table unusable). See the ERROR lines with that environment in the log.'),
    unreadable: alarm('EnvironmentUnreadable', METRIC.environmentUnreadable, 2, 'steady could not read AWS for an environment two passes in a row (its role cannot be assumed, access denied, throttled out): it cannot tell whether anything drifted there.'),
    driftUnrepaired: alarm(
      'EnvironmentDriftUnrepaired',
      METRIC.driftUnrepaired,
      props.driftAlarmPasses,
      `Drift has been left unrepaired in an environment for ${props.driftAlarmPasses} passes in a row (a conflict, a failed migration, the change budget, AWS busy, or observe mode). See steady status for it.`,
    ),
  };
}
