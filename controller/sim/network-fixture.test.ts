import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';
import type { SimFixture } from './fixture.js';

// The load-balancing, DNS and CDN sections of a fixture as a person writes them in YAML.
const YAML = `
elbv2:
  targetGroups:
    - { name: shop-api-tg, port: 8000, healthCheckPath: /health }
  loadBalancers:
    - name: shop-api-alb
      listeners:
        - { port: 443, certificate: "arn:aws:acm:ap-northeast-1:123456789012:certificate/abc", forward: shop-api-tg }
        - { port: 80, forward: shop-api-tg }
cloudfront:
  distributions:
    - { id: E2QWRUHAPOMQZL, aliases: [www.example.com] }
route53:
  zones:
    - name: example.com
      records:
        - { name: api, type: A, alias: { loadBalancer: shop-api-alb } }
        - { name: _steady-a.api, type: TXT, values: '"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"' }
        - { name: www, type: A, alias: { cloudFront: E2QWRUHAPOMQZL } }
        - { name: old, type: A, alias: { dnsName: shop-api-alb-1111111111.ap-northeast-1.elb.amazonaws.com, hostedZoneId: Z14GRHDCWA56QT } }
`;

describe('a network fixture written in YAML', () => {
  it('seeds load balancers active, resolves aliases by name and keeps literal (stale) ones', async () => {
    const account = new SimAccount({ region: 'ap-northeast-1' }).seed(parse(YAML) as SimFixture);
    const lb = account.elbv2.findByName('shop-api-alb')!;
    const distribution = account.cloudfront.findById('E2QWRUHAPOMQZL')!;

    const records = account.route53.recordSets('example.com');

    expect(records.map((r) => [r.Name, r.Type, r.AliasTarget?.DNSName ?? r.ResourceRecords?.[0].Value])).toEqual([
      ['example.com.', 'NS', expect.stringMatching(/^ns-\d+\.awsdns-\d\d\.com\.$/)],
      ['example.com.', 'SOA', expect.stringMatching(/ awsdns-hostmaster\.amazon\.com\. 1 7200 900 1209600 86400$/)],
      ['api.example.com.', 'A', `${lb.dnsName.toLowerCase()}.`],
      ['_steady-a.api.example.com.', 'TXT', '"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"'],
      ['old.example.com.', 'A', 'shop-api-alb-1111111111.ap-northeast-1.elb.amazonaws.com.'],
      ['www.example.com.', 'A', `${distribution.domainName}.`],
    ]);
    const [described] = (await account.clients().elbv2.send(new DescribeLoadBalancersCommand({ Names: ['shop-api-alb'] }))).LoadBalancers!;
    expect(described.State).toEqual({ Code: 'active' });
  });
});

describe('a fixture service behind a load balancer', () => {
  it('starts with its targets already healthy, as a service in steady state has them', async () => {
    const account = new SimAccount({ region: 'ap-northeast-1' }).seed({
      ...(parse(YAML) as SimFixture),
      ecs: {
        clusters: ['shop-prod'],
        taskDefinitions: [{ family: 'shop-api', containerDefinitions: [{ name: 'app', image: 'nginx:1.27', portMappings: [{ containerPort: 8000 }] }] }],
        services: [{ name: 'api', cluster: 'shop-prod', taskDefinition: 'shop-api:1', desiredCount: 2, loadBalancer: { targetGroup: 'shop-api-tg', containerName: 'app', containerPort: 8000 } }],
      },
    });
    const tg = account.elbv2.targetGroupInfo(
      (await account.clients().elbv2.send(new DescribeTargetGroupsCommand({ Names: ['shop-api-tg'] }))).TargetGroups![0].TargetGroupArn!,
    )!;
    const tasks = account.ecs.allTasks();

    expect(tasks.map((t) => account.elbv2.targetState(tg.arn, t.attachments![0].details!.find((d) => d.name === 'privateIPv4Address')!.value!, 8000))).toEqual([
      'healthy',
      'healthy',
    ]);
  });
});
