/**
 * The Maintenance planner on its own (the pass-level scenarios are in controller/pass.maintenance.test.ts):
 * whether maintenance should be on (command, spec, automatic), what that means for a CloudFront
 * distribution and an ALB listener, whose distributions and rules it leaves alone, and what it does
 * when something is missing or unreadable. AWS's side is written out literally here.
 */
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import type { DistributionDetail, ListenerRule } from '../model/aws.js';
import { markerValue, restoreTags, TAG_MAINTENANCE, type DistributionRestore, type MaintenanceMemory } from '../model/maintenance.js';
import { ownershipTags, type Action, type DesiredEnvironment, type Plan } from '../model/plan.js';
import { maintenanceSchema, type MaintenanceDoc } from '../spec/schema.js';
import { desiredShop, POLICY, syncedActual } from '../testing/plan-fixtures.js';
import { wantedMaintenance } from './maintenance.js';
import { plan, policyFor } from './plan.js';

const NAME = 'shop-maint';
const KEY = `Maintenance/${NAME}`;
const NOW = POLICY.now;
const SINCE = '2026-01-01 00:00 UTC';
const LISTENER = 'HTTPS:443 of shop-api-alb';
const PAGE = '/maintenance.html 503 cached 10s';

function maintenanceDoc(spec: Record<string, unknown>): MaintenanceDoc {
  return maintenanceSchema.parse({ apiVersion: 'steady.dev/v1alpha1', kind: 'Maintenance', metadata: { name: NAME, environment: 'shop-prod' }, spec });
}

const CF = { distribution: 'E2EXAMPLE', origin: 'maintenance-bucket', errorResponse: { pagePath: '/maintenance.html', errorCodes: [503] } };
const LB = { name: 'shop-api-alb', listener: { port: 443, protocol: 'HTTPS' }, hosts: ['api.example.com'] };

/** The distribution's configuration as CloudFront returns it, in service (`off`) or switched by steady (`on`). */
function config(state: 'off' | 'on'): Record<string, any> {
  const origin = state === 'on' ? 'maintenance-bucket' : 'app-alb';
  return {
    CallerReference: 'shop-2025',
    Comment: 'shop',
    Origins: {
      Quantity: 2,
      Items: [
        { Id: 'app-alb', DomainName: 'shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com' },
        { Id: 'maintenance-bucket', DomainName: 'shop-maintenance.s3.ap-northeast-1.amazonaws.com', OriginAccessControlId: 'E1OACEXAMPLE' },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: origin, ViewerProtocolPolicy: 'redirect-to-https' },
    CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: '/api/*', TargetOriginId: origin, ViewerProtocolPolicy: 'https-only' }] },
    CustomErrorResponses:
      state === 'on'
        ? { Quantity: 1, Items: [{ ErrorCode: 503, ResponsePagePath: '/maintenance.html', ResponseCode: '503', ErrorCachingMinTTL: 10 }] }
        : { Quantity: 0 },
    Enabled: true,
  };
}

/** What steady recorded when it switched the distribution on: both behaviours were on app-alb, 503 had no page. */
const RECORD: DistributionRestore = {
  behaviors: { '*': 'app-alb', '/api/*': 'app-alb' },
  errorResponses: { '503': null },
  origin: 'maintenance-bucket',
  page: { ErrorCode: 0, ResponsePagePath: '/maintenance.html', ResponseCode: '503', ErrorCachingMinTTL: 10 },
};

function distribution(state: 'off' | 'on', tags: Record<string, string> = {}): DistributionDetail {
  return {
    id: 'E2EXAMPLE',
    arn: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE',
    domainName: 'd111111abcdef8.cloudfront.net',
    status: 'Deployed',
    enabled: true,
    aliases: ['example.com'],
    etag: 'E2QWRUHEXAMPLE',
    config: config(state),
    tags,
  };
}

/** The marker and restore record steady leaves on a distribution it switched on (by spec, at `since`). */
const switchedTags = (env = 'shop-prod', resource = KEY, since = NOW - 3_600_000) => ({ [TAG_MAINTENANCE]: markerValue(env, resource, { source: 'spec', since }), ...restoreTags(RECORD) });

const DEFAULT_RULE: ListenerRule = { arn: 'arn:rule/default', priority: 'default', isDefault: true, conditions: [], actions: [{ type: 'forward', targetGroups: [{ arn: 'arn:tg', weight: 1 }] }] };

function maintenanceRuleOf(priority: string, tags: Record<string, string> = ownershipTags('shop-prod', KEY), body = '{"status":"maintenance","message":"This service is down for maintenance. Please try again later."}'): ListenerRule {
  return {
    arn: `arn:rule/${priority}`,
    priority,
    isDefault: false,
    conditions: [{ field: 'host-header', values: ['api.example.com'] }],
    actions: [{ type: 'fixed-response', targetGroups: [], fixedResponse: { statusCode: '503', contentType: 'application/json', messageBody: body } }],
    tags,
  };
}

/** The shop with one Maintenance over its distribution and/or its ALB listener, AWS in service (maintenance off). */
function shop(spec: Record<string, unknown>): { desired: DesiredEnvironment; actual: ActualState } {
  const desired = desiredShop();
  desired.maintenance = [maintenanceDoc(spec)];
  const actual = syncedActual(desired);
  actual.maintenance[NAME] = {
    ...(spec.cloudFront ? { distribution: distribution('off') } : {}),
    ...(spec.loadBalancer
      ? {
          loadBalancer: actual.loadBalancers['shop-api-alb'],
          listener: { arn: 'arn:listener/443', loadBalancerArn: 'arn:lb', port: 443, protocol: 'HTTPS', certificateArns: ['arn:cert'], defaultActions: DEFAULT_RULE.actions },
          rules: [DEFAULT_RULE],
        }
      : {}),
  };
  return { desired, actual };
}

const run = (desired: DesiredEnvironment, actual: ActualState, memory?: MaintenanceMemory) => plan(desired, actual, policyFor(desired, { now: NOW }), memory ? { [NAME]: memory } : undefined);
const statusOf = (p: Plan) => p.resources.find((r) => r.resource === KEY)!;
const actionsOf = (p: Plan) => p.actions.filter((a) => a.resource === KEY);
const brief = (p: Plan) => actionsOf(p).map((a) => `${a.kind} ${a.id}${a.dependsOn.length ? ` <- ${a.dependsOn.join(',')}` : ''}`);
const observed = (actual: ActualState) => actual.maintenance[NAME];

describe('Maintenance planner: switching on and off', () => {
  it('off and in service: nothing to do, and the status says what each entry point does', () => {
    const { desired, actual } = shop({ cloudFront: CF, loadBalancer: LB });

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Synced',
      reason: 'Off',
      message: `not in maintenance: CloudFront E2EXAMPLE serves its own origins; ${LISTENER} forwards as usual`,
      diff: [],
      maintenance: { state: 'off' },
    });
    expect(statusOf(p).notes).toBeUndefined();
  });

  it('maintenance: on switches the distribution (marker, every behaviour, the error page) and creates the listener rule', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF, loadBalancer: LB });

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`SwitchDistribution switch-on:${KEY}`, `CreateMaintenanceRule create-rule:${KEY}`]);
    const [sw, create] = actionsOf(p) as [Extract<Action, { kind: 'SwitchDistribution' }>, Extract<Action, { kind: 'CreateMaintenanceRule' }>];
    expect(sw).toMatchObject({
      mode: 'on',
      distributionId: 'E2EXAMPLE',
      arn: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE',
      summary: 'switch CloudFront E2EXAMPLE to maintenance',
      marker: `${KEY} env=shop-prod source=spec since=2026-01-01T00:00:00.000Z`,
      tags: {},
    });
    expect('restore' in sw).toBe(false);
    expect(sw.diff).toEqual([
      { path: 'CloudFront E2EXAMPLE behaviour * origin', before: 'app-alb', after: 'maintenance-bucket' },
      { path: 'CloudFront E2EXAMPLE behaviour /api/* origin', before: 'app-alb', after: 'maintenance-bucket' },
      { path: 'CloudFront E2EXAMPLE error response 503', before: '(none)', after: PAGE },
    ]);
    expect(create).toMatchObject({
      listenerArn: 'arn:listener/443',
      listener: LISTENER,
      summary: `create maintenance rule 1 on ${LISTENER}`,
      rule: { priority: 1, conditions: [{ field: 'host-header', values: ['api.example.com'] }], statusCode: '503', contentType: 'application/json' },
      tags: { ...ownershipTags('shop-prod', KEY), team: 'shop' },
    });
    expect(create.diff).toEqual([{ path: `${LISTENER} rule 1`, before: undefined, after: '503 application/json for api.example.com' }]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Drifted',
      reason: 'OnBySpec',
      message: `turning maintenance on (on by spec since ${SINCE}): CloudFront E2EXAMPLE answers from origin maintenance-bucket and answers errors 503 with /maintenance.html (503, cached 10s); ${LISTENER} answers 503 application/json for api.example.com (rule 1)`,
      maintenance: { state: 'on', source: 'spec', since: NOW },
    });
    expect(statusOf(p).diff).toEqual([{ path: 'maintenance', before: 'off', after: `on by spec since ${SINCE}` }, ...sw.diff, ...create.diff]);
    expect(statusOf(p).notes).toBeUndefined();
  });

  it('on and in place: nothing to do; a change CloudFront still deploys is Progressing', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF, loadBalancer: LB });
    observed(actual).distribution = distribution('on', switchedTags());
    observed(actual).rules = [maintenanceRuleOf('1'), DEFAULT_RULE];
    const memory: MaintenanceMemory = { name: NAME, last: { state: 'on', source: 'spec', since: NOW - 3_600_000 } };

    let p = run(desired, actual, memory);
    expect(actionsOf(p)).toEqual([]);
    const says = `CloudFront E2EXAMPLE answers from origin maintenance-bucket and answers errors 503 with /maintenance.html (503, cached 10s); ${LISTENER} answers 503 application/json for api.example.com (rule 1)`;
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'OnBySpec', message: `in maintenance (on by spec since 2025-12-31 23:00 UTC): ${says}`, diff: [] });
    expect(statusOf(p).notes).toBeUndefined();

    observed(actual).distribution!.status = 'InProgress';
    p = run(desired, actual, memory);
    expect(statusOf(p)).toMatchObject({ phase: 'Progressing', message: `in maintenance (on by spec since 2025-12-31 23:00 UTC): ${says}; CloudFront is still deploying the change` });
  });

  it("maintenance: off puts back what the restore record holds and deletes steady's rule, nothing else", () => {
    const { desired, actual } = shop({ cloudFront: CF, loadBalancer: LB });
    observed(actual).distribution = distribution('on', switchedTags());
    observed(actual).rules = [maintenanceRuleOf('1'), DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`SwitchDistribution switch-off:${KEY}`, `DeleteMaintenanceRule delete-rule:${KEY}:1`]);
    const [sw, del] = actionsOf(p) as [Extract<Action, { kind: 'SwitchDistribution' }>, Extract<Action, { kind: 'DeleteMaintenanceRule' }>];
    expect(sw).toMatchObject({ mode: 'off', summary: 'switch CloudFront E2EXAMPLE back from maintenance', restore: RECORD });
    expect(sw.diff).toEqual([
      { path: 'CloudFront E2EXAMPLE behaviour * origin', before: 'maintenance-bucket', after: 'app-alb' },
      { path: 'CloudFront E2EXAMPLE behaviour /api/* origin', before: 'maintenance-bucket', after: 'app-alb' },
      { path: 'CloudFront E2EXAMPLE error response 503', before: PAGE, after: '(none)' },
    ]);
    expect(del).toMatchObject({ ruleArn: 'arn:rule/1', listener: LISTENER, priority: '1', summary: `delete maintenance rule 1 of ${LISTENER}`, dependsOn: [] });
    expect(del.diff).toEqual([{ path: `${LISTENER} rule 1`, before: "503 (steady's maintenance rule)", after: undefined }]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Drifted',
      reason: 'Off',
      message: `turning maintenance off: CloudFront E2EXAMPLE serves its own origins; ${LISTENER} forwards as usual`,
    });
    expect(statusOf(p).diff).toEqual([{ path: 'maintenance', before: 'on', after: 'off' }, ...sw.diff, ...del.diff]);
  });

  it("the restore record is taken from the state table's copy when the distribution's tags lost it", () => {
    const { desired, actual } = shop({ cloudFront: CF });
    observed(actual).distribution = distribution('on', { [TAG_MAINTENANCE]: switchedTags()[TAG_MAINTENANCE] });

    let p = run(desired, actual, { name: NAME, restore: { distribution: 'E2EXAMPLE', record: RECORD, savedAt: NOW - 3_600_000 } });
    expect((actionsOf(p)[0] as Extract<Action, { kind: 'SwitchDistribution' }>).restore).toEqual(RECORD);

    // A copy made for another distribution is not this one's.
    p = run(desired, actual, { name: NAME, restore: { distribution: 'E3OTHER', record: RECORD, savedAt: NOW - 3_600_000 } });
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'RestoreRecordLost',
      message:
        "CloudFront distribution E2EXAMPLE carries steady's maintenance marker, but its restore record (tags steady:maintenance-before*) is damaged and the state table holds no copy: point its behaviours back at their origins by hand and remove the tag steady:maintenance (maintenance should be off)",
    });
  });

  it('a distribution steady switched back already, its marker still on it, has the marker removed', () => {
    const { desired, actual } = shop({ cloudFront: CF });
    observed(actual).distribution = distribution('off', switchedTags());

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`SwitchDistribution switch-off:${KEY}`]);
    expect(actionsOf(p)[0].diff).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'Off' });
    expect(statusOf(p).diff).toEqual([{ path: 'maintenance', before: 'off', after: 'off' }]);
  });

  it('a distribution in maintenance by hand, with nothing of steady on it, is left alone and said so', () => {
    const { desired, actual } = shop({ cloudFront: CF });
    observed(actual).distribution = distribution('on');

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Off' });
    expect(statusOf(p).notes).toEqual(['CloudFront distribution E2EXAMPLE answers (part of) the maintenance page, but steady did not switch it; left alone']);
  });

  it('switching on a distribution that already answers the page, with no record, says it stays so afterwards', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF });
    observed(actual).distribution = distribution('on');

    const p = run(desired, actual);

    // Only the marker is written: nothing of the configuration differs.
    expect(brief(p)).toEqual([`SwitchDistribution switch-on:${KEY}`]);
    expect(actionsOf(p)[0].diff).toEqual([]);
    expect(statusOf(p).diff).toEqual([{ path: 'maintenance', before: 'on', after: `on by spec since ${SINCE}` }]);
    expect(statusOf(p).notes).toEqual([
      'CloudFront distribution E2EXAMPLE already answered the maintenance page; steady has no record of what it had before, so it will leave it so when maintenance ends',
    ]);
  });

  it('switching on again over an interrupted switch keeps the first restore record', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF });
    const half = distribution('off', switchedTags());
    half.config.DefaultCacheBehavior.TargetOriginId = 'maintenance-bucket';
    observed(actual).distribution = half;

    const p = run(desired, actual);

    const sw = actionsOf(p)[0] as Extract<Action, { kind: 'SwitchDistribution' }>;
    expect(sw.restore).toEqual(RECORD);
    expect(sw.diff.map((d) => d.path)).toEqual(['CloudFront E2EXAMPLE behaviour /api/* origin', 'CloudFront E2EXAMPLE error response 503']);
    expect(statusOf(p).message).toMatch(/^turning maintenance on \(on by spec since .*\): CloudFront E2EXAMPLE answers from origin maintenance-bucket/);
  });

  it('only the behaviours the spec names are switched, and the status names them', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: { distribution: 'E2EXAMPLE', origin: 'maintenance-bucket', behaviors: ['/api/*'] } });

    const p = run(desired, actual);

    expect(actionsOf(p)[0].diff).toEqual([{ path: 'CloudFront E2EXAMPLE behaviour /api/* origin', before: 'app-alb', after: 'maintenance-bucket' }]);
    expect(statusOf(p).message).toBe(`turning maintenance on (on by spec since ${SINCE}): CloudFront E2EXAMPLE answers from origin maintenance-bucket (/api/*)`);
  });

  it('an error page alone is said without an origin', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: { distribution: 'E2EXAMPLE', errorResponse: { pagePath: '/down.html', errorCodes: [502, 503], responseCode: 200, cacheSeconds: 0 } } });

    const p = run(desired, actual);

    expect(statusOf(p).message).toBe(`turning maintenance on (on by spec since ${SINCE}): CloudFront E2EXAMPLE answers errors 502, 503 with /down.html (200, cached 0s)`);
  });

  it('an origin not reached through origin access control is noted', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF });
    delete observed(actual).distribution!.config.Origins.Items[1].OriginAccessControlId;

    expect(statusOf(run(desired, actual)).notes).toEqual(['origin maintenance-bucket is not reached through origin access control: a bucket behind it must be public to serve the page']);
  });

  it('the distribution in maintenance by steady and the rule still to create, turning on: partly on', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF, loadBalancer: LB });
    observed(actual).distribution = distribution('on', switchedTags());

    const p = run(desired, actual, { name: NAME, last: { state: 'on', source: 'spec', since: NOW - 3_600_000 } });

    expect(brief(p)).toEqual([`CreateMaintenanceRule create-rule:${KEY}`]);
    expect(statusOf(p).diff).toEqual([{ path: 'maintenance', before: 'partly on', after: 'on by spec since 2025-12-31 23:00 UTC' }, ...actionsOf(p)[0].diff]);
  });

  it('turning off a distribution steady switched, with no rule of steady on the listener: partly on', () => {
    const { desired, actual } = shop({ cloudFront: CF, loadBalancer: LB });
    observed(actual).distribution = distribution('on', switchedTags());

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`SwitchDistribution switch-off:${KEY}`]);
    expect(statusOf(p).diff[0]).toEqual({ path: 'maintenance', before: 'partly on', after: 'off' });
  });

  it('a restore copy the state table still holds for a distribution switched back already, marker gone, changes nothing', () => {
    const { desired, actual } = shop({ cloudFront: CF, loadBalancer: LB });
    observed(actual).rules = [maintenanceRuleOf('1'), DEFAULT_RULE];
    const memory: MaintenanceMemory = { name: NAME, restore: { distribution: 'E2EXAMPLE', record: RECORD, savedAt: NOW - 3_600_000 } };

    let p = run(desired, actual, memory);

    // Only steady's rule is left to delete: the distribution serves its own origins already.
    expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:1`]);
    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'Off', message: `turning maintenance off: CloudFront E2EXAMPLE serves its own origins; ${LISTENER} forwards as usual` });
    expect(p.actions.map((a) => a.id)).toEqual([`delete-rule:${KEY}:1`]);
    expect(statusOf(p).diff).toEqual([
      { path: 'maintenance', before: 'partly on', after: 'off' },
      { path: `${LISTENER} rule 1`, before: "503 (steady's maintenance rule)", after: undefined },
    ]);

    // Switching on again records what the distribution has now, not the old copy.
    desired.maintenance![0].spec.maintenance = 'on';
    observed(actual).rules = [DEFAULT_RULE];
    p = run(desired, actual, memory);
    const sw = actionsOf(p)[0] as Extract<Action, { kind: 'SwitchDistribution' }>;
    expect(sw).toMatchObject({ kind: 'SwitchDistribution', mode: 'on' });
    expect('restore' in sw).toBe(false);
  });

  it('what the state table remembers without a restore copy changes nothing: in service, nothing to do', () => {
    const { desired, actual } = shop({ cloudFront: CF });

    const p = run(desired, actual, { name: NAME, last: { state: 'off' } });

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Off', message: 'not in maintenance: CloudFront E2EXAMPLE serves its own origins' });
  });

  it('the distribution switched and the rule not yet there is partly on', () => {
    const { desired, actual } = shop({ cloudFront: CF, loadBalancer: LB });
    observed(actual).rules = [maintenanceRuleOf('1'), DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:1`]);
    expect(statusOf(p).diff).toEqual([{ path: 'maintenance', before: 'partly on', after: 'off' }, ...actionsOf(p)[0].diff]);
  });
});

describe('Maintenance planner: the listener rule', () => {
  it("steady's rule at another priority is replaced: created first, the old one deleted after", () => {
    const { desired, actual } = shop({ maintenance: 'on', loadBalancer: { ...LB, priority: 5 } });
    observed(actual).rules = [maintenanceRuleOf('3'), DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`CreateMaintenanceRule create-rule:${KEY}`, `DeleteMaintenanceRule delete-rule:${KEY}:3 <- create-rule:${KEY}`]);
    expect(statusOf(p).diff[0]).toEqual({ path: 'maintenance', before: 'off', after: `on by spec since ${SINCE}` });
  });

  it("steady's rule at the spec's priority that answers otherwise is left while maintenance is on, and said so; extra rules of steady's go", () => {
    const { desired, actual } = shop({ maintenance: 'on', loadBalancer: LB });
    observed(actual).rules = [maintenanceRuleOf('1', undefined, 'old body'), maintenanceRuleOf('2'), DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:2`]);
    expect(statusOf(p).notes).toEqual([`maintenance rule 1 of ${LISTENER} does not answer as the spec says; steady leaves it while maintenance is on (it is made anew next time)`]);
    expect(statusOf(p).diff).toEqual([
      { path: 'maintenance', before: 'on', after: `on by spec since ${SINCE}` },
      { path: `${LISTENER} rule 2`, before: "503 (steady's maintenance rule)", after: undefined },
    ]);
  });

  it("steady's rule changed by hand to forward is still steady's: deleted when maintenance ends, the diff naming what it does", () => {
    const { desired, actual } = shop({ loadBalancer: LB });
    observed(actual).rules = [{ ...maintenanceRuleOf('1'), actions: [{ type: 'forward', targetGroups: [{ arn: 'arn:tg', weight: 1 }] }] }, DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:1`]);
    expect(actionsOf(p)[0].diff).toEqual([{ path: `${LISTENER} rule 1`, before: "forward (steady's maintenance rule)", after: undefined }]);
  });

  it("a rule of another environment or resource, or an untagged one, is never steady's: not deleted, and its priority is in use", () => {
    for (const tags of [ownershipTags('shop-staging', KEY), ownershipTags('shop-prod', 'Maintenance/other'), undefined]) {
      const { desired, actual } = shop({ loadBalancer: LB });
      const theirs = { ...maintenanceRuleOf('1'), tags } as ListenerRule;
      observed(actual).rules = [theirs, DEFAULT_RULE];

      let p = run(desired, actual);
      expect(actionsOf(p)).toEqual([]);
      expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Off' });

      desired.maintenance![0].spec.maintenance = 'on';
      p = run(desired, actual);
      expect(actionsOf(p)).toEqual([]);
      expect(statusOf(p)).toMatchObject({
        phase: 'Failed',
        reason: 'PriorityInUse',
        message: `priority 1 of listener ${LISTENER} is taken by another rule (arn:rule/1), not steady's maintenance rule; set spec.loadBalancer.priority to a free one (maintenance should be on by spec since ${SINCE})`,
      });
    }
  });

  it('a missing load balancer or listener fails, an unread listener blocks; nothing is planned', () => {
    const { desired, actual } = shop({ maintenance: 'on', loadBalancer: LB });
    const o = observed(actual);

    o.rules = undefined;
    let p = run(desired, actual);
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Blocked',
      reason: 'ObserveFailed',
      message: `the rules of listener 443 of shop-api-alb could not be read; nothing is changed this pass (maintenance should be on by spec since ${SINCE})`,
    });

    o.listener = null;
    p = run(desired, actual);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'ListenerNotFound', message: expect.stringMatching(/^load balancer shop-api-alb has no HTTPS:443; fix spec.loadBalancer.listener /) });
    desired.maintenance![0].spec.loadBalancer!.listener = { port: 8080 };
    p = run(desired, actual);
    expect(statusOf(p).message).toMatch(/^load balancer shop-api-alb has no listener on port 8080; fix spec.loadBalancer.listener /);

    o.loadBalancer = null;
    p = run(desired, actual);
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'LoadBalancerNotFound', message: expect.stringMatching(/^load balancer shop-api-alb does not exist; fix spec.loadBalancer.name /) });
  });
});

describe('Maintenance planner: whose distribution, and what is missing', () => {
  it('a distribution in maintenance by steady for another environment or resource is a Conflict and is never switched', () => {
    for (const [env, resource] of [
      ['shop-staging', KEY],
      ['shop-prod', 'Maintenance/other'],
    ]) {
      for (const wanted of ['on', 'off']) {
        const { desired, actual } = shop({ maintenance: wanted, cloudFront: CF });
        observed(actual).distribution = distribution('on', switchedTags(env, resource));

        const p = run(desired, actual);

        expect(actionsOf(p)).toEqual([]);
        expect(statusOf(p)).toMatchObject({
          phase: 'Failed',
          reason: 'Conflict',
          message: expect.stringMatching(new RegExp(`^CloudFront distribution E2EXAMPLE is in maintenance by steady for ${env} ${resource}; steady leaves it alone \\(maintenance should be `)),
        });
      }
    }
  });

  it("a marker of steady's that names no environment is another's: a Conflict naming it '?'", () => {
    const { desired, actual } = shop({ cloudFront: CF });
    observed(actual).distribution = distribution('on', { ...switchedTags(), [TAG_MAINTENANCE]: `${KEY} source=spec` });

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'Conflict', message: `CloudFront distribution E2EXAMPLE is in maintenance by steady for ? ${KEY}; steady leaves it alone (maintenance should be off)` });
  });

  it('a Maintenance observe has nothing for at all blocks: the distribution is unread, nothing is switched', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF });
    delete actual.maintenance[NAME];

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: `CloudFront distribution E2EXAMPLE could not be read; nothing is changed this pass (maintenance should be on by spec since ${SINCE})` });
  });

  it('a distribution that could not be read blocks, a missing one fails; nothing is switched', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF });
    delete observed(actual).distribution;
    let p = run(desired, actual);
    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Blocked',
      reason: 'ObserveFailed',
      message: `CloudFront distribution E2EXAMPLE could not be read; nothing is changed this pass (maintenance should be on by spec since ${SINCE})`,
    });

    observed(actual).distribution = null;
    p = run(desired, actual);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'DistributionNotFound', message: expect.stringMatching(/^CloudFront distribution E2EXAMPLE does not exist; fix spec.cloudFront.distribution /) });
  });

  it('an origin or a behaviour the distribution does not have fails before anything is switched', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: { ...CF, origin: 'nowhere' }, loadBalancer: LB });
    let p = run(desired, actual);
    expect(actionsOf(p).map((a) => a.kind)).toEqual(['CreateMaintenanceRule']);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'OriginNotFound',
      message: expect.stringMatching(/^CloudFront distribution E2EXAMPLE has no origin nowhere \(it has app-alb, maintenance-bucket\): add the maintenance bucket as an origin/),
    });

    desired.maintenance![0].spec.cloudFront = { ...desired.maintenance![0].spec.cloudFront!, origin: 'maintenance-bucket', behaviors: ['/api/*', '/img/*', '/css/*'] };
    p = run(desired, actual);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'BehaviorNotFound',
      message: expect.stringMatching(/^CloudFront distribution E2EXAMPLE has no cache behaviour \/img\/\*, \/css\/\*; fix spec.cloudFront.behaviors \(\* is the default behaviour\)/),
    });
  });

  it('something it depends on that could not be read blocks it, and the status still says what is wanted', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF });
    actual.unreadable.push({ what: 'CloudFront distribution E2EXAMPLE', awsName: 'AccessDenied', message: 'not allowed', affects: [KEY] } as never);

    const p = run(desired, actual);

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', maintenance: { state: 'on', source: 'spec', since: NOW } });
  });
});

describe('wantedMaintenance: a command, then the spec, then the automatic mode', () => {
  const m = (maintenance: 'on' | 'off') => maintenanceDoc({ maintenance, loadBalancer: LB });
  const window = { by: 'alice', reason: 'DB upgrade', at: NOW - 600_000, until: NOW + 3_600_000 };

  it("a command's window wins while it lasts, since when it went on", () => {
    expect(wantedMaintenance(m('off'), { name: NAME, override: window }, NOW)).toEqual({
      wanted: { state: 'on', source: 'command', since: NOW - 600_000, by: 'alice', reason: 'DB upgrade', until: NOW + 3_600_000 },
      notes: [],
    });
    // On by command already: since the last pass's time.
    expect(wantedMaintenance(m('off'), { name: NAME, override: window, last: { state: 'on', source: 'command', since: NOW - 900_000 } }, NOW).wanted.since).toBe(NOW - 900_000);
    // On by something else before: since the command's time.
    expect(wantedMaintenance(m('off'), { name: NAME, override: window, last: { state: 'on', source: 'spec', since: NOW - 900_000 } }, NOW).wanted.since).toBe(NOW - 600_000);
  });

  it("an ended window says so, and the spec or the automatic mode decides", () => {
    const ended = { ...window, until: NOW };
    expect(wantedMaintenance(m('off'), { name: NAME, override: ended }, NOW)).toEqual({
      wanted: { state: 'off' },
      notes: ['the maintenance window turned on by command (alice: DB upgrade) ended at 2026-01-01 00:00 UTC'],
    });
    expect(wantedMaintenance(m('on'), { name: NAME, override: ended }, NOW).wanted).toEqual({ state: 'on', source: 'spec', since: NOW });
  });

  it("on by spec counts from when it went on by spec, as the table or the distribution's marker says", () => {
    expect(wantedMaintenance(m('on'), { name: NAME, last: { state: 'on', source: 'spec', since: NOW - 60_000 } }, NOW).wanted.since).toBe(NOW - 60_000);
    expect(wantedMaintenance(m('on'), { name: NAME, last: { state: 'off' } }, NOW).wanted.since).toBe(NOW);
    expect(wantedMaintenance(m('on'), undefined, NOW, { state: 'on', source: 'spec', since: NOW - 120_000 }).wanted.since).toBe(NOW - 120_000);
    expect(wantedMaintenance(m('on'), undefined, NOW, { state: 'on', source: 'automatic', since: NOW - 120_000 }).wanted.since).toBe(NOW);
  });

  it('the automatic mode turns it on only when active, with its reason', () => {
    const automatic = { active: true, since: NOW - 300_000, reason: 'the chain has been broken for 3 passes', brokenPasses: 3, readyPasses: 0, switchesOn: [NOW - 300_000] };
    expect(wantedMaintenance(m('off'), { name: NAME, automatic }, NOW).wanted).toEqual({ state: 'on', source: 'automatic', since: NOW - 300_000, reason: 'the chain has been broken for 3 passes' });
    const { reason: _r, since: _s, ...bare } = automatic;
    expect(wantedMaintenance(m('off'), { name: NAME, automatic: bare }, NOW).wanted).toEqual({ state: 'on', source: 'automatic', since: NOW });
    expect(wantedMaintenance(m('off'), { name: NAME, automatic: { ...automatic, active: false } }, NOW).wanted).toEqual({ state: 'off' });
  });

  it('the status of a Maintenance on by command or automatically says so', () => {
    const { desired, actual } = shop({ loadBalancer: LB });
    let p = run(desired, actual, { name: NAME, override: window });
    expect(statusOf(p)).toMatchObject({ reason: 'OnByCommand', message: expect.stringMatching(/^turning maintenance on \(on by command \(alice: DB upgrade\) since 2025-12-31 23:50 UTC until 2026-01-01 01:00 UTC\): /) });

    p = run(desired, actual, { name: NAME, automatic: { active: true, since: NOW, brokenPasses: 3, readyPasses: 0, switchesOn: [] } });
    expect(statusOf(p).reason).toBe('OnAutomatically');

    p = run(desired, actual, { name: NAME, override: { ...window, until: NOW - 1 } });
    expect(statusOf(p)).toMatchObject({ reason: 'Off', notes: ['the maintenance window turned on by command (alice: DB upgrade) ended at 2025-12-31 23:59 UTC'] });
  });
});

// Each case below was a mutant no test saw (issue 26): what steady says and plans at the edges of
// whose distribution and rule it is, and what each part reports.
describe('Maintenance planner: what each part says at its edges', () => {
  it('two behaviours are named in the status, and two missing ones in the failure', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: { distribution: 'E2EXAMPLE', origin: 'maintenance-bucket', behaviors: ['*', '/api/*'] } });
    expect(statusOf(run(desired, actual)).message).toBe(`turning maintenance on (on by spec since ${SINCE}): CloudFront E2EXAMPLE answers from origin maintenance-bucket (*, /api/*)`);

    desired.maintenance![0].spec.cloudFront!.behaviors = ['/img/*', '/css/*'];
    expect(statusOf(run(desired, actual)).message).toBe(
      `CloudFront distribution E2EXAMPLE has no cache behaviour /img/*, /css/*; fix spec.cloudFront.behaviors (* is the default behaviour) (maintenance should be on by spec since ${SINCE})`,
    );
  });

  it('a distribution switched and a rule still to be made is partly on; the status diff holds exactly the rule to make, and no note', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF, loadBalancer: LB });
    observed(actual).distribution = distribution('on', switchedTags());

    const p = run(desired, actual, { name: NAME, last: { state: 'on', source: 'spec', since: NOW - 3_600_000 } });

    expect(brief(p)).toEqual([`CreateMaintenanceRule create-rule:${KEY}`]);
    expect(statusOf(p).diff).toEqual([
      { path: 'maintenance', before: 'partly on', after: 'on by spec since 2025-12-31 23:00 UTC' },
      { path: `${LISTENER} rule 1`, before: undefined, after: '503 application/json for api.example.com' },
    ]);
    expect(statusOf(p).notes).toBeUndefined();
  });

  it('a distribution answering the page by hand counts as switched while steady marks it, and the rule being made is the only note-free change', () => {
    const { desired, actual } = shop({ maintenance: 'on', cloudFront: CF, loadBalancer: LB });
    observed(actual).distribution = distribution('on');

    const p = run(desired, actual);

    expect(statusOf(p).diff[0]).toEqual({ path: 'maintenance', before: 'partly on', after: `on by spec since ${SINCE}` });
    expect(statusOf(p).notes).toEqual([
      'CloudFront distribution E2EXAMPLE already answered the maintenance page; steady has no record of what it had before, so it will leave it so when maintenance ends',
    ]);
  });

  it("going off deletes steady's rules, each in the status diff, even one edited by hand to forward", () => {
    const { desired, actual } = shop({ loadBalancer: LB });
    const edited: ListenerRule = { ...maintenanceRuleOf('2'), actions: [{ type: 'forward', targetGroups: [{ arn: 'arn:tg', weight: 1 }] }] };
    observed(actual).rules = [maintenanceRuleOf('1'), edited, DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:1`, `DeleteMaintenanceRule delete-rule:${KEY}:2`]);
    expect(statusOf(p).diff).toEqual([
      { path: 'maintenance', before: 'on', after: 'off' },
      { path: `${LISTENER} rule 1`, before: "503 (steady's maintenance rule)", after: undefined },
      { path: `${LISTENER} rule 2`, before: "forward (steady's maintenance rule)", after: undefined },
    ]);
  });

  it("on with steady's rule in place: extra rules of steady's go and are each in the status diff; a rule that answers as the spec says has no note", () => {
    const { desired, actual } = shop({ maintenance: 'on', loadBalancer: LB });
    observed(actual).rules = [maintenanceRuleOf('1'), maintenanceRuleOf('7'), DEFAULT_RULE];

    const p = run(desired, actual);

    expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:7`]);
    expect(statusOf(p).diff).toEqual([
      { path: 'maintenance', before: 'on', after: `on by spec since ${SINCE}` },
      { path: `${LISTENER} rule 7`, before: "503 (steady's maintenance rule)", after: undefined },
    ]);
    expect(statusOf(p).notes).toBeUndefined();
  });

  it("a distribution whose marker tag was removed is still put back while the table holds steady's record of it", () => {
    const { desired, actual } = shop({ cloudFront: CF });
    observed(actual).distribution = distribution('on');

    const p = run(desired, actual, { name: NAME, restore: { distribution: 'E2EXAMPLE', record: RECORD, savedAt: NOW - 3_600_000 } });

    expect(brief(p)).toEqual([`SwitchDistribution switch-off:${KEY}`]);
    expect(actionsOf(p)[0]).toMatchObject({ mode: 'off', restore: RECORD });
  });

  it('a marker whose restore record is damaged, with a table entry that holds no record, is RestoreRecordLost', () => {
    const { desired, actual } = shop({ cloudFront: CF });
    observed(actual).distribution = distribution('on', { [TAG_MAINTENANCE]: switchedTags()[TAG_MAINTENANCE] });

    const p = run(desired, actual, { name: NAME, last: { state: 'on', source: 'spec', since: NOW - 3_600_000 } });

    expect(actionsOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'RestoreRecordLost' });
  });

  it("going off where only the rule is steady's: the distribution is not switched and the status diff holds exactly the rule", () => {
    for (const memory of [undefined, { name: NAME, restore: { distribution: 'E2EXAMPLE', record: RECORD, savedAt: NOW - 3_600_000 } }]) {
      const { desired, actual } = shop({ cloudFront: CF, loadBalancer: LB });
      observed(actual).rules = [maintenanceRuleOf('1'), DEFAULT_RULE];

      const p = run(desired, actual, memory);

      expect(brief(p)).toEqual([`DeleteMaintenanceRule delete-rule:${KEY}:1`]);
      expect(statusOf(p).diff).toEqual([
        { path: 'maintenance', before: 'partly on', after: 'off' },
        { path: `${LISTENER} rule 1`, before: "503 (steady's maintenance rule)", after: undefined },
      ]);
    }
  });

  it("off, no marker, and the table's record of a distribution already back in service: nothing to switch", () => {
    const { desired, actual } = shop({ cloudFront: CF });

    const p = run(desired, actual, { name: NAME, restore: { distribution: 'E2EXAMPLE', record: RECORD, savedAt: NOW - 3_600_000 } });

    expect(p.actions).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Off', message: 'not in maintenance: CloudFront E2EXAMPLE serves its own origins', diff: [] });
    expect(statusOf(p).notes).toBeUndefined();
  });
});
