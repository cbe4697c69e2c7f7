import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';
import { PROVISIONING_MS, type Elbv2Fixture } from './elbv2.js';

const CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/0f1e2d3c';

const FIXTURE: Elbv2Fixture = {
  targetGroups: [
    { name: 'api-tg', port: 8000, healthCheckPath: '/health' },
    { name: 'admin-tg', port: 8080 },
    { name: 'spare-tg' },
  ],
  loadBalancers: [
    {
      name: 'shop-alb',
      listeners: [
        { port: 443, certificate: CERT, forward: 'api-tg', rules: [{ priority: 10, pathPattern: '/admin/*', forward: 'admin-tg' }] },
        { port: 80, forward: 'api-tg' },
      ],
    },
  ],
};

function sim(fixture: Elbv2Fixture = FIXTURE) {
  const account = new SimAccount({ region: 'ap-northeast-1', start: 0 });
  account.elbv2.seed(fixture);
  return { account, elb: account.clients().elbv2 };
}

async function lbNamed(elb: ReturnType<typeof sim>['elb'], name: string) {
  return (await elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers![0];
}

async function tgNamed(elb: ReturnType<typeof sim>['elb'], name: string) {
  return (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups![0];
}

async function health(elb: ReturnType<typeof sim>['elb'], tgArn: string) {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return out.TargetHealthDescriptions!.map((d) => [d.Target!.Id, d.TargetHealth!.State, d.TargetHealth!.Reason ?? null]);
}

describe('simulated ELBv2: load balancers', () => {
  it('creates an ALB provisioning with a region DNS name and canonical zone, active after the delay', async () => {
    const { account, elb } = sim({});

    const created = (await elb.send(new CreateLoadBalancerCommand({ Name: 'Web-ALB', Subnets: ['subnet-a', 'subnet-b'] }))).LoadBalancers![0];

    expect(created.DNSName).toMatch(/^Web-ALB-\d{10}\.ap-northeast-1\.elb\.amazonaws\.com$/);
    expect(created.CanonicalHostedZoneId).toBe('Z14GRHDCWA56QT');
    expect(created.LoadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer\/app\/Web-ALB\/[0-9a-f]{16}$/);
    expect(created.State).toEqual({ Code: 'provisioning' });
    account.clock.advance(PROVISIONING_MS);
    expect((await lbNamed(elb, 'Web-ALB')).State).toEqual({ Code: 'active' });
  });

  it('names internal load balancers internal-<name>-... and network ones under elb.<region>', async () => {
    const { elb } = sim({});

    const internal = (await elb.send(new CreateLoadBalancerCommand({ Name: 'private', Scheme: 'internal' }))).LoadBalancers![0];
    const nlb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network' }))).LoadBalancers![0];

    expect(internal.DNSName).toMatch(/^internal-private-\d{10}\.ap-northeast-1\.elb\.amazonaws\.com$/);
    expect(nlb.DNSName).toMatch(/^tcp-[0-9a-f]{16}\.elb\.ap-northeast-1\.amazonaws\.com$/);
    expect(nlb.CanonicalHostedZoneId).toBe('Z31USIVHYNEOWT');
  });

  it('gives a load balancer deleted and created again under the same name a new ARN and DNS name', async () => {
    const { elb } = sim();
    const before = await lbNamed(elb, 'shop-alb');

    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: before.LoadBalancerArn }));
    const after = (await elb.send(new CreateLoadBalancerCommand({ Name: 'shop-alb' }))).LoadBalancers![0];

    expect(after.DNSName).not.toBe(before.DNSName);
    expect(after.LoadBalancerArn).not.toBe(before.LoadBalancerArn);
    expect(after.DNSName).toMatch(/^shop-alb-\d{10}\./);
  });

  it('deletes a load balancer with its listeners and frees its target groups', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;

    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));

    await expect(elb.send(new DescribeListenersCommand({ ListenerArns: [listeners[0].ListenerArn!] }))).rejects.toMatchObject({
      name: 'ListenerNotFoundException',
      message: 'One or more listeners not found',
    });
    expect((await tgNamed(elb, 'api-tg')).LoadBalancerArns).toEqual([]);
  });

  it('recreateLoadBalancer keeps name, listeners and rules but changes ARN and DNS name', async () => {
    const { account, elb } = sim();
    const before = await lbNamed(elb, 'shop-alb');

    const after = account.elbv2.recreateLoadBalancer('shop-alb');

    expect(after.DNSName).not.toBe(before.DNSName);
    expect(after.State).toEqual({ Code: 'provisioning' });
    expect((await lbNamed(elb, 'shop-alb')).LoadBalancerArn).toBe(after.LoadBalancerArn);
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: after.LoadBalancerArn }))).Listeners!;
    expect(listeners.map((l) => [l.Port, l.Protocol])).toEqual([
      [443, 'HTTPS'],
      [80, 'HTTP'],
    ]);
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listeners[0].ListenerArn }))).Rules!;
    expect(rules.map((r) => r.Priority)).toEqual(['10', 'default']);
    expect((await tgNamed(elb, 'api-tg')).LoadBalancerArns).toEqual([after.LoadBalancerArn]);
  });

  it('returns the existing load balancer for the same settings and refuses a different one', async () => {
    const { elb } = sim();
    const existing = await lbNamed(elb, 'shop-alb');

    const again = (await elb.send(new CreateLoadBalancerCommand({ Name: 'shop-alb' }))).LoadBalancers![0];

    expect(again.LoadBalancerArn).toBe(existing.LoadBalancerArn);
    await expect(elb.send(new CreateLoadBalancerCommand({ Name: 'shop-alb', Scheme: 'internal' }))).rejects.toMatchObject({
      name: 'DuplicateLoadBalancerNameException',
      message: "A load balancer with the same name 'shop-alb' exists, but with different settings",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it.each([
    ['a'.repeat(33), `The load balancer name '${'a'.repeat(33)}' cannot be longer than '32' characters`],
    ['-bad', "The load balancer name '-bad' can only contain characters that are alphanumeric characters or hyphens(-) and must not begin or end with a hyphen"],
    ['internal-x', "The load balancer name 'internal-x' cannot begin with 'internal-'"],
  ])('refuses the name %s with ValidationError', async (name, message) => {
    const { elb } = sim({});

    await expect(elb.send(new CreateLoadBalancerCommand({ Name: name }))).rejects.toMatchObject({ name: 'ValidationError', message });
  });

  it('fails a whole DescribeLoadBalancers when one name is unknown', async () => {
    const { elb } = sim();

    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ['shop-alb', 'gone'] }))).rejects.toMatchObject({
      name: 'LoadBalancerNotFoundException',
      message: 'One or more load balancers not found',
    });
  });

  it('refuses more than 20 names in one DescribeLoadBalancers', async () => {
    const { elb } = sim();
    const names = Array.from({ length: 21 }, (_, i) => `lb-${i}`);

    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: names }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 20`,
    });
  });

  it('pages all load balancers with Marker and PageSize', async () => {
    const { elb } = sim({ loadBalancers: Array.from({ length: 5 }, (_, i) => ({ name: `lb-${i}` })) });

    const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2 }));
    const second = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2, Marker: first.NextMarker }));
    const last = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2, Marker: second.NextMarker }));

    expect([first, second, last].flatMap((p) => p.LoadBalancers!.map((lb) => lb.LoadBalancerName))).toEqual(['lb-0', 'lb-1', 'lb-2', 'lb-3', 'lb-4']);
    expect(last.NextMarker).toBeUndefined();
  });

  it('refuses names and ARNs in the same DescribeLoadBalancers', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');

    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ['shop-alb'], LoadBalancerArns: [lb.LoadBalancerArn!] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Load balancer names and load balancer ARNs cannot be specified at the same time',
    });
  });

  it('hides a just-created load balancer from reads under injected stale reads', async () => {
    const { account, elb } = sim({});
    account.faults.staleReads({ service: 'elbv2', forMs: 10_000 });
    await elb.send(new CreateLoadBalancerCommand({ Name: 'fresh' }));

    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ['fresh'] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    account.clock.advance(10_000);
    expect((await lbNamed(elb, 'fresh')).LoadBalancerName).toBe('fresh');
  });
});

describe('simulated ELBv2: target groups, listeners and rules', () => {
  it('fills a target group LoadBalancerArns from the listeners and rules that forward to it', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');

    const byLb = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups!;

    expect(byLb.map((tg) => [tg.TargetGroupName, tg.LoadBalancerArns])).toEqual([
      ['api-tg', [lb.LoadBalancerArn]],
      ['admin-tg', [lb.LoadBalancerArn]],
    ]);
    expect((await tgNamed(elb, 'spare-tg')).LoadBalancerArns).toEqual([]);
  });

  it('describes a seeded target group with ELB defaults and its health check', async () => {
    const { elb } = sim();

    const tg = await tgNamed(elb, 'api-tg');

    expect(tg).toMatchObject({
      Protocol: 'HTTP',
      Port: 8000,
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckPort: 'traffic-port',
      HealthCheckIntervalSeconds: 30,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
  });

  it('creates a target group with ELB defaults: instance targets, HTTP checks of / every 30 s', async () => {
    const { account, elb } = sim({});

    const [tg] = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80 }))).TargetGroups!;

    expect(tg).toEqual({
      TargetGroupArn: expect.stringMatching(/^arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup\/web\/[0-9a-f]{16}$/),
      TargetGroupName: 'web',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: account.elbv2.vpcId,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: '/',
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [],
      TargetType: 'instance',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    });
  });

  it('answers target groups of an unknown load balancer with LoadBalancerNotFoundException', async () => {
    const { elb } = sim();

    await expect(
      elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/gone/0123456789abcdef' })),
    ).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException', message: 'One or more load balancers not found' });
  });

  it('modifies a target group health check', async () => {
    const { elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');

    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, HealthCheckPath: '/ready', HealthCheckPort: '9000' }));

    expect(await tgNamed(elb, 'api-tg')).toMatchObject({ HealthCheckPath: '/ready', HealthCheckPort: '9000' });
  });

  it('refuses to delete a target group a listener forwards to', async () => {
    const { elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');

    await expect(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: `Target group '${tg.TargetGroupArn}' is currently in use by a listener or a rule`,
    });
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: (await tgNamed(elb, 'spare-tg')).TargetGroupArn }));
    await expect(tgNamed(elb, 'spare-tg')).rejects.toMatchObject({ name: 'TargetGroupNotFoundException', message: 'One or more target groups not found' });
  });

  it('refuses a target group with the same name and different settings', async () => {
    const { elb } = sim();

    await expect(elb.send(new CreateTargetGroupCommand({ Name: 'api-tg', Protocol: 'HTTP', Port: 9999, TargetType: 'ip' }))).rejects.toMatchObject({
      name: 'DuplicateTargetGroupNameException',
      message: "A target group with the same name 'api-tg' exists, but with different settings",
    });
  });

  it('describes a forward action with TargetGroupArn and ForwardConfig, and the certificate of an HTTPS listener', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const tg = await tgNamed(elb, 'api-tg');

    const [https] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;

    expect(https).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT }],
      SslPolicy: 'ELBSecurityPolicy-2016-08',
      DefaultActions: [
        {
          Type: 'forward',
          TargetGroupArn: tg.TargetGroupArn,
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg.TargetGroupArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
        },
      ],
    });
  });

  it('keeps weights of a forward to several target groups and no single TargetGroupArn', async () => {
    const { elb } = sim({
      targetGroups: [{ name: 'blue' }, { name: 'green' }],
      loadBalancers: [{ name: 'bg', listeners: [{ port: 80, forward: { blue: 90, green: 10 } }] }],
    });
    const lb = await lbNamed(elb, 'bg');

    const [listener] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;

    expect(listener.DefaultActions![0].TargetGroupArn).toBeUndefined();
    expect(listener.DefaultActions![0].ForwardConfig!.TargetGroups!.map((g) => g.Weight)).toEqual([90, 10]);
  });

  it('refuses an HTTPS listener without a certificate and a second listener on a port', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const tg = await tgNamed(elb, 'spare-tg');
    const forward = [{ Type: 'forward' as const, TargetGroupArn: tg.TargetGroupArn }];

    await expect(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Port: 8443, Protocol: 'HTTPS', DefaultActions: forward })),
    ).rejects.toMatchObject({ name: 'ValidationError', message: 'A certificate must be specified for HTTPS listeners' });
    await expect(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: forward })),
    ).rejects.toMatchObject({ name: 'DuplicateListenerException', message: 'A listener already exists on this port for this load balancer' });
  });

  it('refuses to attach a target group to a second load balancer', async () => {
    const { elb } = sim();
    const other = (await elb.send(new CreateLoadBalancerCommand({ Name: 'other-alb' }))).LoadBalancers![0];
    const tg = await tgNamed(elb, 'api-tg');

    await expect(
      elb.send(
        new CreateListenerCommand({ LoadBalancerArn: other.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }),
      ),
    ).rejects.toMatchObject({
      name: 'TargetGroupAssociationLimitException',
      message: `The following target groups cannot be associated with more than one load balancer: ${tg.TargetGroupArn}`,
    });
  });

  it('moves a listener to another target group with ModifyListener and deletes a listener', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const spare = await tgNamed(elb, 'spare-tg');
    const [, http] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;

    await elb.send(new ModifyListenerCommand({ ListenerArn: http.ListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: spare.TargetGroupArn }] }));
    expect((await tgNamed(elb, 'spare-tg')).LoadBalancerArns).toEqual([lb.LoadBalancerArn]);
    await elb.send(new DeleteListenerCommand({ ListenerArn: http.ListenerArn }));

    expect((await tgNamed(elb, 'spare-tg')).LoadBalancerArns).toEqual([]);
    expect((await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!.map((l) => l.Port)).toEqual([443]);
  });

  it('lists rules by priority with the default rule last, and keeps the default rule', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const [https] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
    const spare = await tgNamed(elb, 'spare-tg');

    await elb.send(
      new CreateRuleCommand({
        ListenerArn: https.ListenerArn,
        Priority: 5,
        Conditions: [{ Field: 'host-header', Values: ['spare.example.com'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: spare.TargetGroupArn }],
      }),
    );
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: https.ListenerArn }))).Rules!;

    expect(rules.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['5', false],
      ['10', false],
      ['default', true],
    ]);
    expect(rules[1].Conditions).toEqual([{ Field: 'path-pattern', Values: ['/admin/*'], PathPatternConfig: { Values: ['/admin/*'] } }]);
    await expect(elb.send(new DeleteRuleCommand({ RuleArn: rules[2].RuleArn }))).rejects.toMatchObject({
      name: 'OperationNotPermittedException',
      message: 'Default rule cannot be deleted',
    });
    await expect(
      elb.send(new CreateRuleCommand({ ListenerArn: https.ListenerArn, Priority: 10, Conditions: rules[1].Conditions, Actions: rules[1].Actions })),
    ).rejects.toMatchObject({ name: 'PriorityInUseException', message: "Priority '10' is currently in use" });
    await elb.send(new DeleteRuleCommand({ RuleArn: rules[0].RuleArn }));
    expect((await tgNamed(elb, 'spare-tg')).LoadBalancerArns).toEqual([]);
  });

  it('creates a fixed-response rule with tags, describes it with its host-header config, and deletes it', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const [https] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
    const maintenance = { StatusCode: '503', ContentType: 'application/json', MessageBody: '{"status":"maintenance"}' };

    const created = await elb.send(
      new CreateRuleCommand({
        ListenerArn: https.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: maintenance }],
        Tags: [{ Key: 'steady:managed-by', Value: 'steady' }],
      }),
    );
    const arn = created.Rules![0].RuleArn!;

    expect(arn).toMatch(/^arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule\/app\/shop-alb\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    const [rule] = (await elb.send(new DescribeRulesCommand({ RuleArns: [arn] }))).Rules!;
    expect(rule).toEqual({
      RuleArn: arn,
      Priority: '1',
      Conditions: [{ Field: 'host-header', Values: ['api.example.com'], HostHeaderConfig: { Values: ['api.example.com'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: maintenance }],
      IsDefault: false,
    });
    expect((await elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }))).TagDescriptions![0].Tags).toEqual([{ Key: 'steady:managed-by', Value: 'steady' }]);
    await elb.send(new DeleteRuleCommand({ RuleArn: arn }));
    await expect(elb.send(new DescribeRulesCommand({ RuleArns: [arn] }))).rejects.toMatchObject({ name: 'RuleNotFoundException', message: 'One or more rules not found' });
  });

  const badResponses: [string, Record<string, string>, string][] = [
    ['a status code outside 2XX/4XX/5XX', { StatusCode: '302' }, 'ValidationError'],
    ['a content type ELB does not answer with', { StatusCode: '503', ContentType: 'application/xml' }, 'InvalidConfigurationRequestException'],
    ['a body over 1024 characters', { StatusCode: '503', MessageBody: 'x'.repeat(1025) }, 'ValidationError'],
  ];
  it.each(badResponses)('refuses a fixed response with %s', async (_what, config, name) => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const [https] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;

    await expect(
      elb.send(new CreateRuleCommand({ ListenerArn: https.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: config as never }] })),
    ).rejects.toMatchObject({ name });
    expect((await elb.send(new DescribeRulesCommand({ ListenerArn: https.ListenerArn }))).Rules!.map((r) => r.Priority)).toEqual(['10', 'default']);
  });
});

describe('simulated ELBv2: target health', () => {
  it('takes a healthy target from registration through initial health checks to healthy', async () => {
    const { account, elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');

    account.elbv2.registerTargets(tg.TargetGroupArn!, [{ id: '10.0.1.5', port: 8000, healthy: true }]);

    expect(await health(elb, tg.TargetGroupArn!)).toEqual([['10.0.1.5', 'initial', 'Elb.RegistrationInProgress']]);
    account.clock.advance(5_000);
    expect(await health(elb, tg.TargetGroupArn!)).toEqual([['10.0.1.5', 'initial', 'Elb.InitialHealthChecking']]);
    account.clock.advance(144_999); // 30 s interval x 5 healthy threshold, less 1 ms
    expect(await health(elb, tg.TargetGroupArn!)).toEqual([['10.0.1.5', 'initial', 'Elb.InitialHealthChecking']]);
    account.clock.advance(1);
    const [described] = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!;
    expect(described).toEqual({ Target: { Id: '10.0.1.5', Port: 8000 }, HealthCheckPort: '8000', TargetHealth: { State: 'healthy' } });
  });

  it('marks a target whose container fails its check unhealthy after interval x unhealthy threshold', async () => {
    const { account, elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');

    account.elbv2.registerTargets(tg.TargetGroupArn!, [{ id: '10.0.1.6', port: 8000, healthy: false }]);
    account.clock.advance(60_000);

    const [d] = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!;
    expect(d.TargetHealth).toEqual({ State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' });
    expect(account.elbv2.targetState(tg.TargetGroupArn!, '10.0.1.6', 8000)).toBe('unhealthy');
  });

  it('turns healthy targets unhealthy when a scenario fails the group health checks, and back', async () => {
    const { account, elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.0.1.7' }] }));
    account.clock.advance(150_000);

    account.elbv2.failHealthChecks('api-tg');
    account.clock.advance(59_999);
    expect(await health(elb, tg.TargetGroupArn!)).toEqual([['10.0.1.7', 'healthy', null]]);
    account.clock.advance(1);
    const [d] = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!;
    expect(d.TargetHealth).toEqual({ State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [404]' });

    account.elbv2.passHealthChecks('api-tg');
    account.clock.advance(150_000);
    expect(await health(elb, tg.TargetGroupArn!)).toEqual([['10.0.1.7', 'healthy', null]]);
  });

  it('drains a deregistered target for the deregistration delay, then forgets it', async () => {
    const { account, elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');
    account.elbv2.registerTargets(tg.TargetGroupArn!, [{ id: '10.0.1.8', port: 8000, healthy: true }]);
    account.clock.advance(150_000);

    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.0.1.8', Port: 8000 }] }));

    const [d] = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!;
    expect(d.TargetHealth).toEqual({ State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' });
    account.clock.advance(300_000);
    expect(await health(elb, tg.TargetGroupArn!)).toEqual([]);
  });

  it('reports targets of a group no load balancer uses as unused, and starts checks once one does', async () => {
    const { account, elb } = sim();
    const spare = await tgNamed(elb, 'spare-tg');
    account.elbv2.registerTargets(spare.TargetGroupArn!, [{ id: '10.0.2.1', port: 80, healthy: true }]);

    const [d] = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: spare.TargetGroupArn }))).TargetHealthDescriptions!;
    expect(d.TargetHealth).toEqual({
      State: 'unused',
      Reason: 'Target.NotInUse',
      Description: 'Target group is not configured to receive traffic from the load balancer',
    });

    const lb = await lbNamed(elb, 'shop-alb');
    await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Port: 8080, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: spare.TargetGroupArn }] }),
    );
    expect(await health(elb, spare.TargetGroupArn!)).toEqual([['10.0.2.1', 'initial', 'Elb.RegistrationInProgress']]);
    account.clock.advance(150_000);
    expect(await health(elb, spare.TargetGroupArn!)).toEqual([['10.0.2.1', 'healthy', null]]);
  });

  it('describes an asked-for target that is not registered as unused Target.NotRegistered', async () => {
    const { elb } = sim();
    const tg = await tgNamed(elb, 'api-tg');

    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.9.9.9' }] }));

    expect(out.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: '10.9.9.9', Port: 8000 },
        HealthCheckPort: '8000',
        TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
      },
    ]);
  });

  it('exposes target group facts to the ECS simulator', async () => {
    const { account, elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const tg = await tgNamed(elb, 'api-tg');

    expect(account.elbv2.targetGroupInfo(tg.TargetGroupArn!)).toEqual({
      arn: tg.TargetGroupArn,
      name: 'api-tg',
      port: 8000,
      targetType: 'ip',
      loadBalancerArns: [lb.LoadBalancerArn],
    });
    expect(account.elbv2.targetGroupInfo('arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/x/0')).toBeUndefined();
  });
});

describe('simulated ELBv2: tags', () => {
  it('adds, lists and removes tags on load balancers and target groups', async () => {
    const { elb } = sim();
    const lb = await lbNamed(elb, 'shop-alb');
    const tg = await tgNamed(elb, 'api-tg');

    await elb.send(new AddTagsCommand({ ResourceArns: [lb.LoadBalancerArn!, tg.TargetGroupArn!], Tags: [{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'prod' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [tg.TargetGroupArn!], TagKeys: ['env'] }));
    const out = await elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!, tg.TargetGroupArn!] }));

    expect(out.TagDescriptions).toEqual([
      { ResourceArn: lb.LoadBalancerArn, Tags: [{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'prod' }] },
      { ResourceArn: tg.TargetGroupArn, Tags: [{ Key: 'team', Value: 'shop' }] },
    ]);
  });

  it('fails DescribeTags for an unknown resource with that resource kind not found', async () => {
    const { elb } = sim();

    await expect(
      elb.send(new DescribeTagsCommand({ ResourceArns: ['arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/gone/0123456789abcdef'] })),
    ).rejects.toMatchObject({ name: 'TargetGroupNotFoundException', message: 'One or more target groups not found' });
  });
});

describe('simulated ELBv2: listener certificates', () => {
  it('dates a certificate first seen on a seeded listener 395 days from its (seeded) first use', () => {
    const { account } = sim();

    const cert = account.elbv2.certificate(CERT);

    // Seeded resources are dated a day before the clock's start (0 here).
    expect(cert).toEqual({ arn: CERT, notAfter: -24 * 3600_000 + 395 * 24 * 3600_000, status: 'ISSUED' });
  });

  it('takes validity and name from the fixture and reports EXPIRED once notAfter has passed', () => {
    const { account } = sim({ ...FIXTURE, certificates: [{ arn: CERT, domainName: 'api.example.com', notAfter: '1970-01-11T00:00:00Z' }] });

    expect(account.elbv2.certificate(CERT)).toEqual({ arn: CERT, domainName: 'api.example.com', notAfter: 10 * 24 * 3600_000, status: 'ISSUED' });
    account.clock.advance(10 * 24 * 3600_000);
    expect(account.elbv2.certificate(CERT)?.status).toBe('EXPIRED');
  });

  it('lets a scenario move a certificate expiry and knows nothing of certificates no listener used', () => {
    const { account } = sim();

    account.elbv2.setCertificate(CERT, { notAfter: new Date(5_000) });

    expect(account.elbv2.certificate(CERT)).toEqual({ arn: CERT, notAfter: 5_000, status: 'ISSUED' });
    expect(account.elbv2.certificate('arn:aws:acm:ap-northeast-1:123456789012:certificate/unknown')).toBeUndefined();
  });

  it('knows a certificate a new HTTPS listener brings, from the time it was created', async () => {
    const { account, elb } = sim();
    const other = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/9a8b7c6d';
    const lb = await lbNamed(elb, 'shop-alb');
    const tg = await tgNamed(elb, 'spare-tg');
    account.clock.advance(1_000);

    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: 8443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: other }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    );

    expect(account.elbv2.certificate(other)).toEqual({ arn: other, notAfter: 1_000 + 395 * 24 * 3600_000, status: 'ISSUED' });
  });
});
