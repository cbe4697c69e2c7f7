import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../errors.js';
import { SimAccount } from '../sim/account.js';
import type { Elbv2Fixture } from '../sim/elbv2.js';
import { Elbv2Adapter } from './elbv2.js';

const CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/0f1e2d3c';

function setup(fixture: Elbv2Fixture, options: { pageSize?: number } = {}) {
  const account = new SimAccount({ region: 'ap-northeast-1', start: 0 });
  account.elbv2.seed(fixture);
  return { account, elb: new Elbv2Adapter(account.clients().elbv2, options) };
}

const lbs = (n: number, prefix = 'lb') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${String(i).padStart(2, '0')}` }));
const namesOf = (list: { name: string }[]) => list.map((x) => x.name);
/** Number of names in each DescribeLoadBalancers call, in order (undefined = a listing of all). */
const describedBatches = (account: SimAccount) => account.calls.filter((c) => c.operation === 'DescribeLoadBalancers').map((c) => c.input.Names?.length);

const SHOP: Elbv2Fixture = {
  targetGroups: [
    { name: 'api-tg', port: 8000, healthCheckPath: '/health' },
    { name: 'admin-tg', port: 8080 },
  ],
  loadBalancers: [
    {
      name: 'Shop-ALB',
      listeners: [
        { port: 443, certificate: CERT, forward: 'api-tg', rules: [{ priority: 10, pathPattern: '/admin/*', forward: { 'admin-tg': 1, 'api-tg': 3 } }] },
        { port: 80, forward: 'api-tg' },
      ],
    },
  ],
};

describe('Elbv2Adapter.loadBalancersByName', () => {
  it('lists the account once for 45 names: one page of 400 instead of 3 calls of 20 names', async () => {
    const fixture = lbs(45);
    const { account, elb } = setup({ loadBalancers: fixture });

    const { found, missing } = await elb.loadBalancersByName(namesOf(fixture));

    expect(namesOf(found)).toEqual(namesOf(fixture));
    expect(missing).toEqual([]);
    expect(describedBatches(account)).toEqual([undefined]);
  });

  it('asks for names 20 a call when the listing would cost more: a few of a large account', async () => {
    const fixture = lbs(45);
    const { account, elb } = setup({ loadBalancers: fixture }, { pageSize: 20 });
    const wanted = namesOf(fixture).slice(20, 45);

    const { found, missing } = await elb.loadBalancersByName(wanted);

    expect(namesOf(found)).toEqual(wanted);
    expect(missing).toEqual([]);
    // 25 names cost 2 calls by name: the listing stops after 2 pages (20 of them found), the other 5 by name.
    expect(describedBatches(account)).toEqual([undefined, undefined, 5]);
  });

  it('keeps the found ones and reports a missing name, with one listing of the account', async () => {
    const fixture = lbs(45);
    const { account, elb } = setup({ loadBalancers: fixture });
    const names = [...namesOf(fixture).slice(0, 30), 'gone-alb', ...namesOf(fixture).slice(30)];

    const { found, missing } = await elb.loadBalancersByName(names);

    expect(namesOf(found)).toEqual(namesOf(fixture));
    expect(missing).toEqual(['gone-alb']);
    expect(describedBatches(account)).toEqual([undefined]);
  });

  it('lists the rest of the account when a name asked for by name does not exist', async () => {
    const fixture = lbs(45);
    const { account, elb } = setup({ loadBalancers: fixture }, { pageSize: 20 });
    const names = [...namesOf(fixture).slice(30, 45), 'gone-alb', ...namesOf(fixture).slice(25, 30)];

    const { found, missing } = await elb.loadBalancersByName(names);

    expect(namesOf(found)).toEqual([...namesOf(fixture).slice(30, 45), ...namesOf(fixture).slice(25, 30)]);
    expect(missing).toEqual(['gone-alb']);
    // Two pages find 15 of the 21; the other 6 by name fail on gone-alb; the listing's last page settles it.
    expect(account.calls.map((c) => `${c.input.Names?.length ?? 'all'} ${c.error ?? 'ok'}`)).toEqual(['all ok', 'all ok', '6 LoadBalancerNotFoundException', 'all ok']);
  });

  it('pages the listing of all load balancers', async () => {
    const { account, elb } = setup({ loadBalancers: lbs(5) }, { pageSize: 2 });

    const { found, missing } = await elb.loadBalancersByName(['lb-04', 'nope']);

    expect(namesOf(found)).toEqual(['lb-04']);
    expect(missing).toEqual(['nope']);
    expect(describedBatches(account)).toEqual([2, undefined, undefined, undefined]);
  });

  it('normalises a load balancer: DNS name lower-cased, canonical zone, state', async () => {
    const { elb } = setup(SHOP);

    const [lb] = (await elb.loadBalancersByName(['Shop-ALB'])).found;

    expect(lb).toMatchObject({ name: 'Shop-ALB', canonicalHostedZoneId: 'Z14GRHDCWA56QT', type: 'application', scheme: 'internet-facing', state: 'active' });
    expect(lb.dnsName).toMatch(/^shop-alb-\d{10}\.ap-northeast-1\.elb\.amazonaws\.com$/);
  });

  it('sees a new DNS name after the ALB is recreated', async () => {
    const { account, elb } = setup(SHOP);
    const [before] = (await elb.loadBalancersByName(['Shop-ALB'])).found;

    account.elbv2.recreateLoadBalancer('Shop-ALB');
    const [after] = (await elb.loadBalancersByName(['Shop-ALB'])).found;

    expect(after.dnsName).not.toBe(before.dnsName);
    expect(after.arn).not.toBe(before.arn);
    expect(after.state).toBe('provisioning');
  });

  it('retries throttling with the SDK retry strategy', async () => {
    const { account, elb } = setup(SHOP);
    account.faults.fail({ service: 'elbv2', error: 'throttle', times: 2 });

    const { found } = await elb.loadBalancersByName(['Shop-ALB']);

    expect(namesOf(found)).toEqual(['Shop-ALB']);
    expect(account.calls.map((c) => c.error)).toEqual(['Throttling', 'Throttling', undefined]);
  });

  it('surfaces an error other than not-found with what was being done', async () => {
    const { account, elb } = setup(SHOP);
    account.faults.fail({ service: 'elbv2', error: 'accessDenied' });

    const err = await elb.loadBalancersByName(['Shop-ALB']).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ awsName: 'AccessDenied', transient: false, httpStatus: 403 });
    expect((err as Error).message).toMatch(/^describing load balancers Shop-ALB: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/);
  });
});

describe('Elbv2Adapter.targetGroupsByName', () => {
  it('finds target groups with the load balancers using them and reports missing names', async () => {
    const { account, elb } = setup(SHOP);
    const lbArn = account.elbv2.findByName('Shop-ALB')!.arn;

    const { found, missing } = await elb.targetGroupsByName(['api-tg', 'ghost-tg']);

    expect(missing).toEqual(['ghost-tg']);
    expect(found).toEqual([
      expect.objectContaining({
        name: 'api-tg',
        port: 8000,
        protocol: 'HTTP',
        targetType: 'ip',
        loadBalancerArns: [lbArn],
        healthCheckPath: '/health',
        healthCheckPort: 'traffic-port',
        matcher: '200',
        vpcId: account.elbv2.vpcId,
      }),
    ]);
    expect(account.calls.map((c) => `${c.operation} ${c.error ?? 'ok'}`)).toEqual(['DescribeTargetGroups TargetGroupNotFoundException', 'DescribeTargetGroups ok']);
  });
});

describe('Elbv2Adapter listeners and rules', () => {
  it('lists the listeners of a load balancer across pages with certificates and forward actions', async () => {
    const { account, elb } = setup(SHOP, { pageSize: 1 });
    const lbArn = account.elbv2.findByName('Shop-ALB')!.arn;
    const [tg] = (await elb.targetGroupsByName(['api-tg'])).found;

    const listeners = await elb.listeners(lbArn);

    expect(listeners.map((l) => [l.port, l.protocol, l.certificateArns, l.sslPolicy])).toEqual([
      [443, 'HTTPS', [CERT], 'ELBSecurityPolicy-2016-08'],
      [80, 'HTTP', [], undefined],
    ]);
    expect(listeners[0].defaultActions).toEqual([{ type: 'forward', targetGroups: [{ arn: tg.arn, weight: 1 }] }]);
    expect(account.calls.filter((c) => c.operation === 'DescribeListeners')).toHaveLength(2);
  });

  it('lists the rules of a listener with the default rule last', async () => {
    const { account, elb } = setup(SHOP, { pageSize: 1 });
    const [https] = await elb.listeners(account.elbv2.findByName('Shop-ALB')!.arn);
    const { found } = await elb.targetGroupsByName(['admin-tg', 'api-tg']);

    const rules = await elb.rules(https.arn);

    expect(rules.map((r) => [r.priority, r.isDefault, r.conditions])).toEqual([
      ['10', false, [{ field: 'path-pattern', values: ['/admin/*'] }]],
      ['default', true, []],
    ]);
    expect(rules[0].actions).toEqual([
      {
        type: 'forward',
        targetGroups: [
          { arn: found[0].arn, weight: 1 },
          { arn: found[1].arn, weight: 3 },
        ],
      },
    ]);
    expect(account.calls.filter((c) => c.operation === 'DescribeRules')).toHaveLength(2);
  });

  it('reports a deleted load balancer as LoadBalancerNotFoundException with the ARN it read', async () => {
    const { account, elb } = setup(SHOP);
    const old = account.elbv2.findByName('Shop-ALB')!.arn;
    account.elbv2.recreateLoadBalancer('Shop-ALB');

    const err = await elb.listeners(old).catch((e: unknown) => e);

    expect(err).toMatchObject({ awsName: 'LoadBalancerNotFoundException', service: 'elbv2', operation: 'DescribeListeners', transient: false });
    expect((err as Error).message).toBe(`listing listeners of load balancer ${old}: LoadBalancerNotFoundException: One or more load balancers not found`);
  });
});

describe('Elbv2Adapter maintenance rules', () => {
  const RULE = { priority: 1, conditions: [{ field: 'host-header', values: ['api.example.com'] }], statusCode: '503', contentType: 'application/json', body: '{"status":"maintenance"}' };

  it('creates a tagged fixed-response rule, reads it back with its response, and deletes it', async () => {
    const { account, elb } = setup(SHOP);
    const [https] = await elb.listeners(account.elbv2.findByName('Shop-ALB')!.arn);

    const created = await elb.createFixedResponseRule(https.arn, RULE, { 'steady:managed-by': 'steady' });

    expect(created).toMatchObject({
      priority: '1',
      isDefault: false,
      conditions: [{ field: 'host-header', values: ['api.example.com'] }],
      actions: [{ type: 'fixed-response', targetGroups: [], fixedResponse: { statusCode: '503', contentType: 'application/json', messageBody: '{"status":"maintenance"}' } }],
    });
    expect((await elb.rules(https.arn)).map((r) => r.priority)).toEqual(['1', '10', 'default']);
    expect(await elb.tags([created.arn])).toEqual({ [created.arn]: { 'steady:managed-by': 'steady' } });
    await elb.deleteRule(created.arn);
    await elb.deleteRule(created.arn);
    expect((await elb.rules(https.arn)).map((r) => r.priority)).toEqual(['10', 'default']);
    expect(account.calls.filter((c) => c.operation === 'DeleteRule').map((c) => c.error ?? 'ok')).toEqual(['ok', 'RuleNotFoundException']);
  });

  it('surfaces a taken priority as PriorityInUseException', async () => {
    const { account, elb } = setup(SHOP);
    const [https] = await elb.listeners(account.elbv2.findByName('Shop-ALB')!.arn);

    const err = await elb.createFixedResponseRule(https.arn, { ...RULE, priority: 10 }, {}).catch((e: unknown) => e);

    expect(err).toMatchObject({ awsName: 'PriorityInUseException', operation: 'CreateRule' });
    expect((err as Error).message).toBe(`creating rule 10 on listener ${https.arn}: PriorityInUseException: Priority '10' is currently in use`);
  });
});

describe('Elbv2Adapter.targetHealth and tags', () => {
  it('reads target health with states and reasons', async () => {
    const { account, elb } = setup(SHOP);
    const [tg] = (await elb.targetGroupsByName(['api-tg'])).found;
    account.elbv2.registerTargets(tg.arn, [
      { id: '10.0.1.5', port: 8000, healthy: true },
      { id: '10.0.1.6', port: 8000, healthy: false },
    ]);
    account.clock.advance(150_000);

    const health = await elb.targetHealth(tg.arn);

    expect(health).toEqual([
      { id: '10.0.1.5', port: 8000, state: 'healthy' },
      { id: '10.0.1.6', port: 8000, state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' },
    ]);
  });

  it('reads tags of 25 resources in 2 calls', async () => {
    const fixture = lbs(25).map((lb, i) => ({ ...lb, tags: { 'steady:managed-by': 'steady', index: String(i) } }));
    const { account, elb } = setup({ loadBalancers: fixture });
    const { found } = await elb.loadBalancersByName(namesOf(fixture));

    const tags = await elb.tags(found.map((lb) => lb.arn));

    expect(Object.keys(tags)).toHaveLength(25);
    expect(tags[found[24].arn]).toEqual({ 'steady:managed-by': 'steady', index: '24' });
    expect(account.calls.filter((c) => c.operation === 'DescribeTags').map((c) => c.input.ResourceArns.length)).toEqual([20, 5]);
  });

  it('surfaces TargetGroupNotFoundException for target health of a deleted group', async () => {
    const { elb } = setup(SHOP);
    const arn = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/gone/0123456789abcdef';

    await expect(elb.targetHealth(arn)).rejects.toMatchObject({
      awsName: 'TargetGroupNotFoundException',
      message: `reading target health of target group ${arn}: TargetGroupNotFoundException: One or more target groups not found`,
    });
  });
});
