import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { METRIC } from '../controller/lambda/telemetry.js';
import { deployConfig } from './context.js';
import { perEnvironmentQuery } from './environment-alarms.js';
import { SteadyStack } from './stack.js';

function synth(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SteadyStack(app, 'Steady', { config: deployConfig((key) => context[key]), env: { account: '123456789012', region: 'ap-northeast-1' } });
  return { stack, template: Template.fromStack(stack) };
}

/** The alarms whose one query is a Metrics Insights query, by metric name. */
function perEnvironmentAlarms(template: Template): Map<string, any> {
  const found = new Map<string, any>();
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
    const query = alarm.Properties.Metrics?.[0]?.Expression as string | undefined;
    const m = query && /^SELECT MAX\((\w+)\)/.exec(query);
    if (m) found.set(m[1], alarm.Properties);
  }
  return found;
}

describe('per-environment alarms', () => {
  const { stack, template } = synth({ clusters: 'shop-prod', hostedZoneIds: 'Z0123456789ABCDEFGHIJ', driftAlarmPasses: '4', schedule: 'rate(2 minutes)' });

  it('queries each metric grouped by environment, so every environment is a contributor of its own', () => {
    expect(perEnvironmentQuery(METRIC.passFailed)).toBe("SELECT MAX(PassFailed) FROM SCHEMA(steady, environment, service) WHERE service = 'steady' GROUP BY environment ORDER BY MAX() DESC");
    const alarms = perEnvironmentAlarms(template);
    expect([...alarms.keys()].sort()).toEqual([METRIC.driftUnrepaired, METRIC.environmentUnreadable, METRIC.passFailed].sort());
    for (const [name, p] of alarms) {
      expect(p.Metrics).toEqual([{ Id: expect.any(String), Expression: perEnvironmentQuery(name), Label: `${name} by environment`, Period: 120, ReturnData: true }]);
      expect(p).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore', AlarmActions: [{ Ref: expect.stringMatching(/^AlarmTopic/) }] });
    }
    expect(alarms.get(METRIC.passFailed)).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(alarms.get(METRIC.environmentUnreadable)).toMatchObject({ EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(alarms.get(METRIC.driftUnrepaired)).toMatchObject({ EvaluationPeriods: 4, DatapointsToAlarm: 4 });
  });

  it('does not depend on which environments exist: a deployment naming more clusters has the same alarms', () => {
    const more = synth({ clusters: 'shop-prod,shop-staging,messaging-prod', hostedZoneIds: 'Z0123456789ABCDEFGHIJ', driftAlarmPasses: '4', schedule: 'rate(2 minutes)' });
    expect(Object.keys(more.template.findResources('AWS::CloudWatch::Alarm')).length).toBe(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
  });

  it('passes cdk-nag', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});
