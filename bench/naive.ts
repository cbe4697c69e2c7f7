/**
 * A naive per-service controller, the yardstick steady is compared with: for each service, one
 * after the other, it reads what it needs to check that service alone — the service, its task
 * definition, each container's image, its target group, the target group's health, its load
 * balancer, the alias's hosted zone and the alias record — with one call each, as a first
 * controller written against the SDK would. It changes nothing (the comparison is of a pass with
 * no drift) and paces nothing: its clients are the SDK's with the standard retry strategy, so AWS's
 * rate limits (enforced by the simulated account) and the SDK's back-off decide its speed.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ClockRetryStrategy } from '../controller/sim/retry.js';
import type { SimAccount } from '../controller/sim/account.js';
import type { BenchLayout } from '../controller/testing/fleet.js';

export interface NaiveResult {
  /** Commands sent, throttled retries not included (as steady's calls are counted). */
  calls: number;
  /** Requests the simulated account answered, throttled ones included. */
  attempts: number;
  throttled: number;
  /** Simulated time the pass took: what it would take on AWS, less its CPU. */
  simMs: number;
  cpuMs: number;
  /** Services whose check found something wrong (a no-drift pass should find none). */
  problems: string[];
}

function naiveClients(account: SimAccount) {
  const config = (region = account.region) => ({
    region,
    credentials: { accessKeyId: 'ASIASIMULATED', secretAccessKey: 'simulated' },
    retryStrategy: new ClockRetryStrategy(account.clock),
  });
  return {
    ecs: account.attach(new ECSClient(config())),
    ecr: account.attach(new ECRClient(config())),
    elbv2: account.attach(new ElasticLoadBalancingV2Client(config())),
    route53: account.attach(new Route53Client(config('us-east-1'))),
  };
}

const dnsName = (name: string) => name.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');

/** Checks one service the naive way; returns what is wrong with it, or undefined. */
async function checkService(c: ReturnType<typeof naiveClients>, layout: BenchLayout, s: BenchLayout['services'][number]): Promise<string | undefined> {
  const { services } = await c.ecs.send(new DescribeServicesCommand({ cluster: layout.cluster, services: [s.name], include: ['TAGS'] }));
  const service = services?.[0];
  if (!service || service.status !== 'ACTIVE') return 'service missing';
  const { taskDefinition } = await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }));
  for (const container of taskDefinition?.containerDefinitions ?? []) {
    const m = /^[^/]+\/(.+?)(?::([^@:]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(container.image ?? '');
    if (!m) continue;
    const [, repositoryName, named, digest] = m;
    const tag = named ?? (repositoryName === s.repository ? s.tag : '7');
    const { imageDetails } = await c.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    if (digest && imageDetails?.[0]?.imageDigest !== digest) return `${container.name} is not on ${repositoryName}:${tag}`;
  }
  const { TargetGroups } = await c.elbv2.send(new DescribeTargetGroupsCommand({ Names: [s.targetGroup] }));
  const tg = TargetGroups?.[0];
  const { TargetHealthDescriptions } = await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg!.TargetGroupArn }));
  const healthy = (TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length;
  if (healthy < (service.desiredCount ?? 0)) return `${healthy}/${service.desiredCount} targets healthy`;
  const { LoadBalancers } = await c.elbv2.send(new DescribeLoadBalancersCommand({ Names: [s.loadBalancer] }));
  const { HostedZones } = await c.route53.send(new ListHostedZonesByNameCommand({ DNSName: s.zone, MaxItems: 1 }));
  const { ResourceRecordSets } = await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: HostedZones![0].Id, StartRecordName: s.record, StartRecordType: 'A', MaxItems: 1 }));
  const alias = ResourceRecordSets?.[0]?.AliasTarget?.DNSName;
  if (!alias || dnsName(alias) !== dnsName(LoadBalancers![0].DNSName!)) return `alias ${s.record} does not point at ${s.loadBalancer}`;
  return undefined;
}

/**
 * One naive pass over every service of `layout` on `account`.
 *
 * @example
 * const naive = await naivePass(env.account, env.layout);
 */
export async function naivePass(account: SimAccount, layout: BenchLayout): Promise<NaiveResult> {
  const c = naiveClients(account);
  const logFrom = account.calls.length;
  const simStart = account.clock.now();
  const cpu = process.cpuUsage();
  const problems: string[] = [];
  for (const s of layout.services) {
    const problem = await checkService(c, layout, s);
    if (problem) problems.push(`${s.name}: ${problem}`);
  }
  const used = process.cpuUsage(cpu);
  const log = account.calls.slice(logFrom);
  const throttled = log.filter((call) => /Throttl/.test(call.error ?? '')).length;
  return {
    calls: log.length - throttled,
    attempts: log.length,
    throttled,
    simMs: account.clock.now() - simStart,
    cpuMs: Math.round((used.user + used.system) / 1000),
    problems,
  };
}
